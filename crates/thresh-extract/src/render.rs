//! Turning chosen nodes into text: one line per block (paragraph, heading, list item, table
//! row), whitespace collapsed as a browser shows it, `pre` kept verbatim, list items as
//! `- item`, table cells joined with ` | `, link-heavy blocks (menus, related links) left out.

use std::ops::Range;

use crate::dom::{NodeData, NodeId, Tag};
use crate::page::Page;

/// A block with this many characters outside its links is content with links (an article
/// beside an archive menu, a discussion thread), not a menu, however many links it has.
const PLAIN_TEXT_KEEPS: u32 = 300;

/// What the rendering includes.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// Tables as text (else left out).
    pub tables: bool,
    /// Short lines after the last full block go, as jusText classifies short blocks at the
    /// edge of the content ("Share this:", "Comments are closed.", "About the author");
    /// `pre` lines count as full.
    pub trim_tail: bool,
    /// Blocks whose text is mostly links are left out.
    pub prune_links: bool,
    /// A heading with nothing under it before the next heading of its rank goes.
    pub bare_headings: bool,
}

/// Renders the nodes (and their subtrees) as text.
pub fn render(page: &Page<'_>, nodes: &[NodeId], options: RenderOptions) -> String {
    tidy(&run(page, nodes, options, None).out)
}

/// The page rendered as [`render`] does, line by line: one buffer and where each line lies in
/// it (trimmed, empty lines left out) with the innermost block element its text starts in.
#[derive(Default)]
pub struct Lines {
    text: String,
    spans: Vec<(Range<usize>, NodeId)>,
}

impl Lines {
    /// How many lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The lines in order, each with its block.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, NodeId)> + '_ {
        self.spans
            .iter()
            .map(|(span, block)| (&self.text[span.clone()], *block))
    }
}

/// Renders the nodes as [`render`] does, line by line.
pub fn render_lines(page: &Page<'_>, nodes: &[NodeId], options: RenderOptions) -> Lines {
    let r = run(page, nodes, options, Some(Vec::new()));
    let starts = r.starts.unwrap_or_default();
    let mut spans = Vec::with_capacity(starts.len());
    for (i, &(start, block)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(r.out.len(), |&(next, _)| next);
        let raw = &r.out[start..end];
        let line = raw.trim_start_matches(|c: char| c.is_whitespace());
        let from = start + (raw.len() - line.len());
        let line = line.trim_end_matches(|c: char| c.is_whitespace());
        if !(line.is_empty() || line == "-" || line == "|") {
            spans.push((from..from + line.len(), block));
        }
    }
    Lines { text: r.out, spans }
}

fn run<'p, 'a>(
    page: &'p Page<'a>,
    nodes: &[NodeId],
    options: RenderOptions,
    starts: Option<Vec<(usize, NodeId)>>,
) -> Renderer<'p, 'a> {
    let mut r = Renderer {
        page,
        options,
        out: String::new(),
        space: false,
        newline: false,
        prefix: "",
        pre: 0,
        heading: None,
        in_heading: 0,
        line_start: 0,
        line_verbatim: false,
        full_end: 0,
        block: page.body,
        starts,
    };
    for &node in nodes {
        r.block_break();
        r.block = node;
        r.node(node, node);
    }
    r.drop_bare_heading(0);
    r.end_line();
    if options.trim_tail && r.full_end > 0 {
        r.truncate(r.full_end);
    }
    r
}

struct Renderer<'p, 'a> {
    page: &'p Page<'a>,
    options: RenderOptions,
    out: String,
    /// A space is due before the next visible character.
    space: bool,
    /// A line break is due before the next visible character.
    newline: bool,
    /// Written at the start of the next line with text (list bullets, cell separators).
    prefix: &'static str,
    /// Depth inside `pre`.
    pre: u32,
    /// Where the last heading's line starts in `out` and its level, until text follows it.
    heading: Option<(usize, u8)>,
    /// Depth inside headings.
    in_heading: u32,
    /// Where the line being written starts in `out`.
    line_start: usize,
    /// The line being written holds `pre` text.
    line_verbatim: bool,
    /// End of the last full line in `out`.
    full_end: usize,
    /// The innermost block element being rendered.
    block: NodeId,
    /// With [`render_lines`]: where each line starts in `out` and its block.
    starts: Option<Vec<(usize, NodeId)>>,
}

impl Renderer<'_, '_> {
    /// Cuts `out` back to `len` bytes.
    fn truncate(&mut self, len: usize) {
        self.out.truncate(len);
        if let Some(starts) = &mut self.starts {
            while starts.last().is_some_and(|&(start, _)| start >= len) {
                starts.pop();
            }
        }
    }

    fn block_break(&mut self) {
        // A prefix set since the last text (a bullet) survives nested blocks.
        if !self.newline {
            self.prefix = "";
        }
        self.newline = true;
        self.space = false;
    }

    fn node(&mut self, id: NodeId, root: NodeId) {
        let page = self.page;
        if page.is_removed(id) {
            return;
        }
        match &page.dom.node(id).data {
            NodeData::Text(text) => self.text(text),
            NodeData::Document => self.children(id, root),
            NodeData::Element { tag, .. } => self.element(id, *tag, root),
        }
    }

    fn children(&mut self, id: NodeId, root: NodeId) {
        for c in self.page.dom.children(id) {
            self.node(c, root);
        }
    }

    fn element(&mut self, id: NodeId, tag: Tag, root: NodeId) {
        if id != root && self.options.prune_links && self.link_heavy(id, tag) {
            return;
        }
        let outer = self.block;
        if tag.is_block() && tag != Tag::Br {
            self.block = id;
        }
        self.element_content(id, tag, root);
        self.block = outer;
    }

    fn element_content(&mut self, id: NodeId, tag: Tag, root: NodeId) {
        match tag {
            Tag::Br => {
                self.block_break();
                return;
            }
            Tag::Table if !self.options.tables => return,
            Tag::Td | Tag::Th => {
                // A cell after text on its row is separated from it.
                if !self.newline {
                    self.prefix = " | ";
                }
                self.children(id, root);
                return;
            }
            Tag::Li => {
                self.block_break();
                self.prefix = "- ";
                self.children(id, root);
                self.block_break();
                return;
            }
            Tag::Pre => {
                self.block_break();
                self.pre += 1;
                self.children(id, root);
                self.pre -= 1;
                self.block_break();
                return;
            }
            Tag::Img => return,
            // (A heading inside a heading is rendered as a plain block.)
            _ if tag.is_heading() && self.in_heading == 0 => {
                let level = heading_level(tag);
                self.drop_bare_heading(level);
                self.block_break();
                let start = self.out.len();
                self.in_heading += 1;
                self.children(id, root);
                self.in_heading -= 1;
                if self.out.len() > start {
                    self.heading = Some((start, level));
                }
                self.block_break();
                return;
            }
            _ => {}
        }
        if tag.is_block() {
            self.block_break();
            self.children(id, root);
            self.block_break();
        } else {
            self.children(id, root);
        }
    }

    /// A heading with nothing under it before a heading of the same or a higher rank (or the
    /// end, `level` 0) introduced something left out — "Related posts" — and goes too.
    fn drop_bare_heading(&mut self, level: u8) {
        if !self.options.bare_headings {
            return;
        }
        if let Some((start, previous)) = self.heading {
            if level <= previous {
                self.truncate(start);
                self.line_start = self.line_start.min(start);
                self.full_end = self.full_end.min(start);
                self.heading = None;
            }
        }
    }

    /// Menus, tag clouds and link lists: blocks whose text is mostly links.
    fn link_heavy(&self, id: NodeId, tag: Tag) -> bool {
        let limit = match tag {
            Tag::Ul | Tag::Ol | Tag::Dl | Tag::Div | Tag::Section | Tag::Table | Tag::Tr => 0.5,
            Tag::P | Tag::Li | Tag::Dd | Tag::Span | Tag::Td => 0.8,
            _ => return false,
        };
        let c = self.page.counts(id);
        c.chars > 0 && c.link_density() > limit && c.chars - c.link_chars < PLAIN_TEXT_KEEPS
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    self.block_break();
                }
                if !line.trim().is_empty() {
                    self.start_text();
                    self.line_verbatim = true;
                    self.out.push_str(line.trim_end());
                }
            }
            return;
        }
        // Soft hyphens only show where a browser breaks the line: never in the text.
        // (Its last byte looked for first: one memchr, not a two-byte search per word.)
        let soft_hyphens =
            memchr::memchr(0xad, text.as_bytes()).is_some() && text.contains('\u{ad}');
        for word in text.split(|c: char| c.is_whitespace()) {
            if word.is_empty() {
                self.space = true;
                continue;
            }
            self.start_text();
            if soft_hyphens && word.contains('\u{ad}') {
                self.out.extend(word.chars().filter(|&c| c != '\u{ad}'));
            } else {
                self.out.push_str(word);
            }
            self.space = true;
        }
        // The split yields an empty last piece only after trailing whitespace.
        if !text.ends_with(|c: char| c.is_whitespace()) {
            self.space = false;
        }
    }

    /// Notes whether the line just finished is a full one.
    fn end_line(&mut self) {
        let line = self.out[self.line_start..].trim();
        if !line.is_empty() && (self.line_verbatim || full_line(line)) {
            self.full_end = self.out.len();
        }
        self.line_verbatim = false;
    }

    /// Writes what is due before visible text: a line break, a prefix, a space.
    fn start_text(&mut self) {
        if self.in_heading == 0 {
            self.heading = None;
        }
        if self.newline {
            self.end_line();
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.line_start = self.out.len();
            if let Some(starts) = &mut self.starts {
                starts.push((self.line_start, self.block));
            }
            self.newline = false;
            self.space = false;
            self.out.push_str(self.prefix.trim_start_matches(" | "));
            self.prefix = "";
        } else if !self.prefix.is_empty() {
            self.out.push_str(self.prefix);
            self.prefix = "";
            self.space = false;
        } else if self.space && !self.out.ends_with('\n') && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.space = false;
    }
}

/// jusText's `length_low`: shorter blocks are "short".
const SHORT_LINE_CHARS: usize = 70;

/// Whether a finished line is a full block rather than a short one: long enough, a list item,
/// a table row, or a sentence of four words or more.
pub fn full_line(line: &str) -> bool {
    line.chars().count() >= SHORT_LINE_CHARS
        || line.starts_with("- ")
        || line.contains(" | ")
        || (line.ends_with(['.', '!', '?']) && line.split(' ').count() >= 4)
}

/// 1 for `h1` … 6 for `h6`.
fn heading_level(tag: Tag) -> u8 {
    match tag {
        Tag::H1 => 1,
        Tag::H2 => 2,
        Tag::H3 => 3,
        Tag::H4 => 4,
        Tag::H5 => 5,
        _ => 6,
    }
}

/// Trims every line and drops empty ones.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace());
        if line.is_empty() || line == "-" || line == "|" {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{render, render_lines, RenderOptions};
    use crate::page::{Cleaning, Page};

    #[test]
    fn lines_are_the_lines_of_the_rendered_text() {
        let html = "<body><h1> Title </h1><p>One\u{a0} <b>two</b>\n three.</p><ul><li>a</li>\
            <li> </li><li><p>b</p> c</li></ul><table><tr><td>x</td><td> y </td></tr></table>\
            <pre>  code\n\n  more  </pre>left<br>right<div><a href=/>menu</a> <a href=/>x</a>\
            </div><p>-</p><p>\u{2003}wide\u{2003}</p></body>";
        let page = Page::new(crate::parse(html), false, Cleaning::FULL);
        for prune_links in [false, true] {
            let options = RenderOptions {
                tables: true,
                prune_links,
                trim_tail: false,
                bare_headings: false,
            };
            let lines = render_lines(&page, &[page.body], options);
            let text = render(&page, &[page.body], options);
            let plain: Vec<&str> = text.lines().collect();
            let spans: Vec<&str> = lines.iter().map(|(line, _)| line).collect();
            assert_eq!(spans, plain);
            assert_eq!(lines.len(), plain.len());
            assert!(plain.len() > 8, "{plain:?}");
        }
    }
}
