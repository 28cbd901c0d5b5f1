//! ftfy 6.3.1's tables and patterns, read once from `data/fix_text/ftfy-6.3.1.json`, which
//! `scripts/build_ftfy_tables.py` writes from ftfy itself.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

/// The JSON as the script writes it.
#[derive(Deserialize)]
struct Raw {
    badness: String,
    utf8_detector: String,
    utf8_detector_lookbehind: String,
    altered_utf8: String,
    lossy_utf8: String,
    charmap_encodings: Vec<String>,
    charmaps: HashMap<String, Vec<Option<char>>>,
    html_entities: HashMap<String, String>,
    html_invalid_charrefs: HashMap<u32, String>,
    html_invalid_codepoints: Vec<u32>,
    ligatures: HashMap<char, String>,
    width_map: HashMap<char, String>,
    control_chars: String,
}

/// A single-byte encoding: what each byte decodes to, and back.
pub(crate) struct Charmap {
    /// ftfy's name for it (`latin-1`, `sloppy-windows-1252`, `macroman`, …).
    pub name: String,
    decode: [Option<char>; 256],
    encode: HashMap<char, u8>,
}

impl Charmap {
    fn new(name: String, table: &[Option<char>]) -> Self {
        let mut decode = [None; 256];
        let mut encode = HashMap::new();
        for (byte, c) in table.iter().enumerate().take(256) {
            decode[byte] = *c;
            if let Some(c) = c {
                encode.entry(*c).or_insert(byte as u8);
            }
        }
        Charmap {
            name,
            decode,
            encode,
        }
    }

    /// The character `byte` decodes to, if any.
    pub fn decode(&self, byte: u8) -> Option<char> {
        self.decode[byte as usize]
    }

    /// `text` encoded, or `None` when a character has no byte (ftfy's `possible_encoding`).
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        text.chars().map(|c| self.encode.get(&c).copied()).collect()
    }
}

/// Everything the fixers look up.
pub(crate) struct Tables {
    /// `ftfy.badness.BADNESS_RE`.
    pub badness: Regex,
    /// `UTF8_DETECTOR_RE` without its look-behind …
    pub utf8_detector: Regex,
    /// … which is this one-character class, checked before each match.
    pub utf8_detector_lookbehind: Regex,
    /// `ALTERED_UTF8_RE` (bytes).
    pub altered_utf8: regex::bytes::Regex,
    /// `LOSSY_UTF8_RE` (bytes).
    pub lossy_utf8: regex::bytes::Regex,
    /// The encodings ftfy tries, in its order.
    pub charmaps: Vec<Charmap>,
    /// Strict windows-1252 (undefined bytes have no character).
    pub windows_1252: Charmap,
    /// `&name;` → text (HTML5's entities and ftfy's upper-case variants).
    pub html_entities: HashMap<String, String>,
    /// Numeric references HTML5 redefines (Python's `html._invalid_charrefs`).
    pub html_invalid_charrefs: HashMap<u32, String>,
    /// Numeric references that unescape to nothing (sorted).
    pub html_invalid_codepoints: Vec<u32>,
    /// `fix_latin_ligatures`' map.
    pub ligatures: HashMap<char, String>,
    /// `fix_character_width`'s map.
    pub width_map: HashMap<char, String>,
    /// `remove_control_chars`' characters (sorted).
    pub control_chars: Vec<char>,
}

const JSON: &str = include_str!("../../data/fix_text/ftfy-6.3.1.json");

/// The tables, built on first use.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let raw: Raw = serde_json::from_str(JSON).expect("the bundled ftfy tables are valid JSON");
        let regex = |p: &str| Regex::new(p).expect("the bundled ftfy patterns compile");
        let bytes = |p: &str| {
            regex::bytes::Regex::new(&format!("(?-u){p}"))
                .expect("the bundled ftfy patterns compile")
        };
        let charmap = |name: &str| Charmap::new(name.to_string(), &raw.charmaps[name]);
        let mut control_chars: Vec<char> = raw.control_chars.chars().collect();
        control_chars.sort_unstable();
        let mut html_invalid_codepoints = raw.html_invalid_codepoints.clone();
        html_invalid_codepoints.sort_unstable();
        Tables {
            badness: regex(&raw.badness),
            utf8_detector: regex(&raw.utf8_detector),
            utf8_detector_lookbehind: regex(&format!("\\A{}\\z", raw.utf8_detector_lookbehind)),
            altered_utf8: bytes(&raw.altered_utf8),
            lossy_utf8: bytes(&raw.lossy_utf8),
            charmaps: raw.charmap_encodings.iter().map(|n| charmap(n)).collect(),
            windows_1252: charmap("windows-1252"),
            html_entities: raw.html_entities,
            html_invalid_charrefs: raw.html_invalid_charrefs,
            html_invalid_codepoints,
            ligatures: raw.ligatures,
            width_map: raw.width_map,
            control_chars,
        }
    })
}
