//! A parsed page with its boilerplate marked and per-node text statistics: what the content
//! choice and the rendering read.

use crate::boilerplate::{self, Mark, Names};

/// An element weakly marked as boilerplate (`widget`, `header`) with at least this much text
/// that is not mostly links is kept.
const WEAK_MAX_CHARS: u32 = 250;
use crate::dom::{Dom, NodeData, NodeId, Tag, NONE};

/// Text statistics of one subtree (visible, not removed parts only).
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Non-whitespace characters.
    pub chars: u32,
    /// Non-whitespace characters inside links.
    pub link_chars: u32,
    /// Commas (`,` `，` `、`).
    pub commas: u32,
    /// Non-whitespace characters of the node's own text children.
    pub own_chars: u32,
    /// Characters of prose paragraphs: `p` elements of at least [`PROSE_CHARS`] characters
    /// that are not mostly links.
    pub prose: u32,
}

/// A paragraph this long that is not mostly links is prose.
pub const PROSE_CHARS: u32 = 100;

impl Counts {
    /// Share of the text inside links.
    pub fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// How much a [`Page`] removes.
#[derive(Clone, Copy, Debug)]
pub struct Cleaning {
    /// Elements named as boilerplate by class, id or role, and header content.
    pub patterns: bool,
    /// `noscript` content is text (for pages that put their text there for crawlers).
    pub noscript: bool,
}

impl Cleaning {
    /// The main-content cleaning.
    pub const FULL: Cleaning = Cleaning {
        patterns: true,
        noscript: false,
    };
    /// The last resort: only non-text elements go (hidden elements stay: script-driven pages
    /// stream their text into hidden containers).
    pub const LIGHT: Cleaning = Cleaning {
        patterns: false,
        noscript: true,
    };
}

/// A page ready for content selection.
pub struct Page<'a> {
    /// The tree.
    pub dom: Dom<'a>,
    /// Nodes excluded from the text (with their subtrees).
    pub removed: Vec<bool>,
    /// Statistics per node over the nodes not removed.
    pub counts: Vec<Counts>,
    /// The `body` element (the root when there is none).
    pub body: NodeId,
    /// What each element's class, id and role words say.
    pub names: Vec<Names>,
    /// The nodes the tag and visibility rules alone exclude (no class words, no headers), and
    /// the counts under those exclusions.
    structural: Vec<bool>,
    structural_counts: Vec<Counts>,
}

impl<'a> Page<'a> {
    /// Marks boilerplate: dropped tags, hidden elements and, with `level.patterns` and unless
    /// they hold most of the page's text, `header` content other than headings and elements
    /// whose class, id or role names boilerplate (comments included unless `keep_comments`).
    pub fn new(dom: Dom<'a>, keep_comments: bool, level: Cleaning) -> Self {
        let n = dom.nodes.len();
        let body = dom.find(Tag::Body).unwrap_or(Dom::ROOT);
        let mut removed = vec![false; n];
        for id in 1..n {
            let parent = dom.nodes[id].parent as usize;
            removed[id] = removed[parent]
                || match dom.tag(id as NodeId) {
                    Some(Tag::Noscript) => !level.noscript,
                    // Figures go with their captions, unless they hold a table.
                    Some(Tag::Figure) => !dom
                        .descendants(id as NodeId)
                        .any(|d| dom.tag(d) == Some(Tag::Table)),
                    Some(Tag::Figcaption) => true,
                    Some(tag) => {
                        boilerplate::dropped_tag(tag)
                            || (level.patterns && boilerplate::hidden(&dom, id as NodeId))
                    }
                    None => false,
                };
        }
        let mut names = vec![Names::default(); n];
        let mut words = String::new();
        let mut classifier = boilerplate::Classifier::default();
        for (id, slot) in names.iter_mut().enumerate().skip(1) {
            if !removed[id] {
                boilerplate::names(&dom, id as NodeId, &mut words);
                if !words.is_empty() {
                    *slot = classifier.classify(&words);
                }
            }
        }
        let mut page = Page {
            names,
            counts: Vec::new(),
            dom,
            structural: removed.clone(),
            structural_counts: Vec::new(),
            removed,
            body,
        };
        page.count(None);
        page.structural_counts = page.counts.clone();
        if !level.patterns {
            return page;
        }
        let total = page.counts[body as usize];
        // Wrappers named after a part of the layout (`has-sidebar`, `o-row c-sidebar-layout`):
        // most of the page's text or a good share of its prose.
        let wrapper = |c: Counts| {
            c.chars as f32 > 0.6 * total.chars as f32
                || (total.prose >= 500 && c.prose as f32 >= 0.3 * total.prose as f32)
        };
        let has_heading = has_heading(&page.dom);
        let holds_article = holds_article(&page);
        // 0 outside any header, 1 inside a header, 2 inside a heading inside a header.
        let mut header_state = vec![0u8; n];
        for id in 1..n {
            let parent = page.dom.nodes[id].parent as usize;
            if page.removed[parent] {
                page.removed[id] = true;
                continue;
            }
            if page.removed[id] {
                continue;
            }
            // Inside a page or article header only the headings are text.
            let mut state = header_state[parent];
            let tag = page.dom.tag(id as NodeId);
            if tag == Some(Tag::Header) && state == 0 && !wrapper(page.counts[id]) {
                state = 1;
            } else if state == 1 && tag.is_some_and(Tag::is_heading) {
                state = 2;
            }
            header_state[id] = state;
            if state == 1 && !has_heading[id] {
                page.removed[id] = true;
                continue;
            }
            let Some(tag) = page.dom.tag(id as NodeId) else {
                continue;
            };
            if matches!(tag, Tag::Html | Tag::Body | Tag::Main | Tag::Article) {
                continue;
            }
            let names = page.names[id];
            if names == Names::default()
                || names.body()
                || page.dom.attr(id as NodeId, "itemprop") == Some("articleBody")
            {
                continue;
            }
            let c = page.counts[id];
            // Comments are prose too, and may outweigh the article: only a container holding
            // the article (a `<main>`, an `<article>`, a marked body) keeps them.
            let comments = !keep_comments && names.comments();
            let kept = if comments {
                holds_article[id]
            } else {
                wrapper(c)
            };
            page.removed[id] = !kept
                && match names.mark(keep_comments) {
                    Mark::Strong => true,
                    Mark::Weak => c.chars < WEAK_MAX_CHARS || c.link_density() > 0.3,
                    Mark::None => false,
                };
        }
        // The text nodes left are among those counted under the structural exclusions.
        let known = std::mem::take(&mut page.structural_counts);
        page.count(Some(&known));
        page.structural_counts = known;
        page
    }

    /// Recomputes [`Page::counts`] from the current removal marks, the text nodes' own counts
    /// read from `known` when given (counts with these text nodes in).
    fn count(&mut self, known: Option<&[Counts]>) {
        let dom = &self.dom;
        let n = dom.nodes.len();
        let mut counts = vec![Counts::default(); n];
        for id in (1..n).rev() {
            if self.removed[id] {
                continue;
            }
            let node = &dom.nodes[id];
            if let NodeData::Text(text) = &node.data {
                let (chars, commas) = match known {
                    Some(known) => (known[id].chars, known[id].commas),
                    None => text_counts(text),
                };
                counts[id].chars = chars;
                counts[id].commas = commas;
                counts[node.parent as usize].own_chars += chars;
            }
            match dom.tag(id as NodeId) {
                Some(Tag::A) => counts[id].link_chars = counts[id].chars,
                Some(Tag::P) => {
                    let c = &mut counts[id];
                    if c.chars >= PROSE_CHARS && c.link_density() < 0.3 {
                        c.prose = c.chars;
                    }
                }
                _ => {}
            }
            let c = counts[id];
            let p = &mut counts[node.parent as usize];
            p.chars += c.chars;
            p.link_chars += c.link_chars;
            p.commas += c.commas;
            p.prose += c.prose;
        }
        self.counts = counts;
    }

    /// Keeps what only class words and headers excluded, with the counts under those
    /// exclusions; returns the exclusions and counts it had, for [`Page::restore`] (a page is
    /// unmasked once until restored).
    pub fn unmask(&mut self) -> Masked {
        let removed = std::mem::replace(&mut self.removed, std::mem::take(&mut self.structural));
        let counts = std::mem::replace(
            &mut self.counts,
            std::mem::take(&mut self.structural_counts),
        );
        Masked { removed, counts }
    }

    /// Undoes [`Page::unmask`].
    pub fn restore(&mut self, masked: Masked) {
        self.structural = std::mem::replace(&mut self.removed, masked.removed);
        self.structural_counts = std::mem::replace(&mut self.counts, masked.counts);
    }

    /// The counts of a node.
    pub fn counts(&self, id: NodeId) -> Counts {
        self.counts[id as usize]
    }

    /// Whether a node is excluded.
    pub fn is_removed(&self, id: NodeId) -> bool {
        self.removed[id as usize]
    }

    /// The nearest ancestor (or the node itself) satisfying `f`.
    pub fn ancestor_or_self(&self, mut id: NodeId, f: impl Fn(NodeId) -> bool) -> Option<NodeId> {
        while id != NONE {
            if f(id) {
                return Some(id);
            }
            id = self.dom.nodes[id as usize].parent;
        }
        None
    }
}

/// A text's characters other than whitespace, and its commas (`,`, `，`, `、`).
fn text_counts(text: &str) -> (u32, u32) {
    if text.is_ascii() {
        let bytes = text.as_bytes();
        let spaces = bytes
            .iter()
            .filter(|b| b.is_ascii_whitespace() || **b == 0x0b)
            .count();
        let commas = bytes.iter().filter(|&&b| b == b',').count();
        return ((bytes.len() - spaces) as u32, commas as u32);
    }
    let mut chars = 0;
    let mut commas = 0;
    for c in text.chars() {
        if !c.is_whitespace() {
            chars += 1;
            commas += u32::from(matches!(c, ',' | '，' | '、'));
        }
    }
    (chars, commas)
}

/// What [`Page::unmask`] took away: the full cleaning's exclusions and the counts under them.
pub struct Masked {
    /// Per node, whether the full cleaning excluded it.
    pub removed: Vec<bool>,
    counts: Vec<Counts>,
}

/// Per node: whether it contains an `article`, a `main`, or an element marked as the article
/// body.
fn holds_article(page: &Page<'_>) -> Vec<bool> {
    let dom = &page.dom;
    let mut holds = vec![false; dom.nodes.len()];
    for id in (1..dom.nodes.len()).rev() {
        let marked = matches!(dom.tag(id as NodeId), Some(Tag::Article | Tag::Main))
            || page.names[id].body()
            || dom.attr(id as NodeId, "itemprop") == Some("articleBody");
        if marked || holds[id] {
            holds[dom.nodes[id].parent as usize] = true;
        }
    }
    holds
}

/// Per node: whether it is or contains a heading.
fn has_heading(dom: &Dom<'_>) -> Vec<bool> {
    let mut has = vec![false; dom.nodes.len()];
    for id in (1..dom.nodes.len()).rev() {
        if dom.tag(id as NodeId).is_some_and(Tag::is_heading) {
            has[id] = true;
        }
        if has[id] {
            has[dom.nodes[id].parent as usize] = true;
        }
    }
    has
}

#[cfg(test)]
mod tests {
    use super::text_counts;

    #[test]
    fn text_counts_skip_whitespace_and_count_commas() {
        // ASCII: "a", ",", "b", "c"; the vertical tab is whitespace as in `char::is_whitespace`.
        assert_eq!(text_counts("a, b\u{0b}c\r\n"), (4, 1));
        // Not ASCII: "é", "，", "b", "、", "x"; a no-break space is whitespace.
        assert_eq!(text_counts("é，b\u{a0}、 x"), (5, 2));
        assert_eq!(text_counts(""), (0, 0));
    }
}
