//! Any text through `fix_text` (datatrove's defaults, and every fix on): never a panic, and
//! text ftfy has nothing to do with (ASCII letters, digits, spaces, newlines) comes back as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresh_text::textfix::{fix_text, EncodingOptions, Fixes, Normalization, UnescapeHtml};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let defaults = Fixes {
        unescape_html: UnescapeHtml::Auto,
        remove_terminal_escapes: true,
        fix_encoding: Some(EncodingOptions::default()),
        fix_c1_controls: true,
        fix_latin_ligatures: false,
        fix_character_width: false,
        uncurl_quotes: false,
        fix_line_breaks: false,
        remove_control_chars: true,
        normalization: None,
        max_decode_length: 64,
    };
    let fixed = fix_text(&text, &defaults);
    if text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '\n') {
        assert_eq!(fixed, text);
    }
    let all = Fixes {
        fix_latin_ligatures: true,
        fix_character_width: true,
        uncurl_quotes: true,
        fix_line_breaks: true,
        normalization: Some(Normalization::NFKC),
        unescape_html: UnescapeHtml::On,
        ..defaults
    };
    let _ = fix_text(&text, &all);
});
