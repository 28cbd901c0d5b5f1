//! The end of a run: every unit's accounting summed and checked (`read = kept + dropped +
//! errored`), and the error records of every unit concatenated into `errors.jsonl`.

use std::fs::{self, File};
use std::io::{self, BufWriter};

use thresh_core::{Pipeline, Stats};
use thresh_io::read::inputs::InputFile;

use super::options::{io_err, Files, RunError};
use super::units::Done;
use crate::layout::Layout;

/// The stats of every pass over the work units of the files `files` selects (by their first
/// file), which must all be complete, with the accounting identity checked.
pub(super) fn completed_stats(
    layout: &Layout,
    pipeline: &Pipeline,
    passes: usize,
    files: &Files,
    inputs: &[InputFile],
) -> Result<Stats, RunError> {
    let mut total = Stats::for_pipeline(pipeline);
    for pass_index in 0..passes {
        let done = Done::load(
            layout,
            pass_index,
            pass_index + 1 == passes,
            inputs.len() as u32,
        )
        .map_err(io_err(layout.root()))?;
        if let Some(i) = done.first_missing(files, inputs.len() as u32) {
            return Err(RunError::State(format!(
                "input file {} was not completed",
                inputs[i as usize].name
            )));
        }
        for (id, record) in done.records() {
            if files.contains(id) {
                total.merge(&record.stats);
            }
        }
    }
    let accounted = total.kept + total.dropped.values().sum::<u64>() + total.errored;
    if accounted != total.read {
        return Err(RunError::State(format!(
            "{} documents read but {accounted} accounted for (kept, dropped or errored): the state in `{}` is inconsistent; rerun with --overwrite",
            total.read,
            layout.root().display()
        )));
    }
    Ok(total)
}

/// True when every pass has finished every input file.
pub(super) fn run_complete(layout: &Layout, passes: usize, files: u32) -> Result<bool, RunError> {
    for pass in 0..passes {
        let done =
            Done::load(layout, pass, pass + 1 == passes, files).map_err(io_err(layout.root()))?;
        if done.first_missing(&Files::All, files).is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Concatenates the error records of the work units `units`, in input order, into
/// `errors.jsonl`.
pub(super) fn merge_errors(layout: &Layout, units: &[u32]) -> Result<(), RunError> {
    let path = layout.errors_path();
    let per_file = layout.file_errors_dir();
    layout
        .store()
        .pull_dir(&per_file)
        .map_err(io_err(&per_file))?;
    let tmp = thresh_io::store::atomic::private_temp_path(&path);
    let mut out = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
    for &i in units {
        match File::open(layout.file_errors_path(i)) {
            Ok(mut part) => {
                io::copy(&mut part, &mut out).map_err(io_err(&tmp))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&layout.file_errors_path(i))(e)),
        }
    }
    let file = out.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
    file.sync_all().map_err(io_err(&tmp))?;
    fs::rename(&tmp, &path)
        .and_then(|_| layout.store().push(&path))
        .map_err(io_err(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{FileRecord, Manifest, ResumeMode};

    fn record(files: &[u32], read: u64, kept: u64, errored: u64) -> FileRecord {
        let mut stats = Stats::default();
        (stats.read, stats.kept, stats.errored) = (read, kept, errored);
        FileRecord {
            name: format!("f{}", files[0]),
            files: files.to_vec(),
            stats,
        }
    }

    #[test]
    fn unit_accounting_sums_by_selection_and_must_balance() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().join("out"));
        let manifest = Manifest {
            fingerprint: "x".into(),
            files: vec![],
        };
        layout.prepare(&manifest, ResumeMode::Resume).unwrap();
        let inputs: Vec<InputFile> = (0..4)
            .map(|i| InputFile {
                name: format!("f{i}"),
                relative: format!("f{i}"),
                size: 1,
                path: format!("f{i}").into(),
            })
            .collect();
        let pipeline = Pipeline::default();
        layout
            .mark_pass_done(0, true, 0, &record(&[0, 2], 10, 9, 1))
            .unwrap();
        // File 1 and 3 are not done yet.
        let err = completed_stats(&layout, &pipeline, 1, &Files::All, &inputs).unwrap_err();
        assert!(
            err.to_string().contains("input file f1 was not completed"),
            "{err}"
        );
        assert!(!run_complete(&layout, 1, 4).unwrap());
        let rank0 = Files::Rank {
            rank: 0,
            world_size: 2,
        };
        let stats = completed_stats(&layout, &pipeline, 1, &rank0, &inputs).unwrap();
        assert_eq!((stats.read, stats.kept, stats.errored), (10, 9, 1));
        // A unit whose accounting does not balance is refused.
        layout
            .mark_pass_done(0, true, 1, &record(&[1, 3], 5, 3, 0))
            .unwrap();
        assert!(run_complete(&layout, 1, 4).unwrap());
        let err = completed_stats(&layout, &pipeline, 1, &Files::All, &inputs).unwrap_err();
        assert!(
            err.to_string()
                .contains("15 documents read but 13 accounted for"),
            "{err}"
        );
    }

    #[test]
    fn error_records_are_joined_in_unit_order() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path().join("out"));
        fs::create_dir_all(layout.file_errors_dir()).unwrap();
        fs::write(layout.file_errors_path(3), "three\n").unwrap();
        fs::write(layout.file_errors_path(0), "zero\n").unwrap();
        fs::write(
            layout.file_errors_path(7),
            "left over by an unfinished unit\n",
        )
        .unwrap();
        merge_errors(&layout, &[0, 3, 5]).unwrap();
        assert_eq!(
            fs::read_to_string(layout.errors_path()).unwrap(),
            "zero\nthree\n"
        );
    }
}
