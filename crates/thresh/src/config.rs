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
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// JSON Lines.
    #[default]
    Jsonl,
    /// Parquet.
    Parquet,
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
}

impl From<OutputFormat> for thresh_io::write::Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Jsonl => thresh_io::write::Format::Jsonl,
            OutputFormat::Parquet => thresh_io::write::Format::Parquet,
        }
    }
}

impl OutputConfig {
    /// The compression the JSON Lines shards are written with: `compression`, or none for
    /// Parquet (which compresses its own columns, so workers need not compress batches).
    pub fn shard_compression(&self) -> Compression {
        match self.format {
            OutputFormat::Jsonl => self.compression,
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
