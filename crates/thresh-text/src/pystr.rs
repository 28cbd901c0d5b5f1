//! Python `str` semantics the datatrove filters depend on, so that thresh decides exactly as
//! they do: lengths in code points, Python's whitespace set (Unicode White_Space plus
//! U+001C–U+001F), `strip`, `split()`, `splitlines()`, `isalpha` (general category L*).

use std::sync::OnceLock;

use regex::Regex;

/// Python's `str.isspace` for one character.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `len(s)`: code points.
pub fn len(s: &str) -> usize {
    s.chars().count()
}

/// Python's `s.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python's `s.lstrip()`.
pub fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Python's `s.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Python's `s.split()`: runs of whitespace separate, no empty parts.
pub fn split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|p| !p.is_empty())
}

/// Python's `s.splitlines()`: breaks at `\n`, `\r\n`, `\r`, `\v`, `\f`, U+001C–U+001E,
/// U+0085, U+2028, U+2029; no empty last part for a trailing break; `""` gives nothing.
pub fn splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Python's `any(c.isalpha() for c in s)`: some character of general category L*.
pub fn has_alpha(s: &str) -> bool {
    static LETTER: OnceLock<Regex> = OnceLock::new();
    if s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    s.bytes().any(|b| b >= 0x80)
        && LETTER
            .get_or_init(|| Regex::new(r"\p{L}").expect("valid pattern"))
            .is_match(s)
}

/// Python's `s.count(sub)`: non-overlapping occurrences, left to right.
pub fn count(s: &str, sub: &str) -> usize {
    match sub.as_bytes() {
        [] => s.chars().count() + 1,
        &[b] => memchr::memchr_iter(b, s.as_bytes()).count(),
        bytes => memchr::memmem::find_iter(s.as_bytes(), bytes).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_is_pythons_non_overlapping_count() {
        // Python: "a...b....".count("...") == 2, "x\ny\n".count("\n") == 2,
        // "aé".count("") == 3, "……".count("…") == 2.
        assert_eq!(count("a...b....", "..."), 2);
        assert_eq!(count("x\ny\n", "\n"), 2);
        assert_eq!(count("aé", ""), 3);
        assert_eq!(count("……", "…"), 2);
        assert_eq!(count("", "#"), 0);
    }

    #[test]
    fn whitespace_includes_the_information_separators() {
        assert!(is_space('\u{1f}') && is_space('\u{a0}') && is_space('\u{3000}'));
        assert!(!is_space('\u{200b}'));
        assert_eq!(strip("\u{1c} a b \u{a0}\n"), "a b");
        assert_eq!(
            split_whitespace(" a\u{1d}b  c ").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn splitlines_matches_python() {
        // Python: "a\r\nb\rc\n\nd\x0be\u2028f\n".splitlines() == ['a', 'b', 'c', '', 'd', 'e', 'f']
        assert_eq!(
            splitlines("a\r\nb\rc\n\nd\u{b}e\u{2028}f\n"),
            ["a", "b", "c", "", "d", "e", "f"]
        );
        assert!(splitlines("").is_empty());
        assert_eq!(splitlines("\n"), [""]);
        assert_eq!(splitlines("x"), ["x"]);
    }

    #[test]
    fn alpha_is_letters_only() {
        assert!(has_alpha("ab1") && has_alpha("ä") && has_alpha("日本"));
        assert!(!has_alpha("123") && !has_alpha(",") && !has_alpha("\u{301}") && !has_alpha("Ⅻ"));
    }

    #[test]
    fn count_is_non_overlapping() {
        assert_eq!(count("......", "..."), 2);
        assert_eq!(count("a … b", "…"), 1);
    }
}
