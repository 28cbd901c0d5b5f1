//! `regex`: drop documents matching any of a set of patterns, or keep only those that match.

use regex::{RegexSet, RegexSetBuilder};
use serde::Deserialize;
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

/// What a match means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Drop documents in which any pattern matches (the default).
    #[default]
    Drop,
    /// Keep only documents in which some pattern matches.
    Keep,
}

/// Parameters of the `regex` step.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegexParams {
    /// Patterns (Rust `regex` syntax), searched anywhere in the text.
    pub patterns: Vec<String>,
    /// `drop` (default) or `keep`.
    #[serde(default)]
    pub action: Action,
    /// Match without regard to case.
    #[serde(default)]
    pub case_insensitive: bool,
}

/// The `regex` step.
pub struct RegexFilter {
    set: RegexSet,
    action: Action,
}

impl RegexFilter {
    /// Compiles the patterns; a bad pattern is a configuration error naming it.
    pub fn new(params: RegexParams, name: &str) -> Result<Self, ConfigError> {
        if params.patterns.is_empty() {
            return Err(ConfigError::Invalid {
                context: format!("step `{name}`"),
                message: "`patterns` is empty".into(),
            });
        }
        let set = RegexSetBuilder::new(&params.patterns)
            .case_insensitive(params.case_insensitive)
            .multi_line(true)
            .build()
            .map_err(|e| ConfigError::Invalid {
                context: format!("step `{name}`"),
                message: format!("bad pattern: {e}"),
            })?;
        Ok(RegexFilter {
            set,
            action: params.action,
        })
    }
}

impl Step for RegexFilter {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let first = self.set.matches(&doc.text).into_iter().next();
        cx.signal(
            doc,
            "matched",
            first.map(|i| self.set.patterns()[i].clone()),
        );
        match (self.action, first) {
            (Action::Drop, Some(i)) => {
                Verdict::drop(format_args!("regex_match {}", self.set.patterns()[i]))
            }
            (Action::Keep, None) => Verdict::drop("regex_no_match"),
            _ => Verdict::Keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(action: Action, text: &str) -> Verdict {
        let params = RegexParams {
            patterns: vec!["lorem ipsum".into(), "^404".into()],
            action,
            case_insensitive: true,
        };
        let cx = StepCx {
            name: "regex".into(),
            record_signals: false,
        };
        RegexFilter::new(params, "regex")
            .unwrap()
            .process(&mut Document::new("d", text), &cx)
    }

    #[test]
    fn drop_and_keep_modes() {
        assert_eq!(
            verdict(Action::Drop, "Text\n404 Not Found"),
            Verdict::drop("regex_match ^404")
        );
        assert_eq!(
            verdict(Action::Drop, "LOREM IPSUM dolor"),
            Verdict::drop("regex_match lorem ipsum")
        );
        assert_eq!(verdict(Action::Drop, "An article."), Verdict::Keep);
        assert_eq!(
            verdict(Action::Keep, "An article."),
            Verdict::drop("regex_no_match")
        );
        assert_eq!(verdict(Action::Keep, "lorem ipsum"), Verdict::Keep);
    }

    #[test]
    fn bad_pattern_is_a_config_error() {
        let params = RegexParams {
            patterns: vec!["(".into()],
            action: Action::Drop,
            case_insensitive: false,
        };
        assert!(RegexFilter::new(params, "r").is_err());
    }
}
