//! Merging token shards into files of a chosen size, as datatrove's `DocumentTokenizerMerger`
//! does: every `*.ds` file under a directory (with its `.ds.index` and `.ds.metadata`), in path
//! order, its documents either file after file or — with `shuffle` — in a seeded random
//! interleaving of the files (each file's documents keep their order, so every input is read
//! front to back once). A new output file `NNN_<name>.ds` starts before the document that
//! would be added to a file already holding `max_tokens_per_file` tokens; `max_tokens` stops
//! the merge; `<name>.ds.metadata` gives the total.

use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::tokens::{humanize_metric, sibling, DsPart, SplitMix64, TokenLayout};
use crate::store::atomic::write_atomic;

/// What to merge and how.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    /// Output files are `NNN_<name>.ds`.
    pub name: String,
    /// Start a new file once one holds this many tokens (0: no limit; datatrove: 1e11).
    pub max_tokens_per_file: u64,
    /// Stop after this many tokens (0: all).
    pub max_tokens: u64,
    /// Interleave the files' documents in a seeded random order.
    pub shuffle: Option<u64>,
}

/// What a merge wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    /// Input `.ds` files.
    pub inputs: usize,
    /// Documents written.
    pub documents: u64,
    /// Tokens written.
    pub tokens: u64,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// One input file: its documents' ends and a reader positioned at the next document.
struct Input {
    ends: Vec<u64>,
    next: usize,
    reader: BufReader<File>,
}

fn find_ds(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // Links are not followed: a folder that links to itself is read once.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            find_ds(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "ds") {
            out.push(path);
        }
    }
    Ok(())
}

fn invalid(path: &Path, message: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {message}", path.display()),
    )
}

/// Merges the token shards under `input` into `output`.
pub fn merge(input: &Path, output: &Path, options: &MergeOptions) -> io::Result<MergeReport> {
    let mut paths = Vec::new();
    find_ds(input, &mut paths)?;
    paths.sort();
    if paths.is_empty() {
        return Err(invalid(input, "no .ds files"));
    }
    // The tokenizer and token size, from the first file's metadata (as datatrove reads them).
    let first_meta = fs::read_to_string(sibling(&paths[0], "metadata"))
        .map_err(|e| invalid(&paths[0], &format!("no readable .metadata: {e}")))?;
    let head = first_meta.lines().next().unwrap_or_default();
    let (tokenizer, token_size) = head
        .rsplit_once('|')
        .and_then(|(name, size)| Some((name.to_owned(), size.parse::<usize>().ok()?)))
        .filter(|(_, size)| *size == 2 || *size == 4)
        .ok_or_else(|| invalid(&paths[0], "metadata does not name `<tokenizer>|<2 or 4>`"))?;
    let mut inputs = Vec::with_capacity(paths.len());
    for path in &paths {
        let index = fs::read(sibling(path, "index"))?;
        if index.len() % 8 != 0 {
            return Err(invalid(path, "index is not a whole number of uint64"));
        }
        let ends: Vec<u64> = index
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("eight bytes")))
            .collect();
        let size = fs::metadata(path)?.len();
        if ends.windows(2).any(|w| w[0] > w[1])
            || ends.last().is_some_and(|&e| e * token_size as u64 != size)
        {
            return Err(invalid(path, "index does not match the tokens"));
        }
        inputs.push(Input {
            ends,
            next: 0,
            reader: BufReader::new(File::open(path)?),
        });
    }
    let mut order: Vec<usize> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, input)| std::iter::repeat_n(i, input.ends.len()))
        .collect();
    if let Some(seed) = options.shuffle {
        let mut rng = SplitMix64(seed);
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    let layout = TokenLayout {
        tokenizer,
        token_size,
        shuffle: None,
        max_tokens_per_file: 0,
    };
    fs::create_dir_all(output)?;
    let file_name = |n: usize| output.join(format!("{n:03}_{}.ds", options.name));
    let mut report = MergeReport {
        inputs: paths.len(),
        documents: 0,
        tokens: 0,
        files: Vec::new(),
    };
    let mut count = 0;
    let mut part = DsPart::create(file_name(count))?;
    let mut buf = Vec::new();
    for i in order {
        if options.max_tokens > 0 && report.tokens >= options.max_tokens {
            break;
        }
        if options.max_tokens_per_file > 0 && part.tokens >= options.max_tokens_per_file {
            report.files.extend(part.finish(&layout)?);
            count += 1;
            part = DsPart::create(file_name(count))?;
        }
        let input = &mut inputs[i];
        let start = if input.next == 0 {
            0
        } else {
            input.ends[input.next - 1]
        };
        let tokens = input.ends[input.next] - start;
        input.next += 1;
        buf.resize((tokens * token_size as u64) as usize, 0);
        input.reader.read_exact(&mut buf)?;
        part.write_doc(&buf, tokens)?;
        report.documents += 1;
        report.tokens += tokens;
    }
    report.files.extend(part.finish(&layout)?);
    let total = output.join(format!("{}.ds.metadata", options.name));
    let text = format!(
        "{}|{}\n{}\n{}",
        layout.tokenizer,
        token_size,
        report.tokens,
        humanize_metric(report.tokens)
    );
    write_atomic(&total, text.as_bytes())?;
    report.files.push(total);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tokens::{read_docs, TokenShards};
    use crate::write::{ShardSpec, Sink};

    fn shards(dir: &Path, prefix: &str, docs: &[Vec<u32>]) {
        let spec = ShardSpec {
            dir: dir.to_path_buf(),
            prefix: prefix.into(),
            compression: crate::compression::Compression::None,
            level: None,
            max_docs: 0,
            max_bytes: 0,
        };
        let layout = TokenLayout {
            tokenizer: "tok".into(),
            token_size: 2,
            shuffle: None,
            max_tokens_per_file: 0,
        };
        let mut sink: Box<dyn Sink> = Box::new(TokenShards::new(spec, layout));
        let ids: Vec<u32> = docs.concat();
        let ends: Vec<usize> = docs
            .iter()
            .scan(0, |n, d| {
                *n += d.len();
                Some(*n)
            })
            .collect();
        sink.write_tokens(&ids, &ends).unwrap();
        sink.finish().unwrap();
    }

    #[test]
    fn merges_in_order_splitting_by_size() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        shards(&input, "00000", &[vec![1, 2, 3], vec![4]]);
        shards(&input.join("de"), "00001", &[vec![5, 6], vec![7, 8, 9]]);
        let options = MergeOptions {
            name: "train".into(),
            max_tokens_per_file: 4,
            max_tokens: 0,
            shuffle: None,
        };
        let out = tmp.path().join("out");
        let report = merge(&input, &out, &options).unwrap();
        assert_eq!((report.inputs, report.documents, report.tokens), (2, 4, 9));
        // Path order: in/00000-0000.ds before in/de/00001-0000.ds. [1,2,3]+[4] reach 4
        // tokens, so [5,6] starts a new file, which takes [7,8,9] (2 < 4) too.
        assert_eq!(
            read_docs(&out.join("000_train.ds")),
            [vec![1, 2, 3], vec![4]]
        );
        assert_eq!(
            read_docs(&out.join("001_train.ds")),
            [vec![5, 6], vec![7, 8, 9]]
        );
        assert_eq!(
            fs::read_to_string(out.join("train.ds.metadata")).unwrap(),
            "tok|2\n9\n9.00 T"
        );
    }

    #[test]
    fn shuffle_keeps_each_files_order_and_every_document() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let a: Vec<Vec<u32>> = (0..30).map(|i| vec![i, i]).collect();
        let b: Vec<Vec<u32>> = (100..130).map(|i| vec![i]).collect();
        shards(&input, "00000", &a);
        shards(&input, "00001", &b);
        let options = MergeOptions {
            name: "mix".into(),
            max_tokens_per_file: 0,
            max_tokens: 0,
            shuffle: Some(3),
        };
        let out = tmp.path().join("out");
        merge(&input, &out, &options).unwrap();
        let merged = read_docs(&out.join("000_mix.ds"));
        assert_eq!(merged.len(), 60);
        let from_a: Vec<u16> = merged
            .iter()
            .filter(|d| d.len() == 2)
            .map(|d| d[0])
            .collect();
        let from_b: Vec<u16> = merged
            .iter()
            .filter(|d| d.len() == 1)
            .map(|d| d[0])
            .collect();
        assert_eq!(from_a, (0..30).collect::<Vec<u16>>());
        assert_eq!(from_b, (100..130).collect::<Vec<u16>>());
        assert_ne!(
            merged[..30].iter().filter(|d| d.len() == 2).count(),
            30,
            "interleaved"
        );
    }

    #[test]
    fn a_broken_index_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        shards(&input, "00000", &[vec![1, 2, 3]]);
        fs::write(input.join("00000-0000.ds.index"), 7u64.to_le_bytes()).unwrap();
        let options = MergeOptions {
            name: "x".into(),
            max_tokens_per_file: 0,
            max_tokens: 0,
            shuffle: None,
        };
        let err = merge(&input, &tmp.path().join("out"), &options).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
    }
}
