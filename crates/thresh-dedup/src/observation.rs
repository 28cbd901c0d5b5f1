//! What a dedup step records about each document before the barrier: its record number, its
//! id, and its keys (one text hash, or one hash per MinHash band). Little-endian:
//! `record u64, id length u32, id bytes, key count u32, keys u64…`.

use std::io::{self, BufReader, Read};
use std::path::Path;

/// Appends one observation to `out`.
pub fn write(out: &mut Vec<u8>, record: u64, id: &str, keys: &[u64]) {
    out.extend_from_slice(&record.to_le_bytes());
    out.extend_from_slice(&(id.len() as u32).to_le_bytes());
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for key in keys {
        out.extend_from_slice(&key.to_le_bytes());
    }
}

/// One observation read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// The document's record number in its work unit ([`thresh_core::Origin::record`]).
    pub record: u64,
    /// The document's id.
    pub id: String,
    /// Its keys (none when the document had nothing to hash, e.g. fewer words than a shingle).
    pub keys: Vec<u64>,
}

/// Reads the observations of one work unit in order; a missing file has none.
pub fn read_all(path: &Path, mut f: impl FnMut(&Observation)) -> io::Result<()> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut obs = Observation::default();
    let mut word = [0u8; 8];
    loop {
        match r.read_exact(&mut word) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        obs.record = u64::from_le_bytes(word);
        let mut len = [0u8; 4];
        r.read_exact(&mut len)?;
        let mut id = vec![0u8; u32::from_le_bytes(len) as usize];
        r.read_exact(&mut id)?;
        obs.id = String::from_utf8(id)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "observation id"))?;
        let mut count = [0u8; 4];
        r.read_exact(&mut count)?;
        obs.keys.clear();
        for _ in 0..u32::from_le_bytes(count) {
            r.read_exact(&mut word)?;
            obs.keys.push(u64::from_le_bytes(word));
        }
        f(&obs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("obs.bin");
        let mut out = Vec::new();
        write(&mut out, 7, "doc-7", &[1, u64::MAX]);
        write(&mut out, 9, "", &[]);
        std::fs::write(&path, &out).unwrap();
        let mut got = Vec::new();
        read_all(&path, |o| got.push(o.clone())).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].record, got[0].id.as_str()), (7, "doc-7"));
        assert_eq!(got[0].keys, vec![1, u64::MAX]);
        assert_eq!((got[1].record, got[1].keys.len()), (9, 0));
        read_all(&dir.path().join("missing.bin"), |_| {
            panic!("no observations")
        })
        .unwrap();
    }
}
