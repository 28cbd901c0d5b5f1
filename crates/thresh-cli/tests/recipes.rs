//! The blocks of the published recipes (FineWeb, FineWeb-2) through the binary.

mod common;

use std::fs;

use common::*;

#[test]
fn url_filter_drops_by_url_with_datatroves_reasons_and_keeps_documents_without_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // The first domain of the integrated list, extra domains (registered domain and host), a
    // banned word, two soft words, a clean page, a URL at top level, and no URL at all.
    let records = [
        r#"{"id":"listed","text":"a","metadata":{"url":"https://0-1sex.com/"}}"#,
        r#"{"id":"extra","text":"a","metadata":{"url":"https://www.blocked.co.uk/x"}}"#,
        r#"{"id":"host","text":"a","metadata":{"url":"http://cdn.allowed.org/y"}}"#,
        r#"{"id":"word","text":"a","metadata":{"url":"https://news.example.org/porn/1"}}"#,
        r#"{"id":"soft","text":"a","metadata":{"url":"https://news.example.org/babes-bastard"}}"#,
        r#"{"id":"clean","text":"a","metadata":{"url":"https://news.example.org/ferry-timetable"}}"#,
        r#"{"id":"top","text":"a","url":"https://blocked.co.uk/"}"#,
        r#"{"id":"none","text":"a"}"#,
        // A listed host blocks itself only, not the hosts below it.
        r#"{"id":"below","text":"a","metadata":{"url":"https://www.cdn.allowed.org/"}}"#,
    ];
    fs::write(dir.join("in.jsonl"), records.join("\n") + "\n").unwrap();
    let steps = "[[step]]\ntype = \"url_filter\"\nextra_domains = [\"blocked.co.uk\", \"cdn.allowed.org\"]\n";
    let p = pipeline(dir, &["in.jsonl"], steps, "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = dir.join("out");
    let (read, kept, dropped, errored) = assert_balanced(&out);
    assert_eq!((read, kept, dropped, errored), (9, 3, 6, 0));
    let reason = |id: &str| {
        documents(&out.join("dropped"))
            .into_iter()
            .find(|d| d["id"] == id)
            .map(|d| d["thresh"]["reason"].as_str().unwrap().to_owned())
    };
    assert_eq!(reason("listed").as_deref(), Some("domain 0-1sex.com"));
    assert_eq!(reason("extra").as_deref(), Some("domain blocked.co.uk"));
    assert_eq!(reason("host").as_deref(), Some("subdomain cdn.allowed.org"));
    assert_eq!(reason("word").as_deref(), Some("hard_blacklisted porn"));
    assert_eq!(reason("soft").as_deref(), Some("soft_blacklisted 2 >= 2"));
    assert_eq!(reason("top").as_deref(), Some("domain blocked.co.uk"));
    let kept = documents(&out.join("kept"));
    let ids: Vec<&str> = kept.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["clean", "none", "below"]);
    assert_eq!(kept[1]["thresh"]["url_filter"]["missing_url"], true);
    let s = stats(&out);
    let reasons = &s["steps"][0]["reasons"];
    assert_eq!(reasons["domain"], 3);
    assert_eq!(reasons["subdomain"], 1);
}

/// `(url, reason)` of every document of a run's output under `sub` (`kept` or `dropped`).
fn outcomes(out: &std::path::Path, sub: &str) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = documents(&out.join(sub))
        .into_iter()
        .map(|d| {
            let url = d["metadata"]["url"].as_str().unwrap().to_owned();
            let reason = d["thresh"]["reason"].as_str().unwrap_or("").to_owned();
            (url, reason)
        })
        .collect();
    all.sort();
    all
}

fn pair(url: &str, reason: &str) -> (String, String) {
    (url.to_owned(), reason.to_owned())
}

#[test]
fn the_fineweb_recipes_run_on_the_bundled_team_written_warc() {
    let tmp = tempfile::tempdir().unwrap();
    let examples = examples_dir();
    let run = |name: &str| {
        let out = tmp.path().join(name);
        let file = examples.join(format!("{name}.toml"));
        run_ok(&[
            "run",
            file.to_str().unwrap(),
            "-q",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_balanced(&out);
        out
    };
    let dropped_everywhere = [
        pair(
            "https://mirror.port-elwyn.example/ferry-timetable-copy",
            "near_duplicate of <urn:uuid:00000000-0000-0000-0000-000000000001> (cluster of 2)",
        ),
        pair(
            "https://news.example.org/porn/ferry",
            "hard_blacklisted porn",
        ),
        pair(
            "https://news.port-elwyn.example/menu",
            "top_2_gram 0.237 > 0.2",
        ),
        pair("https://www.0-1sex.com/ferry", "domain 0-1sex.com"),
    ];
    // FineWeb: English only.
    let out = run("fineweb");
    assert_eq!(
        outcomes(&out, "kept"),
        [pair("https://news.port-elwyn.example/ferry-timetable", "")]
    );
    let mut dropped = dropped_everywhere.to_vec();
    dropped.push(pair(
        "https://www.sv-gruenwald.example/sommerfest",
        "language de 1.00 not in [en]",
    ));
    dropped.sort();
    assert_eq!(outcomes(&out, "dropped"), dropped);
    // PII replaced in what is kept: the address and the public IP are gone.
    let kept = documents(&out.join("kept"));
    let text = kept[0]["text"].as_str().unwrap();
    assert!(!text.contains("info@port-elwyn-harbour.org") && !text.contains("93.184.216.34"));
    assert_eq!(kept[0]["thresh"]["pii"]["emails"], 1);
    // FineWeb-2: every language, one directory per language.
    let out = run("fineweb2");
    assert_eq!(
        outcomes(&out, "kept"),
        [
            pair("https://news.port-elwyn.example/ferry-timetable", ""),
            pair("https://www.sv-gruenwald.example/sommerfest", ""),
        ]
    );
    assert_eq!(outcomes(&out, "dropped"), dropped_everywhere);
    assert_eq!(documents(&out.join("kept").join("de")).len(), 1);
    // MinHash per language with cluster sizes: the article and its copy were one cluster.
    let en = documents(&out.join("kept").join("en"));
    assert_eq!(en[0]["thresh"]["minhash_dedup"]["cluster_size"], 2);
}

#[test]
fn minhash_per_language_keeps_cluster_sizes_on_the_kept_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = "the ferry to the islands now runs every hour during the summer months, the harbour authority said on monday";
    let other = "a completely different report about the bakery near the quay and the customers it lost every afternoon";
    // Three copies tagged de, two tagged en (the same text: clusters must not cross languages),
    // one other text alone.
    let records: Vec<String> = [
        ("a", text, "de"),
        ("b", text, "en"),
        ("c", text, "de"),
        ("d", text, "en"),
        ("e", text, "de"),
        ("f", other, "en"),
    ]
    .iter()
    .map(|(id, t, lang)| {
        format!(r#"{{"id":"{id}","text":"{t}","metadata":{{"language":"{lang}"}}}}"#)
    })
    .collect();
    fs::write(dir.join("in.jsonl"), records.join("\n") + "\n").unwrap();
    let steps = "[[step]]\ntype = \"metadata_language\"\n\n[[step]]\ntype = \"minhash_dedup\"\ngroup_by = \"lang\"\nload_cluster_sizes = true\n";
    let p = pipeline(dir, &["in.jsonl"], steps, "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = dir.join("out");
    let kept = documents(&out.join("kept"));
    let sizes: Vec<(String, u64)> = kept
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["thresh"]["minhash_dedup"]["cluster_size"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = [("a", 3), ("b", 2), ("f", 1)]
        .iter()
        .map(|(id, n)| (id.to_string(), *n))
        .collect();
    assert_eq!(sizes, expected);
    let mut dropped: Vec<(String, String)> = documents(&out.join("dropped"))
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["thresh"]["minhash_dedup"]["duplicate_of"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    dropped.sort();
    assert_eq!(dropped, [pair("c", "a"), pair("d", "b"), pair("e", "a")]);
    // Without group_by, the five copies are one cluster.
    let steps = "[[step]]\ntype = \"metadata_language\"\n\n[[step]]\ntype = \"minhash_dedup\"\n";
    let p = pipeline(dir, &["in.jsonl"], steps, "");
    run_ok(&["run", p.to_str().unwrap(), "-q", "--overwrite"]);
    let kept = documents(&out.join("kept"));
    assert_eq!(kept.len(), 2);
    assert!(kept[0]["thresh"].get("minhash_dedup").is_none());
}
