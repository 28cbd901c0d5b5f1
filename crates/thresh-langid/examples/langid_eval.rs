//! Accuracy and speed of thresh's language identification on ../shared/data/langid.
//!
//! `cargo run --release -p thresh-langid --example langid_eval -- [DATA_DIR] [--csv OUT]`
//! prints, per language, the share of Leipzig sentences / word pairs / single words and UDHR
//! paragraphs identified as the file's language (an undetermined line counts as wrong, as in
//! lingua's reports), lingua's published high-accuracy figures next to them, and the means.
//! `--speed FILE` instead times identification of the documents in FILE (`code<TAB>text` per
//! line, as `scripts/eval_langid.py` writes them), on one thread.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use thresh_langid::{detect, LANGUAGES};

const SETS: [&str; 4] = ["sentences", "word-pairs", "single-words", "udhr"];

/// Groups of languages so close that the test data itself mixes them (Leipzig's Malay
/// sentences are largely Indonesian, its Bokmål ones include Nynorsk and Danish).
const CLOSE: [&[&str]; 3] = [&["ms", "id"], &["bs", "hr", "sr"], &["nb", "nn"]];

fn same_group(a: &str, b: &str) -> bool {
    a == b || CLOSE.iter().any(|g| g.contains(&a) && g.contains(&b))
}

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
        // lingua writes "Bokmal" and "Nynorsk" where we write "Norwegian Bokmål" / "… Nynorsk".
        let ours = |l: &&thresh_langid::Language| {
            l.name
                .to_lowercase()
                .replace("norwegian ", "")
                .replace('å', "a")
                == name
        };
        if let Some(l) = LANGUAGES.iter().find(ours) {
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
    let mut grouped_sum = 0.0;
    let mut rows = Vec::new();
    let mut confusions: HashMap<(String, String), usize> = HashMap::new();
    println!("| lang | sentences | word pairs | single words | UDHR | lingua sentences | lingua pairs | lingua words |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for lang in LANGUAGES.iter() {
        let mut acc = [0.0; 4];
        for (s, set) in SETS.iter().enumerate() {
            let items = lines(&set_path(root, set, lang.code));
            let mut right = 0;
            let mut grouped = 0;
            for item in &items {
                let got = detect(item, 1).code();
                if got == lang.code {
                    right += 1;
                } else if s == 0 {
                    *confusions
                        .entry((lang.code.to_owned(), got.to_owned()))
                        .or_default() += 1;
                }
                grouped += usize::from(same_group(got, lang.code));
            }
            if s == 0 {
                grouped_sum += 100.0 * grouped as f64 / items.len().max(1) as f64;
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
    println!(
        "\nsentences with ms/id, bs/hr/sr and nb/nn each counted as one language: {:.2}",
        grouped_sum / n
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

/// Times identification of the documents in `path` (`code<TAB>text` per line), one thread.
fn speed(path: &Path) {
    let text = std::fs::read_to_string(path).expect("documents file");
    let docs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    detect("warm up the model", 1);
    // Eleven timed passes; the median is reported (this machine's load varies).
    let mut times = Vec::new();
    let mut right = 0;
    for _ in 0..11 {
        let start = Instant::now();
        right = docs
            .iter()
            .filter(|(code, doc)| detect(doc, 3).code() == *code)
            .count();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    println!(
        "{}: {} documents, {:.0} bytes on average: {:.1} MB/s, {:.0} docs/s (median of 11 passes), {right} correct",
        path.display(),
        docs.len(),
        bytes as f64 / docs.len().max(1) as f64,
        bytes as f64 / secs / 1e6,
        docs.len() as f64 / secs,
    );
}

fn main() {
    let mut root = PathBuf::from("../shared/data/langid");
    let mut csv = None;
    let mut speed_files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--csv" => csv = args.next(),
            "--speed" => speed_files.extend(args.next().map(PathBuf::from)),
            other => root = PathBuf::from(other),
        }
    }
    if !speed_files.is_empty() {
        for file in &speed_files {
            speed(file);
        }
        return;
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
    accuracy(&root, csv.as_deref());
}
