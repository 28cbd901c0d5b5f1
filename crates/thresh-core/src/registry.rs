//! The [`StepRegistry`]: step types by name, and how a `[[step]]` table becomes a step.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::DeserializeOwned;

use crate::error::ConfigError;
use crate::suggest::closest;
use crate::Step;

/// What a step factory receives: the step's own parameters (the `[[step]]` table without the
/// generic keys `type`, `name`, `mode`) and the directory relative paths are resolved against.
#[derive(Clone, Debug)]
pub struct StepConfig {
    /// The step's configured name (for messages).
    pub name: String,
    /// The step's own parameters.
    pub params: toml::Table,
    /// Directory of the pipeline file: relative paths in parameters are resolved against it.
    pub base_dir: PathBuf,
}

impl StepConfig {
    /// Deserializes the parameters into the step's parameter struct, turning serde's
    /// unknown-field errors into [`ConfigError::UnknownKey`] with a did-you-mean.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        parse_params(&format!("step `{}`", self.name), &self.params)
    }
}

type Factory = Box<dyn Fn(&StepConfig) -> Result<Box<dyn Step>, ConfigError> + Send + Sync>;

/// Known step types: name → (one-line description, factory).
#[derive(Default)]
pub struct StepRegistry {
    steps: BTreeMap<String, (String, Factory)>,
}

impl StepRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a step type. The factory validates the parameters and builds the step.
    pub fn register(
        &mut self,
        ty: &str,
        description: &str,
        factory: impl Fn(&StepConfig) -> Result<Box<dyn Step>, ConfigError> + Send + Sync + 'static,
    ) {
        self.steps
            .insert(ty.to_owned(), (description.to_owned(), Box::new(factory)));
    }

    /// Builds a step of type `ty`, or explains that no such type exists.
    pub fn build(
        &self,
        ty: &str,
        context: &str,
        config: &StepConfig,
    ) -> Result<Box<dyn Step>, ConfigError> {
        match self.steps.get(ty) {
            Some((_, factory)) => factory(config),
            None => Err(ConfigError::UnknownStepType {
                context: context.to_owned(),
                ty: ty.to_owned(),
                suggestion: closest(ty, self.steps.keys().map(String::as_str)).map(str::to_owned),
                known: self.steps.keys().cloned().collect(),
            }),
        }
    }

    /// The registered types with their descriptions, sorted by name.
    pub fn types(&self) -> impl Iterator<Item = (&str, &str)> {
        self.steps
            .iter()
            .map(|(name, (description, _))| (name.as_str(), description.as_str()))
    }
}

/// Deserializes a TOML table into `T` (which should use `#[serde(deny_unknown_fields)]`),
/// reporting unknown keys as [`ConfigError::UnknownKey`] with a did-you-mean.
pub fn parse_params<T: DeserializeOwned>(
    context: &str,
    table: &toml::Table,
) -> Result<T, ConfigError> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| {
            let message = e.message().to_owned();
            match unknown_field(&message) {
                Some((key, expected)) => ConfigError::UnknownKey {
                    context: context.to_owned(),
                    suggestion: closest(&key, expected.iter().map(String::as_str))
                        .map(str::to_owned),
                    key,
                    expected,
                },
                None => ConfigError::Invalid {
                    context: context.to_owned(),
                    message,
                },
            }
        })
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`", or
/// "there are no fields") message into the key and the accepted keys.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((key.to_owned(), expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        min_words: Option<u64>,
        max_words: Option<u64>,
    }

    #[test]
    fn unknown_key_gets_did_you_mean() {
        let table: toml::Table = toml::from_str("min_word = 3").unwrap();
        let err = parse_params::<Params>("step `length`", &table).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("unknown key `min_word` in step `length`"),
            "{text}"
        );
        assert!(text.contains("did you mean `min_words`?"), "{text}");
    }

    #[test]
    fn wrong_type_is_invalid_value() {
        let table: toml::Table = toml::from_str("min_words = \"three\"").unwrap();
        let err = parse_params::<Params>("step `length`", &table).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{err}");
    }

    #[test]
    fn unknown_type_gets_did_you_mean() {
        let mut registry = StepRegistry::new();
        registry.register("normalize", "", |_| unreachable!());
        let config = StepConfig {
            name: "x".into(),
            params: toml::Table::new(),
            base_dir: PathBuf::new(),
        };
        let err = registry
            .build("normalise", "step 1", &config)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("did you mean `normalize`?"),
            "{err}"
        );
    }
}
