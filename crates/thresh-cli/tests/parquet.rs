//! Parquet input through the real binary: one document per row, columns kept, damage recorded.

mod common;

use std::fs;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use common::*;

#[test]
fn a_parquet_file_is_read_row_by_row_with_its_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    let rows = 600;
    let ids: Vec<String> = (0..rows).map(|i| format!("row-{i}")).collect();
    let texts: Vec<String> = (0..rows)
        .map(|i| {
            "word "
                .repeat(if i % 3 == 0 { 3 } else { 30 })
                .trim()
                .to_owned()
        })
        .collect();
    let urls: Vec<String> = (0..rows)
        .map(|i| format!("https://example.org/{i}"))
        .collect();
    let batch = RecordBatch::try_from_iter(vec![
        ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
        ("text", Arc::new(StringArray::from(texts)) as ArrayRef),
        ("url", Arc::new(StringArray::from(urls)) as ArrayRef),
    ])
    .unwrap();
    let file = fs::File::create(data.join("train-00000.parquet")).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    fs::write(data.join("broken.parquet"), b"PAR1 not really").unwrap();

    let p = pipeline(
        tmp.path(),
        &["data"],
        "[[step]]\ntype = \"length\"\nmin_words = 10",
        "",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let docs = documents(&out.join("kept"));
    assert_eq!(docs.len(), 400);
    assert_eq!(docs[0]["id"], "row-1");
    assert_eq!(docs[0]["url"], "https://example.org/1");
    let (read, kept, dropped, errored) = assert_balanced(&out);
    assert_eq!((read, kept, dropped, errored), (601, 400, 200, 1));
    let errs = errors(&out);
    assert!(errs[0]["message"]
        .as_str()
        .unwrap()
        .contains("not a readable Parquet file"));
}

#[test]
fn parquet_output_reads_back_as_the_same_documents() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("corpus"), 2, 1500);
    let steps = "[[step]]\ntype = \"length\"\nmin_words = 20";
    let p = pipeline(tmp.path(), &["corpus"], steps, "max_docs_per_shard = 1000");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let reference = documents(&tmp.path().join("out/kept"));

    let p = pipeline(
        tmp.path(),
        &["corpus"],
        steps,
        "max_docs_per_shard = 1000\nformat = \"parquet\"",
    );
    let out = tmp.path().join("pq");
    run_to(&p, &out);
    let shards: Vec<String> = fs::read_dir(out.join("kept"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !shards.is_empty() && shards.iter().all(|n| n.ends_with(".parquet")),
        "{shards:?}"
    );
    assert_balanced(&out);

    // Read the Parquet shards back through thresh itself: the same ids and texts, in order.
    let back = pipeline(tmp.path(), &["pq/kept"], "", "compression = \"none\"");
    let again = tmp.path().join("again");
    run_to(&back, &again);
    let read_back = documents(&again.join("kept"));
    assert_eq!(read_back.len(), reference.len());
    for (a, b) in read_back.iter().zip(&reference) {
        assert_eq!((&a["id"], &a["text"]), (&b["id"], &b["text"]));
    }
}
