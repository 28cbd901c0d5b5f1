//! Page metadata: title, canonical URL, publication date, author, site name, the page's own
//! language declaration and its licence link, from `<meta>` tags (Open Graph, Dublin Core,
//! article:*), JSON-LD, `<time>`, `<html lang>` and `rel="license"` / Creative Commons links.

use serde_json::Value;

use crate::dom::{Dom, Tag};

/// What the page says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Title (`og:title`, JSON-LD headline, `<title>`, first `<h1>`).
    pub title: Option<String>,
    /// Canonical URL (`<link rel="canonical">`, `og:url`).
    pub url: Option<String>,
    /// Publication date as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Author name(s).
    pub author: Option<String>,
    /// Site name (`og:site_name`, JSON-LD publisher, `application-name`).
    pub site_name: Option<String>,
    /// Declared language, primary subtag lower-cased (`de` from `de-DE`).
    pub lang: Option<String>,
    /// Licence link (`rel="license"` or a Creative Commons licence URL).
    pub license: Option<String>,
    /// The JSON-LD `articleBody`: the text of pages that render it with scripts.
    pub article_body: Option<String>,
}

/// `<meta>` names and properties for the date, most specific first.
const DATE_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "og:published_time",
    "article:modified_time",
    "og:updated_time",
    "last-modified",
    "dcterms.modified",
];

const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "sailthru.author",
    "parsely-author",
    "citation_author",
    "twitter:creator",
];

/// Reads the page's metadata.
pub fn read(dom: &Dom<'_>) -> Metadata {
    let mut meta = Metadata::default();
    let mut found_date: Option<(usize, String)> = None;
    let mut found_author: Option<(usize, String)> = None;
    let mut og_title = None;
    let mut title_tag = None;
    let mut h1 = None;
    let mut ld = LinkedData::default();
    for id in dom.descendants(Dom::ROOT) {
        let Some(tag) = dom.tag(id) else { continue };
        match tag {
            Tag::Html if meta.lang.is_none() => {
                meta.lang = dom
                    .attr(id, "lang")
                    .or(dom.attr(id, "xml:lang"))
                    .and_then(lang);
            }
            Tag::Title if title_tag.is_none() => title_tag = clean(&dom.raw_text(id)),
            Tag::H1 if h1.is_none() => h1 = clean(&dom.raw_text(id)),
            Tag::Meta => {
                let key = dom
                    .attr(id, "property")
                    .or(dom.attr(id, "name"))
                    .or(dom.attr(id, "itemprop"))
                    .or(dom.attr(id, "http-equiv"))
                    .map(str::to_ascii_lowercase);
                let (Some(key), Some(content)) = (key, dom.attr(id, "content")) else {
                    continue;
                };
                let Some(content) = clean(content) else {
                    continue;
                };
                match key.as_str() {
                    "og:title" | "twitter:title" if og_title.is_none() => og_title = Some(content),
                    "og:url" if meta.url.is_none() => meta.url = Some(content),
                    "og:site_name" | "application-name" if meta.site_name.is_none() => {
                        meta.site_name = Some(content)
                    }
                    "content-language" | "og:locale" | "language" | "dc.language"
                        if meta.lang.is_none() =>
                    {
                        meta.lang = lang(&content)
                    }
                    k => {
                        if let Some(rank) = DATE_KEYS.iter().position(|d| *d == k) {
                            if let Some(date) = iso_date(&content) {
                                if found_date.as_ref().is_none_or(|(r, _)| rank < *r) {
                                    found_date = Some((rank, date));
                                }
                            }
                        } else if let Some(rank) = AUTHOR_KEYS.iter().position(|a| *a == k) {
                            let person = !content.starts_with("http") && !content.starts_with('@');
                            if person && found_author.as_ref().is_none_or(|(r, _)| rank < *r) {
                                found_author = Some((rank, content));
                            }
                        }
                    }
                }
            }
            Tag::Link => {
                let rel = dom.attr(id, "rel").unwrap_or("").to_ascii_lowercase();
                let href = dom.attr(id, "href").and_then(clean);
                if rel.split_ascii_whitespace().any(|r| r == "canonical") && href.is_some() {
                    meta.url = href;
                } else if rel.split_ascii_whitespace().any(|r| r == "license")
                    && meta.license.is_none()
                {
                    meta.license = href;
                }
            }
            Tag::A if meta.license.is_none() => {
                let Some(href) = dom.attr(id, "href") else {
                    continue;
                };
                let rel = dom.attr(id, "rel").unwrap_or("");
                if rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("license"))
                    || creative_commons(href)
                {
                    meta.license = clean(href);
                }
            }
            Tag::Time if found_date.is_none() => {
                if let Some(date) = dom.attr(id, "datetime").and_then(iso_date) {
                    found_date = Some((DATE_KEYS.len(), date));
                }
            }
            Tag::Script => {
                let json_ld = dom
                    .attr(id, "type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                if json_ld {
                    ld.read(&dom.raw_text(id));
                }
            }
            _ => {}
        }
    }
    if let Some(date) = ld.date.take() {
        if found_date.as_ref().is_none_or(|(rank, _)| *rank > 1) {
            found_date = Some((1, date));
        }
    }
    meta.date = found_date.map(|(_, d)| d);
    meta.author = found_author.map(|(_, a)| a).or(ld.author);
    meta.title = og_title.or(ld.headline).or(title_tag).or(h1);
    meta.site_name = meta.site_name.or(ld.publisher);
    meta.article_body = ld.body;
    meta
}

/// What JSON-LD blocks say about the article.
#[derive(Default)]
struct LinkedData {
    date: Option<String>,
    author: Option<String>,
    headline: Option<String>,
    publisher: Option<String>,
    body: Option<String>,
}

impl LinkedData {
    fn read(&mut self, text: &str) {
        if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
            self.visit(&value, 0);
        }
    }

    fn visit(&mut self, value: &Value, depth: usize) {
        if depth > 8 {
            return;
        }
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.visit(v, depth + 1)),
            Value::Object(map) => {
                if self.date.is_none() {
                    self.date = map
                        .get("datePublished")
                        .and_then(Value::as_str)
                        .and_then(iso_date);
                }
                if self.headline.is_none() {
                    self.headline = map.get("headline").and_then(Value::as_str).and_then(clean);
                }
                if self.author.is_none() {
                    self.author = map.get("author").and_then(names);
                }
                if self.body.is_none() {
                    self.body = map
                        .get("articleBody")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                if self.publisher.is_none() {
                    self.publisher = map.get("publisher").and_then(names);
                }
                if let Some(graph) = map.get("@graph") {
                    self.visit(graph, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Names of a JSON-LD person or organisation (or a list of them).
fn names(value: &Value) -> Option<String> {
    let list: Vec<String> = match value {
        Value::String(s) => clean(s).into_iter().collect(),
        Value::Object(m) => m
            .get("name")
            .and_then(Value::as_str)
            .and_then(clean)
            .into_iter()
            .collect(),
        Value::Array(items) => items.iter().filter_map(names).collect(),
        _ => Vec::new(),
    };
    (!list.is_empty()).then(|| list.join("; "))
}

/// A Creative Commons licence or public-domain dedication URL.
fn creative_commons(href: &str) -> bool {
    href.contains("creativecommons.org/licenses/")
        || href.contains("creativecommons.org/publicdomain/")
}

/// Whitespace collapsed; None when empty.
fn clean(s: &str) -> Option<String> {
    let text = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The primary language subtag, lower-cased, when it looks like one.
fn lang(s: &str) -> Option<String> {
    let primary = s
        .trim()
        .split(['-', '_', ',', ';', ' '])
        .next()?
        .to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

/// `YYYY-MM-DD` from a date starting with an ISO date (`2024-03-05T10:00:00+01:00`,
/// `2024-03-05`, `2024/03/05`), with a plausible year, month and day.
pub fn iso_date(s: &str) -> Option<String> {
    let b = s.trim().as_bytes();
    if b.len() < 10 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| b[r].iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let sep = b[4];
    if !(sep == b'-' || sep == b'/' || sep == b'.') || b[7] != sep {
        return None;
    }
    if !(1990..=2100).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}
