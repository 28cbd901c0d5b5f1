//! Speed of the `language` step's built-in detection, on one thread, with a checksum of its
//! results so that two builds can be compared exactly.
//!
//! `cargo run --release -p thresh-langid --example langid_speed -- FILE.jsonl [--max-bytes N]
//! [--piece BYTES] [--rounds N] [--dump OUT]` reads the `text` field of each line of FILE (up
//! to N bytes of text), optionally cuts each text into pieces of about BYTES bytes at
//! whitespace, detects every text as the step does (all languages ranked, abstention on) and
//! prints the best round's MB/s and a checksum of each text's label, score bits, ranking and
//! script. `--dump` writes those per text, one line each.

use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

use thresh_langid::{detect_with, Detection, LANGUAGES};

/// Cuts `text` into pieces of about `size` bytes, each ending before whitespace.
fn pieces(text: &str, size: usize, out: &mut Vec<String>) {
    let mut rest = text;
    while rest.len() > size {
        let mut cut = size;
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        match rest[cut..].find(char::is_whitespace) {
            Some(i) => {
                out.push(rest[..cut + i].to_owned());
                rest = &rest[cut + i..];
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
}

/// One text's result, as a line.
fn describe(d: &Detection) -> String {
    let ranked: Vec<String> = d
        .ranked
        .iter()
        .map(|(l, s)| format!("{}:{:016x}", l.code, s.to_bits()))
        .collect();
    format!(
        "{} {:016x} {:?} {:?} {}",
        d.code(),
        d.score.to_bits(),
        d.script,
        d.nats_per_letter.map(f64::to_bits),
        ranked.join(",")
    )
}

/// FNV-1a over bytes.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let (mut max_bytes, mut piece, mut rounds, mut dump) = (usize::MAX, None, 3, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match arg.as_str() {
            "--max-bytes" => max_bytes = value().parse().expect("a byte count"),
            "--piece" => piece = Some(value().parse().expect("a byte count")),
            "--rounds" => rounds = value().parse().expect("a count"),
            "--dump" => dump = Some(value()),
            _ => file = Some(arg),
        }
    }
    let file = file.expect(
        "usage: langid_speed FILE.jsonl [--max-bytes N] [--piece BYTES] [--rounds N] [--dump OUT]",
    );
    let reader = BufReader::new(std::fs::File::open(&file).expect("readable input"));
    let mut texts = Vec::new();
    let mut bytes = 0;
    for line in reader.lines() {
        let line = line.expect("readable input");
        let value: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        let Some(text) = value["text"].as_str() else {
            continue;
        };
        if bytes >= max_bytes {
            break;
        }
        bytes += text.len();
        match piece {
            Some(size) => pieces(text, size, &mut texts),
            None => texts.push(text.to_owned()),
        }
    }
    // Decode the model before timing.
    detect_with("", 1, true);
    let mut best = f64::INFINITY;
    let mut checksum = 0;
    let mut lines = Vec::new();
    for round in 0..rounds.max(1) {
        let start = Instant::now();
        let results: Vec<Detection> = texts
            .iter()
            .map(|t| detect_with(t, LANGUAGES.len(), true))
            .collect();
        best = best.min(start.elapsed().as_secs_f64());
        if round == 0 {
            lines = results.iter().map(describe).collect();
            checksum = lines
                .iter()
                .fold(0xcbf2_9ce4_8422_2325, |h, l| fnv(h, l.as_bytes()));
        }
    }
    let und = lines.iter().filter(|l| l.starts_with("und ")).count();
    println!(
        "{} texts, {:.1} MB, {:.3} s: {:.1} MB/s; {und} und; checksum {checksum:016x}",
        texts.len(),
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best
    );
    if let Some(path) = dump {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("writable dump"));
        for line in &lines {
            writeln!(out, "{line}").expect("writable dump");
        }
    }
}
