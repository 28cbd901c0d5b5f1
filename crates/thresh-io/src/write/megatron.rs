//! Token shards as Megatron-LM's indexed dataset (what datatrove's `MegatronDocumentTokenizer`
//! writes): `<unit>-0000.bin`, the ids back to back (`uint16`, or `int32` when the vocabulary
//! needs four bytes), and `<unit>-0000.idx`: the magic `MMIDIDX\0\0`, version 1 (`u64`), the
//! dtype code (`u8`: 8 for `uint16`, 4 for `int32`), the number of sequences (`u64`) and of
//! document indices (`u64`, one more), then each sequence's length (`i32`), each sequence's byte
//! offset in `.bin` (`i64`), and the document indices `0, 1, …, n` (`i64`: every document is
//! one sequence). Written under hidden temporary names and renamed once complete.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::tokens::token_bytes;
use super::{ShardSpec, Sink};
use crate::store::atomic::{temp_path, write_atomic};

/// The magic bytes of a Megatron `.idx` file.
pub const INDEX_MAGIC: &[u8; 9] = b"MMIDIDX\x00\x00";

/// Writes a work unit's kept documents as one Megatron `.bin` / `.idx` pair.
pub struct MegatronShards {
    spec: ShardSpec,
    token_size: usize,
    open: Option<(BufWriter<File>, PathBuf)>,
    lengths: Vec<u64>,
    bytes: Vec<u8>,
}

impl MegatronShards {
    /// A writer that has not created any file yet; `token_size` is 2 or 4.
    pub fn new(spec: ShardSpec, token_size: usize) -> Self {
        MegatronShards {
            spec,
            token_size,
            open: None,
            lengths: Vec::new(),
            bytes: Vec::new(),
        }
    }

    fn path(&self, ext: &str) -> PathBuf {
        self.spec
            .dir
            .join(format!("{}-0000.{ext}", self.spec.prefix))
    }

    /// The `.idx` file's bytes for sequences of `lengths` tokens of `token_size` bytes.
    pub fn index_bytes(lengths: &[u64], token_size: usize) -> Vec<u8> {
        let n = lengths.len() as u64;
        let mut out = Vec::with_capacity(34 + lengths.len() * 20 + 8);
        out.extend_from_slice(INDEX_MAGIC);
        out.extend_from_slice(&1u64.to_le_bytes());
        out.push(if token_size == 4 { 4 } else { 8 });
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(n + 1).to_le_bytes());
        for &len in lengths {
            out.extend_from_slice(&(len as i32).to_le_bytes());
        }
        let mut pointer = 0i64;
        for &len in lengths {
            out.extend_from_slice(&pointer.to_le_bytes());
            pointer += (len * token_size as u64) as i64;
        }
        for i in 0..=n as i64 {
            out.extend_from_slice(&i.to_le_bytes());
        }
        out
    }
}

impl Sink for MegatronShards {
    fn write_lines(&mut self, _: &[u8], ends: &[usize], _: Option<&[u8]>) -> io::Result<()> {
        super::tokens::refuse_lines(ends)
    }

    fn write_tokens(&mut self, ids: &[u32], ends: &[usize]) -> io::Result<()> {
        if ends.is_empty() {
            return Ok(());
        }
        if self.open.is_none() {
            fs::create_dir_all(&self.spec.dir)?;
            let tmp = temp_path(&self.path("bin"));
            self.open = Some((BufWriter::new(File::create(&tmp)?), tmp));
        }
        let (file, _) = self.open.as_mut().expect("just opened");
        self.bytes.clear();
        token_bytes(
            &ids[..*ends.last().expect("not empty")],
            self.token_size,
            &mut self.bytes,
        );
        file.write_all(&self.bytes)?;
        let mut start = 0;
        for &end in ends {
            self.lengths.push((end - start) as u64);
            start = end;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<Vec<PathBuf>> {
        let Some((file, tmp)) = self.open.take() else {
            return Ok(Vec::new());
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let idx = self.path("idx");
        write_atomic(&idx, &Self::index_bytes(&self.lengths, self.token_size))?;
        let bin = self.path("bin");
        fs::rename(tmp, &bin)?;
        Ok(vec![bin, idx])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_layout_by_hand() {
        // Two documents of 3 and 1 tokens, two bytes each.
        let idx = MegatronShards::index_bytes(&[3, 1], 2);
        let mut want = b"MMIDIDX\x00\x00".to_vec();
        want.extend_from_slice(&1u64.to_le_bytes());
        want.push(8);
        want.extend_from_slice(&2u64.to_le_bytes());
        want.extend_from_slice(&3u64.to_le_bytes());
        want.extend_from_slice(&3i32.to_le_bytes());
        want.extend_from_slice(&1i32.to_le_bytes());
        want.extend_from_slice(&0i64.to_le_bytes());
        want.extend_from_slice(&6i64.to_le_bytes());
        for i in 0..3i64 {
            want.extend_from_slice(&i.to_le_bytes());
        }
        assert_eq!(idx, want);
    }

    #[test]
    fn writes_bin_and_idx() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ShardSpec {
            dir: dir.path().to_path_buf(),
            prefix: "00002".into(),
            compression: crate::compression::Compression::None,
            level: None,
            max_docs: 0,
            max_bytes: 0,
        };
        let mut sink: Box<dyn Sink> = Box::new(MegatronShards::new(spec, 4));
        sink.write_tokens(&[70_000, 1, 2], &[1, 3]).unwrap();
        let files = sink.finish().unwrap();
        assert_eq!(files.len(), 2);
        let bin = fs::read(dir.path().join("00002-0000.bin")).unwrap();
        assert_eq!(bin, [112, 17, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
        let idx = fs::read(dir.path().join("00002-0000.idx")).unwrap();
        assert_eq!(idx, MegatronShards::index_bytes(&[1, 2], 4));
        assert_eq!(idx[17], 4);
    }
}
