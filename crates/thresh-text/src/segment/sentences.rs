//! spaCy's rule-based `sentencizer` (default punctuation), as datatrove counts its sentences.

use std::sync::OnceLock;

use super::tables;

/// spaCy `Sentencizer.default_punct_chars`, sorted.
fn punct_chars() -> &'static [char] {
    static CHARS: OnceLock<Vec<char>> = OnceLock::new();
    CHARS.get_or_init(|| {
        let mut chars: Vec<char> = tables::common().sentencizer_punct_chars.chars().collect();
        chars.sort_unstable();
        chars
    })
}

/// Whether the token is exactly one sentence-final punctuation character.
#[inline]
fn is_sentence_punct(tok: &str) -> bool {
    let mut chars = tok.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => punct_chars().binary_search(&c).is_ok(),
        _ => false,
    }
}

/// spaCy's `IS_PUNCT`: every character has Unicode general category P*.
#[inline]
pub(crate) fn is_punct(tok: &str) -> bool {
    if tok.is_ascii() {
        return tok.bytes().all(|b| {
            matches!(b, b'!'..=b'#' | b'%'..=b'*' | b','..=b'/' | b':' | b';' | b'?' | b'@' | b'['..=b']' | b'_' | b'{' | b'}')
        });
    }
    static PUNCT: OnceLock<regex::Regex> = OnceLock::new();
    PUNCT
        .get_or_init(|| regex::Regex::new(r"^\p{P}+$").expect("valid regex"))
        .is_match(tok)
}

/// Number of sentences the sentencizer finds in `tokens` (all token texts, whitespace tokens
/// included): a sentence starts at the first token after a sentence-final punctuation token
/// that is neither punctuation nor sentence-final punctuation itself. At least 1.
pub(crate) fn count<'a>(tokens: impl IntoIterator<Item = &'a str>) -> usize {
    let mut n = 1;
    let mut seen = false;
    for t in tokens {
        let p = is_sentence_punct(t);
        if seen && !p && !is_punct(t) {
            n += 1;
            seen = false;
        } else if p {
            seen = true;
        }
    }
    n
}

/// Indices of the tokens that start a sentence after the first (the same rule as [`count`]).
pub(crate) fn starts<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut seen = false;
    for (i, t) in tokens.into_iter().enumerate() {
        let p = is_sentence_punct(t);
        if seen && !p && !is_punct(t) {
            starts.push(i);
            seen = false;
        } else if p {
            seen = true;
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_punct_is_category_p() {
        let re = regex::Regex::new(r"^\p{P}$").unwrap();
        for b in 0x21u8..0x7f {
            let s = (b as char).to_string();
            assert_eq!(is_punct(&s), re.is_match(&s), "{s}");
        }
        assert!(is_punct("“„"));
        assert!(!is_punct("$"));
        assert!(!is_punct("\n"));
    }

    #[test]
    fn sentence_starts_are_the_tokens_count_increments_at() {
        assert_eq!(starts(["Hi", ".", "(", "Yes", ")", "?"]), [3]);
        assert_eq!(starts(["a", ".", " ", "b", "!", "c"]), [2, 5]);
    }

    #[test]
    fn counts_sentences() {
        assert_eq!(count(["Hi", ".", "(", "Yes", ")", "?"]), 2);
        assert_eq!(count(["a", "...", "b"]), 1);
        assert_eq!(count(Vec::<&str>::new()), 1);
    }
}
