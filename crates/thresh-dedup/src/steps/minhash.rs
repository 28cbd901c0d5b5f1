//! `minhash_dedup`: near-duplicate removal with MinHash and locality-sensitive hashing, as
//! datatrove's four MinHash stages (FineWeb's setting) compute it, in one step.
//!
//! Per document: datatrove's `simplify_text`, its word tokenizer for the language, word
//! n-gram shingles (`n_grams`, default 5) joined by spaces and hashed with xxHash64, and
//! `num_buckets × hashes_per_bucket` (14 × 8) MinHash values `min((a·s + b) mod (2⁶¹ − 1))`
//! with datatrove's `(a, b)` (numpy `RandomState(seed)`). Two documents are candidates when
//! all values of one band (bucket) agree; candidates are clustered (union-find) and every
//! document but the first of its cluster is dropped.

use serde::Deserialize;
use thresh_core::{Barrier, BarrierError, BarrierWork, Document, Step, StepCx, Verdict};
use thresh_text::segment::Segmenter;
use xxhash_rust::xxh3::xxh3_64_with_seed;
use xxhash_rust::xxh64::xxh64;

use crate::decisions::{self, Decisions, Duplicate};
use crate::mt19937::Mt19937;
use crate::normalize::TextNorm;
use crate::{cluster, observation};

/// The Mersenne prime 2⁶¹ − 1 of datatrove's universal hashing.
const MERSENNE: u64 = (1 << 61) - 1;

/// `x % (2⁶¹ − 1)` without a division: 2⁶¹ ≡ 1, so the high bits add to the low ones.
#[inline]
fn mod_mersenne(x: u64) -> u64 {
    let folded = (x & MERSENNE) + (x >> 61);
    if folded >= MERSENNE {
        folded - MERSENNE
    } else {
        folded
    }
}

/// Parameters of `minhash_dedup` (datatrove's `MinhashConfig` names and defaults).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MinhashDedupParams {
    /// Words per shingle.
    pub n_grams: usize,
    /// Bands (datatrove: buckets).
    pub num_buckets: usize,
    /// MinHash values per band.
    pub hashes_per_bucket: usize,
    /// Seed of the permutation parameters.
    pub seed: u32,
    /// Word tokenizer language; default: the document's `thresh.lang`, else English
    /// (datatrove's `language` default).
    pub language: Option<String>,
    /// Which document of a cluster survives: `"first"` in input order, or `"datatrove"`,
    /// the one datatrove keeps (its union-by-size order), for parity runs.
    pub survivor: cluster::Survivor,
    /// Verify candidate pairs: join two documents only when the exact Jaccard similarity of
    /// their shingle sets reaches this (removes LSH false positives; the shingle sets are held
    /// in memory while resolving). Off by default, as in datatrove.
    pub jaccard_threshold: Option<f64>,
    /// Memory for sorting band keys at the barrier (split among threads); a band beyond it is
    /// sorted in runs spilled to disk and merged.
    pub max_memory_mb: usize,
    /// An annotation (`thresh.<group_by>`, e.g. `"lang"` for FineWeb-2's MinHash per
    /// language) that separates the documents: clusters never cross groups.
    pub group_by: Option<String>,
    /// Annotate every kept document with the size of its cluster (`thresh.<step>.cluster_size`,
    /// 1 for a document without duplicates), as datatrove's `MinhashDedupFilter` with
    /// `load_cluster_sizes` puts `minhash_cluster_size` in the metadata (FineWeb-2's
    /// rehydration uses it).
    pub load_cluster_sizes: bool,
    /// Text normalization before shingling (datatrove's `TextNormConfig`, all on).
    #[serde(flatten)]
    pub norm: TextNorm,
}

impl Default for MinhashDedupParams {
    fn default() -> Self {
        MinhashDedupParams {
            n_grams: 5,
            num_buckets: 14,
            hashes_per_bucket: 8,
            seed: 1,
            language: None,
            survivor: cluster::Survivor::First,
            jaccard_threshold: None,
            max_memory_mb: 4096,
            group_by: None,
            load_cluster_sizes: false,
            norm: TextNorm::default(),
        }
    }
}

/// The `minhash_dedup` step.
pub struct MinhashDedup {
    params: MinhashDedupParams,
    a: Vec<u64>,
    b: Vec<u64>,
    decisions: Decisions<Duplicate>,
}

impl MinhashDedup {
    /// A step with the given parameters.
    pub fn new(params: MinhashDedupParams) -> Result<Self, String> {
        if params.n_grams == 0 || params.num_buckets == 0 || params.hashes_per_bucket == 0 {
            return Err("n_grams, num_buckets and hashes_per_bucket must be at least 1".into());
        }
        let hashes = params.num_buckets * params.hashes_per_bucket;
        let mut rng = Mt19937::new(params.seed);
        let a = rng.randint_u64(1, MERSENNE, hashes);
        let b = rng.randint_u64(0, MERSENNE, hashes);
        Ok(MinhashDedup {
            params,
            a,
            b,
            decisions: Decisions::new(decisions::read),
        })
    }

    /// The shingle hashes of `text` in language `lang` (none when it has fewer words than a
    /// shingle).
    pub fn shingles(&self, text: &str, lang: &str) -> Vec<u64> {
        let simple = self.params.norm.apply(text, &mut String::new());
        let words = Segmenter::for_language(lang).words(&simple);
        let n = self.params.n_grams;
        let mut joined = String::new();
        words
            .windows(n)
            .map(|w| {
                joined.clear();
                for (i, word) in w.iter().enumerate() {
                    if i > 0 {
                        joined.push(' ');
                    }
                    joined.push_str(word);
                }
                xxh64(joined.as_bytes(), 0)
            })
            .collect()
    }

    /// The MinHash signature of a shingle set: `num_buckets × hashes_per_bucket` values.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u64> {
        let mut mins = vec![u64::MAX; self.a.len()];
        for &s in shingles {
            for ((min, &a), &b) in mins.iter_mut().zip(&self.a).zip(&self.b) {
                // numpy: uint64 multiply and add wrap around, then `% (2**61 - 1)`.
                let v = mod_mersenne(s.wrapping_mul(a).wrapping_add(b));
                if v < *min {
                    *min = v;
                }
            }
        }
        mins
    }

    /// Two keys per band: its first value and a hash of all its values, seeded with the
    /// document's group (0: none), so that equal bands of different groups differ. Equal bands
    /// of one group have equal keys, and sorting by the keys orders bands as datatrove sorts
    /// them (by their values) except between bands that share a first value.
    pub fn band_keys(&self, signature: &[u64], group: u64) -> Vec<u64> {
        let mut keys = Vec::with_capacity(2 * self.params.num_buckets);
        let mut bytes = Vec::with_capacity(8 * self.params.hashes_per_bucket);
        for band in signature.chunks(self.params.hashes_per_bucket) {
            bytes.clear();
            bytes.extend(band.iter().flat_map(|v| v.to_le_bytes()));
            // Values are below 2^61, so neither key is ever the "no key" sentinel.
            keys.push(band[0]);
            keys.push(xxh3_64_with_seed(&bytes, group) >> 3);
        }
        keys
    }
}

impl MinhashDedup {
    /// Bands of two keys each (the band's first value and a hash of all of it).
    fn banding(&self) -> cluster::Banding {
        cluster::Banding {
            bands: self.params.num_buckets,
            width: 2,
            survivor: self.params.survivor,
            memory_mb: self.params.max_memory_mb,
            survivors: self.params.load_cluster_sizes,
        }
    }
}

impl Step for MinhashDedup {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        crate::apply(
            &self.decisions,
            doc,
            cx,
            "near_duplicate",
            self.params.load_cluster_sizes,
        )
    }

    fn barrier(&self) -> Option<&dyn Barrier> {
        Some(self)
    }
}

impl Barrier for MinhashDedup {
    fn observe(&self, doc: &Document, out: &mut Vec<u8>) {
        let lang = thresh_text::language::step_language(self.params.language.as_deref(), doc);
        let shingles = self.shingles(&doc.text, lang);
        let mut keys = if shingles.is_empty() {
            Vec::new()
        } else {
            let group = crate::group_seed(self.params.group_by.as_deref(), doc);
            self.band_keys(&self.signature(&shingles), group)
        };
        if self.params.jaccard_threshold.is_some() && !keys.is_empty() {
            // The shingle set after the bands, for verifying candidate pairs.
            let mut set = shingles;
            set.sort_unstable();
            set.dedup();
            keys.extend(set);
        }
        observation::write(out, doc.origin.record, &doc.id, &keys);
    }

    fn resolve(&self, work: &BarrierWork) -> Result<serde_json::Value, BarrierError> {
        cluster::resolve(work, self.banding(), self.params.jaccard_threshold)
    }

    fn splits(&self) -> bool {
        true
    }

    fn resolve_part(&self, work: &BarrierWork, part: u32, parts: u32) -> Result<(), BarrierError> {
        cluster::resolve_part(work, self.banding(), part, parts)
    }

    fn open(&self, work: &BarrierWork) -> Result<(), BarrierError> {
        self.decisions.open(work)
    }

    fn release(&self, file: u32) {
        self.decisions.release(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Identical documents (up to case and spacing) always end in one cluster, whatever
        /// else the corpus holds and wherever the copies are.
        #[test]
        fn identical_documents_are_always_clustered(
            docs in proptest::collection::vec(proptest::collection::vec(0usize..40, 5..30), 2..12),
            copies in proptest::collection::vec((0usize..12, 0usize..12), 1..6),
        ) {
            let words = |d: &Vec<usize>| d.iter().map(|w| format!("w{w}")).collect::<Vec<_>>().join(" ");
            let mut texts: Vec<String> = docs.iter().map(words).collect();
            for (src, at) in copies {
                let src = src % texts.len();
                let at = at % (texts.len() + 1);
                let copy = format!("  {} ", texts[src].to_uppercase());
                texts.insert(at, copy);
            }
            let step = MinhashDedup::new(MinhashDedupParams::default()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let work = BarrierWork { dir: dir.path().to_path_buf(), units: vec![thresh_core::WorkUnit { id: 0, files: 1 }], threads: 2, staged: dir.path().join("s") };
            let mut out = Vec::new();
            for (i, t) in texts.iter().enumerate() {
                let keys = step.band_keys(&step.signature(&step.shingles(t, "en")), 0);
                observation::write(&mut out, i as u64, &format!("d{i}"), &keys);
            }
            std::fs::create_dir_all(work.observations(0).parent().unwrap()).unwrap();
            std::fs::write(work.observations(0), out).unwrap();
            step.resolve(&work).unwrap();
            let whole = std::fs::read(work.decisions(0)).unwrap();
            // Split into three resolve parts (bucket tasks), the decisions are the same.
            for part in 0..3 {
                step.resolve_part(&work, part, 3).unwrap();
            }
            step.resolve(&work).unwrap();
            prop_assert_eq!(&std::fs::read(work.decisions(0)).unwrap(), &whole);
            let dups = decisions::read(&whole).unwrap();
            // Every document whose normalized text equals an earlier one's is a duplicate.
            let norm: Vec<String> = texts.iter().map(|t| t.trim().to_lowercase()).collect();
            for (i, n) in norm.iter().enumerate() {
                if norm[..i].contains(n) {
                    prop_assert!(dups.contains_key(&(i as u64)), "{i} not clustered");
                }
            }
        }
    }

    #[test]
    fn the_mersenne_reduction_is_the_remainder() {
        for x in [
            0,
            1,
            MERSENNE - 1,
            MERSENNE,
            MERSENNE + 1,
            2 * MERSENNE,
            u64::MAX,
            1 << 63,
        ] {
            assert_eq!(mod_mersenne(x), x % MERSENNE, "{x}");
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            assert_eq!(mod_mersenne(x), x % MERSENNE);
        }
    }

    #[test]
    fn shingles_are_datatrove_s() {
        let step = MinhashDedup::new(MinhashDedupParams::default()).unwrap();
        // datatrove: xxhash.xxh64_intdigest("hello world foo bar baz").
        assert_eq!(
            step.shingles("Hello, world! Foo bar baz.", "en"),
            vec![5587187255992174781]
        );
        assert!(step.shingles("too few words here", "en").is_empty());
    }

    #[test]
    fn identical_texts_share_every_band_and_different_ones_none() {
        let step = MinhashDedup::new(MinhashDedupParams::default()).unwrap();
        let text = "the quick brown fox jumps over the lazy dog near the old mill by the river";
        let keys = |t: &str| step.band_keys(&step.signature(&step.shingles(t, "en")), 0);
        assert_eq!(keys(text).len(), 28);
        assert_eq!(keys(text), keys(&text.to_uppercase()));
        let other =
            keys("a completely different sentence about markets, prices and interest rates today");
        assert!(keys(text).iter().zip(&other).all(|(a, b)| a != b));
    }
}
