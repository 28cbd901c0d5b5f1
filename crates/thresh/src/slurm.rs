//! `thresh slurm`: a pipeline as Slurm job arrays, one array task per rank — each pass of the
//! pipeline an array of `--rank $SLURM_ARRAY_TASK_ID --world-size N` tasks; each barrier's
//! resolve one task, preceded, when it splits (MinHash), by an array of N resolve parts (the
//! bucket tasks: a range of bands each); then `merge-stats` — chained by `afterok`
//! dependencies in `submit.sh`.
//! thresh schedules nothing itself: Slurm does.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use thresh_core::Pipeline;

use crate::config::PipelineFile;
use crate::layout::{safe_name, Layout};

/// What the scripts ask Slurm for.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Array tasks (ranks) per pass.
    pub tasks: u32,
    /// Partition (`--partition`), if any.
    pub partition: Option<String>,
    /// CPUs per task; thresh runs that many worker threads.
    pub cpus_per_task: u32,
    /// Time limit per task (`--time`), if any.
    pub time: Option<String>,
    /// Memory per task (`--mem`), if any.
    pub mem: Option<String>,
}

/// One script of the chain: its file and what it runs.
#[derive(Clone, Debug)]
pub struct Script {
    /// The `.sbatch` file.
    pub path: PathBuf,
    /// What it runs, for the plan printed to the user.
    pub label: String,
}

/// Where `thresh slurm` writes the scripts for `file`: `OUT/slurm/` beside a local output;
/// `slurm-<output>/` beside the pipeline file for one on object storage.
pub fn scripts_dir(file: &PipelineFile) -> std::io::Result<PathBuf> {
    let out = file.output_location();
    Ok(if thresh_io::store::remote::is_remote(&out) {
        std::path::absolute(&file.base_dir)?.join(format!("slurm-{}", safe_name(&out)))
    } else {
        Layout::new(out.into()).slurm_dir()
    })
}

/// For each barrier step of `pipeline`, in order: whether its resolve splits into parts.
pub fn splits(pipeline: &Pipeline) -> Vec<bool> {
    pipeline
        .barriers()
        .iter()
        .map(|&b| pipeline.barrier(b).is_some_and(|barrier| barrier.splits()))
        .collect()
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Writes `pass{K}.sbatch`, `resolve{K}.sbatch` (after `parts{K}.sbatch` for a barrier that
/// splits), `merge.sbatch` and `submit.sh` into `dir` for a pipeline whose barriers are
/// `splits` (whether each one's resolve splits into parts), to run `binary` on `pipeline` with
/// output in `output`.
/// Returns the scripts in submission order and the path of `submit.sh`.
pub fn write_scripts(
    dir: &Path,
    binary: &Path,
    pipeline: &Path,
    output: &str,
    splits: &[bool],
    options: &SlurmOptions,
) -> std::io::Result<(Vec<Script>, PathBuf)> {
    std::fs::create_dir_all(dir.join("logs"))?;
    let thresh = quote(&binary.display().to_string());
    let run = format!(
        "{thresh} run {} --output {} --threads {} -q",
        quote(&pipeline.display().to_string()),
        quote(output),
        options.cpus_per_task
    );
    let header = |name: &str, array: bool| {
        let mut s = String::from("#!/bin/bash\n");
        let _ = writeln!(s, "#SBATCH --job-name=thresh-{name}");
        if array {
            let _ = writeln!(s, "#SBATCH --array=0-{}", options.tasks - 1);
            let _ = writeln!(
                s,
                "#SBATCH --output={}/logs/{name}_%A_%a.log",
                dir.display()
            );
        } else {
            let _ = writeln!(s, "#SBATCH --output={}/logs/{name}_%j.log", dir.display());
        }
        let _ = writeln!(s, "#SBATCH --ntasks=1");
        let _ = writeln!(s, "#SBATCH --cpus-per-task={}", options.cpus_per_task);
        if let Some(p) = &options.partition {
            let _ = writeln!(s, "#SBATCH --partition={p}");
        }
        if let Some(t) = &options.time {
            let _ = writeln!(s, "#SBATCH --time={t}");
        }
        if let Some(m) = &options.mem {
            let _ = writeln!(s, "#SBATCH --mem={m}");
        }
        s.push_str("set -euo pipefail\n");
        s
    };
    let mut scripts = Vec::new();
    let mut write = |name: &str, array: bool, command: String, label: String| {
        let path = dir.join(format!("{name}.sbatch"));
        let text = header(name, array) + "exec " + &command + "\n";
        std::fs::write(&path, text)?;
        scripts.push(Script { path, label });
        Ok::<_, std::io::Error>(())
    };
    let passes = splits.len() + 1;
    for pass in 0..passes {
        write(
            &format!("pass{pass}"),
            true,
            format!(
                "{run} --pass {pass} --rank \"$SLURM_ARRAY_TASK_ID\" --world-size {}",
                options.tasks
            ),
            format!("pass {pass}: {} rank tasks", options.tasks),
        )?;
        if splits.get(pass) == Some(&true) {
            write(
                &format!("parts{pass}"),
                true,
                format!(
                    "{run} --resolve {pass} --rank \"$SLURM_ARRAY_TASK_ID\" --world-size {}",
                    options.tasks
                ),
                format!(
                    "resolve the barrier after pass {pass}, in parts: {} tasks",
                    options.tasks
                ),
            )?;
        }
        if pass + 1 < passes {
            write(
                &format!("resolve{pass}"),
                false,
                format!("{run} --resolve {pass}"),
                format!("resolve the barrier after pass {pass}: one task"),
            )?;
        }
    }
    write(
        "merge",
        false,
        format!("{thresh} merge-stats {}", quote(output)),
        "merge the ranks' stats: one task".into(),
    )?;
    let mut submit = String::from(
        "#!/bin/bash\n# Submits the chain; each step starts when the previous one succeeded.\nset -euo pipefail\nprevious=\"\"\n",
    );
    for script in &scripts {
        let _ = writeln!(
            submit,
            "previous=$(sbatch --parsable ${{previous:+--dependency=afterok:$previous}} {})\necho \"$previous {}\"",
            quote(&script.path.display().to_string()),
            script.path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    let submit_path = dir.join("submit.sh");
    std::fs::write(&submit_path, submit)?;
    Ok((scripts, submit_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_pass_pipeline_becomes_arrays_a_resolve_and_a_merge() {
        let tmp = std::env::temp_dir().join(format!("thresh-slurm-{}", std::process::id()));
        let options = SlurmOptions {
            tasks: 4,
            partition: Some("cpu".into()),
            cpus_per_task: 2,
            time: None,
            mem: None,
        };
        let (scripts, submit) = write_scripts(
            &tmp,
            Path::new("/opt/thresh"),
            Path::new("/data/p.toml"),
            "/data/out",
            &[true],
            &options,
        )
        .unwrap();
        let names: Vec<String> = scripts
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "pass0.sbatch",
                "parts0.sbatch",
                "resolve0.sbatch",
                "pass1.sbatch",
                "merge.sbatch"
            ]
        );
        let parts = std::fs::read_to_string(&scripts[1].path).unwrap();
        assert!(parts.contains("#SBATCH --array=0-3\n"));
        assert!(parts.ends_with("-q --resolve 0 --rank \"$SLURM_ARRAY_TASK_ID\" --world-size 4\n"));
        let pass1 = std::fs::read_to_string(&scripts[3].path).unwrap();
        assert!(pass1.contains("#SBATCH --array=0-3\n"));
        assert!(pass1.contains("#SBATCH --partition=cpu\n"));
        assert!(pass1.contains("#SBATCH --cpus-per-task=2\n"));
        assert!(pass1.ends_with(
            "exec '/opt/thresh' run '/data/p.toml' --output '/data/out' --threads 2 -q --pass 1 --rank \"$SLURM_ARRAY_TASK_ID\" --world-size 4\n"
        ));
        let resolve = std::fs::read_to_string(&scripts[2].path).unwrap();
        assert!(!resolve.contains("--array"));
        assert!(resolve.contains("--resolve 0\n"));
        let chain = std::fs::read_to_string(submit).unwrap();
        assert_eq!(chain.matches("--dependency=afterok:$previous").count(), 5);
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
