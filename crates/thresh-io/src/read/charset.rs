//! Decoding a web page to UTF-8: a byte-order mark, else the charset from the HTTP header, else
//! from a `<meta>` tag in the first 1,024 bytes (the HTML prescan), else UTF-8 when the bytes
//! are valid UTF-8, else a `<meta>` tag later in the head, else detected (chardetng); never
//! lossy for valid input, replacement characters for bytes invalid in the chosen encoding.

use encoding_rs::Encoding;

/// `bytes` as text, and the name of the encoding used.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> (String, &'static str) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding.name());
    }
    let encoding = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(1024)]))
        .or_else(|| {
            simdutf8::basic::from_utf8(bytes)
                .is_ok()
                .then_some(encoding_rs::UTF_8)
        })
        .or_else(|| meta_charset(head(bytes)))
        .unwrap_or_else(|| {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(
                &bytes[..bytes.len().min(64 * 1024)],
                bytes.len() <= 64 * 1024,
            );
            detector.guess(None, true)
        });
    // A declared UTF-16 on an ASCII-compatible page is a mistake browsers correct this way.
    let encoding = encoding.output_encoding();
    let (text, _, _) = encoding.decode(bytes);
    (text.into_owned(), encoding.name())
}

/// The page up to `</head>` (at most 64 KB): where pages that declare their charset late do.
fn head(bytes: &[u8]) -> &[u8] {
    let start = &bytes[..bytes.len().min(64 * 1024)];
    let end = memchr::memmem::find(start, b"</head").unwrap_or(start.len());
    &start[..end]
}

/// The encoding named by `<meta charset=…>` or `<meta http-equiv … content="…charset=…">` in
/// `bytes`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("charset") {
        rest = &rest[at + "charset".len()..];
        let value = rest.trim_start().strip_prefix('=')?;
        let value = value.trim_start().trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')))
            .unwrap_or(value.len());
        if let Some(encoding) = Encoding::for_label(&value.as_bytes()[..end]) {
            return Some(encoding);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_meta_bom_and_detection() {
        let latin1 = b"<html><body>Stra\xdfe und M\xfchle</body></html>";
        assert_eq!(
            decode(latin1, Some("iso-8859-1")).0,
            "<html><body>Straße und Mühle</body></html>"
        );
        let meta = b"<html><head><meta charset=\"windows-1252\"></head>caf\xe9</html>";
        let (text, name) = decode(meta, None);
        assert!(text.ends_with("café</html>"));
        assert_eq!(name, "windows-1252");
        let equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">\xf0\xd2\xc9\xd7\xc5\xd4";
        assert!(decode(equiv, None).0.ends_with("Привет"));
        let bom = b"\xef\xbb\xbfUTF-8 \xc3\xa4";
        assert_eq!(decode(bom, Some("iso-8859-1")).0, "UTF-8 ä");
        // A charset declared after 1,024 bytes of scripts, in the head, still counts.
        let late = [
            &b"<head><script>"[..],
            &[b' '; 2000],
            b"</script><meta charset=\"iso-8859-15\"></head>\xa4",
        ]
        .concat();
        assert_eq!(
            decode(&late, None),
            (
                "<head><script>".to_owned()
                    + &" ".repeat(2000)
                    + "</script><meta charset=\"iso-8859-15\"></head>€",
                "ISO-8859-15"
            )
        );
        let (text, name) = decode("Grüße aus München, schöne Straße".as_bytes(), None);
        assert_eq!(
            (text.as_str(), name),
            ("Grüße aus München, schöne Straße", "UTF-8")
        );
        // Invalid bytes never fail: replacement characters.
        assert!(decode(b"ok \xff\xfe\xfd", Some("utf-8"))
            .0
            .starts_with("ok "));
    }
}
