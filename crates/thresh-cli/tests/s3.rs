//! Object storage: input and output on `s3://` against a real S3 server on loopback (moto's,
//! over HTTP; see `common/s3.rs`), for JSON Lines (zstd) and Parquet, as one run and as rank
//! tasks with MinHash, with a rank killed (SIGKILL) and resumed; missing buckets, missing
//! credentials and dropped connections give errors naming the path, and transient failures are
//! retried.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::s3::{Proxy, S3};
use common::*;

/// Writes a pipeline file `name` in `dir` reading `input`, writing `output`.
fn pipeline_file(dir: &Path, name: &str, input: &str, steps: &str, output: &str) -> String {
    pipeline_file_with(dir, name, input, "", steps, output)
}

/// [`pipeline_file`] with more `[input]` settings (TOML lines).
fn pipeline_file_with(
    dir: &Path,
    name: &str,
    input: &str,
    settings: &str,
    steps: &str,
    output: &str,
) -> String {
    let path = dir.join(name);
    let text =
        format!("[input]\npaths = [{input:?}]\n{settings}\n\n{steps}\n\n[output]\n{output}\n");
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn run_with(mut command: Command, args: &[&str]) -> Output {
    command.args(args).output().unwrap()
}

/// (id, text) of every kept document under a local output.
fn kept(out: &Path) -> Vec<(String, String)> {
    documents(&out.join("kept"))
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The kept documents of the output at `location` (a directory or a URL), read back by a run
/// without steps into JSON Lines.
fn read_back(s3: &S3, dir: &Path, location: &str) -> Vec<(String, String)> {
    let back = dir.join(format!("back-{}", location.replace(['/', ':'], "_")));
    let p = pipeline_file(
        dir,
        "read-back.toml",
        &format!("{location}/kept"),
        "",
        &format!("path = {:?}", back.to_string_lossy()),
    );
    ok(run_with(s3.thresh(), &["run", &p, "-q", "--overwrite"]));
    kept(&back)
}

fn s3_stats(s3: &S3, path: &str) -> serde_json::Value {
    serde_json::from_slice(&s3.get(path).expect("stats.json on S3")).unwrap()
}

/// Uploads the team's corpus (`files` files of `docs` documents) as zstd JSON Lines to
/// `bucket/in/`, and returns it written locally too.
fn corpus(s3: &S3, dir: &Path, files: usize, docs: usize) -> std::path::PathBuf {
    let local = dir.join("corpus");
    write_corpus(&local, files, docs);
    for f in 0..files {
        let name = format!("part-{f:03}.jsonl");
        let bytes = zstd::encode_all(&fs::read(local.join(&name)).unwrap()[..], 3).unwrap();
        s3.put(&format!("bkt/in/{name}.zst"), &bytes);
    }
    local
}

const STEPS: &str = "[[step]]\ntype = \"normalize\"\n\n[[step]]\ntype = \"length\"\nmin_words = 20";

#[test]
fn jsonl_zst_and_parquet_to_and_from_s3_equal_a_local_run() {
    let Some(s3) = S3::start() else { return };
    s3.bucket("bkt");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(&s3, dir, 4, 300);
    let local_out = dir.join("local");
    let p = pipeline_file(
        dir,
        "local.toml",
        "corpus",
        STEPS,
        &format!(
            "path = {:?}\nwrite_dropped = true",
            local_out.to_string_lossy()
        ),
    );
    ok(run(&["run", &p, "-q"]));
    let reference = kept(&local_out);
    let reference_stats = stats(&local_out);
    assert!(reference.len() > 100 && reference_stats["dropped"]["length"].as_u64() > Some(100));

    // JSON Lines (zstd) from the bucket to the bucket.
    let p = pipeline_file(
        dir,
        "s3.toml",
        "s3://bkt/in",
        STEPS,
        "path = \"s3://bkt/out-jsonl\"\nwrite_dropped = true",
    );
    let o = ok(run_with(s3.thresh(), &["run", &p, "-q"]));
    assert!(String::from_utf8_lossy(&o.stderr).is_empty());
    let remote = s3_stats(&s3, "bkt/out-jsonl/stats.json");
    for key in ["read", "kept", "dropped", "errored", "steps"] {
        assert_eq!(remote[key], reference_stats[key], "{key}");
    }
    // Four small files are one work unit, named by the first.
    let keys = s3.keys("bkt", "out-jsonl/");
    assert!(keys.contains(&"out-jsonl/kept/00000-0000.jsonl.zst".to_string()));
    assert!(keys.contains(&"out-jsonl/dropped/00000-0000.jsonl.zst".to_string()));
    assert!(keys.contains(&"out-jsonl/.thresh/done/00000.json".to_string()));
    assert!(!keys.iter().any(|k| k.contains("00003")), "{keys:?}");
    assert!(keys.iter().all(|k| !k.ends_with(".tmp")), "{keys:?}");
    assert_eq!(read_back(&s3, dir, "s3://bkt/out-jsonl"), reference);
    // A second run finds every file done on the bucket.
    let o = ok(run_with(s3.thresh(), &["run", &p]));
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(
        summary.contains("(0 processed now, 4 resumed)"),
        "{summary}"
    );

    // `explain` reads an object as a run does.
    let o = ok(run_with(
        s3.thresh(),
        &[
            "explain",
            &p,
            "s3://bkt/in/part-002.jsonl.zst",
            "--id",
            "f2-d7",
            "--json",
        ],
    ));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["id"], "f2-d7");
    assert_eq!(json["steps"][1]["name"], "length");

    // A glob in the key: two of the four files.
    let p = pipeline_file(
        dir,
        "glob.toml",
        "s3://bkt/in/part-00[13].jsonl.zst",
        STEPS,
        "path = \"s3://bkt/out-glob\"",
    );
    ok(run_with(s3.thresh(), &["run", &p, "-q"]));
    let manifest: serde_json::Value =
        serde_json::from_slice(&s3.get("bkt/out-glob/.thresh/run.json").unwrap()).unwrap();
    assert_eq!(
        manifest["files"],
        serde_json::json!([
            "s3://bkt/in/part-001.jsonl.zst",
            "s3://bkt/in/part-003.jsonl.zst"
        ])
    );
    assert_eq!(s3_stats(&s3, "bkt/out-glob/stats.json")["read"], 600);

    // Parquet: written to the bucket, read from it, written again, read back.
    let p = pipeline_file(
        dir,
        "s3-parquet.toml",
        "s3://bkt/in",
        STEPS,
        "path = \"s3://bkt/out-parquet\"\nformat = \"parquet\"",
    );
    ok(run_with(s3.thresh(), &["run", &p, "-q"]));
    let keys = s3.keys("bkt", "out-parquet/kept/");
    assert_eq!(keys.len(), 1, "one work unit: {keys:?}");
    assert!(keys.iter().all(|k| k.ends_with(".parquet")), "{keys:?}");
    let p = pipeline_file(
        dir,
        "parquet-again.toml",
        "s3://bkt/out-parquet/kept",
        "",
        "path = \"s3://bkt/again-parquet\"\nformat = \"parquet\"",
    );
    ok(run_with(s3.thresh(), &["run", &p, "-q"]));
    assert_eq!(read_back(&s3, dir, "s3://bkt/again-parquet"), reference);
}

/// Runs MinHash deduplication as 4 rank tasks per pass, 2 resolve parts + the resolve, and
/// merge-stats, with input and output in the bucket, killing rank 0 of pass 1 (SIGKILL) after its first file, and
/// checks the result against one local run.
fn ranks_with_a_kill(format: &str) {
    let Some(s3) = S3::start() else { return };
    s3.bucket("bkt");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(&s3, dir, 6, 500);
    let steps = "[[step]]\ntype = \"length\"\nmin_words = 20\n\n[[step]]\ntype = \"minhash_dedup\"";
    let output = format!("format = {format:?}\nwrite_dropped = true");
    let local_out = dir.join("local");
    // One unit per file, so that rank 0's two files are two units with markers of their own.
    let p = pipeline_file_with(
        dir,
        "local.toml",
        "corpus",
        "unit_files = 1",
        steps,
        &format!("path = {:?}\n{output}", local_out.to_string_lossy()),
    );
    ok(run(&["run", &p, "-q"]));
    let reference = read_back(&s3, dir, &local_out.to_string_lossy());
    let reference_stats = stats(&local_out);
    assert!(reference_stats["dropped"]["minhash_dedup"].as_u64() > Some(50));

    let p = pipeline_file_with(
        dir,
        "s3.toml",
        "s3://bkt/in",
        "unit_files = 1",
        steps,
        &format!("path = \"s3://bkt/dd\"\n{output}"),
    );
    let task = |args: &[&str]| {
        let mut all = vec!["run", &p, "-q", "--threads", "2"];
        all.extend_from_slice(args);
        ok(run_with(s3.thresh(), &all));
    };
    for rank in ["0", "1", "2", "3"] {
        task(&["--pass", "0", "--rank", rank, "--world-size", "4"]);
    }
    for part in ["0", "1"] {
        task(&["--resolve", "0", "--rank", part, "--world-size", "2"]);
    }
    task(&["--resolve", "0"]);

    // Rank 0 has files 0 and 4. Through a proxy that holds each response back, kill it once the
    // bucket holds its first file's marker and before its second.
    let proxy = Proxy::start(s3.port);
    proxy.delay_ms.store(150, Ordering::SeqCst);
    let mut child = s3
        .thresh_via(proxy.port)
        .args(["run", &p, "-q", "--threads", "2", "--pass", "1"])
        .args(["--rank", "0", "--world-size", "4"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !s3
        .keys("bkt", "dd/.thresh/done/")
        .contains(&"dd/.thresh/done/00000.json".into())
    {
        assert!(
            Instant::now() < deadline,
            "rank 0 did not finish its first file"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let keys = s3.keys("bkt", "dd/");
    assert!(
        !keys.contains(&"dd/.thresh/done/00004.json".to_string()),
        "killed after its first file, before its second"
    );
    // Nothing half-written: no temporary names, and every kept shard there is whole.
    assert!(keys.iter().all(|k| !k.ends_with(".tmp")), "{keys:?}");
    let shards: Vec<_> = keys.iter().filter(|k| k.starts_with("dd/kept/")).collect();
    assert!(!shards.is_empty());
    for key in shards {
        let bytes = s3.get(&format!("bkt/{key}")).unwrap();
        if key.ends_with(".zst") {
            zstd::decode_all(&bytes[..]).unwrap_or_else(|e| panic!("{key}: {e}"));
        } else {
            assert_eq!(
                &bytes[bytes.len() - 4..],
                b"PAR1",
                "{key} is a whole Parquet file"
            );
        }
    }
    assert!(s3.get("bkt/dd/stats.json").is_none());

    for rank in ["1", "3", "0", "2"] {
        task(&["--pass", "1", "--rank", rank, "--world-size", "4"]);
    }
    ok(run_with(s3.thresh(), &["merge-stats", "s3://bkt/dd"]));
    let merged = s3_stats(&s3, "bkt/dd/stats.json");
    let o = ok(run_with(s3.thresh(), &["stats", "s3://bkt/dd", "--json"]));
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(shown["kept"], merged["kept"]);
    for key in ["read", "kept", "dropped", "errored", "steps", "barriers"] {
        assert_eq!(merged[key], reference_stats[key], "{key}");
    }
    // The documents set aside between passes are gone from the bucket.
    assert!(s3.keys("bkt", "dd/.thresh/stage/").is_empty());
    let mut remote = read_back(&s3, dir, "s3://bkt/dd");
    let mut reference = reference;
    remote.sort();
    reference.sort();
    assert_eq!(remote, reference);
}

#[test]
fn jsonl_ranks_with_minhash_on_s3_resume_after_kill_9() {
    ranks_with_a_kill("jsonl");
}

#[test]
fn parquet_ranks_with_minhash_on_s3_resume_after_kill_9() {
    ranks_with_a_kill("parquet");
}

#[test]
fn object_store_errors_name_the_path_and_transient_failures_are_retried() {
    let Some(s3) = S3::start() else { return };
    s3.bucket("bkt");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    corpus(&s3, dir, 2, 50);
    let proxy = Proxy::start(s3.port);
    // Runs `input` → `output` with `command`; expects failure and returns the message.
    let fails = |command: Command, input: &str, output: &str, expected: &[&str]| {
        let p = pipeline_file(
            dir,
            "failing.toml",
            input,
            STEPS,
            &format!("path = {output:?}"),
        );
        let o = run_with(command, &["run", &p, "-q"]);
        let message = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!o.status.success(), "{input} → {output} succeeded");
        for part in expected {
            assert!(message.contains(part), "`{part}` not in: {message}");
        }
    };

    // A missing bucket, as output and as input; an input prefix holding nothing.
    let missing = "the bucket does not exist";
    fails(
        s3.thresh(),
        "corpus",
        "s3://nobucket/out",
        &["`s3://nobucket/out", missing],
    );
    fails(
        s3.thresh(),
        "s3://nobucket/in",
        "s3://bkt/o",
        &["s3://nobucket/in", missing],
    );
    fails(
        s3.thresh(),
        "s3://bkt/nothing",
        "s3://bkt/o",
        &["`s3://bkt/nothing` does not exist"],
    );

    // No credentials: the instance-metadata service is tried next (here a closed loopback
    // port, so the test does not depend on the network it runs in).
    let mut command = s3.thresh();
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_METADATA_ENDPOINT", "http://127.0.0.1:9");
    fails(
        command,
        "corpus",
        "s3://bkt/nocreds",
        &["s3://bkt/nocreds", "no credentials"],
    );

    // Connections dropped now and then: retried, and the run completes.
    proxy.drop_next.store(3, Ordering::SeqCst);
    let p = pipeline_file(
        dir,
        "e.toml",
        "s3://bkt/in",
        STEPS,
        "path = \"s3://bkt/flaky\"",
    );
    ok(run_with(s3.thresh_via(proxy.port), &["run", &p, "-q"]));
    assert_eq!(proxy.dropped.load(Ordering::SeqCst), 3);
    assert_eq!(s3_stats(&s3, "bkt/flaky/stats.json")["read"], 100);

    // A download cut off in the middle: continued from where it broke off. The input is one
    // uncompressed object of about 3 MB.
    let big: String = (0..6000)
        .map(|i| {
            let text = format!("doc {i} ") + &"words of a longer document ".repeat(20);
            serde_json::json!({"id": format!("big-{i}"), "text": text}).to_string() + "\n"
        })
        .collect();
    s3.put("bkt/big/one.jsonl", big.as_bytes());
    proxy.cut_after.store(1 << 20, Ordering::SeqCst);
    let p = pipeline_file(
        dir,
        "g.toml",
        "s3://bkt/big",
        STEPS,
        "path = \"s3://bkt/cut\"",
    );
    ok(run_with(s3.thresh_via(proxy.port), &["run", &p, "-q"]));
    assert_eq!(proxy.cut.load(Ordering::SeqCst), 1, "one response was cut");
    let cut = s3_stats(&s3, "bkt/cut/stats.json");
    assert_eq!(
        (cut["read"].as_u64(), cut["errored"].as_u64()),
        (Some(6000), Some(0))
    );

    // Every connection dropped: after the retries, an error naming the path.
    proxy.drop_all.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let down = ["s3://bkt/down", "dropped the connection"];
    fails(s3.thresh_via(proxy.port), "corpus", "s3://bkt/down", &down);
    let dropped = proxy.dropped.load(Ordering::SeqCst);
    assert!(dropped > 3 + 5, "retried: {dropped} connections dropped");
    assert!(started.elapsed() < Duration::from_secs(60));
}
