//! The pipeline file: `[input]`, `[[step]]` tables in order, `[output]`.
//!
//! ```toml
//! [input]
//! paths = ["data/*.jsonl.zst"]   # files, directories or globs, relative to this file
//! text_field = "text"            # default
//! id_field = "id"                # default
//!
//! [[step]]
//! type = "normalize"
//!
//! [[step]]
//! type = "length"
//! min_words = 50
//!
//! [output]
//! path = "out"                   # relative to this file
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thresh_core::suggest::closest;
use thresh_core::{parse_params, ConfigError, Pipeline, StepRegistry};
use thresh_io::compression::Compression;
use thresh_io::jsonl::FieldNames;

/// `[input]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Files, directories or globs; relative ones are resolved against the pipeline file's
    /// directory.
    #[serde(default)]
    pub paths: Vec<String>,
    /// A listing of more input paths, one per line (Common Crawl's `warc.paths.gz`), plain or
    /// compressed, local or remote.
    #[serde(default)]
    pub paths_file: Option<String>,
    /// Prefix of the listed paths: `s3://commoncrawl/` or `https://data.commoncrawl.org/`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Field holding the text.
    #[serde(default = "default_text_field")]
    pub text_field: String,
    /// Field holding the id.
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// Records longer than this many bytes are reported as errors instead of being read.
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: u64,
    /// Consecutive input files of one task are read, written and redone together as one work
    /// unit until it holds this many bytes (as stored); a larger file is a unit of its own.
    #[serde(default = "default_unit_bytes")]
    pub unit_bytes: u64,
    /// … or this many files (1: one unit per input file).
    #[serde(default = "default_unit_files")]
    pub unit_files: u32,
}

impl InputConfig {
    /// Every input path: `paths`, then those `paths_file` lists (read now).
    pub fn patterns(
        &self,
        base: &Path,
    ) -> Result<Vec<String>, thresh_io::read::inputs::InputError> {
        let mut all = self.paths.clone();
        if let Some(listing) = &self.paths_file {
            all.extend(thresh_io::read::inputs::listed_paths(
                listing,
                base,
                self.base_url.as_deref(),
            )?);
        }
        Ok(all)
    }

    /// The field names as the reader wants them.
    pub fn field_names(&self) -> FieldNames {
        FieldNames {
            text: self.text_field.clone(),
            id: self.id_field.clone(),
        }
    }
}

fn default_text_field() -> String {
    "text".into()
}
fn default_id_field() -> String {
    "id".into()
}
fn default_max_record_bytes() -> u64 {
    64 << 20
}
fn default_unit_bytes() -> u64 {
    32 << 20
}
fn default_unit_files() -> u32 {
    10_000
}

/// The most files a work unit can hold: the bits of a document's record number above
/// [`thresh_core::Origin::RECORD_BITS`].
pub const MAX_UNIT_FILES: u32 = 1 << (64 - thresh_core::Origin::RECORD_BITS);

/// The format of the output shards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// JSON Lines.
    #[default]
    Jsonl,
    /// Parquet.
    Parquet,
    /// Kept documents as datatrove's token shards (`DocumentTokenizer`).
    DatatroveTokens,
    /// Kept documents as Megatron-LM's indexed dataset (`MegatronDocumentTokenizer`).
    Megatron,
}

impl OutputFormat {
    /// True for the formats that write kept documents as token ids.
    pub fn is_tokens(self) -> bool {
        matches!(self, OutputFormat::DatatroveTokens | OutputFormat::Megatron)
    }
}

/// `[output]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// The output directory; relative paths are resolved against the pipeline file's directory.
    pub path: String,
    /// Shard format: `jsonl` (default) or `parquet` (zstd-compressed Parquet: `id`, `text`,
    /// and `metadata`, `thresh`, `other` as JSON).
    #[serde(default)]
    pub format: OutputFormat,
    /// Shard compression: `zstd` (default), `gzip` or `none`.
    #[serde(default)]
    pub compression: Compression,
    /// Compression level (zstd 1–22, default 1; gzip 0–9, default 6).
    pub level: Option<i32>,
    /// Start a new shard after this many documents (0: no limit).
    #[serde(default)]
    pub max_docs_per_shard: u64,
    /// Start a new shard after this many uncompressed bytes (0: no limit).
    #[serde(default = "default_max_bytes_per_shard")]
    pub max_bytes_per_shard: u64,
    /// Write dropped documents to `dropped/` (default true).
    #[serde(default = "default_true")]
    pub write_dropped: bool,
    /// Route kept documents into `kept/<value>/` by this annotation (e.g. `lang` → `kept/de/`);
    /// documents without it go to `kept/und/`.
    pub partition_by: Option<String>,
    /// Token formats: `o200k_base`, `cl100k_base`, or the path of a `tokenizer.json`.
    pub tokenizer: Option<String>,
    /// Token formats: a token appended to every document (e.g. `<|endoftext|>`).
    pub eos_token: Option<String>,
    /// `datatrove_tokens`: shuffle each work unit's documents (datatrove's
    /// `shuffle_documents`; default false).
    #[serde(default)]
    pub shuffle: bool,
    /// The shuffle's seed.
    #[serde(default)]
    pub seed: u64,
    /// `datatrove_tokens`: close a file after the document that takes it past this many
    /// tokens (0, the default: one file per work unit).
    #[serde(default)]
    pub max_tokens_per_file: u64,
}

/// The output format with what it needs: the tokenizer of the token formats, loaded.
#[derive(Clone)]
pub struct OutputPlan {
    /// The format of kept documents (dropped ones are JSON Lines with the token formats).
    pub format: thresh_io::write::Format,
    /// The tokenizer of the token formats.
    pub tokenizer: Option<std::sync::Arc<thresh_text::tokenizer::Tokenizer>>,
}

impl OutputConfig {
    /// The format and, for the token formats, the tokenizer loaded (paths resolved against
    /// `base_dir`).
    pub fn plan(&self, base_dir: &Path) -> Result<OutputPlan, ConfigError> {
        use thresh_io::write::{Format, TokenLayout};
        let format = match self.format {
            OutputFormat::Jsonl => Format::Jsonl,
            OutputFormat::Parquet => Format::Parquet,
            OutputFormat::DatatroveTokens | OutputFormat::Megatron => {
                let name = self
                    .tokenizer
                    .as_deref()
                    .ok_or_else(|| ConfigError::Missing {
                        context: "[output] (a token format)".into(),
                        key: "tokenizer".into(),
                    })?;
                let path = match name {
                    "o200k_base" | "cl100k_base" => name.to_owned(),
                    path => base_dir.join(path).to_string_lossy().into_owned(),
                };
                let tokenizer =
                    thresh_text::tokenizer::Tokenizer::load(&path, self.eos_token.as_deref())
                        .map_err(|e| ConfigError::Invalid {
                            context: "[output]".into(),
                            message: e.to_string(),
                        })?;
                let layout = TokenLayout {
                    tokenizer: name.to_owned(),
                    token_size: tokenizer.token_size(),
                    shuffle: self.shuffle.then_some(self.seed),
                    max_tokens_per_file: self.max_tokens_per_file,
                };
                let format = if self.format == OutputFormat::Megatron {
                    Format::Megatron(layout)
                } else {
                    Format::DatatroveTokens(layout)
                };
                return Ok(OutputPlan {
                    format,
                    tokenizer: Some(std::sync::Arc::new(tokenizer)),
                });
            }
        };
        Ok(OutputPlan {
            format,
            tokenizer: None,
        })
    }

    /// Token-format keys only go with a token format; Megatron files are neither shuffled
    /// nor split.
    fn check_token_keys(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| {
            Err(ConfigError::Invalid {
                context: "[output]".into(),
                message: message.into(),
            })
        };
        let token_keys = self.tokenizer.is_some()
            || self.eos_token.is_some()
            || self.shuffle
            || self.max_tokens_per_file > 0;
        if token_keys && !self.format.is_tokens() {
            return invalid("tokenizer, eos_token, shuffle and max_tokens_per_file go with format = \"datatrove_tokens\" or \"megatron\"");
        }
        if self.format == OutputFormat::Megatron && (self.shuffle || self.max_tokens_per_file > 0) {
            return invalid("megatron output is written as it comes, one file per work unit: no shuffle or max_tokens_per_file");
        }
        Ok(())
    }

    /// The compression the JSON Lines shards are written with: `compression`, or none for
    /// Parquet (which compresses its own columns, so workers need not compress batches).
    pub fn shard_compression(&self) -> Compression {
        match self.format {
            OutputFormat::Jsonl | OutputFormat::DatatroveTokens | OutputFormat::Megatron => {
                self.compression
            }
            OutputFormat::Parquet => Compression::None,
        }
    }
}

fn default_max_bytes_per_shard() -> u64 {
    1 << 30
}
fn default_true() -> bool {
    true
}

const TOP_LEVEL_KEYS: [&str; 3] = ["input", "step", "output"];

/// A parsed and validated pipeline file.
#[derive(Clone, Debug)]
pub struct PipelineFile {
    /// `[input]`.
    pub input: InputConfig,
    /// The `[[step]]` tables, in order (built into steps by [`PipelineFile::build`]).
    pub steps: Vec<toml::Table>,
    /// `[output]`.
    pub output: OutputConfig,
    /// Directory relative paths are resolved against.
    pub base_dir: PathBuf,
    /// The whole file, re-serialized canonically (for the run fingerprint).
    pub canonical: String,
}

/// Why a pipeline file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read pipeline file `{path}`: {source}")]
    Read {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("pipeline file `{path}` is not valid TOML: {message}")]
    Syntax {
        /// The path.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The TOML is valid but the configuration is not.
    #[error("pipeline file `{path}`: {source}")]
    Config {
        /// The path.
        path: String,
        /// What is wrong.
        source: Box<ConfigError>,
    },
}

impl PipelineFile {
    /// Reads and validates a pipeline file (steps are checked by [`PipelineFile::build`]).
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &base_dir).map_err(|e| e.at(path.display().to_string()))
    }

    fn parse(text: &str, base_dir: &Path) -> Result<Self, Parse> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Parse::Syntax(e.to_string()))?;
        for key in table.keys() {
            if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
                return Err(Parse::Config(ConfigError::UnknownKey {
                    context: "the pipeline file".into(),
                    suggestion: closest(key, TOP_LEVEL_KEYS).map(str::to_owned),
                    key: key.clone(),
                    expected: TOP_LEVEL_KEYS.iter().map(|k| k.to_string()).collect(),
                }));
            }
        }
        let section = |name: &str| -> Result<&toml::Table, ConfigError> {
            match table.get(name) {
                Some(toml::Value::Table(t)) => Ok(t),
                Some(_) => Err(ConfigError::Invalid {
                    context: format!("[{name}]"),
                    message: "must be a table".into(),
                }),
                None => Err(ConfigError::Missing {
                    context: "the pipeline file".into(),
                    key: format!("[{name}]"),
                }),
            }
        };
        let input: InputConfig = parse_params("[input]", section("input").map_err(Parse::Config)?)
            .map_err(Parse::Config)?;
        if input.unit_bytes == 0 || !(1..=MAX_UNIT_FILES).contains(&input.unit_files) {
            return Err(Parse::Config(ConfigError::Invalid {
                context: "[input]".into(),
                message: format!(
                    "unit_bytes must be at least 1 and unit_files from 1 to {MAX_UNIT_FILES} (got {} and {})",
                    input.unit_bytes, input.unit_files
                ),
            }));
        }
        let output: OutputConfig =
            parse_params("[output]", section("output").map_err(Parse::Config)?)
                .map_err(Parse::Config)?;
        output.check_token_keys().map_err(Parse::Config)?;
        let steps = match table.get("step") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    toml::Value::Table(t) => Ok(t.clone()),
                    _ => Err(Parse::Config(ConfigError::Invalid {
                        context: format!("step {}", i + 1),
                        message: "each step must be a [[step]] table".into(),
                    })),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(Parse::Config(ConfigError::Invalid {
                    context: "the pipeline file".into(),
                    message: "`step` must be written as [[step]] tables".into(),
                }))
            }
        };
        Ok(PipelineFile {
            input,
            steps,
            output,
            base_dir: base_dir.to_owned(),
            canonical: toml::to_string(&table).unwrap_or_default(),
        })
    }

    /// Parses a pipeline from TOML text, resolving relative paths against `base_dir`.
    pub fn from_toml(text: &str, base_dir: &Path) -> Result<Self, LoadError> {
        Self::parse(text, base_dir).map_err(|e| e.at("<inline>".into()))
    }

    /// Builds the steps, validating every parameter.
    pub fn build(&self, registry: &StepRegistry) -> Result<Pipeline, ConfigError> {
        Pipeline::from_tables_in(registry, &self.steps, &self.base_dir)
    }

    /// The output format, its tokenizer loaded ([`OutputConfig::plan`]).
    pub fn output_plan(&self) -> Result<OutputPlan, ConfigError> {
        self.output.plan(&self.base_dir)
    }

    /// The output directory.
    pub fn output_dir(&self) -> PathBuf {
        self.base_dir.join(&self.output.path)
    }

    /// Replaces `[output] path` (a command line's `--output`): a directory, made absolute so
    /// that the pipeline runs the same from anywhere, or an object-store URL as given.
    pub fn set_output(&mut self, output: &str) -> std::io::Result<()> {
        self.output.path = if thresh_io::store::remote::is_remote(output) {
            output.to_owned()
        } else {
            std::path::absolute(output)?.to_string_lossy().into_owned()
        };
        Ok(())
    }

    /// The output as named: an object-store URL as given, a directory resolved against the
    /// pipeline file's.
    pub fn output_location(&self) -> String {
        if thresh_io::store::remote::is_remote(&self.output.path) {
            self.output.path.clone()
        } else {
            self.output_dir().display().to_string()
        }
    }
}

enum Parse {
    Syntax(String),
    Config(ConfigError),
}

impl Parse {
    /// The error as reported for the pipeline file at `path`.
    fn at(self, path: String) -> LoadError {
        match self {
            Parse::Syntax(message) => LoadError::Syntax { path, message },
            Parse::Config(source) => LoadError::Config {
                path,
                source: Box::new(source),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PipelineFile, LoadError> {
        PipelineFile::from_toml(text, Path::new("/base"))
    }

    #[test]
    fn a_complete_file_parses_with_defaults() {
        let file = parse("[input]\npaths = [\"d\"]\n[[step]]\ntype = \"length\"\nmin_words = 3\n[output]\npath = \"out\"").unwrap();
        assert_eq!(file.input.text_field, "text");
        assert_eq!(file.output.compression, Compression::Zstd);
        assert_eq!(file.steps.len(), 1);
        assert_eq!(file.output_dir(), Path::new("/base/out"));
        assert!(file.build(&crate::registry()).is_ok());
    }

    #[test]
    fn unknown_keys_everywhere_get_did_you_mean() {
        let cases = [
            (
                "[input]\npath = [\"d\"]\n[output]\npath = \"o\"",
                "did you mean `paths`?",
            ),
            (
                "[input]\npaths = [\"d\"]\n[output]\npath = \"o\"\ncompresion = \"gzip\"",
                "did you mean `compression`?",
            ),
            (
                "[inputs]\npaths = [\"d\"]\n[output]\npath = \"o\"",
                "did you mean `input`?",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        let file =
            parse("[input]\npaths = [\"d\"]\n[[step]]\ntype = \"lenght\"\n[output]\npath = \"o\"")
                .unwrap();
        let err = file.build(&crate::registry()).err().unwrap().to_string();
        assert!(err.contains("did you mean `length`?"), "{err}");
        let file = parse("[input]\npaths = [\"d\"]\n[[step]]\ntype = \"length\"\nmin_word = 3\n[output]\npath = \"o\"").unwrap();
        let err = file.build(&crate::registry()).err().unwrap().to_string();
        assert!(err.contains("did you mean `min_words`?"), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("[input]\npaths = [\n").unwrap_err().to_string();
        assert!(
            err.contains("not valid TOML") && err.contains("line"),
            "{err}"
        );
    }
}
