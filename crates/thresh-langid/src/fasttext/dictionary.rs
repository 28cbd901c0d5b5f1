//! fastText's dictionary: vocabulary lookup, tokenisation of a line, character n-grams and
//! word n-grams hashed into buckets, exactly as `dictionary.cc` does it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The end-of-sentence token fastText inserts at a newline.
pub(crate) const EOS: &[u8] = b"</s>";
/// The prefix that marks an out-of-vocabulary token as a label (fastText's default `-label`).
const LABEL_PREFIX: &[u8] = b"__label__";
/// Multiplier of fastText's word n-gram hash (`addWordNgrams`).
const WORD_NGRAM_MULTIPLIER: u64 = 116_049_371;

/// fastText's FNV-1a variant: each byte is sign-extended before the xor
/// (`h = h ^ uint32_t(int8_t(c)); h *= 16777619`).
pub fn hash(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |h, &b| hash_step(h, b))
}

#[inline]
fn hash_step(h: u32, b: u8) -> u32 {
    (h ^ (b as i8 as i32 as u32)).wrapping_mul(16_777_619)
}

/// fastText's whitespace: space, `\n`, `\r`, `\t`, `\v`, `\f` and NUL.
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c | 0)
}

/// Calls `f(start, end, hash)` for every character n-gram of `word` (already wrapped in `<` `>`)
/// in fastText's order (`computeSubwords`): by start character, then by length; n-gram
/// boundaries fall on UTF-8 character starts, and the lone `<` and `>` are skipped.
/// `minn` and `maxn` compare as unsigned, as in C++ (a negative `maxn` means no upper bound).
fn for_each_char_ngram(word: &[u8], minn: i32, maxn: i32, mut f: impl FnMut(usize, usize, u32)) {
    let minn = minn as i64 as u64;
    let maxn = maxn as i64 as u64;
    let is_continuation = |b: u8| b & 0xC0 == 0x80;
    for i in 0..word.len() {
        if is_continuation(word[i]) {
            continue;
        }
        let mut h = 2_166_136_261u32;
        let mut j = i;
        let mut n = 1u64;
        while j < word.len() && n <= maxn {
            h = hash_step(h, word[j]);
            j += 1;
            while j < word.len() && is_continuation(word[j]) {
                h = hash_step(h, word[j]);
                j += 1;
            }
            if n >= minn && !(n == 1 && (i == 0 || j == word.len())) {
                f(i, j, h);
            }
            n += 1;
        }
    }
}

/// The character n-grams fastText extracts from `word` for lengths `minn..=maxn` (in
/// characters), in its order, computed on `<word>`.
pub fn char_ngrams(word: &str, minn: i32, maxn: i32) -> Vec<String> {
    let wrapped = format!("<{word}>");
    let mut out = Vec::new();
    for_each_char_ngram(wrapped.as_bytes(), minn, maxn, |s, e, _| {
        out.push(String::from_utf8_lossy(&wrapped.as_bytes()[s..e]).into_owned());
    });
    out
}

/// Whether a dictionary entry is a word or a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryType {
    Word,
    Label,
}

/// One dictionary entry as stored in the model file.
pub(crate) struct Entry {
    pub word: Vec<u8>,
    pub count: i64,
    pub kind: EntryType,
}

/// A hasher for `i32` keys of the pruning map: a multiplicative mix, so that hashbrown's
/// high control bits are well spread.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_i32(&mut self, i: i32) {
        self.0 = (i as u32 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The n-gram bucket map of a pruned (quantised with `cutoff`) model: bucket → row offset.
pub(crate) type PruneMap = HashMap<i32, i32, BuildHasherDefault<IdHasher>>;

/// How n-gram buckets map to input rows.
pub(crate) enum Pruning {
    /// Not pruned: bucket `b` is row `nwords + b`.
    None,
    /// Pruned: only the listed buckets have rows (`pruneidx_size_ > 0`).
    Map(PruneMap),
    /// Pruned to nothing (`pruneidx_size_ == 0`): no n-gram rows at all.
    All,
}

/// The loaded dictionary with fastText's lookup table and precomputed subwords.
pub(crate) struct Dictionary {
    words: Vec<Entry>,
    nwords: i32,
    /// fastText's `word2int_`: open addressing on [`hash`], linear probing.
    word2int: Vec<i32>,
    /// Subword rows of each in-vocabulary word (`[id, n-gram rows...]`), flattened.
    subwords: Vec<i32>,
    subword_offsets: Vec<usize>,
    pruning: Pruning,
    minn: i32,
    maxn: i32,
    bucket: i32,
    word_ngrams: i32,
}

/// Reusable buffers for turning a line into input rows.
#[derive(Default)]
pub(crate) struct LineBuffers {
    wrapped: Vec<u8>,
    word_hashes: Vec<i32>,
}

impl Dictionary {
    /// Builds the lookup table and subwords (`Dictionary::load`'s `initNgrams` and `word2int_`).
    /// `entries` must hold `nwords` words followed by labels; `bucket` must be ≥ 0.
    pub(crate) fn new(
        words: Vec<Entry>,
        nwords: i32,
        pruning: Pruning,
        minn: i32,
        maxn: i32,
        bucket: i32,
        word_ngrams: i32,
    ) -> Dictionary {
        let size = words.len();
        let table_size = (size as f64 / 0.7).ceil() as usize;
        let mut dict = Dictionary {
            words,
            nwords,
            word2int: vec![-1; table_size.max(1)],
            subwords: Vec::new(),
            subword_offsets: vec![0],
            pruning,
            minn,
            maxn,
            bucket,
            word_ngrams,
        };
        for i in 0..size {
            let slot = dict.find(&dict.words[i].word, hash(&dict.words[i].word));
            dict.word2int[slot] = i as i32;
        }
        if maxn > 0 {
            let mut subwords = Vec::new();
            let mut wrapped = Vec::new();
            for i in 0..nwords as usize {
                subwords.push(i as i32);
                let word = &dict.words[i].word;
                if word != EOS {
                    wrap(&mut wrapped, word);
                    dict.push_char_ngrams(&wrapped, &mut subwords);
                }
                dict.subword_offsets.push(subwords.len());
            }
            dict.subwords = subwords;
        }
        dict
    }

    /// The entries (words, then labels).
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.words
    }

    /// fastText's `find`: the table slot of `w`.
    fn find(&self, w: &[u8], h: u32) -> usize {
        let len = self.word2int.len();
        let mut id = (h as usize) % len;
        loop {
            let slot = self.word2int[id];
            if slot == -1 || self.words[slot as usize].word == w {
                return id;
            }
            id = (id + 1) % len;
        }
    }

    /// fastText's `pushHash`: adds the row of n-gram bucket `id`, if it has one.
    #[inline]
    fn push_hash(&self, rows: &mut Vec<i32>, id: i32) {
        if id < 0 {
            return;
        }
        match &self.pruning {
            Pruning::None => rows.push(self.nwords + id),
            Pruning::Map(map) => {
                if let Some(&row) = map.get(&id) {
                    rows.push(self.nwords + row);
                }
            }
            Pruning::All => {}
        }
    }

    fn push_char_ngrams(&self, wrapped: &[u8], rows: &mut Vec<i32>) {
        if self.bucket == 0 {
            return;
        }
        let bucket = self.bucket as u32;
        for_each_char_ngram(wrapped, self.minn, self.maxn, |_, _, h| {
            self.push_hash(rows, (h % bucket) as i32);
        });
    }

    /// fastText's `getLine` on `text` followed by a newline, as Python's `predict` feeds it:
    /// the input rows of the first line (words, their character n-grams, `</s>`, then word
    /// n-grams) are written to `rows`. Labels in the text are ignored.
    pub(crate) fn line_rows(&self, text: &str, rows: &mut Vec<i32>, buf: &mut LineBuffers) {
        rows.clear();
        buf.word_hashes.clear();
        let bytes = text.as_bytes();
        let line = match bytes.iter().position(|&b| b == b'\n') {
            Some(end) => &bytes[..end],
            None => bytes,
        };
        let mut tokens = line
            .split(|&b| is_space(b))
            .filter(|t| !t.is_empty())
            .chain(std::iter::once(EOS));
        for token in &mut tokens {
            let h = hash(token);
            let slot = self.word2int[self.find(token, h)];
            let kind = if slot < 0 {
                if token.starts_with(LABEL_PREFIX) {
                    EntryType::Label
                } else {
                    EntryType::Word
                }
            } else {
                self.words[slot as usize].kind
            };
            if kind == EntryType::Word {
                self.add_subwords(rows, token, slot, &mut buf.wrapped);
                buf.word_hashes.push(h as i32);
            }
            if token == EOS {
                break;
            }
        }
        self.add_word_ngrams(rows, &buf.word_hashes);
    }

    /// fastText's `addSubwords`.
    fn add_subwords(&self, rows: &mut Vec<i32>, token: &[u8], wid: i32, wrapped: &mut Vec<u8>) {
        if wid < 0 {
            if token != EOS {
                wrap(wrapped, token);
                self.push_char_ngrams(wrapped, rows);
            }
        } else if self.maxn <= 0 {
            rows.push(wid);
        } else {
            let w = wid as usize;
            let range = self.subword_offsets[w]..self.subword_offsets[w + 1];
            rows.extend_from_slice(&self.subwords[range]);
        }
    }

    /// fastText's `addWordNgrams`: hashes (sign-extended to 64 bits) are combined as
    /// `h = h * 116049371 + hash[j]` and taken modulo `bucket`.
    fn add_word_ngrams(&self, rows: &mut Vec<i32>, hashes: &[i32]) {
        if self.bucket == 0 {
            return;
        }
        let bucket = self.bucket as u64;
        let n = self.word_ngrams as i64;
        for i in 0..hashes.len() {
            let mut h = hashes[i] as i64 as u64;
            let end = (hashes.len() as i64).min(i as i64 + n).max(i as i64 + 1) as usize;
            for &next in &hashes[i + 1..end] {
                h = h
                    .wrapping_mul(WORD_NGRAM_MULTIPLIER)
                    .wrapping_add(next as i64 as u64);
                self.push_hash(rows, (h % bucket) as i32);
            }
        }
    }
}

/// Writes `<word>` into `buf`.
fn wrap(buf: &mut Vec<u8>, word: &[u8]) {
    buf.clear();
    buf.push(b'<');
    buf.extend_from_slice(word);
    buf.push(b'>');
}
