//! Writes every line of every page under a directory with its block features and the rules'
//! text, for `scripts/train_blocks.py`: one `{"file", "main", "lines": [[text, [features]]]}`
//! per page.
//!
//! usage: cargo run --release -p thresh-extract --example extract_blocks -- DIR OUT.jsonl

use std::io::{Read, Write};
use std::path::Path;

use thresh_io::compression::open_decompressed;
use thresh_io::read::inputs::{expand_inputs, HTML_EXTENSIONS};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, out_path] = args.as_slice() else {
        eprintln!("usage: extract_blocks DIR OUT.jsonl");
        std::process::exit(2);
    };
    let pages = expand_inputs(std::slice::from_ref(dir), Path::new("."), &HTML_EXTENSIONS)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let options = thresh_extract::Options::default();
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    for page in pages {
        let mut bytes = Vec::new();
        open_decompressed(&page.path)?.0.read_to_end(&mut bytes)?;
        let (html, _) = thresh_io::read::charset::decode(&bytes, None);
        let (lines, main) = thresh_extract::block_features(&html, &options);
        let lines: Vec<(String, Vec<f32>)> =
            lines.into_iter().map(|(t, f)| (t, f.to_vec())).collect();
        let line = serde_json::json!({ "file": page.relative, "main": main, "lines": lines });
        writeln!(out, "{line}")?;
    }
    out.flush()
}
