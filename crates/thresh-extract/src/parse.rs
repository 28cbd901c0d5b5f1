//! A lenient HTML parser: any input gives a tree, the way browsers repair the common errors
//! (unclosed `p`, `li`, `td`, `tr`, `option`; stray end tags; unquoted attributes; raw-text
//! elements; unterminated comments). Enough of HTML5 tree construction for text extraction,
//! at several hundred MB/s, with nesting bounded by [`MAX_DEPTH`].

use std::borrow::Cow;

use crate::dom::{Attr, Dom, NodeData, NodeId, Tag};
use crate::entities;

/// Open elements nested deeper than this take their content as siblings.
pub const MAX_DEPTH: usize = 256;

/// Parses a page.
pub fn parse(html: &str) -> Dom<'_> {
    let mut builder = Builder {
        dom: Dom::with_capacity(html.len() / 40 + 16),
        stack: vec![Dom::ROOT],
        seen_html: false,
        seen_body: false,
    };
    let b = html.as_bytes();
    let mut pos = 0;
    let mut text_start = 0;
    while let Some(rel) = memchr::memchr(b'<', &b[pos..]) {
        let lt = pos + rel;
        let next = b.get(lt + 1).copied().unwrap_or(0);
        let markup_end = if next.is_ascii_alphabetic() {
            builder.text(&html[text_start..lt]);
            let (end, tag, name, self_closing) = builder.start_tag(html, lt + 1);
            match tag {
                Some(tag) if tag.is_raw_text() && !self_closing => {
                    raw_text(&mut builder, html, end, tag, name)
                }
                _ => end,
            }
        } else if next == b'/' && b.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) {
            builder.text(&html[text_start..lt]);
            end_tag(&mut builder, html, lt + 2)
        } else if next == b'!' || next == b'?' || next == b'/' {
            builder.text(&html[text_start..lt]);
            skip_markup(b, lt)
        } else {
            pos = lt + 1;
            continue;
        };
        pos = markup_end;
        text_start = markup_end;
    }
    builder.text(&html[text_start..]);
    builder.dom
}

/// End of a comment, doctype, processing instruction or bogus comment starting at `lt`.
fn skip_markup(b: &[u8], lt: usize) -> usize {
    if b[lt..].starts_with(b"<!--") {
        return memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |i| lt + 4 + i + 3);
    }
    memchr::memchr(b'>', &b[lt..]).map_or(b.len(), |i| lt + i + 1)
}

/// Reads an end tag whose name starts at `at`; returns the position after it.
fn end_tag(builder: &mut Builder<'_>, html: &str, at: usize) -> usize {
    let b = html.as_bytes();
    let name_end = at
        + b[at..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
            .unwrap_or(b.len() - at);
    let end = memchr::memchr(b'>', &b[name_end..]).map_or(b.len(), |i| name_end + i + 1);
    builder.end(&html[at..name_end]);
    end
}

/// Takes the content of a raw-text element up to its end tag as one text node.
fn raw_text<'a>(
    builder: &mut Builder<'a>,
    html: &'a str,
    start: usize,
    tag: Tag,
    name: &str,
) -> usize {
    let b = html.as_bytes();
    let mut search = start;
    let (content_end, end) = loop {
        match memchr::memmem::find(&b[search..], b"</") {
            None => break (b.len(), b.len()),
            Some(i) => {
                let at = search + i + 2;
                let candidate = b.get(at..at + name.len());
                let after = b.get(at + name.len()).copied();
                if tag != Tag::Plaintext
                    && candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes()))
                    && matches!(
                        after,
                        None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
                    )
                {
                    let close = memchr::memchr(b'>', &b[at..]).map_or(b.len(), |j| at + j + 1);
                    break (search + i, close);
                }
                search = at;
            }
        }
    };
    let content = &html[start..content_end];
    if !content.is_empty() {
        let text = if matches!(tag, Tag::Script | Tag::Style) {
            Cow::Borrowed(content)
        } else {
            entities::decode(content)
        };
        let parent = builder.current();
        builder.dom.append(parent, NodeData::Text(text));
    }
    builder.end(name);
    end
}

struct Builder<'a> {
    dom: Dom<'a>,
    stack: Vec<NodeId>,
    seen_html: bool,
    seen_body: bool,
}

impl<'a> Builder<'a> {
    fn current(&self) -> NodeId {
        *self.stack.last().unwrap_or(&Dom::ROOT)
    }

    fn text(&mut self, text: &'a str) {
        if text.is_empty() {
            return;
        }
        let parent = self.current();
        let decoded = entities::decode(text);
        self.dom.append(parent, NodeData::Text(decoded));
    }

    fn open_tag(&self, at: usize) -> Tag {
        self.dom.tag(self.stack[at]).unwrap_or(Tag::Html)
    }

    /// Position in the stack of the innermost open `tag` before any of `stops`.
    fn in_scope(&self, tag: Tag, stops: &[Tag]) -> Option<usize> {
        for i in (1..self.stack.len()).rev() {
            let open = self.open_tag(i);
            if open == tag {
                return Some(i);
            }
            if stops.contains(&open) {
                return None;
            }
        }
        None
    }

    fn close_to(&mut self, at: usize) {
        self.stack.truncate(at.max(1));
    }

    fn close_if_open(&mut self, tag: Tag, stops: &[Tag]) {
        if let Some(at) = self.in_scope(tag, stops) {
            self.close_to(at);
        }
    }

    /// The implied end tags of HTML's tree construction before an element opens.
    fn imply_ends(&mut self, tag: Tag) {
        use Tag::*;
        const BUTTON_SCOPE: &[Tag] = &[
            Applet, Caption, Html, Table, Td, Th, Object, Template, Button, Svg, Math,
        ];
        const LIST_SCOPE: &[Tag] = &[
            Applet, Caption, Html, Table, Td, Th, Object, Template, Ol, Ul, Menu, Dl,
        ];
        const TABLE_SCOPE: &[Tag] = &[Html, Table, Template];
        if closes_p(tag) {
            self.close_if_open(P, BUTTON_SCOPE);
        }
        match tag {
            Li => self.close_if_open(Li, LIST_SCOPE),
            Dd | Dt => {
                self.close_if_open(Dd, LIST_SCOPE);
                self.close_if_open(Dt, LIST_SCOPE);
            }
            Option => self.close_if_open(Option, &[Select, Datalist, Optgroup]),
            Optgroup => self.close_if_open(Optgroup, &[Select]),
            Tr => self.close_if_open(Tr, TABLE_SCOPE),
            Td | Th => {
                self.close_if_open(Td, &[Tr, Html, Table, Template]);
                self.close_if_open(Th, &[Tr, Html, Table, Template]);
            }
            Tbody | Thead | Tfoot => {
                for t in [Tbody, Thead, Tfoot] {
                    self.close_if_open(t, TABLE_SCOPE);
                }
            }
            A => self.close_if_open(A, BUTTON_SCOPE),
            _ if tag.is_heading()
                && self.stack.len() > 1
                && self.open_tag(self.stack.len() - 1).is_heading() =>
            {
                self.stack.pop();
            }
            _ => {}
        }
    }

    /// Reads a start tag whose name starts at `at`; returns the position after it, its tag
    /// (None when the element was ignored), its name and whether it ended in `/>`.
    fn start_tag(&mut self, html: &'a str, at: usize) -> (usize, Option<Tag>, &'a str, bool) {
        let b = html.as_bytes();
        let mut i = at;
        while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'/' || b[i] == b'>') {
            i += 1;
        }
        let name = &html[at..i];
        let tag = Tag::from_name(name);
        let attrs_start = self.dom.attrs.len() as u32;
        let mut self_closing = false;
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                self_closing = b[i] == b'/';
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            self_closing = false;
            let name_start = i;
            i += 1;
            while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'/' | b'>' | b'='))
            {
                i += 1;
            }
            let attr_name = &html[name_start..i];
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value: &'a str = "";
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = memchr::memchr(q, &b[i + 1..]).map_or(b.len(), |j| i + 1 + j);
                        value = &html[i + 1..end];
                        i = (end + 1).min(b.len());
                    }
                    Some(_) => {
                        let start = i;
                        while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                            i += 1;
                        }
                        value = &html[start..i];
                    }
                    None => {}
                }
            }
            self.dom.attrs.push(Attr {
                name: attr_name,
                value: entities::decode(value),
            });
        }
        let attrs = attrs_start..self.dom.attrs.len() as u32;
        // A second <html> or <body> adds nothing; <head> after the body is ignored.
        let repeated = match tag {
            Tag::Html => std::mem::replace(&mut self.seen_html, true),
            Tag::Body => std::mem::replace(&mut self.seen_body, true),
            Tag::Head => self.seen_body,
            _ => false,
        };
        if repeated {
            self.dom.attrs.truncate(attrs_start as usize);
            return (i, None, name, self_closing);
        }
        self.imply_ends(tag);
        if !in_head(tag) {
            self.close_if_open(Tag::Head, &[]);
        }
        let parent = self.current();
        let id = self
            .dom
            .append(parent, NodeData::Element { tag, name, attrs });
        // In SVG and MathML `<x/>` closes any element and nothing is raw text.
        let foreign = (self_closing || tag.is_raw_text()) && self.in_foreign_content();
        let closed = tag.is_void() || (self_closing && (tag == Tag::Other || foreign));
        if !closed && self.stack.len() < MAX_DEPTH {
            self.stack.push(id);
        }
        (i, Some(tag), name, (self_closing && closed) || foreign)
    }

    /// Whether an `svg` or `math` element is open.
    fn in_foreign_content(&self) -> bool {
        self.stack
            .iter()
            .any(|&n| matches!(self.dom.tag(n), Some(Tag::Svg | Tag::Math)))
    }

    /// Handles an end tag: closes the innermost open element of that name, if any.
    fn end(&mut self, name: &str) {
        let tag = Tag::from_name(name);
        match tag {
            Tag::Html | Tag::Body => return,
            Tag::Br => {
                let parent = self.current();
                self.dom.append(
                    parent,
                    NodeData::Element {
                        tag: Tag::Br,
                        name: "br",
                        attrs: 0..0,
                    },
                );
                return;
            }
            _ => {}
        }
        for i in (1..self.stack.len()).rev() {
            let matches = match &self.dom.node(self.stack[i]).data {
                NodeData::Element {
                    tag: t, name: n, ..
                } => {
                    if tag == Tag::Other {
                        *t == Tag::Other && n.eq_ignore_ascii_case(name)
                    } else {
                        *t == tag
                    }
                }
                _ => false,
            };
            if matches {
                self.close_to(i);
                return;
            }
        }
    }
}

/// Elements that stay inside an open `head`; any other closes it.
fn in_head(tag: Tag) -> bool {
    use Tag::*;
    matches!(
        tag,
        Meta | Link | Title | Script | Style | Base | Noscript | Template | Other
    )
}

/// Elements whose start tag closes an open `p`.
fn closes_p(tag: Tag) -> bool {
    use Tag::*;
    matches!(
        tag,
        Address
            | Article
            | Aside
            | Blockquote
            | Center
            | Details
            | Dialog
            | Dir
            | Div
            | Dl
            | Dd
            | Dt
            | Fieldset
            | Figcaption
            | Figure
            | Footer
            | Form
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | Header
            | Hgroup
            | Hr
            | Li
            | Listing
            | Main
            | Menu
            | Nav
            | Ol
            | P
            | Plaintext
            | Pre
            | Section
            | Summary
            | Table
            | Ul
            | Xmp
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as nested `tag[children]` with text in quotes.
    fn shape(dom: &Dom<'_>, id: NodeId) -> String {
        let mut out = String::new();
        for c in dom.children(id) {
            match &dom.node(c).data {
                NodeData::Text(t) => out.push_str(&format!("{:?}", t.as_ref())),
                NodeData::Element { name, .. } => {
                    out.push_str(&name.to_ascii_lowercase());
                    let inner = shape(dom, c);
                    if !inner.is_empty() {
                        out.push_str(&format!("[{inner}]"));
                    }
                }
                NodeData::Document => {}
            }
            out.push(' ');
        }
        out.trim_end().to_owned()
    }

    fn tree(html: &str) -> String {
        let dom = parse(html);
        shape(&dom, Dom::ROOT)
    }

    #[test]
    fn unclosed_paragraphs_list_items_and_cells_close_as_in_browsers() {
        assert_eq!(tree("<p>a<p>b<div>c</div>"), r#"p["a"] p["b"] div["c"]"#);
        assert_eq!(tree("<ul><li>a<li>b</ul>"), r#"ul[li["a"] li["b"]]"#);
        assert_eq!(
            tree("<table><tr><td>a<td>b<tr><td>c</table>"),
            r#"table[tr[td["a"] td["b"]] tr[td["c"]]]"#
        );
        assert_eq!(tree("<h1>a<h2>b"), r#"h1["a"] h2["b"]"#);
        assert_eq!(tree("<a href=x>a<a>b"), r#"a["a"] a["b"]"#);
    }

    #[test]
    fn stray_end_tags_are_ignored_and_end_tags_close_to_their_element() {
        assert_eq!(tree("a</span>b"), r#""a" "b""#);
        assert_eq!(tree("<div><b>x</div>y"), r#"div[b["x"]] "y""#);
        assert_eq!(tree("<p>a</br>b</P>"), r#"p["a" br "b"]"#);
    }

    #[test]
    fn attributes_quoted_unquoted_and_with_references() {
        let dom = parse(r#"<a HREF=/x?a=1&amp;b=2 title='it&#39;s' data-x="q>r" hidden>t</a>"#);
        let a = dom.find(Tag::A).unwrap();
        assert_eq!(dom.attr(a, "href"), Some("/x?a=1&b=2"));
        assert_eq!(dom.attr(a, "title"), Some("it's"));
        assert_eq!(dom.attr(a, "data-x"), Some("q>r"));
        assert_eq!(dom.attr(a, "hidden"), Some(""));
        assert_eq!(dom.raw_text(a), "t");
    }

    #[test]
    fn raw_text_elements_comments_and_doctype() {
        assert_eq!(
            tree("<!DOCTYPE html><script>if (a<b) x='</div>'</script><!-- <p>no</p> -->t"),
            r#"script["if (a<b) x='</div>'"] "t""#
        );
        assert_eq!(tree("<title>A &amp; B</title>"), r#"title["A & B"]"#);
        assert_eq!(tree("<style>p{}"), r#"style["p{}"]"#);
        assert_eq!(tree("a <!-- unterminated"), r#""a ""#);
        assert_eq!(tree("1 < 2 <3"), r#""1 < 2 <3""#);
    }

    #[test]
    fn svg_elements_close_themselves_and_hold_no_raw_text() {
        assert_eq!(
            tree("<p><svg><title/><path d=x/></svg>text</p><title>t</title>"),
            r#"p[svg[title path] "text"] title["t"]"#
        );
    }

    #[test]
    fn repeated_html_and_body_tags_add_nothing() {
        assert_eq!(
            tree("<html><body>a<body class=x>b</body></html>c"),
            r#"html[body["a" "b" "c"]]"#
        );
    }

    #[test]
    fn body_content_closes_an_unclosed_head() {
        assert_eq!(
            tree("<html><head><title>t</title><div>x</div>"),
            r#"html[head[title["t"]] div["x"]]"#
        );
        assert_eq!(
            tree("<head><meta charset=utf-8><body><p>x"),
            r#"head[meta] body[p["x"]]"#
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let html = "<div>".repeat(100_000) + "x";
        let dom = parse(&html);
        let mut depth = 0;
        let mut at = dom.find(Tag::Div).unwrap();
        while let Some(c) = dom.children(at).next() {
            at = c;
            depth += 1;
        }
        assert!(depth < MAX_DEPTH, "{depth}");
    }

    #[test]
    fn truncated_markup_never_panics() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "</",
            "</a",
            "<!",
            "<!--",
            "&",
            "&#",
            "&#x",
            "<p>é<",
        ] {
            let _ = parse(html);
        }
    }
}
