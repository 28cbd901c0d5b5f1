//! Tests of the pure-Rust fastText reader and predictor: hashing and n-grams worked out by
//! hand, tiny models written here in fastText's binary format with predictions worked out by
//! hand, corrupt files (never a panic), and — when `THRESH_FASTTEXT_LID` points at
//! `lid.176.ftz` — a few real sentences. Bit-for-bit parity with Python fastText on thousands
//! of lines is checked by `scripts/parity_fasttext.py`; the hand-worked predictions below were
//! also confirmed with Python fastText 0.9.2 on the same bytes (ties and the ova value above 1
//! included).

use std::sync::Arc;

use thresh_langid::fasttext::{char_ngrams, hash, FastText, FastTextError, LossName, Scratch};

// ---------------------------------------------------------------------------------------------
// Hashing, n-grams

#[test]
fn hash_is_fnv1a_with_sign_extended_bytes() {
    // Offset basis alone.
    assert_eq!(hash(b""), 2_166_136_261);
    // 0x811c9dc5 ^ 0x61 = 0x811c9da4; * 16777619 = 0xe40c292c (plain FNV-1a of "a": ASCII
    // bytes are the same signed or not).
    assert_eq!(hash(b"a"), 0xe40c_292c);
    // "é" = c3 a9, each byte sign-extended:
    // 0x811c9dc5 ^ 0xffffffc3 = 0x7ee36206; * 16777619 = 0xc5f34f72
    // 0xc5f34f72 ^ 0xffffffa9 = 0x3a0cb0db; * 16777619 = 0x3cfa68c1
    assert_eq!(hash("é".as_bytes()), 0x3cfa_68c1);
    // Plain FNV-1a (unsigned bytes) would give 0x1e9de8c1.
    assert_ne!(hash("é".as_bytes()), 0x1e9d_e8c1);
}

#[test]
fn char_ngrams_follow_fasttext_order_and_skip_lone_brackets() {
    // "<ab>": from '<': "<a" "<ab" (the lone "<" is skipped); from 'a': "a" "ab" "ab>";
    // from 'b': "b" "b>"; from '>': the lone ">" is skipped.
    assert_eq!(
        char_ngrams("ab", 1, 3),
        ["<a", "<ab", "a", "ab", "ab>", "b", "b>"]
    );
    assert_eq!(char_ngrams("ab", 3, 3), ["<ab", "ab>"]);
    // Lengths are in characters: "é" is one character of two bytes.
    assert_eq!(char_ngrams("é", 2, 2), ["<é", "é>"]);
    assert_eq!(
        char_ngrams("日本", 2, 3),
        ["<日", "<日本", "日本", "日本>", "本>"]
    );
    assert!(char_ngrams("abc", 0, 0).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Writing tiny models in fastText's format

/// One dictionary entry: word, count, is-label.
type Word<'a> = (&'a str, i64, bool);

/// The fields of a tiny model file.
struct Spec<'a> {
    loss: i32,
    dim: usize,
    minn: i32,
    maxn: i32,
    word_ngrams: i32,
    bucket: i32,
    words: Vec<Word<'a>>,
    /// Input rows (nwords + bucket of them), each `dim` values.
    input: Vec<Vec<f32>>,
    /// Output rows (one per label).
    output: Vec<Vec<f32>>,
}

fn put_i32(b: &mut Vec<u8>, v: i32) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put_i64(b: &mut Vec<u8>, v: i64) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put_f32(b: &mut Vec<u8>, v: f32) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn header(spec: &Spec, b: &mut Vec<u8>) {
    put_i32(b, 793_712_314);
    put_i32(b, 12);
    // Args: dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate t
    for v in [spec.dim as i32, 5, 5, 1, 5, spec.word_ngrams, spec.loss, 3] {
        put_i32(b, v);
    }
    for v in [spec.bucket, spec.minn, spec.maxn, 100] {
        put_i32(b, v);
    }
    b.extend_from_slice(&1e-4f64.to_le_bytes());
    // Dictionary.
    let nlabels = spec.words.iter().filter(|w| w.2).count() as i32;
    let size = spec.words.len() as i32;
    put_i32(b, size);
    put_i32(b, size - nlabels);
    put_i32(b, nlabels);
    put_i64(b, 100);
    put_i64(b, -1); // not pruned
    for &(word, count, label) in &spec.words {
        b.extend_from_slice(word.as_bytes());
        b.push(0);
        put_i64(b, count);
        b.push(label as u8);
    }
}

fn dense(rows: &[Vec<f32>], dim: usize, b: &mut Vec<u8>) {
    put_i64(b, rows.len() as i64);
    put_i64(b, dim as i64);
    for row in rows {
        row.iter().for_each(|&v| put_f32(b, v));
    }
}

/// A dense (`.bin`) model.
fn bin(spec: &Spec) -> Vec<u8> {
    let mut b = Vec::new();
    header(spec, &mut b);
    b.push(0); // input not quantised
    dense(&spec.input, spec.dim, &mut b);
    b.push(0); // qout
    dense(&spec.output, spec.dim, &mut b);
    b
}

/// A product quantiser with one sub-space of the whole dimension whose centroid `i` is
/// `rows[i]`: row `i` gets code `i`, so the quantised matrix equals the dense one.
fn quantised(rows: &[Vec<f32>], dim: usize, qnorm: bool, b: &mut Vec<u8>) {
    b.push(qnorm as u8);
    put_i64(b, rows.len() as i64);
    put_i64(b, dim as i64);
    put_i32(b, rows.len() as i32); // codesize: one code per row
    b.extend((0..rows.len()).map(|i| i as u8));
    put_i32(b, dim as i32); // dim
    put_i32(b, 1); // nsubq
    put_i32(b, dim as i32); // dsub
    put_i32(b, dim as i32); // lastdsub
                            // With qnorm, centroid i holds the row halved and its norm quantiser holds 2.0.
    let scale = if qnorm { 0.5 } else { 1.0 };
    for c in 0..256 {
        for d in 0..dim {
            put_f32(b, rows.get(c).map_or(0.0, |r| r[d] * scale));
        }
    }
    if qnorm {
        b.extend(std::iter::repeat_n(0u8, rows.len()));
        for v in [1, 1, 1, 1] {
            put_i32(b, v);
        }
        (0..256).for_each(|c| put_f32(b, if c == 0 { 2.0 } else { 0.0 }));
    }
}

/// A quantised (`.ftz`) model, with a quantised output matrix too when `qout`.
fn ftz(spec: &Spec, qout: bool, qnorm: bool) -> Vec<u8> {
    let mut b = Vec::new();
    header(spec, &mut b);
    b.push(1);
    quantised(&spec.input, spec.dim, qnorm, &mut b);
    b.push(qout as u8);
    if qout {
        quantised(&spec.output, spec.dim, qnorm, &mut b);
    } else {
        dense(&spec.output, spec.dim, &mut b);
    }
    b
}

/// Softmax, dim 2, words "good" and "bad", labels pos and neg; no n-grams, no `</s>`.
fn sentiment(loss: i32) -> Spec<'static> {
    Spec {
        loss,
        dim: 2,
        minn: 0,
        maxn: 0,
        word_ngrams: 1,
        bucket: 0,
        words: vec![
            ("good", 3, false),
            ("bad", 2, false),
            ("__label__pos", 4, true),
            ("__label__neg", 3, true),
        ],
        input: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        output: vec![vec![2.0, 0.0], vec![0.0, 2.0]],
    }
}

const SOFTMAX: i32 = 3;
const HS: i32 = 1;
const OVA: i32 = 4;

fn assert_close(got: &[(&str, f32)], want: &[(&str, f32)]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for ((gl, gp), (wl, wp)) in got.iter().zip(want) {
        assert_eq!(gl, wl, "{got:?} vs {want:?}");
        assert!((gp - wp).abs() < 2e-6, "{got:?} vs {want:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Predictions worked out by hand

#[test]
fn softmax_predictions_by_hand() {
    let model = FastText::from_bytes(&bin(&sentiment(SOFTMAX))).unwrap();
    assert_eq!(model.args().loss, LossName::Softmax);
    assert_eq!(model.labels(), ["__label__pos", "__label__neg"]);
    assert_eq!(model.label_counts(), [4, 3]);
    assert!(!model.is_quantized());
    // "good": hidden (1, 0), scores (2, 0): p = (1, e^-2) / (1 + e^-2) = 0.880797, 0.119203;
    // fastText returns exp(log(p + 1e-5)).
    assert_close(
        &model.predict("good", 5, 0.0),
        &[("__label__pos", 0.880807), ("__label__neg", 0.119213)],
    );
    // "bad  good" (two spaces, any fastText whitespace): hidden (0.5, 0.5), a tie 0.5 / 0.5;
    // libstdc++'s sort_heap puts label 1 first.
    assert_close(
        &model.predict("bad \t good", 5, 0.0),
        &[("__label__neg", 0.50001), ("__label__pos", 0.50001)],
    );
    // k and threshold.
    assert_close(
        &model.predict("good", 1, 0.0),
        &[("__label__pos", 0.880807)],
    );
    assert_close(&model.predict("bad", 5, 0.5), &[("__label__neg", 0.880807)]);
    assert!(model.predict("good", 0, 0.0).is_empty());
    // Only out-of-vocabulary words (no n-grams, no `</s>` in the vocabulary): no input row,
    // no prediction. Labels in the text are not words.
    assert!(model.predict("unknown words", 5, 0.0).is_empty());
    assert!(model.predict("__label__pos", 5, 0.0).is_empty());
    // Only the first line counts.
    assert_close(
        &model.predict("good\nbad bad bad", 1, 0.0),
        &[("__label__pos", 0.880807)],
    );
}

#[test]
fn quantised_models_predict_like_their_dense_matrices() {
    let spec = sentiment(SOFTMAX);
    let dense = FastText::from_bytes(&bin(&spec)).unwrap();
    for (qout, qnorm) in [(false, false), (true, false), (true, true), (false, true)] {
        let model = FastText::from_bytes(&ftz(&spec, qout, qnorm)).unwrap();
        assert!(model.is_quantized());
        assert_eq!(model.is_output_quantized(), qout);
        for text in ["good", "bad good", "bad bad good"] {
            assert_eq!(
                model.predict(text, 5, 0.0),
                dense.predict(text, 5, 0.0),
                "{text}"
            );
        }
    }
}

#[test]
fn hierarchical_softmax_by_hand() {
    // Labels a, b, c with counts 3, 2, 1. Huffman tree (loss.cc's buildTree): node 3 =
    // (left c, right b), root 4 = (left node 3, right a); internal node i uses output row
    // i - 3. Hidden = (1); row 1 (root) = 0 → f = 0.5; row 0 = ln 3 → f = 0.75.
    // P(a) = 0.5, P(b) = 0.5 · 0.75 = 0.375, P(c) = 0.5 · 0.25 = 0.125.
    let spec = Spec {
        loss: HS,
        dim: 1,
        minn: 0,
        maxn: 0,
        word_ngrams: 1,
        bucket: 0,
        words: vec![
            ("w", 1, false),
            ("__label__a", 3, true),
            ("__label__b", 2, true),
            ("__label__c", 1, true),
        ],
        input: vec![vec![1.0]],
        output: vec![vec![3f32.ln()], vec![0.0], vec![0.0]],
    };
    let model = FastText::from_bytes(&bin(&spec)).unwrap();
    // Scores are sums of log(p + 1e-5) along the path: exp gives p (+ ~1e-5 per step).
    let got = model.predict("w", 5, 0.0);
    let want = [
        ("__label__a", 0.50001),
        ("__label__b", 0.375013),
        ("__label__c", 0.125008),
    ];
    assert_eq!(got.len(), 3);
    for ((gl, gp), (wl, wp)) in got.iter().zip(want) {
        assert_eq!(*gl, wl);
        assert!((gp - wp).abs() < 2e-6, "{got:?}");
    }
    // The threshold prunes whole subtrees: below 0.4 only a survives.
    assert_eq!(model.predict("w", 5, 0.4).len(), 1);
    assert_eq!(model.predict("w", 2, 0.0)[1].0, "__label__b");
}

#[test]
fn one_vs_all_uses_the_sigmoid_table() {
    let mut spec = sentiment(OVA);
    // "good": scores (0, 10): sigmoid table at 0 is exactly 0.5; above 8 it is 1.0, and
    // fastText returns exp(log(1.0 + 1e-5)) = 1.00001, above 1.
    spec.output = vec![vec![0.0, 0.0], vec![10.0, 0.0]];
    let model = FastText::from_bytes(&bin(&spec)).unwrap();
    assert_close(
        &model.predict("good", 5, 0.0),
        &[("__label__neg", 1.00001), ("__label__pos", 0.50001)],
    );
}

#[test]
fn input_rows_have_words_char_ngrams_eos_and_word_ngrams() {
    // Vocabulary: "</s>" (id 0) and "ab" (id 1); minn 2, maxn 3, bucket 1000, wordNgrams 2.
    let bucket = 1000u32;
    let spec = Spec {
        loss: SOFTMAX,
        dim: 1,
        minn: 2,
        maxn: 3,
        word_ngrams: 2,
        bucket: bucket as i32,
        words: vec![
            ("</s>", 5, false),
            ("ab", 2, false),
            ("__label__x", 1, true),
        ],
        input: vec![vec![0.0]; 2 + bucket as usize],
        output: vec![vec![0.0]],
    };
    let model = FastText::from_bytes(&bin(&spec)).unwrap();
    let ngram = |s: &str| 2 + (hash(s.as_bytes()) % bucket) as i32;
    // Word n-gram: (int64(int32 h1) * 116049371 + int64(int32 h2)) mod bucket, in uint64.
    let bigram = |a: &str, b: &str| {
        let h = (hash(a.as_bytes()) as i32 as i64 as u64)
            .wrapping_mul(116_049_371)
            .wrapping_add(hash(b.as_bytes()) as i32 as i64 as u64);
        2 + (h % u64::from(bucket)) as i32
    };
    // In vocabulary: its id, then its n-grams "<a" "<ab" "ab" "ab>" "b>"; then "</s>" (no
    // n-grams), then the bigram (ab, </s>).
    let mut want = vec![1];
    want.extend(["<a", "<ab", "ab", "ab>", "b>"].map(ngram));
    want.push(0);
    want.push(bigram("ab", "</s>"));
    assert_eq!(model.input_rows("ab"), want);
    // Out of vocabulary: only its n-grams; bigrams use the word hashes all the same.
    let mut want: Vec<i32> = ["<z", "<zz", "zz", "zz>", "z>"].map(ngram).to_vec();
    want.push(0);
    want.push(bigram("zz", "</s>"));
    assert_eq!(model.input_rows("  zz\r"), want);
    // A literal "</s>" ends the line.
    assert_eq!(model.input_rows("</s> ab"), [0]);
}

#[test]
fn shared_across_threads() {
    let model = Arc::new(FastText::from_bytes(&bin(&sentiment(SOFTMAX))).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let model = Arc::clone(&model);
            std::thread::spawn(move || {
                let mut scratch = Scratch::default();
                let mut out = Vec::new();
                let text = if i % 2 == 0 { "good" } else { "bad" };
                model.predict_into(text, 1, 0.0, &mut scratch, &mut out);
                model.labels()[out[0].0].clone()
            })
        })
        .collect();
    let labels: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "__label__pos",
            "__label__neg",
            "__label__pos",
            "__label__neg"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Bad files

#[test]
fn bad_headers_are_clear_errors() {
    let good = bin(&sentiment(SOFTMAX));
    let mut wrong_magic = good.clone();
    wrong_magic[0] ^= 1;
    assert!(matches!(
        FastText::from_bytes(&wrong_magic),
        Err(FastTextError::WrongMagic(_))
    ));
    let mut newer = good.clone();
    newer[4..8].copy_from_slice(&13i32.to_le_bytes());
    assert!(matches!(
        FastText::from_bytes(&newer),
        Err(FastTextError::UnsupportedVersion(13))
    ));
    let mut skipgram = good.clone();
    skipgram[8 + 7 * 4..8 + 8 * 4].copy_from_slice(&2i32.to_le_bytes());
    let err = FastText::from_bytes(&skipgram).err().unwrap();
    assert!(matches!(err, FastTextError::NotSupervised(_)));
    assert!(err.to_string().contains("not supervised"), "{err}");
    assert!(matches!(
        FastText::from_bytes(&good[..good.len() - 1]),
        Err(FastTextError::Truncated(_))
    ));
    assert!(matches!(
        FastText::from_bytes(&[]),
        Err(FastTextError::Truncated(_))
    ));
    let missing = FastText::open("/nonexistent/model.bin").err().unwrap();
    assert!(matches!(missing, FastTextError::Io(_)));
    assert!(std::error::Error::source(&missing).is_some());
}

/// xorshift64*, so that the corruption test needs no dependency and is reproducible.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

#[test]
fn truncated_and_corrupted_files_never_panic() {
    let mut ngram_spec = sentiment(HS);
    ngram_spec.minn = 2;
    ngram_spec.maxn = 3;
    ngram_spec.word_ngrams = 2;
    ngram_spec.bucket = 8;
    ngram_spec
        .input
        .extend((0..8).map(|i| vec![i as f32 * 0.1, -0.2]));
    let files = [
        bin(&sentiment(SOFTMAX)),
        bin(&ngram_spec),
        ftz(&sentiment(OVA), true, true),
        ftz(&ngram_spec, false, false),
    ];
    let texts = ["good bad", "gooood bda", "", "é 日本 __label__pos"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for file in &files {
        assert!(FastText::from_bytes(file).is_ok());
        for _ in 0..300 {
            let cut = rng.below(file.len());
            assert!(FastText::from_bytes(&file[..cut]).is_err(), "cut at {cut}");
        }
        for _ in 0..2000 {
            let mut bytes = file.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
            if let Ok(model) = FastText::from_bytes(&bytes) {
                for text in texts {
                    let _ = model.predict(text, 3, 0.0);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The real lid.176.ftz, when available

#[test]
fn lid_176_top_labels() {
    let Some(path) = std::env::var_os("THRESH_FASTTEXT_LID") else {
        let required = std::env::var("THRESH_REQUIRE")
            .is_ok_and(|list| list.split(',').any(|s| s.trim() == "fasttext"));
        assert!(
            !required,
            "THRESH_FASTTEXT_LID is not set, and THRESH_REQUIRE says the lid.176 test must run"
        );
        eprintln!("skipped: set THRESH_FASTTEXT_LID to the path of lid.176.ftz to run this test");
        return;
    };
    let model = FastText::open(path).unwrap();
    assert!(model.is_quantized());
    assert_eq!(model.labels().len(), 176);
    assert_eq!(model.args().loss, LossName::HierarchicalSoftmax);
    for (text, want) in [
        (
            "This is a short English sentence about the weather.",
            "__label__en",
        ),
        (
            "Das ist ein kurzer deutscher Satz über das Wetter.",
            "__label__de",
        ),
        (
            "Ceci est une courte phrase en français sur le temps.",
            "__label__fr",
        ),
        (
            "Esta es una frase corta en español sobre el tiempo.",
            "__label__es",
        ),
        ("これは天気についての短い日本語の文です。", "__label__ja"),
        (
            "Это короткое предложение на русском языке о погоде.",
            "__label__ru",
        ),
    ] {
        let got = model.predict(text, 1, 0.0);
        assert_eq!(got[0].0, want, "{text}: {got:?}");
    }
    // Python fastText 0.9.2 (fasttext-numpy2-wheel) on the same text.
    let got = model.predict("Hello world, this is an English sentence", 3, 0.0);
    assert_eq!(
        got,
        [
            ("__label__en", 0.9549886),
            ("__label__te", 0.0021730827),
            ("__label__de", 0.0021491323)
        ]
    );
}
