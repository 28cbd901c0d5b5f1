//! The learned keep/drop decision after the rules, on pages the team wrote: what a model that
//! keeps or drops every line does (so each part of the plumbing is checked by hand), that the
//! rules alone stay one switch away, and what the built-in model decides on typical pages.

use std::sync::Arc;

use thresh_extract::{extract, BlockModel, Method, Options, FEATURES};

/// A model of one tree with one leaf: every line gets `raw` = `bias` + `leaf`.
fn constant(leaf: f64) -> Options {
    let text = format!(
        "thresh-blocks 1\nfeatures {FEATURES}\nbias 0\nthreshold 0.5\ntree 1\n-1 0 0 0 {leaf}\n"
    );
    Options {
        model: Some(Arc::new(BlockModel::parse(&text).unwrap())),
        ..Options::default()
    }
}

fn rules() -> Options {
    Options {
        model: None,
        ..Options::default()
    }
}

fn para(topic: &str) -> String {
    format!(
        "<p>The {topic} was discussed at length by the committee, which heard evidence from \
         residents, engineers and the county surveyor before it agreed on a plan.</p>"
    )
}

/// Asserts that `text` holds the [`para`] of every topic.
fn assert_has_paragraphs(text: &str, topics: &[&str]) {
    for p in topics {
        assert!(text.contains(&format!("The {p} was discussed")), "{text}");
    }
}

fn page() -> String {
    format!(
        "<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav>\
         <div class=sidebar><h3>Popular this week</h3><p>Ferry timetable for the summer</p></div>\
         <div class=entry-content>{}{}</div>\
         <div hidden>Hidden promotion text</div><script>var tracking = 1;</script>\
         <footer>Copyright 2024 Example Ltd</footer></body></html>",
        para("bridge"),
        para("harbour")
    )
}

#[test]
fn a_model_that_keeps_every_line_gives_the_page_without_non_text_and_hidden_elements() {
    // The lines the model sees: the page with only the tag and visibility rules applied, so
    // the sidebar the class words removed is back, `nav`, `footer`, hidden and script are not.
    let e = extract(&page(), &constant(10.0));
    assert_eq!(e.method, Method::MainContent);
    assert_eq!(
        e.text.lines().collect::<Vec<_>>(),
        [
            "Popular this week",
            "Ferry timetable for the summer",
            &para("bridge")[3..para("bridge").len() - 4],
            &para("harbour")[3..para("harbour").len() - 4],
        ]
    );
}

#[test]
fn a_model_that_drops_every_line_leaves_the_rules_text() {
    // Nothing learned: the rules' text stands, as with no model at all.
    let html = page();
    let dropped = extract(&html, &constant(-10.0));
    let alone = extract(&html, &rules());
    assert_eq!(dropped.text, alone.text);
    assert_eq!(alone.text.lines().count(), 2, "{}", alone.text);
    assert!(!alone.text.contains("Popular"));
}

#[test]
fn table_rows_the_rules_kept_stay_whatever_the_model_says() {
    let rows: String = (1..=8)
        .map(|i| format!("<tr><td>Stage {i} of the coastal walk</td><td>{} km along the cliffs and dunes</td></tr>", 3 * i))
        .collect();
    let html = format!("<html><body><article><table>{rows}</table></article></body></html>");
    let e = extract(&html, &constant(-10.0));
    assert_eq!(e.text.lines().count(), 8, "{}", e.text);
    assert!(e
        .text
        .starts_with("Stage 1 of the coastal walk | 3 km along the cliffs and dunes"));
}

#[test]
fn learned_text_shorter_than_the_fallback_minimum_does_not_replace_the_rules() {
    // Keep-all gives the sidebar and the short article; under 250 characters the rules' text
    // is used and, being short too, the whole-page fallback decides as before.
    let html = "<html><body><div class=sidebar>Popular this week</div>\
                <div class=entry-content><p>A short notice.</p></div></body></html>";
    let kept = extract(html, &constant(10.0));
    let alone = extract(html, &rules());
    assert_eq!(kept.text, alone.text);
    assert_eq!(kept.method, alone.method);
}

#[test]
fn a_model_with_other_features_is_refused() {
    let text = "thresh-blocks 1\nfeatures 3\nbias 0\nthreshold 0.5\ntree 1\n-1 0 0 0 1\n";
    let err = BlockModel::parse(text).unwrap_err();
    assert!(err.contains("3 features"), "{err}");
}

#[test]
fn the_built_in_model_leaves_the_headline_out_as_the_benchmarks_article_bodies_do() {
    // A news page: the rules keep the headline inside the article; the benchmarks' ground
    // truth (article bodies, as trafilatura's text) leaves it to the metadata (`thresh.title`).
    let html = format!(
        "<html><body><main><article><h1>Harbour wall repairs begin after winter storms</h1>\
         <div class=byline>By Mara Jensen | 12 March 2024 | 4 min read</div>\
         {}{}{}</article></main></body></html>",
        para("harbour wall"),
        para("fish market"),
        para("ferry pier")
    );
    let learned = extract(&html, &Options::default());
    let alone = extract(&html, &rules());
    assert!(
        alone.text.contains("Harbour wall repairs"),
        "{}",
        alone.text
    );
    assert_has_paragraphs(
        &learned.text,
        &["harbour wall", "fish market", "ferry pier"],
    );
    assert!(
        !learned.text.contains("Harbour wall repairs"),
        "{}",
        learned.text
    );
}

/// A news article followed by teaser cards for other stories, each card an `<article>` of its
/// own with a heading and a summary.
fn article_with_teasers() -> String {
    let cards: String = ["Ferry fares", "School meals", "Library hours"]
        .iter()
        .map(|t| {
            format!(
                "<article class=card><h4>{t} change in spring</h4>\
                 <p>What the council decided about {t} on Monday.</p></article>"
            )
        })
        .collect();
    format!(
        "<html><body><article class=story>{}{}{}</article>\
         <section class=more><h3>More stories</h3>{cards}</section></body></html>",
        para("harbour wall"),
        para("fish market"),
        para("ferry pier")
    )
}

#[test]
fn lines_count_how_often_their_shape_recurs_on_the_page_and_in_the_rules_text() {
    // The last six features: lines of the same shape (tag, depth, in an article, in a list)
    // as ln(1 + n) and the share of them in the rules' text; the page's lines in an article
    // outside and inside the rules' text, as shares of its lines; then the shape with the
    // boilerplate and comment marks, counted the same way.
    let (lines, main) = thresh_extract::block_features(&article_with_teasers(), &rules());
    assert!(main.contains("The ferry pier was discussed"), "{main}");
    assert!(!main.contains("council decided"), "{main}");
    let texts: Vec<&str> = lines.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts.len(), 10, "{texts:?}");
    let line = |prefix: &str| &lines[texts.iter().position(|t| t.starts_with(prefix)).unwrap()].1;
    let shape = |f: &[f32; FEATURES]| <[f32; 6]>::try_from(&f[FEATURES - 6..]).unwrap();
    let ln = |n: f32| (1.0 + n).ln();
    // Three story paragraphs, all in the rules' text; nine of the ten lines are in articles,
    // three of them in the rules' text.
    assert_eq!(
        shape(line("The harbour wall")),
        [ln(3.0), 1.0, 0.6, 0.3, ln(3.0), 1.0]
    );
    // Three card headings and three card summaries, none in the rules' text.
    assert_eq!(
        shape(line("School meals change")),
        [ln(3.0), 0.0, 0.6, 0.3, ln(3.0), 0.0]
    );
    assert_eq!(
        shape(line("What the council decided about Library")),
        [ln(3.0), 0.0, 0.6, 0.3, ln(3.0), 0.0]
    );
    // The section heading is alone of its shape.
    assert_eq!(
        shape(line("More stories")),
        [ln(1.0), 0.0, 0.6, 0.3, ln(1.0), 0.0]
    );
}

#[test]
fn the_built_in_model_leaves_teaser_cards_after_an_article_out() {
    let learned = extract(&article_with_teasers(), &Options::default());
    assert_has_paragraphs(
        &learned.text,
        &["harbour wall", "fish market", "ferry pier"],
    );
    assert!(
        !learned.text.contains("council decided"),
        "{}",
        learned.text
    );
}
