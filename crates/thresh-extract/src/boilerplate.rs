//! Which elements are boilerplate by their tag, their visibility or the words in their `class`,
//! `id` and `role` (navigation, footers, sharing, related links, cookie banners, comments …),
//! after trafilatura's discard rules and readability's class weights.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap;

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
            push_lowercase(out, &a.value);
        }
    }
}

/// Appends `text` lower-cased as `char::to_lowercase` has it (ASCII bytewise).
fn push_lowercase(out: &mut String, text: &str) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
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
    "read-more",
    "readmore",
];

/// Tokens that mark boilerplate when they are the whole token.
const STRONG_TOKENS: &[&str] = &[
    "nav",
    "ad",
    "ads",
    "share",
    "tags",
    "pager",
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
const COMMENT_PARTS: &[&str] = &["comment", "respond", "discussion", "disqus"];

/// Token prefixes and suffixes that mark boilerplate (`nav-main`, `share_bar`).
const STRONG_AFFIXES: &[&str] = &["nav", "ad", "ads", "share", "tags", "pager"];

/// Token prefixes and suffixes that weakly mark boilerplate (`post-meta`, `entry-date`).
const WEAK_AFFIXES: &[&str] = &["meta", "date"];

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
];

/// What an element's class, id and role words say about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Names(u8);

impl Names {
    const STRONG: u8 = 1;
    const WEAK: u8 = 2;
    const COMMENT: u8 = 4;
    const BODY: u8 = 8;
    const CONTENT: u8 = 16;
    const MAIN: u8 = 32;
    /// A token that names content outright (`article`, `post`): a boilerplate word beside it
    /// (`article modal-enabled`) only weakly marks the element.
    const NAMED_CONTENT: u8 = 64;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// How surely the words name boilerplate; comment words count as strong unless
    /// `keep_comments`.
    pub fn mark(self, keep_comments: bool) -> Mark {
        let strong = self.has(Self::STRONG) || (!keep_comments && self.has(Self::COMMENT));
        if strong && !self.has(Self::NAMED_CONTENT) {
            Mark::Strong
        } else if strong || self.has(Self::WEAK) {
            Mark::Weak
        } else {
            Mark::None
        }
    }

    /// The words name user comments.
    pub fn comments(self) -> bool {
        self.has(Self::COMMENT)
    }

    /// The words mark an article body container (`entry-content`, `article-body` …).
    pub fn body(self) -> bool {
        self.has(Self::BODY)
    }

    /// A `main`, `content` or `primary` token.
    pub fn main(self) -> bool {
        self.has(Self::MAIN)
    }

    /// Readability's class weight: +25 for content words, −25 for boilerplate words.
    pub fn class_weight(self) -> f32 {
        let mut weight = 0.0;
        if self.has(Self::STRONG | Self::WEAK | Self::COMMENT) {
            weight -= 25.0;
        }
        if self.has(Self::CONTENT) {
            weight += 25.0;
        }
        weight
    }
}

/// One automaton over every word list that matches inside tokens, with each pattern's bit.
static PARTS: LazyLock<(AhoCorasick, Vec<u8>)> = LazyLock::new(|| {
    let lists = [
        (STRONG_PARTS, Names::STRONG),
        (WEAK_PARTS, Names::WEAK),
        (COMMENT_PARTS, Names::COMMENT),
        (BODY_PARTS, Names::BODY),
        (CONTENT_PARTS, Names::CONTENT),
    ];
    let mut patterns = Vec::new();
    let mut bits = Vec::new();
    for (list, bit) in lists {
        for p in list {
            patterns.push(*p);
            bits.push(bit);
        }
    }
    let automaton = AhoCorasick::new(patterns).expect("word lists build an automaton");
    (automaton, bits)
});

/// Classifies lower-cased class/id/role words (as [`names`] writes them), each distinct token
/// looked at once (a page repeats its class tokens).
#[derive(Default)]
pub struct Classifier {
    /// Each token seen with its bits.
    tokens: FxHashMap<String, u8>,
}

impl Classifier {
    /// What the words say.
    pub fn classify(&mut self, names: &str) -> Names {
        let mut flags = 0;
        for token in names.split_ascii_whitespace() {
            flags |= match self.tokens.get(token) {
                Some(&t) => t,
                None => {
                    let t = token_flags(token);
                    self.tokens.insert(token.to_string(), t);
                    t
                }
            };
        }
        Names(flags)
    }
}

/// The [`Names`] bits of one token.
fn token_flags(token: &str) -> u8 {
    let (automaton, bits) = &*PARTS;
    let mut t = 0;
    for m in automaton.find_overlapping_iter(token) {
        t |= bits[m.pattern().as_usize()];
    }
    // An opinion piece, not reader comments.
    if token.contains("commentary") {
        t &= !Names::COMMENT;
    }
    if STRONG_TOKENS.contains(&token) || STRONG_AFFIXES.iter().any(|a| affix(token, a)) {
        t |= Names::STRONG;
    }
    if WEAK_TOKENS.contains(&token) || WEAK_AFFIXES.iter().any(|a| affix(token, a)) {
        t |= Names::WEAK;
    }
    if matches!(token, "post" | "entry" | "story" | "text") {
        t |= Names::BODY;
    }
    if matches!(
        token,
        "article" | "post" | "entry" | "story" | "content" | "main"
    ) {
        t |= Names::NAMED_CONTENT;
    }
    if matches!(
        token,
        "main" | "content" | "main-content" | "maincontent" | "primary"
    ) {
        t |= Names::MAIN;
    }
    t
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The words classified token by token, nothing remembered.
    fn classify(names: &str) -> Names {
        Names(
            names
                .split_ascii_whitespace()
                .map(token_flags)
                .fold(0, |a, t| a | t),
        )
    }

    fn mark(names: &str, keep_comments: bool) -> Mark {
        classify(names).mark(keep_comments)
    }

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
            " comment-list",
            " pager",
        ] {
            assert_eq!(mark(names, false), Mark::Strong, "{names}");
        }
        for names in [
            " post-meta",
            " entry-date",
            " elementor-widget",
            " entry-header",
        ] {
            assert_eq!(mark(names, false), Mark::Weak, "{names}");
        }
        for names in [
            " entry-content",
            " article-body",
            " navigable-text",
            " update",
            " adaptive",
            " metadata-free",
            " central-column content-element el_b",
            " apageroot__wrapper",
            "",
        ] {
            assert_eq!(mark(names, false), Mark::None, "{names}");
        }
        assert_eq!(mark(" comment-list", true), Mark::None);
        assert_eq!(mark(" news commentary", false), Mark::None);
        assert_eq!(mark(" commentary comments", false), Mark::Strong);
    }

    #[test]
    fn body_and_main_containers() {
        assert!(classify(" entry-content clearfix").body());
        assert!(classify(" c-article-body").body());
        assert!(classify(" post").body());
        assert!(!classify(" post-list").body());
        assert!(!classify(" sidebar").body());
        assert!(classify(" wrap main").main());
        assert!(!classify(" mainly").main());
    }

    #[test]
    fn class_weights() {
        assert_eq!(classify(" article-content").class_weight(), 25.0);
        assert_eq!(classify(" sidebar").class_weight(), -25.0);
        assert_eq!(classify(" comment-content").class_weight(), 0.0);
        assert_eq!(classify("").class_weight(), 0.0);
    }

    proptest! {
        #[test]
        fn remembered_tokens_classify_as_fresh_ones(
            names in proptest::collection::vec("( (nav|main|post|comment|ad|x)(-meta|s|)){0,3}", 0..8),
            upper in "[A-Za-zÉ -]{0,12}",
        ) {
            let mut classifier = Classifier::default();
            for n in &names {
                prop_assert_eq!(classifier.classify(n), classify(n));
            }
            let mut lower = String::new();
            push_lowercase(&mut lower, &upper);
            let plain: String = upper.chars().flat_map(char::to_lowercase).collect();
            prop_assert_eq!(lower, plain);
        }
    }
}
