//! Hand-checked datatrove 0.10.1 outputs (`load_word_tokenizer(lang).word_tokenize`, sentence
//! counts from `split_into_sentences`); see the research notes, §3.2.

use super::Segmenter;

fn check(lang: &str, text: &str, words: &[&str], sentences: usize) {
    let seg = Segmenter::for_language(lang);
    assert_eq!(seg.words(text), words, "{lang}: {text:?}");
    assert_eq!(
        seg.sentence_count(text),
        sentences,
        "{lang} sentences: {text:?}"
    );
}

#[test]
fn german() {
    check(
        "deu",
        "Das US-Militär nimmt Operationen gegen ISIS-Kämpfer wieder auf.",
        &[
            "Das",
            "US-Militär",
            "nimmt",
            "Operationen",
            "gegen",
            "ISIS-Kämpfer",
            "wieder",
            "auf",
            ".",
        ],
        1,
    );
    check(
        "deu",
        "Das ist z.B. ein Test, d.h. nicht ernst gemeint.",
        &[
            "Das", "ist", "z.B.", "ein", "Test", ",", "d.h.", "nicht", "ernst", "gemeint", ".",
        ],
        1,
    );
    check(
        "deu",
        "Er kam am 3. Januar um 14:30 Uhr, mit 5.000 Soldaten und 1,5 Mio. Euro.",
        &[
            "Er", "kam", "am", "3.", "Januar", "um", "14:30", "Uhr", ",", "mit", "5.000",
            "Soldaten", "und", "1,5", "Mio.", "Euro", ".",
        ],
        1,
    );
    check(
        "deu",
        "Schreib an info@example.de oder besuche https://www.example.de/pfad?x=1&y=2 bzw. www.example.de.",
        &[
            "Schreib", "an", "info@example.de", "oder", "besuche", "https://www.example.de/pfad?x=1&y=2",
            "bzw.", "www.example.de", ".",
        ],
        1,
    );
    check(
        "deu",
        "„Wir freuen uns“, sagte er. (Siehe Kap. 3) Die USA – nicht Iran – lehnten ab...",
        &[
            "„", "Wir", "freuen", "uns", "“", ",", "sagte", "er", ".", "(", "Siehe", "Kap", ".",
            "3", ")", "Die", "USA", "–", "nicht", "Iran", "–", "lehnten", "ab", "...",
        ],
        3,
    );
    check(
        "deu",
        "Beitragsbild:By Markusszy – Own work, CC BY-SA 4.0, https://commons.wikimedia.org/w/index.php?curid=77539738",
        &[
            "Beitragsbild", ":", "By", "Markusszy", "–", "Own", "work", ",", "CC", "BY-SA", "4.0", ",",
            "https://commons.wikimedia.org/w/index.php?curid=77539738",
        ],
        1,
    );
    check(
        "deu",
        "Geht's dir gut? Ja, 's ist gut. Straßen- und Brückenbau, E-Mail-Adresse, 10%-Anteil, 3x schneller",
        &[
            "Geht's", "dir", "gut", "?", "Ja", ",", "'s", "ist", "gut", ".", "Straßen-", "und", "Brückenbau",
            ",", "E-Mail-Adresse", ",", "10%-Anteil", ",", "3x", "schneller",
        ],
        3,
    );
    check(
        "deu",
        "Dr. Müller u. Co. KG, Nr. 5, ca. 20 km/h; Preis: 12,99€ (inkl. MwSt.)",
        &[
            "Dr.", "Müller", "u.", "Co.", "KG", ",", "Nr.", "5", ",", "ca.", "20", "km", "/", "h",
            ";", "Preis", ":", "12,99", "€", "(", "inkl.", "MwSt.", ")",
        ],
        1,
    );
    check(
        "de",
        "#hashtag @user ... … !!! ?! ——",
        &[
            "#", "hashtag", "@user", "...", "…", "!", "!", "!", "?", "!", "—", "—",
        ],
        1,
    );
}

#[test]
fn english() {
    check(
        "eng",
        "The U.S. military isn't resuming ops; it's e-mail-based, state-of-the-art.",
        &[
            "The", "U.S.", "military", "is", "n't", "resuming", "ops", ";", "it", "'s", "e", "-",
            "mail", "-", "based", ",", "state", "-", "of", "-", "the", "-", "art", ".",
        ],
        1,
    );
    check(
        "eng",
        "It costs $1,000.50 (approx. 5%) — or 1,234,567 units... Really?!",
        &[
            "It",
            "costs",
            "$",
            "1,000.50",
            "(",
            "approx",
            ".",
            "5",
            "%",
            ")",
            "—",
            "or",
            "1,234,567",
            "units",
            "...",
            "Really",
            "?",
            "!",
        ],
        2,
    );
    check(
        "eng",
        "Email john.doe@example.com or visit http://example.com/a-b_c?q=1 and www.test.org.",
        &[
            "Email",
            "john.doe@example.com",
            "or",
            "visit",
            "http://example.com/a-b_c?q=1",
            "and",
            "www.test.org",
            ".",
        ],
        1,
    );
    check(
        "eng",
        "Don't, can't, won't, y'all, o'clock, rock'n'roll, 90's, '90s, Mr. Smith, e.g. this, i.e. that, etc. end.",
        &[
            "Do", "n't", ",", "ca", "n't", ",", "wo", "n't", ",", "y'", "all", ",", "o'clock", ",",
            "rock'n'roll", ",", "90", "'s", ",", "'", "90s", ",", "Mr.", "Smith", ",", "e.g.", "this", ",",
            "i.e.", "that", ",", "etc", ".", "end", ".",
        ],
        2,
    );
    check(
        "eng",
        "He said \"hello.\" Then: 'quoted' text. 3.14 and 10-20 and 2020-01-01 and 5km and #1 and C++ and U.K.",
        &[
            "He", "said", "\"", "hello", ".", "\"", "Then", ":", "'", "quoted", "'", "text", ".", "3.14",
            "and", "10", "-", "20", "and", "2020", "-", "01", "-", "01", "and", "5", "km", "and", "#", "1",
            "and", "C++", "and", "U.K.",
        ],
        3,
    );
    check(
        "en",
        "• bullet item\n- dash item\n\nNew paragraph   with  spaces\t\ttab",
        &[
            "•",
            "bullet",
            "item",
            "-",
            "dash",
            "item",
            "New",
            "paragraph",
            "with",
            "spaces",
            "tab",
        ],
        1,
    );
}

#[test]
fn empty_and_whitespace() {
    let en = Segmenter::for_language("en");
    assert!(en.words("").is_empty());
    assert_eq!(en.sentence_count(""), 1);
    assert!(en.words(" \n\u{a0}\u{1f} ").is_empty());
    assert_eq!(en.words("  a  b \n"), ["a", "b"]);
}

#[test]
fn language_codes() {
    let lang = |code| Segmenter::for_language(code).spacy_language();
    assert_eq!(lang("en"), "en");
    assert_eq!(lang("eng_Latn"), "en");
    assert_eq!(lang("deu"), "de");
    assert_eq!(lang("DE"), "de");
    assert_eq!(lang("gsw"), "de");
    assert_eq!(lang("ita"), "it");
    // Chinese goes to ICU4X's word segmenter, not to a spaCy table.
    assert_eq!(lang("zho"), "icu");
    assert_eq!(lang("ara"), "xx");
    assert_eq!(lang("und"), "xx");
    assert_eq!(lang(""), "xx");
    assert!(std::ptr::eq(
        Segmenter::for_language("de"),
        Segmenter::for_language("deu_Latn")
    ));
}

#[test]
fn memoised_chunks_agree_with_fresh_ones() {
    let en = Segmenter::for_language("en");
    let text = "Don't stop: e-mail me at a@b.com (now)! Don't stop: e-mail me at a@b.com (now)!";
    let first = en.words(text);
    assert_eq!(first, en.words(text));
    assert_eq!(first.len() % 2, 0);
    assert_eq!(first[..first.len() / 2], first[first.len() / 2..]);
}

#[test]
fn every_language_builds() {
    for lang in super::tables::LANGS {
        let seg = Segmenter::for_language(lang);
        assert_eq!(seg.spacy_language(), lang);
        assert!(!seg.words("Hello, world. 12:30 e-mail (x).").is_empty());
    }
}

#[test]
fn every_language_has_the_fast_path_for_plain_letters() {
    // Derived from each language's patterns; a table change that lets a prefix, suffix or
    // infix match inside a word of letters shows up here.
    for lang in super::tables::LANGS {
        let letters = Segmenter::for_language(lang).tokenizer.letters();
        let letters = letters.unwrap_or_else(|| panic!("{lang}: no fast path"));
        assert!(letters.cover("Hello"), "{lang}");
    }
}

proptest::proptest! {
    /// The fast path for plain letters gives the tokens of the full rules: words of letters
    /// (ASCII, Latin, Greek, Cyrillic), rule strings and pattern starts among them.
    #[test]
    fn the_fast_path_equals_the_full_rules(
        text in "([a-zA-ZäöüßéèàçñøåæœÄÖÜÉŁłőűčšžřěůąęśźżğışİΩμέγαЖжЁёЇї ]|dont|cant|Cannot|im|Ill|ima|gonna|wont|Wont|lets|hes|id|em|aint|cause|ya|del|al|am|im|zum|ins|ans|du|au|dell|nel|col|ao|do|na|aan|pr|tj|ds|nt|nd|st|Dr|Mr|vs|etc|usw|bzw|ggf)*",
        lang in proptest::sample::select(super::tables::LANGS.to_vec()),
    ) {
        let tok = &Segmenter::for_language(lang).tokenizer;
        let (mut fast, mut full) = (Vec::new(), Vec::new());
        tok.tokens_with(&text, &mut fast, true);
        tok.tokens_with(&text, &mut full, false);
        proptest::prop_assert_eq!(fast, full);
    }

    /// Tokens tile the text (up to the single spaces spaCy records as `whitespace_`), and words
    /// are the stripped, non-empty tokens.
    #[test]
    fn tokens_tile_the_text(
        text in "([a-zA-Z0-9 .,;:!?'\"()\\-–—/@#$%&*+=_\n\t\u{a0}\u{1f}äöüßéñçЖж€°…“”„«»]|n't|'s|z\\.B\\.|U\\.S\\.|e-mail|http://a\\.de/x|Dr\\.){0,40}",
        lang in proptest::sample::select(vec!["en", "de", "fr", "es", "ru", "nl", "tr", "xx"]),
    ) {
        let seg = Segmenter::for_language(lang);
        let mut toks = Vec::new();
        seg.tokenizer.tokens(&text, &mut toks);
        let mut pos = 0;
        for t in &toks {
            proptest::prop_assert_eq!(t.start, pos);
            proptest::prop_assert!(t.end > t.start);
            pos = t.end + usize::from(t.space);
            if t.space {
                proptest::prop_assert_eq!(&text[t.end..pos], " ");
            }
        }
        proptest::prop_assert_eq!(pos, text.len());
        let words: Vec<&str> = toks
            .iter()
            .map(|t| super::pyws::strip(&text[t.start..t.end]))
            .filter(|w| !w.is_empty())
            .collect();
        proptest::prop_assert_eq!(seg.words(&text), words);
        proptest::prop_assert!(seg.sentence_count(&text) >= 1);
    }
}

#[test]
fn sentences_are_cut_where_datatrove_cuts_them() {
    // spaCy 3.8 + datatrove's split_into_sentences on these strings (docs/research, §3.2).
    let de = Segmenter::for_language("deu");
    assert_eq!(
        de.sentences(
            "„Wir freuen uns“, sagte er. (Siehe Kap. 3) Die USA – nicht Iran – lehnten ab..."
        ),
        [
            "„Wir freuen uns“, sagte er. (",
            "Siehe Kap.",
            " 3) Die USA – nicht Iran – lehnten ab..."
        ]
    );
    let en = Segmenter::for_language("eng");
    assert_eq!(
        en.sentences("It costs $1,000.50 (approx. 5%) — or 1,234,567 units... Really?!"),
        [
            "It costs $1,000.50 (approx.",
            " 5%) — or 1,234,567 units... Really?!"
        ]
    );
    assert_eq!(en.sentences(""), [""]);
}
