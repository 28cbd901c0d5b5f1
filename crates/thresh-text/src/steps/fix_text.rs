//! `fix_text`: mojibake and other broken text repaired as ftfy 6.3 repairs it, with datatrove's
//! `FTFYFormatter` parameters under their names and with its defaults (the encoding fixes,
//! HTML entities outside HTML, terminal escapes and control characters on; ligatures, width,
//! quotes, line breaks and normalisation off, since they change text that is not broken).
//!
//! The work is `crate::textfix` (ftfy's algorithm and tables). A document whose text changed is
//! annotated `changed = true` under the step's name. It is never dropped.

use serde::{Deserialize, Deserializer};
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::textfix::{self, EncodingOptions, Fixes, Normalization, UnescapeHtml};

/// Parameters of `fix_text` (datatrove's `FTFYFormatter` names and defaults, which are ftfy's
/// `TextFixerConfig` options).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixTextParams {
    /// Replace HTML entities: `"auto"` (default: until a line holds `<`), `true` or `false`.
    #[serde(deserialize_with = "unescape_html")]
    pub unescape_html: UnescapeHtml,
    /// Remove ANSI terminal escapes (default true).
    pub remove_terminal_escapes: bool,
    /// Repair mojibake (default true); the next four refine it.
    pub fix_encoding: bool,
    /// A space may stand for a lost 0xA0 byte of mojibake (default true).
    pub restore_byte_a0: bool,
    /// Mojibake with bytes lost to `�` or `?` becomes `�` (default true).
    pub replace_lossy_sequences: bool,
    /// Repair UTF-8 mojibake inside otherwise sound text (default true).
    pub decode_inconsistent_utf8: bool,
    /// C1 control characters to their windows-1252 characters (default true).
    pub fix_c1_controls: bool,
    /// `ﬁ` → `fi` and the other Latin ligatures (default false).
    pub fix_latin_ligatures: bool,
    /// Full-width Latin and half-width katakana to usual width (default false).
    pub fix_character_width: bool,
    /// Curly quotes to straight ones (default false).
    pub uncurl_quotes: bool,
    /// CRLF, CR, U+2028, U+2029, NEL to `\n` (default false).
    pub fix_line_breaks: bool,
    /// UTF-16 surrogates to characters (default true): Rust text cannot hold surrogates, so
    /// there is never anything to do; accepted for datatrove's parameter list.
    pub fix_surrogates: bool,
    /// Remove control characters that display nothing (default true).
    pub remove_control_chars: bool,
    /// `"NFC"`, `"NFD"`, `"NFKC"` or `"NFKD"` (default: none).
    pub normalization: Option<Normalization>,
    /// Lines longer than this many characters are fixed in pieces (ftfy's default 1,000,000).
    pub max_decode_length: usize,
}

impl Default for FixTextParams {
    fn default() -> Self {
        FixTextParams {
            unescape_html: UnescapeHtml::Auto,
            remove_terminal_escapes: true,
            fix_encoding: true,
            restore_byte_a0: true,
            replace_lossy_sequences: true,
            decode_inconsistent_utf8: true,
            fix_c1_controls: true,
            fix_latin_ligatures: false,
            fix_character_width: false,
            uncurl_quotes: false,
            fix_line_breaks: false,
            fix_surrogates: true,
            remove_control_chars: true,
            normalization: None,
            max_decode_length: 1_000_000,
        }
    }
}

/// `unescape_html` is a boolean or the string `"auto"`, as in ftfy.
fn unescape_html<'de, D: Deserializer<'de>>(d: D) -> Result<UnescapeHtml, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Flag(bool),
        Word(String),
    }
    match Raw::deserialize(d)? {
        Raw::Flag(true) => Ok(UnescapeHtml::On),
        Raw::Flag(false) => Ok(UnescapeHtml::Off),
        Raw::Word(w) if w == "auto" => Ok(UnescapeHtml::Auto),
        Raw::Word(w) => Err(serde::de::Error::custom(format!(
            "unescape_html is true, false or \"auto\", not {w:?}"
        ))),
    }
}

/// The step.
pub struct FixText {
    fixes: Fixes,
}

impl FixText {
    /// A step with the given parameters.
    pub fn new(params: FixTextParams) -> Self {
        let fixes = Fixes {
            unescape_html: params.unescape_html,
            remove_terminal_escapes: params.remove_terminal_escapes,
            fix_encoding: params.fix_encoding.then_some(EncodingOptions {
                restore_byte_a0: params.restore_byte_a0,
                replace_lossy_sequences: params.replace_lossy_sequences,
                decode_inconsistent_utf8: params.decode_inconsistent_utf8,
                fix_c1_controls: params.fix_c1_controls,
            }),
            fix_c1_controls: params.fix_c1_controls,
            fix_latin_ligatures: params.fix_latin_ligatures,
            fix_character_width: params.fix_character_width,
            uncurl_quotes: params.uncurl_quotes,
            fix_line_breaks: params.fix_line_breaks,
            remove_control_chars: params.remove_control_chars,
            normalization: params.normalization,
            max_decode_length: params.max_decode_length,
        };
        FixText { fixes }
    }
}

impl Step for FixText {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let fixed = match textfix::fix_text(&doc.text, &self.fixes) {
            std::borrow::Cow::Owned(fixed) => Some(fixed),
            std::borrow::Cow::Borrowed(_) => None,
        };
        let changed = fixed.is_some();
        if let Some(fixed) = fixed {
            doc.text = fixed;
        }
        if changed || cx.record_signals {
            doc.step_annotations(&cx.name)
                .insert("changed".into(), changed.into());
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: FixTextParams, text: &str) -> Document {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "fix".into(),
            record_signals: false,
        };
        assert_eq!(FixText::new(params).process(&mut doc, &cx), Verdict::Keep);
        doc
    }

    #[test]
    fn repairs_and_annotates() {
        let doc = run(
            FixTextParams::default(),
            "Gr\u{c3}\u{b6}\u{c3}\u{9f}e &amp; \x1b[1mMa\u{c3}\u{9f}\x1b[0m\u{0}",
        );
        assert_eq!(doc.text, "Größe & Maß");
        assert_eq!(doc.annotations["fix"]["changed"], true);
        let sound = run(FixTextParams::default(), "Größe & Maß");
        assert_eq!(sound.text, "Größe & Maß");
        assert!(sound.annotations.get("fix").is_none());
    }

    #[test]
    fn parameters_read_as_in_datatrove() {
        let p: FixTextParams =
            toml::from_str("unescape_html = false\nuncurl_quotes = true\nnormalization = \"NFKC\"")
                .unwrap();
        assert_eq!(p.unescape_html, UnescapeHtml::Off);
        assert_eq!(run(p, "“x” &amp; ﬁ").text, "\"x\" &amp; fi");
        let auto: FixTextParams = toml::from_str("unescape_html = \"auto\"").unwrap();
        assert_eq!(auto.unescape_html, UnescapeHtml::Auto);
        assert!(toml::from_str::<FixTextParams>("unescape_html = \"sometimes\"").is_err());
        assert!(toml::from_str::<FixTextParams>("normalization = \"NFX\"").is_err());
    }

    #[test]
    fn fix_encoding_off_leaves_mojibake() {
        let p = FixTextParams {
            fix_encoding: false,
            ..FixTextParams::default()
        };
        assert_eq!(run(p, "sÃ³").text, "sÃ³");
    }
}
