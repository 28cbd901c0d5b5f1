//! Precision and recall of the identifier detectors (IBAN, payment card, IPv6, phone) on team-written
//! sentences (`tests/data/identifiers.tsv`): real-world formats of documented example and test
//! numbers, and look-alikes (order and tracking numbers, ISBNs, phone numbers, times, MAC
//! addresses, private IPv6 addresses, placeholders) that must be left alone.

use std::ops::Range;

use thresh_text::identifiers::{cards, ibans, ipv6_public, ipv6s, phones};

/// The text without its `[[ ]]` marks, and the marked ranges.
fn parse(marked: &str) -> (String, Vec<Range<usize>>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let close = rest[open..].find("]]").expect("closed mark") + open;
        let start = text.len();
        text.push_str(&rest[open + 2..close]);
        ranges.push(start..text.len());
        rest = &rest[close + 2..];
    }
    text.push_str(rest);
    (text, ranges)
}

#[test]
fn detectors_find_what_is_marked_and_nothing_else() {
    let data = include_str!("data/identifiers.tsv");
    // Per detector: true positives, false positives, false negatives.
    let mut counts = [(0usize, 0usize, 0usize); 4];
    let mut mistakes = Vec::new();
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (kind, marked) = line.split_once('\t').expect("kind<TAB>text");
        let (text, expected) = parse(marked);
        let found = [
            ibans(&text),
            cards(&text),
            ipv6s(&text, ipv6_public),
            phones(&text),
        ];
        for (i, (name, got)) in ["iban", "card", "ipv6", "phone"]
            .iter()
            .zip(found)
            .enumerate()
        {
            let want: Vec<Range<usize>> = if *name == kind {
                expected.clone()
            } else {
                Vec::new()
            };
            let tp = got.iter().filter(|r| want.contains(r)).count();
            counts[i].0 += tp;
            counts[i].1 += got.len() - tp;
            counts[i].2 += want.len() - tp;
            if tp != got.len() || tp != want.len() {
                let got: Vec<&str> = got.iter().map(|r| &text[r.clone()]).collect();
                mistakes.push(format!("{name}: {text:?}: found {got:?}"));
            }
        }
    }
    println!("{mistakes:#?}");
    // Floors: a card-shaped run of digits passes the issuer and Luhn checks by chance one
    // time in ten (the set holds one: e's digits, 2718…, read as a Mastercard number).
    let floors = [
        ("iban", 1.0, 1.0),
        ("card", 0.85, 1.0),
        ("ipv6", 1.0, 1.0),
        ("phone", 0.9, 0.9),
    ];
    for ((name, min_precision, min_recall), (tp, fp, fn_)) in floors.into_iter().zip(counts) {
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        println!("{name}: {tp} found, {fp} false positives, {fn_} missed: precision {precision:.3}, recall {recall:.3}");
        assert!(tp >= 5, "{name}: the set holds positives");
        assert!(
            precision >= min_precision && recall >= min_recall,
            "{name}: {mistakes:#?}"
        );
    }
}
