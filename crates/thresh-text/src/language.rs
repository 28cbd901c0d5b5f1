//! Which language a language-aware step works in.

use thresh_core::Document;

/// The configured language, else the document's `thresh.lang`, else English (datatrove's
/// default).
pub fn step_language<'a>(configured: Option<&'a str>, doc: &'a Document) -> &'a str {
    configured.or_else(|| doc.lang()).unwrap_or("en")
}
