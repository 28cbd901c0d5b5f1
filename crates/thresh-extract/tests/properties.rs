//! Properties of the parser and the extractor over arbitrary input.

use proptest::prelude::*;
use thresh_extract::{extract, parse, Options};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any text, markup-like or not: a tree and a tidy text, never a panic.
    #[test]
    fn any_input_gives_tidy_text(html in "(<[/!a-z]{0,6}[ a-z=\"']{0,8}>?|[a-zA-Zäöü &;#0-9.,]{0,12}|\n){0,60}") {
        let _ = parse(&html);
        let e = extract(&html, &Options::default());
        for line in e.text.lines() {
            prop_assert!(!line.trim().is_empty());
            prop_assert_eq!(line, line.trim());
        }
    }

    /// Words in paragraphs come out in order, whatever the page around them lacks.
    #[test]
    fn paragraph_words_survive_in_order(words in prop::collection::vec("[a-zA-Zäöüß]{1,12}", 1..80)) {
        let html = format!("<html><body><p>{}</p></body></html>", words.join(" "));
        let e = extract(&html, &Options::default());
        prop_assert_eq!(e.text, words.join(" "));
    }
}
