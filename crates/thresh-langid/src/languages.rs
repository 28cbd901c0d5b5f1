//! The languages the model knows: ISO 639-1 code, the ISO 639-3 code datatrove and GlotLID use,
//! English name and writing system.

use crate::script::Script;

/// One supported language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-1 code, thresh's name for the language (`de`).
    pub code: &'static str,
    /// ISO 639-3 code of the individual language as datatrove/GlotLID label it (`deu`, `arb`).
    pub iso3: &'static str,
    /// English name.
    pub name: &'static str,
    /// The script the language is written in (in the training data).
    pub script: Script,
}

const fn lang(
    code: &'static str,
    iso3: &'static str,
    name: &'static str,
    script: Script,
) -> Language {
    Language {
        code,
        iso3,
        name,
        script,
    }
}

use Script::*;

/// Every language of the model, in the model's order.
pub const LANGUAGES: [Language; 75] = [
    lang("af", "afr", "Afrikaans", Latin),
    lang("ar", "arb", "Arabic", Arabic),
    lang("az", "azj", "Azerbaijani", Latin),
    lang("be", "bel", "Belarusian", Cyrillic),
    lang("bg", "bul", "Bulgarian", Cyrillic),
    lang("bn", "ben", "Bengali", Bengali),
    lang("bs", "bos", "Bosnian", Latin),
    lang("ca", "cat", "Catalan", Latin),
    lang("cs", "ces", "Czech", Latin),
    lang("cy", "cym", "Welsh", Latin),
    lang("da", "dan", "Danish", Latin),
    lang("de", "deu", "German", Latin),
    lang("el", "ell", "Greek", Greek),
    lang("en", "eng", "English", Latin),
    lang("eo", "epo", "Esperanto", Latin),
    lang("es", "spa", "Spanish", Latin),
    lang("et", "ekk", "Estonian", Latin),
    lang("eu", "eus", "Basque", Latin),
    lang("fa", "pes", "Persian", Arabic),
    lang("fi", "fin", "Finnish", Latin),
    lang("fr", "fra", "French", Latin),
    lang("ga", "gle", "Irish", Latin),
    lang("gu", "guj", "Gujarati", Gujarati),
    lang("he", "heb", "Hebrew", Hebrew),
    lang("hi", "hin", "Hindi", Devanagari),
    lang("hr", "hrv", "Croatian", Latin),
    lang("hu", "hun", "Hungarian", Latin),
    lang("hy", "hye", "Armenian", Armenian),
    lang("id", "ind", "Indonesian", Latin),
    lang("is", "isl", "Icelandic", Latin),
    lang("it", "ita", "Italian", Latin),
    lang("ja", "jpn", "Japanese", Japanese),
    lang("ka", "kat", "Georgian", Georgian),
    lang("kk", "kaz", "Kazakh", Cyrillic),
    lang("ko", "kor", "Korean", Hangul),
    lang("la", "lat", "Latin", Latin),
    lang("lg", "lug", "Ganda", Latin),
    lang("lt", "lit", "Lithuanian", Latin),
    lang("lv", "lvs", "Latvian", Latin),
    lang("mi", "mri", "Maori", Latin),
    lang("mk", "mkd", "Macedonian", Cyrillic),
    lang("mn", "khk", "Mongolian", Cyrillic),
    lang("mr", "mar", "Marathi", Devanagari),
    lang("ms", "zsm", "Malay", Latin),
    lang("nb", "nob", "Norwegian Bokmål", Latin),
    lang("nl", "nld", "Dutch", Latin),
    lang("nn", "nno", "Norwegian Nynorsk", Latin),
    lang("pa", "pan", "Punjabi", Gurmukhi),
    lang("pl", "pol", "Polish", Latin),
    lang("pt", "por", "Portuguese", Latin),
    lang("ro", "ron", "Romanian", Latin),
    lang("ru", "rus", "Russian", Cyrillic),
    lang("sk", "slk", "Slovak", Latin),
    lang("sl", "slv", "Slovene", Latin),
    lang("sn", "sna", "Shona", Latin),
    lang("so", "som", "Somali", Latin),
    lang("sq", "als", "Albanian", Latin),
    lang("sr", "srp", "Serbian", Cyrillic),
    lang("st", "sot", "Sotho", Latin),
    lang("sv", "swe", "Swedish", Latin),
    lang("sw", "swh", "Swahili", Latin),
    lang("ta", "tam", "Tamil", Tamil),
    lang("te", "tel", "Telugu", Telugu),
    lang("th", "tha", "Thai", Thai),
    lang("tl", "tgl", "Tagalog", Latin),
    lang("tn", "tsn", "Tswana", Latin),
    lang("tr", "tur", "Turkish", Latin),
    lang("ts", "tso", "Tsonga", Latin),
    lang("uk", "ukr", "Ukrainian", Cyrillic),
    lang("ur", "urd", "Urdu", Arabic),
    lang("vi", "vie", "Vietnamese", Latin),
    lang("xh", "xho", "Xhosa", Latin),
    lang("yo", "yor", "Yoruba", Latin),
    lang("zh", "cmn", "Chinese", Han),
    lang("zu", "zul", "Zulu", Latin),
];

/// ISO 639-3 macrolanguage and common alternative codes accepted for a supported language.
const ALIASES: [(&str, &str); 14] = [
    ("ara", "ar"),
    ("aze", "az"),
    ("est", "et"),
    ("fas", "fa"),
    ("lav", "lv"),
    ("msa", "ms"),
    ("may", "ms"),
    ("nor", "nb"),
    ("no", "nb"),
    ("sqi", "sq"),
    ("swa", "sw"),
    ("zho", "zh"),
    ("chi", "zh"),
    ("mon", "mn"),
];

/// The index of a language in [`LANGUAGES`], from its ISO 639-1 code, its ISO 639-3 code
/// (datatrove's `deu`), a macrolanguage code (`ara`, `zho`) or a GlotLID label (`deu_Latn`).
pub fn find(code: &str) -> Option<usize> {
    let code = code.trim().to_ascii_lowercase();
    let base = code.split(['_', '-']).next().unwrap_or_default();
    let base = ALIASES
        .iter()
        .find(|(alias, _)| *alias == base)
        .map_or(base, |(_, code)| code);
    LANGUAGES
        .iter()
        .position(|l| l.code == base || l.iso3 == base)
}

/// thresh's code for `code` (ISO 639-1 where one exists): `deu` → `de`; unknown codes unchanged.
pub fn normalize_code(code: &str) -> String {
    match find(code) {
        Some(i) => LANGUAGES[i].code.to_owned(),
        None => code.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_found_by_every_spelling() {
        for pair in LANGUAGES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let de = find("de").unwrap();
        assert_eq!(LANGUAGES[de].name, "German");
        assert_eq!(find("deu"), Some(de));
        assert_eq!(find("deu_Latn"), Some(de));
        assert_eq!(find(" DE "), Some(de));
        assert_eq!(LANGUAGES[find("arb").unwrap()].code, "ar");
        assert_eq!(LANGUAGES[find("ara").unwrap()].code, "ar");
        assert_eq!(LANGUAGES[find("zho").unwrap()].code, "zh");
        assert_eq!(LANGUAGES[find("nor").unwrap()].code, "nb");
        assert_eq!(find("xx"), None);
        assert_eq!(normalize_code("fra"), "fr");
        assert_eq!(normalize_code("gsw"), "gsw");
    }
}
