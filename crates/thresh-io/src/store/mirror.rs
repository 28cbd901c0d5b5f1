//! A directory that is either the output itself or, for an output on object storage
//! (`s3://bucket/prefix`), a scratch directory of this process standing in for it: every
//! finished file is uploaded to the same relative key (and its local copy removed), state
//! files are written here and uploaded, and what other tasks wrote is downloaded when needed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use super::atomic::write_atomic;
use super::remote::{is_remote, Object};

/// A local directory, mirrored to an object-store prefix when it stands for one.
#[derive(Clone, Debug)]
pub struct Mirror {
    root: PathBuf,
    remote: Option<Remote>,
}

/// The object-store prefix an output lives under, and the scratch directory standing in for it.
#[derive(Clone)]
struct Remote {
    prefix: Object,
    _scratch: Arc<Scratch>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.prefix.url())
    }
}

/// A process's scratch directory, removed with the last layout using it.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

impl Mirror {
    /// The local directory `root`, itself the output.
    pub fn local(root: PathBuf) -> Self {
        Mirror { root, remote: None }
    }

    /// The layout of the output `location`: a directory (relative to `base`), or an
    /// object-store prefix (`s3://bucket/prefix`) worked on through a scratch directory of
    /// this process in the temporary directory.
    pub fn open(location: &str, base: &Path) -> io::Result<Self> {
        if !is_remote(location) {
            return Ok(Mirror::local(base.join(location)));
        }
        let prefix = Object::parse(location)?;
        let parent = std::env::temp_dir().join("thresh-scratch");
        let tag = format!("{:016x}", xxh3_64(prefix.url().as_bytes()));
        remove_stale_scratch(&parent, &tag);
        // One per layout: a process may run several pipelines on the same output in turn (or,
        // from Python, at once).
        static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = parent.join(format!("{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root)?;
        Ok(Mirror {
            root: root.clone(),
            remote: Some(Remote {
                prefix,
                _scratch: Arc::new(Scratch(root)),
            }),
        })
    }

    /// The output directory (for an object-store output, the local scratch directory).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The output as the user named it: the directory, or the object-store URL.
    pub fn name(&self) -> String {
        match &self.remote {
            Some(remote) => remote.prefix.url(),
            None => self.root.display().to_string(),
        }
    }

    /// The object standing for the local `path` inside the output.
    pub fn object(&self, path: &Path) -> Option<Object> {
        let remote = self.remote.as_ref()?;
        let relative = path.strip_prefix(&self.root).ok()?;
        Some(
            remote
                .prefix
                .child(&relative.to_string_lossy().replace('\\', "/")),
        )
    }

    /// Uploads the finished files `paths` (inside the output) to object storage and removes
    /// the local copies; nothing to do for a local output.
    pub fn publish(&self, paths: &[PathBuf]) -> io::Result<()> {
        for path in paths {
            if let Some(object) = self.object(path) {
                object.upload(path)?;
                fs::remove_file(path)?;
            }
        }
        Ok(())
    }

    /// Writes the state file `path` (inside the output) atomically, and uploads it when the
    /// output is on object storage.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        write_atomic(path, bytes)?;
        self.push(path)
    }

    /// Uploads the file `path` (inside the output), keeping it; nothing to do locally.
    pub fn push(&self, path: &Path) -> io::Result<()> {
        match self.object(path) {
            Some(object) => object.upload(path),
            None => Ok(()),
        }
    }

    /// Downloads the object standing for `path` when the output is on object storage and the
    /// file is not here; true when the file is (now) here.
    pub fn pull(&self, path: &Path) -> io::Result<bool> {
        match self.object(path) {
            Some(object) if !path.exists() => object.download(path),
            _ => Ok(path.exists()),
        }
    }

    /// Downloads every object below the directory `dir` (inside the output) that is not here.
    pub fn pull_dir(&self, dir: &Path) -> io::Result<()> {
        let Some(object) = self.object(dir) else {
            return Ok(());
        };
        let missing: Vec<String> = object
            .list()?
            .into_iter()
            .map(|(relative, _)| relative)
            .filter(|relative| !relative.ends_with(".tmp") && !dir.join(relative).exists())
            .collect();
        object.download_all(&missing, dir)
    }

    /// Removes the directory `dir` (inside the output) here and on object storage.
    pub fn remove_dir(&self, dir: &Path) -> io::Result<()> {
        match fs::remove_dir_all(dir) {
            // Another rank completing at the same moment may be removing it too.
            Err(e)
                if !matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::DirectoryNotEmpty
                ) =>
            {
                return Err(e)
            }
            _ => {}
        }
        match self.object(dir) {
            Some(object) => {
                let all: Vec<String> = object.list()?.into_iter().map(|(r, _)| r).collect();
                object.delete_all(&all)
            }
            None => Ok(()),
        }
    }

    /// The object-store prefix the directory stands for, if any.
    pub fn prefix(&self) -> Option<&Object> {
        self.remote.as_ref().map(|r| &r.prefix)
    }
}

/// Removes the scratch directories of output `tag` left by processes that are gone (killed).
fn remove_stale_scratch(parent: &Path, tag: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(tag)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.split('-').next());
        if let Some(pid) = pid {
            // Only where a process's liveness can be seen (Linux's /proc).
            if cfg!(target_os = "linux") && !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn scratch_directories_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(format!("abc-{}-0", std::process::id()));
        // Above the kernel's pid_max (2^22): no process has it.
        let dead = dir.path().join("abc-99999999-3");
        let other_output = dir.path().join("abd-99999999-0");
        for d in [&ours, &dead, &other_output] {
            fs::create_dir_all(d).unwrap();
        }
        remove_stale_scratch(dir.path(), "abc");
        assert!(ours.exists() && other_output.exists());
        assert!(!dead.exists());
    }
}
