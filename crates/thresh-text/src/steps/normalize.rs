//! `normalize`: Unicode normalization and whitespace cleanup.
//!
//! In one pass over the text: `\r\n` and lone `\r` become `\n`; control characters other
//! than newline and tab are removed; every run of horizontal whitespace (space, tab, and with
//! `unicode_spaces` the Unicode space separators such as U+00A0) becomes one space; spaces at
//! the start and end of lines are removed; runs of blank lines collapse into one; the text is
//! trimmed. Then the text is brought to the Unicode normal form (NFC by default), skipped
//! when a quick check shows it already is.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// A Unicode normal form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnicodeForm {
    /// Canonical composition (the default).
    #[default]
    Nfc,
    /// Compatibility composition: also folds ligatures, full-width forms, superscripts.
    Nfkc,
    /// Leave the code points as they are.
    None,
}

/// Parameters of the `normalize` step.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeParams {
    /// Unicode normal form: `nfc` (default), `nfkc` or `none`.
    pub unicode: UnicodeForm,
    /// Collapse whitespace runs, trim lines, collapse blank-line runs, trim the text.
    pub whitespace: bool,
    /// Treat Unicode space separators (U+00A0, U+2009, …) as spaces.
    pub unicode_spaces: bool,
    /// Remove control characters other than `\n` and `\t`.
    pub control_chars: bool,
}

impl Default for NormalizeParams {
    fn default() -> Self {
        NormalizeParams {
            unicode: UnicodeForm::Nfc,
            whitespace: true,
            unicode_spaces: true,
            control_chars: true,
        }
    }
}

/// The `normalize` step.
pub struct Normalize {
    params: NormalizeParams,
}

impl Normalize {
    /// A `normalize` step with the given parameters.
    pub fn new(params: NormalizeParams) -> Self {
        Normalize { params }
    }

    /// The cleaned-up text (before Unicode normalization).
    ///
    /// Works on runs: bytes that need no change are copied a run at a time; only ASCII
    /// whitespace and controls, and the characters behind the UTF-8 lead bytes that can start
    /// a Unicode space or a C1 control, are looked at one by one.
    fn clean(&self, text: &str) -> String {
        let mut out = Cleaner {
            out: String::with_capacity(text.len()),
            whitespace: self.params.whitespace,
            newlines: 0,
            space: false,
            line_has_text: false,
        };
        let bytes = text.as_bytes();
        let (mut i, mut run) = (0, 0);
        while i < bytes.len() {
            let b = bytes[i];
            let (class, len) =
                if b == b' ' && i > run && bytes.get(i + 1).is_some_and(|&n| plain(n)) {
                    // One space between content characters stays as it is, inside the run.
                    (Class::Keep, 1)
                } else if b < 0x80 {
                    (self.ascii_class(b), 1)
                } else if matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef) {
                    let c = text[i..].chars().next().expect("i is at a char boundary");
                    (self.class(c), c.len_utf8())
                } else {
                    (Class::Keep, 1)
                };
            if class == Class::Keep {
                i += len;
                continue;
            }
            out.content(&text[run..i]);
            match class {
                Class::Keep => unreachable!("handled above"),
                Class::Space => out.space(),
                Class::Newline => out.newline(),
                Class::CarriageReturn if bytes.get(i + 1) == Some(&b'\n') => {}
                Class::CarriageReturn => out.newline(),
                Class::Remove => {}
            }
            i += len;
            run = i;
        }
        out.content(&text[run..]);
        out.out
    }

    fn ascii_class(&self, b: u8) -> Class {
        match b {
            b'\n' if self.params.whitespace => Class::Newline,
            b'\r' => Class::CarriageReturn,
            b' ' | b'\t' if self.params.whitespace => Class::Space,
            b'\n' | b' ' | b'\t' => Class::Keep,
            _ if b.is_ascii_control() && self.params.control_chars => Class::Remove,
            _ => Class::Keep,
        }
    }

    fn class(&self, c: char) -> Class {
        if self.params.unicode_spaces && is_unicode_space(c) {
            Class::Space
        } else if self.params.control_chars && c.is_control() {
            Class::Remove
        } else {
            Class::Keep
        }
    }
}

/// True for a byte that starts a character `clean` copies unchanged whatever the settings:
/// printable ASCII, or a UTF-8 lead or continuation byte that cannot start a Unicode space
/// or a control character.
fn plain(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) || (b >= 0x80 && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef))
}

/// What [`Normalize::clean`] does with a character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Copied as it is.
    Keep,
    /// Horizontal whitespace.
    Space,
    /// `\n`.
    Newline,
    /// `\r`: dropped before `\n`, else a newline.
    CarriageReturn,
    /// Removed.
    Remove,
}

/// The output of [`Normalize::clean`] and the separators owed before the next content.
struct Cleaner {
    out: String,
    whitespace: bool,
    newlines: usize,
    space: bool,
    line_has_text: bool,
}

impl Cleaner {
    fn content(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if self.newlines > 0 {
            self.out
                .push_str(if self.newlines == 1 { "\n" } else { "\n\n" });
            self.newlines = 0;
        } else if self.space {
            self.out.push(' ');
        }
        self.space = false;
        self.line_has_text = true;
        self.out.push_str(run);
    }

    fn space(&mut self) {
        if self.whitespace {
            self.space = self.line_has_text;
        } else {
            self.out.push(' ');
        }
    }

    fn newline(&mut self) {
        if self.whitespace {
            self.space = false;
            self.line_has_text = false;
            if !self.out.is_empty() {
                self.newlines += 1;
            }
        } else {
            self.out.push('\n');
        }
    }
}

fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// True when `text` is certainly in NFC and NFKC: no character at or above U+0300, the first
/// that normalization can change (a UTF-8 lead byte ≥ 0xCC).
fn below_combining_marks(text: &str) -> bool {
    !text.bytes().any(|b| b >= 0xcc)
}

/// The characters of `text` at or above U+0300, for the normalization quick checks. Leaving
/// out the characters below (all quick-check "yes", combining class 0) can only make a check
/// stricter — it no longer sees the class resets they cause — so a "yes" on this sequence is
/// a "yes" on the text, and a "maybe" just means normalizing, which is always correct.
fn from_combining_marks(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|&c| c >= '\u{300}')
}

impl Step for Normalize {
    fn process(&self, doc: &mut Document, _cx: &StepCx) -> Verdict {
        let p = &self.params;
        if p.whitespace || p.control_chars || p.unicode_spaces {
            doc.text = self.clean(&doc.text);
        }
        match p.unicode {
            _ if below_combining_marks(&doc.text) => {}
            UnicodeForm::Nfc
                if is_nfc_quick(from_combining_marks(&doc.text)) != IsNormalized::Yes =>
            {
                doc.text = doc.text.nfc().collect();
            }
            UnicodeForm::Nfkc
                if is_nfkc_quick(from_combining_marks(&doc.text)) != IsNormalized::Yes =>
            {
                doc.text = doc.text.nfkc().collect();
            }
            _ => {}
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: NormalizeParams, text: &str) -> String {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "normalize".into(),
            record_signals: false,
        };
        assert_eq!(Normalize::new(params).process(&mut doc, &cx), Verdict::Keep);
        doc.text
    }

    #[test]
    fn cleans_whitespace_and_controls() {
        let text =
            "  Erste\u{a0}\u{a0}Zeile \t mit  Lücken  \r\n\r\n\n\n zweite\u{7}\rdritte \n\n ";
        assert_eq!(
            run(NormalizeParams::default(), text),
            "Erste Zeile mit Lücken\n\nzweite\ndritte"
        );
    }

    #[test]
    fn composes_to_nfc_or_nfkc() {
        // "e" + combining acute (2 chars) becomes "é" (1 char); "ﬁ" survives NFC, not NFKC.
        assert_eq!(run(NormalizeParams::default(), "Cafe\u{301} ﬁn"), "Café ﬁn");
        let nfkc = NormalizeParams {
            unicode: UnicodeForm::Nfkc,
            ..Default::default()
        };
        assert_eq!(run(nfkc, "Cafe\u{301} ﬁn"), "Café fin");
    }

    #[test]
    fn everything_off_leaves_text_alone() {
        let off = NormalizeParams {
            unicode: UnicodeForm::None,
            whitespace: false,
            unicode_spaces: false,
            control_chars: false,
        };
        let text = "  a\u{a0} b\u{7}\n\n\n";
        assert_eq!(run(off, text), text);
    }

    proptest::proptest! {
        #[test]
        fn idempotent_and_never_longer(text in "[ a-zé\u{a0}\t\r\n\u{301}]{0,60}") {
            let once = run(NormalizeParams::default(), &text);
            proptest::prop_assert!(once.chars().count() <= text.chars().count());
            proptest::prop_assert_eq!(run(NormalizeParams::default(), &once), once.clone());
        }
    }
}
