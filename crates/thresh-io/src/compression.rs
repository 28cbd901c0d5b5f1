//! gzip and zstd, recognised by magic bytes (and by extension for writing and for naming).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

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
        Compression::Gzip => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            MultiGzDecoder::new(raw),
        )),
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

/// A compressing writer that must be finished to write its trailer.
pub trait FinishWrite: Write + Send {
    /// Writes any trailer, flushes and returns the file.
    fn finish(self: Box<Self>) -> io::Result<File>;
}

struct Plain(BufWriter<File>);
impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
impl FinishWrite for Plain {
    fn finish(self: Box<Self>) -> io::Result<File> {
        self.0.into_inner().map_err(|e| e.into_error())
    }
}

impl FinishWrite for GzEncoder<BufWriter<File>> {
    fn finish(self: Box<Self>) -> io::Result<File> {
        GzEncoder::finish(*self)?
            .into_inner()
            .map_err(|e| e.into_error())
    }
}

impl FinishWrite for zstd::Encoder<'static, BufWriter<File>> {
    fn finish(self: Box<Self>) -> io::Result<File> {
        zstd::Encoder::finish(*self)?
            .into_inner()
            .map_err(|e| e.into_error())
    }
}

/// Wraps `file` in a writer of the given format. `level` is the zstd level (1–22) or the gzip
/// level (0–9); `None` takes thresh's default (zstd 1, gzip 6). zstd 1 because level 3
/// compresses at only about 220 MB/s per core and would alone cap a single-core run; it
/// writes about 10% larger shards than level 3.
pub fn compressed_writer(
    file: File,
    kind: Compression,
    level: Option<i32>,
) -> io::Result<Box<dyn FinishWrite>> {
    let inner = BufWriter::with_capacity(1 << 20, file);
    Ok(match kind {
        Compression::None => Box::new(Plain(inner)),
        Compression::Gzip => Box::new(GzEncoder::new(
            inner,
            flate2::Compression::new(level.unwrap_or(6).clamp(0, 9) as u32),
        )),
        Compression::Zstd => Box::new(zstd::Encoder::new(inner, level.unwrap_or(1))?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(kind: Compression, name: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut w = compressed_writer(File::create(&path).unwrap(), kind, None).unwrap();
        w.write_all(b"{\"text\":\"hello\"}\n").unwrap();
        w.finish().unwrap();
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
    fn magic_bytes_win_over_a_missing_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-extension");
        let mut w =
            compressed_writer(File::create(&path).unwrap(), Compression::Zstd, None).unwrap();
        w.write_all(b"x\n").unwrap();
        w.finish().unwrap();
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
