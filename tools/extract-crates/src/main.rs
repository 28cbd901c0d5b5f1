//! Side-by-side measurement of existing Rust crates for thresh (see run.sh): rs-trafilatura and
//! dom_smoothie extraction, html5ever (scraper) and tl parsing, on the shared benchmarks.
//!
//! usage: bench <mode> <gz_dir> <fmt> <out_file|-> [reps]
//!   mode: traf | scraper | tl | smoothie (TextMode::Formatted) | smoothie_raw (TextMode::Raw, crate default)
//!   fmt:  sh (scrapinghub JSON object) | te (trafilatura-eval JSONL) | wcxb (JSONL)
//! All pages are gunzipped into memory first; only per-page work is timed
//! (Instant around each page, summed). With reps>1 the best (min) total is reported.
//! Predictions (extraction modes) are written from the first rep.
use flate2::read::GzDecoder;
use serde_json::{json, Map, Value};
use std::hint::black_box;
use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

fn load(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".gz"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let mut buf = Vec::new();
            GzDecoder::new(std::fs::File::open(format!("{dir}/{n}")).unwrap())
                .read_to_end(&mut buf)
                .unwrap();
            (n, buf)
        })
        .collect()
}

/// Returns Some(text) for extraction modes, None for parse-only modes.
/// Err(()) = the library returned an error, panicked => caught outside.
fn work(mode: &str, bytes: &[u8], decode_time: &mut Duration) -> Result<Option<String>, String> {
    match mode {
        "traf" => rs_trafilatura::extract_bytes(bytes)
            .map(|r| Some(r.content_text))
            .map_err(|e| e.to_string()),
        "scraper" => {
            let t = Instant::now();
            let s = String::from_utf8_lossy(bytes);
            *decode_time += t.elapsed();
            let doc = scraper::Html::parse_document(&s);
            black_box(&doc);
            drop(doc);
            Ok(None)
        }
        "tl" => {
            let t = Instant::now();
            let s = String::from_utf8_lossy(bytes);
            *decode_time += t.elapsed();
            let dom = tl::parse(&s, tl::ParserOptions::default()).map_err(|e| e.to_string())?;
            black_box(dom.nodes().len());
            drop(dom);
            Ok(None)
        }
        "smoothie" | "smoothie_raw" => {
            // same charset handling as rs-trafilatura's extract_bytes, for a fair comparison
            let s = rs_trafilatura::encoding::transcode_to_utf8(bytes);
            let cfg = dom_smoothie::Config {
                text_mode: if mode == "smoothie" { dom_smoothie::TextMode::Formatted } else { dom_smoothie::TextMode::Raw },
                ..Default::default()
            };
            let mut r = dom_smoothie::Readability::new(s, None, Some(cfg)).map_err(|e| e.to_string())?;
            r.parse().map(|a| Some(a.text_content.to_string())).map_err(|e| e.to_string())
        }
        _ => panic!("unknown mode"),
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (mode, dir, fmt, out) = (a[1].as_str(), a[2].as_str(), a[3].as_str(), a[4].as_str());
    let reps: usize = a.get(5).map(|s| s.parse().unwrap()).unwrap_or(1);
    let pages = load(dir);
    let total_bytes: usize = pages.iter().map(|p| p.1.len()).sum();
    std::panic::set_hook(Box::new(|info| eprintln!("PANIC: {info}")));

    let mut best = Duration::MAX;
    let mut best_dec = Duration::ZERO;
    let mut preds: Vec<Option<String>> = Vec::new();
    let (mut n_err, mut n_panic) = (0, 0);
    let mut slow: Vec<(Duration, usize)> = Vec::new();
    for rep in 0..reps {
        let mut tot = Duration::ZERO;
        let mut dec = Duration::ZERO;
        let mut times = Vec::with_capacity(pages.len());
        for (i, (name, bytes)) in pages.iter().enumerate() {
            let t = Instant::now();
            let r = catch_unwind(AssertUnwindSafe(|| work(mode, bytes, &mut dec)));
            let el = t.elapsed();
            tot += el;
            times.push((el, i));
            if rep == 0 {
                let text = match r {
                    Ok(Ok(t)) => t,
                    Ok(Err(e)) => {
                        n_err += 1;
                        eprintln!("ERR {name}: {e}");
                        None
                    }
                    Err(_) => {
                        n_panic += 1;
                        eprintln!("PANIC on {name}");
                        None
                    }
                };
                preds.push(text);
            }
        }
        eprintln!("rep {rep}: {:.3}s", tot.as_secs_f64());
        if tot < best {
            best = tot;
            best_dec = dec;
            times.sort();
            slow = times.into_iter().rev().take(3).collect();
        }
    }
    let secs = best.as_secs_f64();
    let mb = total_bytes as f64 / 1e6;
    let stats = json!({
        "mode": mode, "dir": dir, "pages": pages.len(), "html_mb": mb, "reps": reps,
        "best_total_s": secs, "pages_per_s": pages.len() as f64 / secs, "mb_per_s": mb / secs,
        "lossy_decode_s_included": best_dec.as_secs_f64(),
        "pages_per_s_excl_decode": pages.len() as f64 / (secs - best_dec.as_secs_f64()),
        "mb_per_s_excl_decode": mb / (secs - best_dec.as_secs_f64()),
        "errors": n_err, "panics": n_panic,
        "slowest": slow.iter().map(|(d, i)| json!([pages[*i].0, d.as_secs_f64(), pages[*i].1.len()])).collect::<Vec<_>>(),
    });
    println!("{stats}");

    if mode == "traf" || mode.starts_with("smoothie") {
        let mut w: Box<dyn Write> = Box::new(std::io::BufWriter::new(std::fs::File::create(out).unwrap()));
        let id = |n: &str| n.trim_end_matches(".gz").trim_end_matches(".html").to_string();
        match fmt {
            "sh" => {
                let mut m = Map::new();
                for ((n, _), t) in pages.iter().zip(&preds) {
                    m.insert(id(n), json!({"articleBody": t.clone().unwrap_or_default()}));
                }
                writeln!(w, "{}", Value::Object(m)).unwrap();
            }
            "te" => {
                for ((n, _), t) in pages.iter().zip(&preds) {
                    writeln!(w, "{}", json!({"file": n, "text": t})).unwrap();
                }
            }
            "wcxb" => {
                for ((n, _), t) in pages.iter().zip(&preds) {
                    writeln!(w, "{}", json!({"id": id(n), "text": t.clone().unwrap_or_default()})).unwrap();
                }
            }
            _ => panic!("fmt"),
        }
    }
}
