//! Text normalization before hashing: datatrove's `simplify_text` (`datatrove.utils.text`,
//! 0.10.1) with its `TextNormConfig` switches, so that MinHash shingles equal datatrove's.

use icu_properties::props::GeneralCategory;
use icu_properties::CodePointMapData;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// Which normalizations to apply, in datatrove's order: lower-case, numbers → `0`,
/// punctuation → space, whitespace runs → one space, diacritics removed (NFD without
/// non-spacing marks).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TextNorm {
    /// Lower-case (Python `str.lower`).
    pub lowercase: bool,
    /// Replace every run of decimal digits (with one decimal separator inside) by `0`.
    pub norm_numbers: bool,
    /// Replace datatrove's punctuation characters by spaces.
    pub remove_punctuation: bool,
    /// Collapse whitespace runs to one space and strip the ends.
    pub norm_whitespace: bool,
    /// Decompose (NFD) and drop non-spacing marks: `é` → `e`.
    pub norm_unicode_diacritics: bool,
}

impl Default for TextNorm {
    /// datatrove's `TextNormConfig()`: everything on.
    fn default() -> Self {
        TextNorm {
            lowercase: true,
            norm_numbers: true,
            remove_punctuation: true,
            norm_whitespace: true,
            norm_unicode_diacritics: true,
        }
    }
}

/// datatrove's `PUNCTUATION`: the characters `simplify_text` turns into spaces.
const PUNCTUATION: &str =
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»";

/// `PUNCTUATION` as an ASCII table and a sorted list of the others, built once.
struct PunctuationSet {
    ascii: [bool; 128],
    other: Vec<char>,
}

fn punctuation_set() -> &'static PunctuationSet {
    static SET: std::sync::OnceLock<PunctuationSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = PunctuationSet {
            ascii: [false; 128],
            other: Vec::new(),
        };
        for c in PUNCTUATION.chars() {
            if c.is_ascii() {
                set.ascii[c as usize] = true;
            } else {
                set.other.push(c);
            }
        }
        set.other.sort_unstable();
        set.other.dedup();
        set
    })
}

fn is_punctuation(c: char) -> bool {
    let code = c as u32;
    if matches!(code, 0..=8 | 11..=12 | 13..=31 | 127..=159) {
        return true;
    }
    let set = punctuation_set();
    if c.is_ascii() {
        set.ascii[code as usize]
    } else {
        set.other.binary_search(&c).is_ok()
    }
}

fn is_decimal_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::DecimalNumber
}

/// The decimal separators `NUMBERS_PATTERN` accepts between two digit runs.
fn is_decimal_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '،' | '٫' | '⎖' | '⎗' | '⎘')
}

impl TextNorm {
    /// `text` normalized; `buf` is scratch space reused between calls.
    pub fn apply(&self, text: &str, buf: &mut String) -> String {
        let mut s = if self.lowercase {
            text.to_lowercase()
        } else {
            text.to_owned()
        };
        if self.norm_numbers {
            buf.clear();
            let chars: Vec<char> = s.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if !is_decimal_digit(chars[i]) {
                    buf.push(chars[i]);
                    i += 1;
                    continue;
                }
                while i < chars.len() && is_decimal_digit(chars[i]) {
                    i += 1;
                }
                if i + 1 < chars.len()
                    && is_decimal_separator(chars[i])
                    && is_decimal_digit(chars[i + 1])
                {
                    i += 1;
                    while i < chars.len() && is_decimal_digit(chars[i]) {
                        i += 1;
                    }
                }
                buf.push('0');
            }
            std::mem::swap(&mut s, buf);
        }
        if self.remove_punctuation {
            s = s
                .chars()
                .map(|c| if is_punctuation(c) { ' ' } else { c })
                .collect();
        }
        if self.norm_whitespace {
            buf.clear();
            for (i, word) in thresh_text::pystr::split_whitespace(&s).enumerate() {
                if i > 0 {
                    buf.push(' ');
                }
                buf.push_str(word);
            }
            std::mem::swap(&mut s, buf);
        }
        if self.norm_unicode_diacritics && !s.is_ascii() {
            // ASCII has nothing to decompose and no marks.
            let marks = CodePointMapData::<GeneralCategory>::new();
            s = s
                .nfd()
                .filter(|&c| marks.get(c) != GeneralCategory::NonspacingMark)
                .collect();
        }
        thresh_text::pystr::strip(&s).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simplify(text: &str) -> String {
        TextNorm::default().apply(text, &mut String::new())
    }

    #[test]
    fn matches_datatrove_simplify_text() {
        // Expected values from datatrove 0.10.1's simplify_text on the same inputs.
        assert_eq!(
            simplify("  Héllo, WORLD!\n\tÇa va? 3.14 et 1,000,000 "),
            "hello world ca va 0 et 0 0"
        );
        assert_eq!(simplify("Straße — „Zitat“ (2024)"), "straße zitat 0");
        assert_eq!(simplify("٣٤٥ and ١٢"), "0 and 0");
        assert_eq!(simplify("a\u{0}b\u{85}c"), "a b c");
    }

    #[test]
    fn each_switch_can_be_turned_off() {
        let none = TextNorm {
            lowercase: false,
            norm_numbers: false,
            remove_punctuation: false,
            norm_whitespace: false,
            norm_unicode_diacritics: false,
        };
        assert_eq!(none.apply(" Ab,  1 é ", &mut String::new()), "Ab,  1 é");
        let case_and_space = TextNorm {
            lowercase: true,
            norm_whitespace: true,
            ..none
        };
        assert_eq!(
            case_and_space.apply(" Ab,\n 1 é ", &mut String::new()),
            "ab, 1 é"
        );
    }
}
