//! Which elements are boilerplate by their tag, their visibility or the words in their `class`,
//! `id` and `role` (navigation, footers, sharing, related links, cookie banners, comments …),
//! after trafilatura's discard rules and readability's class weights.

use crate::dom::{Dom, NodeId, Tag};

/// Elements dropped with their content wherever they are.
pub fn dropped_tag(tag: Tag) -> bool {
    use Tag::*;
    matches!(
        tag,
        Script
            | Style
            | Template
            | Svg
            | Math
            | Iframe
            | Object
            | Embed
            | Applet
            | Canvas
            | Audio
            | Video
            | Map
            | Head
            | Button
            | Select
            | Input
            | Textarea
            | Option
            | Optgroup
            | Datalist
            | Nav
            | Aside
            | Footer
            | Menu
            | Dialog
            | Frame
            | Frameset
            | Picture
            | Source
            | Track
            | Output
            | Progress
            | Keygen
            | Noembed
            | Noframes
            | Title
            | Figure
            | Label
            | Link
            | Meta
            | Base
    )
}

/// Hidden from readers: the `hidden` attribute, `aria-hidden="true"`, `display: none` or
/// `visibility: hidden`.
pub fn hidden(dom: &Dom<'_>, id: NodeId) -> bool {
    for a in dom.attrs(id) {
        let name = a.name;
        if name.eq_ignore_ascii_case("hidden") {
            return true;
        }
        if name.eq_ignore_ascii_case("aria-hidden") && a.value.trim().eq_ignore_ascii_case("true") {
            return true;
        }
        if name.eq_ignore_ascii_case("style") {
            let compact: String = a
                .value
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            if compact.contains("display:none") || compact.contains("visibility:hidden") {
                return true;
            }
        }
    }
    false
}

/// The lower-cased `class`, `id` and `role` values of an element, space-separated (empty when
/// it has none).
pub fn names(dom: &Dom<'_>, id: NodeId, out: &mut String) {
    out.clear();
    for a in dom.attrs(id) {
        if ["class", "id", "role"]
            .iter()
            .any(|n| a.name.eq_ignore_ascii_case(n))
        {
            out.push(' ');
            out.extend(a.value.chars().flat_map(char::to_lowercase));
        }
    }
}

/// How surely class, id and role words name boilerplate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// No boilerplate word.
    None,
    /// A word that also names content containers (`widget`, `header`, `meta`): the element
    /// counts as boilerplate only when it is short or mostly links.
    Weak,
    /// Navigation, footers, sharing, related links, cookie notices, ads, comments.
    Strong,
}

/// Words that mark boilerplate anywhere inside a class, id or role token.
const STRONG_PARTS: &[&str] = &[
    "footer",
    "sidebar",
    "related",
    "sharing",
    "share-",
    "-share",
    "shariff",
    "sharedaddy",
    "social",
    "sociable",
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "breadcrumb",
    "navbar",
    "navigation",
    "subnav",
    "menu",
    "advert",
    "sponsor",
    "promo",
    "popup",
    "modal",
    "overlay",
    "pagination",
    "pager",
    "byline",
    "tagcloud",
    "tag-list",
    "taglist",
    "outbrain",
    "taboola",
    "disqus",
    "recommend",
    "trending",
    "most-popular",
    "mostpopular",
    "most-read",
    "mostread",
    "signup",
    "sign-up",
    "login",
    "signin",
    "paywall",
    "skip-link",
    "skiplink",
    "jp-relatedposts",
    "next-post",
    "prev-post",
    "post-nav",
    "postnav",
    "read-more",
    "readmore",
    "more-stories",
    "see-also",
    "also-read",
    "syndication",
    "viral",
    "ad-slot",
    "adslot",
    "ad-container",
    "adcontainer",
    "ad-wrapper",
    "dfp-",
    "google-ad",
    "googlead",
    "offscreen",
    "screen-reader",
    "sr-only",
    "visually-hidden",
];

/// Words that mark boilerplate when the element is short or mostly links.
const WEAK_PARTS: &[&str] = &[
    "widget",
    "banner",
    "teaser",
    "author",
    "rating",
    "timestamp",
    "dateline",
    "toolbar",
    "masthead",
    "print-",
    "qr-code",
    "embed",
    "contact",
    "copyright",
    "disclaimer",
    "legal",
    "tooltip",
    "caption",
    "credit",
    "infobox",
    "keywords",
    "header",
    "subscription",
];

/// Tokens that mark boilerplate when they are the whole token.
const STRONG_TOKENS: &[&str] = &[
    "nav",
    "ad",
    "ads",
    "share",
    "tags",
    "comment-form",
    "hidden",
    "hide",
    "noprint",
    "sponsored",
    "contentinfo",
    "complementary",
];

/// Whole tokens that mark boilerplate when the element is short or mostly links.
const WEAK_TOKENS: &[&str] = &[
    "meta", "date", "links", "foot", "top", "bottom", "tools", "utility", "banner", "search",
    "alert", "info", "actions", "print", "tag",
];

/// Words that mark user comments (kept with `include_comments`).
const COMMENT_PARTS: &[&str] = &["comment", "respond", "reply", "discussion", "disqus"];

/// Token prefixes and suffixes that mark boilerplate (`nav-main`, `share_bar`).
const STRONG_AFFIXES: &[&str] = &["nav", "ad", "ads", "share", "tags"];

/// Token prefixes and suffixes that weakly mark boilerplate (`post-meta`, `entry-date`).
const WEAK_AFFIXES: &[&str] = &["meta", "date"];

/// How surely the class/id/role words name boilerplate; comments are strong when `comments`.
pub fn boilerplate_names(names: &str, comments: bool) -> Mark {
    let mut mark = Mark::None;
    for token in names.split_ascii_whitespace() {
        if STRONG_TOKENS.contains(&token)
            || STRONG_PARTS.iter().any(|p| token.contains(p))
            || (comments && COMMENT_PARTS.iter().any(|p| token.contains(p)))
            || STRONG_AFFIXES.iter().any(|a| affix(token, a))
        {
            return Mark::Strong;
        }
        if WEAK_TOKENS.contains(&token)
            || WEAK_PARTS.iter().any(|p| token.contains(p))
            || WEAK_AFFIXES.iter().any(|a| affix(token, a))
        {
            mark = Mark::Weak;
        }
    }
    mark
}

/// `token` starts with `word-`/`word_` or ends with `-word`/`_word`.
fn affix(token: &str, word: &str) -> bool {
    let sep = |c: u8| c == b'-' || c == b'_';
    let b = token.as_bytes();
    (token.len() > word.len() && token.starts_with(word) && sep(b[word.len()]))
        || (token.len() > word.len()
            && token.ends_with(word)
            && sep(b[token.len() - word.len() - 1]))
}

/// Words that mark the main content (readability's positive class weight).
const CONTENT_PARTS: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story", "prose",
];

/// Readability's class weight: +25 for content words, −25 for boilerplate words.
pub fn class_weight(names: &str) -> f32 {
    let mut weight = 0.0;
    if boilerplate_names(names, true) != Mark::None {
        weight -= 25.0;
    }
    if names
        .split_ascii_whitespace()
        .any(|t| CONTENT_PARTS.iter().any(|p| t.contains(p)))
    {
        weight += 25.0;
    }
    weight
}

/// Class and id words of containers that hold an article's body (trafilatura's body rules).
const BODY_PARTS: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "article__body",
    "article-content",
    "article_content",
    "article__content",
    "articlecontent",
    "article-text",
    "article_text",
    "articletext",
    "article__text",
    "post-content",
    "post_content",
    "postcontent",
    "post-body",
    "post_body",
    "postbody",
    "post-text",
    "post_text",
    "post-entry",
    "postentry",
    "entry-content",
    "entry_content",
    "entry__content",
    "entrycontent",
    "entry-body",
    "story-body",
    "storybody",
    "story-content",
    "storycontent",
    "story-text",
    "body-text",
    "bodytext",
    "text-content",
    "page-content",
    "main-content",
    "maincontent",
    "main_content",
    "content-body",
    "content_body",
    "contentbody",
    "content__body",
    "content-main",
    "content_main",
    "single-content",
    "blog-content",
    "section-content",
    "field-body",
    "fulltext",
    "full-text",
    "rich-text",
    "richtext",
    "art-content",
    "article-container",
    "article__container",
    "news-content",
    "news-text",
    "newstext",
    "artikel",
    "beitrag",
    "inhalt",
];

/// Whether the names mark an article body container (`entry-content`, `article-body` …).
pub fn body_names(names: &str) -> bool {
    names.split_ascii_whitespace().any(|t| {
        BODY_PARTS.iter().any(|p| t.contains(p)) || matches!(t, "post" | "entry" | "story" | "text")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_words_tokens_and_affixes() {
        for names in [
            " site-footer",
            " main-nav",
            " nav",
            " ad-slot-top",
            " cookie-notice",
            " jp-relatedposts",
            " share-buttons",
            " x modal",
        ] {
            assert_eq!(boilerplate_names(names, false), Mark::Strong, "{names}");
        }
        for names in [
            " post-meta",
            " entry-date",
            " elementor-widget",
            " entry-header",
        ] {
            assert_eq!(boilerplate_names(names, false), Mark::Weak, "{names}");
        }
        for names in [
            " entry-content",
            " article-body",
            " navigable-text",
            " update",
            " adaptive",
            " metadata-free",
            " comment-list",
            " central-column content-element el_b",
            "",
        ] {
            assert_eq!(boilerplate_names(names, false), Mark::None, "{names}");
        }
        assert_eq!(boilerplate_names(" comment-list", true), Mark::Strong);
    }

    #[test]
    fn body_containers() {
        assert!(body_names(" entry-content clearfix"));
        assert!(body_names(" c-article-body"));
        assert!(body_names(" post"));
        assert!(!body_names(" post-list"));
        assert!(!body_names(" sidebar"));
    }

    #[test]
    fn class_weights() {
        assert_eq!(class_weight(" article-content"), 25.0);
        assert_eq!(class_weight(" sidebar"), -25.0);
        assert_eq!(class_weight(" comment-content"), 0.0);
        assert_eq!(class_weight(""), 0.0);
    }
}
