//! A dedup step's decisions: per input file, the duplicates by record number, each with its
//! cluster and survivor; written at the barrier, loaded per file after it.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use thresh_core::BarrierWork;

/// What is known about one duplicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The cluster (the index, in input order, of its first document).
    pub cluster: u64,
    /// Documents in the cluster.
    pub size: u32,
    /// The id of the cluster's surviving document.
    pub survivor: String,
}

/// Writes one input file's decisions atomically: `record u64, cluster u64, size u32, id
/// length u32, id bytes` each.
pub fn write(path: &Path, dups: &[(u64, Duplicate)]) -> io::Result<()> {
    let mut out = Vec::new();
    for (record, dup) in dups {
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&dup.cluster.to_le_bytes());
        out.extend_from_slice(&dup.size.to_le_bytes());
        out.extend_from_slice(&(dup.survivor.len() as u32).to_le_bytes());
        out.extend_from_slice(dup.survivor.as_bytes());
    }
    write_bytes(path, &out)
}

/// Writes `bytes` to `path` atomically (temporary name, then rename).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// Reads one input file's duplicates, as [`write`] wrote them.
pub fn read(bytes: &[u8]) -> io::Result<HashMap<u64, Duplicate>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "truncated decisions");
    let mut map = HashMap::new();
    let mut rest = bytes;
    let mut take = |n: usize| -> io::Result<&[u8]> {
        if rest.len() < n {
            return Err(bad());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let u64_at = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes"));
    let mut consumed = 0;
    while consumed < bytes.len() {
        let record = u64_at(take(8)?);
        let cluster = u64_at(take(8)?);
        let size = u32_at(take(4)?);
        let len = u32_at(take(4)?) as usize;
        let survivor = String::from_utf8(take(len)?.to_vec()).map_err(|_| bad())?;
        consumed += 24 + len;
        map.insert(
            record,
            Duplicate {
                cluster,
                size,
                survivor,
            },
        );
    }
    Ok(map)
}

/// A step's decisions by input file and record, loaded per input file on first use (with
/// `decode`) and freed when released.
pub struct Decisions<T> {
    work: OnceLock<BarrierWork>,
    decode: fn(&[u8]) -> io::Result<HashMap<u64, T>>,
    files: RwLock<HashMap<u32, Arc<HashMap<u64, T>>>>,
}

impl<T: Clone> Decisions<T> {
    /// Decisions read with `decode`.
    pub fn new(decode: fn(&[u8]) -> io::Result<HashMap<u64, T>>) -> Self {
        Decisions {
            work: OnceLock::new(),
            decode,
            files: RwLock::new(HashMap::new()),
        }
    }

    /// Where the decisions are (called once after the barrier).
    pub fn open(&self, work: &BarrierWork) {
        let _ = self.work.set(work.clone());
    }

    /// The decision about record `record` of input file `file`, if there is one.
    pub fn lookup(&self, file: u32, record: u64) -> Result<Option<T>, String> {
        if let Some(map) = self.files.read().expect("not poisoned").get(&file) {
            return Ok(map.get(&record).cloned());
        }
        let work = self
            .work
            .get()
            .ok_or("the step ran before its barrier resolved")?;
        let path = work.decisions(file);
        let map = fs::read(&path)
            .and_then(|bytes| (self.decode)(&bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let map = Arc::new(map);
        let found = map.get(&record).cloned();
        self.files.write().expect("not poisoned").insert(file, map);
        Ok(found)
    }

    /// Frees the decisions of input file `file`.
    pub fn release(&self, file: u32) {
        self.files.write().expect("not poisoned").remove(&file);
    }
}
