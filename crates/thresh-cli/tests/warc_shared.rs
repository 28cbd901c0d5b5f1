//! Every real archive of ../shared/data/warc through `thresh run`, counted in documents (what a
//! user gets), against what warcio reads (`expected.json`): an undamaged file gives at least
//! as many HTML documents as warcio reads HTML responses and no error record; a damaged one
//! gives at least its recoverable records and reports the damage (an error record, or a
//! document whose `metadata.payload_note` says how its payload was read anyway).

mod common;

use std::fs;

use common::{documents, errors, pipeline, run_ok, shared, stats};

#[test]
fn every_shared_archive_gives_its_documents() {
    let Some(dir) = shared("data/warc") else {
        return;
    };
    let expected: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (name, want) in expected.as_object().unwrap() {
        let work = tempfile::tempdir().unwrap();
        let input = dir.join(name);
        let p = pipeline(work.path(), &[input.to_str().unwrap()], "", "");
        run_ok(&["run", p.to_str().unwrap(), "-q"]);
        let out = work.path().join("out");
        let docs = documents(&out.join("kept"));
        let errors = errors(&out);
        let s = stats(&out);
        let html = docs
            .iter()
            .filter(|d| d["metadata"]["content_type"] != "text/plain")
            .count() as u64;
        let notes = docs
            .iter()
            .filter(|d| d["metadata"]["payload_note"].is_string())
            .count();
        let skipped: u64 = s["skipped"]
            .as_object()
            .map_or(0, |m| m.values().map(|v| v.as_u64().unwrap()).sum());
        // Records: documents, records counted as skipped by kind, and error records.
        let records = docs.len() as u64 + skipped;
        let want_html = want["html_responses_read_by_warcio"].as_u64().unwrap();
        let recoverable = want["recoverable_records"].as_u64().unwrap();
        // warcio-example-space-in-url.arc is not marked damaged, but its last record really
        // is 12 bytes short of its Archive-length (1,591 declared, 1,579 left).
        let short_record = name == "warcio-example-space-in-url.arc";
        // Gzip members that do not align with records are invisible once the stream is
        // decompressed as a whole (both records are read, where warcio gets one).
        let invisible = name == "warcio-example-wrong-chunks.warc.gz";
        let ok = if want["damaged"].as_bool().unwrap() {
            records >= recoverable && (!errors.is_empty() || notes > 0 || invisible)
        } else {
            html >= want_html && records >= recoverable && errors.len() == usize::from(short_record)
        };
        if !ok {
            failures.push(format!(
                "{name}: {} documents ({html} HTML, {notes} with a payload note), {skipped} skipped, {} errors {:?}; warcio: {want_html} HTML, recoverable {recoverable}",
                docs.len(),
                errors.len(),
                errors.iter().map(|e| e["message"].to_string()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pywb_iana_gives_all_twenty_pages_through_html_extract() {
    let Some(input) = shared("data/warc/pywb-iana.warc.gz") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let p = pipeline(
        work.path(),
        &[input.to_str().unwrap()],
        "[[step]]\ntype = \"html_extract\"",
        "",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = work.path().join("out");
    let s = stats(&out);
    assert_eq!(s["errored"], 0, "{s}");
    let read = s["read"].as_u64().unwrap();
    assert_eq!(read, 20, "{s}");
    // Pages html_extract keeps or drops (too short) are all accounted for, none lost.
    let kept = documents(&out.join("kept"));
    let dropped = documents(&out.join("dropped"));
    assert_eq!(kept.len() + dropped.len(), 20);
    // The crawler stored these bodies de-chunked under a kept `Transfer-Encoding: chunked`.
    let noted = kept
        .iter()
        .chain(&dropped)
        .filter(|d| {
            d["metadata"]["payload_note"]
                .as_str()
                .is_some_and(|n| n.contains("no chunk size"))
        })
        .count();
    assert_eq!(noted, 16);
}
