//! Any bytes as an HTTP response block: an error or a response, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = thresh_io::read::http::parse_response(data) {
        let _ = response.media_type();
        let _ = response.charset();
    }
});
