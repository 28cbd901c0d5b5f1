//! Reading `.bin` and `.ftz` model files (`FastText::loadModel`): header, `Args`, dictionary,
//! input matrix (dense or quantised), output matrix (dense, or quantised with `qout`).
//! Every size is checked against the bytes left before anything is allocated.

use std::io::BufRead;

use super::dictionary::{Dictionary, Entry, EntryType, PruneMap, Pruning};
use super::loss::{HuffmanTree, Loss};
use super::matrix::Matrix;
use super::quantized::{ProductQuantizer, QuantMatrix};
use super::{Args, FastText, FastTextError, LossName, ModelName};

const MAGIC: i32 = 793_712_314;
const VERSION: i32 = 12;

/// A little-endian reader that knows how many bytes are left.
struct Reader<R> {
    inner: R,
    remaining: u64,
}

impl<R: BufRead> Reader<R> {
    fn bytes(&mut self, n: usize, what: &'static str) -> Result<Vec<u8>, FastTextError> {
        if n as u64 > self.remaining {
            return Err(FastTextError::Truncated(what));
        }
        let mut buf = vec![0; n];
        self.inner.read_exact(&mut buf).map_err(|e| eof(e, what))?;
        self.remaining -= n as u64;
        Ok(buf)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FastTextError> {
        if (N as u64) > self.remaining {
            return Err(FastTextError::Truncated(what));
        }
        let mut buf = [0; N];
        self.inner.read_exact(&mut buf).map_err(|e| eof(e, what))?;
        self.remaining -= N as u64;
        Ok(buf)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, FastTextError> {
        self.array(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, FastTextError> {
        self.array(what).map(i64::from_le_bytes)
    }

    fn f64(&mut self, what: &'static str) -> Result<f64, FastTextError> {
        self.array(what).map(f64::from_le_bytes)
    }

    fn bool(&mut self, what: &'static str) -> Result<bool, FastTextError> {
        self.array::<1>(what).map(|[b]| b != 0)
    }

    /// `n` little-endian `f32`s.
    fn f32s(&mut self, n: usize, what: &'static str) -> Result<Vec<f32>, FastTextError> {
        let len = n.checked_mul(4).ok_or(FastTextError::Truncated(what))?;
        if len as u64 > self.remaining {
            return Err(FastTextError::Truncated(what));
        }
        let mut out = Vec::with_capacity(n);
        let mut chunk = vec![0u8; 4 << 14];
        let mut left = len;
        while left > 0 {
            let part = &mut chunk[..left.min(4 << 14)];
            self.inner.read_exact(part).map_err(|e| eof(e, what))?;
            out.extend(
                part.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            left -= part.len();
        }
        self.remaining -= len as u64;
        Ok(out)
    }

    /// A NUL-terminated string.
    fn cstr(&mut self, what: &'static str) -> Result<Vec<u8>, FastTextError> {
        let mut buf = Vec::new();
        let n = std::io::Read::take(&mut self.inner, self.remaining)
            .read_until(0, &mut buf)
            .map_err(FastTextError::Io)?;
        self.remaining -= n as u64;
        if buf.pop() != Some(0) {
            return Err(FastTextError::Truncated(what));
        }
        Ok(buf)
    }
}

fn eof(e: std::io::Error, what: &'static str) -> FastTextError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        FastTextError::Truncated(what)
    } else {
        FastTextError::Io(e)
    }
}

fn invalid(msg: impl Into<String>) -> FastTextError {
    FastTextError::Invalid(msg.into())
}

/// A non-negative count as `usize`.
fn count(v: i64, what: &str) -> Result<usize, FastTextError> {
    usize::try_from(v).map_err(|_| invalid(format!("negative {what}: {v}")))
}

fn read_args<R: BufRead>(r: &mut Reader<R>) -> Result<Args, FastTextError> {
    let dim = r.i32("args")?;
    let ws = r.i32("args")?;
    let epoch = r.i32("args")?;
    let min_count = r.i32("args")?;
    let neg = r.i32("args")?;
    let word_ngrams = r.i32("args")?;
    let loss = match r.i32("args")? {
        1 => LossName::HierarchicalSoftmax,
        2 => LossName::NegativeSampling,
        3 => LossName::Softmax,
        4 => LossName::OneVsAll,
        other => return Err(invalid(format!("unknown loss {other}"))),
    };
    let model = match r.i32("args")? {
        1 => ModelName::Cbow,
        2 => ModelName::SkipGram,
        3 => ModelName::Supervised,
        other => return Err(invalid(format!("unknown model kind {other}"))),
    };
    Ok(Args {
        dim,
        ws,
        epoch,
        min_count,
        neg,
        word_ngrams,
        loss,
        model,
        bucket: r.i32("args")?,
        minn: r.i32("args")?,
        maxn: r.i32("args")?,
        lr_update_rate: r.i32("args")?,
        t: r.f64("args")?,
    })
}

/// The dictionary block; returns the entries, `nwords` and the pruning map.
fn read_dictionary<R: BufRead>(
    r: &mut Reader<R>,
) -> Result<(Vec<Entry>, i32, Pruning), FastTextError> {
    let size = r.i32("dictionary")?;
    let nwords = r.i32("dictionary")?;
    let nlabels = r.i32("dictionary")?;
    let _ntokens = r.i64("dictionary")?;
    let prune_size = r.i64("dictionary")?;
    if size < 0
        || nwords < 0
        || nlabels < 0
        || i64::from(nwords) + i64::from(nlabels) != i64::from(size)
    {
        return Err(invalid(format!(
            "dictionary sizes do not add up: size {size}, words {nwords}, labels {nlabels}"
        )));
    }
    if nlabels == 0 {
        return Err(invalid("the model has no labels"));
    }
    // Each entry takes at least 10 bytes (NUL, count, type).
    if size as u64 * 10 > r.remaining {
        return Err(FastTextError::Truncated("dictionary"));
    }
    let mut entries = Vec::with_capacity(size as usize);
    for i in 0..size {
        let word = r.cstr("dictionary entry")?;
        let count = r.i64("dictionary entry")?;
        let kind = match r.array::<1>("dictionary entry")?[0] {
            0 => EntryType::Word,
            1 => EntryType::Label,
            t => return Err(invalid(format!("unknown entry type {t}"))),
        };
        if (kind == EntryType::Word) != (i < nwords) {
            return Err(invalid(
                "dictionary entries are not words followed by labels",
            ));
        }
        entries.push(Entry { word, count, kind });
    }
    let pruning = match prune_size {
        n if n < 0 => Pruning::None,
        0 => Pruning::All,
        n => {
            if n as u64 > r.remaining / 8 {
                return Err(FastTextError::Truncated("pruned n-gram index"));
            }
            let mut map = PruneMap::default();
            for _ in 0..n {
                let bucket = r.i32("pruned n-gram index")?;
                let row = r.i32("pruned n-gram index")?;
                map.insert(bucket, row);
            }
            Pruning::Map(map)
        }
    };
    Ok((entries, nwords, pruning))
}

fn read_pq<R: BufRead>(r: &mut Reader<R>) -> Result<ProductQuantizer, FastTextError> {
    let dim = r.i32("product quantizer")?;
    let nsubq = r.i32("product quantizer")?;
    let dsub = r.i32("product quantizer")?;
    let lastdsub = r.i32("product quantizer")?;
    let as_usize = |v: i32| usize::try_from(v).map_err(|_| invalid("negative quantizer size"));
    let dim = as_usize(dim)?;
    let n = dim
        .checked_mul(256)
        .ok_or(FastTextError::Truncated("centroids"))?;
    let pq = ProductQuantizer {
        dim,
        nsubq: as_usize(nsubq)?,
        dsub: as_usize(dsub)?,
        lastdsub: as_usize(lastdsub)?,
        centroids: r.f32s(n, "centroids")?,
    };
    if !pq.is_consistent() {
        return Err(invalid(format!(
            "inconsistent product quantizer (dim {}, nsubq {}, dsub {}, lastdsub {})",
            pq.dim, pq.nsubq, pq.dsub, pq.lastdsub
        )));
    }
    Ok(pq)
}

/// A matrix block; `quant` says which of the two layouts follows.
fn read_matrix<R: BufRead>(r: &mut Reader<R>, quant: bool) -> Result<Matrix, FastTextError> {
    if !quant {
        let rows = count(r.i64("matrix")?, "matrix rows")?;
        let dim = count(r.i64("matrix")?, "matrix columns")?;
        let n = rows
            .checked_mul(dim)
            .ok_or(FastTextError::Truncated("matrix"))?;
        let data = r.f32s(n, "matrix")?;
        return Ok(Matrix::Dense { rows, dim, data });
    }
    let qnorm = r.bool("quantized matrix")?;
    let rows = count(r.i64("quantized matrix")?, "matrix rows")?;
    let dim = count(r.i64("quantized matrix")?, "matrix columns")?;
    let codesize = count(r.i32("quantized matrix")?.into(), "code size")?;
    let codes = r.bytes(codesize, "codes")?;
    let pq = read_pq(r)?;
    if pq.dim != dim || rows.checked_mul(pq.nsubq).is_none_or(|n| n > codesize) {
        return Err(invalid("quantized matrix shape does not match its codes"));
    }
    let norms = if qnorm {
        let codes = r.bytes(rows, "norm codes")?;
        let npq = read_pq(r)?;
        Some((codes, npq))
    } else {
        None
    };
    Ok(Matrix::Quant(QuantMatrix {
        rows,
        codes,
        pq,
        norms,
    }))
}

/// Reads a whole model; `len` is the number of bytes the reader holds.
pub(crate) fn read<R: BufRead>(inner: R, len: u64) -> Result<FastText, FastTextError> {
    let mut r = Reader {
        inner,
        remaining: len,
    };
    let magic = r.i32("header")?;
    if magic != MAGIC {
        return Err(FastTextError::WrongMagic(magic));
    }
    let version = r.i32("header")?;
    if version > VERSION {
        return Err(FastTextError::UnsupportedVersion(version));
    }
    let mut args = read_args(&mut r)?;
    if args.model != ModelName::Supervised {
        return Err(FastTextError::NotSupervised(args.model));
    }
    if version == 11 {
        // fastText: old supervised models do not use character n-grams.
        args.maxn = 0;
    }
    let dim = usize::try_from(args.dim)
        .ok()
        .filter(|&d| d > 0)
        .ok_or_else(|| invalid(format!("bad dimension {}", args.dim)))?;
    if args.bucket < 0 {
        return Err(invalid(format!("negative bucket count {}", args.bucket)));
    }
    let (entries, nwords, pruning) = read_dictionary(&mut r)?;

    let quant_input = r.bool("input matrix flag")?;
    let input = read_matrix(&mut r, quant_input)?;
    if !quant_input && !matches!(pruning, Pruning::None) {
        return Err(invalid("a pruned dictionary with a dense input matrix"));
    }
    let qout = r.bool("output matrix flag")?;
    let output = read_matrix(&mut r, quant_input && qout)?;

    let nlabels = entries.len() - nwords as usize;
    for (m, name) in [(&input, "input"), (&output, "output")] {
        let cols = match m {
            Matrix::Dense { dim, .. } => *dim,
            Matrix::Quant(q) => q.pq.dim,
        };
        if cols != dim {
            return Err(invalid(format!(
                "{name} matrix has {cols} columns, dim is {dim}"
            )));
        }
    }
    if output.rows() != nlabels {
        return Err(invalid(format!(
            "output matrix has {} rows for {nlabels} labels",
            output.rows()
        )));
    }
    let ngram_rows = match &pruning {
        Pruning::None => args.bucket as usize,
        Pruning::All => 0,
        Pruning::Map(map) => {
            if map.values().any(|&v| v < 0) {
                return Err(invalid("negative row in the pruned n-gram index"));
            }
            map.values().map(|&v| v as usize + 1).max().unwrap_or(0)
        }
    };
    if input.rows() < nwords as usize + ngram_rows {
        return Err(invalid(format!(
            "input matrix has {} rows, the dictionary needs {}",
            input.rows(),
            nwords as usize + ngram_rows
        )));
    }

    let label_counts: Vec<i64> = entries[nwords as usize..].iter().map(|e| e.count).collect();
    let loss = match args.loss {
        LossName::Softmax => Loss::Softmax,
        LossName::OneVsAll | LossName::NegativeSampling => Loss::sigmoid(),
        LossName::HierarchicalSoftmax => Loss::Hierarchical(
            HuffmanTree::new(&label_counts)
                .ok_or_else(|| invalid("label counts do not form a Huffman tree"))?,
        ),
    };
    let dict = Dictionary::new(
        entries,
        nwords,
        pruning,
        args.minn,
        args.maxn,
        args.bucket,
        args.word_ngrams,
    );
    let labels = dict.entries()[nwords as usize..]
        .iter()
        .map(|e| String::from_utf8_lossy(&e.word).into_owned())
        .collect();
    Ok(FastText {
        args,
        version,
        quantized: quant_input,
        qout: quant_input && qout,
        labels,
        label_counts,
        dict,
        input,
        output,
        loss,
    })
}
