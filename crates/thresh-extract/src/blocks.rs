//! The learned content decision: every line of the page (only non-text elements and hidden
//! ones left out) with the features of its block — what the rules decided about it, its text,
//! link density, tag, the class/id words and tags around it, its position and its neighbours —
//! and how often its shape (tag, depth, containers) recurs on the page and inside the rules'
//! choice — for a [`BlockModel`](crate::model::BlockModel) to keep or drop.

use rustc_hash::FxHashMap;

use crate::boilerplate::Mark;
use crate::dom::{Dom, NodeId, Tag};
use crate::page::Page;
use crate::render::{self, RenderOptions};

/// Features per line.
pub const FEATURES: usize = 50;

/// The lines of a page with their features.
#[derive(Default)]
pub struct Lines {
    /// The lines as rendered.
    pub text: render::Lines,
    /// Per line, its features and whether it is kept.
    pub lines: Vec<Line>,
}

/// What is known of one line of the page.
pub struct Line {
    /// Its features, in the order [`lines`] lists them.
    pub features: [f32; FEATURES],
    /// Kept whatever the model says: a table row or a comment the rules kept (tables and
    /// comments are asked for by option; the benchmarks' ground truth mostly leaves them out).
    pub kept: bool,
}

// Bits of what a node and its ancestors are.
const STRONG: u32 = 1;
const WEAK: u32 = 1 << 1;
const COMMENT: u32 = 1 << 2;
const BODY: u32 = 1 << 3;
const MAIN_NAME: u32 = 1 << 4;
const ARTICLE: u32 = 1 << 5;
const MAIN: u32 = 1 << 6;
const HEADER: u32 = 1 << 7;
const FORM: u32 = 1 << 8;
const TABLE: u32 = 1 << 9;
const LIST: u32 = 1 << 10;
const QUOTE: u32 = 1 << 11;
const CHOSEN: u32 = 1 << 12;
const REMOVED: u32 = 1 << 13;

/// The lines of an unmasked page (see [`Page::unmask`]) with their features. `removed` is
/// what the full cleaning excluded, `chosen` the rules' content nodes, `main` the rules' text.
pub fn lines(
    page: &Page<'_>,
    removed: &[bool],
    chosen: &[NodeId],
    main: &str,
    tables: bool,
    comments: bool,
) -> Lines {
    let dom = &page.dom;
    let options = RenderOptions {
        tables,
        prune_links: false,
        trim_tail: false,
        bare_headings: false,
    };
    let rendered = render::render_lines(page, &[page.body], options);
    if rendered.is_empty() {
        return Lines::default();
    }
    // Node ids follow document order: a parent's bits are known before its children's (a
    // chosen node's own bit set beforehand; the root has none).
    let mut bits = vec![0u32; dom.nodes.len()];
    for &id in chosen.iter().filter(|&&id| id != Dom::ROOT) {
        bits[id as usize] = CHOSEN;
    }
    let mut depth = vec![0u8; dom.nodes.len()];
    for id in 1..dom.nodes.len() {
        let parent = dom.nodes[id].parent as usize;
        let names = page.names[id];
        let mut b = bits[parent] | bits[id];
        match names.mark(false) {
            Mark::Strong => b |= STRONG,
            Mark::Weak => b |= WEAK,
            Mark::None => {}
        }
        b |= [
            (names.comments(), COMMENT),
            (names.body(), BODY),
            (names.main(), MAIN_NAME),
            (removed[id], REMOVED),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |acc, (_, bit)| acc | bit);
        b |= match dom.tag(id as NodeId) {
            Some(Tag::Article) => ARTICLE,
            Some(Tag::Main) => MAIN,
            Some(Tag::Header) => HEADER,
            Some(Tag::Form) => FORM,
            Some(Tag::Table) => TABLE,
            Some(Tag::Ul | Tag::Ol | Tag::Dl) => LIST,
            Some(Tag::Blockquote) => QUOTE,
            _ => 0,
        };
        bits[id] = b;
        depth[id] = depth[parent].saturating_add(1);
    }
    let (repeated, in_main) = repeats(rendered.iter().map(|(t, _)| t), main);
    let stats: Vec<TextStats> = rendered.iter().map(|(t, _)| text_stats(t)).collect();
    let lengths: Vec<usize> = stats.iter().map(|s| s.chars as usize).collect();
    let total: usize = lengths.iter().sum::<usize>().max(1);
    let main_chars = main.chars().count() - main.bytes().filter(|&b| b == b'\n').count();
    let n = rendered.len();
    // Lines to the nearest line the rules kept, capped at 20.
    let mut distance = vec![20u32; n];
    let mut last = None;
    for i in 0..n {
        if in_main[i] {
            last = Some(i);
        }
        if let Some(l) = last {
            distance[i] = distance[i].min((i - l) as u32);
        }
    }
    last = None;
    for i in (0..n).rev() {
        if in_main[i] {
            last = Some(i);
        }
        if let Some(l) = last {
            distance[i] = distance[i].min((l - i) as u32);
        }
    }
    let codes: Vec<f32> = rendered.iter().map(|(_, b)| tag_code(dom.tag(b))).collect();
    // A line's shape: its tag and depth and whether it sits in an article or a list; the
    // fine shape adds the boilerplate and comment marks. Teaser cards repeat their shape
    // outside the rules' choice, an article's paragraphs inside it.
    let (mut coarse, mut fine) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut article_out, mut article_in) = (0usize, 0usize);
    for (i, (_, block)) in rendered.iter().enumerate() {
        let b = bits[block as usize];
        let shape = codes[i] as u32
            | u32::from(depth[block as usize].min(60)) << 4
            | u32::from(b & ARTICLE != 0) << 10
            | u32::from(b & LIST != 0) << 11;
        coarse.push(shape);
        fine.push(
            shape
                | u32::from(b & STRONG != 0) << 12
                | u32::from(b & WEAK != 0) << 13
                | u32::from(b & COMMENT != 0) << 14,
        );
        if b & ARTICLE != 0 {
            *(if in_main[i] {
                &mut article_in
            } else {
                &mut article_out
            }) += 1;
        }
    }
    let coarse = shapes(&coarse, &in_main);
    let fine = shapes(&fine, &in_main);
    let article_out = article_out as f32 / n as f32;
    let article_in = article_in as f32 / n as f32;
    let heading = |i: usize| (3.0..=8.0).contains(&codes[i]);
    let ln = |x: usize| (1.0 + x as f32).ln();
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    let mut before = 0;
    let mut out = Vec::with_capacity(n);
    for (i, (text, block)) in rendered.iter().enumerate() {
        let b = bits[block as usize];
        let c = page.counts(block);
        let TextStats {
            words,
            commas,
            digits,
            letters,
            upper,
            ..
        } = stats[i];
        let chars = lengths[i];
        let f = [
            flag(in_main[i]),
            flag(b & CHOSEN != 0),
            flag(b & REMOVED != 0),
            ln(chars),
            words as f32,
            flag(text.ends_with(['.', '!', '?', '。', '"', '”', '»', ':'])),
            commas as f32 / words.max(1) as f32,
            c.link_density(),
            ln(c.chars as usize),
            codes[i],
            f32::from(depth[block as usize].min(60)),
            i as f32 / n as f32,
            before as f32 / total as f32,
            flag(b & STRONG != 0),
            flag(b & WEAK != 0),
            flag(b & COMMENT != 0),
            flag(b & BODY != 0),
            flag(b & MAIN_NAME != 0),
            flag(b & ARTICLE != 0),
            flag(b & MAIN != 0),
            flag(b & HEADER != 0),
            flag(b & FORM != 0),
            flag(b & TABLE != 0),
            flag(b & LIST != 0),
            flag(b & QUOTE != 0),
            flag(i > 0 && in_main[i - 1]),
            flag(i + 1 < n && in_main[i + 1]),
            if i > 0 { ln(lengths[i - 1]) } else { -1.0 },
            if i + 1 < n { ln(lengths[i + 1]) } else { -1.0 },
            distance[i] as f32,
            main_chars as f32 / total as f32,
            ln(n),
            flag(text.starts_with("- ")),
            flag(text.contains(" | ")),
            digits as f32 / chars.max(1) as f32,
            upper as f32 / letters.max(1) as f32,
            flag(i > 0 && heading(i - 1)),
            flag(i + 1 < n && heading(i + 1)),
            repeated[i].min(5) as f32,
            flag(text.contains('©') || text.contains("(c)")),
            flag(render::full_line(text)),
            flag(c.prose > 0),
            chars as f32 / c.chars.max(1) as f32,
            flag(main_chars < 250),
            ln(coarse[i].0 as usize),
            coarse[i].1 as f32 / coarse[i].0 as f32,
            article_out,
            article_in,
            ln(fine[i].0 as usize),
            fine[i].1 as f32 / fine[i].0 as f32,
        ];
        before += chars;
        let kept = in_main[i]
            && ((b & TABLE != 0 && text.contains(" | "))
                || (comments && b & COMMENT != 0 && b & CHOSEN != 0));
        out.push(Line { features: f, kept });
    }
    Lines {
        text: rendered,
        lines: out,
    }
}

/// Per line: how many lines share its shape (its own included), and how many of those are
/// in the rules' text.
fn shapes(keys: &[u32], in_main: &[bool]) -> Vec<(u32, u32)> {
    let mut counts: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
    for (&key, &main) in keys.iter().zip(in_main) {
        let c = counts.entry(key).or_default();
        c.0 += 1;
        c.1 += u32::from(main);
    }
    keys.iter().map(|k| counts[k]).collect()
}

/// Per line: how many of the lines have its text (its own included), and whether the rules'
/// text `main` has it as a line.
fn repeats<'t>(lines: impl ExactSizeIterator<Item = &'t str>, main: &str) -> (Vec<u32>, Vec<bool>) {
    // Each distinct text's index in `found`, which counts it and notes it in `main`.
    let mut index: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(lines.len(), Default::default());
    let mut found: Vec<(u32, bool)> = Vec::with_capacity(lines.len());
    let ids: Vec<usize> = lines
        .map(|text| {
            let id = *index.entry(text).or_insert(found.len());
            if id == found.len() {
                found.push((0, false));
            }
            found[id].0 += 1;
            id
        })
        .collect();
    for line in main.lines() {
        if let Some(&id) = index.get(line) {
            found[id].1 = true;
        }
    }
    ids.into_iter().map(|id| found[id]).unzip()
}

/// Character classes of a line's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TextStats {
    chars: u32,
    /// Pieces between whitespace.
    words: u32,
    /// `,` `，` `、`.
    commas: u32,
    /// Numeric characters.
    digits: u32,
    /// Alphabetic characters, and the uppercase ones among them.
    letters: u32,
    upper: u32,
}

/// The [`TextStats`] of a text: runs of ASCII bytewise, other characters one by one.
fn text_stats(text: &str) -> TextStats {
    let mut s = TextStats::default();
    let mut in_word = false;
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        in_word = s.add_ascii(&rest.as_bytes()[..ascii], in_word);
        rest = &rest[ascii..];
        let Some(ch) = rest.chars().next() else {
            break;
        };
        in_word = s.add_char(ch, in_word);
        rest = &rest[ch.len_utf8()..];
    }
    s
}

/// Per ASCII byte, 1 in the 16-bit field of each class it is in: comma, digit, letter,
/// uppercase letter (lowest first).
const ASCII_CLASSES: [u64; 128] = {
    let mut classes = [0; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        classes[b] = (c == b',') as u64
            | (c.is_ascii_digit() as u64) << 16
            | (c.is_ascii_alphabetic() as u64) << 32
            | (c.is_ascii_uppercase() as u64) << 48;
        b += 1;
    }
    classes
};

impl TextStats {
    /// Counts ASCII bytes following a word (`in_word`) or not; returns whether they end in one.
    fn add_ascii(&mut self, bytes: &[u8], in_word: bool) -> bool {
        let mut after_space = !in_word;
        // Each byte adds its classes to four 16-bit counters at once.
        for chunk in bytes.chunks(usize::from(u16::MAX)) {
            let mut packed = 0u64;
            for &b in chunk {
                // ASCII whitespace as `char::is_whitespace` has it (the vertical tab included).
                let space = matches!(b, b' ' | b'\t'..=b'\r');
                self.words += u32::from(!space && after_space);
                after_space = space;
                packed += ASCII_CLASSES[usize::from(b & 0x7f)];
            }
            let field = |i: u32| (packed >> (16 * i)) as u16 as u32;
            self.commas += field(0);
            self.digits += field(1);
            self.letters += field(2);
            self.upper += field(3);
        }
        self.chars += bytes.len() as u32;
        !after_space
    }

    /// Counts one character following a word (`in_word`) or not; returns whether it is in one.
    fn add_char(&mut self, ch: char, in_word: bool) -> bool {
        self.chars += 1;
        if caseless_letter(ch) {
            self.words += u32::from(!in_word);
            self.letters += 1;
            return true;
        }
        let space = ch.is_whitespace();
        self.words += u32::from(!space && !in_word);
        self.commas += u32::from(matches!(ch, ',' | '，' | '、'));
        self.digits += u32::from(ch.is_numeric());
        if ch.is_alphabetic() {
            self.letters += 1;
            self.upper += u32::from(ch.is_uppercase());
        }
        !space
    }
}

/// CJK ideographs, kana and Hangul syllables (most of the text of CJK pages): alphabetic,
/// caseless, neither numeric nor whitespace, without a table lookup.
fn caseless_letter(ch: char) -> bool {
    matches!(
        ch,
        '\u{4e00}'..='\u{9fff}'
            | '\u{ac00}'..='\u{d7a3}'
            | '\u{3041}'..='\u{3096}'
            | '\u{30a1}'..='\u{30fa}'
    )
}

/// The block's tag as a number: `p` 1, `li` 2, `h1`–`h6` 3–8, table rows and cells 9, `div`
/// 10, `pre` 11, `blockquote` 12, `dd`/`dt` 13, `section`/`article`/`main` 14, else 0.
fn tag_code(tag: Option<Tag>) -> f32 {
    match tag {
        Some(Tag::P) => 1.0,
        Some(Tag::Li) => 2.0,
        Some(Tag::H1) => 3.0,
        Some(Tag::H2) => 4.0,
        Some(Tag::H3) => 5.0,
        Some(Tag::H4) => 6.0,
        Some(Tag::H5) => 7.0,
        Some(Tag::H6) => 8.0,
        Some(Tag::Tr | Tag::Td | Tag::Th | Tag::Table | Tag::Tbody | Tag::Thead) => 9.0,
        Some(Tag::Div) => 10.0,
        Some(Tag::Pre) => 11.0,
        Some(Tag::Blockquote) => 12.0,
        Some(Tag::Dd | Tag::Dt) => 13.0,
        Some(Tag::Section | Tag::Article | Tag::Main) => 14.0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{caseless_letter, repeats, shapes, text_stats, TextStats};

    /// The stats counted the plain way: words split at whitespace, then their characters.
    fn plain(text: &str) -> TextStats {
        let mut s = TextStats {
            chars: text.chars().count() as u32,
            ..TextStats::default()
        };
        for w in text.split_whitespace() {
            s.words += 1;
            for ch in w.chars() {
                s.commas += u32::from(matches!(ch, ',' | '，' | '、'));
                s.digits += u32::from(ch.is_numeric());
                if ch.is_alphabetic() {
                    s.letters += 1;
                    s.upper += u32::from(ch.is_uppercase());
                }
            }
        }
        s
    }

    #[test]
    fn text_stats_count_words_and_classes() {
        let s = text_stats("Ab, 12 c\u{0b}d");
        assert_eq!((s.chars, s.words, s.commas, s.digits), (10, 4, 1, 2));
        assert_eq!((s.letters, s.upper), (4, 1));
        assert_eq!(text_stats("Ёж，٣\u{a0}x"), plain("Ёж，٣\u{a0}x"));
        assert_eq!(text_stats(""), TextStats::default());
        // Past the 16-bit counters' chunk, and across ASCII runs.
        let long = "Ab, 1 é".repeat(20_000);
        assert_eq!(text_stats(&long), plain(&long));
    }

    #[test]
    fn shapes_count_each_key_on_the_page_and_in_main() {
        let keys = [7, 3, 7, 7, 3, 9];
        let main = [true, false, false, true, false, false];
        assert_eq!(
            shapes(&keys, &main),
            [(3, 2), (2, 0), (3, 2), (3, 2), (2, 0), (1, 0)]
        );
    }

    #[test]
    fn caseless_letters_are_letters_without_case() {
        let all = (0..=0x10_ffff).filter_map(char::from_u32);
        for ch in all.filter(|&ch| caseless_letter(ch)) {
            assert!(ch.is_alphabetic() && !ch.is_uppercase(), "{ch:?}");
            assert!(!ch.is_numeric() && !ch.is_whitespace(), "{ch:?}");
        }
        assert_eq!(text_stats("中文，한국어 かな"), plain("中文，한국어 かな"));
    }

    proptest! {
        #[test]
        fn repeats_count_equal_lines_and_find_them_in_main(
            lines in proptest::collection::vec("[ab]{0,2}", 0..12),
            main in "[ab\n]{0,12}",
        ) {
            let plain: Vec<(u32, bool)> = lines
                .iter()
                .map(|l| {
                    let n = lines.iter().filter(|m| *m == l).count() as u32;
                    (n, main.lines().any(|m| m == l))
                })
                .collect();
            let (repeated, in_main) = repeats(lines.iter().map(String::as_str), &main);
            let found: Vec<(u32, bool)> = repeated.into_iter().zip(in_main).collect();
            prop_assert_eq!(found, plain);
        }

        #[test]
        fn text_stats_are_the_plain_counts(
            text in "[a-zA-Z0-9 ,.|\t\n\r\u{0b}\u{0c}\u{1c}éÉ٣，、\u{a0}\u{3000}ß©中文한かナ]{0,40}"
        ) {
            prop_assert_eq!(text_stats(&text), plain(&text));
        }
    }
}
