//! The parsed page: an arena of element and text nodes, tag names as [`Tag`]s.

use std::borrow::Cow;
use std::ops::Range;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = u32;

/// "No node" in the sibling and child links.
pub const NONE: NodeId = u32::MAX;

macro_rules! tags {
    ($($variant:ident = $name:literal,)*) => {
        /// An element name thresh treats specially; every other name is [`Tag::Other`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Tag {
            $(#[doc = concat!("`<", $name, ">`")] $variant,)*
            /// Any other element (custom elements included).
            Other,
        }

        impl Tag {
            /// The tag for an element name, ASCII case-insensitively.
            pub fn from_name(name: &str) -> Tag {
                let mut buf = [0u8; 12];
                if name.len() > buf.len() {
                    return Tag::Other;
                }
                let lower = &mut buf[..name.len()];
                lower.copy_from_slice(name.as_bytes());
                lower.make_ascii_lowercase();
                match std::str::from_utf8(lower).unwrap_or("") {
                    $($name => Tag::$variant,)*
                    _ => Tag::Other,
                }
            }
        }
    };
}

tags! {
    A = "a", Address = "address", Applet = "applet", Area = "area", Article = "article",
    Aside = "aside", Audio = "audio", B = "b", Base = "base", Blockquote = "blockquote",
    Body = "body", Br = "br", Button = "button", Canvas = "canvas", Caption = "caption",
    Center = "center", Code = "code", Col = "col", Colgroup = "colgroup", Datalist = "datalist",
    Dd = "dd", Details = "details", Dialog = "dialog", Dir = "dir", Div = "div", Dl = "dl",
    Dt = "dt", Em = "em", Embed = "embed", Fieldset = "fieldset", Figcaption = "figcaption",
    Figure = "figure", Footer = "footer", Form = "form", Frame = "frame",
    Frameset = "frameset", H1 = "h1", H2 = "h2", H3 = "h3", H4 = "h4", H5 = "h5", H6 = "h6",
    Head = "head", Header = "header", Hgroup = "hgroup", Hr = "hr", Html = "html", I = "i",
    Iframe = "iframe", Img = "img", Input = "input", Keygen = "keygen", Label = "label",
    Legend = "legend", Li = "li", Link = "link", Listing = "listing", Main = "main",
    Map = "map", Math = "math", Menu = "menu", Meta = "meta", Nav = "nav",
    Noembed = "noembed", Noframes = "noframes", Noscript = "noscript", Object = "object",
    Ol = "ol", Optgroup = "optgroup", Option = "option", Output = "output", P = "p",
    Param = "param", Picture = "picture", Plaintext = "plaintext", Pre = "pre",
    Progress = "progress", Q = "q", S = "s", Script = "script", Section = "section",
    Select = "select", Small = "small", Source = "source", Span = "span", Strong = "strong",
    Style = "style", Sub = "sub", Summary = "summary", Sup = "sup", Svg = "svg",
    Table = "table", Tbody = "tbody", Td = "td", Template = "template", Textarea = "textarea",
    Tfoot = "tfoot", Th = "th", Thead = "thead", Time = "time", Title = "title", Tr = "tr",
    Track = "track", U = "u", Ul = "ul", Video = "video", Wbr = "wbr", Xmp = "xmp",
}

impl Tag {
    /// Elements that never have content.
    pub fn is_void(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Area | Base
                | Br
                | Col
                | Embed
                | Hr
                | Img
                | Input
                | Keygen
                | Link
                | Meta
                | Param
                | Source
                | Track
                | Wbr
        )
    }

    /// Elements whose content is text up to their end tag, never markup.
    pub fn is_raw_text(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Script | Style | Textarea | Title | Xmp | Iframe | Noembed | Noframes | Plaintext
        )
    }

    /// Elements rendered as blocks of their own (a line break before and after).
    pub fn is_block(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Body
                | Caption
                | Center
                | Dd
                | Details
                | Dialog
                | Dir
                | Div
                | Dl
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
                | Html
                | Legend
                | Li
                | Listing
                | Main
                | Menu
                | Nav
                | Ol
                | Option
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Tbody
                | Tfoot
                | Thead
                | Tr
                | Ul
                | Xmp
                | Br
        )
    }

    /// `h1` … `h6`.
    pub fn is_heading(self) -> bool {
        use Tag::*;
        matches!(self, H1 | H2 | H3 | H4 | H5 | H6)
    }
}

/// One attribute as written (name as in the source, value with references decoded).
#[derive(Clone, Debug)]
pub struct Attr<'a> {
    /// The name as written.
    pub name: &'a str,
    /// The decoded value.
    pub value: Cow<'a, str>,
}

/// What a node is.
#[derive(Clone, Debug)]
pub enum NodeData<'a> {
    /// The root.
    Document,
    /// An element: its [`Tag`], its name as written, its attributes in [`Dom::attrs`].
    Element {
        /// The tag.
        tag: Tag,
        /// The name as written.
        name: &'a str,
        /// Range in [`Dom::attrs`].
        attrs: Range<u32>,
    },
    /// Text with references decoded (raw for `script` and `style`).
    Text(Cow<'a, str>),
}

/// A node and its links.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    /// Parent ([`NONE`] for the root).
    pub parent: NodeId,
    /// First child or [`NONE`].
    pub first_child: NodeId,
    /// Last child or [`NONE`].
    pub last_child: NodeId,
    /// Next sibling or [`NONE`].
    pub next: NodeId,
    /// What the node is.
    pub data: NodeData<'a>,
}

/// A parsed page borrowing from its source text.
#[derive(Clone, Debug)]
pub struct Dom<'a> {
    /// All nodes; index 0 is the root.
    pub nodes: Vec<Node<'a>>,
    /// All attributes, each element owning a range.
    pub attrs: Vec<Attr<'a>>,
}

impl<'a> Dom<'a> {
    /// The root node's id.
    pub const ROOT: NodeId = 0;

    pub(crate) fn with_capacity(nodes: usize) -> Self {
        let mut dom = Dom {
            nodes: Vec::with_capacity(nodes),
            attrs: Vec::new(),
        };
        dom.nodes.push(Node {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            data: NodeData::Document,
        });
        dom
    }

    /// Appends a node as the last child of `parent`.
    pub(crate) fn append(&mut self, parent: NodeId, data: NodeData<'a>) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            parent,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            data,
        });
        let p = &mut self.nodes[parent as usize];
        let last = p.last_child;
        p.last_child = id;
        if last == NONE {
            p.first_child = id;
        } else {
            self.nodes[last as usize].next = id;
        }
        id
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    /// The element's tag (None for text and the root).
    pub fn tag(&self, id: NodeId) -> Option<Tag> {
        match self.nodes[id as usize].data {
            NodeData::Element { tag, .. } => Some(tag),
            _ => None,
        }
    }

    /// The element's attributes (empty for other nodes).
    pub fn attrs(&self, id: NodeId) -> &[Attr<'a>] {
        match &self.nodes[id as usize].data {
            NodeData::Element { attrs, .. } => {
                &self.attrs[attrs.start as usize..attrs.end as usize]
            }
            _ => &[],
        }
    }

    /// The value of an attribute, its name compared ASCII case-insensitively.
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        self.attrs(id)
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value.as_ref())
    }

    /// The node's children, in order.
    pub fn children(&self, id: NodeId) -> Children<'_, 'a> {
        Children {
            dom: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// The node and all its descendants in document order.
    pub fn descendants(&self, id: NodeId) -> Descendants<'_, 'a> {
        Descendants {
            dom: self,
            root: id,
            next: id,
        }
    }

    /// The first element with this tag in document order.
    pub fn find(&self, tag: Tag) -> Option<NodeId> {
        self.descendants(Self::ROOT)
            .find(|&n| self.tag(n) == Some(tag))
    }

    /// The concatenated text of the node's descendants, without any normalisation.
    pub fn raw_text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for n in self.descendants(id) {
            if let NodeData::Text(t) = &self.nodes[n as usize].data {
                out.push_str(t);
            }
        }
        out
    }
}

/// Iterator over a node's children.
pub struct Children<'d, 'a> {
    dom: &'d Dom<'a>,
    next: NodeId,
}

impl Iterator for Children<'_, '_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.next;
        if id == NONE {
            return None;
        }
        self.next = self.dom.nodes[id as usize].next;
        Some(id)
    }
}

/// Pre-order iterator over a subtree.
pub struct Descendants<'d, 'a> {
    dom: &'d Dom<'a>,
    root: NodeId,
    next: NodeId,
}

impl Iterator for Descendants<'_, '_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.next;
        if id == NONE {
            return None;
        }
        let nodes = &self.dom.nodes;
        let node = &nodes[id as usize];
        self.next = if node.first_child != NONE {
            node.first_child
        } else {
            let mut at = id;
            loop {
                if at == self.root {
                    break NONE;
                }
                let n = &nodes[at as usize];
                if n.next != NONE {
                    break n.next;
                }
                at = n.parent;
            }
        };
        Some(id)
    }
}
