//! Extracts every page under a directory (`*.html`, `*.htm`, optionally `.gz`) the way
//! `../shared/peers/extract.py` runs the peers: pages read into memory first, then only the
//! per-page work timed (charset decoding + extraction), one thread. Writes
//! `{"file": <path relative to DIR>, "text": ...}` per line and prints pages/s and MB/s.
//!
//! usage: cargo run --release -p thresh-extract --example extract_eval -- DIR OUT.jsonl [ROUNDS]

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use thresh_io::compression::open_decompressed;
use thresh_io::read::inputs::{expand_inputs, HTML_EXTENSIONS};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, out_path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: extract_eval DIR OUT.jsonl [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1);
    let pages = expand_inputs(std::slice::from_ref(dir), Path::new("."), &HTML_EXTENSIONS)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut raw = Vec::new();
    for page in pages {
        let mut bytes = Vec::new();
        open_decompressed(&page.path)?.0.read_to_end(&mut bytes)?;
        raw.push((page.relative, bytes));
    }
    let options = thresh_extract::Options::default();
    let mut texts = Vec::with_capacity(raw.len());
    let mut best = f64::MAX;
    for round in 0..rounds {
        let start = Instant::now();
        for (_, bytes) in &raw {
            let (html, _) = thresh_io::read::charset::decode(bytes, None);
            let extraction = thresh_extract::extract(&html, &options);
            if round == 0 {
                texts.push(extraction.text);
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    for ((name, _), text) in raw.iter().zip(&texts) {
        let line = serde_json::json!({ "file": name, "text": text });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    let bytes: usize = raw.iter().map(|(_, b)| b.len()).sum();
    println!(
        "thresh: {} pages in {best:.2} s (best of {rounds}): {:.1} pages/s, {:.2} MB/s of HTML",
        raw.len(),
        raw.len() as f64 / best,
        bytes as f64 / 1e6 / best
    );
    Ok(())
}
