//! Work units: a folder of many small inputs gives few shards and markers, gives the documents
//! one unit per file gives, resumes after kill -9 to identical output, and splits into ranks
//! as documented (file `i` to rank `i % W`, units within a rank's files).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::*;

/// Kept shard files under `out`.
fn kept_shards(out: &Path) -> usize {
    shard_files(&out.join("kept")).len()
}

/// Every completion marker of the final pass: (unit id, its files).
fn marked_units(out: &Path) -> Vec<(u32, Vec<u32>)> {
    let mut units: Vec<(u32, Vec<u32>)> = fs::read_dir(out.join(".thresh/done"))
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".json")?.parse().ok()?;
            let marker: serde_json::Value =
                serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
            let files = marker["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_u64().unwrap() as u32)
                .collect();
            Some((id, files))
        })
        .collect();
    units.sort();
    units
}

fn ids(docs: &[serde_json::Value]) -> Vec<String> {
    docs.iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn many_small_files_give_few_shards_and_the_documents_of_one_unit_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("in"), 2000, 3);
    let p = pipeline(tmp.path(), &["in"], "", "");
    let out = tmp.path().join("out");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    assert_eq!(kept_shards(&out), 1, "2,000 small files are one unit");
    let units = marked_units(&out);
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].1, (0..2000).collect::<Vec<u32>>());
    let grouped = documents(&out.join("kept"));
    assert_eq!(grouped.len(), 6000);

    // One unit per file: 2,000 shards, the same documents in the same order.
    let per_file = tmp.path().join("per-file");
    let p1 = pipeline_with_input(tmp.path(), &["in"], "unit_files = 1", "", "");
    run_to(&p1, &per_file);
    assert_eq!(kept_shards(&per_file), 2000);
    assert_eq!(grouped, documents(&per_file.join("kept")));

    // unit_bytes closes a unit: files of about 0.3-1 KB, 8 KB per unit.
    let small = tmp.path().join("small-units");
    let p2 = pipeline_with_input(tmp.path(), &["in"], "unit_bytes = 8192", "", "");
    run_to(&p2, &small);
    // Input files by index: sorted by name.
    let mut inputs: Vec<_> = fs::read_dir(tmp.path().join("in"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    let sizes: Vec<u64> = inputs
        .iter()
        .map(|f| fs::metadata(f).unwrap().len())
        .collect();
    for (id, files) in marked_units(&small) {
        let bytes: u64 = files.iter().map(|&f| sizes[f as usize]).sum();
        assert!(
            bytes <= 8192 || files.len() == 1,
            "unit {id}: {bytes} bytes"
        );
        let next = files.last().unwrap() + 1;
        if let Some(&more) = sizes.get(next as usize) {
            assert!(bytes + more > 8192, "unit {id} could have held file {next}");
        }
    }
    assert_eq!(grouped, documents(&small.join("kept")));
}

#[test]
fn a_folder_of_saved_pages_is_one_unit_with_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site/news");
    fs::create_dir_all(&site).unwrap();
    for i in 0..300 {
        let body = format!(
            "<html><head><title>Page {i}</title></head><body><article><h1>Bericht {i}</h1>\
             <p>Der Gemeinderat hat am Dienstag über den Haushalt {i} beraten und die Pläne für \
             das neue Schwimmbad am Stadtpark vorgestellt, das im Oktober öffnen soll.</p>\
             <p>Die Arbeiten am Dach sind fast abgeschlossen, sagte die Bürgermeisterin.</p>\
             </article></body></html>"
        );
        fs::write(site.join(format!("page-{i:03}.html")), body).unwrap();
    }
    let p = pipeline(
        tmp.path(),
        &["site"],
        "[[step]]\ntype = \"html_extract\"",
        "",
    );
    let out = tmp.path().join("out");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    assert_eq!(kept_shards(&out), 1);
    let docs = documents(&out.join("kept"));
    let expected: Vec<String> = (0..300).map(|i| format!("news/page-{i:03}.html")).collect();
    assert_eq!(
        ids(&docs),
        expected,
        "every page, in order, named by its path"
    );
    assert!(docs[7]["text"]
        .as_str()
        .unwrap()
        .contains("Haushalt 7 beraten"));
    let (read, kept, _, errored) = assert_balanced(&out);
    assert_eq!((read, kept, errored), (300, 300, 0));
}

#[test]
fn deduplication_across_units_decides_as_with_one_unit_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    // File f repeats the second document of file f - 1 (exactly, then with other spacing
    // and case for MinHash): 199 exact duplicates across file (and unit) boundaries.
    for f in 0..200 {
        let mut text = String::new();
        for d in 0..3 {
            let body = if d == 0 && f > 0 {
                format!("the second story of file {} is about the river and the old bridge that the council wants to repair before winter comes again", f - 1)
            } else if d == 1 {
                format!("the second story of file {f} is about the river and the old bridge that the council wants to repair before winter comes again")
            } else {
                format!("story {d} of file {f}: the market opens at nine, the library at ten, and the garden of the école stays closed for {f} days")
            };
            let line = serde_json::json!({"id": format!("f{f}-d{d}"), "text": body});
            text.push_str(&format!("{line}\n"));
        }
        fs::write(input.join(format!("part-{f:03}.jsonl")), text).unwrap();
    }
    let steps = "[[step]]\ntype = \"exact_dedup\"\n\n[[step]]\ntype = \"minhash_dedup\"";
    let kept_ids = |settings: &str, name: &str| {
        let p = pipeline_with_input(tmp.path(), &["in"], settings, steps, "");
        let out = tmp.path().join(name);
        run_to(&p, &out);
        (ids(&documents(&out.join("kept"))), stats(&out))
    };
    let (grouped, grouped_stats) = kept_ids("unit_files = 64", "grouped");
    let (per_file, per_file_stats) = kept_ids("unit_files = 1", "per-file");
    assert_eq!(grouped_stats["dropped"]["exact_dedup"], 199);
    assert_eq!(grouped, per_file);
    assert_eq!(grouped_stats["barriers"], per_file_stats["barriers"]);
    // The first copy survives.
    assert!(grouped.contains(&"f0-d1".to_owned()) && !grouped.contains(&"f1-d0".to_owned()));
}

#[test]
fn a_killed_run_of_many_small_files_resumes_to_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("in"), 3000, 20);
    let p = pipeline_with_input(
        tmp.path(),
        &["in"],
        "unit_files = 200",
        "[[step]]\ntype = \"length\"\nmin_words = 20",
        "",
    );
    let out = tmp.path().join("out");
    run_threads(&p, "2");
    let reference = shard_bytes(&out);
    let reference_stats = stats(&out);
    assert_eq!(marked_units(&out).len(), 15);
    fs::remove_dir_all(&out).unwrap();

    let finished = run_and_kill(&p, &out.join(".thresh/done"), 2);
    assert!(
        finished < 15,
        "killed before the end ({finished} of 15 units)"
    );
    run_ok(&["run", p.to_str().unwrap(), "-q", "--threads", "2"]);
    assert_eq!(shard_bytes(&out), reference);
    let resumed = stats(&out);
    for key in ["read", "kept", "dropped", "errored", "steps"] {
        assert_eq!(resumed[key], reference_stats[key], "{key}");
    }
    assert_eq!(resumed["files"]["resumed"], 200 * finished as u64);
}

#[test]
fn ranks_group_their_own_files_and_together_give_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("in"), 1000, 2);
    let p = pipeline_with_input(
        tmp.path(),
        &["in"],
        "unit_files = 200",
        "[[step]]\ntype = \"length\"\nmin_words = 20",
        "write_dropped = true",
    );
    let out = tmp.path().join("out");
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let whole: BTreeSet<String> = ids(&documents(&out.join("kept"))).into_iter().collect();
    let whole_stats = stats(&out);
    fs::remove_dir_all(&out).unwrap();

    for rank in ["2", "0", "1"] {
        run_ok(&[
            "run",
            p.to_str().unwrap(),
            "-q",
            "--rank",
            rank,
            "--world-size",
            "3",
        ]);
    }
    // Rank r has files r, r + 3, …: 334, 333 and 333 files, in units of at most 200.
    let units = marked_units(&out);
    assert_eq!(units.len(), 6);
    for (id, files) in &units {
        let rank = id % 3;
        assert!(files.iter().all(|f| f % 3 == rank), "unit {id}: {files:?}");
        assert!(
            files.windows(2).all(|w| w[1] == w[0] + 3),
            "consecutive: {files:?}"
        );
        assert!(files.len() <= 200);
    }
    let covered: BTreeSet<u32> = units.iter().flat_map(|(_, f)| f.clone()).collect();
    assert_eq!(covered, (0..1000).collect());
    let ranked: BTreeSet<String> = ids(&documents(&out.join("kept"))).into_iter().collect();
    assert_eq!(ranked, whole);
    fs::remove_file(out.join("stats.json")).unwrap();
    run_ok(&["merge-stats", out.to_str().unwrap()]);
    let merged = stats(&out);
    for key in ["read", "kept", "dropped", "errored", "steps"] {
        assert_eq!(merged[key], whole_stats[key], "{key}");
    }
    let rank0: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("ranks/rank-00000-of-00003.json")).unwrap())
            .unwrap();
    assert_eq!(rank0["files"]["total"], 334);
    assert_eq!(rank0["read"], 668);
}
