//! The output directory: where shards, errors, stats and run state live, and how a run claims,
//! resumes or refuses a directory.
//!
//! An output on object storage (`s3://bucket/prefix`) is written through a local scratch
//! directory with the same layout: every finished file is uploaded to the same relative key
//! (and its local copy removed) before the completion marker that vouches for it, so the
//! bucket holds the run's state exactly as a local output would, and any machine can resume
//! or continue it. What a task needs from other tasks (markers, set-aside documents, barrier
//! observations and decisions, per-file errors, rank stats) is downloaded when it needs it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thresh_core::Stats;
use thresh_io::store::atomic::remove_if_exists;
use thresh_io::store::mirror::Mirror;
use thresh_io::store::remote::Object;
use thresh_io::write::remove_unit_files;

/// What to do with an output directory that already holds a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResumeMode {
    /// Continue a run of the same pipeline on the same input (skipping finished input files);
    /// refuse a directory holding anything else. The default.
    #[default]
    Resume,
    /// Delete the previous run's output and start again.
    Overwrite,
}

/// The identity of a run: same pipeline file and same input list ⇒ same fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Hash of the canonical pipeline file and the input list with sizes.
    pub fingerprint: String,
    /// The input files, by index.
    pub files: Vec<String>,
}

/// What a finished work unit contributed; written as its completion marker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileRecord {
    /// The name of the unit's first input file.
    pub name: String,
    /// The unit's input files by index, in order (empty in markers written before work units:
    /// the one file the marker is named by).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<u32>,
    /// Its accounting.
    pub stats: Stats,
}

/// Paths inside an output directory.
#[derive(Clone, Debug)]
pub struct Layout {
    store: Mirror,
}

/// The lock file at the top of a local output (outside `.thresh`, which `--overwrite` wipes).
const LOCK_FILE: &str = ".thresh.lock";

/// The names of thresh's own entries at the top of an output.
const OWN_ENTRIES: [&str; 8] = [
    "kept",
    "dropped",
    "ranks",
    "slurm",
    ".thresh",
    "stats.json",
    "errors.jsonl",
    LOCK_FILE,
];

/// `name` as a file or directory name: ASCII letters, digits, `-` and `_`, anything else `_`.
pub fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The shard-name prefix of work unit `index` (the index of its first input file).
pub fn file_prefix(index: u32) -> String {
    format!("{index:05}")
}

impl Layout {
    /// The layout of the directory `root`.
    pub fn new(root: PathBuf) -> Self {
        Layout {
            store: Mirror::local(root),
        }
    }

    /// The layout of the output `location`: a directory (relative to `base`), or an
    /// object-store prefix (`s3://bucket/prefix`) worked on through a scratch directory of
    /// this process ([`Mirror`]).
    pub fn open(location: &str, base: &Path) -> io::Result<Self> {
        Ok(Layout {
            store: Mirror::open(location, base)?,
        })
    }

    /// Where the output's files live: the directory, and the object store it stands for.
    pub fn store(&self) -> &Mirror {
        &self.store
    }

    /// The output directory (for an object-store output, the local scratch directory).
    pub fn root(&self) -> &Path {
        self.store.root()
    }

    /// The output as the user named it: the directory, or the object-store URL.
    pub fn name(&self) -> String {
        self.store.name()
    }

    /// Downloads the run's state that other tasks may have written: completion markers and
    /// resolved barriers. Nothing to do for a local output.
    pub fn pull_state(&self) -> io::Result<()> {
        if self.store.prefix().is_none() {
            return Ok(());
        }
        self.store.pull_dir(&self.state_dir().join("done"))?;
        let barriers = self.state_dir().join("barrier");
        match self.store.object(&barriers) {
            Some(object) => {
                let resolved: Vec<String> = object
                    .list()?
                    .into_iter()
                    .map(|(relative, _)| relative)
                    .filter(|r| r.ends_with("/resolved.json") && !barriers.join(r).exists())
                    .collect();
                object.download_all(&resolved, &barriers)
            }
            None => Ok(()),
        }
    }

    /// `kept/`.
    pub fn kept_dir(&self) -> PathBuf {
        self.root().join("kept")
    }
    /// `dropped/`.
    pub fn dropped_dir(&self) -> PathBuf {
        self.root().join("dropped")
    }
    /// `stats.json`.
    pub fn stats_path(&self) -> PathBuf {
        self.root().join("stats.json")
    }
    /// The stats of rank `rank` of `world_size` (`ranks/rank-00003-of-00004.json`).
    pub fn rank_stats_path(&self, rank: u32, world_size: u32) -> PathBuf {
        self.ranks_dir()
            .join(format!("rank-{rank:05}-of-{world_size:05}.json"))
    }
    /// `slurm/`: the job scripts `thresh slurm` writes for this output.
    pub fn slurm_dir(&self) -> PathBuf {
        self.root().join("slurm")
    }
    /// `ranks/`: one stats file per rank of a sharded run.
    pub fn ranks_dir(&self) -> PathBuf {
        self.root().join("ranks")
    }
    /// `errors.jsonl`.
    pub fn errors_path(&self) -> PathBuf {
        self.root().join("errors.jsonl")
    }
    fn state_dir(&self) -> PathBuf {
        self.root().join(".thresh")
    }
    fn manifest_path(&self) -> PathBuf {
        self.state_dir().join("run.json")
    }
    /// Completion marker of work unit `index` (for the last pass of the pipeline).
    pub fn done_path(&self, index: u32) -> PathBuf {
        self.state_dir()
            .join("done")
            .join(format!("{}.json", file_prefix(index)))
    }

    /// Completion marker of work unit `index` in pass `pass`; `last` for the final pass.
    pub fn pass_done_path(&self, pass: usize, last: bool, index: u32) -> PathBuf {
        if last {
            self.done_path(index)
        } else {
            self.state_dir()
                .join("done")
                .join(format!("pass{pass}"))
                .join(format!("{}.json", file_prefix(index)))
        }
    }

    /// Documents set aside at the end of pass `pass` for the next one (by work unit).
    pub fn stage_dir(&self, pass: usize) -> PathBuf {
        self.stage_root().join(format!("pass{pass}"))
    }

    /// Where every pass sets documents aside (removed when the run completes).
    pub fn stage_root(&self) -> PathBuf {
        self.state_dir().join("stage")
    }

    /// The working directory of barrier step `name`.
    pub fn barrier_dir(&self, name: &str) -> PathBuf {
        self.state_dir().join("barrier").join(safe_name(name))
    }

    /// The marker written once barrier step `name` has resolved (its summary).
    pub fn resolved_path(&self, name: &str) -> PathBuf {
        self.barrier_dir(name).join("resolved.json")
    }

    /// The shard-name prefix of work unit `index` in pass `pass` (dropped documents of
    /// later passes get their own names, so that redoing one pass never touches another's).
    pub fn pass_prefix(pass: usize, index: u32) -> String {
        if pass == 0 {
            file_prefix(index)
        } else {
            format!("p{pass}-{}", file_prefix(index))
        }
    }
    /// Error records of work unit `index` (merged into `errors.jsonl` at the end).
    pub fn file_errors_path(&self, index: u32) -> PathBuf {
        self.file_errors_dir()
            .join(format!("{}.jsonl", file_prefix(index)))
    }

    /// The directory of the per-file error records.
    pub fn file_errors_dir(&self) -> PathBuf {
        self.state_dir().join("errors")
    }

    /// Claims the directory for a run with `manifest`: creates it, continues a run with the
    /// same fingerprint, wipes a previous run with `Overwrite`, and otherwise refuses.
    pub fn prepare(&self, manifest: &Manifest, mode: ResumeMode) -> Result<(), ClaimError> {
        if let Some(prefix) = self.store.prefix() {
            self.prepare_remote(prefix, mode)
                .map_err(|e| self.claim_io(e))?;
        }
        let existing = fs::read(self.manifest_path()).ok();
        let same = existing
            .as_deref()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(bytes).ok())
            .is_some_and(|m| m.fingerprint == manifest.fingerprint);
        match mode {
            ResumeMode::Overwrite => self.wipe().map_err(|e| self.claim_io(e))?,
            ResumeMode::Resume if same => return Ok(()),
            ResumeMode::Resume if existing.is_some() => {
                return Err(ClaimError::OtherRun {
                    output: self.name(),
                })
            }
            ResumeMode::Resume => {
                // What thresh itself makes does not count: the job scripts of this very run
                // (`thresh slurm`), and what other rank tasks of it, starting at the same
                // moment, have begun to create before their manifest landed.
                let own = [
                    self.slurm_dir(),
                    self.state_dir(),
                    self.kept_dir(),
                    self.dropped_dir(),
                    self.ranks_dir(),
                    self.root().join(LOCK_FILE),
                ];
                let non_empty = fs::read_dir(self.root())
                    .is_ok_and(|d| d.flatten().any(|e| !own.contains(&e.path())));
                if non_empty {
                    return Err(ClaimError::NotThresh {
                        output: self.name(),
                    });
                }
            }
        }
        let bytes = serde_json::to_vec_pretty(manifest).expect("manifest serializes");
        self.store
            .write(&self.manifest_path(), &bytes)
            .map_err(|e| self.claim_io(e))
    }

    /// The object-store side of [`Layout::prepare`]: with `Overwrite`, deletes thresh's own
    /// objects under the prefix; otherwise fetches the manifest, and refuses a prefix holding
    /// anything else when there is none.
    fn prepare_remote(&self, prefix: &Object, mode: ResumeMode) -> io::Result<()> {
        if mode == ResumeMode::Overwrite {
            let own: Vec<String> = prefix
                .list()?
                .into_iter()
                .map(|(relative, _)| relative)
                .filter(|relative| OWN_ENTRIES.contains(&relative.split('/').next().unwrap_or("")))
                .collect();
            return prefix.delete_all(&own);
        }
        if self.store.pull(&self.manifest_path())? {
            return Ok(());
        }
        let foreign = prefix
            .entries()?
            .into_iter()
            .find(|name| !OWN_ENTRIES[..5].contains(&name.as_str()));
        match foreign {
            Some(name) => Err(io::Error::other(format!(
                "holds `{name}` and is not a thresh output; use --overwrite to replace thresh's entries in it, or choose another [output] path"
            ))),
            None => Ok(()),
        }
    }

    fn claim_io(&self, source: io::Error) -> ClaimError {
        ClaimError::Io {
            output: self.name(),
            source,
        }
    }

    fn wipe(&self) -> io::Result<()> {
        for dir in [
            self.kept_dir(),
            self.dropped_dir(),
            self.state_dir(),
            self.ranks_dir(),
        ] {
            match fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        for file in [self.stats_path(), self.errors_path()] {
            remove_if_exists(&file)?;
        }
        Ok(())
    }

    /// The completion markers of pass `pass` (`last`: the final pass), by unit id. A marker
    /// that cannot be read counts as not written (its unit is redone).
    pub fn done_records(&self, pass: usize, last: bool) -> io::Result<Vec<(u32, FileRecord)>> {
        let dir = self
            .pass_done_path(pass, last, 0)
            .parent()
            .expect("a marker has a directory")
            .to_path_buf();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut records = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(id) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let record = fs::read(entry.path())
                .ok()
                .and_then(|bytes| serde_json::from_slice::<FileRecord>(&bytes).ok());
            if let Some(mut record) = record {
                if record.files.is_empty() {
                    record.files.push(id);
                }
                records.push((id, record));
            }
        }
        records.sort_by_key(|(id, _)| *id);
        Ok(records)
    }

    /// Removes what unfinished attempts at pass `pass` left behind for the units `stale`
    /// names (by id): their shards and error records, complete or half-written, in one
    /// listing of each directory. On object storage, what
    /// an unfinished attempt uploaded is left to be overwritten: the same unit under the same
    /// fingerprint gives the same shards under the same keys, and no marker vouches for them
    /// meanwhile.
    pub fn sweep_unfinished(
        &self,
        pass: usize,
        last: bool,
        stale: &dyn Fn(u32) -> bool,
    ) -> io::Result<()> {
        let written = if last {
            self.kept_dir()
        } else {
            self.stage_dir(pass)
        };
        remove_unit_files(&written, "", stale)?;
        let dropped = if pass == 0 {
            String::new()
        } else {
            format!("p{pass}-")
        };
        remove_unit_files(&self.dropped_dir(), &dropped, stale)?;
        // A half-written marker is left: writing the marker again replaces it.
        if pass == 0 {
            remove_unit_files(&self.file_errors_dir(), "", stale)?;
        }
        Ok(())
    }

    /// Marks work unit `index` finished in pass `pass`.
    pub fn mark_pass_done(
        &self,
        pass: usize,
        last: bool,
        index: u32,
        record: &FileRecord,
    ) -> io::Result<()> {
        let bytes = serde_json::to_vec(record).expect("record serializes");
        self.store
            .write(&self.pass_done_path(pass, last, index), &bytes)
    }
}

/// Why an output cannot be claimed for a run (claiming it, or taking its lock).
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Reading or writing the output failed.
    #[error("output directory `{output}`: {source}")]
    Io {
        /// The output, as named.
        output: String,
        /// The error.
        source: io::Error,
    },
    /// The output holds a run of another pipeline or input.
    #[error("output directory `{output}` holds a run of a different pipeline or input; use --overwrite to replace it, or choose another [output] path")]
    OtherRun {
        /// The output, as named.
        output: String,
    },
    /// The output exists and holds files that are not a thresh output.
    #[error("output directory `{output}` exists and is not a thresh output; use --overwrite to replace its contents, or choose another [output] path")]
    NotThresh {
        /// The output, as named.
        output: String,
    },
    /// Another run holds the output's lock.
    #[error("output directory `{output}` is in use by another thresh run ({holder}); wait for it to end or choose another [output] path (rank tasks of one run share an output: give each --rank and --world-size)")]
    InUse {
        /// The output, as named.
        output: String,
        /// The other run: `pid N on host H`, or `process unknown`.
        holder: String,
    },
}

/// A claim on a local output for as long as it lives: exclusive for a whole run, shared by
/// the rank tasks of one run (which work on the same output at once). The kernel releases it
/// when the process ends, however it ends, so a killed run never blocks the next one.
#[derive(Debug)]
pub struct OutputLock {
    _file: Option<fs::File>,
}

impl Layout {
    /// Claims the output (see [`OutputLock`]); `shared` for a rank task or other part of a run.
    /// Refuses, naming the other process (host and pid), when another run holds it. An output
    /// on object storage, or a file system without locks, is not locked.
    pub fn lock(&self, shared: bool) -> Result<OutputLock, ClaimError> {
        if self.store.prefix().is_some() {
            return Ok(OutputLock { _file: None });
        }
        let path = self.root().join(LOCK_FILE);
        let open = || {
            fs::create_dir_all(self.root())?;
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
        };
        let mut file = open().map_err(|e| self.claim_io(e))?;
        let locked = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match locked {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                return Err(ClaimError::InUse {
                    output: self.name(),
                    holder: if holder.is_empty() {
                        "process unknown".into()
                    } else {
                        holder.into()
                    },
                });
            }
            // No locks on this file system (some network file systems): go on unlocked.
            Err(fs::TryLockError::Error(_)) => return Ok(OutputLock { _file: None }),
        }
        let me = format!(
            "pid {} on host {}",
            std::process::id(),
            hostname().unwrap_or_else(|| "unknown".into())
        );
        use std::io::{Seek, Write};
        let _ = file
            .set_len(0)
            .and_then(|_| file.seek(io::SeekFrom::Start(0)))
            .and_then(|_| file.write_all(me.as_bytes()));
        Ok(OutputLock { _file: Some(file) })
    }
}

/// This machine's name, where the system tells it.
fn hostname() -> Option<String> {
    let name = fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(fp: &str) -> Manifest {
        Manifest {
            fingerprint: fp.into(),
            files: vec!["a.jsonl".into()],
        }
    }

    #[test]
    fn resumes_same_run_refuses_others_and_overwrites_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().join("out"));
        layout.prepare(&manifest("1"), ResumeMode::Resume).unwrap();
        layout
            .mark_pass_done(
                0,
                true,
                3,
                &FileRecord {
                    name: "a".into(),
                    files: vec![3, 4],
                    stats: Stats::default(),
                },
            )
            .unwrap();
        // A marker written before work units: the one file it is named by.
        let old = serde_json::json!({"name": "b", "stats": Stats::default()});
        fs::write(layout.done_path(7), old.to_string()).unwrap();
        fs::write(layout.done_path(9), b"half a marker").unwrap();
        layout.prepare(&manifest("1"), ResumeMode::Resume).unwrap();
        let done = layout.done_records(0, true).unwrap();
        let files: Vec<(u32, Vec<u32>)> = done.into_iter().map(|(id, r)| (id, r.files)).collect();
        assert_eq!(files, [(3, vec![3, 4]), (7, vec![7])]);
        let err = layout
            .prepare(&manifest("2"), ResumeMode::Resume)
            .unwrap_err();
        assert!(matches!(err, ClaimError::OtherRun { .. }), "{err:?}");
        let err = err.to_string();
        assert!(err.contains("--overwrite"), "{err}");
        layout
            .prepare(&manifest("2"), ResumeMode::Overwrite)
            .unwrap();
        assert!(layout.done_records(0, true).unwrap().is_empty());
    }

    #[test]
    fn a_sweep_removes_only_what_unfinished_units_left() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().join("out"));
        layout.prepare(&manifest("1"), ResumeMode::Resume).unwrap();
        let touch = |path: PathBuf| {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        };
        for id in [0, 5] {
            touch(
                layout
                    .kept_dir()
                    .join("de")
                    .join(format!("{id:05}-0000.jsonl.zst")),
            );
            touch(layout.dropped_dir().join(format!("{id:05}-0000.jsonl.zst")));
            touch(
                layout
                    .dropped_dir()
                    .join(format!("p1-{id:05}-0000.jsonl.zst")),
            );
            touch(layout.file_errors_path(id));
        }
        // Pass 0 of a one-pass run: unit 5 is unfinished.
        layout.sweep_unfinished(0, true, &|id| id == 5).unwrap();
        assert!(layout.kept_dir().join("de/00000-0000.jsonl.zst").exists());
        assert!(!layout.kept_dir().join("de/00005-0000.jsonl.zst").exists());
        assert!(!layout.dropped_dir().join("00005-0000.jsonl.zst").exists());
        assert!(
            layout
                .dropped_dir()
                .join("p1-00005-0000.jsonl.zst")
                .exists(),
            "another pass's"
        );
        assert!(!layout.file_errors_path(5).exists() && layout.file_errors_path(0).exists());
        // Pass 1 (the last of two) leaves pass 0's dropped shards and errors alone.
        layout.sweep_unfinished(1, true, &|_| true).unwrap();
        assert!(!layout
            .dropped_dir()
            .join("p1-00000-0000.jsonl.zst")
            .exists());
        assert!(layout.dropped_dir().join("00000-0000.jsonl.zst").exists());
        assert!(layout.file_errors_path(0).exists());
    }

    #[test]
    fn one_run_at_a_time_but_rank_tasks_share_and_a_released_lock_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().join("out"));
        let first = layout.lock(false).unwrap();
        let err = layout.lock(false).unwrap_err();
        assert!(matches!(err, ClaimError::InUse { .. }), "{err:?}");
        let err = err.to_string();
        assert!(
            err.contains("in use by another thresh run")
                && err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(layout.lock(true).is_err());
        drop(first);
        let rank0 = layout.lock(true).unwrap();
        let _rank1 = layout.lock(true).unwrap();
        assert!(layout.lock(false).is_err());
        drop((rank0, _rank1));
        let _again = layout.lock(false).unwrap();
        // The lock file is thresh's own: the directory is still a fresh output.
        layout.prepare(&manifest("1"), ResumeMode::Resume).unwrap();
    }

    #[test]
    fn refuses_a_foreign_non_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "x").unwrap();
        let layout = Layout::new(dir.path().to_path_buf());
        assert!(layout.prepare(&manifest("1"), ResumeMode::Resume).is_err());
        assert!(dir.path().join("precious.txt").exists());
    }
}
