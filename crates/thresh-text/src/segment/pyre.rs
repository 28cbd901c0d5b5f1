//! Translation of the Python `re` patterns in spaCy's tables into Rust regex syntax
//! (accepted by both `regex` and `fancy_regex`), keeping Python's meaning:
//!
//! - `\w` is `[\p{L}\p{N}_]` (Python: `str.isalnum()` or `_`; Rust's `\w` adds marks), `\s` is
//!   Python's whitespace set, `\d` is `\p{Nd}`;
//! - `\uXXXX`, `\UXXXXXXXX`, `\xXX` become `\x{…}`; escaped punctuation (`\'`, `\/`) becomes the
//!   character itself; ASCII punctuation inside classes is written as `\x{…}`, so Rust's class
//!   operators (`--`, `&&`, `~~`, nested `[`) never appear by accident;
//! - `{` that is not a quantifier is a literal, `{,n}` is `{0,n}`; the `u` flag is dropped
//!   (Unicode is the default).
//!
//! The pattern is also split into its top-level alternatives, so callers can evaluate them in
//! order (spaCy's prefix and suffix patterns are `^p1|^p2|…` and `s1$|s2$|…`).

use super::pyws::SPACE_CLASS;

const WORD_CLASS: &str = r"\p{L}\p{N}_";

/// The top-level alternatives of the Python pattern `py`, each translated to Rust syntax.
pub(crate) fn translate_branches(py: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = py.chars().collect();
    let mut branches = Vec::new();
    let mut out = String::with_capacity(py.len());
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let (item, next) = escape(&chars, i)?;
                i = next;
                match item {
                    Item::Char(ch) => push_literal(&mut out, ch),
                    Item::Class(cls) => {
                        out.push('[');
                        out.push_str(&cls);
                        out.push(']');
                    }
                    Item::Raw(raw) => out.push_str(raw),
                }
            }
            '[' => i = class(&chars, i, &mut out)?,
            '(' => {
                depth += 1;
                if chars.get(i) == Some(&'?') {
                    let (next, opened) = group_head(&chars, i + 1, &mut out)?;
                    i = next;
                    if !opened {
                        depth -= 1;
                    }
                } else {
                    out.push('(');
                }
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or("unbalanced ')'")?;
                out.push(')');
            }
            '|' if depth == 0 => branches.push(std::mem::take(&mut out)),
            '{' => match quantifier(&chars, i) {
                Some((q, next)) => {
                    out.push_str(&q);
                    i = next;
                }
                None => push_literal(&mut out, '{'),
            },
            '}' => push_literal(&mut out, '}'),
            '^' | '$' | '.' | '*' | '+' | '?' | '|' => out.push(c),
            _ => push_literal(&mut out, c),
        }
    }
    if depth != 0 {
        return Err("unbalanced '('".into());
    }
    branches.push(out);
    Ok(branches)
}

/// The whole Python pattern `py` translated to Rust syntax.
pub(crate) fn translate(py: &str) -> Result<String, String> {
    Ok(translate_branches(py)?.join("|"))
}

/// `pattern` (Rust syntax, as produced here) with every lookaround group removed. Lookarounds
/// only restrict where a match may occur, so the result matches whenever `pattern` does: a
/// cheap prefilter for patterns that need the backtracking engine.
pub(crate) fn strip_lookarounds(pattern: &str) -> String {
    replace_lookarounds(pattern, |_, _| "")
}

/// `pattern` (Rust syntax) with each lookaround group outside a class replaced by
/// `replace(head, body)`: the head is `(?=`, `(?!`, `(?<=` or `(?<!`, the body what follows
/// it up to the group's `)`.
pub(crate) fn replace_lookarounds(
    pattern: &str,
    mut replace: impl FnMut(&str, &str) -> &'static str,
) -> String {
    let b = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut class_depth = 0usize;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                class_depth += 1;
                i += 1;
                // A leading `^` negates; it is not a literal.
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
            }
            b']' if class_depth > 0 => {
                class_depth -= 1;
                i += 1;
            }
            b'(' if class_depth == 0 => {
                let Some(head) = ["(?=", "(?!", "(?<=", "(?<!"]
                    .into_iter()
                    .find(|h| pattern[i..].starts_with(h))
                else {
                    i += 1;
                    continue;
                };
                out.push_str(&pattern[copied..i]);
                let end = group_end(b, i);
                let body = pattern.get(i + head.len()..end - 1).unwrap_or("");
                out.push_str(replace(head, body));
                i = end;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&pattern[copied..]);
    out
}

/// Index after the `)` closing the group that opens at `b[start]` (Rust syntax).
fn group_end(b: &[u8], start: usize) -> usize {
    let (mut depth, mut class_depth, mut i) = (0usize, 0usize, start);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => class_depth += 1,
            b']' if class_depth > 0 => class_depth -= 1,
            b'(' if class_depth == 0 => depth += 1,
            b')' if class_depth == 0 => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

enum Item {
    Char(char),
    /// Contents of a character class (without brackets).
    Class(String),
    /// An assertion such as `\b`, emitted as is.
    Raw(&'static str),
}

/// Parses the escape whose letter is at `chars[i]`; returns the item and the next index.
fn escape(chars: &[char], i: usize) -> Result<(Item, usize), String> {
    let c = *chars.get(i).ok_or("trailing backslash")?;
    let hex = |n: usize| -> Result<(Item, usize), String> {
        let digits: String = chars
            .get(i + 1..i + 1 + n)
            .ok_or("short hex escape")?
            .iter()
            .collect();
        let v = u32::from_str_radix(&digits, 16)
            .map_err(|e| format!("bad escape \\{c}{digits}: {e}"))?;
        let ch = char::from_u32(v).ok_or_else(|| format!("bad code point {v:#x}"))?;
        Ok((Item::Char(ch), i + 1 + n))
    };
    let item = match c {
        'u' => return hex(4),
        'U' => return hex(8),
        'x' => return hex(2),
        'n' => Item::Char('\n'),
        't' => Item::Char('\t'),
        'r' => Item::Char('\r'),
        'f' => Item::Char('\u{c}'),
        'v' => Item::Char('\u{b}'),
        'a' => Item::Char('\u{7}'),
        '0' => Item::Char('\0'),
        'w' => Item::Class(WORD_CLASS.into()),
        'W' => Item::Class(format!("^{WORD_CLASS}")),
        'd' => Item::Class(r"\p{Nd}".into()),
        'D' => Item::Class(r"^\p{Nd}".into()),
        's' => Item::Class(SPACE_CLASS.into()),
        'S' => Item::Class(format!("^{SPACE_CLASS}")),
        'A' => Item::Raw(r"\A"),
        'Z' => Item::Raw(r"\z"),
        'b' => Item::Raw(r"\b"),
        'B' => Item::Raw(r"\B"),
        c if c.is_ascii_alphanumeric() => return Err(format!("unsupported escape \\{c}")),
        c => Item::Char(c),
    };
    Ok((item, i + 1))
}

/// Writes `c` as a literal outside a class.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c.is_ascii_control() || c == ' ' {
        out.push_str(&format!(r"\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// Writes `c` as a literal inside a class.
fn push_class_literal(out: &mut String, c: char) {
    push_literal(out, c);
}

/// Parses a class whose `[` precedes `chars[i]`; writes it and returns the index after `]`.
fn class(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let start = i;
    loop {
        let c = *chars.get(i).ok_or("unterminated class")?;
        if c == ']' && i > start {
            out.push(']');
            return Ok(i + 1);
        }
        // One item: a char (possibly the start of a range) or a class escape.
        let (item, next) = if c == '\\' {
            escape(chars, i + 1)?
        } else {
            (Item::Char(c), i + 1)
        };
        i = next;
        match item {
            Item::Char(lo) => {
                let is_range =
                    chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']');
                if is_range {
                    let (hi, next) = if chars[i + 1] == '\\' {
                        escape(chars, i + 2)?
                    } else {
                        (Item::Char(chars[i + 1]), i + 2)
                    };
                    let Item::Char(hi) = hi else {
                        return Err("class escape as range end".into());
                    };
                    i = next;
                    push_class_literal(out, lo);
                    out.push('-');
                    push_class_literal(out, hi);
                } else {
                    push_class_literal(out, lo);
                }
            }
            Item::Class(cls) if cls.starts_with('^') => {
                out.push('[');
                out.push_str(&cls);
                out.push(']');
            }
            Item::Class(cls) => out.push_str(&cls),
            Item::Raw(_) => return Err("assertion inside class".into()),
        }
    }
}

/// Parses a group head after `(?`; writes its Rust form and returns the next index and
/// whether a group was opened (`false` for a global flag group such as `(?iu)`).
fn group_head(chars: &[char], i: usize, out: &mut String) -> Result<(usize, bool), String> {
    let rest = |n: usize| chars.get(i..i + n).map(|s| s.iter().collect::<String>());
    for head in [":", "=", "!", "<=", "<!"] {
        if rest(head.len()).as_deref() == Some(head) {
            out.push_str("(?");
            out.push_str(head);
            return Ok((i + head.len(), true));
        }
    }
    if chars.get(i) == Some(&'P') && chars.get(i + 1) == Some(&'<') {
        out.push_str("(?P<");
        return Ok((i + 2, true));
    }
    // Flags: `(?iu)` (global) or `(?i:…)` (scoped).
    let mut j = i;
    let mut flags = String::new();
    while let Some(&f) = chars.get(j) {
        match f {
            'i' | 'm' | 's' | 'x' => flags.push(f),
            'u' | 'a' | 'L' => {}
            _ => break,
        }
        j += 1;
    }
    match chars.get(j) {
        Some(')') => {
            if !flags.is_empty() {
                out.push_str(&format!("(?{flags})"));
            }
            Ok((j + 1, false))
        }
        Some(':') => {
            out.push_str(&format!("(?{flags}:"));
            Ok((j + 1, true))
        }
        _ => Err(format!("unsupported group at {i}")),
    }
}

/// Parses a Python quantifier body after `{`; `None` if it is a literal `{`.
fn quantifier(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    let mut lo = String::new();
    let mut hi = String::new();
    let mut comma = false;
    loop {
        match *chars.get(j)? {
            d @ '0'..='9' => {
                if comma {
                    hi.push(d)
                } else {
                    lo.push(d)
                }
            }
            ',' if !comma => comma = true,
            '}' => break,
            _ => return None,
        }
        j += 1;
    }
    if lo.is_empty() && hi.is_empty() {
        return None;
    }
    let lo = if lo.is_empty() { "0".to_string() } else { lo };
    let q = if comma {
        format!("{{{lo},{hi}}}")
    } else {
        format!("{{{lo}}}")
    };
    Some((q, j + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(py: &str) -> fancy_regex::Regex {
        fancy_regex::Regex::new(&translate(py).expect("translates")).expect("compiles")
    }

    #[test]
    fn translates_python_syntax() {
        assert_eq!(translate_branches("^a|^b(?:c|d)").unwrap().len(), 2);
        assert!(rx(r"^\'x$").is_match("'x").unwrap());
        assert!(rx(r"^[\U0001F9D0-\U0001F9FF]$")
            .is_match("\u{1F9D1}")
            .unwrap());
        assert!(rx(r"^[\u00e9]$").is_match("é").unwrap());
        assert!(rx(r"^[+\-\*^]$").is_match("^").unwrap());
        assert!(rx(r"^a{,2}$").is_match("aa").unwrap());
        assert!(rx(r"^a{x$").is_match("a{x").unwrap());
        assert!(rx(r"(?<=[0-9])\+$").is_match("1+").unwrap());
        // Python \w excludes combining marks; Rust's includes them.
        assert!(!rx(r"^\w$").is_match("\u{301}").unwrap());
        assert!(rx(r"^\w+$").is_match("a_1ß").unwrap());
        // Python \s includes U+001F.
        assert!(rx(r"^\s$").is_match("\u{1f}").unwrap());
        assert!(rx(r"(?iu)^abc$").is_match("ABC").unwrap());
        assert!(rx(r"^[[]$").is_match("[").unwrap());
        assert!(rx(r"^[]a]$").is_match("]").unwrap());
    }

    #[test]
    fn strips_lookarounds() {
        let t = translate(r"(?<=[a-z(])\.(?=[A-Z])|\+(?![0-9])|x").unwrap();
        assert_eq!(strip_lookarounds(&t), r"\x{2E}|\x{2B}|x");
    }
}
