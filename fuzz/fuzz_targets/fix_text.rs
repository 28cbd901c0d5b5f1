//! Any text through `fix_text` (datatrove's defaults, and every fix on): never a panic, and
//! text ftfy has nothing to do with (ASCII letters, digits, spaces, newlines) comes back as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresh_text::textfix::{fix_text, Fixes, Normalization, UnescapeHtml};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let defaults = Fixes {
        max_decode_length: 64,
        ..Fixes::datatrove()
    };
    let fixed = fix_text(&text, &defaults);
    if text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '\n') {
        assert_eq!(fixed, text);
    }
    let all = Fixes {
        normalization: Some(Normalization::NFKC),
        unescape_html: UnescapeHtml::On,
        ..Fixes::ftfy()
    };
    let _ = fix_text(&text, &all);
});
