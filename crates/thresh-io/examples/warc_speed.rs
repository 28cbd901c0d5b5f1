//! Read speed of the WARC reader: `cargo run --release -p thresh-io --example warc_speed -- FILE`
//! reads every record (and, with `--docs`, turns HTML responses into documents) and prints
//! MB/s of decompressed content on one thread.
use std::time::Instant;

use thresh_io::compression::open_decompressed;
use thresh_io::read::warc::{WarcItem, WarcReader};
use thresh_io::read::warc_docs::WarcBatches;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = std::path::Path::new(&args[0]);
    let docs = args.iter().any(|a| a == "--docs");
    let start = Instant::now();
    let (reader, _) = open_decompressed(path).expect("readable file");
    let (mut records, mut bytes) = (0u64, 0u64);
    if docs {
        let mut batches = WarcBatches::new(reader);
        loop {
            let batch = batches.next_batch(0, 1 << 20, 4096);
            records += batch.items.len() as u64;
            bytes += batch.bytes;
            if batch.last {
                break;
            }
        }
    } else {
        let mut warc = WarcReader::new(reader);
        for item in warc.by_ref() {
            if let WarcItem::Record(_) = item {
                records += 1;
            }
        }
        bytes = warc.position();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}: {records} {}, {:.0} MB decompressed in {secs:.2} s = {:.0} MB/s",
        path.display(),
        if docs {
            "documents and errors"
        } else {
            "records"
        },
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
