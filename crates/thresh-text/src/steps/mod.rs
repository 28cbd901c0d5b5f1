//! The text steps, one per file (`type` in a pipeline file → module).

pub mod c4_badwords;
pub mod c4_quality;
pub mod doc_stats;
pub mod fineweb_quality;
pub mod fix_text;
pub mod footer_lines;
pub mod gopher_quality;
pub mod gopher_repetition;
pub mod length;
pub mod line_filter;
pub mod metadata_language;
pub mod normalize;
pub mod pii;
pub mod regex_filter;
pub mod stuffing;
pub mod symbol_lines;
pub mod tokens;
pub mod url_filter;
