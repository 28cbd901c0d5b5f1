//! [`Barrier`]: steps that must see the whole corpus before deciding about any document
//! (deduplication).
//!
//! A pipeline with barrier steps runs in passes. Pass 0 takes the input through the steps
//! before the first barrier step; each document that reaches it is *observed* (the step
//! appends what it needs, e.g. a hash, to its observation file for the document's work unit)
//! and set aside. Then the step *resolves* once, over every observation, and writes its
//! decisions. Pass 1 reads the documents set aside, and the barrier step's ordinary
//! [`Step::process`](crate::Step::process) applies its decision to each before the following
//! steps run; and so on for the next barrier. Each pass, and each resolve, can run on its own,
//! on a subset of input files, which is how a cluster will run them.

use std::io;
use std::path::PathBuf;

use crate::Document;

/// A work unit of a run: consecutive input files of one task, read, set aside and redone
/// together, named by the index of its first file. Documents carry the unit as
/// [`Origin::file`](crate::Origin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkUnit {
    /// The index of its first input file (the unit's name).
    pub id: u32,
    /// How many input files it holds.
    pub files: u32,
}

/// Where a barrier step's files live during a run.
#[derive(Clone, Debug)]
pub struct BarrierWork {
    /// The step's own directory (created by the runner).
    pub dir: PathBuf,
    /// The run's work units, by id; observations and decisions are per unit.
    pub units: Vec<WorkUnit>,
    /// Threads the step may use to resolve.
    pub threads: usize,
    /// The documents set aside at the barrier (`<unit id>-0000.jsonl[.zst|.gz]`), for a
    /// step that wants to read examples back (e.g. the text of its most repeated lines).
    pub staged: PathBuf,
}

impl BarrierWork {
    /// The ids of the work units, in order.
    pub fn unit_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.units.iter().map(|u| u.id)
    }

    /// The observation file of work unit `unit`: the concatenated observations of the
    /// documents of that unit that reached the step, in input order.
    pub fn observations(&self, unit: u32) -> PathBuf {
        self.observations_dir().join(format!("{unit:05}.bin"))
    }

    /// The directory of the observation files.
    pub fn observations_dir(&self) -> PathBuf {
        self.dir.join("obs")
    }

    /// A path for the step's decisions about work unit `unit`.
    pub fn decisions(&self, unit: u32) -> PathBuf {
        self.decisions_dir().join(format!("{unit:05}.bin"))
    }

    /// The directory of the decision files.
    pub fn decisions_dir(&self) -> PathBuf {
        self.dir.join("decisions")
    }

    /// The result of part `part` of `parts` of a split resolve ([`Barrier::resolve_part`]).
    pub fn part(&self, part: u32, parts: u32) -> PathBuf {
        self.parts_dir()
            .join(format!("{part:05}-of-{parts:05}.bin"))
    }

    /// The directory of the resolve parts' results.
    pub fn parts_dir(&self) -> PathBuf {
        self.dir.join("parts")
    }
}

/// Why a barrier step could not resolve or open its decisions.
#[derive(Debug, thiserror::Error)]
pub enum BarrierError {
    /// Reading or writing one of the step's files failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The corpus is beyond what the step can hold.
    #[error("{0}")]
    Limit(String),
    /// The parts of a split resolve do not fit together (missing, or of different splits),
    /// or a part was asked of a step whose resolve does not split.
    #[error("{0}")]
    Parts(String),
}

impl BarrierError {
    /// A closure turning an I/O error on `path` into a [`BarrierError::Io`].
    pub fn io(path: &std::path::Path) -> impl Fn(io::Error) -> BarrierError + '_ {
        move |source| BarrierError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The corpus-wide part of a step. The step's [`Step::process`](crate::Step::process) applies
/// the decisions after the barrier (documents carry their original
/// [`Origin`](crate::Origin), by which decisions are looked up).
pub trait Barrier: Send + Sync {
    /// Before the barrier: appends this step's observation of `doc` to `out`. Called for every
    /// document that reaches the step, in input order within each work unit.
    fn observe(&self, doc: &Document, out: &mut Vec<u8>);

    /// At the barrier, once every document has been observed: reads the observation files and
    /// writes the decisions. Returns a summary for `stats.json` (cluster sizes, top lines, …).
    fn resolve(&self, work: &BarrierWork) -> Result<serde_json::Value, BarrierError>;

    /// Whether the resolve splits into parts that run as tasks of their own before it
    /// ([`Barrier::resolve_part`]).
    fn splits(&self) -> bool {
        false
    }

    /// Part `part` of `parts` of the resolve (MinHash: the candidate pairs of a range of bands,
    /// as datatrove's bucket tasks), leaving its result in [`BarrierWork::part`] for
    /// [`Barrier::resolve`], which then only joins them. Only for steps that [split](Barrier::splits).
    fn resolve_part(
        &self,
        _work: &BarrierWork,
        _part: u32,
        _parts: u32,
    ) -> Result<(), BarrierError> {
        Err(BarrierError::Parts("this step resolves in one task".into()))
    }

    /// After the barrier, before any document reaches `process`: where the decisions are.
    fn open(&self, work: &BarrierWork) -> Result<(), BarrierError>;

    /// Every document of work unit `unit` has been processed: its decisions may be freed.
    fn release(&self, unit: u32);
}
