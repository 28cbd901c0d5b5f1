//! ftfy's small fixers (`ftfy.fixes`): HTML entities, terminal escapes, control characters,
//! ligatures, character width, curly quotes, line breaks. Each returns the text borrowed when
//! it has nothing to change.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::tables::tables;

/// `text` with each character `map` holds replaced (Python's `str.translate`).
fn translate<'a>(text: &'a str, map: impl Fn(char) -> Option<&'a str>) -> Cow<'a, str> {
    let Some(first) = text.char_indices().find(|&(_, c)| map(c).is_some()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first.0]);
    for c in text[first.0..].chars() {
        match map(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn lookup(map: &HashMap<char, String>, c: char) -> Option<&str> {
    map.get(&c).map(String::as_str)
}

/// ftfy's `unescape_html`: `&name;` as HTML5 names it (and its upper-case forms), `&#N;` and
/// `&#xN;` as Python's `html.unescape` reads them; anything else is left as written.
pub fn unescape_html(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(at) = text[search..].find('&').map(|i| i + search) {
        search = at + 1;
        let Some(len) = entity_len(&text[at..]) else {
            continue;
        };
        let entity = &text[at..at + len];
        if let Some(unescaped) = unescape_entity(entity) {
            out.push_str(&text[last..at]);
            out.push_str(&unescaped);
            last = at + len;
            search = last;
        }
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// The length of an `HTML_ENTITY_RE` match (`&#?[0-9A-Za-z]{1,24};`) at the start of `s`.
fn entity_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let start = if b.get(1) == Some(&b'#') { 2 } else { 1 };
    let run = b[start..]
        .iter()
        .take(25)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    ((1..=24).contains(&run) && b.get(start + run) == Some(&b';')).then_some(start + run + 1)
}

/// What an entity unescapes to, or `None` to leave it.
fn unescape_entity(entity: &str) -> Option<String> {
    let t = tables();
    if let Some(s) = t.html_entities.get(entity) {
        return Some(s.clone());
    }
    let body = entity.strip_prefix("&#")?.strip_suffix(';')?;
    let (digits, radix) = match body.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (body, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        // html.unescape stops at the first non-digit, leaving the `;`, and ftfy keeps the text.
        return None;
    }
    let num = u32::from_str_radix(digits, radix).unwrap_or(u32::MAX);
    let unescaped = if let Some(s) = t.html_invalid_charrefs.get(&num) {
        s.clone()
    } else if (0xD800..=0xDFFF).contains(&num) || num > 0x10FFFF {
        "\u{FFFD}".to_string()
    } else if t.html_invalid_codepoints.binary_search(&num).is_ok() {
        String::new()
    } else {
        char::from_u32(num)?.to_string()
    };
    (!unescaped.contains(';')).then_some(unescaped)
}

/// ftfy's `remove_terminal_escapes`: ANSI escapes such as `ESC[1;31m`.
pub fn remove_terminal_escapes(text: &str) -> Cow<'_, str> {
    static ANSI: OnceLock<Regex> = OnceLock::new();
    if !text.contains('\x1b') {
        return Cow::Borrowed(text);
    }
    ANSI.get_or_init(|| Regex::new(r"\x1b\[[\d;]*[a-zA-Z]").expect("valid pattern"))
        .replace_all(text, "")
}

/// ftfy's `remove_control_chars`: C0 controls but tab, line feed, form feed and carriage
/// return; DEL; the deprecated format characters U+206A–206F; the BOM; U+FFF9–FFFC.
pub fn remove_control_chars(text: &str) -> Cow<'_, str> {
    let controls = &tables().control_chars;
    if !text.chars().any(|c| controls.binary_search(&c).is_ok()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|c| controls.binary_search(c).is_err())
            .collect(),
    )
}

/// ftfy's `fix_latin_ligatures`: `ﬁ` → `fi` and the other Latin ligatures.
pub fn fix_latin_ligatures(text: &str) -> Cow<'_, str> {
    let map = &tables().ligatures;
    translate(text, |c| lookup(map, c))
}

/// ftfy's `fix_character_width`: full-width Latin letters and half-width katakana to their usual
/// width (NFKC of U+FF01–FFEF, and the ideographic space).
pub fn fix_character_width(text: &str) -> Cow<'_, str> {
    let map = &tables().width_map;
    translate(text, |c| lookup(map, c))
}

/// ftfy's `uncurl_quotes`: U+2018–201B and U+02BC to `'`, U+201C–201F to `"`.
pub fn uncurl_quotes(text: &str) -> Cow<'_, str> {
    translate(text, |c| match c {
        '\u{2bc}' | '\u{2018}'..='\u{201b}' => Some("'"),
        '\u{201c}'..='\u{201f}' => Some("\""),
        _ => None,
    })
}

/// ftfy's `fix_line_breaks`: CRLF, CR, U+2028, U+2029 and NEL to `\n`.
pub fn fix_line_breaks(text: &str) -> Cow<'_, str> {
    let breaks = |c: char| matches!(c, '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
    if !text.contains(breaks) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("\r\n", "\n")
            .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_entities() {
        assert_eq!(
            unescape_html("&lt;tag&gt; &amp; caf&eacute;"),
            "<tag> & café"
        );
        // ftfy's upper-case forms of lower-case names.
        assert_eq!(unescape_html("&EACUTE;"), "É");
        assert_eq!(unescape_html("&#233; &#xE9; &#XE9;"), "é é é");
        // HTML5's redefinitions: 0x80 is the euro sign, 0 the replacement character.
        assert_eq!(unescape_html("&#128; &#0;"), "€ \u{FFFD}");
        // Forbidden code points unescape to nothing; surrogates and huge numbers to U+FFFD.
        assert_eq!(
            unescape_html("a&#1;b &#xD800; &#99999999999999;"),
            "ab \u{FFFD} \u{FFFD}"
        );
        // Left alone: unknown names, no `;`, digits then letters, a `;` as the result, too long.
        for kept in [
            "&bogus;",
            "&amp",
            "&#12ab;",
            "&#59;",
            "&#xZZ;",
            "&aaaaaaaaaaaaaaaaaaaaaaaaa;",
        ] {
            assert_eq!(unescape_html(kept), kept);
        }
    }

    #[test]
    fn small_fixers() {
        assert_eq!(remove_terminal_escapes("\x1b[1;31mred\x1b[0m"), "red");
        assert_eq!(
            remove_control_chars("a\u{0}b\u{7}c\td\u{feff}e\u{c}"),
            "abc\tde\u{c}"
        );
        assert_eq!(fix_latin_ligatures("ﬁnd ﬂow"), "find flow");
        assert_eq!(fix_character_width("ＡＢＣ１\u{3000}ｶ"), "ABC1 カ");
        assert_eq!(uncurl_quotes("“it’s”"), "\"it's\"");
        assert_eq!(fix_line_breaks("a\r\nb\rc\u{2028}d\u{85}"), "a\nb\nc\nd\n");
    }
}
