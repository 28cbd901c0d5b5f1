//! Did-you-mean suggestions for misspelt keys and step types.

/// The candidate closest to `word`, if it is close enough to be a plausible typo
/// (Jaro-Winkler similarity ≥ 0.8, or one is a prefix of the other).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (c, strsim::jaro_winkler(word, c)))
        .filter(|&(c, score)| score >= 0.8 || (word.len() >= 3 && c.starts_with(word)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_rejects_strangers() {
        let keys = ["paths", "text_field", "id_field"];
        assert_eq!(closest("path", keys), Some("paths"));
        assert_eq!(closest("txt_field", keys), Some("text_field"));
        assert_eq!(closest("banana", keys), None);
    }
}
