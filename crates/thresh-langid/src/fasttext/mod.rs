//! A pure-Rust fastText inference library: reads supervised `.bin` and quantised `.ftz` models
//! (format version ≤ 12) and predicts exactly as fastText 0.9 does — same tokenisation,
//! character and word n-gram hashing, `f32` arithmetic in the same order, the same
//! softmax / hierarchical softmax / sigmoid losses and the same tie order.
//!
//! ```no_run
//! use thresh_langid::fasttext::FastText;
//! let model = FastText::open("lid.176.ftz")?;
//! for (label, p) in model.predict("Das ist ein Satz.", 3, 0.0) {
//!     println!("{label} {p}");
//! }
//! # Ok::<(), thresh_langid::fasttext::FastTextError>(())
//! ```
//!
//! A model is immutable once loaded: share one per process (`Arc<FastText>`) across threads,
//! and give each thread its own [`Scratch`] for [`FastText::predict_into`].

mod dictionary;
mod loss;
mod matrix;
mod model;
mod quantized;

use std::fmt;
use std::io::BufReader;
use std::path::Path;

pub use dictionary::{char_ngrams, hash};

use dictionary::{Dictionary, LineBuffers};
use loss::{Loss, LossBuffers, Scored};
use matrix::Matrix;

/// The loss a model was trained with (`-loss`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossName {
    /// `hs`: hierarchical softmax over a Huffman tree of the labels.
    HierarchicalSoftmax,
    /// `ns`: negative sampling (predicts with one sigmoid per label).
    NegativeSampling,
    /// `softmax`.
    Softmax,
    /// `ova`: one-vs-all, one sigmoid per label.
    OneVsAll,
}

/// The kind of model (`cbow`, `skipgram`, `supervised`); only supervised models predict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelName {
    /// Unsupervised CBOW word vectors.
    Cbow,
    /// Unsupervised skip-gram word vectors.
    SkipGram,
    /// A supervised classifier.
    Supervised,
}

/// The training arguments stored in the model file (fastText's `Args::load` block).
#[derive(Clone, Debug, PartialEq)]
pub struct Args {
    /// Vector dimension.
    pub dim: i32,
    /// Context window (unsupervised models).
    pub ws: i32,
    /// Training epochs.
    pub epoch: i32,
    /// Minimum word count.
    pub min_count: i32,
    /// Negatives sampled (`ns`).
    pub neg: i32,
    /// Longest word n-gram (`wordNgrams`).
    pub word_ngrams: i32,
    /// The loss.
    pub loss: LossName,
    /// The kind of model.
    pub model: ModelName,
    /// Number of n-gram hash buckets.
    pub bucket: i32,
    /// Shortest character n-gram (in characters).
    pub minn: i32,
    /// Longest character n-gram; 0 disables character n-grams.
    pub maxn: i32,
    /// Learning-rate update rate.
    pub lr_update_rate: i32,
    /// Sampling threshold.
    pub t: f64,
}

/// Why a model file could not be loaded.
#[derive(Debug)]
pub enum FastTextError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file does not start with fastText's magic number 793712314.
    WrongMagic(i32),
    /// The file format version is newer than 12.
    UnsupportedVersion(i32),
    /// The model is a word-vector model, not a classifier.
    NotSupervised(ModelName),
    /// The file ends inside the named part.
    Truncated(&'static str),
    /// The file is inconsistent (sizes, types or shapes that fastText could not have written).
    Invalid(String),
}

impl fmt::Display for FastTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FastTextError::Io(e) => write!(f, "cannot read the fastText model: {e}"),
            FastTextError::WrongMagic(m) => {
                write!(
                    f,
                    "not a fastText model (magic number {m}, expected 793712314)"
                )
            }
            FastTextError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "fastText model format version {v} is not supported (at most 12)"
                )
            }
            FastTextError::NotSupervised(m) => {
                write!(
                    f,
                    "the fastText model is not supervised ({m:?}): it cannot predict"
                )
            }
            FastTextError::Truncated(what) => {
                write!(f, "the fastText model file is truncated (in the {what})")
            }
            FastTextError::Invalid(msg) => write!(f, "invalid fastText model: {msg}"),
        }
    }
}

impl std::error::Error for FastTextError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FastTextError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// A loaded supervised fastText model. Immutable, `Send + Sync`.
pub struct FastText {
    args: Args,
    version: i32,
    quantized: bool,
    qout: bool,
    labels: Vec<String>,
    label_counts: Vec<i64>,
    dict: Dictionary,
    input: Matrix,
    output: Matrix,
    loss: Loss,
}

/// Per-thread buffers for [`FastText::predict_into`], so that predicting allocates nothing
/// once they have grown.
#[derive(Default)]
pub struct Scratch {
    rows: Vec<i32>,
    line: LineBuffers,
    hidden: Vec<f32>,
    heap: Vec<Scored>,
    loss: LossBuffers,
}

impl FastText {
    /// Reads a `.bin` or `.ftz` model file once into memory.
    pub fn open(path: impl AsRef<Path>) -> Result<FastText, FastTextError> {
        let file = std::fs::File::open(path).map_err(FastTextError::Io)?;
        let len = file.metadata().map_err(FastTextError::Io)?.len();
        model::read(BufReader::with_capacity(1 << 16, file), len)
    }

    /// Reads a model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<FastText, FastTextError> {
        model::read(bytes, bytes.len() as u64)
    }

    /// The training arguments stored in the file (after fastText's version-11 fix-up).
    pub fn args(&self) -> &Args {
        &self.args
    }

    /// The file format version (11 or 12 for current models).
    pub fn version(&self) -> i32 {
        self.version
    }

    /// Whether the input matrix is product-quantised (an `.ftz` model).
    pub fn is_quantized(&self) -> bool {
        self.quantized
    }

    /// Whether the output matrix is product-quantised too (`-qout`).
    pub fn is_output_quantized(&self) -> bool {
        self.qout
    }

    /// The labels as stored (with their `__label__` prefix), by label index.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The training count of each label, by label index.
    pub fn label_counts(&self) -> &[i64] {
        &self.label_counts
    }

    /// The input rows fastText averages for `text` (its `getLine`): word ids, character
    /// n-gram and word n-gram rows (`nwords + bucket`), including `</s>`.
    pub fn input_rows(&self, text: &str) -> Vec<i32> {
        let mut rows = Vec::new();
        self.dict
            .line_rows(text, &mut rows, &mut LineBuffers::default());
        rows
    }

    /// Python fastText's `predict(text, k, threshold)`: at most `k` labels with probability
    /// ≥ `threshold`, best first. `text` is one line (as if followed by a newline); anything
    /// after a `\n` is ignored, so replace newlines by spaces first to use the whole text.
    /// `k = usize::MAX` returns every label that passes (Python's `k=-1`). Returns nothing for
    /// `k == 0` or a text that yields no input row. Probabilities are `exp` of fastText's
    /// `f32` log-space scores, `log(p + 1e-5)`, so they can slightly exceed the plain `p`.
    pub fn predict(&self, text: &str, k: usize, threshold: f32) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        self.predict_into(text, k, threshold, &mut Scratch::default(), &mut out);
        out.into_iter()
            .map(|(i, p)| (self.labels[i].as_str(), p))
            .collect()
    }

    /// [`FastText::predict`] into `out` as (label index, probability), reusing `scratch`.
    pub fn predict_into(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        scratch: &mut Scratch,
        out: &mut Vec<(usize, f32)>,
    ) {
        out.clear();
        self.dict
            .line_rows(text, &mut scratch.rows, &mut scratch.line);
        if scratch.rows.is_empty() {
            return;
        }
        scratch.hidden.resize(self.args.dim as usize, 0.0);
        self.input.average_rows(&mut scratch.hidden, &scratch.rows);
        loss::predict(
            &self.loss,
            &self.output,
            &scratch.hidden,
            k,
            threshold,
            &mut scratch.heap,
            &mut scratch.loss,
        );
        out.extend(
            scratch
                .heap
                .iter()
                .map(|&(score, i)| (i as usize, score.exp())),
        );
    }
}
