//! Lists the records and errors of WARC/ARC files: `cargo run -p thresh-io --example warc_dump -- FILE…`.
use thresh_io::compression::open_decompressed;
use thresh_io::read::warc::{WarcItem, WarcReader};

fn main() {
    for path in std::env::args().skip(1) {
        println!("== {path}");
        let (reader, _) = open_decompressed(std::path::Path::new(&path)).expect("readable file");
        for item in WarcReader::new(reader) {
            match item {
                WarcItem::Record(r) => println!(
                    "{:>8} {} {:?} {} bytes",
                    r.offset,
                    r.version,
                    r.record_type(),
                    r.block.len()
                ),
                WarcItem::Error { offset, message } => println!("{offset:>8} ERROR {message}"),
            }
        }
    }
}
