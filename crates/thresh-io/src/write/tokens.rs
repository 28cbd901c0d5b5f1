//! Token shards as datatrove's `DocumentTokenizer` writes them: `<unit>-<part>.ds` (the ids,
//! little-endian `uint16`, or `uint32` when the vocabulary needs it), `.ds.index` (`uint64`
//! end of each document, in tokens, cumulative within the file) and `.ds.metadata`
//! (`<tokenizer>|<token size>`, the token count, and the count as Python's `humanize.metric`
//! writes it) — what datatrove calls `00000_unshuffled.ds` for one work unit.
//!
//! With `shuffle`, a unit's documents are first written in order to a hidden file and then
//! copied in a seeded random order (datatrove's `shuffle_documents`); with
//! `max_tokens_per_file`, a part is closed after the document that takes it past the limit, as
//! datatrove closes its shuffled files (it then opens one more, which thresh only does when
//! documents remain). Every file is written under a hidden temporary name and renamed once
//! complete.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{ShardSpec, Sink};
use crate::store::atomic::{remove_if_exists, temp_path, write_atomic};

/// How token shards are laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLayout {
    /// The tokenizer's name or path, as the metadata names it.
    pub tokenizer: String,
    /// Bytes per token: 2 or 4.
    pub token_size: usize,
    /// Shuffle each unit's documents with this seed (mixed with the unit's prefix).
    pub shuffle: Option<u64>,
    /// Close a part after the document that takes it past this many tokens (0: no limit).
    pub max_tokens_per_file: u64,
}

/// Ids as little-endian bytes of `token_size` each.
pub(crate) fn token_bytes(ids: &[u32], token_size: usize, out: &mut Vec<u8>) {
    out.reserve(ids.len() * token_size);
    for &id in ids {
        if token_size == 4 {
            out.extend_from_slice(&id.to_le_bytes());
        } else {
            out.extend_from_slice(&(id as u16).to_le_bytes());
        }
    }
}

/// `value` as Python's `humanize.metric(value, unit="T")` writes it (three significant
/// digits and an SI prefix: `0.00 T`, `12.0 T`, `1.23 kT`, `123 MT`).
pub fn humanize_metric(value: u64) -> String {
    if value == 0 {
        return "0.00 T".into();
    }
    let v = value as f64;
    let mut exponent = v.log10().floor() as i32;
    let old_bucket = exponent / 3 * 3;
    let mut scaled = v / 10f64.powi(old_bucket);
    let mut digits = (2 - exponent % 3).max(0) as usize;
    let rounded = format!("{scaled:.digits$}")
        .parse::<f64>()
        .unwrap_or(scaled);
    if rounded >= 10f64.powi(exponent % 3 + 1) {
        exponent += 1;
        let new_bucket = exponent / 3 * 3;
        scaled /= 10f64.powi(new_bucket - old_bucket);
        digits = (2 - exponent % 3).max(0) as usize;
    }
    let prefix = match exponent / 3 {
        0 => "",
        n => &"kMGTPEZYRQ"[(n - 1) as usize..n as usize],
    };
    format!("{scaled:.digits$} {prefix}T")
}

/// One `.ds` file being written.
pub(crate) struct DsPart {
    file: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    ends: Vec<u64>,
    pub(crate) tokens: u64,
}

impl DsPart {
    pub(crate) fn create(path: PathBuf) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = temp_path(&path);
        Ok(DsPart {
            file: BufWriter::new(File::create(&tmp)?),
            tmp,
            path,
            ends: Vec::new(),
            tokens: 0,
        })
    }

    pub(crate) fn write_doc(&mut self, bytes: &[u8], tokens: u64) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.tokens += tokens;
        self.ends.push(self.tokens);
        Ok(())
    }

    /// Writes the index and metadata, renames the tokens into place; the three paths.
    pub(crate) fn finish(self, layout: &TokenLayout) -> io::Result<Vec<PathBuf>> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let index = sibling(&self.path, "index");
        let mut bytes = Vec::with_capacity(self.ends.len() * 8);
        for end in &self.ends {
            bytes.extend_from_slice(&end.to_le_bytes());
        }
        write_atomic(&index, &bytes)?;
        let metadata = sibling(&self.path, "metadata");
        let text = format!(
            "{}|{}\n{}\n{}",
            layout.tokenizer,
            layout.token_size,
            self.tokens,
            humanize_metric(self.tokens)
        );
        write_atomic(&metadata, text.as_bytes())?;
        fs::rename(&self.tmp, &self.path)?;
        Ok(vec![self.path, index, metadata])
    }
}

/// `path` with `.suffix` appended (`x.ds` → `x.ds.index`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a work unit's kept documents as datatrove token shards.
pub struct TokenShards {
    spec: ShardSpec,
    layout: TokenLayout,
    next_part: u32,
    open: Option<DsPart>,
    /// With `shuffle`: the documents in order, in a hidden file, and their ends.
    unshuffled: Option<DsPart>,
    written: Vec<PathBuf>,
    bytes: Vec<u8>,
}

impl TokenShards {
    /// A writer that has not created any file yet.
    pub fn new(spec: ShardSpec, layout: TokenLayout) -> Self {
        TokenShards {
            spec,
            layout,
            next_part: 0,
            open: None,
            unshuffled: None,
            written: Vec::new(),
            bytes: Vec::new(),
        }
    }

    fn part_path(&self, part: u32) -> PathBuf {
        self.spec
            .dir
            .join(format!("{}-{part:04}.ds", self.spec.prefix))
    }

    /// Appends one document to the current part, closing it when it passes the limit.
    fn append(&mut self, bytes: &[u8], tokens: u64) -> io::Result<()> {
        if self.open.is_none() {
            let path = self.part_path(self.next_part);
            self.next_part += 1;
            self.open = Some(DsPart::create(path)?);
        }
        let part = self.open.as_mut().expect("just opened");
        part.write_doc(bytes, tokens)?;
        let limit = self.layout.max_tokens_per_file;
        if limit > 0 && part.tokens > limit {
            let done = self.open.take().expect("open");
            self.written.extend(done.finish(&self.layout)?);
        }
        Ok(())
    }

    /// Copies the unshuffled documents into the parts in a seeded random order.
    fn shuffle_out(&mut self, seed: u64) -> io::Result<()> {
        let Some(unshuffled) = self.unshuffled.take() else {
            return Ok(());
        };
        let file = unshuffled.file.into_inner().map_err(|e| e.into_error())?;
        drop(file);
        let ends = unshuffled.ends;
        let mut order: Vec<usize> = (0..ends.len()).collect();
        let mut rng = SplitMix64(seed ^ xxhash_rust::xxh3::xxh3_64(self.spec.prefix.as_bytes()));
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut source = File::open(&unshuffled.tmp)?;
        let size = self.layout.token_size as u64;
        let mut buf = Vec::new();
        for doc in order {
            let start = if doc == 0 { 0 } else { ends[doc - 1] };
            let tokens = ends[doc] - start;
            source.seek(SeekFrom::Start(start * size))?;
            buf.resize((tokens * size) as usize, 0);
            source.read_exact(&mut buf)?;
            self.append(&buf, tokens)?;
        }
        remove_if_exists(&unshuffled.tmp)
    }
}

/// A small seeded generator for the shuffle (SplitMix64).
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// What token-shard sinks answer to JSON lines: nothing to do for none, an error for some.
pub(crate) fn refuse_lines(ends: &[usize]) -> io::Result<()> {
    if ends.is_empty() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "token shards take token ids, not JSON lines",
    ))
}

impl Sink for TokenShards {
    fn write_lines(&mut self, _: &[u8], ends: &[usize], _: Option<&[u8]>) -> io::Result<()> {
        refuse_lines(ends)
    }

    fn write_tokens(&mut self, ids: &[u32], ends: &[usize]) -> io::Result<()> {
        let mut start = 0;
        for &end in ends {
            let mut bytes = std::mem::take(&mut self.bytes);
            bytes.clear();
            token_bytes(&ids[start..end], self.layout.token_size, &mut bytes);
            let tokens = (end - start) as u64;
            if self.layout.shuffle.is_some() {
                if self.unshuffled.is_none() {
                    let hidden = self
                        .spec
                        .dir
                        .join(format!(".{}-unshuffled.ds", self.spec.prefix));
                    self.unshuffled = Some(DsPart::create(hidden)?);
                }
                self.unshuffled
                    .as_mut()
                    .expect("just opened")
                    .write_doc(&bytes, tokens)?;
            } else {
                self.append(&bytes, tokens)?;
            }
            self.bytes = bytes;
            start = end;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<Vec<PathBuf>> {
        if let Some(seed) = self.layout.shuffle {
            self.shuffle_out(seed)?;
        }
        if let Some(part) = self.open.take() {
            let layout = self.layout.clone();
            self.written.extend(part.finish(&layout)?);
        }
        Ok(self.written)
    }
}

#[cfg(test)]
/// The documents of a `.ds` file and its index, as id lists.
pub(crate) fn read_docs(ds: &Path) -> Vec<Vec<u16>> {
    let tokens: Vec<u16> = fs::read(ds)
        .unwrap()
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let ends: Vec<u64> = fs::read(sibling(ds, "index"))
        .unwrap()
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut start = 0;
    ends.iter()
        .map(|&e| {
            let doc = tokens[start..e as usize].to_vec();
            start = e as usize;
            doc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanize_matches_python() {
        // Python: humanize.metric(v, unit="T") with humanize 4.17.
        let cases = [
            (0, "0.00 T"),
            (1, "1.00 T"),
            (12, "12.0 T"),
            (999, "999 T"),
            (1000, "1.00 kT"),
            (1234, "1.23 kT"),
            (12345, "12.3 kT"),
            (123456, "123 kT"),
            (999_999, "1.00 MT"),
            (1_500_000, "1.50 MT"),
            (123_456_789, "123 MT"),
            (9_999_999_999, "10.0 GT"),
            (1 << 40, "1.10 TT"),
        ];
        for (v, want) in cases {
            assert_eq!(humanize_metric(v), want, "{v}");
        }
    }

    fn spec(dir: &Path) -> ShardSpec {
        ShardSpec {
            dir: dir.to_path_buf(),
            prefix: "00000".into(),
            compression: crate::compression::Compression::None,
            level: None,
            max_docs: 0,
            max_bytes: 0,
        }
    }

    fn layout(shuffle: Option<u64>, max_tokens_per_file: u64) -> TokenLayout {
        TokenLayout {
            tokenizer: "tok.json".into(),
            token_size: 2,
            shuffle,
            max_tokens_per_file,
        }
    }

    #[test]
    fn unshuffled_layout_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink: Box<dyn Sink> = Box::new(TokenShards::new(spec(dir.path()), layout(None, 0)));
        sink.write_tokens(&[1, 2, 3, 300, 5], &[3, 5]).unwrap();
        sink.write_tokens(&[7], &[1]).unwrap();
        let files = sink.finish().unwrap();
        assert_eq!(files.len(), 3);
        let ds = dir.path().join("00000-0000.ds");
        assert_eq!(
            fs::read(&ds).unwrap(),
            [1, 0, 2, 0, 3, 0, 44, 1, 5, 0, 7, 0]
        );
        let index = fs::read(sibling(&ds, "index")).unwrap();
        assert_eq!(index.len(), 24);
        assert_eq!(&index[16..], &6u64.to_le_bytes());
        assert_eq!(
            fs::read_to_string(sibling(&ds, "metadata")).unwrap(),
            "tok.json|2\n6\n6.00 T"
        );
        // Nothing hidden is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn shuffled_is_a_permutation_split_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let docs: Vec<Vec<u32>> = (0..50u32)
            .map(|d| (0..=d % 7).map(|t| d * 10 + t).collect())
            .collect();
        let ids: Vec<u32> = docs.concat();
        let ends: Vec<usize> = docs
            .iter()
            .scan(0, |n, d| {
                *n += d.len();
                Some(*n)
            })
            .collect();
        let mut sink: Box<dyn Sink> =
            Box::new(TokenShards::new(spec(dir.path()), layout(Some(42), 40)));
        sink.write_tokens(&ids, &ends).unwrap();
        let files = sink.finish().unwrap();
        let parts: Vec<&PathBuf> = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "ds"))
            .collect();
        assert!(parts.len() > 1);
        let mut got: Vec<Vec<u16>> = Vec::new();
        for part in &parts {
            let part_docs = read_docs(part);
            let total: usize = part_docs.iter().map(Vec::len).sum();
            // Each part passes the limit only with its last document.
            assert!(total - part_docs.last().unwrap().len() <= 40);
            got.extend(part_docs);
        }
        let want: Vec<Vec<u16>> = docs
            .iter()
            .map(|d| d.iter().map(|&t| t as u16).collect())
            .collect();
        assert_ne!(got, want, "shuffled");
        got.sort();
        let mut sorted = want.clone();
        sorted.sort();
        assert_eq!(got, sorted, "a permutation of the documents");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), files.len());
    }
}
