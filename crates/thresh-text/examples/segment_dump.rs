//! Dumps [`Segmenter`] output for JSON Lines documents read on stdin, for parity checks against
//! datatrove (see `scripts/segment_parity.py`).
//!
//! ```sh
//! zcat en.jsonl.gz | cargo run --release -p thresh-text --example segment_dump -- --lang en
//! zcat other.jsonl.gz | cargo run --release -p thresh-text --example segment_dump   # each doc's "lang"
//! zcat de.jsonl.gz | cargo run --release -p thresh-text --example segment_dump -- --lang de --bench
//! ```
//!
//! Prints one line per document: `{"lang": spaCy language, "words": [...], "sentences": n}`.
//! With `--bench`, prints throughput of `words()` and `sentence_count()` instead.

use std::io::{BufRead, Write};
use std::time::Instant;

use thresh_text::segment::Segmenter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut lang: Option<String> = None;
    let mut bench = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lang" => lang = Some(args.next().ok_or("--lang needs a value")?),
            "--bench" => bench = true,
            _ => {
                return Err(format!(
                    "unknown argument {arg:?} (usage: segment_dump [--lang CODE] [--bench])"
                )
                .into())
            }
        }
    }
    let mut docs: Vec<(String, String)> = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let text = v["text"]
            .as_str()
            .ok_or("record without \"text\"")?
            .to_string();
        let code = match &lang {
            Some(l) => l.clone(),
            None => v["lang"].as_str().unwrap_or("und").to_string(),
        };
        docs.push((code, text));
    }
    if bench {
        return run_bench(&docs);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (code, text) in &docs {
        let seg = Segmenter::for_language(code);
        let line = serde_json::json!({
            "lang": seg.spacy_language(),
            "words": seg.words(text),
            "sentences": seg.sentence_count(text),
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

fn run_bench(docs: &[(String, String)]) -> Result<(), Box<dyn std::error::Error>> {
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    let segs: Vec<&Segmenter> = docs
        .iter()
        .map(|(c, _)| Segmenter::for_language(c))
        .collect();
    eprintln!(
        "building segmenters: {:.3} s",
        start.elapsed().as_secs_f64()
    );
    // Cold pass (empty per-thread chunk memo), then warm passes.
    for label in ["words, cold", "words, warm", "sentence_count, warm"] {
        let start = Instant::now();
        let mut n = 0usize;
        let reps = if label.ends_with("cold") { 1 } else { 3 };
        for _ in 0..reps {
            for (seg, (_, text)) in segs.iter().zip(docs) {
                n += if label.starts_with("words") {
                    seg.words(text).len()
                } else {
                    seg.sentence_count(text)
                };
            }
        }
        let secs = start.elapsed().as_secs_f64() / reps as f64;
        eprintln!(
            "{label}: {} docs, {:.1} MB in {:.3} s = {:.1} MB/s ({} items/rep)",
            docs.len(),
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs,
            n / reps
        );
    }
    Ok(())
}
