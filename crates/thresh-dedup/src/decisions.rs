//! A dedup step's decisions: per work unit, the duplicates by record number, each with its
//! cluster and survivor (and, when the step keeps cluster sizes, the survivors themselves);
//! written at the barrier, loaded per file after it.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use thresh_core::{BarrierError, BarrierWork};

/// What is known about one duplicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The cluster (the index, in input order, of its first document).
    pub cluster: u64,
    /// Documents in the cluster.
    pub size: u32,
    /// The id of the cluster's surviving document.
    pub survivor: String,
    /// This is the survivor itself: it is kept, with its cluster's size.
    pub kept: bool,
}

/// The bit of the stored size that marks a survivor.
const KEPT: u32 = 1 << 31;

/// Writes one work unit's decisions atomically: `record u64, cluster u64, size u32 (its high
/// bit set for a survivor), id length u32, id bytes` each.
pub fn write(path: &Path, dups: &[(u64, Duplicate)]) -> io::Result<()> {
    let mut out = Vec::new();
    for (record, dup) in dups {
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&dup.cluster.to_le_bytes());
        let size = if dup.kept { dup.size | KEPT } else { dup.size };
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(dup.survivor.len() as u32).to_le_bytes());
        out.extend_from_slice(dup.survivor.as_bytes());
    }
    thresh_io::store::atomic::write_atomic(path, &out)
}

/// Little-endian fields read one after another from a decisions file.
pub(crate) struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Fields { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "truncated decisions",
            ));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("eight bytes"),
        ))
    }

    pub(crate) fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("four bytes"),
        ))
    }

    fn string(&mut self, len: usize) -> io::Result<String> {
        String::from_utf8(self.take(len)?.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "decisions: bad id"))
    }
}

/// Reads one work unit's duplicates, as [`write`] wrote them.
pub fn read(bytes: &[u8]) -> io::Result<HashMap<u64, Duplicate>> {
    let mut fields = Fields::new(bytes);
    let mut map = HashMap::new();
    while !fields.is_empty() {
        let record = fields.u64()?;
        let cluster = fields.u64()?;
        let stored = fields.u32()?;
        let len = fields.u32()? as usize;
        let survivor = fields.string(len)?;
        map.insert(
            record,
            Duplicate {
                cluster,
                size: stored & !KEPT,
                survivor,
                kept: stored & KEPT != 0,
            },
        );
    }
    Ok(map)
}

/// A step's decisions by work unit and record, loaded per unit on first use (with
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

    /// Where the decisions are (called once after the barrier; a step's `Barrier::open`).
    pub fn open(&self, work: &BarrierWork) -> Result<(), BarrierError> {
        let _ = self.work.set(work.clone());
        Ok(())
    }

    /// The decision about record `record` of work unit `file`, if there is one.
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

    /// Frees the decisions of work unit `file`.
    pub fn release(&self, file: u32) {
        self.files.write().expect("not poisoned").remove(&file);
    }
}
