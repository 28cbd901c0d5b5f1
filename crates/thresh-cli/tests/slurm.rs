//! `thresh slurm` on a real Slurm cluster (single node: `scripts/slurm_local.sh` installs and
//! starts Debian's slurm-wlm); skipped with a message when no cluster answers, except where
//! `THRESH_REQUIRE` lists `slurm` (CI, once it has started the cluster), where it fails.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

fn slurm_up() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| {
            let states = String::from_utf8_lossy(&o.stdout);
            o.status.success() && ["idle", "mix", "alloc"].iter().any(|s| states.contains(s))
        })
}

/// Waits until `out/stats.json` exists and no thresh job is queued or running.
fn wait_for(out: &Path) {
    let start = Instant::now();
    loop {
        let queue = Command::new("squeue")
            .args(["-h", "-o", "%j"])
            .output()
            .unwrap();
        let busy = String::from_utf8_lossy(&queue.stdout).contains("thresh-");
        if !busy && out.join("stats.json").exists() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "Slurm jobs did not finish: {}",
            String::from_utf8_lossy(&queue.stdout)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn pipelines_run_as_slurm_arrays_give_the_output_of_one_run() {
    if !slurm_up() {
        assert!(
            !required("slurm"),
            "no Slurm cluster answers `sinfo`, and THRESH_REQUIRE says this test must run"
        );
        eprintln!("skipped: no Slurm cluster answers `sinfo` (scripts/slurm_local.sh starts one)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 6, 600);
    for (name, steps) in [
        (
            "filters",
            "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"length\"\nmin_words = 20",
        ),
        (
            "minhash",
            "[[step]]\ntype = \"length\"\nmin_words = 20\n\n[[step]]\ntype = \"minhash_dedup\"",
        ),
    ] {
        // One unit per file: the whole run's shards are the array tasks' shards.
        let p = pipeline_with_input(tmp.path(), &["corpus"], "unit_files = 1", steps, "");
        let reference_dir = tmp.path().join(format!("{name}-one"));
        run_to(&p, &reference_dir);
        let out = tmp.path().join(format!("{name}-slurm"));
        run_ok(&[
            "slurm",
            p.to_str().unwrap(),
            "--tasks",
            "4",
            "--output",
            out.to_str().unwrap(),
            "--submit",
        ]);
        wait_for(&out);
        assert_eq!(shard_bytes(&out), shard_bytes(&reference_dir), "{name}");
        let (a, b) = (stats(&out), stats(&reference_dir));
        for key in ["read", "kept", "dropped", "errored", "steps"] {
            assert_eq!(a[key], b[key], "{name}: {key}");
        }
        let ranks = fs::read_dir(out.join("ranks")).unwrap().count();
        assert_eq!(ranks, 4, "{name}");
        if name == "minhash" {
            // The resolve ran as 4 bucket tasks (one array) and a clustering task.
            let parts = out.join(".thresh/barrier/minhash_dedup/parts");
            let mut names: Vec<_> = fs::read_dir(parts)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(
                names,
                (0..4)
                    .map(|p| format!("{p:05}-of-00004.bin"))
                    .collect::<Vec<_>>()
            );
        }
    }
}
