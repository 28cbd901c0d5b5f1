//! gzip and zstd, recognised by magic bytes (and by extension for writing and for naming).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::write::GzEncoder;

use crate::gzip::GzipReader;

/// A compression format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (one or more members).
    Gzip,
    /// zstd (one or more frames).
    #[default]
    Zstd,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const READ_BUFFER: usize = 1 << 20;

impl Compression {
    /// The format a file name says (`.gz`, `.gzip`, `.zst`, `.zstd`), if any.
    pub fn from_extension(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "gz" | "gzip" => Some(Compression::Gzip),
            "zst" | "zstd" => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// The format the first bytes of a stream show, if compressed.
    pub fn from_magic(head: &[u8]) -> Option<Self> {
        if head.starts_with(&ZSTD_MAGIC) {
            Some(Compression::Zstd)
        } else if head.starts_with(&GZIP_MAGIC) {
            Some(Compression::Gzip)
        } else {
            None
        }
    }

    /// The file-name suffix of the format (`""`, `".gz"`, `".zst"`).
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }
}

/// Opens `path` for reading, decompressing by magic bytes. A file whose name says gzip or zstd
/// but whose bytes do not is an error rather than a misread.
pub fn open_decompressed(path: &Path) -> io::Result<(Box<dyn BufRead + Send>, Compression)> {
    decompress(File::open(path)?, path)
}

/// Like [`open_decompressed`] for an already open stream; `path` is only used for its name.
pub fn decompress(
    raw: impl Read + Send + 'static,
    path: &Path,
) -> io::Result<(Box<dyn BufRead + Send>, Compression)> {
    let mut raw = BufReader::with_capacity(READ_BUFFER, raw);
    let head = raw.fill_buf()?;
    let by_magic = Compression::from_magic(head);
    let empty = head.is_empty();
    let by_name = Compression::from_extension(path);
    let kind = match (by_magic, by_name) {
        (Some(kind), _) => kind,
        (None, Some(named)) if !empty => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the name says {named:?} but the first bytes are not a {named:?} header"),
            ))
        }
        _ => Compression::None,
    };
    let reader: Box<dyn BufRead + Send> = match kind {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(GzipReader::new(raw)?),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            zstd::Decoder::with_buffer(raw)?,
        )),
    };
    Ok((reader, kind))
}

/// A reader that adds the number of bytes it reads to a shared counter, so progress can be
/// reported in bytes of the (compressed) file while a decompressor consumes it.
pub struct CountingRead<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingRead<R> {
    /// Wraps `inner`, adding to `count`.
    pub fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        CountingRead { inner, count }
    }
}

impl<R: Read> Read for CountingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

thread_local! {
    static ZSTD: std::cell::RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Compresses `data` into one complete zstd frame or gzip member (a copy for `None`). Frames
/// and members concatenate: a file of several is read back as the concatenation of their
/// contents, so batches can be compressed on worker threads and written one after another.
/// `level` is the zstd level (1–22) or the gzip level (0–9); `None` takes thresh's default,
/// zstd 1 (level 3 compresses at only about 220 MB/s per core and would alone cap a
/// single-core run; level 1 writes about 10% larger shards) and gzip 6.
pub fn compress_frame(kind: Compression, level: Option<i32>, data: &[u8]) -> io::Result<Vec<u8>> {
    match kind {
        Compression::None => Ok(data.to_vec()),
        Compression::Zstd => ZSTD.with(|cell| {
            // One compression context per thread and level, reused across frames.
            let level = level.unwrap_or(1);
            let mut slot = cell.borrow_mut();
            if slot.as_ref().is_none_or(|(l, _)| *l != level) {
                *slot = Some((level, zstd::bulk::Compressor::new(level)?));
            }
            let (_, compressor) = slot.as_mut().expect("just set");
            compressor.compress(data)
        }),
        Compression::Gzip => {
            let level = flate2::Compression::new(level.unwrap_or(6).clamp(0, 9) as u32);
            let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 3 + 64), level);
            enc.write_all(data)?;
            enc.finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(kind: Compression, name: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            compress_frame(kind, None, b"{\"text\":\"hello\"}\n").unwrap(),
        )
        .unwrap();
        let (mut r, found) = open_decompressed(&path).unwrap();
        assert_eq!(found, kind);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "{\"text\":\"hello\"}\n");
    }

    #[test]
    fn every_format_round_trips() {
        round_trip(Compression::None, "a.jsonl");
        round_trip(Compression::Gzip, "a.jsonl.gz");
        round_trip(Compression::Zstd, "a.jsonl.zst");
    }

    #[test]
    fn concatenated_frames_read_back_as_one_stream() {
        for kind in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("frames");
            let mut bytes = compress_frame(kind, None, b"first\n").unwrap();
            bytes.extend(compress_frame(kind, None, b"second\n").unwrap());
            std::fs::write(&path, bytes).unwrap();
            let mut s = String::new();
            open_decompressed(&path)
                .unwrap()
                .0
                .read_to_string(&mut s)
                .unwrap();
            assert_eq!(s, "first\nsecond\n", "{kind:?}");
        }
    }

    #[test]
    fn magic_bytes_win_over_a_missing_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-extension");
        std::fs::write(
            &path,
            compress_frame(Compression::Zstd, None, b"x\n").unwrap(),
        )
        .unwrap();
        assert_eq!(open_decompressed(&path).unwrap().1, Compression::Zstd);
    }

    #[test]
    fn a_gz_name_on_plain_bytes_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liar.jsonl.gz");
        std::fs::write(&path, b"{\"text\":\"x\"}\n").unwrap();
        assert!(open_decompressed(&path).is_err());
    }
}
