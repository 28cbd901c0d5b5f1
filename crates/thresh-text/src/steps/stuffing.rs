//! `stuffing`: keyword stuffing inside paragraphs — the same sentence repeated through the
//! text, which line- and paragraph-level repetition rules do not see.
//!
//! The text is cut into sentences (at line breaks, and after terminal punctuation followed
//! by a space); sentences of at least `min_words` words are compared case-insensitively,
//! ignoring spacing and trailing punctuation. Signals: `sentences` (counted), `dup_sentence_frac`
//! (repeated occurrences / sentences), `dup_sentence_char_frac` (characters in repeated
//! occurrences / characters of the text), `top_sentence_count` and `top_sentence_share`
//! (the most repeated sentence's occurrences and their share of the characters) and
//! `top_sentence` (its text). Two signals decide by default, both counting paragraphs (lines
//! of at least twice `phrase_words` words, so lists and tables do not count):
//! `sentence_paragraphs`, the most paragraphs one sentence occurs in, and `phrase_lines`, the
//! most paragraphs one `phrase_words`-word phrase occurs in (stuffing often weaves the
//! headline into longer sentences). The reason names the repeated text. The other sentence
//! limits are off by default (`scripts/stuffing_thresholds.py` shows why).

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::charsets::is_terminal_punctuation;
use crate::checks::Checks;
use crate::hash::{combine, fnv1a, FNV_OFFSET, FNV_PRIME};
use crate::segment::{oversized, FxMap};

/// Parameters of `stuffing`. A zero disables a check.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StuffingParams {
    /// Shorter sentences are not compared (headings such as "Share" repeat legitimately).
    pub min_words: usize,
    /// Most occurrences of one sentence.
    pub max_top_sentence_count: usize,
    /// Largest share of the text's characters taken by the most repeated sentence.
    pub max_top_sentence_share: f64,
    /// Largest share of sentences that repeat an earlier one.
    pub max_dup_sentence_frac: f64,
    /// Largest share of characters in sentences that repeat an earlier one.
    pub max_dup_sentence_char_frac: f64,
    /// Most paragraphs (lines of at least twice `phrase_words` words) one sentence of at least
    /// `min_words` words may occur in.
    pub max_sentence_paragraphs: usize,
    /// Words in a phrase (a run of words compared case-insensitively, without punctuation).
    pub phrase_words: usize,
    /// Most paragraphs (lines of at least twice `phrase_words` words) the most widespread
    /// phrase may occur in: stuffing repeats a headline at the end of paragraph after
    /// paragraph, often inside a longer sentence.
    pub max_phrase_lines: usize,
}

impl Default for StuffingParams {
    fn default() -> Self {
        StuffingParams {
            min_words: 4,
            max_top_sentence_count: 0,
            max_top_sentence_share: 0.0,
            max_dup_sentence_frac: 0.0,
            max_dup_sentence_char_frac: 0.0,
            max_sentence_paragraphs: 3,
            phrase_words: 8,
            max_phrase_lines: 3,
        }
    }
}

thread_local! {
    /// The phrase table, reused from one document to the next.
    static PHRASES: std::cell::Cell<Phrases> = std::cell::Cell::default();
}

/// The `stuffing` step.
pub struct Stuffing {
    params: StuffingParams,
}

impl Stuffing {
    /// A step with the given parameters.
    pub fn new(params: StuffingParams) -> Self {
        Stuffing { params }
    }
}

/// The sentences of `text`: cut at newlines and after terminal punctuation followed by
/// whitespace; trimmed; empty ones skipped.
#[cfg(test)]
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let words: Vec<&str> = line.split_whitespace().collect();
        out.extend(line_sentences(&words).map(|s| span(line, s)));
    }
    out
}

/// The sentences of a line given its words (`line.split_whitespace()`), each as its words. A
/// cut after terminal punctuation followed by whitespace falls at the end of a word, so the
/// sentences are the runs of words ending at each word that ends in terminal punctuation.
fn line_sentences<'w, 'a>(words: &'w [&'a str]) -> impl Iterator<Item = &'w [&'a str]> {
    words.split_inclusive(|w| match w.as_bytes().last() {
        Some(&b) if b.is_ascii() => matches!(b, b'!' | b'.' | b'?'),
        _ => w.chars().next_back().is_some_and(is_terminal_punctuation),
    })
}

/// The text of `line` from the first of `words` (slices of it, in order) to the end of the
/// last.
fn span<'a>(line: &'a str, words: &[&str]) -> &'a str {
    let offset = |w: &str| w.as_ptr() as usize - line.as_ptr() as usize;
    match (words.first(), words.last()) {
        (Some(first), Some(last)) => &line[offset(first)..offset(last) + last.len()],
        _ => "",
    }
}

/// Counts, for each phrase of `n` words, the paragraphs (lines of at least `2n` words) it
/// occurs in; lines are added in order.
#[derive(Default)]
struct Phrases {
    n: usize,
    /// hash → (lines it occurs on, last line seen, first line index and word index)
    grams: FxMap<u64, (usize, usize, (usize, usize))>,
    keys: Vec<u64>,
}

impl Phrases {
    /// Empties the table for a text of at most `words` words, phrases of `n` words.
    fn reset(&mut self, n: usize, words: usize) {
        self.n = n;
        if oversized(self.grams.capacity(), words) {
            self.grams = FxMap::default();
        }
        self.grams.clear();
    }

    /// Adds line `li`, given its whitespace-separated words.
    fn add_line(&mut self, li: usize, words: &[&str]) {
        let n = self.n;
        // Only paragraphs count: a phrase repeated in short lines is a list or a table, which
        // the repetition rules judge.
        if n == 0 || words.len() < 2 * n {
            return;
        }
        self.keys.clear();
        self.keys.extend(words.iter().map(|w| word_key(w)));
        for start in 0..=self.keys.len() - n {
            let h = combine(&self.keys[start..start + n]);
            let entry = self.grams.entry(h).or_insert((0, usize::MAX, (li, start)));
            if entry.1 != li {
                entry.0 += 1;
                entry.1 = li;
            }
        }
    }

    /// The phrase found in the most paragraphs (ties: the first written): (paragraphs, the
    /// phrase as first written in `text`, the text whose lines were added).
    fn widest(&self, text: &str) -> Option<(usize, String)> {
        let &(count, _, (li, start)) = self
            .grams
            .values()
            .max_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)))?;
        let line = text.split('\n').nth(li).expect("the phrase's line exists");
        let words: Vec<&str> = line.split_whitespace().skip(start).take(self.n).collect();
        Some((count, words.join(" ")))
    }
}

/// A word's comparison hash: its lowercase letters and digits, FNV-1a over code points.
fn word_key(word: &str) -> u64 {
    let step = |h: u64, c: u32| (h ^ u64::from(c)).wrapping_mul(FNV_PRIME);
    if word.is_ascii() {
        // The same as below: an ASCII character's code point is its byte.
        return word
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .fold(FNV_OFFSET, |h, b| {
                step(h, u32::from(b.to_ascii_lowercase()))
            });
    }
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .fold(FNV_OFFSET, |h, c| step(h, c as u32))
}

/// The comparison key of a sentence, hashed: its words lowercased (as `str::to_lowercase`)
/// and joined by single spaces, without trailing punctuation. `bytes` is scratch space.
fn key(sentence: &str, bytes: &mut Vec<u8>) -> u64 {
    let trimmed = sentence.trim_end_matches(|c: char| !c.is_alphanumeric());
    bytes.clear();
    for (i, word) in trimmed.split_whitespace().enumerate() {
        if i > 0 {
            bytes.push(b' ');
        }
        if word.is_ascii() {
            bytes.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
        } else {
            bytes.extend_from_slice(word.to_lowercase().as_bytes());
        }
    }
    fnv1a(bytes.iter().copied(), 0)
}

impl Step for Stuffing {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let p = &self.params;
        let total_chars = doc.text.chars().count().max(1) as f64;
        // key → (occurrences, characters of one occurrence, first occurrence's text)
        let mut seen: FxMap<u64, (usize, usize, &str)> = FxMap::default();
        // key → (paragraphs the sentence occurs in, the last one)
        let mut paragraphs: FxMap<u64, (usize, usize)> = FxMap::default();
        let (mut counted, mut repeats, mut repeat_chars) = (0usize, 0usize, 0usize);
        let mut scratch = Vec::new();
        let mut phrases = PHRASES.take();
        phrases.reset(p.phrase_words, doc.text.len());
        let mut words = Vec::new();
        for (li, line) in doc.text.split('\n').enumerate() {
            words.clear();
            words.extend(line.split_whitespace());
            phrases.add_line(li, &words);
            let paragraph = words.len() >= 2 * p.phrase_words;
            for sentence in line_sentences(&words) {
                if sentence.len() < p.min_words {
                    continue;
                }
                let sentence = span(line, sentence);
                counted += 1;
                let len = sentence.chars().count();
                let k = key(sentence, &mut scratch);
                if paragraph {
                    let e = paragraphs.entry(k).or_insert((0, usize::MAX));
                    if e.1 != li {
                        e.0 += 1;
                        e.1 = li;
                    }
                }
                let entry = seen.entry(k).or_insert((0, len, sentence));
                entry.0 += 1;
                if entry.0 > 1 {
                    repeats += 1;
                    repeat_chars += len;
                }
            }
        }
        // The sentence found in the most paragraphs (ties: the one written first).
        let (sentence_paragraphs, spread_sentence) = paragraphs
            .iter()
            .map(|(k, &(n, _))| (n, seen[k].2))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)))
            .unwrap_or((0, ""));
        let top = seen
            .values()
            .filter(|e| e.0 > 1)
            .max_by(|a, b| (a.0 * a.1).cmp(&(b.0 * b.1)).then(b.2.cmp(a.2)))
            .copied();
        let (top_count, top_share, top_text) = top.map_or((1, 0.0, None), |(n, len, text)| {
            (n, (n * len) as f64 / total_chars, Some(text.to_owned()))
        });
        let mut checks = Checks::new(cx.record_signals);
        checks.signal("sentences", counted);
        checks.signal("top_sentence", top_text.clone());
        let named = |reason: String| match &top_text {
            Some(text) => format!("{reason}: \"{text}\""),
            None => reason,
        };
        let count_failed = p.max_top_sentence_count > 0 && top_count > p.max_top_sentence_count;
        checks.signal("top_sentence_count", top_count);
        // The first failing check gives the reason; later ones only add signals.
        let (phrase_lines, phrase) = phrases.widest(&doc.text).unwrap_or((0, String::new()));
        PHRASES.set(phrases);
        checks.signal("phrase_lines", phrase_lines);
        checks.signal("phrase", phrase.as_str());
        checks.fail_if(
            p.max_phrase_lines > 0 && phrase_lines > p.max_phrase_lines,
            || {
                format!(
                    "phrase_lines {phrase_lines} > {}: \"{phrase}\"",
                    p.max_phrase_lines
                )
            },
        );
        checks.signal("sentence_paragraphs", sentence_paragraphs);
        checks.fail_if(
            p.max_sentence_paragraphs > 0 && sentence_paragraphs > p.max_sentence_paragraphs,
            || {
                format!(
                    "sentence_paragraphs {sentence_paragraphs} > {}: \"{spread_sentence}\"",
                    p.max_sentence_paragraphs
                )
            },
        );
        checks.fail_if(count_failed, || {
            named(format!(
                "top_sentence_count {top_count} > {}",
                p.max_top_sentence_count
            ))
        });
        checks.check("top_sentence_share", top_share, p.max_top_sentence_share);
        checks.check(
            "dup_sentence_frac",
            repeats as f64 / counted.max(1) as f64,
            p.max_dup_sentence_frac,
        );
        checks.check(
            "dup_sentence_char_frac",
            repeat_chars as f64 / total_chars,
            p.max_dup_sentence_char_frac,
        );
        checks.finish(doc, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Verdict, Document) {
        run_with(StuffingParams::default(), text)
    }

    fn run_with(params: StuffingParams, text: &str) -> (Verdict, Document) {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "s".into(),
            record_signals: true,
        };
        let verdict = Stuffing::new(params).process(&mut doc, &cx);
        (verdict, doc)
    }

    #[test]
    fn word_keys_keep_lowercase_letters_and_digits_on_both_paths() {
        // FNV-1a over each kept character's code point.
        let step = |h: u64, c: char| (h ^ c as u64).wrapping_mul(FNV_PRIME);
        let expected = step(step(step(FNV_OFFSET, 'a'), 'b'), '1');
        assert_eq!(word_key("Ab1!"), expected);
        // "—" is not ASCII: the general path gives the ASCII path's key.
        assert_eq!(word_key("aB1—"), expected);
        assert_eq!(word_key("ÄB"), word_key("äb"));
        assert_ne!(word_key("äb"), word_key("ab"));
    }

    /// The cut rule as written, character by character: the reference for the ASCII search.
    fn cut_by_chars(line: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut start = 0;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next_space = chars.peek().is_some_and(|&(_, n)| n.is_whitespace());
            if crate::charsets::contains(crate::charsets::TERMINAL_PUNCTUATION, c) && next_space {
                parts.push(&line[start..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        parts.push(&line[start..]);
        parts
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn sentence_cuts_are_those_of_the_rule(line in "[a-c .!?,;\t\x0b\x0c\ré。\u{a0}]{0,30}") {
            let words: Vec<&str> = line.split_whitespace().collect();
            let got: Vec<&str> = line_sentences(&words).map(|s| span(&line, s)).collect();
            proptest::prop_assert_eq!(got, cut_by_chars(&line));
        }
    }

    #[test]
    fn sentences_split_at_lines_and_terminal_punctuation() {
        let got = sentences("Eins zwei. Drei vier!\nFünf 3.5 sechs\n\n  ");
        assert_eq!(got, ["Eins zwei.", "Drei vier!", "Fünf 3.5 sechs"]);
    }

    #[test]
    fn a_headline_repeated_in_paragraphs_is_flagged_and_named() {
        let headline = "Stadtrat beschließt neues Radwegenetz für Leipzig";
        let body = "Der Rat hat am Montag lange beraten und am Ende zugestimmt.";
        // The headline 4 times (title + 3 paragraph ends): more than 3 (a check off by default).
        let counted = || StuffingParams {
            max_top_sentence_count: 3,
            ..Default::default()
        };
        let text = format!("{headline}\n\n{body} {headline}.\n\n{body} Noch ein Satz hier. {headline}.\n\n{body} {headline}");
        let (verdict, doc) = run_with(counted(), &text);
        assert_eq!(
            verdict,
            Verdict::drop(format!("top_sentence_count 4 > 3: \"{headline}\""))
        );
        assert_eq!(doc.annotations["s"]["top_sentence"], headline);
        // Three times (the body sentence too, 3 times) is not more than 3.
        let text = format!("{headline}\n\n{body} {headline}.\n\n{body} {headline}.\n\n{body}");
        assert_eq!(run_with(counted(), &text).0, Verdict::Keep);
    }

    #[test]
    fn a_headline_phrase_inside_four_paragraphs_is_flagged() {
        let headline = "US-Militär nimmt Operationen gegen den IS im Irak wieder auf";
        let text = [
            "Die Lage bleibt nach den Angriffen der letzten Woche angespannt, aber das",
            "Ein Sprecher der Regierung in Bagdad sagte am Dienstag, das",
            "Weitere Einzelheiten sollen in den kommenden Tagen folgen, denn das",
            "Die Verbündeten wurden vorab informiert und begrüßen, dass das",
        ]
        .map(|lead| format!("{lead} {headline}."))
        .join("\n\n");
        let (verdict, doc) = run(&text);
        // "das" + the headline's first 7 words, the earliest 8-word phrase in all 4 paragraphs
        // (> 3); the full sentences differ, so the sentence count alone would not see it.
        assert_eq!(
            verdict,
            Verdict::drop(
                "phrase_lines 4 > 3: \"das US-Militär nimmt Operationen gegen den IS im\""
            )
        );
        assert_eq!(doc.annotations["s"]["top_sentence_count"], 1);
    }

    #[test]
    fn one_repeated_quote_and_short_repeats_pass() {
        let quote = "„Wir sind sehr zufrieden mit dem Ergebnis“, sagte die Sprecherin.";
        let text = format!("{quote} Dann folgte eine Pause.\nTeilen\nTeilen\nTeilen\nTeilen\nSpäter sagte sie es noch einmal. {quote}");
        let (verdict, doc) = run(&text);
        assert_eq!(verdict, Verdict::Keep);
        assert_eq!(doc.annotations["s"]["top_sentence_count"], 2);
    }
}
