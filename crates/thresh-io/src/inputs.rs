//! Input paths → a sorted list of input files.
//!
//! Each configured path is a file, a directory (searched recursively for files whose names
//! end in an accepted extension, hidden files skipped) or a glob (`data/*.jsonl.zst`,
//! `crawl/**/*.gz`). Relative paths are resolved against a base directory (the pipeline
//! file's). The result is sorted by name and free of duplicates, so every machine sees the
//! same list and the same file indices. An object-store path (`s3://bucket/prefix`, see
//! [`crate::remote`]) is listed the same way: one object, every object below a prefix, or a glob.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::remote::{is_remote, Object};

/// An input file and the name it is reported under.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputFile {
    /// The name as configured (relative to the base directory when it was relative), with `/`
    /// separators; used in derived ids and error records.
    pub name: String,
    /// The path to open.
    pub path: PathBuf,
    /// The path relative to the input it was found under (the directory given in `paths`;
    /// the file name for a file or a glob match): the id of an HTML file's document.
    pub relative: String,
    /// Its size in bytes, as stored.
    pub size: u64,
}

/// Why the inputs could not be listed.
#[derive(Debug, Error)]
pub enum InputError {
    /// A configured path that is neither a file, a directory nor a glob matching something.
    #[error("input path `{0}` does not exist")]
    Missing(String),
    /// A glob that matched no file.
    #[error("input glob `{0}` matches no file")]
    NoMatch(String),
    /// A malformed glob.
    #[error("input glob `{pattern}` is invalid: {message}")]
    BadGlob {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// A directory that could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// File names accepted when searching a directory: JSON Lines, optionally compressed.
pub const JSONL_EXTENSIONS: [&str; 9] = [
    ".jsonl",
    ".jsonl.gz",
    ".jsonl.zst",
    ".json",
    ".json.gz",
    ".json.zst",
    ".ndjson",
    ".ndjson.gz",
    ".ndjson.zst",
];

/// Web archives, read as one document per HTML response (see [`crate::warc_docs`]).
pub const WARC_EXTENSIONS: [&str; 7] = [
    ".warc",
    ".warc.gz",
    ".arc",
    ".arc.gz",
    ".wet",
    ".wet.gz",
    ".warc.wet.gz",
];

/// Saved web pages, read as one document per file.
pub const HTML_EXTENSIONS: [&str; 4] = [".html", ".htm", ".html.gz", ".htm.gz"];

/// True when `name` is a saved web page (by its extension).
pub fn is_html_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    HTML_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Parquet files (read by row groups, one document per row).
pub const PARQUET_EXTENSIONS: [&str; 1] = [".parquet"];

/// True when `name` is a Parquet file (by its extension).
pub fn is_parquet(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".parquet")
}

/// Every input file name a run accepts when searching a directory: JSON Lines, web archives,
/// saved pages and Parquet.
pub fn input_extensions() -> Vec<&'static str> {
    JSONL_EXTENSIONS
        .iter()
        .chain(&WARC_EXTENSIONS)
        .chain(&HTML_EXTENSIONS)
        .chain(&PARQUET_EXTENSIONS)
        .copied()
        .collect()
}

/// True when `name` is a web archive (by its extension).
pub fn is_web_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    WARC_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Expands `patterns` (resolved against `base`) into the sorted, deduplicated file list.
pub fn expand_inputs(
    patterns: &[String],
    base: &Path,
    extensions: &[&str],
) -> Result<Vec<InputFile>, InputError> {
    let mut files = Vec::new();
    for pattern in patterns {
        if is_remote(pattern) {
            expand_remote(pattern, extensions, &mut files)?;
            continue;
        }
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let name_of = |path: &Path| -> String {
            let shown = path.strip_prefix(base).unwrap_or(path);
            shown.to_string_lossy().replace('\\', "/")
        };
        if pattern.contains(['*', '?', '[']) {
            let matches = glob::glob(&full.to_string_lossy()).map_err(|e| InputError::BadGlob {
                pattern: pattern.clone(),
                message: e.to_string(),
            })?;
            let before = files.len();
            for entry in matches {
                let path = entry.map_err(|e| InputError::Io {
                    path: e.path().to_string_lossy().into_owned(),
                    source: e.into(),
                })?;
                if path.is_file() {
                    files.push(InputFile {
                        name: name_of(&path),
                        relative: file_name(&path),
                        size: size_of(&path),
                        path,
                    });
                }
            }
            if files.len() == before {
                return Err(InputError::NoMatch(pattern.clone()));
            }
        } else if full.is_dir() {
            walk(&full, extensions, &mut |path| {
                let relative = path.strip_prefix(&full).unwrap_or(&path);
                files.push(InputFile {
                    name: name_of(&path),
                    relative: relative.to_string_lossy().replace('\\', "/"),
                    size: size_of(&path),
                    path,
                })
            })?;
        } else if full.is_file() {
            files.push(InputFile {
                name: name_of(&full),
                relative: file_name(&full),
                size: size_of(&full),
                path: full,
            });
        } else {
            return Err(InputError::Missing(pattern.clone()));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn size_of(path: &Path) -> u64 {
    fs::metadata(path).map_or(0, |m| m.len())
}

/// The objects an object-store input names: the object itself, every object below it taken as
/// a directory (accepted extensions, no hidden names), or the matches of a glob in its key.
fn expand_remote(
    pattern: &str,
    extensions: &[&str],
    files: &mut Vec<InputFile>,
) -> Result<(), InputError> {
    let io = |source| InputError::Io {
        path: pattern.to_owned(),
        source,
    };
    let remote = |url: &str, relative: &str, size| InputFile {
        name: url.to_owned(),
        path: PathBuf::from(url),
        relative: relative.to_owned(),
        size,
    };
    let object = Object::parse(pattern).map_err(io)?;
    let before = files.len();
    if let Some(glob_at) = object.key.find(['*', '?', '[']) {
        let matcher = glob::Pattern::new(&object.key).map_err(|e| InputError::BadGlob {
            pattern: pattern.to_owned(),
            message: e.to_string(),
        })?;
        // List below the last `/` before the first wildcard.
        let dir = object.key[..glob_at]
            .rfind('/')
            .map_or("", |i| &object.key[..i]);
        let base = Object {
            bucket: object.bucket.clone(),
            key: dir.to_owned(),
        };
        for (relative, size) in base.list().map_err(io)? {
            let child = base.child(&relative);
            if matcher.matches(&child.key) {
                let name = relative.rsplit('/').next().unwrap_or(&relative).to_owned();
                files.push(remote(&child.url(), &name, size));
            }
        }
        if files.len() == before {
            return Err(InputError::NoMatch(pattern.to_owned()));
        }
        return Ok(());
    }
    if let Some(size) = object.size().map_err(io)? {
        let name = object.key.rsplit('/').next().unwrap_or_default().to_owned();
        files.push(remote(&object.url(), &name, size));
        return Ok(());
    }
    let listed = object.list().map_err(io)?;
    if listed.is_empty() {
        return Err(InputError::Missing(pattern.to_owned()));
    }
    for (relative, size) in listed {
        let hidden = relative.split('/').any(|part| part.starts_with('.'));
        if !hidden && extensions.iter().any(|ext| relative.ends_with(ext)) {
            files.push(remote(&object.child(&relative).url(), &relative, size));
        }
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn walk(dir: &Path, extensions: &[&str], found: &mut dyn FnMut(PathBuf)) -> Result<(), InputError> {
    let io = |source| InputError::Io {
        path: dir.to_string_lossy().into_owned(),
        source,
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, extensions, found)?;
        } else if extensions.iter().any(|ext| name.ends_with(ext)) {
            found(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_directories_and_globs_give_one_sorted_list() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "a/2.jsonl",
            "a/1.jsonl.zst",
            "a/.hidden.jsonl",
            "a/notes.txt",
            "b/x.jsonl.gz",
            "c.jsonl",
        ] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        let patterns = [
            "a".to_string(),
            "b/*.gz".to_string(),
            "c.jsonl".to_string(),
            "a/2.jsonl".to_string(),
        ];
        let files = expand_inputs(&patterns, root, &JSONL_EXTENSIONS).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["a/1.jsonl.zst", "a/2.jsonl", "b/x.jsonl.gz", "c.jsonl"]
        );
    }

    #[test]
    fn missing_paths_and_empty_globs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            expand_inputs(&["nope.jsonl".into()], dir.path(), &JSONL_EXTENSIONS),
            Err(InputError::Missing(_))
        ));
        assert!(matches!(
            expand_inputs(&["*.jsonl".into()], dir.path(), &JSONL_EXTENSIONS),
            Err(InputError::NoMatch(_))
        ));
    }
}
