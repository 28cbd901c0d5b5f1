//! Token counts and token shards through the real binary: the `tokens` step and its totals in
//! `stats.json`, datatrove's `.ds` layout and Megatron's `.bin`/`.idx` with the built-in
//! `o200k_base` (ids worked out with tiktoken), per-language streams, the shuffled layout as a
//! permutation of the unshuffled one, and a killed run resuming to identical bytes.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;

/// o200k_base (tiktoken's `encode_ordinary`): "hello world" → [24912, 2375]; its
/// `<|endoftext|>` is 199999.
const HELLO_WORLD: [u32; 2] = [24912, 2375];
const EOS: u32 = 199_999;

fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn u64s(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// The documents of a `.ds` file as id lists, split by its index.
fn ds_documents(ds: &Path) -> Vec<Vec<u32>> {
    let ids = u32s(&fs::read(ds).unwrap());
    let mut index = ds.as_os_str().to_owned();
    index.push(".index");
    let mut start = 0;
    u64s(&fs::read(index).unwrap())
        .into_iter()
        .map(|end| {
            let doc = ids[start..end as usize].to_vec();
            start = end as usize;
            doc
        })
        .collect()
}

fn write_docs(dir: &Path, docs: &[(&str, &str)]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    fs::write(dir.join("docs.jsonl"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn datatrove_shards_hold_each_kept_document_and_its_eos() {
    let tmp = tempfile::tempdir().unwrap();
    write_docs(
        tmp.path(),
        &[
            ("a", "hello world"),
            ("b", "too short"),
            ("c", "hello world"),
        ],
    );
    let p = pipeline(
        tmp.path(),
        &["docs.jsonl"],
        "[[step]]\ntype = \"tokens\"\nmin_tokens = 2\n\n[[step]]\ntype = \"length\"\nmin_chars = 10",
        "format = \"datatrove_tokens\"\ntokenizer = \"o200k_base\"\neos_token = \"<|endoftext|>\"",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let ds = out.join("kept/00000-0000.ds");
    let want = vec![
        vec![HELLO_WORLD[0], HELLO_WORLD[1], EOS],
        vec![HELLO_WORLD[0], HELLO_WORLD[1], EOS],
    ];
    assert_eq!(ds_documents(&ds), want);
    assert_eq!(
        fs::read_to_string(out.join("kept/00000-0000.ds.metadata")).unwrap(),
        "o200k_base|4\n6\n6.00 T"
    );
    // The dropped document stays JSON Lines; the accounting is unchanged.
    let dropped = documents(&out.join("dropped"));
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0]["id"], "b");
    assert_eq!(dropped[0]["thresh"]["tokens"], 2);
    assert_balanced(&out);
    let stats = stats(&out);
    // "too short" is two tokens too, so `length` drops it: the tokens step saw 6, length dropped 2.
    assert_eq!(stats["steps"][0]["tokens_seen"], 6);
    assert_eq!(stats["steps"][1]["tokens_dropped"], 2);
    // Kept tokens as written, the end-of-sequence tokens included.
    assert_eq!(stats["kept_tokens"][""], 6);
}

#[test]
fn megatron_files_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    write_docs(tmp.path(), &[("a", "hello world"), ("b", "hello world")]);
    let p = pipeline(
        tmp.path(),
        &["docs.jsonl"],
        "",
        "format = \"megatron\"\ntokenizer = \"o200k_base\"",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let kept = tmp.path().join("out/kept");
    let bin = u32s(&fs::read(kept.join("00000-0000.bin")).unwrap());
    assert_eq!(bin, [24912, 2375, 24912, 2375]);
    let idx = fs::read(kept.join("00000-0000.idx")).unwrap();
    assert_eq!(&idx[..9], b"MMIDIDX\x00\x00");
    assert_eq!(u64s(&idx[9..17]), [1]);
    // int32 (dtype code 4), two sequences, three document indices.
    assert_eq!(idx[17], 4);
    assert_eq!(u64s(&idx[18..34]), [2, 3]);
    let lengths: Vec<i32> = idx[34..42]
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(lengths, [2, 2]);
    assert_eq!(u64s(&idx[42..58]), [0, 8]);
    assert_eq!(u64s(&idx[58..]), [0, 1, 2]);
}

#[test]
fn shuffled_shards_are_a_permutation_per_language_and_resume_identically() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(&tmp.path().join("in"), 40, 50);
    let shards = |extra: &str| {
        let p = pipeline_with_input(
            tmp.path(),
            &["in"],
            "unit_files = 4",
            "[[step]]\ntype = \"length\"\nmin_words = 5\n\n[[step]]\ntype = \"language\"",
            &format!("format = \"datatrove_tokens\"\ntokenizer = \"o200k_base\"\npartition_by = \"lang\"\n{extra}"),
        );
        (p, tmp.path().join("out"))
    };
    let collect = |out: &Path| -> BTreeMap<String, Vec<Vec<u32>>> {
        let mut by_dir: BTreeMap<String, Vec<Vec<u32>>> = BTreeMap::new();
        for f in shard_files(&out.join("kept")) {
            if f.extension().is_some_and(|e| e == "ds") {
                let dir = f
                    .parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                by_dir.entry(dir).or_default().extend(ds_documents(&f));
            }
        }
        by_dir
    };
    let (p, out) = shards("");
    run_threads(&p, "2");
    let unshuffled = collect(&out);
    assert!(!unshuffled.is_empty());
    let (p, out) = shards("shuffle = true\nseed = 7\nmax_tokens_per_file = 500");
    run_threads(&p, "2");
    let shuffled = collect(&out);
    assert_eq!(
        unshuffled.keys().collect::<Vec<_>>(),
        shuffled.keys().collect::<Vec<_>>()
    );
    for (dir, docs) in &unshuffled {
        let mut a = docs.clone();
        let mut b = shuffled[dir].clone();
        assert_ne!(&a, &b, "{dir}: shuffled");
        a.sort();
        b.sort();
        assert_eq!(a, b, "{dir}: the same documents");
    }
    let reference = shard_bytes(&out);
    fs::remove_dir_all(&out).unwrap();
    let finished = run_and_kill(&p, &out.join(".thresh/done"), 2);
    assert!(
        finished < 10,
        "killed before the end ({finished} of 10 units)"
    );
    run_ok(&["run", p.to_str().unwrap(), "-q", "--threads", "2"]);
    assert_eq!(shard_bytes(&out), reference);
}

#[test]
fn token_keys_need_a_token_format_and_a_tokenizer() {
    let tmp = tempfile::tempdir().unwrap();
    write_docs(tmp.path(), &[("a", "hello world")]);
    let p = pipeline(
        tmp.path(),
        &["docs.jsonl"],
        "",
        "tokenizer = \"o200k_base\"",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("go with format"));
    let p = pipeline(
        tmp.path(),
        &["docs.jsonl"],
        "",
        "format = \"datatrove_tokens\"",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing key `tokenizer`"));
    let p = pipeline(
        tmp.path(),
        &["docs.jsonl"],
        "",
        "format = \"megatron\"\ntokenizer = \"missing/tokenizer.json\"",
    );
    let o = run(&["check", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot load tokenizer"));
}
