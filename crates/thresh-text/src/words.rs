//! Word counting shared by the generic steps: whitespace-separated tokens.
//!
//! This is the simple, language-independent count (what `str::split_whitespace` sees), done
//! on bytes: ASCII through a table, and a `char` decoded only at the four UTF-8 lead bytes
//! whose characters include Unicode whitespace (U+0085, U+00A0, U+1680, U+2000–U+3000). The
//! quality filters use language-aware segmentation instead.

/// Number of whitespace-separated words in `text`.
pub fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (space, len) = if b < 0x80 {
            (b.is_ascii_whitespace() || b == 0x0b, 1)
        } else if matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3) {
            let c = text[i..].chars().next().expect("i is at a char boundary");
            (c.is_whitespace(), c.len_utf8())
        } else {
            (false, 1)
        };
        if space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
        }
        i += len;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::count_words;

    #[test]
    fn counts_whitespace_separated_tokens() {
        assert_eq!(count_words("  Hallo,\tWelt!\n\nWie geht's? "), 4);
        assert_eq!(count_words(""), 0);
        // U+00A0 and U+3000 separate words; "é" and "日本" do not.
        assert_eq!(count_words("café\u{a0}olé 日本\u{3000}語"), 4);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_split_whitespace(text in "[ a-zé\u{a0}\u{85}\u{2003}\u{3000}日\t\n\u{b}\u{c}]{0,40}") {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count());
        }
    }
}
