//! The `thresh` binary end to end: the bundled example, bad input, resume after kill -9,
//! thread-count independence and configuration errors.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::*;

#[test]
fn the_bundled_example_runs_and_accounts_for_every_document() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_example("quickstart.toml", &out);
    let (read, kept, dropped, errored) = assert_balanced(&out);
    assert_eq!(read, 38, "the example corpus has 38 documents");
    assert_eq!(errored, 0);
    assert!(kept > 0 && dropped > 0);
    // Every dropped document says which step dropped it and why.
    for doc in documents(&out.join("dropped")) {
        let t = &doc["thresh"];
        assert!(
            t["dropped_by"].is_string() && t["reason"].is_string(),
            "{doc}"
        );
        assert!(
            doc["metadata"]["kind"].is_string(),
            "metadata survives: {doc}"
        );
    }
    let kept_docs = documents(&out.join("kept"));
    assert_eq!(kept_docs.len() as u64, kept);
    // The footer lines are gone from the footer pages, the article text is not.
    let footer = kept_docs
        .iter()
        .find(|d| d["id"] == "en-footer-001")
        .expect("en-footer-001 kept");
    let text = footer["text"].as_str().unwrap();
    assert!(
        !text.to_lowercase().contains("all rights reserved"),
        "{text}"
    );
    assert!(text.len() > 500);
    // `thresh stats` prints the table.
    let o = run(&["stats", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("boilerplate_lines"));
}

#[test]
fn check_prints_the_plan() {
    let o = run_ok(&[
        "check",
        examples_dir().join("quickstart.toml").to_str().unwrap(),
    ]);
    let plan = String::from_utf8_lossy(&o.stdout);
    assert!(plan.contains("input: 2 files"), "{plan}");
    assert!(
        plan.contains("work units: 1 (consecutive files up to 33.6 MB or 10000 files"),
        "{plan}"
    );
    assert!(plan.contains("4. length (length) min_words = 50"), "{plan}");
}

/// One directory with every kind of bad input next to a good file.
fn bad_inputs(dir: &Path) {
    let data = dir.join("data");
    fs::create_dir_all(&data).unwrap();
    fs::write(
        data.join("a-mixed.jsonl"),
        concat!(
            "{\"id\":\"ok1\",\"text\":\"good document one\"}\n",
            "{\"id\":\"broken\",\"text\":\"unterminated\n",
            "{\"id\":\"notext\",\"body\":\"no text field\"}\n",
            "{\"id\":\"number\",\"text\":42}\n",
            "\n",
            "{\"id\":\"ok2\",\"text\":\"good document two\"}\n",
        ),
    )
    .unwrap();
    let mut invalid_utf8 = b"{\"id\":\"latin1\",\"text\":\"caf".to_vec();
    invalid_utf8.extend_from_slice(b"\xe9\"}\n{\"id\":\"ok3\",\"text\":\"fine\"}\n");
    fs::write(data.join("b-utf8.jsonl"), invalid_utf8).unwrap();
    // A gzip stream cut in the middle: the first records survive, then an error.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(
            gz,
            "{{\"id\":\"gz{i}\",\"text\":\"gzip record number {i} with some words\"}}"
        )
        .unwrap();
    }
    let gz = gz.finish().unwrap();
    fs::write(data.join("c-truncated.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    // Four zstd frames back to back (as parallel compressors write them), cut in the third.
    let mut zst = Vec::new();
    for frame in 0..4 {
        let mut enc = zstd::stream::write::Encoder::new(&mut zst, 3).unwrap();
        for i in 0..500 {
            writeln!(
                enc,
                "{{\"id\":\"zs{}\",\"text\":\"zstd record number {i}\"}}",
                frame * 500 + i
            )
            .unwrap();
        }
        enc.finish().unwrap();
    }
    fs::write(
        data.join("d-truncated.jsonl.zst"),
        &zst[..zst.len() * 5 / 8],
    )
    .unwrap();
    fs::write(data.join("e-empty.jsonl"), b"").unwrap();
    // One 100 MB document: over the default 64 MiB record limit.
    let mut big = fs::File::create(data.join("f-huge.jsonl")).unwrap();
    big.write_all(b"{\"id\":\"huge\",\"text\":\"").unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        big.write_all(&chunk).unwrap();
    }
    big.write_all(b"\"}\n{\"id\":\"after-huge\",\"text\":\"still read\"}\n")
        .unwrap();
}

#[test]
fn bad_input_becomes_error_records_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    bad_inputs(tmp.path());
    let p = pipeline(tmp.path(), &["data"], "", "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let (read, kept, _, errored) = assert_balanced(&out);
    let errors = errors(&out);
    assert_eq!(errors.len() as u64, errored);
    let find = |file: &str, needle: &str| {
        errors
            .iter()
            .find(|e| e["file"] == file && e["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no error for {file} containing {needle:?} in {errors:?}"))
            .clone()
    };
    // Line numbers are 1-based, offsets count uncompressed bytes before the record: line 1,
    // {"id":"ok1","text":"good document one"}, is 39 bytes plus its newline, so line 2 is at 40.
    let broken = find("data/a-mixed.jsonl", "invalid JSON");
    assert_eq!(
        (broken["line"].as_u64(), broken["offset"].as_u64()),
        (Some(2), Some(40))
    );
    assert_eq!(
        find("data/a-mixed.jsonl", "missing field `text`")["line"],
        3
    );
    assert_eq!(
        find("data/a-mixed.jsonl", "is a number, not a string")["line"],
        4
    );
    assert_eq!(find("data/b-utf8.jsonl", "invalid")["line"], 1);
    find("data/c-truncated.jsonl.gz", "truncated or corrupt");
    find("data/d-truncated.jsonl.zst", "truncated or corrupt");
    find("data/e-empty.jsonl", "empty file");
    assert_eq!(
        find("data/f-huge.jsonl", "exceeds max_record_bytes")["line"],
        1
    );
    let ids: Vec<String> = documents(&out.join("kept"))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    for id in ["ok1", "ok2", "ok3", "gz0", "zs0", "after-huge"] {
        assert!(ids.contains(&id.to_string()), "{id} missing");
    }
    assert_eq!(kept as usize, ids.len());
    assert!(read > 1000);

    // --strict: the same input fails the run with a non-zero exit and names the record.
    let o = run(&["run", p.to_str().unwrap(), "-q", "--strict", "--overwrite"]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("--strict: data/a-mixed.jsonl line 2"),
        "{stderr}"
    );
}

fn run_corpus(dir: &Path, threads: &str) -> std::path::PathBuf {
    // Work units of three files: 12 files are four units.
    let p = pipeline_with_input(
        dir,
        &["corpus"],
        "unit_files = 3\nunit_bytes = 1000000000",
        "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"length\"\nmin_words = 20",
        "max_docs_per_shard = 700",
    );
    run_threads(&p, threads);
    dir.join("out")
}

#[test]
fn output_is_byte_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 3, 3000);
    let one = shard_bytes(&run_corpus(tmp.path(), "1"));
    let (read, ..) = assert_balanced(&tmp.path().join("out"));
    assert_eq!(read, 9000);
    let two = shard_bytes(&run_corpus(tmp.path(), "2"));
    assert!(one.len() > 6, "several shards per file: {}", one.len());
    assert_eq!(one, two);
}

#[test]
fn a_run_killed_mid_way_resumes_to_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 12, 20000);
    let reference = shard_bytes(&run_corpus(tmp.path(), "2"));
    let reference_stats = stats(&tmp.path().join("out"));
    fs::remove_dir_all(tmp.path().join("out")).unwrap();

    // Start, wait until some units are finished, kill -9.
    let p = tmp.path().join("pipeline.toml");
    let done_dir = tmp.path().join("out/.thresh/done");
    run_and_kill(&p, &done_dir, 2);
    let finished = markers(&done_dir);
    assert!(
        finished < 4,
        "the run was killed before finishing ({finished} of 4 units done)"
    );
    assert!(!tmp.path().join("out/stats.json").exists());

    run_ok(&["run", p.to_str().unwrap(), "-q", "--threads", "2"]);
    let resumed_stats = stats(&tmp.path().join("out"));
    assert_eq!(shard_bytes(&tmp.path().join("out")), reference);
    for key in [
        "read",
        "kept",
        "errored",
        "dropped",
        "chars_in",
        "chars_out",
        "steps",
    ] {
        assert_eq!(resumed_stats[key], reference_stats[key], "{key}");
    }
    assert_eq!(
        resumed_stats["files"]["resumed"].as_u64().unwrap(),
        3 * finished as u64
    );
    // Shards are named by unit: the first file of each.
    let units: std::collections::BTreeSet<String> = reference
        .iter()
        .map(|(name, _)| Path::new(name).file_name().unwrap().to_string_lossy()[..5].to_owned())
        .collect();
    assert_eq!(
        units.into_iter().collect::<Vec<_>>(),
        ["00000", "00003", "00006", "00009"]
    );
    // No temporary files are left anywhere.
    let leftovers: Vec<_> = shard_files(&tmp.path().join("out"))
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn configuration_errors_are_clear_and_fail_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 1, 10);
    let cases = [
        (
            "[[step]]\ntype = \"lenght\"",
            "unknown step type `lenght`",
            "did you mean `length`?",
        ),
        (
            "[[step]]\ntype = \"length\"\nmin_word = 3",
            "unknown key `min_word`",
            "did you mean `min_words`?",
        ),
        (
            "[[step]]\ntype = \"regex\"\npatterns = [\"(\"]",
            "bad pattern",
            "regex",
        ),
    ];
    for (steps, a, b) in cases {
        let p = pipeline(tmp.path(), &["corpus"], steps, "");
        let o = run(&["run", p.to_str().unwrap(), "-q"]);
        assert_eq!(o.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(a) && stderr.contains(b), "{stderr}");
        assert!(
            !tmp.path().join("out").exists(),
            "nothing written for a bad config"
        );
    }
    let p = pipeline(tmp.path(), &["corpus"], "", "compresion = \"gzip\"");
    let stderr = String::from_utf8_lossy(&run(&["check", p.to_str().unwrap()]).stderr).into_owned();
    assert!(
        stderr.contains("unknown key `compresion` in [output]")
            && stderr.contains("did you mean `compression`?"),
        "{stderr}"
    );
}

#[test]
fn a_different_pipeline_does_not_clobber_an_existing_output() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 1, 50);
    run_corpus(tmp.path(), "1");
    let p = pipeline(
        tmp.path(),
        &["corpus"],
        "[[step]]\ntype = \"length\"\nmin_words = 5",
        "",
    );
    let o = run(&["run", p.to_str().unwrap(), "-q"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--overwrite"));
    let o = run(&["run", p.to_str().unwrap(), "-q", "--overwrite"]);
    assert!(o.status.success());
}

#[test]
fn compressed_inputs_custom_fields_and_gzip_output() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("in");
    fs::create_dir_all(&data).unwrap();
    let line = "{\"content\":\"Ein kurzer Text.\",\"url\":\"https://e.org\"}\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(line.as_bytes()).unwrap();
    fs::write(data.join("x.jsonl.gz"), gz.finish().unwrap()).unwrap();
    fs::write(
        data.join("y.jsonl.zst"),
        zstd::encode_all(line.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let text = "[input]\npaths = [\"in/*.jsonl.*\"]\ntext_field = \"content\"\n[output]\npath = \"out\"\ncompression = \"gzip\"\n";
    fs::write(tmp.path().join("p.toml"), text).unwrap();
    run_ok(&["run", tmp.path().join("p.toml").to_str().unwrap(), "-q"]);
    let kept = shard_files(&tmp.path().join("out/kept"));
    assert!(kept
        .iter()
        .all(|f| f.to_string_lossy().ends_with(".jsonl.gz")));
    let docs = documents(&tmp.path().join("out/kept"));
    assert_eq!(docs.len(), 2);
    assert_eq!(
        docs[0]["id"], "in/x.jsonl.gz:1",
        "derived id: file name and line"
    );
    assert_eq!(docs[0]["text"], "Ein kurzer Text.");
    assert_eq!(docs[0]["url"], "https://e.org");
}

#[test]
fn quality_steps_run_in_a_pipeline_with_datatrove_reasons_and_signals() {
    let tmp = tempfile::tempdir().unwrap();
    let data = examples_dir().join("data");
    let steps = "[[step]]\ntype = \"gopher_repetition\"\nmode = \"annotate\"\n\n\
                 [[step]]\ntype = \"fineweb_quality\"\nmode = \"annotate\"\n\n\
                 [[step]]\ntype = \"gopher_quality\"\n\n\
                 [[step]]\ntype = \"c4_quality\"";
    let p = pipeline(tmp.path(), &[data.to_str().unwrap()], steps, "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let (read, ..) = assert_balanced(&out);
    assert_eq!(read, 38);
    let dropped = documents(&out.join("dropped"));
    // With datatrove's defaults the stop words are English: a clean German article fails them.
    let german = dropped
        .iter()
        .find(|d| d["id"] == "de-news-001")
        .expect("de-news-001 dropped");
    assert_eq!(german["thresh"]["dropped_by"], "gopher_quality");
    assert!(
        german["thresh"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("gopher_enough_stop_words 0 < 2"),
        "{german}"
    );
    // Annotate-mode steps recorded their signals on every document that reached them.
    let kept = documents(&out.join("kept"));
    assert!(!kept.is_empty());
    for doc in kept.iter().chain(&dropped) {
        assert!(
            doc["thresh"]["gopher_repetition"]["dup_line_frac"].is_number(),
            "{doc}"
        );
    }
    // C4 rewrote the kept texts: every line ends in terminal punctuation.
    for doc in &kept {
        for line in doc["text"].as_str().unwrap().lines() {
            assert!(line.ends_with(['.', '?', '!', '"', '\'']), "{line:?}");
        }
    }
}

#[test]
fn explain_shows_every_step_its_signals_removed_lines_and_the_decision() {
    let tmp = tempfile::tempdir().unwrap();
    let steps = "[[step]]\ntype = \"normalize\"\n\n\
                 [[step]]\ntype = \"gopher_repetition\"\nlanguage = \"de\"\nmode = \"annotate\"\n\n\
                 [[step]]\ntype = \"c4_quality\"\nlanguage = \"de\"\n\n\
                 [[step]]\ntype = \"gopher_quality\"\nlanguage = \"de\"\npreset = \"datatrove\"";
    let p = pipeline(tmp.path(), &["unused"], steps, "");
    // The team's own keyword-stuffed German article, ending in three footer lines; with
    // datatrove's behaviour (English stop words) gopher_quality drops it.
    let article =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/de-stuffed-own.txt");
    let o = run_ok(&["explain", p.to_str().unwrap(), article.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    for expected in [
        "1. normalize (normalize)  keep",
        "top_2_gram",
        "fails when > 0.2",
        "removed: Ähnliche Beiträge, die Sie interessieren könnten",
        "removed: Beitragsbild: Von Wasserfreund",
        "DROP: gopher_enough_stop_words 0 < 2",
        "dropped by gopher_quality: gopher_enough_stop_words 0 < 2",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let o = run(&[
        "explain",
        p.to_str().unwrap(),
        article.to_str().unwrap(),
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["decided_by"], "gopher_quality");
    assert_eq!(json["steps"].as_array().unwrap().len(), 4);
    assert_eq!(json["steps"][2]["verdict"], "keep");
    assert_eq!(json["steps"][3]["verdict"], "drop");
    // A JSON Lines file: the record chosen by id.
    let o = run(&[
        "explain",
        p.to_str().unwrap(),
        examples_dir()
            .join("data/news-mixed.jsonl")
            .to_str()
            .unwrap(),
        "--id",
        "de-news-001",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["id"], "de-news-001");
    let o = run(&[
        "explain",
        p.to_str().unwrap(),
        article.to_str().unwrap(),
        "--id",
        "nope",
    ]);
    assert!(
        o.status.success(),
        "a .txt file is one document whatever the id"
    );
    let o = run(&[
        "explain",
        p.to_str().unwrap(),
        examples_dir()
            .join("data/news-mixed.jsonl")
            .to_str()
            .unwrap(),
        "--id",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no document with id `nope`"));
}

#[test]
fn our_keyword_stuffed_german_article_is_flagged_with_its_sentence_and_loses_its_footer() {
    let tmp = tempfile::tempdir().unwrap();
    let steps = "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"footer_lines\"\n\n[[step]]\ntype = \"stuffing\"";
    let p = pipeline(tmp.path(), &["unused"], steps, "");
    let article =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/de-stuffed-own.txt");
    let o = run_ok(&[
        "explain",
        p.to_str().unwrap(),
        article.to_str().unwrap(),
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let footer = &json["steps"][1];
    assert_eq!(footer["name"], "footer_lines");
    let removed: Vec<&str> = footer["removed_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(removed.len(), 3, "{removed:?}");
    assert!(removed[0].starts_with("Ähnliche Beiträge"));
    assert!(removed[1].starts_with("Bildquelle:"));
    assert!(removed[2].contains("CC BY-SA 4.0"));
    // The article itself is untouched: every paragraph but the footer survives.
    assert!(footer["chars_after"].as_u64().unwrap() > 1500);
    assert_eq!(json["decided_by"], "stuffing");
    assert_eq!(
        json["reason"],
        "sentence_paragraphs 4 > 3: \"Hallenbad am Stadtpark öffnet im Oktober wieder\""
    );
}

#[test]
fn german_articles_are_judged_by_german_stop_words_by_default_and_english_ones_in_compat() {
    let tmp = tempfile::tempdir().unwrap();
    let data = examples_dir().join("data/news-mixed.jsonl");
    let decide = |preset: &str| {
        let steps = format!("[[step]]\ntype = \"gopher_quality\"\nlanguage = \"de\"\n{preset}");
        let p = pipeline(tmp.path(), &[data.to_str().unwrap()], &steps, "");
        let o = run_ok(&[
            "explain",
            p.to_str().unwrap(),
            data.to_str().unwrap(),
            "--id",
            "de-news-001",
            "--json",
        ]);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    // Default: FineWeb-2's German settings, German stop words: a clean article is kept.
    let json = decide("");
    assert_eq!(json["decided_by"], serde_json::Value::Null, "{json}");
    assert_eq!(json["steps"][0]["signals"]["preset"], "fineweb2:deu_Latn");
    // preset = "datatrove" reproduces datatrove: English stop words, dropped.
    let json = decide("preset = \"datatrove\"");
    assert_eq!(json["reason"], "gopher_enough_stop_words 0 < 2");
}

#[test]
fn the_recommended_pipeline_keeps_the_clean_articles_and_drops_the_problem_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_example("recommended.toml", &out);
    assert_balanced(&out);
    let kind = |d: &serde_json::Value| d["metadata"]["kind"].as_str().unwrap().to_owned();
    for doc in documents(&out.join("kept")) {
        assert!(
            ![
                "near-empty",
                "keyword-stuffed",
                "lorem-ipsum",
                "repeated-lines"
            ]
            .contains(&kind(&doc).as_str()),
            "kept {}",
            doc["id"]
        );
    }
    let dropped = documents(&out.join("dropped"));
    for doc in &dropped {
        assert_ne!(kind(doc), "clean", "a clean article was dropped: {doc}");
    }
    let stuffed = dropped
        .iter()
        .find(|d| d["id"] == "de-stuffed-001")
        .expect("de-stuffed-001 dropped");
    assert_eq!(
        stuffed["thresh"]["reason"],
        "sentence_paragraphs 4 > 3: \"Stadtrat beschließt neues Radwegenetz für Leipzig\""
    );
    // Of each duplicate pair the first copy stays.
    let by = |id: &str| {
        dropped
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["thresh"]["dropped_by"].as_str().unwrap().to_owned())
    };
    assert_eq!(by("de-dup-002").as_deref(), Some("exact_dedup"));
    assert_eq!(by("en-neardup-002").as_deref(), Some("minhash_dedup"));
    assert_eq!(by("de-dup-001"), None);
    assert_eq!(by("en-neardup-001"), None);
}

/// `thresh explain --json` of `article` through `pipeline`.
fn explain_json(pipeline: &Path, article: &Path) -> serde_json::Value {
    let o = run_ok(&[
        "explain",
        pipeline.to_str().unwrap(),
        article.to_str().unwrap(),
        "--json",
    ]);
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `thresh explain --json` of `article` through the recommended pipeline, as it ships.
fn explain_recommended(article: &Path) -> serde_json::Value {
    explain_json(&examples_dir().join("recommended.toml"), article)
}

fn trace_step(json: &serde_json::Value, name: &str) -> serde_json::Value {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no step {name} in {json}"))
}

/// The recommended pipeline on a keyword-stuffed German article given as plain text (no
/// metadata): identified as German, German stop words, footer removed, flagged for stuffing
/// with the repeated sentence named.
fn assert_stuffed_german_article(article: &Path, footer: &[&str], sentence: &str) {
    let json = explain_recommended(article);
    let language = trace_step(&json, "language");
    assert_eq!(language["signals"]["lang"], "de", "{language}");
    assert!(language["signals"]["lang_score"].as_f64().unwrap() > 0.9);
    let removed: Vec<String> = trace_step(&json, "footer_lines")["removed_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(removed.len(), footer.len(), "{removed:?}");
    for (line, start) in removed.iter().zip(footer) {
        assert!(line.starts_with(start), "{line:?} is not {start:?}…");
    }
    let quality = trace_step(&json, "gopher_quality");
    assert_eq!(
        quality["verdict"], "keep",
        "German stop words, not English ones"
    );
    assert_eq!(quality["signals"]["preset"], "fineweb2:deu_Latn");
    assert_eq!(json["decided_by"], "stuffing");
    let reason = json["reason"].as_str().unwrap();
    assert!(reason.contains(sentence), "{reason}");
}

#[test]
fn the_recommended_pipeline_identifies_and_flags_our_own_stuffed_german_article() {
    let article =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/de-stuffed-own.txt");
    assert_stuffed_german_article(
        &article,
        &["Ähnliche Beiträge", "Bildquelle:", "Beitragsbild:"],
        "Hallenbad am Stadtpark öffnet im Oktober wieder",
    );
}

#[test]
fn the_shared_german_fixture_is_handled_by_the_recommended_pipeline() {
    let Some(fixture) = shared("fixtures/de-keyword-stuffed.txt") else {
        return;
    };
    let json = explain_recommended(&fixture);
    let removed = trace_step(&json, "footer_lines")["removed_lines"].clone();
    let footer: Vec<String> = removed
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().chars().take(12).collect())
        .collect();
    let footer: Vec<&str> = footer.iter().map(String::as_str).collect();
    assert_eq!(footer.len(), 3, "{removed}");
    assert_stuffed_german_article(
        &fixture,
        &footer,
        "US-Militär nimmt Operationen gegen ISIS im Irak",
    );
}

#[test]
fn kept_documents_can_be_routed_into_one_directory_per_language() {
    let tmp = tempfile::tempdir().unwrap();
    let data = examples_dir().join("data");
    let steps = "[[step]]\ntype = \"metadata_language\"\nfield = \"lang_hint\"";
    let p = pipeline(
        tmp.path(),
        &[data.to_str().unwrap()],
        steps,
        "partition_by = \"lang\"",
    );
    let one = |threads: &str| {
        run_threads(&p, threads);
        shard_bytes(&tmp.path().join("out"))
    };
    let shards = one("1");
    let kept = tmp.path().join("out/kept");
    for lang in ["de", "en", "fr", "es"] {
        let docs = documents(&kept.join(lang));
        assert!(!docs.is_empty(), "no kept/{lang}/");
        assert!(docs.iter().all(|d| d["thresh"]["lang"] == lang), "{lang}");
    }
    assert_eq!(
        documents(&kept).len(),
        38,
        "every document is under some language"
    );
    assert_eq!(
        one("2"),
        shards,
        "the same shards whatever the thread count"
    );
}

#[test]
fn the_language_step_identifies_documents_without_metadata_and_routes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let extra = tmp.path().join("more.jsonl");
    let lines = [
        r#"{"id":"ru-1","text":"Городская библиотека снова открылась в понедельник после ремонта, который продолжался почти год."}"#,
        r#"{"id":"ja-1","text":"市立図書館は約一年の改修工事を終えて、月曜日に再開しました。"}"#,
        r#"{"id":"km-1","text":"បណ្ណាល័យក្រុងបានបើកឡើងវិញនៅថ្ងៃច័ន្ទ"}"#,
        r#"{"id":"num-1","text":"2024-06-01 12:00 | 3.141 | 42 %"}"#,
    ];
    fs::write(&extra, lines.join("\n") + "\n").unwrap();
    let data = examples_dir().join("data");
    let p = pipeline(
        tmp.path(),
        &[data.to_str().unwrap(), extra.to_str().unwrap()],
        "[[step]]\ntype = \"language\"",
        "partition_by = \"lang\"\nwrite_dropped = true",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let kept = documents(&out.join("kept"));
    assert_eq!(kept.len(), 40, "38 examples + ru + ja");
    for doc in &kept {
        let t = &doc["thresh"];
        let expected = match doc["id"].as_str().unwrap() {
            "ru-1" => "ru",
            "ja-1" => "ja",
            // Lorem ipsum is pseudo-Latin.
            "en-lorem-001" => "la",
            _ => doc["metadata"]["lang_hint"].as_str().unwrap(),
        };
        assert_eq!(t["lang"], expected, "{}", doc["id"]);
        assert!(t["lang_score"].as_f64().unwrap() > 0.65);
        let top = t["lang_top"].as_object().unwrap();
        assert!((1..=3).contains(&top.len()) && top.contains_key(expected));
        let dir = out.join("kept").join(expected);
        assert!(
            documents(&dir).iter().any(|d| d["id"] == doc["id"]),
            "{} not under kept/{expected}/",
            doc["id"]
        );
    }
    assert_eq!(kept[0]["thresh"]["lang_script"], "Latn");
    let dropped = documents(&out.join("dropped"));
    let ids: Vec<&str> = dropped.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    for doc in &dropped {
        assert_eq!(doc["thresh"]["lang"], "und");
        assert!(doc["thresh"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("language_score und 0.00"));
    }
    assert_balanced(&out);

    // Keeping only German, named as datatrove names it.
    let p = pipeline(
        tmp.path(),
        &[data.to_str().unwrap()],
        "[[step]]\ntype = \"language\"\nlanguages = [\"deu\"]",
        "write_dropped = true",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q", "--overwrite"]);
    let kept = documents(&out.join("kept"));
    assert_eq!(kept.len(), 12);
    assert!(kept.iter().all(|d| d["thresh"]["lang"] == "de"));
    let dropped = documents(&out.join("dropped"));
    assert_eq!(dropped.len(), 26);
    assert!(dropped.iter().all(|d| d["thresh"]["reason"]
        .as_str()
        .unwrap()
        .ends_with("not in [de]")));
}

#[test]
fn a_gzip_warc_is_read_as_one_document_per_html_response() {
    let tmp = tempfile::tempdir().unwrap();
    let http = "Content-Type: application/http; msgtype=response\r\n";
    let latin1 =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Stra\xdfe</p>";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("<p>Grüße aus Köln</p>".as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let mut chunked = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    chunked.extend_from_slice(&body);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let mut file = warc_preamble("/");
    file.extend(warc_member("response", "latin1", http, latin1));
    file.extend(warc_member(
        "response",
        "png",
        http,
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
    ));
    file.extend(warc_member("response", "chunked", http, &chunked));
    // Stored de-chunked under a kept header: read as it is, and said so (as warcio reads it).
    file.extend(warc_member("response", "dechunked", http, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n<p>Hallo</p>"));
    // A compressed payload that yields nothing: an error record.
    file.extend(warc_member("response", "broken", http, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00\x00"));
    fs::write(tmp.path().join("crawl.warc.gz"), &file).unwrap();
    let p = pipeline(tmp.path(), &["crawl.warc.gz"], "", "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let docs = documents(&out.join("kept"));
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "<urn:uuid:latin1>",
            "<urn:uuid:chunked>",
            "<urn:uuid:dechunked>"
        ]
    );
    assert_eq!(docs[2]["text"], "<p>Hallo</p>");
    assert!(docs[2]["metadata"]["payload_note"]
        .as_str()
        .unwrap()
        .contains("no chunk size"));
    assert!(docs[1]["metadata"].get("payload_note").is_none());
    assert_eq!(docs[0]["text"], "<p>Straße</p>");
    assert_eq!(docs[1]["text"], "<p>Grüße aus Köln</p>");
    assert_eq!(docs[1]["metadata"]["url"], "https://example.org/chunked");
    assert_eq!(docs[1]["metadata"]["date"], "2024-05-01T10:00:00Z");
    assert_eq!(docs[1]["metadata"]["status"], 200);
    let errs = errors(&out);
    assert_eq!(errs.len(), 1);
    assert!(errs[0]["message"]
        .as_str()
        .unwrap()
        .contains("gzip payload"));
    assert!(errs[0]["offset"].as_u64().unwrap() > 0);
    let s = stats(&out);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["kept"].as_u64(),
            s["errored"].as_u64()
        ),
        (Some(4), Some(3), Some(1))
    );
    assert_eq!(s["skipped"]["request"], 1);
    assert_eq!(s["skipped"]["warcinfo"], 1);
    assert_eq!(s["skipped"]["response image/png"], 1);
}

#[test]
fn saved_html_pages_are_one_document_each_named_by_their_relative_path() {
    let tmp = tempfile::tempdir().unwrap();
    let pages = tmp.path().join("pages");
    fs::create_dir_all(pages.join("de")).unwrap();
    fs::write(
        pages.join("de/koeln.html"),
        b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Gr\xfc\xdfe aus K\xf6ln</p></body></html>",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("<html><body><p>Hello from Leeds</p></body></html>".as_bytes())
        .unwrap();
    fs::write(pages.join("leeds.htm.gz"), gz.finish().unwrap()).unwrap();
    fs::write(pages.join("notes.txt"), "not a page").unwrap();
    let p = pipeline(tmp.path(), &["pages"], "", "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let docs = documents(&tmp.path().join("out/kept"));
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["de/koeln.html", "leeds.htm.gz"]);
    assert!(docs[0]["text"].as_str().unwrap().contains("Grüße aus Köln"));
    assert_eq!(docs[0]["metadata"]["charset"], "windows-1252");
    assert!(docs[1]["text"]
        .as_str()
        .unwrap()
        .contains("Hello from Leeds"));
    assert_balanced(&tmp.path().join("out"));
}

/// An input folder with a link to its parent (and a second link to a file): every document
/// is read once (a loop once read each file 41 times).
#[cfg(unix)]
#[test]
fn a_symlink_loop_in_an_input_folder_reads_every_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write_corpus(&input, 3, 20);
    fs::create_dir_all(input.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", input.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("part-000.jsonl", input.join("same.jsonl")).unwrap();
    let p = pipeline(dir.path(), &["in", "in/**/*.jsonl"], "", "");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = dir.path().join("out");
    let (read, kept, _, errored) = assert_balanced(&out);
    assert_eq!((read, kept, errored), (60, 60, 0));
    let mut ids: Vec<String> = documents(&out.join("kept"))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60);
}

/// `explain` goes past the deciding step: on our own stuffed article, with a step before
/// `stuffing` that drops it first, the stuffing step still says what it would have decided,
/// naming the repeated headline.
#[test]
fn explain_shows_what_every_step_after_the_deciding_one_would_have_said() {
    let tmp = tempfile::tempdir().unwrap();
    let article =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/de-stuffed-own.txt");
    let steps = "[[step]]\ntype = \"length\"\nmin_words = 100000\n\n[[step]]\ntype = \"language\"\n\n[[step]]\ntype = \"stuffing\"\n\n[[step]]\ntype = \"fineweb_quality\"\npreset = \"fineweb2\"";
    let p = pipeline(tmp.path(), &["unused"], steps, "");
    let json = explain_json(&p, &article);
    assert_eq!(json["decided_by"], "length");
    let length = trace_step(&json, "length");
    assert_eq!(
        (&length["decided"], &length["after_decision"]),
        (&true.into(), &false.into())
    );
    let stuffing = trace_step(&json, "stuffing");
    assert_eq!(stuffing["after_decision"], true);
    assert_eq!(stuffing["decided"], false);
    assert_eq!(stuffing["verdict"], "drop", "{stuffing}");
    assert!(stuffing["reason"]
        .as_str()
        .unwrap()
        .contains("Hallenbad am Stadtpark öffnet im Oktober wieder"));
    // The terminal form marks both, and shows FineWeb-2's disabled short-line check as off.
    let o = run_ok(&["explain", p.to_str().unwrap(), article.to_str().unwrap()]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("← decided here"), "{text}");
    assert!(text.contains("would drop: sentence_paragraphs"), "{text}");
    let short = text
        .lines()
        .find(|l| l.trim_start().starts_with("short_line_ratio"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(short.trim_end().ends_with(" off"), "{short}");
    assert!(!text.contains("fails when > 999"), "{text}");
}

/// Two runs started on one output: the second says the output is in use and by which process;
/// once the first has ended (here: killed), the next run is not blocked and finishes the work.
#[test]
fn a_second_run_on_an_output_in_use_names_the_other_process() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_corpus(&input, 3000, 3);
    let p = pipeline_with_input(tmp.path(), &["in"], "unit_files = 100", "", "");
    let mut first = spawn_run(&p, "1");
    wait_for_markers(&tmp.path().join("out/.thresh/done"), 1);
    let second = run(&["run", p.to_str().unwrap(), "-q"]);
    let still_running = first.try_wait().unwrap().is_none();
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        still_running,
        "the first run ended before the second started"
    );
    assert!(!second.status.success());
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(
        message.contains("in use by another thresh run")
            && message.contains(&format!("pid {}", first.id())),
        "{message}"
    );
    // The killed run's lock is gone with it.
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let (read, kept, _, _) = assert_balanced(&tmp.path().join("out"));
    assert_eq!((read, kept), (9000, 9000));
}

/// `explain` reads what a run reads: a web-archive document by its WARC-Record-ID (with or
/// without angle brackets), a row of a Parquet file, a saved page found in a folder.
#[test]
fn explain_reads_any_input_a_run_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let http = "Content-Type: application/http; msgtype=response\r\n";
    let page = |title: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><article><h1>{title}</h1><p>The council met on Tuesday to discuss the budget for the new swimming pool in the park, which opens in October.</p><p>Work on the roof is almost finished, the mayor said.</p></article></body></html>"
        )
    };
    let mut warc = warc_preamble("/one");
    warc.extend(warc_member(
        "response",
        "one",
        http,
        page("First report").as_bytes(),
    ));
    warc.extend(warc_member(
        "response",
        "two",
        http,
        page("Second report").as_bytes(),
    ));
    let crawl = tmp.path().join("crawl.warc.gz");
    fs::write(&crawl, warc).unwrap();
    let steps = "[[step]]\ntype = \"html_extract\"\n\n[[step]]\ntype = \"length\"\nmin_words = 5";
    let p = pipeline(
        tmp.path(),
        &["crawl.warc.gz"],
        steps,
        "format = \"parquet\"",
    );
    let explain = |file: &Path, id: &str| {
        let o = run(&[
            "explain",
            p.to_str().unwrap(),
            file.to_str().unwrap(),
            "--id",
            id,
            "--json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    for id in ["<urn:uuid:two>", "urn:uuid:two"] {
        let json = explain(&crawl, id);
        assert_eq!(json["id"], "<urn:uuid:two>");
        assert_eq!(json["steps"][0]["name"], "html_extract");
        assert!(
            json["text"].as_str().unwrap().contains("Second report"),
            "{json}"
        );
    }
    let o = run(&[
        "explain",
        p.to_str().unwrap(),
        crawl.to_str().unwrap(),
        "--id",
        "three",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let message = String::from_utf8_lossy(&o.stderr);
    assert!(message.contains("among the 2 documents"), "{message}");

    // A row of the run's Parquet output.
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let parquet = shard_files(&tmp.path().join("out/kept"))
        .into_iter()
        .find(|f| f.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let json = explain(&parquet, "<urn:uuid:one>");
    assert!(
        json["text"].as_str().unwrap().starts_with("First report"),
        "{json}"
    );

    // A saved page in a folder, by the path a run names it with.
    let site = tmp.path().join("site/news");
    fs::create_dir_all(&site).unwrap();
    fs::write(
        site.join("a.html"),
        page("Third report").split("\r\n\r\n").nth(1).unwrap(),
    )
    .unwrap();
    let json = explain(&tmp.path().join("site"), "news/a.html");
    assert!(
        json["text"].as_str().unwrap().contains("Third report"),
        "{json}"
    );
}
