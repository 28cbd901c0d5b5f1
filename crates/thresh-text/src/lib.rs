//! # thresh-text
//!
//! Per-document text steps, one per module under `steps`, and the text library they and the
//! deduplication steps share: the datatrove/spaCy-compatible word segmenter ([`segment`]),
//! Python string semantics ([`pystr`]), hashing ([`hash`]), word lists ([`words`]), the checks
//! and signals steps report ([`checks`]), FineWeb-2's per-language settings ([`fineweb2`]).
//!
//! The steps:
//!
//! | type | module | what it does |
//! |---|---|---|
//! | `normalize` | `steps/normalize.rs` | Unicode normalization (NFC by default), whitespace and control-character cleanup |
//! | `length` | `steps/length.rs` | drops documents outside min/max characters or words |
//! | `regex` | `steps/regex_filter.rs` | drops documents matching patterns (or keeps only those that match) |
//! | `line_filter` | `steps/line_filter.rs` | removes lines matching patterns or with too few words |
//! | `gopher_repetition` | `steps/gopher_repetition.rs` | Gopher repetition rules, as datatrove |
//! | `gopher_quality` | `steps/gopher_quality.rs` | Gopher quality rules, as datatrove |
//! | `c4_quality` | `steps/c4_quality.rs` | C4 line removals and document rules, as datatrove |
//! | `metadata_language` | `steps/metadata_language.rs` | takes `thresh.lang` from a metadata field |
//! | `footer_lines` | `steps/footer_lines.rs` | removes the footer block at the end of a page |
//! | `stuffing` | `steps/stuffing.rs` | keyword stuffing: one sentence repeated through the text |
//! | `c4_badwords` | `steps/c4_badwords.rs` | C4 bad-words filter, as datatrove |
//! | `fineweb_quality` | `steps/fineweb_quality.rs` | FineWeb quality rules, as datatrove |
//! | `pii` | `steps/pii.rs` | replaces email and public IPv4 addresses, as datatrove's PIIFormatter |
//! | `symbol_lines` | `steps/symbol_lines.rs` | removes lines made only of symbols, as datatrove's SymbolLinesFormatter |
//! | `url_filter` | `steps/url_filter.rs` | drops documents by URL (blocklists, banned words), as datatrove's URLFilter |
//! | `tokens` | `steps/tokens.rs` | counts tokens (o200k_base, cl100k_base or a tokenizer.json) into `thresh.tokens`, as datatrove's TokensCounter; min/max bounds |
//! | `fix_text` | `steps/fix_text.rs` | repairs mojibake, entities and control characters, as ftfy (datatrove's FTFYFormatter) |
//!
//! [`register`] adds them all to a [`thresh_core::StepRegistry`].
//!
//! ```
//! let mut registry = thresh_core::StepRegistry::new();
//! thresh_text::register(&mut registry);
//! let tables: Vec<toml::Table> = vec![toml::from_str("type = \"length\"\nmin_words = 3").unwrap()];
//! let pipeline = thresh_core::Pipeline::from_tables(&registry, &tables).unwrap();
//! let mut stats = thresh_core::Stats::for_pipeline(&pipeline);
//! let mut doc = thresh_core::Document::new("a", "too short");
//! let outcome = pipeline.process(&mut doc, &mut stats);
//! assert_eq!(doc.annotations["reason"], "min_words 2 < 3");
//! # let _ = outcome;
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod charsets;
pub mod checks;
pub mod domain;
pub mod duplicates;
pub mod fineweb2;
pub mod hash;
pub mod identifiers;
pub mod language;
pub mod metadata;
pub mod pystr;
pub mod segment;
mod steps;
pub mod textfix;
pub mod tokenizer;
pub mod words;

use thresh_core::StepRegistry;

use steps::*;

/// Registers every step of this crate.
pub fn register(registry: &mut StepRegistry) {
    registry.register(
        "normalize",
        "Unicode normalization and whitespace cleanup",
        |c| Ok(Box::new(normalize::Normalize::new(c.parse()?))),
    );
    registry.register(
        "length",
        "drop documents outside min/max characters or words",
        |c| Ok(Box::new(length::Length::new(c.parse()?))),
    );
    registry.register(
        "regex",
        "drop documents matching patterns, or keep only those that match",
        |c| {
            Ok(Box::new(regex_filter::RegexFilter::new(
                c.parse()?,
                &c.name,
            )?))
        },
    );
    registry.register(
        "line_filter",
        "remove lines matching patterns or with too few words",
        |c| Ok(Box::new(line_filter::LineFilter::new(c.parse()?, &c.name)?)),
    );
    registry.register(
        "gopher_repetition",
        "Gopher repetition rules (datatrove GopherRepetitionFilter)",
        |c| {
            Ok(Box::new(gopher_repetition::GopherRepetition::new(
                c.parse()?,
            )))
        },
    );
    registry.register(
        "gopher_quality",
        "Gopher quality rules (datatrove GopherQualityFilter)",
        |c| Ok(Box::new(gopher_quality::GopherQuality::new(c.parse()?))),
    );
    registry.register(
        "c4_quality",
        "C4 line and document rules (datatrove C4QualityFilter)",
        |c| Ok(Box::new(c4_quality::C4Quality::new(c.parse()?))),
    );
    registry.register(
        "metadata_language",
        "take the document's language from a metadata field",
        |c| {
            Ok(Box::new(metadata_language::MetadataLanguage::new(
                c.parse()?,
            )))
        },
    );
    registry.register(
        "footer_lines",
        "remove the boilerplate block at the end of a page (related posts, image credits, licences)",
        |c| Ok(Box::new(footer_lines::FooterLines::new(c.parse()?, &c.name)?)),
    );
    registry.register(
        "stuffing",
        "keyword stuffing: a sentence repeated through the text",
        |c| Ok(Box::new(stuffing::Stuffing::new(c.parse()?))),
    );
    registry.register(
        "c4_badwords",
        "C4 bad-words filter (datatrove C4BadWordsFilter)",
        |c| Ok(Box::new(c4_badwords::C4BadWords::new(c.parse()?))),
    );
    registry.register(
        "fineweb_quality",
        "FineWeb quality rules (datatrove FineWebQualityFilter)",
        |c| Ok(Box::new(fineweb_quality::FineWebQuality::new(c.parse()?))),
    );
    registry.register(
        "pii",
        "replace email and public IP addresses (datatrove PIIFormatter)",
        |c| Ok(Box::new(pii::Pii::new(c.parse()?, &c.name)?)),
    );
    registry.register(
        "symbol_lines",
        "remove lines made only of symbols (datatrove SymbolLinesFormatter)",
        |c| Ok(Box::new(symbol_lines::SymbolLines::new(c.parse()?))),
    );
    registry.register(
        "url_filter",
        "drop documents by URL: blocklisted domains and URLs, banned words (datatrove URLFilter)",
        |c| Ok(Box::new(url_filter::UrlFilter::new(c.parse()?))),
    );
    registry.register(
        "tokens",
        "count tokens into thresh.tokens (datatrove TokensCounter); drop outside min_tokens/max_tokens",
        |c| Ok(Box::new(tokens::Tokens::new(c.parse()?, &c.name)?)),
    );
    registry.register(
        "fix_text",
        "repair mojibake, HTML entities and control characters as ftfy does (datatrove FTFYFormatter)",
        |c| Ok(Box::new(fix_text::FixText::new(c.parse()?))),
    );
    registry.register(
        "doc_stats",
        "annotate datatrove's document, line, paragraph and word statistics (DocStats, LineStats, ParagraphStats, WordStats)",
        |c| Ok(Box::new(doc_stats::DocStats::new(c.parse()?))),
    );
}
