//! # thresh-langid
//!
//! Language identification for 75 languages with nothing to download: an embedded character
//! n-gram model (see `model.rs`) behind script detection (`script.rs`), and the `language` step.

#![warn(missing_docs)]

mod detect;
pub mod fasttext;
mod languages;
mod model;
mod script;

pub use detect::{detect, Detection};
pub use languages::{normalize_code, Language, LANGUAGES};
mod step;

/// Registers the `language` step.
pub fn register(registry: &mut thresh_core::StepRegistry) {
    registry.register(
        "language",
        "identify the language (thresh.lang, lang_score, lang_script, lang_top); keep listed languages",
        |c| Ok(Box::new(step::LanguageStep::new(c.parse()?, &c.name)?)),
    );
}
