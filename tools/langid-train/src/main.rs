//! Builds thresh's embedded language-identification model.
//!
//! Input: lingua's per-language character n-gram models (orders 1–5, trained by lingua's author
//! on the Leipzig Corpora Collection), which cargo downloads from crates.io as the
//! `lingua-*-language-model` 1.3.0 crates (Apache-2.0). Each model maps an n-gram to
//! ln P(last char | preceding chars) (unigrams: ln P(char)).
//!
//! Output: the n-grams whose joint relative frequency in their language is at least
//! `--min-freq` (all unigrams are kept), their log-probabilities quantised to 0.1 nat, sorted,
//! and zstd-compressed: `crates/thresh-langid/data/model.bin.zst`.
//!
//! Usage: `cargo run --release -- [--min-freq F] [--out PATH] [--stats]`

mod sources;

use std::collections::HashMap;
use std::io::Write;

use fst::{Map, Streamer};

/// One n-gram of one language.
struct Gram {
    text: String,
    logp: f64,
    joint: f64,
}

/// Reads a language's `ngrams.fst` into per-order lists with joint relative frequencies.
fn load(dir: &include_dir::Dir<'static>) -> Vec<Vec<Gram>> {
    let file = dir.get_file("ngrams.fst").expect("ngrams.fst in the model crate");
    let map = Map::new(file.contents().to_vec()).expect("a valid FST map");
    let mut by_order: Vec<Vec<Gram>> = (0..5).map(|_| Vec::new()).collect();
    let mut stream = map.stream();
    while let Some((key, value)) = stream.next() {
        let text = String::from_utf8(key.to_vec()).expect("UTF-8 n-gram");
        let order = text.chars().count();
        assert!((1..=5).contains(&order), "unexpected n-gram {text:?}");
        by_order[order - 1].push(Gram {
            text,
            logp: f64::from_bits(value),
            joint: 0.0,
        });
    }
    let mut joint: HashMap<String, f64> = HashMap::new();
    for grams in &mut by_order {
        for gram in grams.iter_mut() {
            let prefix_end = gram.text.char_indices().last().map_or(0, |(i, _)| i);
            let prefix = joint.get(&gram.text[..prefix_end]).copied().unwrap_or(1.0);
            gram.joint = gram.logp.exp() * prefix;
        }
        for gram in grams.iter() {
            joint.insert(gram.text.clone(), gram.joint);
        }
    }
    by_order
}

/// Log-probability in tenths of a nat below zero, saturating at 25.5 nats.
fn quantise(logp: f64) -> u8 {
    (-logp * 10.0).round().clamp(0.0, 255.0) as u8
}

fn main() {
    let mut min_freq = 1e-6;
    let mut out = String::from("../../crates/thresh-langid/data/model.bin.zst");
    let mut stats = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--min-freq" => min_freq = args.next().and_then(|v| v.parse().ok()).expect("--min-freq F"),
            "--out" => out = args.next().expect("--out PATH"),
            "--stats" => stats = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let thresholds = [1e-5, 3e-6, 1e-6, 3e-7, 1e-7, 0.0];
    let mut totals = vec![[0usize; 5]; thresholds.len()];
    let mut blob = Vec::new();
    blob.extend_from_slice(b"THLID1\n");
    blob.push(sources::MODELS.len() as u8);
    for (code, dir) in sources::MODELS {
        let by_order = load(dir);
        for (t, threshold) in thresholds.iter().enumerate() {
            for (o, grams) in by_order.iter().enumerate() {
                totals[t][o] += grams.iter().filter(|g| o == 0 || g.joint >= *threshold).count();
            }
        }
        let mut kept: Vec<(&str, u8)> = by_order
            .iter()
            .enumerate()
            .flat_map(|(o, grams)| {
                grams
                    .iter()
                    .filter(move |g| o == 0 || g.joint >= min_freq)
                    .map(|g| (g.text.as_str(), quantise(g.logp)))
            })
            .collect();
        kept.sort_unstable();
        blob.push(code.len() as u8);
        blob.extend_from_slice(code.as_bytes());
        blob.extend_from_slice(&(kept.len() as u32).to_le_bytes());
        for (text, q) in &kept {
            blob.push(*q);
            blob.push(text.len() as u8);
            blob.extend_from_slice(text.as_bytes());
        }
        eprintln!("{code}: {} n-grams kept", kept.len());
    }
    if stats {
        for (t, threshold) in thresholds.iter().enumerate() {
            let sum: usize = totals[t].iter().sum();
            println!("min_freq {threshold:e}: {:?} total {sum}", totals[t]);
        }
    }
    let compressed = zstd::bulk::compress(&blob, 19).expect("zstd");
    let tmp = format!("{out}.tmp");
    std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&compressed))
        .expect("write model");
    std::fs::rename(&tmp, &out).expect("rename model");
    println!(
        "wrote {out}: {} bytes ({} uncompressed), min_freq {min_freq:e}",
        compressed.len(),
        blob.len()
    );
}
