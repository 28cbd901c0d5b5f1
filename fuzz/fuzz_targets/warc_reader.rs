//! Any bytes through the WARC reader: no panic, no endless loop, every byte accounted for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresh_io::read::warc::{WarcItem, WarcReader};

fuzz_target!(|data: &[u8]| {
    let mut last = 0u64;
    for item in WarcReader::new(data).take(100_000) {
        let offset = match item {
            WarcItem::Record(r) => r.offset,
            WarcItem::Error { offset, .. } => offset,
        };
        assert!(offset as usize <= data.len());
        last = last.max(offset);
    }
});
