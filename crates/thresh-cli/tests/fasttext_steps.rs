//! `language` with `model = PATH` and `fasttext_classifier`, through the real binary, with tiny
//! fastText models written byte by byte here (predictions worked out by hand), and lid.176.ftz
//! when `THRESH_FASTTEXT_LID` points at it.

mod common;

use std::fs;
use std::path::Path;

use common::{documents, pipeline, run, run_ok};
use serde_json::Value;

/// A dense softmax model (format version 12), no n-grams: each word's input row is the
/// one-hot vector of its label, each label's output row 4 times its one-hot vector, so a text
/// of known words of one label scores (4, 0, …): p = e⁴ / (e⁴ + n − 1).
fn write_model(path: &Path, words: &[(&str, usize)], labels: &[&str]) {
    let dim = labels.len();
    let mut b = Vec::new();
    let i32s = |b: &mut Vec<u8>, vs: &[i32]| vs.iter().for_each(|v| b.extend(v.to_le_bytes()));
    i32s(&mut b, &[793_712_314, 12]);
    // dim ws epoch minCount neg wordNgrams loss(softmax) model(supervised) bucket minn maxn lrUpdateRate
    i32s(&mut b, &[dim as i32, 5, 5, 1, 5, 1, 3, 3, 0, 0, 0, 100]);
    b.extend(1e-4f64.to_le_bytes());
    let size = (words.len() + labels.len()) as i32;
    i32s(&mut b, &[size, words.len() as i32, labels.len() as i32]);
    b.extend(100i64.to_le_bytes());
    b.extend((-1i64).to_le_bytes());
    let entries = words.iter().map(|&(w, _)| (w, false));
    for (word, label) in entries.chain(labels.iter().map(|&l| (l, true))) {
        b.extend(word.as_bytes());
        b.push(0);
        b.extend(10i64.to_le_bytes());
        b.push(label as u8);
    }
    let matrix = |b: &mut Vec<u8>, rows: Vec<Vec<f32>>| {
        b.extend((rows.len() as i64).to_le_bytes());
        b.extend((dim as i64).to_le_bytes());
        rows.iter()
            .flatten()
            .for_each(|v| b.extend(v.to_le_bytes()));
    };
    let one_hot = |k: usize, x: f32| (0..dim).map(|d| if d == k { x } else { 0.0 }).collect();
    b.push(0);
    matrix(
        &mut b,
        words.iter().map(|&(_, k)| one_hot(k, 1.0)).collect(),
    );
    b.push(0);
    matrix(&mut b, (0..dim).map(|k| one_hot(k, 4.0)).collect());
    fs::write(path, b).unwrap();
}

/// GlotLID-shaped labels: German, English, Standard Arabic.
fn write_lid(path: &Path) {
    write_model(
        path,
        &[("der", 0), ("und", 0), ("the", 1), ("and", 1), ("في", 2)],
        &[
            "__label__deu_Latn",
            "__label__eng_Latn",
            "__label__arb_Arab",
        ],
    );
}

fn write_docs(path: &Path, docs: &[(&str, &str)]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Runs the pipeline in `dir` and returns (kept, dropped) documents by id.
fn run_pipeline(dir: &Path, steps: &str) -> (Vec<Value>, Vec<Value>) {
    let p = pipeline(dir, &["docs.jsonl"], steps, "");
    run_ok(&["run", p.to_str().unwrap(), "-q", "--overwrite"]);
    let out = dir.join("out");
    (
        documents(&out.join("kept")),
        documents(&out.join("dropped")),
    )
}

fn by_id<'a>(docs: &'a [Value], id: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {docs:?}"))
}

fn close(v: &Value, want: f64) -> bool {
    (v.as_f64().unwrap() - want).abs() < 1e-6
}

// e⁴ / (e⁴ + 2) + 1e-5 (fastText's exp(log(p + 1e-5))), and 1 / (e⁴ + 2) + 1e-5.
const BEST3: f64 = 0.964_673;
const REST3: f64 = 0.017_678;

#[test]
fn language_with_a_glotlid_shaped_model() {
    let dir = tempfile::tempdir().unwrap();
    // Relative to the pipeline file, which is run from another directory.
    fs::create_dir(dir.path().join("models")).unwrap();
    write_lid(&dir.path().join("models/lid.bin"));
    write_docs(
        &dir.path().join("docs.jsonl"),
        &[
            ("de", "der und\nder"),
            ("en", "the and"),
            ("ar", "في"),
            ("mixed", "der the"),
        ],
    );
    let (kept, dropped) = run_pipeline(
        dir.path(),
        "[[step]]\ntype = \"language\"\nmodel = \"models/lid.bin\"\nlanguages = [\"de\", \"ara\"]\n",
    );
    let de = &by_id(&kept, "de")["thresh"];
    assert_eq!(de["lang"], "de");
    assert_eq!(de["lang_detail"], "deu");
    assert_eq!(de["lang_script"], "Latn");
    assert!(close(&de["lang_score"], BEST3), "{de}");
    // The model's labels, best first (the two at 0.017678 in fastText's heap order).
    let top = de["lang_top"].as_object().unwrap();
    assert_eq!(top.keys().next().unwrap(), "deu_Latn");
    assert_eq!(top.len(), 3);
    assert!(close(&top["eng_Latn"], REST3), "{de}");
    assert!(close(&top["arb_Arab"], REST3), "{de}");
    // `ara` (the macrolanguage) selects GlotLID's `arb_Arab`.
    let ar = &by_id(&kept, "ar")["thresh"];
    assert_eq!(
        (&ar["lang"], &ar["lang_detail"]),
        (&"ar".into(), &"arb".into())
    );
    assert_eq!(ar["lang_script"], "Arab");
    assert_eq!(kept.len(), 2, "{kept:?}");
    let en = by_id(&dropped, "en");
    assert_eq!(en["thresh"]["lang"], "en");
    assert_eq!(en["thresh"]["reason"], "language en 0.96 not in [de, ara]");
    // Two labels at e² / (2e² + 1) + 1e-5 = 0.468321, German first: listed but below 0.65.
    let mixed = &by_id(&dropped, "mixed")["thresh"];
    assert!(close(&mixed["lang_score"], 0.468_321), "{mixed}");
    assert_eq!(mixed["reason"], "language_score de 0.47 <= 0.65");
}

#[test]
fn language_model_thresholds_top_pairs_and_fineweb2() {
    let dir = tempfile::tempdir().unwrap();
    write_lid(&dir.path().join("lid.bin"));
    write_docs(
        &dir.path().join("docs.jsonl"),
        &[("de", "der"), ("mixed", "der the")],
    );
    // FineWeb-2's deu_Latn threshold is 0.821; English has none, so 0.9 applies to it.
    let (kept, dropped) = run_pipeline(
        dir.path(),
        "[[step]]\ntype = \"language\"\nmodel = \"lid.bin\"\nlanguage_threshold = 0.9\n\
         per_language_threshold = \"fineweb2\"\nkeep_top_pairs_threshold = 0.4\n",
    );
    let de = &by_id(&kept, "de")["thresh"];
    assert_eq!(
        de["lang_top"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["deu_Latn"]
    );
    let mixed = &by_id(&dropped, "mixed")["thresh"];
    assert_eq!(mixed["lang_top"].as_object().unwrap().len(), 2, "{mixed}");
}

#[test]
fn language_model_errors_name_the_file_or_the_language() {
    let dir = tempfile::tempdir().unwrap();
    write_docs(&dir.path().join("docs.jsonl"), &[("a", "der")]);
    fs::write(dir.path().join("junk.bin"), b"not a model").unwrap();
    write_lid(&dir.path().join("lid.bin"));
    for (model, extra, message) in [
        (
            "missing.bin",
            "",
            "missing.bin`: cannot read the fastText model",
        ),
        (
            "junk.bin",
            "",
            "junk.bin`: not a fastText model (magic number",
        ),
        (
            "lid.bin",
            "languages = [\"fr\"]",
            "the model has no label for language `fr`",
        ),
    ] {
        let steps = format!("[[step]]\ntype = \"language\"\nmodel = \"{model}\"\n{extra}\n");
        let p = pipeline(dir.path(), &["docs.jsonl"], &steps, "");
        let o = run(&["check", p.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{model}");
        assert!(stderr.contains(message), "{model}: {stderr}");
    }
}

/// Labels hq and cc; "good" scores hq, "spam" cc: e⁴ / (e⁴ + 1) + 1e-5 = 0.982024 for the
/// word's label, 1 / (e⁴ + 1) + 1e-5 = 0.017996 for the other.
fn write_quality(path: &Path) {
    write_model(
        path,
        &[("good", 0), ("spam", 1)],
        &["__label__hq", "__label__cc"],
    );
}

#[test]
fn classifier_keeps_documents_paragraphs_and_sentences_by_label_score() {
    let dir = tempfile::tempdir().unwrap();
    write_quality(&dir.path().join("quality.bin"));
    write_docs(
        &dir.path().join("docs.jsonl"),
        &[
            ("good", "good news"),
            ("spam", "spam offer"),
            ("mixed", "good news\nspam spam\n"),
        ],
    );
    let (kept, dropped) = run_pipeline(
        dir.path(),
        "[[step]]\ntype = \"fasttext_classifier\"\nmodel = \"quality.bin\"\nkeep_labels = [\"hq\", 0.5]\n",
    );
    let good = &by_id(&kept, "good")["thresh"]["fasttext_classifier"];
    assert!(close(&good["hq"], 0.982_024), "{good}");
    assert!(close(&good["cc"], 0.017_996), "{good}");
    let spam = by_id(&dropped, "spam");
    assert_eq!(spam["text"], "spam offer");
    // The whole "mixed" document: hidden (0.5, 0.5) after "\n" is removed: a tie, 0.50001.
    let mixed = &by_id(&kept, "mixed")["thresh"]["fasttext_classifier"];
    assert!(close(&mixed["hq"], 0.500_01), "{mixed}");

    // Paragraphs: "good news\n" kept, "spam spam" removed; scores are the paragraphs' mean.
    let (kept, _) = run_pipeline(
        dir.path(),
        "[[step]]\ntype = \"fasttext_classifier\"\nname = \"q\"\nmodel = \"quality.bin\"\n\
         keep_labels = [[\"hq\", 0.5]]\nfilter_mode = \"PARAGRAPH\"\n",
    );
    let mixed = by_id(&kept, "mixed");
    assert_eq!(mixed["text"], "good news\n");
    assert!(close(&mixed["thresh"]["q"]["hq"], 0.500_01), "{mixed}");

    // Sentences (English, as datatrove splits them), removing cc. fastText splits words at
    // whitespace only: "news." and "day." are unknown, so "Good day." has no known word, no
    // prediction, and nothing removes it.
    write_docs(
        &dir.path().join("docs.jsonl"),
        &[("s", "It is good news. Buy spam now. Good day.")],
    );
    let (kept, _) = run_pipeline(
        dir.path(),
        "[[step]]\ntype = \"fasttext_classifier\"\nmodel = \"quality.bin\"\n\
         remove_labels = [\"cc\", 0.5]\nfilter_mode = \"SENTENCE\"\nsave_labels_in_metadata = false\n",
    );
    let s = by_id(&kept, "s");
    assert_eq!(s["text"], "It is good news. Good day.");
    assert!(s["thresh"].get("fasttext_classifier").is_none(), "{s}");
}

#[test]
fn classifier_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_quality(&dir.path().join("quality.bin"));
    write_docs(&dir.path().join("docs.jsonl"), &[("a", "good")]);
    for (params, message) in [
        ("", "missing key `model`"),
        (
            "model = \"quality.bin\"\nkeep_labels = [\"math\", 0.5]",
            "label `math` is not in the model; its labels: hq cc",
        ),
        (
            "model = \"quality.bin\"\nkeep_labels = [\"hq\", 0.5]\nremove_labels = [\"cc\", 0.5]",
            "not both",
        ),
        ("model = \"quality.bin\"\nfilter_mode = \"WORDS\"", "WORDS"),
    ] {
        let steps = format!("[[step]]\ntype = \"fasttext_classifier\"\n{params}\n");
        let p = pipeline(dir.path(), &["docs.jsonl"], &steps, "");
        let o = run(&["check", p.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{params}");
        assert!(stderr.contains(message), "{params}: {stderr}");
    }
}

#[test]
fn dclm_example_names_the_model_to_replace() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/dclm.toml");
    let o = run(&["check", example.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains("REPLACE-WITH-PATH-TO/openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train.bin`: cannot read the fastText model"),
        "{stderr}"
    );
}

#[test]
fn language_with_lid_176() {
    let Some(lid) = std::env::var_os("THRESH_FASTTEXT_LID") else {
        let required = std::env::var("THRESH_REQUIRE")
            .is_ok_and(|list| list.split(',').any(|s| s.trim() == "fasttext"));
        assert!(
            !required,
            "THRESH_FASTTEXT_LID is not set, and THRESH_REQUIRE says the lid.176 test must run"
        );
        eprintln!("skipped: set THRESH_FASTTEXT_LID to the path of lid.176.ftz to run this test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_docs(
        &dir.path().join("docs.jsonl"),
        &[
            (
                "de",
                "Der Verein lädt am Samstag zu seinem Sommerfest\nauf den Sportplatz ein.",
            ),
            (
                "en",
                "The ferry to the islands now runs every hour during the summer months.",
            ),
            (
                "fr",
                "Le conseil municipal a voté mardi une hausse des tarifs.",
            ),
        ],
    );
    let steps = format!(
        "[[step]]\ntype = \"language\"\nmodel = {:?}\nlanguages = [\"de\", \"en\"]\n",
        lid.to_str().unwrap()
    );
    let (kept, dropped) = run_pipeline(dir.path(), &steps);
    // Python fastText 0.9.3 on lid.176.ftz, newlines replaced by spaces: __label__de
    // 0.9969671368598938, __label__en 0.9627161026000977, __label__fr 0.9742721915245056.
    for (docs, id, score) in [
        (&kept, "de", 0.996_967_136_859_893_8),
        (&kept, "en", 0.962_716_102_600_097_7),
        (&dropped, "fr", 0.974_272_191_524_505_6),
    ] {
        let t = &by_id(docs, id)["thresh"];
        assert_eq!(t["lang"], id);
        // fastText's f32 probability, exactly (serde_json's default float parsing may be
        // one f64 ulp off, so the comparison is in f32).
        assert_eq!(
            t["lang_score"].as_f64().unwrap() as f32,
            score as f32,
            "{id}"
        );
        assert!(
            t.get("lang_script").is_none() && t.get("lang_detail").is_none(),
            "{t}"
        );
    }
}
