//! Repeated items of a sequence (lines, paragraphs), counted as datatrove's
//! `find_duplicates` does: every occurrence after the first counts, with its length in code
//! points.

use crate::segment::FxSet;

/// `(number of repeated occurrences, their total length in code points)`.
pub fn find_duplicates<'a>(items: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut seen = FxSet::default();
    let (mut repeats, mut chars) = (0, 0);
    for item in items {
        if !seen.insert(item) {
            repeats += 1;
            chars += item.chars().count();
        }
    }
    (repeats, chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_repeat_counts_with_its_length() {
        // "ab" twice more (2 × 2 chars), "" once more (0 chars).
        assert_eq!(find_duplicates(["ab", "c", "ab", "", "ab", ""]), (3, 4));
        assert_eq!(find_duplicates(["é", "é"]), (1, 1));
    }
}
