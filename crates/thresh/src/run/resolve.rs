//! A barrier step's resolve, once over every observation (or one part of a split resolve),
//! with its decisions published before the marker that says they are there.

use std::fs::{self};

use thresh_core::{BarrierWork, Pipeline};

use super::options::{io_err, RunError};
use crate::layout::Layout;

/// Resolves barrier step `b` once (a resolved barrier's summary is read back).
pub(super) fn resolve_barrier(
    pipeline: &Pipeline,
    layout: &Layout,
    b: usize,
    work_of: &dyn Fn(usize) -> Result<BarrierWork, RunError>,
) -> Result<serde_json::Value, RunError> {
    let name = &pipeline.steps()[b].name;
    let marker = layout.resolved_path(name);
    if let Ok(bytes) = fs::read(&marker) {
        return Ok(serde_json::from_slice(&bytes).unwrap_or_default());
    }
    let barrier = pipeline.barrier(b).expect("a barrier step");
    let work = work_of(b)?;
    for dir in [work.observations_dir(), work.parts_dir()] {
        layout.store().pull_dir(&dir).map_err(io_err(&dir))?;
    }
    let summary = barrier.resolve(&work).map_err(|e| RunError::Barrier {
        step: name.clone(),
        message: format!("could not resolve: {e}"),
    })?;
    // The decisions go up before the marker that says they are there.
    let decisions: Vec<_> = work
        .unit_ids()
        .map(|i| work.decisions(i))
        .filter(|path| path.exists())
        .collect();
    for path in &decisions {
        layout.store().push(path).map_err(io_err(path))?;
    }
    let bytes = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    layout
        .store()
        .write(&marker, &bytes)
        .map_err(io_err(&marker))?;
    Ok(summary)
}

/// Runs part `part` of `parts` of barrier step `b`'s resolve, unless the part or the whole
/// resolve is done already.
pub(super) fn resolve_part(
    pipeline: &Pipeline,
    layout: &Layout,
    b: usize,
    part: u32,
    parts: u32,
    work_of: &dyn Fn(usize) -> Result<BarrierWork, RunError>,
) -> Result<(), RunError> {
    let name = &pipeline.steps()[b].name;
    let barrier = pipeline.barrier(b).expect("a barrier step");
    if !barrier.splits() {
        return Err(RunError::Part(format!(
            "step `{name}` resolves in one task: run --resolve without --rank/--world-size"
        )));
    }
    if layout.resolved_path(name).exists() {
        return Ok(());
    }
    let work = work_of(b)?;
    let result = work.part(part, parts);
    if layout.store().pull(&result).map_err(io_err(&result))? {
        return Ok(());
    }
    let observations = work.observations_dir();
    layout
        .store()
        .pull_dir(&observations)
        .map_err(io_err(&observations))?;
    barrier
        .resolve_part(&work, part, parts)
        .map_err(|e| RunError::Barrier {
            step: name.clone(),
            message: format!("could not resolve part {part} of {parts}: {e}"),
        })?;
    layout.store().push(&result).map_err(io_err(&result))
}
