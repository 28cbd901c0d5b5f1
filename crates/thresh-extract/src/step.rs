//! `html_extract`: replaces the raw HTML in `text` with the page's main text and writes the
//! page metadata under `thresh`: `title`, `url`, `date`, `author`, `site_name`, `page_lang`,
//! `license` (where found) and `extraction` (`main_content`, `whole_page` or `structured_data`). A page without
//! text is dropped.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::{extract, Options};

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
}

impl Default for HtmlExtractParams {
    fn default() -> Self {
        let o = Options::default();
        HtmlExtractParams {
            include_tables: o.tables,
            include_comments: o.comments,
            fallback_min_chars: o.min_chars,
        }
    }
}

/// The `html_extract` step.
pub struct HtmlExtract {
    options: Options,
}

impl HtmlExtract {
    /// The step with these parameters.
    pub fn new(params: HtmlExtractParams) -> Self {
        HtmlExtract {
            options: Options {
                tables: params.include_tables,
                comments: params.include_comments,
                min_chars: params.fallback_min_chars,
            },
        }
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
