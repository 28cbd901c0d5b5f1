//! Helpers for tests that drive the real `thresh` binary.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub mod s3;

/// The `thresh` binary built by cargo for these tests.
pub fn thresh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_thresh"))
}

/// Runs `thresh` with `args`, returning its output.
pub fn run(args: &[&str]) -> Output {
    thresh().args(args).output().expect("thresh runs")
}

/// Runs `thresh` with `args`, which must succeed (its stderr is the failure message).
pub fn run_ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

/// Writes `pipeline.toml` in `dir` with the given input paths, step tables and output options.
pub fn pipeline(dir: &Path, inputs: &[&str], steps: &str, output: &str) -> PathBuf {
    pipeline_with_input(dir, inputs, "", steps, output)
}

/// [`pipeline`] with more `[input]` settings (`input`, TOML lines).
pub fn pipeline_with_input(
    dir: &Path,
    inputs: &[&str],
    input: &str,
    steps: &str,
    output: &str,
) -> PathBuf {
    let paths: Vec<String> = inputs.iter().map(|p| format!("{p:?}")).collect();
    let text = format!(
        "[input]\npaths = [{}]\n{input}\n\n{steps}\n\n[output]\npath = \"out\"\n{output}\n",
        paths.join(", ")
    );
    let path = dir.join("pipeline.toml");
    fs::write(&path, text).unwrap();
    path
}

/// Decompressed bytes of a file (zstd, gzip or plain, by magic bytes).
pub fn read_any(path: &Path) -> Vec<u8> {
    let raw = fs::read(path).unwrap();
    let mut out = Vec::new();
    if raw.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::stream::read::Decoder::new(&raw[..])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
    } else if raw.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
    } else {
        out = raw;
    }
    out
}

/// Every shard file under `dir` (recursively), sorted by path.
pub fn shard_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(shard_files(&path));
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The documents of every shard under `dir`, in shard order.
pub fn documents(dir: &Path) -> Vec<Value> {
    shard_files(dir)
        .iter()
        .flat_map(|f| {
            String::from_utf8(read_any(f))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<Value>>()
        })
        .collect()
}

/// `stats.json` of an output directory.
pub fn stats(out: &Path) -> Value {
    serde_json::from_slice(&fs::read(out.join("stats.json")).unwrap()).unwrap()
}

/// The records of `errors.jsonl`.
pub fn errors(out: &Path) -> Vec<Value> {
    fs::read_to_string(out.join("errors.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Asserts `read = kept + dropped + errored` in `stats.json` and returns the four numbers.
pub fn assert_balanced(out: &Path) -> (u64, u64, u64, u64) {
    let s = stats(out);
    let dropped: u64 = s["dropped"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let (read, kept, errored) = (
        s["read"].as_u64().unwrap(),
        s["kept"].as_u64().unwrap(),
        s["errored"].as_u64().unwrap(),
    );
    assert_eq!(
        read,
        kept + dropped + errored,
        "accounting identity broken: {s}"
    );
    (read, kept, dropped, errored)
}

/// A deterministic corpus: `files` JSONL files of `docs` documents each, some short enough
/// for a `length` step to drop.
pub fn write_corpus(dir: &Path, files: usize, docs: usize) {
    fs::create_dir_all(dir).unwrap();
    let words = [
        "river", "Stadt", "garden", "école", "market", "Brücke", "library", "soleil", "council",
        "Wetter",
    ];
    for f in 0..files {
        let mut text = String::new();
        for d in 0..docs {
            let n = (f * 7919 + d * 104729) % 120 + 1;
            let body: Vec<&str> = (0..n)
                .map(|i| words[(i * 31 + d + f) % words.len()])
                .collect();
            let line = serde_json::json!({"id": format!("f{f}-d{d}"), "text": body.join(" "), "metadata": {"n": n}});
            text.push_str(&line.to_string());
            text.push('\n');
        }
        fs::write(dir.join(format!("part-{f:03}.jsonl")), text).unwrap();
    }
}

/// Every kept and dropped shard under `out`: (path relative to `out`, bytes), sorted.
pub fn shard_bytes(out: &Path) -> Vec<(String, Vec<u8>)> {
    ["kept", "dropped"]
        .iter()
        .flat_map(|sub| shard_files(&out.join(sub)))
        .map(|f| {
            (
                f.strip_prefix(out).unwrap().display().to_string(),
                fs::read(&f).unwrap(),
            )
        })
        .collect()
}

/// `thresh run PIPELINE -q --overwrite --threads N`, which must succeed.
pub fn run_threads(pipeline: &Path, threads: &str) {
    let o = run(&[
        "run",
        pipeline.to_str().unwrap(),
        "-q",
        "--overwrite",
        "--threads",
        threads,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Completion markers with their final name in `dir` (a killed write leaves a hidden `.tmp`).
pub fn markers(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| {
        d.filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            !name.starts_with('.') && name.ends_with(".json")
        })
        .count()
    })
}

/// Starts `thresh run PIPELINE -q --threads THREADS` in the background, output discarded.
pub fn spawn_run(pipeline: &Path, threads: &str) -> std::process::Child {
    thresh()
        .args([
            "run",
            pipeline.to_str().unwrap(),
            "-q",
            "--threads",
            threads,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `dir` holds `n` completion markers (at most a minute).
pub fn wait_for_markers(dir: &Path, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while markers(dir) < n && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Starts `thresh run PIPELINE -q --threads 2`, waits until `dir` holds `n` completion
/// markers (at most a minute), kills it with SIGKILL and returns how many markers there are.
pub fn run_and_kill(pipeline: &Path, dir: &Path, n: usize) -> usize {
    let mut child = spawn_run(pipeline, "2");
    wait_for_markers(dir, n);
    child.kill().unwrap();
    child.wait().unwrap();
    markers(dir)
}

/// The repository's `examples/` directory.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs the bundled example pipeline `examples/<name>` into `out`, which must succeed.
pub fn run_example(name: &str, out: &Path) {
    run_to(&examples_dir().join(name), out);
}

/// `thresh run PIPELINE -q --output OUT`, which must succeed.
pub fn run_to(pipeline: &Path, out: &Path) {
    run_ok(&[
        "run",
        pipeline.to_str().unwrap(),
        "-q",
        "--output",
        out.to_str().unwrap(),
    ]);
}

/// One WARC record, gzip-compressed as its own member (as Common Crawl writes them).
pub fn warc_member(kind: &str, id: &str, extra: &str, block: &[u8]) -> Vec<u8> {
    let mut record = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Target-URI: https://example.org/{id}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n{extra}Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&record).unwrap();
    gz.finish().unwrap()
}

/// The records a crawl starts with before any page: a `warcinfo` and the `request` for `path`.
pub fn warc_preamble(path: &str) -> Vec<u8> {
    let mut file = warc_member("warcinfo", "info", "", b"software: thresh tests");
    file.extend(warc_member(
        "request",
        "req",
        "Content-Type: application/http; msgtype=request\r\n",
        format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes(),
    ));
    file
}

/// Whether the environment says `service` is there and its tests must run rather than skip:
/// `THRESH_REQUIRE` lists what `.ci/run` provided (`shared,s3,slurm`); `CI` set requires
/// `shared` (which CI always places beside the checkout).
pub fn required(service: &str) -> bool {
    let listed = std::env::var("THRESH_REQUIRE")
        .is_ok_and(|list| list.split(',').any(|s| s.trim() == service));
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    listed || (service == "shared" && ci)
}

/// `../shared/<relative>` when it is there. When it is not, the test skips with a message —
/// except where the environment requires it ([`required`]), where a missing `../shared`
/// fails the test instead of passing it silently.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        !required("shared"),
        "{} is missing, and CI requires it (../shared is placed beside the checkout)",
        path.display()
    );
    eprintln!(
        "skipped: {} not found (../shared is absent)",
        path.display()
    );
    None
}
