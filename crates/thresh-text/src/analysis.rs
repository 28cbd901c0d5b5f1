//! One analysis per document: the words, lines and paragraphs the quality steps read, computed
//! the first time a step asks and kept with the document (in [`Document::derived`]) while it
//! passes through the steps, so that a chain of filters segments each text once.
//!
//! A step that rewrites the text has nothing to do: the analysis remembers the text it
//! describes (its length and a 64-bit hash) and starts again when the text no longer matches.
//!
//! ```
//! use thresh_text::analysis::TextView;
//! use thresh_text::segment::Segmenter;
//! let mut doc = thresh_core::Document::new("d", "Hello, world.\n\nBye.");
//! let view = TextView::of(&mut doc);
//! let words = view.words(Segmenter::for_language("en"));
//! assert_eq!(words.iter().collect::<Vec<_>>(), ["Hello", ",", "world", ".", "Bye", "."]);
//! assert_eq!(view.lines().collect::<Vec<_>>(), ["Hello, world.", "", "Bye."]);
//! ```

use std::ops::Deref;
use std::sync::OnceLock;

use thresh_core::Document;

use crate::hash::fnv1a;
use crate::pystr;
use crate::segment::Segmenter;

/// Byte range of a part of the text.
type Span = (usize, usize);

/// What the steps derived from one version of a document's text.
#[derive(Default)]
pub struct Analysis {
    /// Length and hash of the text this describes.
    len: usize,
    hash: u64,
    /// The words of the first segmenter asked for.
    words: OnceLock<WordData>,
    /// `text.split('\n')`.
    lines: OnceLock<Vec<Span>>,
}

/// Words of one segmenter, with what the steps compute per word.
pub struct WordData {
    /// Identity of the segmenter (its address: segmenters are static).
    segmenter: usize,
    spans: Vec<Span>,
    /// FNV-1a of each word's bytes.
    hashes: OnceLock<Vec<u64>>,
    /// Each word's length in code points.
    chars: OnceLock<Vec<usize>>,
}

impl WordData {
    fn new(segmenter: &'static Segmenter, text: &str) -> WordData {
        WordData {
            segmenter: segmenter_id(segmenter),
            spans: segmenter.word_spans(text),
            hashes: OnceLock::new(),
            chars: OnceLock::new(),
        }
    }
}

fn segmenter_id(segmenter: &'static Segmenter) -> usize {
    std::ptr::from_ref(segmenter) as usize
}

/// A 64-bit hash of the whole text (64-bit words, multiply and rotate; what matters is that a
/// rewritten text of the same length differs).
fn text_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("chunks of 8"));
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(23) ^ u64::from_le_bytes(last)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// A document's text together with its analysis: what steps read instead of splitting the
/// text themselves.
pub struct TextView<'a> {
    text: &'a str,
    analysis: &'a Analysis,
}

impl<'a> TextView<'a> {
    /// The view of `doc`'s current text, reusing the analysis a previous step left when it
    /// still describes this text.
    pub fn of(doc: &'a mut Document) -> TextView<'a> {
        let Document { text, derived, .. } = doc;
        let analysis = derived.get_or_insert_with(Analysis::default);
        let (len, hash) = (text.len(), text_hash(text));
        if analysis.len != len || analysis.hash != hash {
            *analysis = Analysis {
                len,
                hash,
                ..Analysis::default()
            };
        }
        TextView { text, analysis }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The words `segmenter` finds ([`Segmenter::words`]).
    pub fn words(&self, segmenter: &'static Segmenter) -> Words<'a> {
        let data = self
            .analysis
            .words
            .get_or_init(|| WordData::new(segmenter, self.text));
        let data = if data.segmenter == segmenter_id(segmenter) {
            Shared::Kept(data)
        } else {
            // A second language for the same text (steps configured differently): not kept.
            Shared::Own(Box::new(WordData::new(segmenter, self.text)))
        };
        Words {
            text: self.text,
            data,
        }
    }

    /// The text's lines as `str::split('\n')` gives them (a last empty line after a final
    /// newline included).
    pub fn lines(&self) -> impl Iterator<Item = &'a str> + 'a {
        let text = self.text;
        let spans = self.analysis.lines.get_or_init(|| {
            let mut spans = Vec::new();
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
                spans.push((start, end));
                start = end + 1;
            }
            spans.push((start, text.len()));
            spans
        });
        spans.iter().map(move |&(a, b)| &text[a..b])
    }
}

/// Kept in the analysis, or made for one caller.
enum Shared<'a, T> {
    Kept(&'a T),
    Own(Box<T>),
}

impl<T> Deref for Shared<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Shared::Kept(t) => t,
            Shared::Own(t) => t,
        }
    }
}

/// The words of a text by one segmenter.
pub struct Words<'a> {
    text: &'a str,
    data: Shared<'a, WordData>,
}

impl Words<'_> {
    /// Number of words.
    pub fn len(&self) -> usize {
        self.data.spans.len()
    }

    /// True when there are no words.
    pub fn is_empty(&self) -> bool {
        self.data.spans.is_empty()
    }

    /// The words, in text order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.data.spans.iter().map(|&(a, b)| &self.text[a..b])
    }

    /// FNV-1a ([`fnv1a`], seed 0) of each word.
    pub fn hashes(&self) -> &[u64] {
        self.data
            .hashes
            .get_or_init(|| self.iter().map(|w| fnv1a(w.bytes(), 0)).collect())
    }

    /// Each word's length in code points.
    pub fn char_lens(&self) -> &[usize] {
        self.data
            .chars
            .get_or_init(|| self.iter().map(pystr::len).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analysis_is_kept_between_steps_and_renewed_when_the_text_changes() {
        let en = Segmenter::for_language("en");
        let mut doc = Document::new("d", "Don't panic.");
        let first = std::ptr::from_ref(TextView::of(&mut doc).words(en).data.deref());
        // The next step gets the same words without segmenting again.
        let again = std::ptr::from_ref(TextView::of(&mut doc).words(en).data.deref());
        assert_eq!(first, again);
        // A step rewrites the text in place (same length): the words are those of the new text.
        doc.text.replace_range(0..5, "Can't");
        let view = TextView::of(&mut doc);
        assert_eq!(
            view.words(en).iter().collect::<Vec<_>>(),
            ["Ca", "n't", "panic", "."]
        );
    }

    #[test]
    fn a_second_segmenter_gets_its_own_words() {
        let mut doc = Document::new("d", "l'homme don't");
        let view = TextView::of(&mut doc);
        let en: Vec<_> = view
            .words(Segmenter::for_language("en"))
            .iter()
            .map(String::from)
            .collect();
        let fr: Vec<_> = view
            .words(Segmenter::for_language("fr"))
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(en, Segmenter::for_language("en").words("l'homme don't"));
        assert_eq!(fr, Segmenter::for_language("fr").words("l'homme don't"));
        assert_ne!(en, fr);
    }

    #[test]
    fn hashes_and_lengths_are_per_word() {
        let mut doc = Document::new("d", "naïve café");
        let view = TextView::of(&mut doc);
        let words = view.words(Segmenter::for_language("en"));
        assert_eq!(words.char_lens(), [5, 4]);
        assert_eq!(
            words.hashes(),
            [fnv1a("naïve".bytes(), 0), fnv1a("café".bytes(), 0)]
        );
    }

    #[test]
    fn lines_split_on_newlines_only() {
        let mut doc = Document::new("d", "a\r\nb\n\nc\n");
        let view = TextView::of(&mut doc);
        assert_eq!(
            view.lines().collect::<Vec<_>>(),
            "a\r\nb\n\nc\n".split('\n').collect::<Vec<_>>()
        );
    }

    proptest::proptest! {
        /// Whatever steps did to the text before, the view's words and lines are those of the
        /// text as it is now.
        #[test]
        fn the_view_always_describes_the_current_text(
            first in "[a-zA-Z' .,\n-]{0,60}",
            second in "[a-zA-Z' .,\n-]{0,60}",
        ) {
            let en = Segmenter::for_language("en");
            let mut doc = Document::new("d", first.as_str());
            for text in [&first, &second, &first] {
                doc.text.clone_from(text);
                let view = TextView::of(&mut doc);
                let words = view.words(en);
                proptest::prop_assert_eq!(words.iter().collect::<Vec<_>>(), en.words(text));
                let lines: Vec<&str> = view.lines().collect();
                proptest::prop_assert_eq!(lines, text.split('\n').collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn text_hash_tells_same_length_texts_apart() {
        assert_ne!(text_hash("abcdefgh1"), text_hash("abcdefgh2"));
        assert_ne!(text_hash("x"), text_hash(""));
        assert_eq!(text_hash("same"), text_hash("same"));
    }
}
