//! Predicts with a fastText model on lines read from stdin, for `scripts/parity_fasttext.py`.
//!
//! `cargo run --release -p thresh-langid --example fasttext_predict -- MODEL [K] [THRESHOLD] [--bench]`
//!
//! Prints one JSON array of `[label, probability]` pairs per input line (lines end at `\n`
//! only). With `--bench`, prints
//! nothing per line and reports predictions per second and MB/s (prediction only, lines
//! already in memory) on stderr.

use std::io::{Read, Write};
use std::time::Instant;

use thresh_langid::fasttext::{FastText, Scratch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let positional: Vec<&String> = args.iter().filter(|a| *a != "--bench").collect();
    let path = positional
        .first()
        .ok_or("usage: fasttext_predict MODEL [K] [THRESHOLD] [--bench]")?;
    let k: usize = positional.get(1).map_or(Ok(1), |s| s.parse())?;
    let threshold: f32 = positional.get(2).map_or(Ok(0.0), |s| s.parse())?;
    let loading = Instant::now();
    let model = FastText::open(path)?;
    let load_secs = loading.elapsed().as_secs_f64();
    // Split on '\n' only: a '\r' before it belongs to the line, as it does for fastText.
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mut lines: Vec<&str> = input.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    if bench {
        let bytes: usize = lines.iter().map(|l| l.len()).sum();
        let start = Instant::now();
        let mut checksum = 0.0f64;
        for line in &lines {
            model.predict_into(line, k, threshold, &mut scratch, &mut out);
            checksum += out.first().map_or(0.0, |p| f64::from(p.1));
        }
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{} lines, {:.1} MB in {:.3} s: {:.0} predictions/s, {:.1} MB/s (model loaded in {:.1} ms; checksum {checksum:.3})",
            lines.len(),
            bytes as f64 / 1e6,
            secs,
            lines.len() as f64 / secs,
            bytes as f64 / 1e6 / secs,
            load_secs * 1e3
        );
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    for line in &lines {
        model.predict_into(line, k, threshold, &mut scratch, &mut out);
        // As f64, so that the printed decimal is the f32 value exactly.
        let row: Vec<(&str, f64)> = out
            .iter()
            .map(|&(i, p)| (model.labels()[i].as_str(), f64::from(p)))
            .collect();
        serde_json::to_writer(&mut w, &row)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
