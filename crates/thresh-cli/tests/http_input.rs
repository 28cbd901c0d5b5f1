//! Common Crawl as input: a paths listing (`[input] paths_file`, gzip) joined to a `base_url`,
//! read over HTTP from a server on loopback that this test starts, which cuts its first
//! response to each file in the middle.

mod common;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;

/// What the server did: ranged requests answered, responses cut short.
#[derive(Default)]
struct Served {
    ranged: AtomicUsize,
    cut: AtomicUsize,
}

/// Serves `files` (path → bytes) with GET, ranged GET and HEAD; the first full GET of each
/// file whose name ends in `warc` or `warc.gz` is cut after half its body.
fn serve(files: HashMap<String, Vec<u8>>) -> (String, Arc<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(Served::default());
    let state = served.clone();
    let cut_already: Arc<Mutex<Vec<String>>> = Arc::default();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            let state = state.clone();
            let cut_already = cut_already.clone();
            std::thread::spawn(move || answer(stream, &files, &state, &cut_already));
        }
    });
    (url, served)
}

fn answer(
    mut stream: TcpStream,
    files: &HashMap<String, Vec<u8>>,
    served: &Served,
    cut_already: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        let mut range = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                let (start, end) = value.trim().split_once('-').unwrap();
                range = Some((start.parse::<usize>().unwrap(), end.parse::<usize>().ok()));
            }
        }
        let mut parts = request.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let Some(body) = files.get(path.trim_start_matches('/')) else {
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            continue;
        };
        let common = "Last-Modified: Wed, 02 Dec 2026 00:00:00 GMT\r\nETag: \"v1\"\r\nAccept-Ranges: bytes\r\n";
        let (status, slice, extra) = match range {
            Some((start, end)) => {
                served.ranged.fetch_add(1, Ordering::SeqCst);
                let end = end.map_or(body.len(), |e| (e + 1).min(body.len()));
                let extra = format!(
                    "Content-Range: bytes {start}-{}/{}\r\n",
                    end - 1,
                    body.len()
                );
                ("206 Partial Content", &body[start..end], extra)
            }
            None => ("200 OK", &body[..], String::new()),
        };
        let head = format!(
            "HTTP/1.1 {status}\r\n{common}{extra}Content-Length: {}\r\n\r\n",
            slice.len()
        );
        let _ = stream.write_all(head.as_bytes());
        if method == "HEAD" {
            continue;
        }
        let is_archive = path.ends_with(".warc") || path.ends_with(".warc.gz");
        let first = is_archive && range.is_none_or(|(start, _)| start == 0) && {
            let mut cut = cut_already.lock().unwrap();
            let first = !cut.contains(&path.to_owned());
            cut.push(path.to_owned());
            first
        };
        if first {
            let _ = stream.write_all(&slice[..slice.len() / 2]);
            served.cut.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let _ = stream.write_all(slice);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn texts(out: &std::path::Path) -> Vec<String> {
    let mut texts: Vec<String> = documents(&out.join("kept"))
        .iter()
        .map(|d| d["text"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    texts
}

#[test]
fn a_paths_listing_over_http_reads_every_page_through_cut_connections() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let warc = fs::read(examples_dir().join("warc/sample.warc")).unwrap();
    let mut files = HashMap::new();
    files.insert("crawl-data/a/one.warc".to_owned(), warc.clone());
    files.insert("crawl-data/b/two.warc.gz".to_owned(), gzip(&warc));
    files.insert(
        "warc.paths.gz".to_owned(),
        gzip(b"crawl-data/a/one.warc\n\ncrawl-data/b/two.warc.gz\n"),
    );
    let (url, served) = serve(files);
    // The same two files on disk, read as a folder, give the reference.
    fs::create_dir_all(dir.join("local")).unwrap();
    fs::write(dir.join("local/one.warc"), &warc).unwrap();
    fs::write(dir.join("local/two.warc.gz"), gzip(&warc)).unwrap();
    let steps = "[[step]]\ntype = \"html_extract\"\n";
    let local = pipeline(dir, &["local"], steps, "");
    run_ok(&[
        "run",
        local.to_str().unwrap(),
        "-q",
        "--output",
        dir.join("out-local").to_str().unwrap(),
    ]);
    let remote = pipeline_with_input(
        dir,
        &[],
        &format!("paths_file = \"{url}/warc.paths.gz\"\nbase_url = \"{url}/\""),
        steps,
        "",
    );
    let check = run_ok(&["check", remote.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("input: 2 files"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    run_ok(&[
        "run",
        remote.to_str().unwrap(),
        "-q",
        "--output",
        dir.join("out-http").to_str().unwrap(),
    ]);
    let (read, kept, _, errored) = assert_balanced(&dir.join("out-http"));
    assert_eq!(
        (read, kept, errored),
        (12, 12, 0),
        "every page of both archives"
    );
    assert_eq!(texts(&dir.join("out-http")), texts(&dir.join("out-local")));
    assert!(
        served.cut.load(Ordering::SeqCst) >= 2,
        "each archive's first response was cut"
    );
    assert!(
        served.ranged.load(Ordering::SeqCst) >= 2,
        "and the rest came by ranged requests"
    );
}
