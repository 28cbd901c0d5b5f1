//! The output directory: where shards, errors, stats and run state live, and how a run claims,
//! resumes or refuses a directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thresh_core::Stats;
use thresh_io::atomic::{remove_if_exists, temp_path, write_atomic};
use thresh_io::shards::remove_shards;

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

/// What a finished input file contributed; written as its completion marker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileRecord {
    /// The input file's name.
    pub name: String,
    /// Its accounting.
    pub stats: Stats,
}

/// Paths inside an output directory.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

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

/// The shard-name prefix of input file `index`.
pub fn file_prefix(index: u32) -> String {
    format!("{index:05}")
}

impl Layout {
    /// The layout of the directory `root`.
    pub fn new(root: PathBuf) -> Self {
        Layout { root }
    }
    /// The output directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `kept/`.
    pub fn kept_dir(&self) -> PathBuf {
        self.root.join("kept")
    }
    /// `dropped/`.
    pub fn dropped_dir(&self) -> PathBuf {
        self.root.join("dropped")
    }
    /// `stats.json`.
    pub fn stats_path(&self) -> PathBuf {
        self.root.join("stats.json")
    }
    /// The stats of rank `rank` of `world_size` (`ranks/rank-00003-of-00004.json`).
    pub fn rank_stats_path(&self, rank: u32, world_size: u32) -> PathBuf {
        self.ranks_dir()
            .join(format!("rank-{rank:05}-of-{world_size:05}.json"))
    }
    /// `slurm/`: the job scripts `thresh slurm` writes for this output.
    pub fn slurm_dir(&self) -> PathBuf {
        self.root.join("slurm")
    }
    /// `ranks/`: one stats file per rank of a sharded run.
    pub fn ranks_dir(&self) -> PathBuf {
        self.root.join("ranks")
    }
    /// `errors.jsonl`.
    pub fn errors_path(&self) -> PathBuf {
        self.root.join("errors.jsonl")
    }
    fn state_dir(&self) -> PathBuf {
        self.root.join(".thresh")
    }
    fn manifest_path(&self) -> PathBuf {
        self.state_dir().join("run.json")
    }
    /// Completion marker of input file `index` (for the last pass of the pipeline).
    pub fn done_path(&self, index: u32) -> PathBuf {
        self.state_dir()
            .join("done")
            .join(format!("{}.json", file_prefix(index)))
    }

    /// Completion marker of input file `index` in pass `pass`; `last` for the final pass.
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

    /// Documents of input file `index` set aside at the end of pass `pass` for the next one.
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

    /// The shard-name prefix of input file `index` in pass `pass` (dropped documents of
    /// later passes get their own names, so that redoing one pass never touches another's).
    pub fn pass_prefix(pass: usize, index: u32) -> String {
        if pass == 0 {
            file_prefix(index)
        } else {
            format!("p{pass}-{}", file_prefix(index))
        }
    }
    /// Error records of input file `index` (merged into `errors.jsonl` at the end).
    pub fn file_errors_path(&self, index: u32) -> PathBuf {
        self.state_dir()
            .join("errors")
            .join(format!("{}.jsonl", file_prefix(index)))
    }

    /// Claims the directory for a run with `manifest`: creates it, continues a run with the
    /// same fingerprint, wipes a previous run with `Overwrite`, and otherwise refuses.
    pub fn prepare(&self, manifest: &Manifest, mode: ResumeMode) -> Result<(), String> {
        let existing = fs::read(self.manifest_path()).ok();
        let same = existing
            .as_deref()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(bytes).ok())
            .is_some_and(|m| m.fingerprint == manifest.fingerprint);
        match mode {
            ResumeMode::Overwrite => self.wipe().map_err(|e| self.io_message(e))?,
            ResumeMode::Resume if same => return Ok(()),
            ResumeMode::Resume if existing.is_some() => {
                return Err(format!(
                    "output directory `{}` holds a run of a different pipeline or input; use --overwrite to replace it, or choose another [output] path",
                    self.root.display()
                ))
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
                ];
                let non_empty = fs::read_dir(&self.root)
                    .is_ok_and(|d| d.flatten().any(|e| !own.contains(&e.path())));
                if non_empty {
                    return Err(format!(
                        "output directory `{}` exists and is not a thresh output; use --overwrite to replace its contents, or choose another [output] path",
                        self.root.display()
                    ));
                }
            }
        }
        let bytes = serde_json::to_vec_pretty(manifest).expect("manifest serializes");
        write_atomic(&self.manifest_path(), &bytes).map_err(|e| self.io_message(e))
    }

    fn io_message(&self, e: io::Error) -> String {
        format!("output directory `{}`: {e}", self.root.display())
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

    /// The completion record of input file `index`, if it was finished.
    pub fn completed(&self, index: u32) -> Option<FileRecord> {
        Self::read_record(&self.done_path(index))
    }

    /// The completion record of input file `index` in pass `pass`, if that pass finished it.
    pub fn pass_completed(&self, pass: usize, last: bool, index: u32) -> Option<FileRecord> {
        Self::read_record(&self.pass_done_path(pass, last, index))
    }

    fn read_record(path: &Path) -> Option<FileRecord> {
        let bytes = fs::read(path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Removes whatever an unfinished attempt at input file `index` left behind: its shards,
    /// its error records, and half-written temporary files of either or of its marker.
    pub fn reset_file(&self, index: u32) -> io::Result<()> {
        self.reset_pass_file(0, true, index)
    }

    /// [`Layout::reset_file`] for pass `pass` (`last`: the final pass, which writes `kept/`;
    /// pass 0 reads the input and records its errors).
    pub fn reset_pass_file(&self, pass: usize, last: bool, index: u32) -> io::Result<()> {
        let prefix = Self::pass_prefix(pass, index);
        if last {
            remove_shards(&self.kept_dir(), &file_prefix(index))?;
        } else {
            remove_shards(&self.stage_dir(pass), &file_prefix(index))?;
        }
        remove_shards(&self.dropped_dir(), &prefix)?;
        let mut paths = vec![temp_path(&self.pass_done_path(pass, last, index))];
        if pass == 0 {
            let errors = self.file_errors_path(index);
            paths.extend([temp_path(&errors), errors]);
        }
        for path in paths {
            remove_if_exists(&path)?;
        }
        Ok(())
    }

    /// Marks input file `index` finished (after its shards and errors are in place).
    pub fn mark_done(&self, index: u32, record: &FileRecord) -> io::Result<()> {
        self.mark_pass_done(0, true, index, record)
    }

    /// Marks input file `index` finished in pass `pass`.
    pub fn mark_pass_done(
        &self,
        pass: usize,
        last: bool,
        index: u32,
        record: &FileRecord,
    ) -> io::Result<()> {
        let bytes = serde_json::to_vec(record).expect("record serializes");
        write_atomic(&self.pass_done_path(pass, last, index), &bytes)
    }
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
            .mark_done(
                0,
                &FileRecord {
                    name: "a".into(),
                    stats: Stats::default(),
                },
            )
            .unwrap();
        layout.prepare(&manifest("1"), ResumeMode::Resume).unwrap();
        assert!(layout.completed(0).is_some());
        let err = layout
            .prepare(&manifest("2"), ResumeMode::Resume)
            .unwrap_err();
        assert!(err.contains("--overwrite"), "{err}");
        layout
            .prepare(&manifest("2"), ResumeMode::Overwrite)
            .unwrap();
        assert!(layout.completed(0).is_none());
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
