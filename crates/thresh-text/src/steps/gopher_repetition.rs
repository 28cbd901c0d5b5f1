//! `gopher_repetition`: the Gopher repetition rules (Rae et al. 2021, table A1), decision-
//! compatible with datatrove's `GopherRepetitionFilter`.
//!
//! Checks, in order (each fraction is over the text's length in code points unless said):
//! duplicate paragraphs (share of paragraphs, then of characters), duplicate lines (share of
//! lines, then of characters), the most frequent 2-, 3-, 4-gram's share of characters, and
//! the share of characters in repeated 5- to 10-grams. Words are datatrove's (spaCy) tokens,
//! punctuation included. N-grams are hashed, never built as strings.

use std::cell::RefCell;

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::analysis::TextView;
use crate::checks::Checks;
use crate::duplicates::find_duplicates;
use crate::fineweb2::{Preset, PresetCache};
use crate::hash::{combine_next, COMBINE_START};
use crate::language::step_language;
use crate::pystr;
use crate::segment::{oversized, FxMap, FxSet, Segmenter};

/// Parameters of `gopher_repetition`, named and defaulted as datatrove's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherRepetitionParams {
    /// Largest share of duplicate lines (0 disables).
    pub dup_line_frac: f64,
    /// Largest share of duplicate paragraphs (0 disables).
    pub dup_para_frac: f64,
    /// Largest share of characters in duplicate lines (0 disables).
    pub dup_line_char_frac: f64,
    /// Largest share of characters in duplicate paragraphs (0 disables).
    pub dup_para_char_frac: f64,
    /// `[n, limit]` pairs: largest share of characters covered by the most frequent n-gram.
    pub top_n_grams: Vec<(usize, f64)>,
    /// `[n, limit]` pairs: largest share of characters in repeated n-grams.
    pub dup_n_grams: Vec<(usize, f64)>,
    /// Language of the word tokenizer (ISO 639-1 or datatrove's 639-3); default: the
    /// document's `thresh.lang`, else English.
    pub language: Option<String>,
    /// `fineweb2` (default: FineWeb-2's settings for the document's language where it has
    /// them) or `datatrove` (exactly these parameters, as datatrove applies them).
    pub preset: Preset,
}

impl Default for GopherRepetitionParams {
    fn default() -> Self {
        GopherRepetitionParams {
            dup_line_frac: 0.3,
            dup_para_frac: 0.3,
            dup_line_char_frac: 0.2,
            dup_para_char_frac: 0.2,
            top_n_grams: vec![(2, 0.2), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![
                (5, 0.15),
                (6, 0.14),
                (7, 0.13),
                (8, 0.12),
                (9, 0.11),
                (10, 0.1),
            ],
            language: None,
            preset: Preset::Fineweb2,
        }
    }
}

/// The `gopher_repetition` step.
pub struct GopherRepetition {
    params: GopherRepetitionParams,
    /// The parameters with FineWeb-2's settings, per language.
    presets: PresetCache<GopherRepetitionParams>,
}

impl GopherRepetition {
    /// A step with the given parameters.
    pub fn new(params: GopherRepetitionParams) -> Self {
        GopherRepetition {
            params,
            presets: PresetCache::default(),
        }
    }
}

/// Splits on runs of at least `min` newlines, keeping empty parts at the ends
/// (Python's `re.split(r"\n{min,}", s)`).
fn split_newline_runs(s: &str, min: usize) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let run_end = bytes[i..]
                .iter()
                .position(|&b| b != b'\n')
                .map_or(bytes.len(), |k| i + k);
            if run_end - i >= min {
                parts.push(&s[start..i]);
                start = run_end;
            }
            i = run_end;
        } else {
            i += 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The most frequent n-gram's total length in code points (joined with spaces) times its
/// count, with ties going to the n-gram seen first, as `Counter.most_common(1)` does.
/// The hashes ([`combine`]) of every n-gram of a text's words up to a longest `n`, computed
/// in one pass: the n-grams starting at a word extend one another.
#[derive(Default)]
struct Grams {
    /// `hashes[(n - 1) * words + i]`: the n-gram starting at word `i`.
    hashes: Vec<u64>,
    words: usize,
}

impl Grams {
    fn fill(&mut self, words: &[u64], longest: usize) {
        self.words = words.len();
        self.hashes.clear();
        self.hashes.resize(longest * words.len(), 0);
        for i in 0..words.len() {
            let mut acc = COMBINE_START;
            for (k, &h) in words[i..].iter().take(longest).enumerate() {
                acc = combine_next(acc, h);
                self.hashes[k * self.words + i] = acc;
            }
        }
    }

    /// The hashes of the n-grams, by start (`words - n + 1` of them; none for `n = 0`).
    fn of(&self, n: usize) -> &[u64] {
        if n == 0 {
            return &[];
        }
        let at = (n - 1) * self.words;
        &self.hashes[at..at + (self.words + 1).saturating_sub(n)]
    }
}

/// Which n-gram starts can hold a repeated n-gram. An n-gram that occurs twice starts with an
/// `level`-gram that occurs twice (for `n >= level`), so where `flags` is false (the
/// `level`-gram starting there occurs once in the text) every longer n-gram occurs once too
/// and needs no table. Level 0 knows nothing.
#[derive(Default)]
struct Repeats {
    level: usize,
    flags: Vec<bool>,
}

impl Repeats {
    /// The flags, if they tell anything about n-grams of length `n`.
    fn for_grams(&self, n: usize) -> Option<&[bool]> {
        (self.level > 0 && self.level <= n).then_some(self.flags.as_slice())
    }

    /// Learns from the counts of every n-gram `grams` that can repeat (see
    /// [`Repeats::for_grams`]) which of them do.
    fn learn(&mut self, n: usize, grams: &[u64], counts: &FxMap<u64, (usize, usize)>) {
        if n <= self.level {
            return;
        }
        let known = self.for_grams(n).is_some();
        for (i, g) in grams.iter().enumerate() {
            let may = !known || self.flags[i];
            let repeats = may && counts.get(g).is_some_and(|&(count, _)| count > 1);
            if known {
                self.flags[i] = repeats;
            } else {
                self.flags.push(repeats);
            }
        }
        self.flags.truncate(grams.len());
        self.level = n;
    }
}

/// What the n-gram checks reuse from one document to the next.
#[derive(Default)]
struct Scratch {
    grams: Grams,
    counts: FxMap<u64, (usize, usize)>,
    seen: FxSet<u64>,
    repeats: Repeats,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Characters of the most frequent n-gram times its count (ties: the first seen), given the
/// hashes of the n-grams by start. Only the starts `repeats` leaves open are counted (the
/// others hold n-grams seen once), and `repeats` learns which of them repeat.
fn top_gram_chars(
    grams: &[u64],
    lens: &[usize],
    n: usize,
    counts: &mut FxMap<u64, (usize, usize)>,
    repeats: &mut Repeats,
) -> Option<usize> {
    if grams.is_empty() {
        return None;
    }
    // hash → (count, first position)
    if oversized(counts.capacity(), grams.len()) {
        *counts = FxMap::default();
    }
    counts.clear();
    let open = repeats.for_grams(n);
    counts.reserve(open.map_or(grams.len(), |f| f.iter().filter(|&&f| f).count()));
    for (i, &g) in grams.iter().enumerate() {
        if open.is_none_or(|f| f[i]) {
            counts.entry(g).or_insert((0, i)).0 += 1;
        }
    }
    // When no n-gram repeats, the first one is the most frequent.
    let (count, first) = counts
        .values()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .copied()
        .filter(|&(count, _)| count > 1)
        .unwrap_or((1, 0));
    repeats.learn(n, grams, counts);
    let gram_len: usize = lens[first..first + n].iter().sum::<usize>() + (n - 1);
    Some(gram_len * count)
}

/// Characters in n-grams already seen, scanning on past each repeat, given the hashes of the
/// n-grams by start. Starts that `repeats` rules out hold n-grams seen once: they are passed
/// without a table.
fn repeated_gram_chars(
    grams: &[u64],
    lens: &[usize],
    n: usize,
    seen: &mut FxSet<u64>,
    repeats: &Repeats,
) -> usize {
    if oversized(seen.capacity(), grams.len()) {
        *seen = FxSet::default();
    }
    seen.clear();
    let open = repeats.for_grams(n);
    seen.reserve(open.map_or(grams.len(), |f| f.iter().filter(|&&f| f).count()));
    let mut repeated = 0;
    let mut i = 0;
    while i < grams.len() {
        if open.is_some_and(|f| !f[i]) || seen.insert(grams[i]) {
            i += 1;
        } else {
            repeated += lens[i..i + n].iter().sum::<usize>();
            i += n;
        }
    }
    repeated
}

impl Step for GopherRepetition {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        if doc.text.is_empty() {
            return Verdict::drop("empty");
        }
        let mut checks = Checks::new(cx.record_signals);
        let language = step_language(self.params.language.as_deref(), doc);
        let preset = self
            .presets
            .get(self.params.preset, language, &mut checks, |fw| {
                GopherRepetitionParams {
                    dup_line_frac: fw.dup_line_frac,
                    dup_para_frac: 0.0,
                    dup_line_char_frac: 0.0,
                    dup_para_char_frac: 0.0,
                    top_n_grams: fw.top_n_grams.clone(),
                    dup_n_grams: fw.dup_n_grams.clone(),
                    ..self.params.clone()
                }
            });
        let segmenter = Segmenter::for_language(language);
        Self::run_checks(
            preset.as_deref().unwrap_or(&self.params),
            segmenter,
            &TextView::of(doc),
            &mut checks,
        );
        checks.finish(doc, cx)
    }
}

impl GopherRepetition {
    fn run_checks(
        p: &GopherRepetitionParams,
        segmenter: &'static Segmenter,
        view: &TextView,
        checks: &mut Checks,
    ) {
        let text = view.text();
        let total = pystr::len(text) as f64;
        let paragraphs = split_newline_runs(pystr::strip(text), 2);
        let (dup, dup_chars) = find_duplicates(paragraphs.iter().copied());
        if checks.check(
            "dup_para_frac",
            dup as f64 / paragraphs.len() as f64,
            p.dup_para_frac,
        ) || checks.check(
            "dup_para_char_frac",
            dup_chars as f64 / total,
            p.dup_para_char_frac,
        ) {
            return;
        }
        let lines = split_newline_runs(text, 1);
        let (dup, dup_chars) = find_duplicates(lines.iter().copied());
        if checks.check(
            "dup_line_frac",
            dup as f64 / lines.len() as f64,
            p.dup_line_frac,
        ) || checks.check(
            "dup_line_char_frac",
            dup_chars as f64 / total,
            p.dup_line_char_frac,
        ) {
            return;
        }
        let words = view.words(segmenter);
        let (hashes, lens) = (words.hashes(), words.char_lens());
        let grams = p.top_n_grams.iter().chain(&p.dup_n_grams);
        let longest = grams.map(|&(n, _)| n).max().unwrap_or(0);
        if longest == 0 {
            return;
        }
        SCRATCH.with_borrow_mut(|s| {
            s.grams.fill(hashes, longest);
            s.repeats.level = 0;
            s.repeats.flags.clear();
            for &(n, limit) in &p.top_n_grams {
                let (grams, counts) = (s.grams.of(n), &mut s.counts);
                if let Some(chars) = top_gram_chars(grams, lens, n, counts, &mut s.repeats) {
                    if checks.check(&format!("top_{n}_gram"), chars as f64 / total, limit) {
                        return;
                    }
                }
            }
            for &(n, limit) in &p.dup_n_grams {
                let chars = repeated_gram_chars(s.grams.of(n), lens, n, &mut s.seen, &s.repeats);
                if checks.check(
                    &format!("duplicated_{n}_n_grams"),
                    chars as f64 / total,
                    limit,
                ) {
                    return;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{combine, fnv1a};

    #[test]
    fn newline_runs_split_like_python_re_split() {
        // re.split(r"\n+", "\nA\n\nB\n") == ['', 'A', 'B', '']
        assert_eq!(split_newline_runs("\nA\n\nB\n", 1), ["", "A", "B", ""]);
        // re.split(r"\n{2,}", "A\nB\n\n\nC") == ['A\nB', 'C']
        assert_eq!(split_newline_runs("A\nB\n\n\nC", 2), ["A\nB", "C"]);
    }

    fn grams(words: &[&str], longest: usize) -> Grams {
        let hashes: Vec<u64> = words.iter().map(|w| fnv1a(w.bytes(), 0)).collect();
        let mut grams = Grams::default();
        grams.fill(&hashes, longest);
        grams
    }

    #[test]
    fn gram_hashes_are_those_of_combine() {
        let words = ["a", "b", "c", "d"];
        let h: Vec<u64> = words.iter().map(|w| fnv1a(w.bytes(), 0)).collect();
        let g = grams(&words, 3);
        let ones: Vec<u64> = h.iter().map(|&x| combine(&[x])).collect();
        assert_eq!(g.of(1), ones);
        assert_eq!(
            g.of(2),
            [combine(&h[0..2]), combine(&h[1..3]), combine(&h[2..4])]
        );
        assert_eq!(g.of(3), [combine(&h[0..3]), combine(&h[1..4])]);
        assert!(g.of(0).is_empty());
        assert!(grams(&words[..2], 3).of(3).is_empty());
    }

    #[test]
    fn top_gram_ties_go_to_the_first_seen() {
        // Words a b c a b: 2-grams "a b" ×2 (first at 0), "b c", "c a". 3 chars × 2 = 6.
        let g = grams(&["a", "b", "c", "a", "b"], 6);
        let mut counts = FxMap::default();
        let mut r = Repeats::default();
        assert_eq!(
            top_gram_chars(g.of(2), &[1; 5], 2, &mut counts, &mut r),
            Some(6)
        );
        // Only "a b" repeats: the 2-grams at 0 and 3.
        assert_eq!(
            (r.level, r.flags.as_slice()),
            (2, &[true, false, false, true][..])
        );
        // All 3-grams once: the first, "a b c" (5 chars), wins the tie.
        assert_eq!(
            top_gram_chars(g.of(3), &[1; 5], 3, &mut counts, &mut r),
            Some(5)
        );
        assert_eq!((r.level, r.flags.as_slice()), (3, &[false; 3][..]));
        assert_eq!(
            top_gram_chars(g.of(6), &[1; 5], 6, &mut counts, &mut r),
            None
        );
    }

    #[test]
    fn repeated_grams_skip_past_each_repeat() {
        // x y x y x y with n = 2: "xy" new at 0, "yx" new at 1, "xy" repeat at 2 (+2, jump to 4),
        // "xy" repeat at 4 (+2) → 4 characters. The set is reused: nothing carries over.
        let g = grams(&["x", "y", "x", "y", "x", "y"], 2);
        let mut seen = FxSet::default();
        let r = Repeats::default();
        assert_eq!(repeated_gram_chars(g.of(2), &[1; 6], 2, &mut seen, &r), 4);
        assert_eq!(repeated_gram_chars(g.of(2), &[1; 6], 2, &mut seen, &r), 4);
    }

    /// The most frequent n-gram's characters times its count, by strings (ties: first seen).
    fn plain_top(words: &[&str], n: usize) -> Option<usize> {
        let grams: Vec<&[&str]> = words.windows(n).collect();
        let count = |g: &[&str]| grams.iter().filter(|h| **h == g).count();
        let best = grams.iter().map(|g| count(g)).max()?;
        let first = grams.iter().find(|g| count(g) == best)?;
        Some((first.iter().map(|w| w.len()).sum::<usize>() + n - 1) * best)
    }

    /// Characters in repeated n-grams, by strings, scanning on past each repeat.
    fn plain_repeated(words: &[&str], n: usize) -> usize {
        let mut seen = std::collections::HashSet::new();
        let (mut i, mut repeated) = (0, 0);
        while i + n <= words.len() {
            if seen.insert(&words[i..i + n]) {
                i += 1;
            } else {
                repeated += words[i..i + n].iter().map(|w| w.len()).sum::<usize>();
                i += n;
            }
        }
        repeated
    }

    proptest::proptest! {
        /// Counting only where shorter n-grams repeat changes nothing, whatever the order of
        /// the checks.
        #[test]
        fn narrowed_counts_are_the_plain_ones(
            words in proptest::collection::vec("[a-c]", 0..40),
            tops in proptest::collection::vec(1usize..6, 0..4),
            dups in proptest::collection::vec(1usize..8, 0..4),
        ) {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let g = grams(&words, 8);
            let lens = vec![1; words.len()];
            let (mut counts, mut seen, mut r) = (FxMap::default(), FxSet::default(), Repeats::default());
            for &n in &tops {
                let top = top_gram_chars(g.of(n), &lens, n, &mut counts, &mut r);
                proptest::prop_assert_eq!(top, plain_top(&words, n));
            }
            for &n in &dups {
                let dup = repeated_gram_chars(g.of(n), &lens, n, &mut seen, &r);
                proptest::prop_assert_eq!(dup, plain_repeated(&words, n));
            }
        }
    }
}

#[cfg(test)]
mod step_tests {
    use super::step_tests_support::*;
    use super::*;

    #[test]
    fn duplicate_line_fraction_just_below_and_above() {
        let step = only(|p| p.dup_line_frac = 0.3);
        // 10 lines, 3 of them repeats: 0.3 is not > 0.3.
        assert_eq!(
            run(&step, "l0\nl1\nl2\nl3\nl4\nl5\nl6\nl0\nl1\nl2"),
            Verdict::Keep
        );
        // 11 lines, 4 repeats: 4/11 = 0.364 > 0.3.
        assert_eq!(
            run(&step, "l0\nl1\nl2\nl3\nl4\nl5\nl6\nl0\nl1\nl2\nl3"),
            Verdict::drop("dup_line_frac 0.364 > 0.3")
        );
    }

    #[test]
    fn duplicate_paragraph_characters() {
        let step = only(|p| p.dup_para_char_frac = 0.2);
        // Paragraphs aaaa, bb, aaaa: 4 repeated chars of 14 = 0.286 > 0.2.
        assert_eq!(
            run(&step, "aaaa\n\nbb\n\naaaa"),
            Verdict::drop("dup_para_char_frac 0.286 > 0.2")
        );
        // aaaa, bbbbbbbbbb, aaaa: 4 of 22 = 0.182.
        assert_eq!(run(&step, "aaaa\n\nbbbbbbbbbb\n\naaaa"), Verdict::Keep);
    }

    #[test]
    fn top_two_gram_share() {
        let step = only(|p| p.top_n_grams = vec![(2, 0.2)]);
        // Tokens x y x y z . — "x y" twice: 3 chars × 2 = 6 of 10.
        assert_eq!(
            run(&step, "x y x y z."),
            Verdict::drop("top_2_gram 0.600 > 0.2")
        );
    }

    #[test]
    fn empty_text_is_dropped_as_empty() {
        assert_eq!(
            run(
                &GopherRepetition::new(GopherRepetitionParams::default()),
                ""
            ),
            Verdict::drop("empty")
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn signals(text: &str) -> serde_json::Map<String, serde_json::Value> {
        let cx = StepCx {
            name: "g".into(),
            record_signals: true,
        };
        let mut doc = Document::new("d", text);
        let params = GopherRepetitionParams {
            language: Some("en".into()),
            ..Default::default()
        };
        GopherRepetition::new(params).process(&mut doc, &cx);
        doc.annotations
            .get("g")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    fn paragraphs() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z]{1,6}( [a-z]{1,6}){0,8}[.!?]?", 1..8)
            .prop_map(|p| p.join("\n\n"))
    }

    proptest! {
        /// Duplicate fractions stay in [0, 1]. The top n-gram share counts the joining spaces,
        /// as datatrove does, so on tiny texts it can pass 1 ("a?": "a ?" is 3 of 2 characters).
        #[test]
        fn duplicate_fractions_stay_in_unit_interval(text in paragraphs()) {
            for (name, value) in signals(&text).into_iter().filter(|(name, _)| name != "limits") {
                let v = value.as_f64().unwrap();
                if name.starts_with("top_") {
                    prop_assert!(v > 0.0, "{name} = {v}");
                } else {
                    prop_assert!((0.0..=1.0).contains(&v), "{name} = {v}");
                }
            }
        }

        #[test]
        fn a_document_repeated_twice_has_half_its_paragraphs_duplicated(text in paragraphs()) {
            let doubled = format!("{text}\n\n{text}");
            let s = signals(&doubled);
            prop_assert!(s["dup_para_frac"].as_f64().unwrap() >= 0.5);
        }
    }
}

#[cfg(test)]
mod more_step_tests {
    use super::step_tests_support::*;
    use super::*;

    #[test]
    fn duplicate_paragraph_share() {
        let step = only(|p| p.dup_para_frac = 0.3);
        // a, b, a, c, d, e, f, g, h, i: 1 repeat of 10 = 0.1; a, b, a, b: 2 of 4 = 0.5.
        assert_eq!(
            run(&step, "a\n\nb\n\na\n\nc\n\nd\n\ne\n\nf\n\ng\n\nh\n\ni"),
            Verdict::Keep
        );
        assert_eq!(
            run(&step, "a\n\nb\n\na\n\nb"),
            Verdict::drop("dup_para_frac 0.500 > 0.3")
        );
    }

    #[test]
    fn duplicate_line_characters() {
        let step = only(|p| p.dup_line_char_frac = 0.2);
        // Lines "abc", "defghijklmnop", "abc": 3 of 21 characters = 0.143 (newlines count in L).
        assert_eq!(run(&step, "abc\ndefghijklmnop\nabc"), Verdict::Keep);
        // "abc", "de", "abc": 3 of 10 = 0.3 > 0.2.
        assert_eq!(
            run(&step, "abc\nde\nabc"),
            Verdict::drop("dup_line_char_frac 0.300 > 0.2")
        );
    }

    #[test]
    fn duplicated_five_grams() {
        let step = only(|p| p.dup_n_grams = vec![(5, 0.15)]);
        // Tokens a b c d e a b c d e: the second "abcde" (5 chars, joined without spaces) is a
        // repeat: 5 of 19 characters = 0.263 > 0.15.
        assert_eq!(
            run(&step, "a b c d e a b c d e"),
            Verdict::drop("duplicated_5_n_grams 0.263 > 0.15")
        );
        // All 5-grams distinct.
        assert_eq!(run(&step, "a b c d e f g h i j"), Verdict::Keep);
    }
}

#[cfg(test)]
mod step_tests_support {
    use super::*;

    /// Only the given checks enabled (a zero disables one, as in datatrove).
    pub fn only(f: impl FnOnce(&mut GopherRepetitionParams)) -> GopherRepetition {
        let mut p = GopherRepetitionParams {
            dup_line_frac: 0.0,
            dup_para_frac: 0.0,
            dup_line_char_frac: 0.0,
            dup_para_char_frac: 0.0,
            top_n_grams: vec![],
            dup_n_grams: vec![],
            language: Some("en".into()),
            preset: Preset::Datatrove,
        };
        f(&mut p);
        GopherRepetition::new(p)
    }

    pub fn run(step: &GopherRepetition, text: &str) -> Verdict {
        let cx = StepCx {
            name: "g".into(),
            record_signals: false,
        };
        step.process(&mut Document::new("d", text), &cx)
    }
}
