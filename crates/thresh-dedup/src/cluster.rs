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
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use thresh_core::{BarrierError, BarrierWork};

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

/// How a cluster step compares documents: `bands` bands of `width` keys each (the band is the
/// `width`-tuple, compared in order), which document survives, and the memory budget.
#[derive(Clone, Copy, Debug)]
pub struct Banding {
    /// Bands per document.
    pub bands: usize,
    /// Keys per band.
    pub width: usize,
    /// Which document of a cluster survives.
    pub survivor: Survivor,
    /// Memory for sorting, in MB.
    pub memory_mb: usize,
    /// Record the survivors of clusters too (with their cluster's size), not only the
    /// duplicates.
    pub survivors: bool,
}

fn err(path: &Path) -> impl Fn(io::Error) -> BarrierError + '_ {
    BarrierError::io(path)
}

/// The bands part `part` of `parts` takes: contiguous ranges, as even as can be.
fn band_range(bands: usize, part: u32, parts: u32) -> std::ops::Range<usize> {
    let (part, parts) = (part as usize, parts.max(1) as usize);
    bands * part / parts..bands * (part + 1) / parts
}

/// One resolve part, as datatrove's bucket tasks: the candidate pairs of its range of bands
/// (in band order), written for [`resolve`] to join. A part already written is not redone.
pub fn resolve_part(
    work: &BarrierWork,
    banding: Banding,
    part: u32,
    parts: u32,
) -> Result<(), BarrierError> {
    let path = work.part(part, parts);
    if path.exists() {
        return Ok(());
    }
    let range = band_range(banding.bands, part, parts);
    let scan = scan(work, banding, range, false, false)?;
    let pairs = pairs(work, banding, &scan.band_paths)?;
    let mut out = Vec::with_capacity(pairs.len() * 8);
    for (a, b) in pairs {
        out.extend_from_slice(&a.to_le_bytes());
        out.extend_from_slice(&b.to_le_bytes());
    }
    thresh_io::store::atomic::write_atomic(&path, &out).map_err(err(&path))
}

/// The candidate pairs the resolve parts left, in part (= band) order, when every part of one
/// split has finished; `None` when none ran.
fn parts_pairs(work: &BarrierWork) -> Result<Option<Vec<(u32, u32)>>, BarrierError> {
    let dir = work.parts_dir();
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(None);
    };
    let mut found: Vec<(u32, u32)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let parsed = name
            .strip_suffix(".bin")
            .and_then(|n| n.split_once("-of-"))
            .and_then(|(p, k)| Some((p.parse().ok()?, k.parse().ok()?)));
        found.extend(parsed);
    }
    let Some(&(_, parts)) = found.first() else {
        return Ok(None);
    };
    if found.iter().any(|&(_, k)| k != parts) {
        return Err(BarrierError::Parts(format!(
            "{}: parts of different splits side by side; rerun with --overwrite",
            dir.display()
        )));
    }
    let missing: Vec<String> = (0..parts)
        .filter(|p| !found.iter().any(|&(q, _)| q == *p))
        .map(|p| p.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(BarrierError::Parts(format!(
            "resolve parts {} of {parts} have not finished: run them first (--rank R --world-size {parts})",
            missing.join(", ")
        )));
    }
    let mut pairs = Vec::new();
    for part in 0..parts {
        let path = work.part(part, parts);
        let bytes = fs::read(&path).map_err(err(&path))?;
        pairs.extend(bytes.chunks_exact(8).map(|c| {
            (
                u32::from_le_bytes(c[0..4].try_into().expect("four bytes")),
                u32::from_le_bytes(c[4..8].try_into().expect("four bytes")),
            )
        }));
    }
    Ok(Some(pairs))
}

/// What one reading of the observations gives: the document table (work unit, record) in
/// input order, the shingle sets (when verifying), and one key file per band of the range.
struct Scan {
    docs: Vec<(u32, u64)>,
    shingles: Vec<Vec<u64>>,
    band_paths: Vec<PathBuf>,
}

fn scan(
    work: &BarrierWork,
    banding: Banding,
    range: std::ops::Range<usize>,
    keep_docs: bool,
    keep_shingles: bool,
) -> Result<Scan, BarrierError> {
    let Banding { bands, width, .. } = banding;
    let band_dir = work.dir.join("bands");
    fs::create_dir_all(&band_dir).map_err(err(&band_dir))?;
    let mut docs: Vec<(u32, u64)> = Vec::new();
    let mut shingles: Vec<Vec<u64>> = Vec::new();
    // Named by process as well: resolve parts on one machine share the directory.
    let band_paths: Vec<PathBuf> = range
        .clone()
        .map(|b| band_dir.join(format!("{b:03}-{}.bin", std::process::id())))
        .collect();
    let mut writers = band_paths
        .iter()
        .map(|p| File::create(p).map(|f| BufWriter::with_capacity(1 << 16, f)))
        .collect::<io::Result<Vec<_>>>()
        .map_err(err(&band_dir))?;
    let mut failure = None;
    let mut count = 0usize;
    for file in work.unit_ids() {
        let path = work.observations(file);
        observation::read_all(&path, |obs| {
            count += 1;
            if keep_docs {
                docs.push((file, obs.record));
            }
            if keep_shingles {
                shingles.push(obs.keys.get(bands * width..).unwrap_or_default().to_vec());
            }
            for (b, writer) in range.clone().zip(writers.iter_mut()) {
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
    if count >= u32::MAX as usize {
        return Err(BarrierError::Limit(
            "more than 4,294,967,294 documents at one dedup step".into(),
        ));
    }
    Ok(Scan {
        docs,
        shingles,
        band_paths,
    })
}

/// The candidate pairs of the bands in `band_paths` (sorted in parallel, within the memory
/// budget), in band order — with unions by size, the order decides the roots. The key files
/// are removed.
fn pairs(
    work: &BarrierWork,
    banding: Banding,
    band_paths: &[PathBuf],
) -> Result<Vec<(u32, u32)>, BarrierError> {
    let threads = work.threads.max(1).min(band_paths.len().max(1));
    // Each thread sorts one band at a time within its share of the memory budget.
    let max_entries = (banding.memory_mb.max(1) << 20) / ENTRY_BYTES / threads;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = band_paths.get(b) else {
                    break;
                };
                let pairs = band_pairs(path, banding.width, banding.survivor, max_entries);
                let _ = fs::remove_file(path);
                results
                    .lock()
                    .expect("no panics hold the lock")
                    .push((b, pairs));
            });
        }
    });
    let mut results = results.into_inner().expect("no panics hold the lock");
    results.sort_by_key(|(b, _)| *b);
    let mut all = Vec::new();
    for (b, pairs) in results {
        all.extend(pairs.map_err(err(&band_paths[b]))?);
    }
    Ok(all)
}

/// Reads every observation, clusters, writes the decisions; returns the summary. The
/// candidate pairs come from the resolve parts when they ran ([`resolve_part`]), else from
/// here. With `verify = Some(t)`, the keys after the bands are the document's sorted shingle
/// hashes, and a candidate pair is only joined when the exact Jaccard similarity of their
/// shingle sets is at least `t` (the shingle sets are then held in memory: 8 bytes per
/// distinct shingle).
pub fn resolve(
    work: &BarrierWork,
    banding: Banding,
    verify: Option<f64>,
) -> Result<serde_json::Value, BarrierError> {
    // 1. Document table and candidate pairs.
    let (scan, pairs) = match parts_pairs(work)? {
        Some(pairs) => (scan(work, banding, 0..0, true, verify.is_some())?, pairs),
        None => {
            let scan = scan(work, banding, 0..banding.bands, true, verify.is_some())?;
            let pairs = pairs(work, banding, &scan.band_paths)?;
            (scan, pairs)
        }
    };
    let Scan { docs, shingles, .. } = scan;
    // 2. Candidate pairs joined in a union-find.
    let mut sets = match banding.survivor {
        Survivor::First => UnionFind::new(docs.len()),
        Survivor::Datatrove => UnionFind::by_size(docs.len()),
    };
    let mut rejected = 0u64;
    for (a, b) in pairs {
        if let Some(threshold) = verify {
            if jaccard(&shingles[a as usize], &shingles[b as usize]) < threshold {
                rejected += 1;
                continue;
            }
        }
        sets.union(a, b);
    }
    drop(shingles);
    // 3. Clusters: sizes, survivors, the duplicates of each work unit.
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
    for file in work.unit_ids() {
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
        let kept = root == i as u32;
        if !kept || (banding.survivors && sizes.contains_key(&root)) {
            let (file, record) = docs[i];
            per_file.entry(file).or_default().push((
                record,
                Duplicate {
                    cluster: root as u64,
                    size: sizes[&root],
                    survivor: ids[&root].clone(),
                    kept,
                },
            ));
        }
    }
    for file in work.unit_ids() {
        let path = work.decisions(file);
        decisions::write(&path, per_file.get(&file).map_or(&[][..], |v| &v[..]))
            .map_err(err(&path))?;
    }
    let mut summary = summary(docs.len(), &sizes);
    if verify.is_some() {
        summary["candidate_pairs_rejected"] = rejected.into();
    }
    Ok(summary)
}

/// Jaccard similarity of two sorted, duplicate-free sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f64 / union as f64
    }
}

/// One document's entry in a band: (first key, second key or 0, document index).
type Entry = (u64, u64, u32);
const ENTRY_BYTES: usize = 20;

/// The pairs of one band's key file: within each run of documents with equal keys (in key
/// order, then input order), (first, each other) — or (previous, next) as datatrove pairs them.
/// At most `max_entries` entries are sorted in memory at once; a larger band is sorted in runs
/// spilled next to the key file and merged (external sort).
fn band_pairs(
    path: &Path,
    width: usize,
    survivor: Survivor,
    max_entries: usize,
) -> io::Result<Vec<(u32, u32)>> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut chunk: Vec<Entry> = Vec::new();
    let mut runs: Vec<PathBuf> = Vec::new();
    let mut word = [0u8; 8];
    let mut index = 0u32;
    let mut pairs = Vec::new();
    loop {
        let mut keys = [0u64; 2];
        let mut complete = true;
        for (k, key) in keys.iter_mut().enumerate().take(width.min(2)) {
            match reader.read_exact(&mut word) {
                Ok(()) => *key = u64::from_le_bytes(word),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && k == 0 => {
                    complete = false;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        for _ in 2..width {
            reader.read_exact(&mut word)?;
        }
        if !complete {
            break;
        }
        if keys[0] != NO_KEY {
            chunk.push((keys[0], keys[1], index));
        }
        index += 1;
        if chunk.len() >= max_entries.max(1) {
            chunk.sort_unstable();
            let run = path.with_extension(format!("run{}", runs.len()));
            let mut w = BufWriter::new(File::create(&run)?);
            for &(a, b, i) in &chunk {
                w.write_all(&a.to_le_bytes())?;
                w.write_all(&b.to_le_bytes())?;
                w.write_all(&i.to_le_bytes())?;
            }
            w.flush()?;
            runs.push(run);
            chunk.clear();
        }
    }
    chunk.sort_unstable();
    if runs.is_empty() {
        emit_pairs(chunk.into_iter(), survivor, &mut pairs);
        return Ok(pairs);
    }
    // Merge the spilled runs and the last chunk.
    let mut readers = runs
        .iter()
        .map(|r| File::open(r).map(|f| BufReader::with_capacity(1 << 16, f)))
        .collect::<io::Result<Vec<_>>>()?;
    let read_entry = |r: &mut BufReader<File>| -> io::Result<Option<Entry>> {
        let mut buf = [0u8; ENTRY_BYTES];
        match r.read_exact(&mut buf) {
            Ok(()) => Ok(Some((
                u64::from_le_bytes(buf[0..8].try_into().expect("eight bytes")),
                u64::from_le_bytes(buf[8..16].try_into().expect("eight bytes")),
                u32::from_le_bytes(buf[16..20].try_into().expect("four bytes")),
            ))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    };
    let mut heap = std::collections::BinaryHeap::new();
    for (r, reader) in readers.iter_mut().enumerate() {
        if let Some(e) = read_entry(reader)? {
            heap.push(std::cmp::Reverse((e, r)));
        }
    }
    let last = readers.len();
    let mut tail = chunk.into_iter();
    if let Some(e) = tail.next() {
        heap.push(std::cmp::Reverse((e, last)));
    }
    let mut merged = Vec::new();
    let mut failure = None;
    let stream = std::iter::from_fn(|| {
        let std::cmp::Reverse((e, r)) = heap.pop()?;
        let next = if r == last {
            Ok(tail.next())
        } else {
            read_entry(&mut readers[r])
        };
        match next {
            Ok(Some(n)) => heap.push(std::cmp::Reverse((n, r))),
            Ok(None) => {}
            Err(err) => {
                failure.get_or_insert(err);
            }
        }
        Some(e)
    });
    emit_pairs(stream, survivor, &mut merged);
    for run in &runs {
        let _ = std::fs::remove_file(run);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(merged)
}

/// The pairs of a key-sorted stream of entries (see [`band_pairs`]).
fn emit_pairs(
    entries: impl Iterator<Item = Entry>,
    survivor: Survivor,
    pairs: &mut Vec<(u32, u32)>,
) {
    let mut current: Option<(u64, u64)> = None;
    let (mut first, mut previous) = (0u32, 0u32);
    for (a, b, i) in entries {
        if current == Some((a, b)) {
            let partner = match survivor {
                Survivor::First => first,
                Survivor::Datatrove => previous,
            };
            pairs.push((partner, i));
        } else {
            current = Some((a, b));
            first = i;
        }
        previous = i;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes observations (record, id, keys) for work unit `file` (one file each) and returns the work.
    fn work_with(dir: &Path, files: &[Vec<(u64, &str, Vec<u64>)>]) -> BarrierWork {
        let work = BarrierWork {
            dir: dir.to_path_buf(),
            units: (0..files.len() as u32)
                .map(|id| thresh_core::WorkUnit { id, files: 1 })
                .collect(),
            threads: 2,
            staged: dir.join("staged"),
        };
        for (f, docs) in files.iter().enumerate() {
            let mut out = Vec::new();
            for (record, id, keys) in docs {
                observation::write(&mut out, *record, id, keys);
            }
            let path = work.observations(f as u32);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, out).unwrap();
        }
        work
    }

    fn banding(bands: usize, width: usize) -> Banding {
        Banding {
            bands,
            width,
            survivor: Survivor::First,
            memory_mb: 64,
            survivors: false,
        }
    }

    fn duplicates(work: &BarrierWork, file: u32) -> HashMap<u64, Duplicate> {
        decisions::read(&fs::read(work.decisions(file)).unwrap()).unwrap()
    }

    #[test]
    fn documents_sharing_a_band_cluster_and_the_first_survives() {
        let dir = tempfile::tempdir().unwrap();
        // Two bands. a–b share band 0, b–c band 1 (so a, b, c are one cluster); d is alone; e
        // has no keys at all.
        let work = work_with(
            dir.path(),
            &[
                vec![(1, "a", vec![10, 20]), (2, "d", vec![11, 21])],
                vec![
                    (1, "b", vec![10, 30]),
                    (2, "c", vec![12, 30]),
                    (3, "e", vec![]),
                ],
            ],
        );
        let summary = resolve(&work, banding(2, 1), None).unwrap();
        assert_eq!(summary["clusters"], 1);
        assert_eq!(summary["duplicates_removed"], 2);
        assert!(duplicates(&work, 0).is_empty());
        let second = duplicates(&work, 1);
        assert_eq!(second.len(), 2);
        assert_eq!(second[&1].survivor, "a");
        assert_eq!(second[&2].survivor, "a");
        assert_eq!(second[&2].size, 3);
    }

    #[test]
    fn resolve_parts_each_take_a_range_of_bands_and_the_resolve_joins_them() {
        assert_eq!(band_range(14, 0, 4), 0..3);
        assert_eq!(band_range(14, 3, 4), 10..14);
        assert_eq!(band_range(2, 0, 3), 0..0);
        let dir = tempfile::tempdir().unwrap();
        let work = work_with(
            dir.path(),
            &[vec![
                (1, "a", vec![10, 20]),
                (2, "b", vec![10, 30]),
                (3, "c", vec![12, 30]),
            ]],
        );
        // Part 0 of 2 holds band 0 (a–b), part 1 band 1 (b–c); the join needs both.
        resolve_part(&work, banding(2, 1), 1, 2).unwrap();
        let err = resolve(&work, banding(2, 1), None).unwrap_err();
        assert!(
            err.to_string()
                .contains("resolve parts 0 of 2 have not finished"),
            "{err}"
        );
        resolve_part(&work, banding(2, 1), 0, 2).unwrap();
        let pairs = fs::read(work.part(0, 2)).unwrap();
        assert_eq!(pairs, [0u32, 1].map(u32::to_le_bytes).concat());
        let summary = resolve(&work, banding(2, 1), None).unwrap();
        assert_eq!(summary["duplicates_removed"], 2);
        assert_eq!(duplicates(&work, 0)[&3].survivor, "a");
    }

    #[test]
    fn a_band_larger_than_the_memory_budget_is_sorted_in_runs_and_merged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("band.bin");
        // 1,000 documents, width 2, keys drawn from a small range so runs cross chunks.
        let mut bytes = Vec::new();
        for i in 0..1000u64 {
            let key = if i % 7 == 3 { NO_KEY } else { (i * 7919) % 37 };
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&(i % 3).to_le_bytes());
        }
        fs::write(&path, &bytes).unwrap();
        for survivor in [Survivor::First, Survivor::Datatrove] {
            let in_memory = band_pairs(&path, 2, survivor, usize::MAX).unwrap();
            let spilled = band_pairs(&path, 2, survivor, 10).unwrap();
            assert!(in_memory.len() > 600, "{}", in_memory.len());
            assert_eq!(in_memory, spilled);
        }
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "runs are removed");
    }

    #[test]
    fn verification_rejects_candidates_whose_shingles_differ() {
        let dir = tempfile::tempdir().unwrap();
        // One band (width 1) shared by all three; shingles after it.
        let work = work_with(
            dir.path(),
            &[vec![
                (1, "a", vec![7, 1, 2, 3, 4]),
                (2, "b", vec![7, 1, 2, 3, 5]),
                (3, "c", vec![7, 8, 9]),
            ]],
        );
        let summary = resolve(&work, banding(1, 1), Some(0.5)).unwrap();
        assert_eq!(summary["candidate_pairs_rejected"], 1);
        let dups = duplicates(&work, 0);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[&2].survivor, "a");
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3, 4], &[3, 4, 5, 6]), 2.0 / 6.0);
        assert_eq!(jaccard(&[1, 2], &[1, 2]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard(&[], &[]), 1.0);
    }
}
