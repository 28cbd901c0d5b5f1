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
    fn clean(&self, text: &str) -> String {
        let p = &self.params;
        let mut out = String::with_capacity(text.len());
        let mut newlines = 0usize;
        let mut space = false;
        let mut line_has_text = false;
        let mut after_cr = false;
        for c in text.chars() {
            let was_cr = std::mem::replace(&mut after_cr, c == '\r');
            if c == '\n' || c == '\r' {
                if c == '\n' && was_cr {
                    continue;
                }
                if p.whitespace {
                    space = false;
                    line_has_text = false;
                    if !out.is_empty() {
                        newlines += 1;
                    }
                } else {
                    out.push('\n');
                }
                continue;
            }
            let is_space = c == ' ' || c == '\t' || (p.unicode_spaces && is_unicode_space(c));
            if is_space {
                if p.whitespace {
                    space = line_has_text;
                } else {
                    out.push(if p.unicode_spaces { ' ' } else { c });
                }
                continue;
            }
            if p.control_chars && c.is_control() {
                continue;
            }
            if newlines > 0 {
                out.push_str(if newlines == 1 { "\n" } else { "\n\n" });
                newlines = 0;
            } else if space {
                out.push(' ');
            }
            space = false;
            line_has_text = true;
            out.push(c);
        }
        out
    }
}

fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

impl Step for Normalize {
    fn process(&self, doc: &mut Document, _cx: &StepCx) -> Verdict {
        let p = &self.params;
        if p.whitespace || p.control_chars || p.unicode_spaces {
            doc.text = self.clean(&doc.text);
        }
        match p.unicode {
            UnicodeForm::Nfc if is_nfc_quick(doc.text.chars()) != IsNormalized::Yes => {
                doc.text = doc.text.nfc().collect();
            }
            UnicodeForm::Nfkc if is_nfkc_quick(doc.text.chars()) != IsNormalized::Yes => {
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
