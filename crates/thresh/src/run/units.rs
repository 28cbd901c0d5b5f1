//! Work units: consecutive input files of one task that are read, written, marked done and
//! redone together, so that a folder of many small files gives few shards and markers.
//!
//! Within a task's files, in its order (datatrove's assignment for ranks: file `i` belongs to
//! rank `i % W`), a unit grows until it holds `[input] unit_bytes` (as stored) or
//! `unit_files` files; a file at least that large is a unit of its own. A unit is named by
//! the index of its first file: its shards are `<id>-0000.jsonl.zst`, its marker
//! `.thresh/done/<id>.json` lists its files. A unit also closes before a file that a
//! finished unit holds, so a rerun after an interruption forms the unfinished units again
//! exactly as before. Later passes take pass 0's units.

use std::io;

use thresh_core::WorkUnit;

use super::Files;
use crate::layout::{FileRecord, Layout};

/// How large a work unit grows (`[input] unit_bytes`, `unit_files`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitLimits {
    /// Bytes of input as stored.
    pub bytes: u64,
    /// Input files.
    pub files: u32,
}

/// A work unit: its id (the index of its first file) and its files, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// The index of the first file.
    pub id: u32,
    /// The input files by index.
    pub files: Vec<u32>,
}

/// The units a pass has finished, from their markers.
pub struct Done {
    records: Vec<(u32, FileRecord)>,
    /// For every input file, the id of the finished unit that holds it.
    cover: Vec<Option<u32>>,
}

impl Done {
    /// The finished units of pass `pass` (`last`: the final pass) of a run over `inputs` files.
    pub fn load(layout: &Layout, pass: usize, last: bool, inputs: u32) -> io::Result<Done> {
        Ok(Done::from_records(layout.done_records(pass, last)?, inputs))
    }

    /// The finished units with these markers (by unit id, in order); a file held by two
    /// markers belongs to the first.
    pub fn from_records(records: Vec<(u32, FileRecord)>, inputs: u32) -> Done {
        let mut cover = vec![None; inputs as usize];
        for (id, record) in &records {
            for &file in &record.files {
                if let Some(slot) = cover.get_mut(file as usize) {
                    slot.get_or_insert(*id);
                }
            }
        }
        Done { records, cover }
    }

    /// Whether a finished unit holds input file `file`.
    pub fn covers(&self, file: u32) -> bool {
        matches!(self.cover.get(file as usize), Some(Some(_)))
    }

    /// Whether unit `id` is finished.
    pub fn has(&self, id: u32) -> bool {
        self.record(id).is_some()
    }

    /// The marker of finished unit `id`.
    pub fn record(&self, id: u32) -> Option<&FileRecord> {
        self.records
            .binary_search_by_key(&id, |(i, _)| *i)
            .ok()
            .map(|at| &self.records[at].1)
    }

    /// The finished units' markers, by unit id.
    pub fn records(&self) -> impl Iterator<Item = (u32, &FileRecord)> {
        self.records.iter().map(|(id, r)| (*id, r))
    }

    /// The finished units, by id.
    pub fn units(&self) -> impl Iterator<Item = Unit> + '_ {
        self.records.iter().map(|(id, record)| Unit {
            id: *id,
            files: record.files.clone(),
        })
    }

    /// The finished units as a barrier step sees them.
    pub fn work_units(&self) -> Vec<WorkUnit> {
        self.records
            .iter()
            .map(|(id, record)| WorkUnit {
                id: *id,
                files: record.files.len() as u32,
            })
            .collect()
    }

    /// The first of `selection`'s files among `inputs` that no finished unit holds.
    pub fn first_missing(&self, selection: &Files, inputs: u32) -> Option<u32> {
        selection
            .order(inputs)
            .into_iter()
            .find(|&i| !self.covers(i))
    }
}

/// The work units of `files` (a task's files in its order) that are not done yet, with the
/// size of each file as `size` gives it.
pub fn form(
    files: &[u32],
    size: impl Fn(u32) -> u64,
    done: &Done,
    limits: UnitLimits,
) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut open: Option<(Unit, u64)> = None;
    for &file in files {
        if done.covers(file) {
            units.extend(open.take().map(|(unit, _)| unit));
            continue;
        }
        let bytes = size(file);
        if let Some((unit, held)) = &open {
            if unit.files.len() as u32 >= limits.files || held.saturating_add(bytes) > limits.bytes
            {
                units.extend(open.take().map(|(unit, _)| unit));
            }
        }
        match &mut open {
            Some((unit, held)) => {
                unit.files.push(file);
                *held += bytes;
            }
            None => {
                open = Some((
                    Unit {
                        id: file,
                        files: vec![file],
                    },
                    bytes,
                ))
            }
        }
    }
    units.extend(open.map(|(unit, _)| unit));
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use thresh_core::Stats;

    fn record(files: &[u32]) -> FileRecord {
        FileRecord {
            name: String::new(),
            files: files.to_vec(),
            stats: Stats::default(),
        }
    }

    fn ids(units: &[Unit]) -> Vec<Vec<u32>> {
        units.iter().map(|u| u.files.clone()).collect()
    }

    const LIMITS: UnitLimits = UnitLimits {
        bytes: 100,
        files: 3,
    };

    #[test]
    fn small_files_group_until_a_limit_and_large_ones_stand_alone() {
        let none = Done::from_records(Vec::new(), 10);
        let sizes = [10, 10, 10, 10, 95, 10, 200, 50, 50, 1];
        let all: Vec<u32> = (0..10).collect();
        let units = form(&all, |i| sizes[i as usize], &none, LIMITS);
        // Three files at most; 10 + 95 is over 100; 200 alone; 50 + 50 fits, + 1 does not.
        assert_eq!(
            ids(&units),
            vec![
                vec![0, 1, 2],
                vec![3],
                vec![4],
                vec![5],
                vec![6],
                vec![7, 8],
                vec![9]
            ]
        );
        assert_eq!(units[3].id, 5);
    }

    #[test]
    fn a_rank_groups_only_its_own_files() {
        let none = Done::from_records(Vec::new(), 10);
        let rank1 = Files::Rank {
            rank: 1,
            world_size: 4,
        }
        .order(10);
        assert_eq!(rank1, vec![1, 5, 9]);
        let units = form(&rank1, |_| 1, &none, LIMITS);
        assert_eq!(ids(&units), vec![vec![1, 5, 9]]);
    }

    #[test]
    fn units_close_before_finished_files_and_are_formed_again_the_same() {
        let done = Done::from_records(vec![(3, record(&[3, 4]))], 8);
        assert!(done.covers(4) && !done.covers(5) && done.has(3) && !done.has(4));
        let all: Vec<u32> = (0..8).collect();
        let units = form(&all, |_| 1, &done, LIMITS);
        assert_eq!(ids(&units), vec![vec![0, 1, 2], vec![5, 6, 7]]);
        assert_eq!(
            done.first_missing(&Files::All, 8),
            Some(0),
            "file 0 is not done"
        );
    }

    proptest! {
        /// Whatever the sizes and however far a run got, the units of a rerun are exactly the
        /// units of the first attempt that had not finished, and together the units hold every
        /// file once, in order.
        #[test]
        fn a_rerun_forms_the_unfinished_units_of_the_first_attempt(
            sizes in proptest::collection::vec(0u64..150, 0..40),
            finished in proptest::collection::vec(any::<bool>(), 40),
            files in 1u32..5,
        ) {
            let n = sizes.len() as u32;
            let limits = UnitLimits { bytes: 100, files };
            let all: Vec<u32> = (0..n).collect();
            let first = form(&all, |i| sizes[i as usize], &Done::from_records(Vec::new(), n), limits);
            let flat: Vec<u32> = first.iter().flat_map(|u| u.files.clone()).collect();
            prop_assert_eq!(&flat, &all);
            for unit in &first {
                prop_assert_eq!(unit.id, unit.files[0]);
                prop_assert!(unit.files.len() as u32 <= files);
                let bytes: u64 = unit.files.iter().map(|&i| sizes[i as usize]).sum();
                prop_assert!(unit.files.len() == 1 || bytes <= 100);
            }
            // Any of them may have finished (ranks finish in any order).
            let (done, unfinished): (Vec<_>, Vec<_>) =
                first.iter().zip(&finished).partition(|(_, &f)| f);
            let records = done.iter().map(|(u, _)| (u.id, record(&u.files))).collect();
            let done = Done::from_records(records, n);
            let again = form(&all, |i| sizes[i as usize], &done, limits);
            let unfinished: Vec<Unit> = unfinished.into_iter().map(|(u, _)| u.clone()).collect();
            prop_assert_eq!(again, unfinished);
        }
    }
}
