//! # thresh-langid
//!
//! Language identification for 75 languages with nothing to download: an embedded character
//! n-gram model (see [`model`]) behind script detection ([`script`]), and the `language` step.

#![warn(missing_docs)]

pub mod detect;
pub mod languages;
pub mod model;
pub mod script;

pub use detect::{detect, Detection};
pub use languages::{Language, LANGUAGES};
pub mod step;

/// Registers the `language` step.
pub fn register(registry: &mut thresh_core::StepRegistry) {
    registry.register(
        "language",
        "identify the language (thresh.lang, lang_score, lang_script, lang_top); keep listed languages",
        |c| Ok(Box::new(step::LanguageStep::new(c.parse()?, &c.name)?)),
    );
}
