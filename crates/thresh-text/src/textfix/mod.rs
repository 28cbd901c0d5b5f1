//! Text repair as ftfy 6.3 does it (`ftfy.fix_text` with a `TextFixerConfig`): mojibake,
//! HTML entities, terminal escapes, control characters and, when asked, ligatures, character
//! width, curly quotes, line breaks and Unicode normalisation.
//!
//! ftfy is by Robyn Speer (Apache-2.0). The decisions follow ftfy's source; its tables and
//! patterns (the mojibake heuristic, the single-byte encodings, the entity table) are taken from
//! ftfy 6.3.1 itself by `scripts/build_ftfy_tables.py` (see `data/fix_text/SOURCE.md`). `fix_surrogates` has nothing to do in Rust, whose strings
//! cannot hold surrogates.

mod encoding;
mod fixers;
mod tables;

use std::borrow::Cow;

pub use encoding::{fix_c1_controls, fix_encoding, is_bad, EncodingOptions};
pub use fixers::{
    fix_character_width, fix_latin_ligatures, fix_line_breaks, remove_control_chars,
    remove_terminal_escapes, uncurl_quotes, unescape_html,
};
use unicode_normalization::UnicodeNormalization;

/// ftfy's `unescape_html` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnescapeHtml {
    /// Unescape, until a line holds a `<` (then the text is taken to be HTML).
    Auto,
    /// Always.
    On,
    /// Never.
    Off,
}

/// A Unicode normalisation form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum Normalization {
    /// Canonical composition.
    NFC,
    /// Canonical decomposition.
    NFD,
    /// Compatibility composition.
    NFKC,
    /// Compatibility decomposition.
    NFKD,
}

/// The fixes to apply: ftfy's `TextFixerConfig`, field for field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixes {
    /// `unescape_html`.
    pub unescape_html: UnescapeHtml,
    /// `remove_terminal_escapes`.
    pub remove_terminal_escapes: bool,
    /// `fix_encoding`, with the options that refine it.
    pub fix_encoding: Option<EncodingOptions>,
    /// `fix_c1_controls` (also applied on its own, outside `fix_encoding`).
    pub fix_c1_controls: bool,
    /// `fix_latin_ligatures`.
    pub fix_latin_ligatures: bool,
    /// `fix_character_width`.
    pub fix_character_width: bool,
    /// `uncurl_quotes`.
    pub uncurl_quotes: bool,
    /// `fix_line_breaks`.
    pub fix_line_breaks: bool,
    /// `remove_control_chars`.
    pub remove_control_chars: bool,
    /// `normalization`.
    pub normalization: Option<Normalization>,
    /// `max_decode_length`: longer lines are fixed in pieces of this many characters.
    pub max_decode_length: usize,
}

impl Fixes {
    /// datatrove's `FTFYFormatter` defaults: the encoding repairs, entities, terminal escapes
    /// and control characters; nothing that changes sound text.
    pub fn datatrove() -> Fixes {
        Fixes {
            unescape_html: UnescapeHtml::Auto,
            remove_terminal_escapes: true,
            fix_encoding: Some(EncodingOptions::default()),
            fix_c1_controls: true,
            fix_latin_ligatures: false,
            fix_character_width: false,
            uncurl_quotes: false,
            fix_line_breaks: false,
            remove_control_chars: true,
            normalization: None,
            max_decode_length: 1_000_000,
        }
    }

    /// ftfy's own defaults: every fix, NFC.
    pub fn ftfy() -> Fixes {
        Fixes {
            fix_latin_ligatures: true,
            fix_character_width: true,
            uncurl_quotes: true,
            fix_line_breaks: true,
            normalization: Some(Normalization::NFC),
            ..Fixes::datatrove()
        }
    }
}

/// `text` fixed as `ftfy.fix_text(text, config)` fixes it: line by line (pieces of at most
/// `max_decode_length` characters), each piece fixed until it stops changing.
pub fn fix_text<'a>(text: &'a str, fixes: &Fixes) -> Cow<'a, str> {
    let mut fixes = Cow::Borrowed(fixes);
    let mut out = String::new();
    let mut changed = false;
    let mut pos = 0;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let end = match text[pos..line_end]
            .char_indices()
            .nth(fixes.max_decode_length)
        {
            Some((i, _)) if fixes.max_decode_length > 0 => pos + i,
            _ => line_end,
        };
        let segment = &text[pos..end];
        if fixes.unescape_html == UnescapeHtml::Auto && segment.contains('<') {
            fixes.to_mut().unescape_html = UnescapeHtml::Off;
        }
        let fixed = fix_segment(segment, &fixes);
        if !changed && fixed != segment {
            changed = true;
            out.reserve(text.len());
            out.push_str(&text[..pos]);
        }
        if changed {
            out.push_str(&fixed);
        }
        pos = end;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// ftfy's `fix_and_explain` without the explanation: every fix, again until nothing changes.
fn fix_segment<'a>(segment: &'a str, fixes: &Fixes) -> Cow<'a, str> {
    let unescape = match fixes.unescape_html {
        UnescapeHtml::Auto => !segment.contains('<'),
        UnescapeHtml::On => true,
        UnescapeHtml::Off => false,
    };
    let mut text = Cow::Borrowed(segment);
    loop {
        let before = text.clone();
        apply(&mut text, unescape, unescape_html);
        if let Some(options) = &fixes.fix_encoding {
            apply(&mut text, true, |t| fix_encoding(t, options));
        }
        apply(&mut text, fixes.fix_c1_controls, fix_c1_controls);
        apply(&mut text, fixes.fix_latin_ligatures, fix_latin_ligatures);
        apply(&mut text, fixes.fix_character_width, fix_character_width);
        apply(&mut text, fixes.uncurl_quotes, uncurl_quotes);
        apply(&mut text, fixes.fix_line_breaks, fix_line_breaks);
        apply(
            &mut text,
            fixes.remove_terminal_escapes,
            remove_terminal_escapes,
        );
        apply(&mut text, fixes.remove_control_chars, remove_control_chars);
        if let Some(form) = fixes.normalization {
            apply(&mut text, true, |t| normalize(t, form));
        }
        if text == before {
            return text;
        }
    }
}

/// `text` in normalisation `form` (borrowed when the quick check says it already is).
fn normalize(text: &str, form: Normalization) -> Cow<'_, str> {
    use unicode_normalization::{
        is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized,
    };
    let quick = match form {
        Normalization::NFC => is_nfc_quick(text.chars()),
        Normalization::NFD => is_nfd_quick(text.chars()),
        Normalization::NFKC => is_nfkc_quick(text.chars()),
        Normalization::NFKD => is_nfkd_quick(text.chars()),
    };
    if quick == IsNormalized::Yes {
        return Cow::Borrowed(text);
    }
    let normalized: String = match form {
        Normalization::NFC => text.nfc().collect(),
        Normalization::NFD => text.nfd().collect(),
        Normalization::NFKC => text.nfkc().collect(),
        Normalization::NFKD => text.nfkd().collect(),
    };
    if normalized == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalized)
    }
}

/// Replaces `text` with what `fix` makes of it, when `on` and it changes something.
fn apply(text: &mut Cow<'_, str>, on: bool, fix: impl Fn(&str) -> Cow<'_, str>) {
    if on {
        if let Cow::Owned(fixed) = fix(text) {
            *text = Cow::Owned(fixed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datatrove() -> Fixes {
        Fixes::datatrove()
    }

    #[test]
    fn ftfy_readme_examples() {
        let all = Fixes::ftfy();
        // ftfy's README, with ftfy's default configuration (everything on).
        assert_eq!(fix_text("âœ” No problems", &all), "✔ No problems");
        assert_eq!(
            fix_text(
                "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.",
                &all
            ),
            "The Mona Lisa doesn't have eyebrows."
        );
        assert_eq!(fix_text("l’humanitÃ©", &all), "l'humanité");
        assert_eq!(
            fix_text("Ã\u{a0} perturber la rÃ©flexion", &all),
            "à perturber la réflexion"
        );
        assert_eq!(
            fix_text("Ã perturber la rÃ©flexion", &all),
            "à perturber la réflexion"
        );
        assert_eq!(fix_text("P&EACUTE;REZ", &all), "PÉREZ");
        assert_eq!(fix_text("ＬＯＵＤ　ＮＯＩＳＥＳ", &all), "LOUD NOISES");
        assert_eq!(fix_text("(à¸‡'âŒ£')à¸‡", &all), "(ง'⌣')ง");
        // datatrove's defaults keep curly quotes and full-width letters.
        assert_eq!(fix_text("l’humanitÃ©", &datatrove()), "l’humanité");
        assert_eq!(fix_text("ＬＯＵＤ", &datatrove()), "ＬＯＵＤ");
    }

    #[test]
    fn html_auto_stops_at_the_first_tag() {
        let fixes = datatrove();
        assert_eq!(
            fix_text("a &amp; b\n<p>c &amp; d\ne &amp; f", &fixes),
            "a & b\n<p>c &amp; d\ne &amp; f"
        );
        let on = Fixes {
            unescape_html: UnescapeHtml::On,
            ..datatrove()
        };
        assert_eq!(fix_text("<p>c &amp; d", &on), "<p>c & d");
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let text = "Sound text, Straße, 東京.\nSecond line.";
        assert!(matches!(fix_text(text, &datatrove()), Cow::Borrowed(_)));
    }

    #[test]
    fn long_lines_are_cut_on_characters() {
        let fixes = Fixes {
            max_decode_length: 3,
            ..datatrove()
        };
        // Each piece is fixed alone: "sÃ³" stays whole in one piece of three characters.
        assert_eq!(fix_text("sÃ³sÃ³", &fixes), "sósó");
    }

    proptest::proptest! {
        /// Text mixing what ftfy repairs (mojibake characters, C1 controls, entities, escapes,
        /// lost bytes) never panics, with every fix on or datatrove's; ASCII letters, digits,
        /// spaces and newlines come back as they were.
        #[test]
        fn any_text_is_fixed_without_panic(text in r"[a-zA-Z0-9 \n&#;<\x{1b}\[\x{80}-\x{ff}ÃÂâ€œ™ŠšžŸ�ЃЌЂ√≈ﬁＡ\x{2028}\r]{0,60}") {
            let all = Fixes {
                max_decode_length: 7,
                ..Fixes::ftfy()
            };
            let _ = fix_text(&text, &all);
            let _ = fix_text(&text, &datatrove());
        }

        #[test]
        fn plain_ascii_is_unchanged(text in r"[a-zA-Z0-9 \n.,!?]{0,80}") {
            proptest::prop_assert_eq!(fix_text(&text, &datatrove()), text.as_str());
        }
    }
}
