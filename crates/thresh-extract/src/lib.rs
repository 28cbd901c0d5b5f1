//! # thresh-extract
//!
//! Main-content extraction from raw HTML: a lenient parser ([`parse`]), boilerplate marking
//! (`boilerplate.rs`, `page.rs`), the choice of the content (`content.rs`), its rendering as text
//! (`render.rs`), page metadata (`metadata.rs`) and the `html_extract` step (`step.rs`).

#![warn(missing_docs)]

mod blocks;
mod boilerplate;
mod content;
mod dom;
mod entities;
mod metadata;
mod model;
mod page;
mod parse;
mod render;
mod step;

pub use blocks::FEATURES;
pub use metadata::Metadata;
pub use model::BlockModel;
pub use parse::parse;

use std::sync::Arc;

use dom::NodeId;
use page::{Cleaning, Page};
use render::RenderOptions;

/// What [`extract`] keeps.
#[derive(Clone, Debug)]
pub struct Options {
    /// Tables as text.
    pub tables: bool,
    /// User comments too.
    pub comments: bool,
    /// Below this many characters of main content, the whole-page text is used when longer.
    pub min_chars: usize,
    /// The model that keeps or drops each line of the page given what the rules chose
    /// (`None`: the rules alone).
    pub model: Option<Arc<BlockModel>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tables: true,
            comments: false,
            min_chars: 250,
            model: Some(built_in_model()),
        }
    }
}

/// The block model built into the crate.
pub fn built_in_model() -> Arc<BlockModel> {
    static MODEL: std::sync::LazyLock<Arc<BlockModel>> =
        std::sync::LazyLock::new(|| Arc::new(model::BUILT_IN.clone()));
    MODEL.clone()
}

/// Every line of the page with its block features and the rules' choice (for training a
/// [`BlockModel`]): `(line, features)` in page order, and the rules' text.
pub fn block_features(html: &str, options: &Options) -> (Vec<(String, [f32; FEATURES])>, String) {
    let dom = parse(html);
    let mut page = Page::new(dom, options.comments, Cleaning::FULL);
    let (nodes, main) = rules(&page, options);
    let masked = page.unmask();
    let lines = blocks::lines(
        &page,
        &masked.removed,
        &nodes,
        &main,
        options.tables,
        options.comments,
    );
    let lines = lines
        .text
        .iter()
        .zip(lines.lines)
        .map(|((text, _), line)| (text.to_string(), line.features))
        .collect();
    (lines, main)
}

/// The rules' content nodes and their text.
fn rules(page: &Page<'_>, options: &Options) -> (Vec<NodeId>, String) {
    let mut nodes = content::choose(page);
    if options.comments {
        nodes.extend(content::comments(page, &nodes));
    }
    let text = render::render(
        page,
        &nodes,
        RenderOptions {
            tables: options.tables,
            prune_links: true,
            trim_tail: true,
            bare_headings: true,
        },
    );
    (nodes, text)
}

/// How the text was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The main-content heuristics.
    MainContent,
    /// The whole page's text without its boilerplate, when the main content was too short.
    WholePage,
    /// The page's JSON-LD `articleBody`, when the markup itself held too little text.
    StructuredData,
}

impl Method {
    /// The name written to `thresh.extraction`.
    pub fn name(self) -> &'static str {
        match self {
            Method::MainContent => "main_content",
            Method::WholePage => "whole_page",
            Method::StructuredData => "structured_data",
        }
    }
}

/// The text and metadata of one page.
#[derive(Clone, Debug)]
pub struct Extraction {
    /// Main text, one block per line.
    pub text: String,
    /// How it was found.
    pub method: Method,
    /// What the page says about itself.
    pub metadata: Metadata,
}

/// Extracts the main text and the metadata of a page.
pub fn extract(html: &str, options: &Options) -> Extraction {
    let dom = parse(html);
    let metadata = metadata::read(&dom);
    let mut page = Page::new(dom, options.comments, Cleaning::FULL);
    let (nodes, mut main) = rules(&page, options);
    let enough = |text: &str| text.chars().count() >= options.min_chars;
    if let Some(model) = &options.model {
        let masked = page.unmask();
        let lines = blocks::lines(
            &page,
            &masked.removed,
            &nodes,
            &main,
            options.tables,
            options.comments,
        );
        let samples: Vec<&[f32; blocks::FEATURES]> =
            lines.lines.iter().map(|l| &l.features).collect();
        let content = model.are_content(&samples);
        let mut learned = String::new();
        for (((text, _), line), content) in lines.text.iter().zip(&lines.lines).zip(content) {
            if line.kept || content {
                if !learned.is_empty() {
                    learned.push('\n');
                }
                learned.push_str(text);
            }
        }
        page.restore(masked);
        if enough(&learned) || (!learned.is_empty() && main.is_empty()) {
            main = learned;
        }
    }
    let mut render_options = RenderOptions {
        tables: options.tables,
        prune_links: true,
        trim_tail: false,
        bare_headings: true,
    };
    if enough(&main) {
        return Extraction {
            text: main,
            method: Method::MainContent,
            metadata,
        };
    }
    // Too little: the whole page without its boilerplate, then — when that is still less
    // than half of it and this gives enough — with only non-text elements removed and links
    // kept (link-list pages, pages whose scripts reveal hidden text).
    let mut best = (main, Method::MainContent);
    let whole = render::render(&page, &[page.body], render_options);
    if whole.len() > best.0.len() {
        best = (whole, Method::WholePage);
    }
    if best.0.chars().count() < options.min_chars / 2 {
        let page = Page::new(page.dom, options.comments, Cleaning::LIGHT);
        render_options.prune_links = false;
        let light = render::render(&page, &[page.body], render_options);
        if enough(&light) {
            best = (light, Method::WholePage);
        }
    }
    if !enough(&best.0) {
        if let Some(body) = &metadata.article_body {
            let text = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            if text.len() > best.0.len() {
                best = (text, Method::StructuredData);
            }
        }
    }
    Extraction {
        text: best.0,
        method: best.1,
        metadata,
    }
}

/// Registers the `html_extract` step.
pub fn register(registry: &mut thresh_core::StepRegistry) {
    registry.register(
        "html_extract",
        "extract the main text of raw HTML (boilerplate removed) and the page metadata",
        |c| {
            let step = step::HtmlExtract::new(c.parse()?).map_err(|message| {
                thresh_core::ConfigError::Invalid {
                    context: "step `html_extract`".into(),
                    message,
                }
            })?;
            Ok(Box::new(step))
        },
    );
}
