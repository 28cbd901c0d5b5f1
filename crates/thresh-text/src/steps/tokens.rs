//! `tokens`: counts each document's tokens (datatrove's `TokensCounter`: the tokenizer's own
//! special tokens included, plus one with `count_eos_token`) into `thresh.<name>` (a number;
//! `thresh.tokens` for the step named `tokens`, which is what `stats.json`'s token totals read),
//! and drops documents outside `min_tokens` / `max_tokens`.

use serde::Deserialize;
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

use crate::tokenizer::Tokenizer;

/// Parameters of `tokens`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokensParams {
    /// `o200k_base` (default), `cl100k_base`, or the path of a Hugging Face `tokenizer.json`.
    pub tokenizer: String,
    /// Count one more token per document, for the end-of-sequence token training appends
    /// (datatrove's `count_eos_token`, default false).
    pub count_eos_token: bool,
    /// Fewest tokens allowed.
    pub min_tokens: Option<u64>,
    /// Most tokens allowed.
    pub max_tokens: Option<u64>,
}

impl Default for TokensParams {
    fn default() -> Self {
        TokensParams {
            tokenizer: "o200k_base".into(),
            count_eos_token: false,
            min_tokens: None,
            max_tokens: None,
        }
    }
}

/// The step.
pub struct Tokens {
    tokenizer: Tokenizer,
    params: TokensParams,
}

impl Tokens {
    /// A step with the given parameters; the tokenizer is loaded now.
    pub fn new(params: TokensParams, name: &str) -> Result<Self, ConfigError> {
        let tokenizer =
            Tokenizer::load(&params.tokenizer, None).map_err(|e| ConfigError::Invalid {
                context: format!("step `{name}`"),
                message: e.to_string(),
            })?;
        Ok(Tokens { tokenizer, params })
    }
}

impl Step for Tokens {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let n = (self.tokenizer.count(&doc.text) + usize::from(self.params.count_eos_token)) as u64;
        doc.annotations.insert(cx.name.clone(), n.into());
        if let Some(min) = self.params.min_tokens.filter(|&min| n < min) {
            return Verdict::drop(format_args!("min_tokens {n} < {min}"));
        }
        if let Some(max) = self.params.max_tokens.filter(|&max| n > max) {
            return Verdict::drop(format_args!("max_tokens {n} > {max}"));
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: TokensParams, text: &str) -> (Verdict, Document) {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "tokens".into(),
            record_signals: false,
        };
        let verdict = Tokens::new(params, "tokens")
            .unwrap()
            .process(&mut doc, &cx);
        (verdict, doc)
    }

    #[test]
    fn counts_and_bounds() {
        // o200k_base: "hello world" is [24912, 2375].
        let (v, doc) = run(TokensParams::default(), "hello world");
        assert_eq!(v, Verdict::Keep);
        assert_eq!(doc.annotations["tokens"], 2);
        let eos = TokensParams {
            count_eos_token: true,
            min_tokens: Some(4),
            ..TokensParams::default()
        };
        let (v, doc) = run(eos, "hello world");
        assert_eq!(doc.annotations["tokens"], 3);
        assert_eq!(v, Verdict::drop("min_tokens 3 < 4"));
        let max = TokensParams {
            max_tokens: Some(1),
            ..TokensParams::default()
        };
        assert_eq!(run(max, "hello world").0, Verdict::drop("max_tokens 2 > 1"));
    }

    #[test]
    fn a_missing_tokenizer_is_a_config_error() {
        let params = TokensParams {
            tokenizer: "/nonexistent/tokenizer.json".into(),
            ..TokensParams::default()
        };
        let err = Tokens::new(params, "tokens").err().unwrap();
        assert!(err.to_string().contains("cannot load tokenizer"), "{err}");
    }
}
