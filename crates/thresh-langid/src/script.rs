//! Writing systems: which characters are letters of which script, the first cut of
//! identification (a script used by a single supported language decides it outright).

use icu_properties::props::{GeneralCategory, GeneralCategoryGroup, Script as Ucd};
use icu_properties::CodePointMapData;

/// A script the model distinguishes. Hiragana and Katakana count as `Japanese`; `Other` is a
/// letter of a script no supported language uses (Khmer, Ethiopic, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters.
    Latin,
    /// Cyrillic.
    Cyrillic,
    /// Greek.
    Greek,
    /// Arabic (also Persian, Urdu).
    Arabic,
    /// Hebrew.
    Hebrew,
    /// Armenian.
    Armenian,
    /// Georgian.
    Georgian,
    /// Devanagari (Hindi, Marathi, Nepali).
    Devanagari,
    /// Bengali (Bangla, Assamese).
    Bengali,
    /// Gurmukhi (Punjabi).
    Gurmukhi,
    /// Gujarati.
    Gujarati,
    /// Tamil.
    Tamil,
    /// Telugu.
    Telugu,
    /// Thai.
    Thai,
    /// Hangul (Korean).
    Hangul,
    /// Hiragana and Katakana.
    Japanese,
    /// Han ideographs (Chinese; kanji alone).
    Han,
    /// A letter of a script no supported language uses.
    Other,
}

/// Number of [`Script`] values.
pub const SCRIPT_COUNT: usize = 18;

impl Script {
    /// Index of the script, for counting arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// ISO 15924 code (`Latn`); `Zzzz` for [`Script::Other`].
    pub fn iso15924(self) -> &'static str {
        match self {
            Script::Latin => "Latn",
            Script::Cyrillic => "Cyrl",
            Script::Greek => "Grek",
            Script::Arabic => "Arab",
            Script::Hebrew => "Hebr",
            Script::Armenian => "Armn",
            Script::Georgian => "Geor",
            Script::Devanagari => "Deva",
            Script::Bengali => "Beng",
            Script::Gurmukhi => "Guru",
            Script::Gujarati => "Gujr",
            Script::Tamil => "Taml",
            Script::Telugu => "Telu",
            Script::Thai => "Thai",
            Script::Hangul => "Hang",
            Script::Japanese => "Jpan",
            Script::Han => "Hani",
            Script::Other => "Zzzz",
        }
    }

    /// The script of a letter, or `None` for anything else: digits, punctuation, spaces,
    /// symbols and combining marks (vowel signs included) separate words, as they did in the
    /// model's training data, where n-grams are runs of letters.
    pub fn of(c: char) -> Option<Script> {
        if c.is_ascii() {
            return c.is_ascii_alphabetic().then_some(Script::Latin);
        }
        let category = CodePointMapData::<GeneralCategory>::new().get(c);
        if !GeneralCategoryGroup::Letter.contains(category) {
            return None;
        }
        Some(match CodePointMapData::<Ucd>::new().get(c) {
            Ucd::Latin => Script::Latin,
            Ucd::Cyrillic => Script::Cyrillic,
            Ucd::Greek => Script::Greek,
            Ucd::Arabic => Script::Arabic,
            Ucd::Hebrew => Script::Hebrew,
            Ucd::Armenian => Script::Armenian,
            Ucd::Georgian => Script::Georgian,
            Ucd::Devanagari => Script::Devanagari,
            Ucd::Bengali => Script::Bengali,
            Ucd::Gurmukhi => Script::Gurmukhi,
            Ucd::Gujarati => Script::Gujarati,
            Ucd::Tamil => Script::Tamil,
            Ucd::Telugu => Script::Telugu,
            Ucd::Thai => Script::Thai,
            Ucd::Hangul => Script::Hangul,
            Ucd::Hiragana | Ucd::Katakana => Script::Japanese,
            Ucd::Han => Script::Han,
            Ucd::Common | Ucd::Inherited | Ucd::Unknown => return None,
            _ => Script::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_get_their_script_and_the_rest_separates_words() {
        assert_eq!(Script::of('a'), Some(Script::Latin));
        assert_eq!(Script::of('ß'), Some(Script::Latin));
        assert_eq!(Script::of('ж'), Some(Script::Cyrillic));
        assert_eq!(Script::of('ا'), Some(Script::Arabic));
        assert_eq!(Script::of('क'), Some(Script::Devanagari));
        assert_eq!(Script::of('の'), Some(Script::Japanese));
        assert_eq!(Script::of('カ'), Some(Script::Japanese));
        assert_eq!(Script::of('中'), Some(Script::Han));
        assert_eq!(Script::of('한'), Some(Script::Hangul));
        assert_eq!(Script::of('ក'), Some(Script::Other));
        for c in ['1', '٣', ' ', '.', '\'', '-', '।', '\u{301}', '€', 'ि', 'ा'] {
            assert_eq!(Script::of(c), None, "{c:?}");
        }
    }
}
