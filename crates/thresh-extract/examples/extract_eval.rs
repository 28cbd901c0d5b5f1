//! Extracts every page under a directory (`*.html`, `*.htm`, optionally `.gz`) the way
//! `../shared/peers/extract.py` runs the peers: pages read into memory first, then only the
//! per-page work timed (charset decoding + extraction), one thread. Writes
//! `{"file": <path relative to DIR>, "text": ...}` per line and prints pages/s and MB/s.
//!
//! usage: cargo run --release -p thresh-extract --example extract_eval -- DIR OUT.jsonl [ROUNDS]
//!        [--model FILE|none] [--only LIST]
//!
//! `--model` replaces the built-in block model (`none`: the rules alone); `--only` extracts only
//! the pages named in LIST (one relative path per line).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use thresh_io::compression::open_decompressed;
use thresh_io::read::inputs::{expand_inputs, HTML_EXTENSIONS};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, out_path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: extract_eval DIR OUT.jsonl [ROUNDS] [--model FILE|none] [--only LIST]");
        std::process::exit(2);
    };
    let rounds: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1);
    let flag = |name: &str| {
        rest.iter()
            .position(|a| a == name)
            .and_then(|i| rest.get(i + 1))
    };
    let mut options = thresh_extract::Options::default();
    match flag("--model").map(String::as_str) {
        None => {}
        Some("none") => options.model = None,
        Some(path) => {
            let text = std::fs::read_to_string(path)?;
            let model = thresh_extract::BlockModel::parse(&text).map_err(std::io::Error::other)?;
            options.model = Some(std::sync::Arc::new(model));
        }
    }
    let only: Option<std::collections::HashSet<String>> = match flag("--only") {
        Some(list) => Some(
            std::fs::read_to_string(list)?
                .lines()
                .map(str::to_string)
                .collect(),
        ),
        None => None,
    };
    let pages = expand_inputs(std::slice::from_ref(dir), Path::new("."), &HTML_EXTENSIONS)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut raw = Vec::new();
    for page in pages {
        if only.as_ref().is_some_and(|o| !o.contains(&page.relative)) {
            continue;
        }
        let mut bytes = Vec::new();
        open_decompressed(&page.path)?.0.read_to_end(&mut bytes)?;
        raw.push((page.relative, bytes));
    }
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
