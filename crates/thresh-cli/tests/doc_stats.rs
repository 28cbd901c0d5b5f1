//! `doc_stats` through the real binary: every document's statistics annotated, and their
//! aggregation in `stats.json` (summary, histogram, fqdn, suffix) equal to the sums over those
//! annotations, the same with one thread or two and with many work units.

mod common;

use common::*;

#[test]
fn doc_stats_aggregate_to_the_sums_of_the_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("in"), 20, 50);
    let p = pipeline_with_input(
        tmp.path(),
        &["in"],
        "unit_files = 4",
        "[[step]]\ntype = \"length\"\nmin_words = 30\n\n[[step]]\ntype = \"doc_stats\"",
        "",
    );
    let out = tmp.path().join("out");
    run_threads(&p, "2");
    let two = stats(&out);
    run_threads(&p, "1");
    let one = stats(&out);
    assert_eq!(two["doc_stats"], one["doc_stats"], "independent of threads");
    let kept = documents(&out.join("kept"));
    assert!(!kept.is_empty());
    let g = &one["doc_stats"]["doc_stats"];
    for stat in ["n_words", "n_lines", "length", "digit_ratio"] {
        let values: Vec<f64> = kept
            .iter()
            .map(|d| d["thresh"]["doc_stats"][stat].as_f64().unwrap())
            .collect();
        let summary = &g["summary"][stat]["summary"];
        assert_eq!(summary["n"], kept.len() as u64, "{stat}");
        let total: f64 = values.iter().sum();
        assert!(
            (summary["total"].as_f64().unwrap() - total).abs() < 1e-6 * total.max(1.0),
            "{stat}"
        );
        let hist: u64 = g["histogram"][stat]
            .as_object()
            .unwrap()
            .values()
            .map(|m| m["n"].as_u64().unwrap())
            .sum();
        assert_eq!(
            hist,
            kept.len() as u64,
            "{stat}: every document in one histogram bin"
        );
    }
    // The corpus has no URLs: no host groups.
    assert!(g.get("fqdn").is_none());
}
