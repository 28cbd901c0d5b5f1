//! # thresh-langid
//!
//! Language identification for 75 languages with nothing to download: an embedded character
//! n-gram model (see `model.rs`) behind script detection (`script.rs`), the `language` step
//! (which can use any fastText language-ID model instead) and the `fasttext_classifier` step.

#![warn(missing_docs)]

mod classifier;
mod detect;
pub mod fasttext;
pub mod labels;
mod languages;
mod model;
mod model_file;
mod script;
mod step;

pub use detect::{detect, detect_with, Detection};
pub use languages::{normalize_code, Language, LANGUAGES};

/// Registers the `language` and `fasttext_classifier` steps.
pub fn register(registry: &mut thresh_core::StepRegistry) {
    registry.register(
        "language",
        "identify the language (thresh.lang, lang_score, lang_script, lang_top), with the built-in model or a fastText one (model = PATH); keep listed languages",
        |c| {
            Ok(Box::new(step::LanguageStep::new(
                c.parse()?,
                &c.name,
                &c.base_dir,
            )?))
        },
    );
    registry.register(
        "fasttext_classifier",
        "score documents, paragraphs or sentences with a fastText classifier (thresh.<name>.<label>); keep or remove by label scores",
        |c| {
            Ok(Box::new(classifier::ClassifierStep::new(
                c.parse()?,
                &c.name,
                &c.base_dir,
            )?))
        },
    );
}
