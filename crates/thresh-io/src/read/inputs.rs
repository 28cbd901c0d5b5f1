//! Input paths → a sorted list of input files.
//!
//! Each configured path is a file, a directory (searched recursively for files whose names
//! end in an accepted extension, hidden files skipped) or a glob (`data/*.jsonl.zst`,
//! `crawl/**/*.gz`). Relative paths are resolved against a base directory (the pipeline
//! file's). The result is sorted by name and free of duplicates, so every machine sees the
//! same list and the same file indices. An object-store path (`s3://bucket/prefix`, see
//! [`crate::store::remote`]) is listed the same way: one object, every object below a prefix, or a glob.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::store::remote::{is_remote, Object};

/// The paths a listing names (`paths_file`, as Common Crawl publishes them: `warc.paths.gz`,
/// one path per line, plain or compressed, a local file relative to `base` or an object-store
/// or `https://` URL), each joined to `base_url` when one is given
/// (`s3://commoncrawl/` + `crawl-data/…`). Blank lines and lines starting with `#` are skipped.
pub fn listed_paths(
    paths_file: &str,
    base: &Path,
    base_url: Option<&str>,
) -> Result<Vec<String>, InputError> {
    let io = |source| InputError::Io {
        path: paths_file.to_owned(),
        source,
    };
    let bytes = if is_remote(paths_file) {
        Object::parse(paths_file)
            .and_then(|o| o.read())
            .map_err(io)?
    } else {
        fs::read(base.join(paths_file)).map_err(io)?
    };
    let (mut reader, _) =
        crate::compression::decompress(std::io::Cursor::new(bytes), Path::new(paths_file))
            .map_err(io)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut reader, &mut text).map_err(io)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| match base_url {
            Some(url) => format!(
                "{}/{}",
                url.trim_end_matches('/'),
                line.trim_start_matches('/')
            ),
            None => line.to_owned(),
        })
        .collect())
}

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

/// Web archives, read as one document per HTML response (see [`crate::read::warc_docs`]).
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
///
/// Links are followed, but no directory is entered twice (by device and inode: a link to a
/// parent, `in/loop/up -> ..`, is not a loop) and no file is listed twice (a file reached
/// through a link, a second directory or a second pattern keeps the first of its names).
pub fn expand_inputs(
    patterns: &[String],
    base: &Path,
    extensions: &[&str],
) -> Result<Vec<InputFile>, InputError> {
    let mut files = Vec::new();
    for pattern in patterns {
        // Per pattern: each pattern sees every directory once (files are deduplicated after).
        let mut walker = Walker::default();
        if is_remote(pattern) {
            let mut objects = Vec::new();
            expand_remote(pattern, extensions, &mut objects)?;
            files.extend(objects.into_iter().map(|f| (f, None)));
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
            let before = files.len();
            walker.glob(pattern, &full, &mut |path, size, key| {
                files.push((
                    InputFile {
                        name: name_of(&path),
                        relative: file_name(&path),
                        size,
                        path,
                    },
                    key,
                ))
            })?;
            if files.len() == before {
                return Err(InputError::NoMatch(pattern.clone()));
            }
        } else if full.is_dir() {
            walker.walk(&full, None, true, &mut |path, size, key| {
                if has_extension(&path, extensions) {
                    let relative = path.strip_prefix(&full).unwrap_or(&path);
                    files.push((
                        InputFile {
                            name: name_of(&path),
                            relative: relative.to_string_lossy().replace('\\', "/"),
                            size,
                            path,
                        },
                        key,
                    ))
                }
            })?;
        } else if let Some(meta) = fs::metadata(&full).ok().filter(|m| m.is_file()) {
            let key = FileKey::of(&full, &meta);
            files.push((
                InputFile {
                    name: name_of(&full),
                    relative: file_name(&full),
                    size: meta.len(),
                    path: full,
                },
                key,
            ));
        } else {
            return Err(InputError::Missing(pattern.clone()));
        }
    }
    files.sort();
    // One name per file: the first in name order.
    let mut seen = HashSet::new();
    files.retain(|(_, key)| key.as_ref().is_none_or(|k| seen.insert(k.clone())));
    let mut files: Vec<InputFile> = files.into_iter().map(|(f, _)| f).collect();
    files.dedup();
    Ok(files)
}

/// What identifies a file or directory whatever the path it is reached by: device and inode
/// where the system has them, else the canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum FileKey {
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

impl FileKey {
    fn of(path: &Path, meta: &fs::Metadata) -> Option<FileKey> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            Some(FileKey::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            fs::canonicalize(path).ok().map(FileKey::Path)
        }
    }
}

/// A directory walk that follows links but enters no directory twice.
#[derive(Default)]
struct Walker {
    entered: HashSet<FileKey>,
}

impl Walker {
    /// Calls `found(path, size, key)` for every file below `dir` (sorted by name, directories
    /// in place), at most `depth` levels down when given, skipping names that start with `.`
    /// when `skip_hidden`.
    fn walk(
        &mut self,
        dir: &Path,
        depth: Option<usize>,
        skip_hidden: bool,
        found: &mut dyn FnMut(PathBuf, u64, Option<FileKey>),
    ) -> Result<(), InputError> {
        let io = |source| InputError::Io {
            path: dir.to_string_lossy().into_owned(),
            source,
        };
        let meta = fs::metadata(dir).map_err(io)?;
        if let Some(key) = FileKey::of(dir, &meta) {
            if !self.entered.insert(key) {
                return Ok(());
            }
        }
        let mut entries: Vec<_> = fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if skip_hidden && entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // Follows a link; a dangling one is no input.
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if depth != Some(0) {
                    self.walk(&path, depth.map(|d| d - 1), skip_hidden, found)?;
                }
            } else if meta.is_file() && depth.is_none_or(|d| d == 0) {
                let key = FileKey::of(&path, &meta);
                found(path, meta.len(), key);
            }
        }
        Ok(())
    }

    /// The files matching the glob `full` (the `pattern` as given, resolved): the directory
    /// before its first wildcard is walked (as deep as the pattern reaches; everywhere below
    /// for `**`), and paths are matched as `glob` matches them, `*` within one component.
    fn glob(
        &mut self,
        pattern: &str,
        full: &Path,
        found: &mut dyn FnMut(PathBuf, u64, Option<FileKey>),
    ) -> Result<(), InputError> {
        let bad = |message: String| InputError::BadGlob {
            pattern: pattern.to_owned(),
            message,
        };
        let text = full.to_string_lossy().into_owned();
        let matcher = glob::Pattern::new(&text).map_err(|e| bad(e.to_string()))?;
        let components: Vec<_> = full.components().collect();
        let first_wild = components
            .iter()
            .position(|c| c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
            .ok_or_else(|| bad("no wildcard".into()))?;
        let root: PathBuf = components[..first_wild].iter().collect();
        let rest = &components[first_wild..];
        let depth = (!rest.iter().any(|c| c.as_os_str() == "**")).then(|| rest.len() - 1);
        if !root.is_dir() {
            return Ok(());
        }
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..glob::MatchOptions::new()
        };
        self.walk(&root, depth, false, &mut |path, size, key| {
            if matcher.matches_path_with(&path, options) {
                found(path, size, key);
            }
        })
    }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    extensions.iter().any(|ext| name.ends_with(ext))
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

#[cfg(test)]
mod tests {
    #[test]
    fn listings_are_read_plain_or_compressed_and_joined_to_the_base_url() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let text = "# CC-MAIN-2024-10\ncrawl-data/a.warc.gz\n\n  /crawl-data/b.warc.gz  \n";
        std::fs::write(dir.path().join("warc.paths"), text).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        std::fs::write(dir.path().join("warc.paths.gz"), gz.finish().unwrap()).unwrap();
        for name in ["warc.paths", "warc.paths.gz"] {
            assert_eq!(
                super::listed_paths(name, dir.path(), Some("s3://commoncrawl/")).unwrap(),
                [
                    "s3://commoncrawl/crawl-data/a.warc.gz",
                    "s3://commoncrawl/crawl-data/b.warc.gz"
                ]
            );
            assert_eq!(
                super::listed_paths(name, dir.path(), None).unwrap(),
                ["crawl-data/a.warc.gz", "/crawl-data/b.warc.gz"]
            );
        }
        assert!(super::listed_paths("absent.paths", dir.path(), None).is_err());
    }

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

    #[cfg(unix)]
    #[test]
    fn links_are_followed_but_nothing_is_read_twice() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["in/a.jsonl", "in/sub/b.jsonl", "other/c.jsonl"] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "{}").unwrap();
        }
        // A loop to the parent, a second way into `sub`, a link to a file already listed,
        // a link out of the tree, and a dangling link.
        symlink("..", root.join("in/sub/up")).unwrap();
        symlink("sub", root.join("in/again")).unwrap();
        symlink("a.jsonl", root.join("in/z-link.jsonl")).unwrap();
        symlink("../other", root.join("in/outside")).unwrap();
        symlink("nowhere.jsonl", root.join("in/dangling.jsonl")).unwrap();
        let names = |patterns: &[&str]| -> Vec<String> {
            let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
            expand_inputs(&patterns, root, &JSONL_EXTENSIONS)
                .unwrap()
                .into_iter()
                .map(|f| f.name)
                .collect()
        };
        // `in/again/b.jsonl` sorts before `in/sub/b.jsonl` and is the name kept.
        let expected = ["in/a.jsonl", "in/again/b.jsonl", "in/outside/c.jsonl"];
        assert_eq!(names(&["in"]), expected);
        assert_eq!(names(&["in/**/*.jsonl"]), expected);
        assert_eq!(names(&["in", "in/**/*.jsonl", "in/a.jsonl"]), expected);
        assert_eq!(names(&["in/*.jsonl"]), ["in/a.jsonl"]);
        assert_eq!(names(&["in/*/b.jsonl"]), ["in/again/b.jsonl"]);
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
