//! Word counting shared by the generic steps: whitespace-separated tokens.
//!
//! This is the simple, language-independent count (what `str::split_whitespace` sees); the
//! quality filters use language-aware segmentation instead.

/// Number of whitespace-separated words in `text`.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_whitespace_separated_tokens() {
        assert_eq!(super::count_words("  Hallo,\tWelt!\n\nWie geht's? "), 4);
        assert_eq!(super::count_words(""), 0);
    }
}
