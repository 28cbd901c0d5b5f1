//! Character references (`&amp;`, `&#8222;`, `&auml;`) decoded as browsers do.

use std::borrow::Cow;

/// Decodes the character references in `s`; borrows when there are none.
pub fn decode(s: &str) -> Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', s.as_bytes()) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut rest = &s[first..];
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let used = reference(rest, &mut out);
        if used == 0 {
            out.push('&');
            rest = &rest[1..];
        } else {
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Decodes the reference at the start of `s` (which starts with `&`) into `out`; returns the
/// bytes it used, 0 when `s` does not start with a reference.
fn reference(s: &str, out: &mut String) -> usize {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (hex, start) = match b.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = b[start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return 0;
        }
        let text = &s[start..start + digits];
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        out.push(numeric(value));
        let end = start + digits;
        return end + usize::from(b.get(end) == Some(&b';'));
    }
    let name_len = b[1..]
        .iter()
        .take(40)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return 0;
    }
    if b.get(1 + name_len) == Some(&b';') {
        let whole = &s[..name_len + 2];
        let decoded = html_escape::decode_html_entities(whole);
        if decoded != whole {
            out.push_str(&decoded);
            return whole.len();
        }
        return 0;
    }
    // Legacy references browsers still accept without the semicolon.
    for (name, c) in [
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("nbsp", '\u{a0}'),
        ("copy", '©'),
        ("reg", '®'),
    ] {
        if s[1..].starts_with(name) {
            out.push(c);
            return 1 + name.len();
        }
    }
    0
}

/// The character of a numeric reference, with the browsers' repairs: NUL, surrogates and
/// values beyond Unicode become U+FFFD, 0x80–0x9F are read as windows-1252.
fn numeric(value: u32) -> char {
    const CP1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match value {
        0 => '\u{fffd}',
        0x80..=0x9f => CP1252[(value - 0x80) as usize],
        _ => char::from_u32(value).unwrap_or('\u{fffd}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_numeric_and_legacy_references() {
        assert_eq!(decode("a &amp; b"), "a & b");
        assert_eq!(decode("&auml;&hellip;&bdquo;Zitat&ldquo;"), "ä…„Zitat“");
        assert_eq!(decode("&#8222;&#x201C;&#X41;"), "„“A");
        assert_eq!(
            decode("&#150;&#0;&#xD800;&#99999999;"),
            "–\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(decode("AT&T &copy 2024 &nbsp;x"), "AT&T © 2024 \u{a0}x");
        assert_eq!(decode("&unknown; & &#; &"), "&unknown; & &#; &");
    }

    #[test]
    fn text_without_references_is_borrowed() {
        assert!(matches!(decode("plain text"), Cow::Borrowed(_)));
    }
}
