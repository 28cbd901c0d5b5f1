//! Labels texts with the built-in model and prints how well the best language fits them, for
//! `scripts/eval_abstain.py`.
//!
//! `cargo run --release -p thresh-langid --example langid_fit -- FILE [--no-abstain]` reads
//! `tag<TAB>text` lines and prints `tag<TAB>code<TAB>score<TAB>nats_per_letter` per line
//! (`-` when the script decided alone), abstaining unless `--no-abstain`.

use std::io::Write;

use thresh_langid::detect_with;

fn main() {
    let mut path = None;
    let mut abstain = true;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--no-abstain" => abstain = false,
            other => path = Some(other.to_owned()),
        }
    }
    let path = path.expect("usage: langid_fit FILE [--no-abstain]");
    let text = std::fs::read_to_string(&path).expect("read the input file");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (tag, item) in text.lines().filter_map(|l| l.split_once('\t')) {
        let d = detect_with(item, 1, abstain);
        let nats = d
            .nats_per_letter
            .map_or_else(|| "-".to_owned(), |n| format!("{n:.4}"));
        writeln!(out, "{tag}\t{}\t{:.4}\t{nats}", d.code(), d.score).expect("write");
    }
}
