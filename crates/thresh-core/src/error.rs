//! Configuration errors, with the place they occur and a did-you-mean where one helps.

use thiserror::Error;

/// A problem with a pipeline file: what is wrong, where, and what was probably meant.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A key that the table does not accept.
    #[error("unknown key `{key}` in {context}{}; accepted keys: {}", did_you_mean(.suggestion), .expected.join(", "))]
    UnknownKey {
        /// Where the key was found, e.g. `[input]` or `step 2 (length)`.
        context: String,
        /// The key as written.
        key: String,
        /// The accepted key closest to it, if any is close.
        suggestion: Option<String>,
        /// All accepted keys.
        expected: Vec<String>,
    },
    /// A `[[step]]` whose `type` no registered step has.
    #[error("unknown step type `{ty}` in {context}{}; known types: {}", did_you_mean(.suggestion), .known.join(", "))]
    UnknownStepType {
        /// Where, e.g. `step 3`.
        context: String,
        /// The type as written.
        ty: String,
        /// The known type closest to it, if any is close.
        suggestion: Option<String>,
        /// All known types.
        known: Vec<String>,
    },
    /// A required key is absent.
    #[error("missing key `{key}` in {context}")]
    Missing {
        /// Where the key is required.
        context: String,
        /// The missing key.
        key: String,
    },
    /// A value that has the wrong type or is out of range.
    #[error("invalid value in {context}: {message}")]
    Invalid {
        /// Where the value was found.
        context: String,
        /// What is wrong with it.
        message: String,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}
