//! JSON Lines shards: numbered, size-limited, compressed, each written atomically.
//!
//! A [`ShardWriter`] writes `<dir>/<prefix>-<part>.jsonl<.zst|.gz>`, starting a new part when
//! the current one reaches `max_docs` documents or `max_bytes` uncompressed bytes. A part is a
//! sequence of compressed frames (zstd frames or gzip members, which concatenate), so batches
//! can arrive already compressed by worker threads; only a batch that straddles a part
//! boundary is split and compressed here. Each part is written under a hidden temporary name
//! and renamed only once complete, so a killed run never leaves a shard that looks complete
//! but is not. No file is created for a writer that receives no document.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::{ShardSpec, Sink};
use crate::compression::Compression;
use crate::store::atomic::temp_path;

struct OpenShard {
    file: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    docs: u64,
    bytes: u64,
}

/// Writes documents' lines into consecutive shards.
pub struct ShardWriter {
    spec: ShardSpec,
    next_part: u32,
    open: Option<OpenShard>,
    written: Vec<PathBuf>,
}

impl ShardWriter {
    /// A writer that has not created any file yet.
    pub fn new(spec: ShardSpec) -> Self {
        ShardWriter {
            spec,
            next_part: 0,
            open: None,
            written: Vec::new(),
        }
    }

    /// Writes consecutive lines: `data[..ends[0]]`, `data[ends[0]..ends[1]]`, … . `encoded`,
    /// when given, is `spec.encode(data)` computed elsewhere (on a worker thread); it is used
    /// when all the lines go into one part, and the lines are compressed here otherwise.
    pub fn write_lines(
        &mut self,
        data: &[u8],
        ends: &[usize],
        encoded: Option<&[u8]>,
    ) -> io::Result<()> {
        let mut i = 0;
        while i < ends.len() {
            let open = self.current_part()?;
            // Take lines while the part has room (a part always takes at least one line).
            let (mut docs, mut bytes) = (open.docs, open.bytes);
            let mut j = i;
            while j < ends.len() && (j == i || !self.spec.full(docs, bytes)) {
                let line_start = if j == 0 { 0 } else { ends[j - 1] };
                bytes += (ends[j] - line_start) as u64;
                docs += 1;
                j += 1;
            }
            let start = if i == 0 { 0 } else { ends[i - 1] };
            let segment = &data[start..ends[j - 1]];
            let whole = i == 0 && j == ends.len();
            let open = self.open.as_mut().expect("current_part opened a part");
            match (encoded, self.spec.compression) {
                (Some(frame), _) if whole => open.file.write_all(frame)?,
                (_, Compression::None) => open.file.write_all(segment)?,
                _ => open.file.write_all(&self.spec.encode(segment)?)?,
            }
            open.docs = docs;
            open.bytes = bytes;
            i = j;
        }
        Ok(())
    }

    /// The open part, after closing a full one and opening a new one as needed.
    fn current_part(&mut self) -> io::Result<&mut OpenShard> {
        if let Some(open) = &self.open {
            if self.spec.full(open.docs, open.bytes) {
                self.close_current()?;
            }
        }
        if self.open.is_none() {
            let part = self.start_part()?;
            self.open = Some(part);
        }
        Ok(self.open.as_mut().expect("a part is open"))
    }

    fn start_part(&mut self) -> io::Result<OpenShard> {
        fs::create_dir_all(&self.spec.dir)?;
        let path = self.spec.part_path(self.next_part);
        self.next_part += 1;
        let tmp = temp_path(&path);
        let file = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        Ok(OpenShard {
            file,
            tmp,
            path,
            docs: 0,
            bytes: 0,
        })
    }

    fn close_current(&mut self) -> io::Result<()> {
        if let Some(open) = self.open.take() {
            let file = open.file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&open.tmp, &open.path)?;
            self.written.push(open.path);
        }
        Ok(())
    }

    /// Completes the last part and returns the paths of all parts written.
    pub fn finish(mut self) -> io::Result<Vec<PathBuf>> {
        self.close_current()?;
        Ok(std::mem::take(&mut self.written))
    }
}

impl Sink for ShardWriter {
    fn write_lines(
        &mut self,
        data: &[u8],
        ends: &[usize],
        encoded: Option<&[u8]>,
    ) -> io::Result<()> {
        ShardWriter::write_lines(self, data, ends, encoded)
    }

    fn finish(self: Box<Self>) -> io::Result<Vec<PathBuf>> {
        ShardWriter::finish(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::remove_unit_files;
    use std::path::Path;

    impl ShardWriter {
        /// Writes one document's line (which ends in `\n`).
        fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
            self.write_lines(line, &[line.len()], None)
        }
    }
    use crate::compression::open_decompressed;
    use std::io::Read;

    fn spec(dir: &Path, max_docs: u64, max_bytes: u64) -> ShardSpec {
        ShardSpec {
            dir: dir.join("kept"),
            prefix: "00001".into(),
            compression: Compression::Zstd,
            level: None,
            max_docs,
            max_bytes,
        }
    }

    fn read(path: &Path) -> String {
        let mut s = String::new();
        open_decompressed(path)
            .unwrap()
            .0
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn rolls_over_by_document_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(spec(dir.path(), 2, 0));
        for i in 0..5 {
            w.write_line(format!("{i}\n").as_bytes()).unwrap();
        }
        let parts = w.finish().unwrap();
        let names: Vec<_> = parts
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "00001-0000.jsonl.zst",
                "00001-0001.jsonl.zst",
                "00001-0002.jsonl.zst"
            ]
        );
        assert_eq!(read(&parts[1]), "2\n3\n");
    }

    #[test]
    fn batched_writes_split_at_the_same_places_as_single_lines() {
        let lines = ["a\n", "bb\n", "c\n", "dddd\n", "e\n", "ff\n", "g\n"];
        let mut data = Vec::new();
        let mut ends = Vec::new();
        for l in lines {
            data.extend_from_slice(l.as_bytes());
            ends.push(data.len());
        }
        for (max_docs, max_bytes) in [(2, 0), (0, 5), (3, 4), (0, 0)] {
            let one = tempfile::tempdir().unwrap();
            let mut w = ShardWriter::new(spec(one.path(), max_docs, max_bytes));
            for l in lines {
                w.write_line(l.as_bytes()).unwrap();
            }
            let single: Vec<String> = w.finish().unwrap().iter().map(|p| read(p)).collect();
            let many = tempfile::tempdir().unwrap();
            let mut w = ShardWriter::new(spec(many.path(), max_docs, max_bytes));
            // The first batch arrives compressed by a "worker", the second is compressed here.
            let first = spec(many.path(), max_docs, max_bytes)
                .encode(&data[..ends[2]])
                .unwrap();
            w.write_lines(&data[..ends[2]], &ends[..3], Some(&first))
                .unwrap();
            let rest: Vec<usize> = ends[3..].iter().map(|e| e - ends[2]).collect();
            w.write_lines(&data[ends[2]..], &rest, None).unwrap();
            let batched: Vec<String> = w.finish().unwrap().iter().map(|p| read(p)).collect();
            assert_eq!(single, batched, "max_docs={max_docs} max_bytes={max_bytes}");
        }
    }

    #[test]
    fn rolls_over_by_bytes_and_writes_nothing_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(spec(dir.path(), 0, 4));
        for line in ["abc\n", "d\n", "e\n"] {
            w.write_line(line.as_bytes()).unwrap();
        }
        // 4 bytes reached after the first line, so "d" and "e" (4 bytes) share part 1.
        assert_eq!(w.finish().unwrap().len(), 2);
        let empty = ShardWriter::new(spec(&dir.path().join("other"), 0, 0));
        assert!(empty.finish().unwrap().is_empty());
        assert!(!dir.path().join("other").exists());
    }

    #[test]
    fn unfinished_parts_are_hidden_and_removable() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ShardWriter::new(spec(dir.path(), 1, 0));
        w.write_line(b"a\n").unwrap();
        w.write_line(b"b\n").unwrap();
        // Part 0 is complete, part 1 is still a hidden temp file.
        let names: Vec<String> = fs::read_dir(dir.path().join("kept"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"00001-0000.jsonl.zst".to_string()));
        assert!(names.contains(&".00001-0001.jsonl.zst.tmp".to_string()));
        drop(w);
        // Another unit's shard, a longer id that starts alike, and a name that is not a unit's.
        for other in [
            "00002-0000.jsonl.zst",
            "000010-0000.jsonl.zst",
            "p1-00001-0000.jsonl",
            "0001-x",
        ] {
            fs::write(dir.path().join("kept").join(other), b"").unwrap();
        }
        remove_unit_files(dir.path(), "", &|id| id == 1).unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.path().join("kept"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "000010-0000.jsonl.zst",
                "00002-0000.jsonl.zst",
                "0001-x",
                "p1-00001-0000.jsonl"
            ]
        );
        // With the prefix of a later pass's dropped shards.
        remove_unit_files(dir.path(), "p1-", &|id| id == 1).unwrap();
        assert_eq!(fs::read_dir(dir.path().join("kept")).unwrap().count(), 3);
    }
}
