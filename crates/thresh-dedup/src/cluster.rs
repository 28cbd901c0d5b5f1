//! The barrier of a dedup step: documents whose keys collide in any band are joined into
//! clusters (union-find), and every document but the first of its cluster (input order) is
//! decided a duplicate of it.
//!
//! Memory stays bounded by the corpus size times a few bytes: the observations are first
//! split into one key file per band (8 bytes per document), then each band is loaded, sorted
//! with its document indices (16 bytes per document) and scanned for runs of equal keys, one
//! band per thread at a time. The union-find array takes 4 bytes per document.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use thresh_core::BarrierWork;

use crate::decisions::{self, Duplicate};
use crate::observation;
use crate::union_find::UnionFind;

/// Sentinel key of a document with nothing to hash: never collides.
const NO_KEY: u64 = u64::MAX;

/// Which document of a cluster survives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Survivor {
    /// The first in input order (whatever order pairs are found in).
    #[default]
    First,
    /// The one datatrove's `MinhashDedupCluster` keeps: consecutive documents of each run of
    /// equal band keys are joined, band by band, union by size.
    Datatrove,
}

/// Reads every observation (`width` keys per band: the band is the `width`-tuple, compared in
/// order), clusters, writes the decisions; returns the summary.
pub fn resolve(
    work: &BarrierWork,
    bands: usize,
    width: usize,
    survivor: Survivor,
) -> Result<serde_json::Value, String> {
    fn err(path: &Path) -> impl Fn(io::Error) -> String + '_ {
        move |e| format!("{}: {e}", path.display())
    }
    let band_dir = work.dir().join("bands");
    fs::create_dir_all(&band_dir).map_err(err(&band_dir))?;
    // 1. Document table (input file, record) in input order, and one key file per band.
    let mut docs: Vec<(u32, u64)> = Vec::new();
    let band_paths: Vec<PathBuf> = (0..bands)
        .map(|b| band_dir.join(format!("{b:03}.bin")))
        .collect();
    let mut writers = band_paths
        .iter()
        .map(|p| File::create(p).map(|f| BufWriter::with_capacity(1 << 16, f)))
        .collect::<io::Result<Vec<_>>>()
        .map_err(err(&band_dir))?;
    let mut failure = None;
    for file in 0..work.files {
        let path = work.observations(file);
        observation::read_all(&path, |obs| {
            docs.push((file, obs.record));
            for (b, writer) in writers.iter_mut().enumerate() {
                for k in 0..width {
                    let key = obs.keys.get(b * width + k).copied().unwrap_or(NO_KEY);
                    if let Err(e) = writer.write_all(&key.to_le_bytes()) {
                        failure.get_or_insert(e);
                    }
                }
            }
        })
        .map_err(err(&path))?;
    }
    if let Some(e) = failure {
        return Err(err(&band_dir)(e));
    }
    for w in writers {
        w.into_inner().map_err(|e| err(&band_dir)(e.into_error()))?;
    }
    if docs.len() >= u32::MAX as usize {
        return Err("more than 4,294,967,294 documents at one dedup step".into());
    }
    // 2. Candidate pairs, band by band (bands in parallel), joined in a union-find.
    let mut sets = match survivor {
        Survivor::First => UnionFind::new(docs.len()),
        Survivor::Datatrove => UnionFind::by_size(docs.len()),
    };
    let threads = work.threads.max(1).min(bands.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if b >= bands {
                    break;
                }
                let pairs = band_pairs(&band_paths[b], docs.len(), width, survivor);
                results
                    .lock()
                    .expect("no panics hold the lock")
                    .push((b, pairs));
            });
        }
    });
    // Bands in order: with unions by size the order decides the roots.
    let mut results = results.into_inner().expect("no panics hold the lock");
    results.sort_by_key(|(b, _)| *b);
    for (_, pairs) in results {
        for (a, b) in pairs.map_err(err(&band_dir))? {
            sets.union(a, b);
        }
    }
    let _ = fs::remove_dir_all(&band_dir);
    // 3. Clusters: sizes, survivors, the duplicates of each input file.
    let roots: Vec<u32> = (0..docs.len() as u32).map(|i| sets.find(i)).collect();
    let mut sizes: HashMap<u32, u32> = HashMap::new();
    for (i, &root) in roots.iter().enumerate() {
        if root != i as u32 {
            *sizes.entry(root).or_insert(1) += 1;
        }
    }
    // Survivor ids, read back from the observations.
    let mut ids: HashMap<u32, String> = HashMap::with_capacity(sizes.len());
    let mut index = 0u32;
    for file in 0..work.files {
        let path = work.observations(file);
        observation::read_all(&path, |obs| {
            if sizes.contains_key(&index) {
                ids.insert(index, obs.id.clone());
            }
            index += 1;
        })
        .map_err(err(&path))?;
    }
    let mut per_file: BTreeMap<u32, Vec<(u64, Duplicate)>> = BTreeMap::new();
    for (i, &root) in roots.iter().enumerate() {
        if root != i as u32 {
            let (file, record) = docs[i];
            per_file.entry(file).or_default().push((
                record,
                Duplicate {
                    cluster: root as u64,
                    size: sizes[&root],
                    survivor: ids[&root].clone(),
                },
            ));
        }
    }
    for file in 0..work.files {
        let path = work.decisions(file);
        decisions::write(&path, per_file.get(&file).map_or(&[][..], |v| &v[..]))
            .map_err(err(&path))?;
    }
    Ok(summary(docs.len(), &sizes))
}

/// The pairs of one band's key file: within each run of documents with equal keys (in key
/// order, then input order), (first, each other) — or (previous, next) as datatrove pairs them.
fn band_pairs(
    path: &Path,
    docs: usize,
    width: usize,
    survivor: Survivor,
) -> io::Result<Vec<(u32, u32)>> {
    let mut bytes = Vec::with_capacity(docs * 8 * width);
    File::open(path)?.read_to_end(&mut bytes)?;
    let key = |i: usize, k: usize| {
        let at = (i * width + k) * 8;
        u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
    };
    // (first key, second key or 0, document): two keys are enough for every step here.
    let mut keyed: Vec<(u64, u64, u32)> = (0..docs)
        .map(|i| (key(i, 0), if width > 1 { key(i, 1) } else { 0 }, i as u32))
        .filter(|&(k, _, _)| k != NO_KEY)
        .collect();
    drop(bytes);
    keyed.sort_unstable();
    let mut pairs = Vec::new();
    for run in keyed.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        for (i, other) in run.iter().enumerate().skip(1) {
            let partner = match survivor {
                Survivor::First => run[0].2,
                Survivor::Datatrove => run[i - 1].2,
            };
            pairs.push((partner, other.2));
        }
    }
    Ok(pairs)
}

/// The step's report: documents, clusters, removals and the cluster-size histogram.
fn summary(docs: usize, sizes: &HashMap<u32, u32>) -> serde_json::Value {
    let removed: u64 = sizes.values().map(|&s| s as u64 - 1).sum();
    let mut histogram: BTreeMap<&str, u64> = BTreeMap::new();
    for &size in sizes.values() {
        let bucket = match size {
            2 => "2",
            3..=5 => "3-5",
            6..=10 => "6-10",
            11..=100 => "11-100",
            _ => ">100",
        };
        *histogram.entry(bucket).or_default() += 1;
    }
    let mut largest: Vec<u32> = sizes.values().copied().collect();
    largest.sort_unstable_by(|a, b| b.cmp(a));
    largest.truncate(5);
    json!({
        "documents": docs,
        "clusters": sizes.len(),
        "duplicates_removed": removed,
        "cluster_sizes": histogram,
        "largest_clusters": largest,
    })
}
