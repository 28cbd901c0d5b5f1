//! Any text as an HTML page: a tree, a text and metadata, never a panic; the text has no
//! empty lines, with the built-in block model, without it, and with other options.
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
        ..Default::default()
    };
    let _ = thresh_extract::extract(&html, &options);
    let rules = thresh_extract::Options {
        model: None,
        ..Default::default()
    };
    let extraction = thresh_extract::extract(&html, &rules);
    assert!(!extraction.text.lines().any(|l| l.trim().is_empty()));
});
