//! Choosing the main content: first the containers pages mark as their article body
//! (`itemprop="articleBody"`, `entry-content`, one dominant `<article>`, `<main>` — trafilatura's
//! order), else readability's scoring of paragraphs and their ancestors.

use std::collections::HashSet;

use crate::dom::{NodeData, NodeId, Tag};
use crate::page::{Page, PROSE_CHARS};

/// A marked container must hold this many characters to be taken.
const MIN_MARKED_CHARS: u32 = 200;

/// A paragraph shorter than this adds nothing to its ancestors' scores (readability).
const MIN_PARAGRAPH_CHARS: u32 = 25;

/// The content: nodes to render, in document order.
pub fn choose(page: &Page<'_>) -> Vec<NodeId> {
    let scored = scored(page);
    let Some(marked) = marked(page) else {
        return scored;
    };
    // As trafilatura compares with readability: a marked container with less than half the
    // text of the scored choice was the wrong mark (a teaser, a donation box).
    let scored_chars: u32 = scored.iter().map(|&n| page.counts(n).chars).sum();
    if scored_chars > 2 * page.counts(marked).chars {
        return scored;
    }
    vec![widen(page, marked)]
}

/// The container the page marks as its content, when one holds enough text and, where the
/// mark repeats (teasers on a listing page), dominates the others.
fn marked(page: &Page<'_>) -> Option<NodeId> {
    let dom = &page.dom;
    let mut tiers: [Vec<NodeId>; 4] = Default::default();
    for id in dom.descendants(page.body) {
        if page.is_removed(id) || page.counts(id).chars < MIN_MARKED_CHARS {
            continue;
        }
        let Some(tag) = dom.tag(id) else { continue };
        if dom.attr(id, "itemprop") == Some("articleBody") {
            tiers[0].push(id);
            continue;
        }
        if !matches!(
            tag,
            Tag::Div | Tag::Section | Tag::Article | Tag::Main | Tag::Td | Tag::Other
        ) {
            continue;
        }
        let names = page.names[id as usize];
        if names.body() {
            tiers[1].push(id);
        } else if tag == Tag::Article {
            tiers[2].push(id);
        } else if tag == Tag::Main || names.main() {
            tiers[3].push(id);
        }
    }
    tiers.iter().find_map(|tier| dominant(page, tier))
}

/// Of the outermost nodes of a tier, the one holding most text, if it holds at least 60% of
/// the tier's text.
fn dominant(page: &Page<'_>, tier: &[NodeId]) -> Option<NodeId> {
    let members: HashSet<NodeId> = tier.iter().copied().collect();
    let outer: Vec<NodeId> = tier
        .iter()
        .copied()
        .filter(|&id| {
            let parent = page.dom.node(id).parent;
            page.ancestor_or_self(parent, |a| members.contains(&a))
                .is_none()
        })
        .collect();
    let total: u32 = outer.iter().map(|&id| page.counts(id).chars).sum();
    let best = outer.into_iter().max_by_key(|&id| page.counts(id).chars)?;
    (page.counts(best).chars as f32 >= 0.6 * total as f32).then_some(best)
}

/// Readability's choice: paragraphs score their ancestors, the best ancestor (adjusted for
/// link density) wins, and its siblings join when they score close to it or are clean prose.
fn scored(page: &Page<'_>) -> Vec<NodeId> {
    let dom = &page.dom;
    let n = dom.nodes.len();
    let mut score = vec![f32::NAN; n];
    let initial = |id: NodeId, score: &mut Vec<f32>| {
        if score[id as usize].is_nan() {
            let base = match dom.tag(id) {
                Some(Tag::Div) => 5.0,
                Some(Tag::Pre | Tag::Td | Tag::Blockquote) => 3.0,
                Some(
                    Tag::Address
                    | Tag::Ol
                    | Tag::Ul
                    | Tag::Dl
                    | Tag::Dd
                    | Tag::Dt
                    | Tag::Li
                    | Tag::Form,
                ) => -3.0,
                Some(t) if t.is_heading() || t == Tag::Th => -5.0,
                _ => 0.0,
            };
            score[id as usize] = base + page.names[id as usize].class_weight();
        }
    };
    for id in dom.descendants(page.body) {
        if page.is_removed(id) {
            continue;
        }
        let Some(tag) = dom.tag(id) else { continue };
        let c = page.counts(id);
        let (chars, commas) = match tag {
            Tag::P | Tag::Pre | Tag::Td | Tag::Blockquote | Tag::Dd => (c.chars, c.commas),
            Tag::Div | Tag::Section | Tag::Article | Tag::Other if c.own_chars > 0 => {
                (c.own_chars, own_commas(page, id))
            }
            _ => continue,
        };
        if chars < MIN_PARAGRAPH_CHARS {
            continue;
        }
        let points = 1.0 + commas as f32 + (chars / 100).min(3) as f32;
        let mut ancestor = dom.node(id).parent;
        for level in 0..5 {
            if ancestor == crate::dom::NONE || dom.tag(ancestor).is_none() {
                break;
            }
            initial(ancestor, &mut score);
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                _ => level as f32 * 3.0,
            };
            score[ancestor as usize] += points / divider;
            if ancestor == page.body {
                break;
            }
            ancestor = dom.node(ancestor).parent;
        }
    }
    let mut candidates: Vec<(f32, NodeId)> = (0..n as NodeId)
        .filter(|&id| !score[id as usize].is_nan())
        .map(|id| {
            (
                score[id as usize] * (1.0 - page.counts(id).link_density()),
                id,
            )
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let Some(&(top_score, mut top)) = candidates.first() else {
        return vec![page.body];
    };
    if top_score <= 0.0 || top == page.body {
        return vec![page.body];
    }
    // Several strong candidates under one ancestor: the ancestor is the content.
    let strong: Vec<NodeId> = candidates
        .iter()
        .skip(1)
        .take(4)
        .filter(|(s, _)| *s >= 0.75 * top_score)
        .map(|&(_, id)| id)
        .collect();
    if strong.len() >= 2 {
        let mut ancestor = dom.node(top).parent;
        while ancestor != crate::dom::NONE && ancestor != page.body {
            let under = strong
                .iter()
                .filter(|&&s| page.ancestor_or_self(s, |a| a == ancestor).is_some())
                .count();
            if under >= 2 {
                top = ancestor;
                break;
            }
            ancestor = dom.node(ancestor).parent;
        }
    }
    top = widen(page, top);
    if top == page.body {
        return vec![top];
    }
    let final_score = |id: NodeId| {
        let s = score[id as usize];
        if s.is_nan() {
            0.0
        } else {
            s * (1.0 - page.counts(id).link_density())
        }
    };
    let threshold = (final_score(top) * 0.2).max(10.0);
    let parent = dom.node(top).parent;
    dom.children(parent)
        .filter(|&s| !page.is_removed(s))
        .filter(|&s| {
            if s == top {
                return true;
            }
            if final_score(s) >= threshold {
                return true;
            }
            let c = page.counts(s);
            if dom.tag(s) == Some(Tag::P) {
                let density = c.link_density();
                if c.chars > 80 && density < 0.25 {
                    return true;
                }
                if c.chars > 0 && density == 0.0 && ends_sentence(page, s) {
                    return true;
                }
            }
            false
        })
        .collect()
}

/// With comments asked for (trafilatura's `include_comments`): the outermost comment
/// sections outside the chosen content, in document order.
pub fn comments(page: &Page<'_>, content: &[NodeId]) -> Vec<NodeId> {
    let mut found: Vec<NodeId> = Vec::new();
    let mut taken: HashSet<NodeId> = content.iter().copied().collect();
    for id in page.dom.descendants(page.body) {
        if page.is_removed(id) || !page.names[id as usize].comments() {
            continue;
        }
        let inside = page.ancestor_or_self(id, |a| taken.contains(&a)).is_some();
        if !inside && page.counts(id).chars > 0 {
            found.push(id);
            taken.insert(id);
        }
    }
    found
}

/// Content split over sections under one wrapper: while the parent holds clearly more prose
/// without turning into a link list, the parent is the content.
fn widen(page: &Page<'_>, mut top: NodeId) -> NodeId {
    loop {
        let parent = page.dom.node(top).parent;
        if parent == crate::dom::NONE || top == page.body {
            return top;
        }
        let (p, t) = (page.counts(parent), page.counts(top));
        if p.prose as f32 > 1.5 * t.prose.max(PROSE_CHARS) as f32 && p.link_density() < 0.35 {
            top = parent;
        } else {
            return top;
        }
    }
}

/// Commas in the node's own text children.
fn own_commas(page: &Page<'_>, id: NodeId) -> u32 {
    page.dom
        .children(id)
        .filter(|&c| matches!(page.dom.node(c).data, NodeData::Text(_)))
        .map(|c| page.counts(c).commas)
        .sum()
}

/// Whether the node's text ends with a full stop.
fn ends_sentence(page: &Page<'_>, id: NodeId) -> bool {
    let text = page.dom.raw_text(id);
    text.trim_end().ends_with(['.', '!', '?', '。'])
}
