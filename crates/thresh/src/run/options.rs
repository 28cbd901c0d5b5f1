//! How a run is asked for: [`RunOptions`], the part of a run a task takes ([`Part`], [`Files`]),
//! progress reporting, [`RunError`], and the check that a part can run now.

use std::io;

use thresh_core::{ConfigError, Pipeline};
use thresh_io::read::inputs::InputError;

use super::units::Done;
use crate::layout::{ClaimError, Layout, ResumeMode};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Fail on the first unreadable record instead of recording it and going on.
    pub strict: bool,
    /// Resume a previous run in the output directory, or overwrite it.
    pub mode: ResumeMode,
    /// Run only this part (a cluster task); the whole run when `None`.
    pub only: Option<Part>,
}

impl RunOptions {
    /// The options `thresh run` and Python's `thresh.run` take: `threads` (0: one per core),
    /// `strict`, `overwrite` (else resume), and the part of the run as
    /// `--pass K [--files LIST]`, `--resolve K` and `--rank R --world-size W` name it
    /// ([`Part::select`]).
    pub fn new(threads: usize, strict: bool, overwrite: bool, only: Option<Part>) -> Self {
        RunOptions {
            threads,
            strict,
            mode: if overwrite {
                ResumeMode::Overwrite
            } else {
                ResumeMode::Resume
            },
            only,
        }
    }
}

/// The input files one task takes, as positions in the sorted input list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Files {
    /// Every input file.
    All,
    /// These positions, ascending and each once: build it with [`Files::list`].
    List(Vec<u32>),
    /// datatrove's assignment: file `i` belongs to rank `i % world_size`, whatever machine
    /// runs the task.
    Rank {
        /// This task's rank, from 0.
        rank: u32,
        /// How many ranks share the input.
        world_size: u32,
    },
}

impl Files {
    /// The positions `list`, in any order and with repeats, as a [`Files::List`].
    pub fn list(mut list: Vec<u32>) -> Files {
        list.sort_unstable();
        list.dedup();
        Files::List(list)
    }

    /// Whether input file `i` is this task's (a binary search in a list: the sweep asks once
    /// per file in the output's directories).
    pub fn contains(&self, i: u32) -> bool {
        match self {
            Files::All => true,
            Files::List(list) => list.binary_search(&i).is_ok(),
            Files::Rank { rank, world_size } => i % world_size == *rank,
        }
    }

    /// This task's files among `inputs`, in the order it reads them.
    pub fn order(&self, inputs: u32) -> Vec<u32> {
        match self {
            Files::All => (0..inputs).collect(),
            Files::List(list) => list.iter().copied().filter(|&i| i < inputs).collect(),
            Files::Rank { rank, world_size } => (*rank..inputs)
                .step_by((*world_size).max(1) as usize)
                .collect(),
        }
    }
}

/// A part of a run with barrier steps, so that a cluster can run the passes as separate tasks:
/// every pass over any subset of the input files in parallel, then each barrier's resolve once.
/// A later plain run (or the last part) finds everything done and writes `stats.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Pass `pass` over the input files `files` selects (every file with `Files::All`). The previous
    /// pass must be complete for them, and its barrier resolved.
    Pass {
        /// The pass (0 reads the input).
        pass: usize,
        /// The input files this task takes.
        files: Files,
    },
    /// The resolve of the barrier that ends pass `pass` (needs that pass complete for every
    /// input file), or one part of it, for barriers whose resolve splits (MinHash: the
    /// candidate pairs of a range of bands, as datatrove's bucket tasks) — the whole resolve
    /// then joins the parts.
    Resolve {
        /// The pass the barrier ends.
        pass: usize,
        /// This task's part and how many there are; the whole resolve when `None`.
        part: Option<(u32, u32)>,
    },
}

impl Part {
    /// The part named by `--pass`, `--files`, `--resolve` and `--rank R --world-size W`: a
    /// rank task of pass `pass` (0 by default), a resolve (or with a rank, one part of it), a
    /// pass over the listed files (all by default), or the whole run when nothing is named.
    pub fn select(
        pass: Option<usize>,
        files: Option<Vec<u32>>,
        resolve: Option<usize>,
        rank: Option<(u32, u32)>,
    ) -> Option<Part> {
        match (pass, resolve, rank) {
            (None, Some(pass), part) => Some(Part::Resolve { pass, part }),
            (pass, _, Some((rank, world_size))) => Some(Part::Pass {
                pass: pass.unwrap_or(0),
                files: Files::Rank { rank, world_size },
            }),
            (Some(pass), _, None) => Some(Part::Pass {
                pass,
                files: files.map_or(Files::All, Files::list),
            }),
            (None, None, None) => None,
        }
    }
}

/// Receives progress while a run goes on. All methods have empty defaults.
pub trait Progress: Sync {
    /// The run starts: `raw_bytes` of input (as stored, compressed or not) in `files` files.
    fn start(&self, _raw_bytes: u64, _files: u64) {}
    /// Totals so far: documents read, raw bytes read, uncompressed bytes read.
    fn update(&self, _docs: u64, _raw_bytes: u64, _bytes: u64) {}
    /// The run has ended.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A step's configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The input paths could not be listed.
    #[error(transparent)]
    Inputs(#[from] InputError),
    /// The output cannot be claimed: it cannot be opened, another run is using it, or it holds
    /// something else (another pipeline's run, files that are not a thresh output).
    #[error(transparent)]
    Claim(#[from] ClaimError),
    /// The part asked for (`--pass`, `--files`, `--rank`, `--resolve`) does not exist or
    /// cannot run yet; the message says what to run first.
    #[error("{0}")]
    Part(String),
    /// A barrier step could not open its decisions or resolve.
    #[error("step `{step}` {message}")]
    Barrier {
        /// The step's name.
        step: String,
        /// What went wrong.
        message: String,
    },
    /// The run's state in the output is incomplete or inconsistent.
    #[error("{0}")]
    State(String),
    /// Transferring the output's files to or from object storage failed.
    #[error("output `{output}`: {source}")]
    Store {
        /// The output, as named.
        output: String,
        /// The error.
        source: io::Error,
    },
    /// Writing the output failed.
    #[error("writing `{path}`: {source}")]
    Io {
        /// What was being written.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// `--strict` and an input record could not be read.
    #[error("--strict: {file} line {line} (byte {offset}): {message}")]
    Strict {
        /// The input file.
        file: String,
        /// Its line.
        line: u64,
        /// Uncompressed byte offset.
        offset: u64,
        /// What was wrong.
        message: String,
    },
}

pub(super) fn io_err(path: &std::path::Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Checks that a part can run now: its pass exists and what it needs is done.
pub(super) fn check_part(
    part: Option<&Part>,
    passes: usize,
    files: u32,
    pipeline: &Pipeline,
    layout: &Layout,
    done_of: &dyn Fn(usize) -> Result<Done, RunError>,
) -> Result<(), RunError> {
    let barriers = pipeline.barriers();
    let missing = |pass: usize, selection: &Files| -> Result<Option<u32>, RunError> {
        Ok(done_of(pass)?.first_missing(selection, files))
    };
    match part {
        None => Ok(()),
        Some(Part::Pass {
            pass,
            files: selection,
        }) => {
            if *pass >= passes {
                return Err(RunError::Part(format!(
                    "--pass {pass}: the pipeline has {passes} pass(es), 0 to {}",
                    passes - 1
                )));
            }
            match selection {
                Files::List(list) => {
                    if let Some(&i) = list.iter().find(|&&i| i >= files) {
                        return Err(RunError::Part(format!(
                            "--files: there are {files} input files (0 to {}), not {i}",
                            files.saturating_sub(1)
                        )));
                    }
                }
                Files::Rank { rank, world_size } if rank >= world_size => {
                    return Err(RunError::Part(format!(
                        "--rank {rank}: ranks go from 0 to {} for --world-size {world_size}",
                        world_size.saturating_sub(1)
                    )));
                }
                _ => {}
            }
            if *pass > 0 {
                if let Some(i) = missing(pass - 1, selection)? {
                    return Err(RunError::Part(format!(
                        "pass {} has not finished input file {i}: run it first",
                        pass - 1
                    )));
                }
                let name = &pipeline.steps()[barriers[pass - 1]].name;
                if !layout.resolved_path(name).exists() {
                    return Err(RunError::Part(format!(
                        "step `{name}` has not resolved: run --resolve {} first",
                        pass - 1
                    )));
                }
            }
            Ok(())
        }
        Some(Part::Resolve { pass, part }) => {
            if let Some((part, parts)) = part {
                if part >= parts {
                    return Err(RunError::Part(format!(
                        "--rank {part}: ranks go from 0 to {} for --world-size {parts}",
                        parts.saturating_sub(1)
                    )));
                }
            }
            if *pass + 1 >= passes {
                return Err(RunError::Part(format!(
                    "--resolve {pass}: the pipeline's barriers end passes 0 to {}",
                    passes.saturating_sub(2)
                )));
            }
            match missing(*pass, &Files::All)? {
                Some(i) => Err(RunError::Part(format!(
                    "pass {pass} has not finished input file {i}: run it first"
                ))),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_chosen_as_datatrove_assigns_them() {
        let rank = Files::Rank {
            rank: 2,
            world_size: 4,
        };
        assert_eq!(rank.order(11), [2, 6, 10]);
        assert!(rank.contains(6) && !rank.contains(7));
        assert_eq!(Files::list(vec![5, 1, 5, 30]).order(10), [1, 5]);
        let list = Files::list(vec![9, 3, 7, 3]);
        assert_eq!(list, Files::List(vec![3, 7, 9]));
        assert!([3, 7, 9].iter().all(|&i| list.contains(i)));
        assert!([0, 4, 8, 10].iter().all(|&i| !list.contains(i)));
        assert_eq!(Files::All.order(3), [0, 1, 2]);
        assert!(Files::All.order(0).is_empty());
    }

    #[test]
    fn parts_are_named_as_on_the_command_line() {
        assert_eq!(Part::select(None, None, None, None), None);
        assert_eq!(
            Part::select(None, None, None, Some((1, 3))),
            Some(Part::Pass {
                pass: 0,
                files: Files::Rank {
                    rank: 1,
                    world_size: 3
                }
            })
        );
        assert_eq!(
            Part::select(Some(1), Some(vec![4]), None, None),
            Some(Part::Pass {
                pass: 1,
                files: Files::list(vec![4])
            })
        );
        assert_eq!(
            Part::select(None, None, Some(0), Some((2, 8))),
            Some(Part::Resolve {
                pass: 0,
                part: Some((2, 8))
            })
        );
        let options = RunOptions::new(3, true, true, None);
        assert_eq!((options.threads, options.strict), (3, true));
        assert_eq!(options.mode, ResumeMode::Overwrite);
        assert_eq!(
            RunOptions::new(0, false, false, None).mode,
            ResumeMode::Resume
        );
    }
}
