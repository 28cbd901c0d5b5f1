//! Sharded runs: `--rank R --world-size W` tasks and `thresh merge-stats` give what one run
//! gives, deduplication passes included.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn rank_task(p: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", p.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    run(&args)
}

fn ok(o: std::process::Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn four_ranks_and_merge_stats_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 5, 400);
    // One unit per file: the whole run's shards are the ranks' shards.
    let p = pipeline_with_input(
        tmp.path(),
        &["corpus"],
        "unit_files = 1",
        "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"length\"\nmin_words = 20",
        "write_dropped = true",
    );
    let out = tmp.path().join("out");
    ok(rank_task(&p, &[]));
    let reference = shard_bytes(&out);
    let reference_stats = stats(&out);
    fs::remove_dir_all(&out).unwrap();

    for rank in ["2", "0", "3"] {
        ok(rank_task(&p, &["--rank", rank, "--world-size", "4"]));
    }
    assert!(!out.join("stats.json").exists(), "rank 1 is still missing");
    let o = run(&["merge-stats", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("ranks 1 of 4 have not finished"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    ok(rank_task(&p, &["--rank", "1", "--world-size", "4"]));
    // The last rank completed the run; merge-stats gives the same accounting.
    assert_eq!(shard_bytes(&out), reference);
    fs::remove_file(out.join("stats.json")).unwrap();
    ok(run(&["merge-stats", out.to_str().unwrap(), "--json"]));
    let merged = stats(&out);
    for key in [
        "read",
        "kept",
        "dropped",
        "errored",
        "chars_in",
        "chars_out",
        "steps",
    ] {
        assert_eq!(merged[key], reference_stats[key], "{key}");
    }
    assert_eq!(merged["files"]["total"], 5);
    assert_balanced(&out);
    // Files go to ranks as in datatrove: file i to rank i % 4, so rank 0 has files 0 and 4.
    let rank0: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("ranks/rank-00000-of-00004.json")).unwrap())
            .unwrap();
    assert_eq!(rank0["files"]["total"], 2);
    assert_eq!(rank0["read"], 800);
    // A rank run again finds its files done and changes nothing.
    ok(rank_task(&p, &["--rank", "0", "--world-size", "4"]));
    assert_eq!(shard_bytes(&out), reference);
    let o = rank_task(&p, &["--rank", "4", "--world-size", "4"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("ranks go from 0 to 3"));
}

#[test]
fn minhash_dedup_runs_as_rank_tasks_per_pass() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 6, 600);
    // One unit per file: the whole run's shards are the ranks' shards.
    let p = pipeline_with_input(
        tmp.path(),
        &["corpus"],
        "unit_files = 1",
        "[[step]]\ntype = \"length\"\nmin_words = 20\n\n[[step]]\ntype = \"minhash_dedup\"",
        "",
    );
    let out = tmp.path().join("out");
    ok(rank_task(&p, &[]));
    let reference = shard_bytes(&out);
    let reference_stats = stats(&out);
    assert!(
        reference_stats["dropped"]["minhash_dedup"]
            .as_u64()
            .unwrap()
            > 100
    );
    fs::remove_dir_all(&out).unwrap();

    // Signatures per rank, bucket tasks (a range of bands each), one clustering task,
    // filtering per rank — datatrove's four MinHash stages.
    for rank in 0..4 {
        let r = rank.to_string();
        ok(rank_task(
            &p,
            &["--pass", "0", "--rank", &r, "--world-size", "4"],
        ));
    }
    for part in ["2", "0"] {
        ok(rank_task(
            &p,
            &["--resolve", "0", "--rank", part, "--world-size", "3"],
        ));
    }
    let o = rank_task(&p, &["--resolve", "0"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("resolve parts 1 of 3 have not finished"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    ok(rank_task(
        &p,
        &["--resolve", "0", "--rank", "1", "--world-size", "3"],
    ));
    ok(rank_task(&p, &["--resolve", "0"]));
    for rank in 0..4 {
        let r = rank.to_string();
        ok(rank_task(
            &p,
            &["--pass", "1", "--rank", &r, "--world-size", "4"],
        ));
    }
    assert_eq!(shard_bytes(&out), reference);
    ok(run(&["merge-stats", out.to_str().unwrap()]));
    let merged = stats(&out);
    for key in ["read", "kept", "dropped", "errored", "steps", "barriers"] {
        assert_eq!(merged[key], reference_stats[key], "{key}");
    }
}

#[test]
fn a_resolve_that_does_not_split_refuses_parts() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 2, 50);
    // One unit per file: the whole run's shards are the ranks' shards.
    let p = pipeline_with_input(
        tmp.path(),
        &["corpus"],
        "unit_files = 1",
        "[[step]]\ntype = \"exact_dedup\"",
        "",
    );
    ok(rank_task(&p, &["--pass", "0"]));
    let o = rank_task(&p, &["--resolve", "0", "--rank", "0", "--world-size", "2"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("resolves in one task"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn ranks_started_at_the_same_moment_on_a_fresh_output_all_run() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 8, 200);
    // One unit per file: the whole run's shards are the ranks' shards.
    let p = pipeline_with_input(
        tmp.path(),
        &["corpus"],
        "unit_files = 1",
        "[[step]]\ntype = \"length\"\nmin_words = 20",
        "",
    );
    let children: Vec<_> = (0..4)
        .map(|rank| {
            thresh()
                .args(["run", p.to_str().unwrap(), "-q", "--threads", "1"])
                .args(["--rank", &rank.to_string(), "--world-size", "4"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let out = tmp.path().join("out");
    ok(run(&["merge-stats", out.to_str().unwrap()]));
    assert_eq!(assert_balanced(&out).0, 1600);
}
