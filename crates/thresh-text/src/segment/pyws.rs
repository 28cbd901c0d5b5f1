//! Python's `str.isspace()` / `str.strip()` whitespace set.
//!
//! Unicode White_Space plus U+001C–U+001F (which Python counts as whitespace and Rust's
//! `char::is_whitespace` does not).

/// `c.isspace()` in Python 3.
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    match c {
        '\t'..='\r' | '\u{1c}'..='\u{20}' => true,
        c if (c as u32) < 0x85 => false,
        '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' => true,
        '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => true,
        _ => false,
    }
}

/// `s.strip()` in Python 3 (as a subslice of `s`).
#[inline]
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The characters of [`is_space`], for regex classes (Python `\s`).
pub(crate) const SPACE_CLASS: &str = r"\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_isspace() {
        let py: Vec<u32> = vec![
            0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        let ours: Vec<u32> = (0..0x11_0000u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_space(c))
            .map(|c| c as u32)
            .collect();
        assert_eq!(ours, py);
        assert_eq!(strip("\u{1f} a b\u{3000}"), "a b");
    }
}
