//! Any bytes as one JSON Lines record: a document or an error message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresh_io::jsonl::{parse_record, FieldNames};

fuzz_target!(|data: &[u8]| {
    let _ = parse_record(data, &FieldNames::default(), "fuzz", Default::default());
});
