//! Accuracy and speed of thresh's language identification on ../shared/data/langid.
//!
//! `cargo run --release -p thresh-langid --example langid_eval -- [DATA_DIR] [--csv OUT]`
//! prints, per language, the share of Leipzig sentences / word pairs / single words and UDHR
//! paragraphs identified as the file's language (an undetermined line counts as wrong, as in
//! lingua's reports), lingua's published high-accuracy figures next to them, and the means.
//! `--speed` instead times identification of ≈1, 5 and 10 KB documents made of consecutive
//! Leipzig sentences (4 per language and size), on one thread.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use thresh_langid::{detect, LANGUAGES};

const SETS: [&str; 4] = ["sentences", "word-pairs", "single-words", "udhr"];

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn set_path(root: &Path, set: &str, code: &str) -> PathBuf {
    if set == "udhr" {
        root.join("udhr").join(format!("{code}.txt"))
    } else {
        root.join("leipzig").join(set).join(format!("{code}.txt"))
    }
}

/// lingua's published high-accuracy figures: code → [sentences, word pairs, single words].
fn published(root: &Path) -> HashMap<String, [f64; 3]> {
    let mut out = HashMap::new();
    let text =
        std::fs::read_to_string(root.join("lingua-published-accuracy.csv")).unwrap_or_default();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 5 || !cols[1].to_lowercase().contains("high") {
            continue;
        }
        let name = cols[0].trim().to_lowercase();
        if let Some(l) = LANGUAGES.iter().find(|l| {
            let n = l.name.to_lowercase();
            n == name
                || n.replace("norwegian ", "") == name
                || n.replace("ø", "o").replace("norwegian ", "") == name
        }) {
            let f = |s: &str| s.trim().parse().unwrap_or(f64::NAN);
            out.insert(l.code.to_owned(), [f(cols[2]), f(cols[3]), f(cols[4])]);
        }
    }
    out
}

fn accuracy(root: &Path, csv: Option<&str>) {
    let published = published(root);
    let mut sums = [0.0; 4];
    let mut pub_sums = [0.0; 3];
    let mut rows = Vec::new();
    let mut confusions: HashMap<(String, String), usize> = HashMap::new();
    println!("| lang | sentences | word pairs | single words | UDHR | lingua sentences | lingua pairs | lingua words |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for lang in LANGUAGES.iter() {
        let mut acc = [0.0; 4];
        for (s, set) in SETS.iter().enumerate() {
            let items = lines(&set_path(root, set, lang.code));
            let mut right = 0;
            for item in &items {
                let got = detect(item, 1).code();
                if got == lang.code {
                    right += 1;
                } else if s == 0 {
                    *confusions
                        .entry((lang.code.to_owned(), got.to_owned()))
                        .or_default() += 1;
                }
            }
            acc[s] = 100.0 * right as f64 / items.len().max(1) as f64;
            sums[s] += acc[s];
        }
        let p = published.get(lang.code).copied().unwrap_or([f64::NAN; 3]);
        for i in 0..3 {
            pub_sums[i] += p[i];
        }
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            lang.code, acc[0], acc[1], acc[2], acc[3], p[0], p[1], p[2]
        );
        rows.push(format!(
            "{},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2}",
            lang.code, acc[0], acc[1], acc[2], acc[3], p[0], p[1], p[2]
        ));
    }
    let n = LANGUAGES.len() as f64;
    println!(
        "| **mean** | **{:.2}** | **{:.2}** | **{:.2}** | **{:.2}** | {:.2} | {:.2} | {:.2} |",
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n,
        pub_sums[0] / n,
        pub_sums[1] / n,
        pub_sums[2] / n
    );
    let mut worst: Vec<_> = confusions.into_iter().collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1));
    let top: Vec<String> = worst
        .iter()
        .take(12)
        .map(|((a, b), n)| format!("{a}→{b} {n}"))
        .collect();
    println!("\nmost frequent sentence confusions: {}", top.join(", "));
    if let Some(csv) = csv {
        let header = "lang,sentences,word_pairs,single_words,udhr,lingua_sentences,lingua_word_pairs,lingua_single_words\n";
        std::fs::write(csv, header.to_owned() + &rows.join("\n") + "\n").expect("write csv");
    }
}

/// Documents of about `size` bytes made of consecutive sentences, four per language.
fn documents(root: &Path, size: usize) -> Vec<String> {
    let mut docs = Vec::new();
    for lang in LANGUAGES.iter() {
        let sentences = lines(&set_path(root, "sentences", lang.code));
        let mut it = sentences.iter().cycle();
        for _ in 0..4 {
            let mut doc = String::new();
            while doc.len() < size {
                doc.push_str(it.next().expect("sentences"));
                doc.push(' ');
            }
            docs.push(doc);
        }
    }
    docs
}

fn speed(root: &Path) {
    detect("warm up the model", 1);
    for size in [1_000, 5_000, 10_000] {
        let docs = documents(root, size);
        let bytes: usize = docs.iter().map(String::len).sum();
        let mut right = 0;
        let rounds = 5;
        let start = Instant::now();
        for _ in 0..rounds {
            right = 0;
            for (i, doc) in docs.iter().enumerate() {
                if detect(doc, 3).code() == LANGUAGES[i / 4].code {
                    right += 1;
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{size:>6}-byte documents: {:.1} MB/s, {:.0} docs/s, {right}/{} correct",
            (bytes * rounds) as f64 / secs / 1e6,
            (docs.len() * rounds) as f64 / secs,
            docs.len()
        );
    }
}

fn main() {
    let mut root = PathBuf::from("../shared/data/langid");
    let mut csv = None;
    let mut run_speed = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--csv" => csv = args.next(),
            "--speed" => run_speed = true,
            other => root = PathBuf::from(other),
        }
    }
    if !root.join("leipzig").is_dir() {
        eprintln!(
            "skipping: {} not found (the shared langid data)",
            root.display()
        );
        return;
    }
    let start = Instant::now();
    detect("load", 1);
    eprintln!("model loaded in {:.2} s", start.elapsed().as_secs_f64());
    if run_speed {
        speed(&root);
    } else {
        accuracy(&root, csv.as_deref());
    }
}
