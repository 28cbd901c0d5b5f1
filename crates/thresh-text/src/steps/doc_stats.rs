//! `doc_stats`: per-document statistics, the values datatrove 0.10.1's `DocStats`,
//! `LineStats`, `ParagraphStats` and `WordStats` blocks compute in `extract_stats`, under their
//! names, as numbers in `thresh.<step name>.<stat>` (e.g. `thresh.doc_stats.white_space_ratio`).
//! The document is never dropped or changed.
//!
//! - `doc`: `length` (code points), `white_space_ratio`, `non_alpha_digit_ratio`,
//!   `digit_ratio`, `uppercase_ratio`, `elipsis_ratio` (characters in `...` and `…`),
//!   `punctuation_ratio` (characters of datatrove's `PUNCTUATION` string), each per character.
//! - `line` (the text split at `\n`): `n_lines`, `avg_line_length`,
//!   `short_line_ratio_chars_<k>` (at most k characters), `long_line_ratio_chars_<k>` (at
//!   least k), `lines_ending_with_terminal_mark_ratio` (`.` `?` `!` `"` `'`, not stripped),
//!   `bullet_point_lines_ratio` (`-` `*` `•` after stripping), `line_duplicates`,
//!   `line_char_duplicates`.
//! - `paragraph` (the non-blank parts between `\n\n`): `n_paragraphs`, `avg_paragraph_length`,
//!   `short_paragraph_ratio_<k>`, `long_paragraph_ratio_<k>`, `paragraph_duplicates`,
//!   `paragraph_char_duplicates`.
//! - `word` (datatrove's spaCy words of the language, punctuation tokens included): `n_words`,
//!   `avg_word_length`, `avg_words_per_line` (per Python `splitlines()` line),
//!   `short_word_ratio_<k>`, `long_word_ratio_<k>`, `type_token_ratio`, `uppercase_word_ratio`
//!   (`str.isupper`), `capitalized_word_ratio` (`str.istitle`), `stop_word_ratio`.
//!
//! Characters are classified as Python's `str` methods do: `isspace`, `isalpha` (general
//! category L*), `isdigit` (decimal digits and Numeric_Type=Digit, e.g. `²`, `①`), `isupper`
//! (the Uppercase property). A ratio or average with nothing to divide by is 0, as in datatrove.
//! Unlike datatrove's `WordStats` (English unless configured), the word tokenizer follows the
//! document's `thresh.lang` when `language` is not set, as thresh's quality steps do.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::duplicates::find_duplicates;
use crate::language::step_language;
use crate::pystr;
use crate::segment::Segmenter;

/// A family of statistics (one datatrove stats block).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// `DocStats`: character ratios.
    Doc,
    /// `LineStats`.
    Line,
    /// `ParagraphStats`.
    Paragraph,
    /// `WordStats`.
    Word,
}

/// Parameters of `doc_stats`: datatrove's names and defaults for the thresholds, stop words
/// and language; `stats` picks the families.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocStatsParams {
    /// The families to compute (default all: `["doc", "line", "paragraph", "word"]`).
    pub stats: Vec<Family>,
    /// `short_line_ratio_chars_<k>` for each k (default `[10, 30]`; `[]`: none). datatrove's
    /// spelling.
    pub max_k_chars_per_line_tresholds: Vec<usize>,
    /// `long_line_ratio_chars_<k>` for each k (default `[2000, 10000]`; `[]`: none).
    pub min_k_chars_per_line_thresholds: Vec<usize>,
    /// Leave blank lines out of every line statistic but `n_lines` (default false).
    pub ignore_empty_lines: bool,
    /// `short_paragraph_ratio_<k>` for each k (default, and for `[]`, `[100]`).
    pub short_paragraph_max_chars_threshold: Vec<usize>,
    /// `long_paragraph_ratio_<k>` for each k (default, and for `[]`, `[1000]`).
    pub long_paragraph_max_chars_threshold: Vec<usize>,
    /// `short_word_ratio_<k>` for each k (default, and for `[]`, `[3]`).
    pub short_word_max_chars_threshold: Vec<usize>,
    /// `long_word_ratio_<k>` for each k (default, and for `[]`, `[7]`).
    pub long_word_max_chars_threshold: Vec<usize>,
    /// The stop words (exact, case-sensitive tokens); default datatrove's English list.
    pub stop_words: Vec<String>,
    /// Language of the word tokenizer; default: the document's `thresh.lang`, else English.
    pub language: Option<String>,
}

impl Default for DocStatsParams {
    fn default() -> Self {
        DocStatsParams {
            stats: vec![Family::Doc, Family::Line, Family::Paragraph, Family::Word],
            max_k_chars_per_line_tresholds: vec![10, 30],
            min_k_chars_per_line_thresholds: vec![2000, 10000],
            ignore_empty_lines: false,
            short_paragraph_max_chars_threshold: vec![100],
            long_paragraph_max_chars_threshold: vec![1000],
            short_word_max_chars_threshold: vec![3],
            long_word_max_chars_threshold: vec![7],
            stop_words: ["the", "be", "to", "of", "and", "that", "have", "with"]
                .map(String::from)
                .to_vec(),
            language: None,
        }
    }
}

/// Thresholds with the names of their statistics.
type Named = Vec<(usize, String)>;

/// The `doc_stats` step.
pub struct DocStats {
    families: [bool; 4],
    short_lines: Named,
    long_lines: Named,
    ignore_empty_lines: bool,
    short_paragraphs: Named,
    long_paragraphs: Named,
    short_words: Named,
    long_words: Named,
    stop_words: HashSet<String>,
    language: Option<String>,
}

impl DocStats {
    /// A step with the given parameters.
    pub fn new(p: DocStatsParams) -> Self {
        fn named(prefix: &str, ks: Vec<usize>, or: usize) -> Named {
            let ks = if ks.is_empty() { vec![or] } else { ks };
            ks.into_iter()
                .map(|k| (k, format!("{prefix}{k}")))
                .collect()
        }
        fn named_or_none(prefix: &str, ks: Vec<usize>) -> Named {
            ks.into_iter()
                .map(|k| (k, format!("{prefix}{k}")))
                .collect()
        }
        let mut families = [false; 4];
        for f in &p.stats {
            families[*f as usize] = true;
        }
        DocStats {
            families,
            short_lines: named_or_none("short_line_ratio_chars_", p.max_k_chars_per_line_tresholds),
            long_lines: named_or_none("long_line_ratio_chars_", p.min_k_chars_per_line_thresholds),
            ignore_empty_lines: p.ignore_empty_lines,
            short_paragraphs: named(
                "short_paragraph_ratio_",
                p.short_paragraph_max_chars_threshold,
                100,
            ),
            long_paragraphs: named(
                "long_paragraph_ratio_",
                p.long_paragraph_max_chars_threshold,
                1000,
            ),
            short_words: named("short_word_ratio_", p.short_word_max_chars_threshold, 3),
            long_words: named("long_word_ratio_", p.long_word_max_chars_threshold, 7),
            stop_words: p.stop_words.into_iter().collect(),
            language: p.language,
        }
    }

    fn doc(text: &str, out: &mut Map<String, Value>) {
        let (mut n, mut space, mut other, mut digit, mut upper, mut punct) = (0, 0, 0, 0, 0, 0);
        let mut ellipses = 0;
        for c in text.chars() {
            let f = flags(c);
            n += 1;
            space += usize::from(f & SPACE != 0);
            other += usize::from(f & (ALPHA | DIGIT) == 0);
            digit += usize::from(f & DIGIT != 0);
            upper += usize::from(f & UPPER != 0);
            punct += usize::from(f & PUNCT != 0);
            ellipses += usize::from(c == '…');
        }
        ellipses += 3 * pystr::count(text, "...");
        out.insert("length".into(), n.into());
        for (name, count) in [
            ("white_space_ratio", space),
            ("non_alpha_digit_ratio", other),
            ("digit_ratio", digit),
            ("uppercase_ratio", upper),
            ("elipsis_ratio", ellipses),
            ("punctuation_ratio", punct),
        ] {
            out.insert(name.into(), ratio(count, n).into());
        }
    }

    fn line(&self, text: &str, out: &mut Map<String, Value>) {
        let all: Vec<&str> = text.split('\n').collect();
        out.insert("n_lines".into(), all.len().into());
        let lines: Vec<(&str, usize)> = all
            .into_iter()
            .filter(|l| !self.ignore_empty_lines || !pystr::strip(l).is_empty())
            .map(|l| (l, pystr::len(l)))
            .collect();
        let n = lines.len();
        let chars: usize = lines.iter().map(|&(_, len)| len).sum();
        let share = |keep: &dyn Fn(&(&str, usize)) -> bool| {
            ratio(lines.iter().filter(|l| keep(l)).count(), n)
        };
        out.insert("avg_line_length".into(), ratio(chars, n).into());
        for (k, name) in &self.short_lines {
            out.insert(name.clone(), share(&|&(_, len)| len <= *k).into());
        }
        for (k, name) in &self.long_lines {
            out.insert(name.clone(), share(&|&(_, len)| len >= *k).into());
        }
        let terminal = share(&|&(l, _)| l.ends_with(['.', '?', '!', '"', '\'']));
        out.insert(
            "lines_ending_with_terminal_mark_ratio".into(),
            terminal.into(),
        );
        let bullets = share(&|&(l, _)| pystr::strip(l).starts_with(['-', '*', '•']));
        out.insert("bullet_point_lines_ratio".into(), bullets.into());
        let (dups, dup_chars) = find_duplicates(lines.iter().map(|&(l, _)| l));
        out.insert("line_duplicates".into(), ratio(dups, n).into());
        out.insert(
            "line_char_duplicates".into(),
            ratio(dup_chars, chars).into(),
        );
    }

    fn paragraph(&self, text: &str, out: &mut Map<String, Value>) {
        let paragraphs: Vec<(&str, usize)> = text
            .split("\n\n")
            .filter(|p| !pystr::strip(p).is_empty())
            .map(|p| (p, pystr::len(p)))
            .collect();
        let n = paragraphs.len();
        let chars: usize = paragraphs.iter().map(|&(_, len)| len).sum();
        let share = |keep: &dyn Fn(usize) -> bool| {
            ratio(paragraphs.iter().filter(|&&(_, len)| keep(len)).count(), n)
        };
        out.insert("n_paragraphs".into(), n.into());
        out.insert("avg_paragraph_length".into(), ratio(chars, n).into());
        for (k, name) in &self.short_paragraphs {
            out.insert(name.clone(), share(&|len| len <= *k).into());
        }
        for (k, name) in &self.long_paragraphs {
            out.insert(name.clone(), share(&|len| len >= *k).into());
        }
        let (dups, dup_chars) = find_duplicates(paragraphs.iter().map(|&(p, _)| p));
        out.insert("paragraph_duplicates".into(), ratio(dups, n).into());
        out.insert(
            "paragraph_char_duplicates".into(),
            ratio(dup_chars, chars).into(),
        );
    }

    fn word(&self, text: &str, language: &str, out: &mut Map<String, Value>) {
        let words = Segmenter::for_language(language).words(text);
        let lens: Vec<usize> = words.iter().map(|w| pystr::len(w)).collect();
        let n = words.len();
        let share = |count: usize| ratio(count, n);
        out.insert("n_words".into(), n.into());
        out.insert("avg_word_length".into(), share(lens.iter().sum()).into());
        let lines = pystr::splitlines(text).len();
        out.insert("avg_words_per_line".into(), ratio(n, lines).into());
        for (k, name) in &self.short_words {
            out.insert(
                name.clone(),
                share(lens.iter().filter(|&l| l <= k).count()).into(),
            );
        }
        for (k, name) in &self.long_words {
            out.insert(
                name.clone(),
                share(lens.iter().filter(|&l| l >= k).count()).into(),
            );
        }
        let types: HashSet<&str> = words.iter().copied().collect();
        out.insert("type_token_ratio".into(), share(types.len()).into());
        let count = |keep: fn(&str) -> bool| words.iter().filter(|w| keep(w)).count();
        out.insert("uppercase_word_ratio".into(), share(count(is_upper)).into());
        out.insert(
            "capitalized_word_ratio".into(),
            share(count(is_title)).into(),
        );
        let stop = words
            .iter()
            .filter(|w| self.stop_words.contains(**w))
            .count();
        out.insert("stop_word_ratio".into(), share(stop).into());
    }
}

impl Step for DocStats {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut out = Map::new();
        let text = doc.text.as_str();
        let [doc_family, line, paragraph, word] = self.families;
        if doc_family {
            Self::doc(text, &mut out);
        }
        if line {
            self.line(text, &mut out);
        }
        if paragraph {
            self.paragraph(text, &mut out);
        }
        if word {
            self.word(text, step_language(self.language.as_deref(), doc), &mut out);
        }
        doc.step_annotations(&cx.name).extend(out);
        Verdict::Keep
    }
}

/// datatrove's `_safe_divide`: 0 for a zero denominator.
fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

const SPACE: u8 = 1;
const ALPHA: u8 = 2;
const DIGIT: u8 = 4;
const UPPER: u8 = 8;
const PUNCT: u8 = 16;

/// The characters of datatrove's `PUNCTUATION` string (`DocStats`' punctuation) above U+009F,
/// sorted; below it are the ASCII punctuation and the control characters but `\t` and `\n`.
const PUNCTUATION_WIDE: &[char] = &[
    '«', '´', '»', '–', '—', '’', '“', '”', '„', '…', '∶', '━', '►', '、', '。', '〈', '〉', '《',
    '》', '「', '」', '【', '】', '！', '％', '（', '）', '，', '．', '１', '：', '；', '？', '～',
];

/// Python's Numeric_Type=Digit characters, which `str.isdigit` accepts besides the decimal
/// digits (Unicode 14, Python 3.11).
const DIGIT_TYPE: &[(char, char)] = &[
    ('\u{b2}', '\u{b3}'),
    ('\u{b9}', '\u{b9}'),
    ('\u{1369}', '\u{1371}'),
    ('\u{19da}', '\u{19da}'),
    ('\u{2070}', '\u{2070}'),
    ('\u{2074}', '\u{2079}'),
    ('\u{2080}', '\u{2089}'),
    ('\u{2460}', '\u{2468}'),
    ('\u{2474}', '\u{247c}'),
    ('\u{2488}', '\u{2490}'),
    ('\u{24ea}', '\u{24ea}'),
    ('\u{24f5}', '\u{24fd}'),
    ('\u{24ff}', '\u{24ff}'),
    ('\u{2776}', '\u{277e}'),
    ('\u{2780}', '\u{2788}'),
    ('\u{278a}', '\u{2792}'),
    ('\u{10a40}', '\u{10a43}'),
    ('\u{10e60}', '\u{10e68}'),
    ('\u{11052}', '\u{1105a}'),
    ('\u{1f100}', '\u{1f10a}'),
];

/// The titlecase letters (general category Lt), which Python's `isupper`/`istitle` treat
/// apart from upper- and lowercase.
const TITLECASE: &[(char, char)] = &[
    ('\u{1c5}', '\u{1c5}'),
    ('\u{1c8}', '\u{1c8}'),
    ('\u{1cb}', '\u{1cb}'),
    ('\u{1f2}', '\u{1f2}'),
    ('\u{1f88}', '\u{1f8f}'),
    ('\u{1f98}', '\u{1f9f}'),
    ('\u{1fa8}', '\u{1faf}'),
    ('\u{1fbc}', '\u{1fbc}'),
    ('\u{1fcc}', '\u{1fcc}'),
    ('\u{1ffc}', '\u{1ffc}'),
];

/// Inclusive character ranges, sorted.
type Ranges = Vec<(char, char)>;

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    let i = ranges.partition_point(|&(_, last)| last < c);
    ranges.get(i).is_some_and(|&(first, _)| first <= c)
}

/// The ranges of non-ASCII letters (general category L*) and decimal digits (Nd), from the
/// `regex` crate's Unicode tables, built on first use.
fn wide_classes() -> &'static (Ranges, Ranges) {
    static CLASSES: OnceLock<(Ranges, Ranges)> = OnceLock::new();
    CLASSES.get_or_init(|| {
        // Planes 0–3 hold every letter and digit; planes 4–16 only tags, variation
        // selectors and private use.
        let all: String = ('\u{80}'..'\u{40000}').collect();
        let ranges = |pattern: &str| -> Ranges {
            let re = regex::Regex::new(pattern).expect("valid pattern");
            re.find_iter(&all)
                .map(|m| {
                    let s = m.as_str();
                    let first = s.chars().next().expect("non-empty match");
                    (first, s.chars().next_back().unwrap_or(first))
                })
                .collect()
        };
        (ranges(r"\p{L}+"), ranges(r"\p{Nd}+"))
    })
}

/// The ASCII classes, by code.
static ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let mut f = 0;
        if matches!(b, b'\t'..=b'\r' | 0x1c..=0x20) {
            f |= SPACE;
        }
        if b.is_ascii_alphabetic() {
            f |= ALPHA;
        }
        if b.is_ascii_digit() {
            f |= DIGIT;
        }
        if b.is_ascii_uppercase() {
            f |= UPPER;
        }
        if b.is_ascii_punctuation() || (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f {
            f |= PUNCT;
        }
        table[i] = f;
        i += 1;
    }
    table
};

/// Python's classes of one character: `isspace`, `isalpha`, `isdigit`, `isupper`, and
/// membership of datatrove's `PUNCTUATION`.
fn flags(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII[c as usize];
    }
    let (letters, decimals) = wide_classes();
    let mut f = 0;
    if pystr::is_space(c) {
        f |= SPACE;
    }
    if in_ranges(letters, c) {
        f |= ALPHA;
    } else if in_ranges(decimals, c) || in_ranges(DIGIT_TYPE, c) {
        f |= DIGIT;
    }
    if c.is_uppercase() {
        f |= UPPER;
    }
    if c <= '\u{9f}' || PUNCTUATION_WIDE.binary_search(&c).is_ok() {
        f |= PUNCT;
    }
    f
}

/// Python's `s.isupper()`: no lowercase or titlecase character, and an uppercase one.
fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || in_ranges(TITLECASE, c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Python's `s.istitle()`: every uppercase or titlecase character follows an uncased one,
/// every lowercase one a cased one, and there is a cased character.
fn is_title(s: &str) -> bool {
    let (mut cased, mut previous_cased) = (false, false);
    for c in s.chars() {
        if c.is_uppercase() || in_ranges(TITLECASE, c) {
            if previous_cased {
                return false;
            }
            previous_cased = true;
            cased = true;
        } else if c.is_lowercase() {
            if !previous_cased {
                return false;
            }
            previous_cased = true;
        } else {
            previous_cased = false;
        }
    }
    cased
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(params: DocStatsParams, text: &str) -> Map<String, Value> {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "ds".into(),
            record_signals: false,
        };
        assert_eq!(DocStats::new(params).process(&mut doc, &cx), Verdict::Keep);
        assert_eq!(doc.text, text);
        match doc.annotations.remove("ds") {
            Some(Value::Object(map)) => map,
            other => panic!("no annotations: {other:?}"),
        }
    }

    fn only(family: Family) -> DocStatsParams {
        DocStatsParams {
            stats: vec![family],
            language: Some("en".into()),
            ..Default::default()
        }
    }

    fn assert_stats(got: &Map<String, Value>, want: &[(&str, f64)]) {
        let names: Vec<&str> = want.iter().map(|(n, _)| *n).collect();
        assert_eq!(got.keys().map(String::as_str).collect::<Vec<_>>(), names);
        for (name, value) in want {
            let v = got[*name].as_f64().unwrap();
            assert!((v - value).abs() < 1e-12, "{name}: {v} != {value}");
        }
    }

    #[test]
    fn doc_family() {
        // "Ab 1²..." + "…!" = A b ␠ 1 ² . . . … ! (10 characters): 1 space; 2 letters, 2 digits
        // (² is a Python digit), so 6 neither; 1 uppercase; ellipsis 3 + 1; punctuation: the
        // three dots, … and ! = 5.
        assert_stats(
            &stats(only(Family::Doc), "Ab 1²...…!"),
            &[
                ("length", 10.0),
                ("white_space_ratio", 0.1),
                ("non_alpha_digit_ratio", 0.6),
                ("digit_ratio", 0.2),
                ("uppercase_ratio", 0.1),
                ("elipsis_ratio", 0.4),
                ("punctuation_ratio", 0.5),
            ],
        );
        // "...." is one "..." and a dot: ellipsis 3 of 4. \t and \n are not punctuation, \r
        // is; "ä" is a letter, "Ä" uppercase, "٣" (Arabic-Indic three) a digit.
        let got = stats(only(Family::Doc), "....");
        assert_eq!(got["elipsis_ratio"], 0.75);
        let got = stats(only(Family::Doc), "\t\n\rÄä٣");
        assert_eq!(got["punctuation_ratio"], 1.0 / 6.0);
        assert_eq!(got["white_space_ratio"], 0.5);
        assert_eq!(got["digit_ratio"], 1.0 / 6.0);
        assert_eq!(got["non_alpha_digit_ratio"], 0.5);
        assert_eq!(got["uppercase_ratio"], 1.0 / 6.0);
        // Nothing to divide by: 0.
        let got = stats(only(Family::Doc), "");
        assert_eq!(got["length"], 0);
        assert_eq!(got["white_space_ratio"], 0.0);
    }

    #[test]
    fn line_family() {
        // Lines "- a." (4), "" (0), "- a." (4), "x" * 12 + "\"" (13): 4 lines, 21 characters.
        // ≤ 10: 3; ≤ 30: 4; terminal: 3 ("- a." twice and the quote); bullets 2; one repeat
        // of 4 characters.
        let text = format!("- a.\n\n- a.\n{}\"", "x".repeat(12));
        assert_stats(
            &stats(only(Family::Line), &text),
            &[
                ("n_lines", 4.0),
                ("avg_line_length", 21.0 / 4.0),
                ("short_line_ratio_chars_10", 0.75),
                ("short_line_ratio_chars_30", 1.0),
                ("long_line_ratio_chars_2000", 0.0),
                ("long_line_ratio_chars_10000", 0.0),
                ("lines_ending_with_terminal_mark_ratio", 0.75),
                ("bullet_point_lines_ratio", 0.5),
                ("line_duplicates", 0.25),
                ("line_char_duplicates", 4.0 / 21.0),
            ],
        );
        // ignore_empty_lines: n_lines still 4, the rest over the 3 non-blank lines; other
        // thresholds name other statistics, and [] gives none.
        let params = DocStatsParams {
            ignore_empty_lines: true,
            max_k_chars_per_line_tresholds: vec![4],
            min_k_chars_per_line_thresholds: vec![],
            ..only(Family::Line)
        };
        let got = stats(params, &text);
        assert_eq!(got["n_lines"], 4);
        assert_eq!(got["avg_line_length"], 7.0);
        assert_eq!(got["short_line_ratio_chars_4"], 2.0 / 3.0);
        assert!(!got.contains_key("long_line_ratio_chars_2000"));
        assert_eq!(got["bullet_point_lines_ratio"], 2.0 / 3.0);
        // Lines split at \n only: "a.\r" does not end in a terminal mark; " * b" is a bullet.
        let got = stats(only(Family::Line), "a.\r\n * b");
        assert_eq!(got["n_lines"], 2);
        assert_eq!(got["lines_ending_with_terminal_mark_ratio"], 0.0);
        assert_eq!(got["bullet_point_lines_ratio"], 0.5);
        // The empty text is one empty line.
        let got = stats(only(Family::Line), "");
        assert_eq!(got["n_lines"], 1);
        assert_eq!(got["short_line_ratio_chars_10"], 1.0);
    }

    #[test]
    fn paragraph_family() {
        // Parts "Hi", "  ", "Hi", "\n" + "y" * 1000: the blank one goes; 3 paragraphs of 2, 2 and
        // 1001 characters; one repeat of 2.
        let text = format!("Hi\n\n  \n\nHi\n\n\n{}", "y".repeat(1000));
        assert_stats(
            &stats(only(Family::Paragraph), &text),
            &[
                ("n_paragraphs", 3.0),
                ("avg_paragraph_length", 1005.0 / 3.0),
                ("short_paragraph_ratio_100", 2.0 / 3.0),
                ("long_paragraph_ratio_1000", 1.0 / 3.0),
                ("paragraph_duplicates", 1.0 / 3.0),
                ("paragraph_char_duplicates", 2.0 / 1005.0),
            ],
        );
        // An empty threshold list means the default, as datatrove's `or [100]`.
        let params = DocStatsParams {
            short_paragraph_max_chars_threshold: vec![],
            long_paragraph_max_chars_threshold: vec![2],
            ..only(Family::Paragraph)
        };
        let got = stats(params, &text);
        assert!(got.contains_key("short_paragraph_ratio_100"));
        assert_eq!(got["long_paragraph_ratio_2"], 1.0);
        assert_eq!(stats(only(Family::Paragraph), "")["n_paragraphs"], 0);
    }

    #[test]
    fn word_family() {
        // spaCy English: The DOG dog the dog , Ǆ ǅx ! (9 words, 2 lines): lengths
        // 3 3 3 3 3 1 1 2 1 = 20; ≤ 3: all; ≥ 7: none; 8 types ("dog" twice); upper: DOG, Ǆ;
        // title: The, Ǆ, ǅx (ǅ is titlecase); stop words: "the" once (case-sensitive).
        assert_stats(
            &stats(only(Family::Word), "The DOG dog the dog,\nǄ ǅx!"),
            &[
                ("n_words", 9.0),
                ("avg_word_length", 20.0 / 9.0),
                ("avg_words_per_line", 4.5),
                ("short_word_ratio_3", 1.0),
                ("long_word_ratio_7", 0.0),
                ("type_token_ratio", 8.0 / 9.0),
                ("uppercase_word_ratio", 2.0 / 9.0),
                ("capitalized_word_ratio", 3.0 / 9.0),
                ("stop_word_ratio", 1.0 / 9.0),
            ],
        );
        // Lines for the average are Python's splitlines(): \r and \u{2028} break too.
        let got = stats(only(Family::Word), "a\rb\u{2028}c\n");
        assert_eq!(got["avg_words_per_line"], 1.0);
        // The document's language picks the tokenizer when `language` is unset: German keeps
        // "z.B." whole, English splits it.
        let mut doc = Document::new("d", "z.B. gut");
        doc.annotations.insert("lang".into(), "de".into());
        let cx = StepCx {
            name: "ds".into(),
            record_signals: false,
        };
        let params = DocStatsParams {
            stats: vec![Family::Word],
            ..Default::default()
        };
        DocStats::new(params).process(&mut doc, &cx);
        assert_eq!(doc.annotations["ds"]["n_words"], 2);
        assert_eq!(doc.annotations["lang"], "de");
    }

    #[test]
    fn python_case_predicates() {
        // Python: "ABC1".isupper(), not "ABc".isupper(), not "ǅ".isupper(), not "12".isupper();
        // "Hello".istitle(), "Hello World1".istitle(), "ǅx".istitle(), not "HeLLo".istitle(),
        // not "hello".istitle(), not "1".istitle(), "A1B".istitle().
        assert!(is_upper("ABC1") && !is_upper("ABc") && !is_upper("ǅ") && !is_upper("12"));
        assert!(is_title("Hello") && is_title("Hello World1") && is_title("ǅx"));
        assert!(!is_title("HeLLo") && !is_title("hello") && !is_title("1"));
        assert!(is_title("A1B"));
    }

    #[test]
    fn character_classes() {
        // Python isalpha: "ß", "中", "ʰ" (Lm); not "Ⅻ" (Nl), not U+0301 (Mn). isdigit: "٣",
        // "①", "¹"; not "½". PUNCTUATION: "１" (fullwidth one) and U+0085; not "¿".
        for c in ['ß', '中', 'ʰ'] {
            assert_eq!(flags(c) & ALPHA, ALPHA, "{c}");
        }
        for c in ['Ⅻ', '\u{301}', '½'] {
            assert_eq!(flags(c) & (ALPHA | DIGIT), 0, "{c}");
        }
        for c in ['٣', '①', '¹', '𝟗'] {
            assert_eq!(flags(c) & DIGIT, DIGIT, "{c}");
        }
        assert_eq!(flags('１') & (PUNCT | DIGIT), PUNCT | DIGIT);
        assert_eq!(flags('\u{85}'), PUNCT | SPACE);
        assert_eq!(flags('¿'), 0);
        assert!(PUNCTUATION_WIDE.windows(2).all(|w| w[0] < w[1]));
        // datatrove's PUNCTUATION has 129 characters: 95 below U+00A0 (63 control characters,
        // 32 ASCII punctuation) and these.
        let narrow = (0..0xa0u8).filter(|&b| b >= 0x80 || ASCII[b as usize] & PUNCT != 0);
        assert_eq!(narrow.count() + PUNCTUATION_WIDE.len(), 129);
    }

    #[test]
    fn params_and_families() {
        let p: DocStatsParams = toml::from_str("stats = [\"doc\", \"paragraph\"]").unwrap();
        let got = stats(p, "x");
        assert!(got.contains_key("length") && got.contains_key("n_paragraphs"));
        assert!(!got.contains_key("n_lines") && !got.contains_key("n_words"));
        assert!(toml::from_str::<DocStatsParams>("stats = [\"token\"]").is_err());
        assert!(toml::from_str::<DocStatsParams>("groups_to_compute = []").is_err());
    }

    /// The statistics that are counts or averages rather than ratios in [0, 1].
    fn unbounded(name: &str) -> bool {
        name == "length" || name.starts_with("n_") || name.starts_with("avg_")
    }

    proptest::proptest! {
        #[test]
        fn values_are_finite_and_ratios_fractions(
            text in "[ a-zA-ZäÄ0-9²ǅ.…!?\"'*•\\-\n\r\t\u{2028}\u{a0}中,]{0,80}",
            ignore_empty_lines in proptest::bool::ANY,
        ) {
            let params = DocStatsParams {
                ignore_empty_lines,
                language: Some("en".into()),
                ..Default::default()
            };
            let got = stats(params, &text);
            proptest::prop_assert_eq!(got.len(), 7 + 10 + 6 + 9);
            for (name, value) in &got {
                let v = value.as_f64().unwrap();
                proptest::prop_assert!(v.is_finite(), "{} = {}", name, v);
                proptest::prop_assert!(v >= 0.0, "{} = {}", name, v);
                if !unbounded(name) {
                    proptest::prop_assert!(v <= 1.0, "{} = {}", name, v);
                }
            }
        }
    }
}
