//! Extraction of small pages the team wrote, each showing one kind of boilerplate or markup
//! problem; expected texts worked out by reading the page.

use thresh_extract::{extract, Method, Options};

fn text(html: &str) -> String {
    extract(html, &Options::default()).text
}

/// A paragraph long enough to count as prose.
fn para(topic: &str) -> String {
    format!(
        "<p>The {topic} was discussed at length by the committee, which heard evidence from \
         residents, engineers and the county surveyor before it agreed on a plan.</p>"
    )
}

#[test]
fn navigation_header_footer_and_sidebar_are_left_out() {
    let html = format!(
        "<html><body><header><a href=/>Logo</a><nav><a href=/a>Home</a><a href=/b>About</a></nav></header>\
         <div class=sidebar><h3>Popular</h3><a href=/x>Other story</a></div>\
         <div class=post-content>{}{}</div>\
         <footer>Copyright 2024 Example Ltd</footer></body></html>",
        para("bridge"),
        para("road")
    );
    let t = text(&html);
    assert!(t.contains("The bridge was discussed"), "{t}");
    assert!(t.contains("The road was discussed"), "{t}");
    for boilerplate in [
        "Logo",
        "Home",
        "About",
        "Popular",
        "Other story",
        "Copyright",
    ] {
        assert!(!t.contains(boilerplate), "{boilerplate} in {t}");
    }
    assert_eq!(t.lines().count(), 2);
}

#[test]
fn comments_related_posts_share_bars_and_cookie_banners_are_left_out() {
    let html = format!(
        "<body><div class=cookie-consent>We use cookies. <button>OK</button></div>\
         <article>{}<div class=share-buttons><a href=#>Share on Facebook</a></div>{}\
         <div class=related-posts><h3>Related posts</h3><ul><li><a href=/1>First</a><li><a href=/2>Second</a></ul></div>\
         </article><section id=comments><div class=comment><p>I disagree with every word of this article and so does my neighbour.</p></div></section></body>",
        para("library"),
        para("museum")
    );
    let t = text(&html);
    assert!(t.contains("library") && t.contains("museum"), "{t}");
    for boilerplate in ["cookies", "Share on", "Related posts", "First", "disagree"] {
        assert!(!t.contains(boilerplate), "{boilerplate} in {t}");
    }
    let with_comments = extract(
        &html,
        &Options {
            comments: true,
            ..Options::default()
        },
    );
    assert!(
        with_comments.text.contains("I disagree"),
        "{}",
        with_comments.text
    );
}

#[test]
fn tables_lists_and_headings_are_kept_as_lines() {
    let html = format!(
        "<div class=entry-content><h2>Opening hours</h2>{}<table><tr><th>Day<th>Hours\
         <tr><td>Monday<td>9–17<tr><td>Saturday<td>10–14</table>\
         <ul><li>Free entry for children<li>Guided tours at <b>11</b> and 15</ul>{}</div>",
        para("timetable"),
        para("fee")
    );
    let t = text(&html);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "Opening hours");
    assert!(lines.contains(&"Day | Hours"), "{t}");
    assert!(lines.contains(&"Monday | 9–17"), "{t}");
    assert!(lines.contains(&"- Free entry for children"), "{t}");
    assert!(lines.contains(&"- Guided tours at 11 and 15"), "{t}");
    let no_tables = extract(
        &html,
        &Options {
            tables: false,
            ..Options::default()
        },
    );
    assert!(!no_tables.text.contains("Monday"), "{}", no_tables.text);
}

#[test]
fn a_heading_whose_section_was_left_out_goes_too() {
    let html = format!(
        "<article>{}{}<h3>You might also like</h3><ul class=related><li><a href=/a>A</a></ul></article>",
        para("harbour"),
        para("ferry")
    );
    let t = text(&html);
    assert!(!t.contains("You might also like"), "{t}");
    assert!(t.ends_with("agreed on a plan."), "{t}");
}

#[test]
fn short_lines_after_the_last_paragraph_go_but_list_items_and_sentences_stay() {
    let html = format!(
        "<div class=entry-content>{}{}<div>Teilen Sie dies mit:</div><div>Gefällt mir</div>\
         <p><span>Über den Autor</span></p></div>",
        para("harbour"),
        para("ferry")
    );
    assert!(
        text(&html).ends_with("agreed on a plan."),
        "{}",
        text(&html)
    );
    let html = format!(
        "<div class=entry-content>{}<ul><li>Beans<li>Potatoes</ul><p>The fair opens at ten.</p></div>",
        para("garden")
    );
    assert!(
        text(&html).ends_with("- Potatoes\nThe fair opens at ten."),
        "{}",
        text(&html)
    );
}

#[test]
fn broken_markup_is_repaired_as_browsers_do() {
    // Unclosed paragraphs and list items, a stray end tag, an unquoted attribute, an
    // unterminated comment at the end.
    let html = "<div class=content><p>First paragraph about the school garden, where pupils grow \
                beans, potatoes and sunflowers every spring.<p>Second paragraph: the harvest is \
                sold at the summer fair</span> to raise money for new tools.<ul><li>Beans<li>Potatoes</ul>\
                </div><!-- end";
    let t = text(html);
    assert_eq!(
        t,
        "First paragraph about the school garden, where pupils grow beans, potatoes and sunflowers every spring.\n\
         Second paragraph: the harvest is sold at the summer fair to raise money for new tools.\n\
         - Beans\n- Potatoes"
    );
}

#[test]
fn hidden_elements_scripts_and_styles_give_no_text() {
    let html = format!(
        "<div class=article-body><script>var x = '<p>not text</p>';</script><style>p {{}}</style>\
         <p hidden>hidden one</p><p style=\"display: none\">hidden two</p>{}</div>",
        para("canal")
    );
    let t = text(&html);
    assert!(!t.contains("not text") && !t.contains("hidden"), "{t}");
    assert!(t.contains("canal"));
}

#[test]
fn too_little_main_content_falls_back_to_the_whole_page() {
    // A link list page: the main-content rules find nothing, the whole page has the text.
    let html = "<body><table><tr><td><a href=/1>Volunteers needed for the beach clean-up on Saturday</a></td></tr>\
                <tr><td><a href=/2>Choir rehearsal moves to the town hall from next week</a></td></tr>\
                <tr><td><a href=/3>Lost cat found near the railway station, owner sought</a></td></tr>\
                <tr><td><a href=/4>Farmers market returns to the square with twenty stalls</a></td></tr>\
                <tr><td><a href=/5>Road works on the coast road delayed until the autumn</a></td></tr>\
                <tr><td><a href=/6>Swimming pool opening hours extended for the holidays</a></td></tr></table></body>";
    let e = extract(html, &Options::default());
    assert_eq!(e.method, Method::WholePage);
    assert!(e.text.contains("Volunteers needed"), "{}", e.text);
    assert!(e.text.contains("Farmers market"), "{}", e.text);
}

#[test]
fn metadata_from_meta_tags_json_ld_and_licence_links() {
    let html = r#"<html lang="de-AT"><head><title>Fallback title</title>
        <meta property="og:title" content="Neue Radwege in Graz">
        <meta property="og:site_name" content="Grazer Rundschau">
        <link rel="canonical" href="https://rundschau.example/radwege">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
          {"@type":"NewsArticle","datePublished":"2023-09-14T08:00:00+02:00",
           "author":[{"@type":"Person","name":"Anna Berger"},{"@type":"Person","name":"Jonas Wolf"}]}]}</script>
        </head><body><p>Text.</p><footer><a href="https://creativecommons.org/licenses/by/4.0/deed.de">CC BY 4.0</a></footer></body></html>"#;
    let m = extract(html, &Options::default()).metadata;
    assert_eq!(m.title.as_deref(), Some("Neue Radwege in Graz"));
    assert_eq!(m.site_name.as_deref(), Some("Grazer Rundschau"));
    assert_eq!(m.url.as_deref(), Some("https://rundschau.example/radwege"));
    assert_eq!(m.date.as_deref(), Some("2023-09-14"));
    assert_eq!(m.author.as_deref(), Some("Anna Berger; Jonas Wolf"));
    assert_eq!(m.lang.as_deref(), Some("de"));
    assert_eq!(
        m.license.as_deref(),
        Some("https://creativecommons.org/licenses/by/4.0/deed.de")
    );
}

#[test]
fn structured_data_is_the_last_resort_for_script_rendered_pages() {
    let html = r#"<html><head><script type="application/ld+json">{"@type":"Article",
        "articleBody":"The museum reopens on Friday after a year of renovation.\nEntry is free for the first week, and the café on the roof terrace opens at ten."}</script>
        </head><body><div id="app"></div></body></html>"#;
    let e = extract(html, &Options::default());
    assert_eq!(e.method, Method::StructuredData);
    assert!(e.text.starts_with("The museum reopens"), "{}", e.text);
    assert_eq!(e.text.lines().count(), 2);
}

#[test]
fn soft_hyphens_and_entities_leave_clean_words() {
    let html = format!(
        "<div class=entry-content>{}<p>Die Wei&shy;ne Ita\u{ad}li\u{ad}ens, neben Baro&shy;lo &amp; Barbaresco.</p></div>",
        para("vineyard")
    );
    assert!(text(&html).ends_with("Die Weine Italiens, neben Barolo & Barbaresco."));
}

#[test]
fn pages_with_thousands_of_teasers_and_comment_blocks_stay_fast() {
    let teaser = "<article class=post><p>A teaser of a story with enough words to count as text here.</p></article>";
    let comment =
        "<div class=comment><p>A reader comment that says something about the story.</p></div>";
    let html = format!(
        "<body>{}{}</body>",
        teaser.repeat(5000),
        comment.repeat(5000)
    );
    let start = std::time::Instant::now();
    let e = extract(
        &html,
        &Options {
            comments: true,
            ..Options::default()
        },
    );
    assert!(!e.text.is_empty());
    assert!(start.elapsed().as_secs_f64() < 5.0, "{:?}", start.elapsed());
}

#[test]
fn empty_and_markup_only_pages_give_empty_text() {
    for html in [
        "",
        "<html></html>",
        "<script>x</script>",
        "<!-- only a comment -->",
    ] {
        assert_eq!(text(html), "", "{html}");
    }
}
