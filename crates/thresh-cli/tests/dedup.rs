//! Deduplication through the real binary: barrier passes, decisions, resume.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// A text of `words` words drawn deterministically from a small vocabulary.
fn text(seed: usize, words: usize) -> String {
    let vocabulary = [
        "river",
        "bridge",
        "council",
        "market",
        "library",
        "garden",
        "school",
        "station",
        "winter",
        "harbour",
        "museum",
        "festival",
        "street",
        "village",
        "bakery",
        "orchestra",
        "tram",
        "meadow",
        "tower",
        "square",
        "ferry",
        "mill",
        "forest",
        "lake",
    ];
    (0..words)
        .map(|i| vocabulary[(seed * 7919 + i * i * 31 + i * 17) % vocabulary.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_jsonl(path: &Path, docs: &[(&str, String)]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn exact_and_near_duplicates_are_dropped_and_the_first_copy_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    let original = text(1, 200);
    let mut words: Vec<&str> = original.split(' ').collect();
    words[100] = "submarine";
    let edited = words.join(" ");
    write_jsonl(
        &corpus.join("a.jsonl"),
        &[
            ("a1", original.clone()),
            ("a2", text(2, 150)),
            ("a3", format!("  {}\n", original.to_uppercase())),
        ],
    );
    write_jsonl(
        &corpus.join("b.jsonl"),
        &[
            ("b1", edited),
            ("b2", text(3, 150)),
            ("b3", "Short note.".into()),
            ("b4", "short   NOTE.".into()),
        ],
    );
    let p = pipeline(
        tmp.path(),
        &["corpus"],
        "[[step]]\ntype = \"exact_dedup\"\n\n[[step]]\ntype = \"minhash_dedup\"",
        "write_dropped = true",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    assert_balanced(&out);
    let kept: Vec<String> = documents(&out.join("kept"))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept, ["a1", "a2", "b2", "b3"]);
    let dropped = documents(&out.join("dropped"));
    let find = |id: &str| dropped.iter().find(|d| d["id"] == id).unwrap().clone();
    let a3 = find("a3");
    assert_eq!(a3["thresh"]["dropped_by"], "exact_dedup");
    assert_eq!(a3["thresh"]["exact_dedup"]["duplicate_of"], "a1");
    assert_eq!(a3["thresh"]["exact_dedup"]["cluster_size"], 2);
    assert_eq!(
        a3["thresh"]["reason"],
        "exact_duplicate of a1 (cluster of 2)"
    );
    assert_eq!(find("b4")["thresh"]["exact_dedup"]["duplicate_of"], "b3");
    let b1 = find("b1");
    assert_eq!(b1["thresh"]["dropped_by"], "minhash_dedup");
    assert_eq!(b1["thresh"]["minhash_dedup"]["duplicate_of"], "a1");
    let s = stats(&out);
    assert_eq!(s["barriers"]["exact_dedup"]["duplicates_removed"], 2);
    assert_eq!(s["barriers"]["exact_dedup"]["documents"], 7);
    assert_eq!(s["barriers"]["minhash_dedup"]["documents"], 5);
    assert_eq!(s["barriers"]["minhash_dedup"]["cluster_sizes"]["2"], 1);
    assert!(
        !out.join(".thresh/stage").exists(),
        "documents set aside between passes are removed at the end"
    );
}

/// Work units of three files each, so that a kill finds some finished and the passes of
/// `--files 0-2` and `3,4,5` are the whole run's units.
fn dedup_pipeline(dir: &Path) -> std::path::PathBuf {
    pipeline_with_input(
        dir,
        &["corpus"],
        "unit_files = 3",
        "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"exact_dedup\"\n\n[[step]]\ntype = \"length\"\nmin_words = 20",
        "max_docs_per_shard = 700",
    )
}

#[test]
fn dedup_output_does_not_depend_on_threads_and_survives_kill_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 12, 4000);
    let p = dedup_pipeline(tmp.path());
    let out = tmp.path().join("out");
    let run_with = |threads: &str| {
        run_threads(&p, threads);
        (shard_bytes(&out), stats(&out))
    };
    let (reference, reference_stats) = run_with("2");
    let (read, kept, dropped, _) = assert_balanced(&out);
    assert_eq!(read, 48_000);
    assert!(dropped > 20_000 && kept > 0, "the corpus repeats itself");
    assert_eq!(run_with("1").0, reference, "1 and 2 threads");

    // Kill -9 once some files are through the first pass, then resume.
    fs::remove_dir_all(&out).unwrap();
    run_and_kill(&p, &out.join(".thresh/done/pass0"), 2);
    assert!(!out.join("stats.json").exists(), "killed before the end");
    run_ok(&["run", p.to_str().unwrap(), "-q", "--threads", "2"]);
    assert_eq!(shard_bytes(&out), reference, "resumed output");
    let resumed = stats(&out);
    for key in ["read", "kept", "dropped", "errored", "steps", "barriers"] {
        assert_eq!(resumed[key], reference_stats[key], "{key}");
    }
}

#[test]
fn line_dedup_removes_lines_repeated_across_the_corpus_keeping_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    let footer = "Ähnliche Beiträge\nBildquelle: Stadtarchiv, alle Rechte vorbehalten";
    let article = |topic: &str| {
        format!("Der Stadtrat hat am Dienstag über {topic} beraten.\nDie Entscheidung fällt im Herbst.\n{footer}")
    };
    write_jsonl(
        &corpus.join("site.jsonl"),
        &[
            ("p1", article("den Radweg")),
            ("p2", article("das Hallenbad")),
            ("p3", article("die Bibliothek")),
            ("p4", footer.to_owned()),
        ],
    );
    let p = pipeline(
        tmp.path(),
        &["corpus"],
        "[[step]]\ntype = \"line_dedup\"",
        "write_dropped = true",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    assert_balanced(&out);
    let kept = documents(&out.join("kept"));
    let text = |id: &str| {
        kept.iter().find(|d| d["id"] == id).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The first page keeps everything; the others lose the footer and the repeated sentence.
    assert_eq!(text("p1"), article("den Radweg"));
    assert_eq!(
        text("p2"),
        "Der Stadtrat hat am Dienstag über das Hallenbad beraten."
    );
    assert_eq!(
        text("p3"),
        "Der Stadtrat hat am Dienstag über die Bibliothek beraten."
    );
    let dropped = documents(&out.join("dropped"));
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0]["id"], "p4");
    assert!(dropped[0]["thresh"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("too_short_after_line_dedup 0 < 1"));
    let s = stats(&out);
    let summary = &s["barriers"]["line_dedup"];
    assert_eq!(summary["units_removed"], 8);
    assert_eq!(summary["documents_changed"], 3);
    let top = summary["top_duplicated"].as_array().unwrap();
    assert_eq!(top[0]["count"], 4);
    let texts: Vec<&str> = top.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"Ähnliche Beiträge"), "{texts:?}");
    assert!(s["steps"][0]["chars_removed"].as_i64().unwrap() > 200);
}

#[test]
fn passes_run_as_separate_tasks_give_the_same_output_as_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 6, 1500);
    let p = dedup_pipeline(tmp.path());
    let out = tmp.path().join("out");
    run_threads(&p, "2");
    let reference = shard_bytes(&out);
    let reference_stats = stats(&out);
    fs::remove_dir_all(&out).unwrap();

    let part = |args: &[&str]| {
        let mut all = vec!["run", p.to_str().unwrap(), "-q"];
        all.extend_from_slice(args);
        run(&all)
    };
    // Out of order: a clear refusal, nothing done.
    let o = part(&["--pass", "1"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("pass 0 has not finished input file 0"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for files in ["0-2", "3,4,5"] {
        let o = part(&["--pass", "0", "--files", files]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(!out.join("stats.json").exists(), "not finished yet");
    let o = part(&["--pass", "1", "--files", "0"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resolve 0"));
    let o = part(&["--resolve", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for files in ["5,4,3", "0-2"] {
        let o = part(&["--pass", "1", "--files", files]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // The last part completed the run.
    assert_eq!(shard_bytes(&out), reference);
    let s = stats(&out);
    for key in ["read", "kept", "dropped", "errored", "steps", "barriers"] {
        assert_eq!(s[key], reference_stats[key], "{key}");
    }
}
