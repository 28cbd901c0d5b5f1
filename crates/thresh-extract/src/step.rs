//! `html_extract`: replaces the raw HTML in `text` with the page's main text and writes the
//! page metadata under `thresh`: `title`, `url`, `date`, `author`, `site_name`, `page_lang`,
//! `license` (where found) and `extraction` (`main_content`, `whole_page` or `structured_data`). A page without
//! text is dropped.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use std::sync::Arc;

use crate::{extract, BlockModel, Options};

/// Parameters of `html_extract`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlExtractParams {
    /// Tables as text (trafilatura's `include_tables`).
    pub include_tables: bool,
    /// User comments too (trafilatura's `include_comments`).
    pub include_comments: bool,
    /// Below this many characters of main content, the whole page's text is used when longer.
    pub fallback_min_chars: usize,
    /// The model that keeps or drops each line after the rules: `"builtin"`, `"none"` (the
    /// rules alone, the behaviour before the model) or the path of a model written by
    /// `scripts/train_blocks.py`.
    pub block_model: String,
}

impl Default for HtmlExtractParams {
    fn default() -> Self {
        let o = Options::default();
        HtmlExtractParams {
            include_tables: o.tables,
            include_comments: o.comments,
            fallback_min_chars: o.min_chars,
            block_model: "builtin".into(),
        }
    }
}

/// The `html_extract` step.
pub struct HtmlExtract {
    options: Options,
}

impl HtmlExtract {
    /// The step with these parameters, or why the block model cannot be read.
    pub fn new(params: HtmlExtractParams) -> Result<Self, String> {
        let model = match params.block_model.as_str() {
            "builtin" => Some(crate::built_in_model()),
            "none" => None,
            path => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("block_model {path}: {e}"))?;
                let model =
                    BlockModel::parse(&text).map_err(|e| format!("block_model {path}: {e}"))?;
                Some(Arc::new(model))
            }
        };
        Ok(HtmlExtract {
            options: Options {
                tables: params.include_tables,
                comments: params.include_comments,
                min_chars: params.fallback_min_chars,
                model,
            },
        })
    }
}

/// The `url` field of the input's metadata (WARC-Target-URI for WARC input); the rest of the
/// metadata is skipped, not built.
fn input_url(doc: &Document) -> Option<String> {
    #[derive(Deserialize)]
    struct Url {
        url: Option<String>,
    }
    serde_json::from_str::<Url>(doc.metadata.as_ref()?.get())
        .ok()?
        .url
}

impl Step for HtmlExtract {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let extraction = extract(&doc.text, &self.options);
        let m = extraction.metadata;
        let url = input_url(doc).or(m.url);
        let a = &mut doc.annotations;
        for (key, value) in [
            ("title", m.title),
            ("url", url),
            ("date", m.date),
            ("author", m.author),
            ("site_name", m.site_name),
            ("page_lang", m.lang),
            ("license", m.license),
        ] {
            if let Some(value) = value {
                a.insert(key.into(), value.into());
            }
        }
        a.insert("extraction".into(), extraction.method.name().into());
        if cx.record_signals {
            cx.signal(doc, "html_bytes", doc.text.len());
            cx.signal(doc, "text_chars", extraction.text.chars().count());
        }
        doc.text = extraction.text;
        if doc.text.is_empty() {
            return Verdict::drop("no_text");
        }
        Verdict::Keep
    }
}
