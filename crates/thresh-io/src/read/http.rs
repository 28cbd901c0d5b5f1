//! The HTTP message inside a WARC `response` record: status, headers and the payload with its
//! transfer coding (chunked) and content coding (gzip, deflate) undone.
//!
//! Read as warcio reads archived responses, since archives hold what crawlers stored rather
//! than what the protocol allows: any protocol token on the status line (`HTTPX/1.1 200 OK`),
//! no reason phrase, header lines ending in `\n`, `\r\n` or `\r\r\n`, folded headers, and a
//! header without the blank line before an empty body. A payload that claims a coding it no
//! longer has (de-chunked or decompressed by the crawler, the header kept) is taken as it is
//! from the point where the coding stops making sense, and the response says so in its
//! [`HttpResponse::note`].

use std::io::Read;

/// A parsed HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code (200, 404, …).
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The payload, de-chunked and decompressed.
    pub body: Vec<u8>,
    /// What was not as the headers said and how it was read anyway (e.g. a body marked
    /// chunked that was not, taken as it is from the first line that is no chunk size).
    pub note: Option<String>,
    /// Why the payload could not be decoded at all (a compressed stream that yields nothing, an
    /// unsupported coding); `body` is then empty.
    pub error: Option<String>,
}

impl HttpResponse {
    /// The value of header `name` (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The media type of `Content-Type`, lower-cased, without parameters (`text/html`).
    pub fn media_type(&self) -> Option<String> {
        let value = self.header("Content-Type")?;
        let media = value.split(';').next()?.trim().to_ascii_lowercase();
        (!media.is_empty()).then_some(media)
    }

    /// The `charset` parameter of `Content-Type`, if any.
    pub fn charset(&self) -> Option<&str> {
        self.header("Content-Type")?
            .split(';')
            .skip(1)
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("charset")
                    .then(|| v.trim().trim_matches(['"', '\'']))
            })
    }
}

/// The value of the first field `name` (case-insensitive) of `headers`, trimmed; shared by
/// HTTP messages and WARC records.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// The next line of `rest` (up to and without its `\n`, trailing whitespace removed) and what
/// follows it; the whole of `rest` when it has no `\n`.
fn next_line(rest: &[u8]) -> (&[u8], &[u8]) {
    let (line, after) = match memchr::memchr(b'\n', rest) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &rest[rest.len()..]),
    };
    (line.trim_ascii_end(), after)
}

/// Parses an HTTP response. A payload that cannot be decoded as its headers say is read as
/// warcio reads it (see the module documentation), with what was done in
/// [`HttpResponse::note`]; a payload that yields nothing is [`HttpResponse::error`], and only a
/// block that is no HTTP response at all is an `Err`.
pub fn parse_response(block: &[u8]) -> Result<HttpResponse, String> {
    let (status_line, mut rest) = next_line(block);
    let status_line = String::from_utf8_lossy(status_line);
    let mut parts = status_line.split_whitespace();
    let protocol = parts.next().unwrap_or_default();
    let status = parts
        .next()
        .filter(|s| s.len() == 3)
        .and_then(|s| s.parse::<u16>().ok());
    let Some(status) = status.filter(|_| !protocol.is_empty()) else {
        return Err(format!(
            "not an HTTP response: status line {:?}",
            status_line.chars().take(40).collect::<String>()
        ));
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    // Header lines up to the first empty one, or to the end of the block.
    while !rest.is_empty() {
        let (line, after) = next_line(rest);
        rest = after;
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let mut response = HttpResponse {
        status,
        headers,
        body: Vec::new(),
        note: None,
        error: None,
    };
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let mut body = if chunked {
        let (body, note) = dechunk(rest);
        response.note = note;
        body
    } else {
        rest.to_vec()
    };
    let coding = response
        .header("Content-Encoding")
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !body.is_empty() && matches!(coding.as_str(), "gzip" | "x-gzip" | "deflate") {
        match decompress(&body, &coding) {
            Ok((decoded, note)) => {
                body = decoded;
                if let Some(note) = note {
                    response.note.get_or_insert(note);
                }
            }
            Err(e) => {
                body.clear();
                response.error = Some(e);
            }
        }
    } else if !body.is_empty() && !coding.is_empty() && coding != "identity" {
        body.clear();
        response.error = Some(format!("unsupported Content-Encoding {coding:?}"));
    }
    response.body = body;
    Ok(response)
}

/// Undoes a content coding. A payload that is not compressed at all (decompressed by the
/// crawler, the header kept) is taken as it is; one that breaks off keeps what decoded.
fn decompress(body: &[u8], coding: &str) -> Result<(Vec<u8>, Option<String>), String> {
    let as_it_is = || {
        let note =
            format!("Content-Encoding {coding} but the payload is not compressed: taken as it is");
        Ok((body.to_vec(), Some(note)))
    };
    let mut out = Vec::new();
    let result = if coding == "deflate" {
        // Servers send zlib-wrapped or raw deflate under this name.
        flate2::read::ZlibDecoder::new(body)
            .read_to_end(&mut out)
            .or_else(|_| {
                out.clear();
                flate2::read::DeflateDecoder::new(body).read_to_end(&mut out)
            })
    } else if !body.starts_with(&[0x1f, 0x8b]) {
        return as_it_is();
    } else {
        flate2::read::MultiGzDecoder::new(body).read_to_end(&mut out)
    };
    match result {
        Ok(_) => Ok((out, None)),
        // Deflate has no magic bytes: a stream that yields nothing was never compressed.
        Err(_) if out.is_empty() && coding == "deflate" => as_it_is(),
        Err(e) if out.is_empty() => Err(format!("{coding} payload: {e}")),
        Err(e) => Ok((
            out,
            Some(format!(
                "{coding} payload breaks off ({e}): what decoded is kept"
            )),
        )),
    }
}

/// warcio's limit on a chunk-size line (it reads at most 64 bytes for one) and on a chunk.
const MAX_CHUNK_LINE: usize = 64;
const MAX_CHUNK: usize = 1 << 31;

/// Undoes chunked transfer coding as warcio does: where a line is not a chunk size, what was
/// decoded so far is kept and the rest is taken as it is (a body stored de-chunked under a
/// kept `Transfer-Encoding: chunked`); a chunk cut short keeps what is there.
fn dechunk(mut raw: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut body = Vec::new();
    let mut chunks = 0usize;
    loop {
        if raw.is_empty() {
            let note = (chunks > 0).then(|| "chunked payload ends without its last chunk".into());
            return (body, note);
        }
        let size_line = memchr::memchr(b'\n', &raw[..raw.len().min(MAX_CHUNK_LINE)])
            .map(|eol| (&raw[..eol], &raw[eol + 1..]));
        let size = size_line.and_then(|(line, _)| {
            let text = std::str::from_utf8(line).ok()?;
            let digits = text.split(';').next()?.trim();
            usize::from_str_radix(digits, 16)
                .ok()
                .filter(|&n| n <= MAX_CHUNK && !digits.starts_with('+'))
        });
        let (Some(size), Some((_, after))) = (size, size_line) else {
            let shown: String = String::from_utf8_lossy(&raw[..raw.len().min(20)])
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            let note = format!(
                "marked chunked, but {} is no chunk size: the rest taken as it is after {chunks} chunk(s)",
                serde_json::to_string(&shown).unwrap_or_default()
            );
            body.extend_from_slice(raw);
            return (body, Some(note));
        };
        raw = after;
        if size == 0 {
            return (body, None);
        }
        if raw.len() < size {
            body.extend_from_slice(raw);
            return (body, Some(format!("chunk of {size} bytes cut short")));
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size..];
        chunks += 1;
        // The chunk's line break.
        if raw.starts_with(b"\r\n") {
            raw = &raw[2..];
        } else if raw.starts_with(b"\n") {
            raw = &raw[1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn status_headers_and_a_plain_body() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\nX-Long: a\r\n b\r\n\r\n<p>hi</p>";
        let r = parse_response(block).unwrap();
        assert_eq!(r.note, None);
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type().as_deref(), Some("text/html"));
        assert_eq!(r.charset(), Some("ISO-8859-1"));
        assert_eq!(r.header("x-long"), Some("a b"));
        assert_eq!(r.body, b"<p>hi</p>");
    }

    #[test]
    fn archived_quirks_are_read_as_warcio_reads_them() {
        // Another protocol token, no reason phrase, `\r\r\n` line ends, a folded header.
        let block =
            b"HTTPX/1.1 404\r\r\nContent-Type: text/html;\r\r\n\tcharset=utf-8\r\r\n\r\r\n<p>x</p>";
        let r = parse_response(block).unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.charset(), Some("utf-8"));
        assert_eq!(r.body, b"<p>x</p>");
        assert_eq!(r.note, None);
        // Bare `\n` line ends.
        let r = parse_response(b"HTTP/1.0 200 OK\nContent-Type: text/html\n\nbody").unwrap();
        assert_eq!((r.status, &r.body[..]), (200, &b"body"[..]));
        // No blank line before an empty body: the headers still count.
        let r = parse_response(b"HTTP/1.1 204 No Content\r\nContent-Type: text/html\r\n").unwrap();
        assert_eq!(r.status, 204);
        assert_eq!(r.media_type().as_deref(), Some("text/html"));
        assert!(r.body.is_empty());
        // Not a response at all.
        assert!(parse_response(b"GET / HTTP/1.1\r\n\r\n").is_err());
        assert!(parse_response(b"not http at all").is_err());
        assert!(parse_response(b"").is_err());
    }

    #[test]
    fn chunked_and_gzipped_payloads_are_decoded() {
        let gz = gzip(b"<html>Hallo Welt</html>");
        let (a, b) = gz.split_at(10);
        let mut block =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        for part in [a, b] {
            block.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            block.extend_from_slice(part);
            block.extend_from_slice(b"\r\n");
        }
        block.extend_from_slice(b"0\r\n\r\n");
        let r = parse_response(&block).unwrap();
        assert_eq!(r.note, None);
        assert_eq!(r.body, b"<html>Hallo Welt</html>");
    }

    #[test]
    fn a_body_stored_dechunked_is_taken_as_it_is() {
        let page = b"<!doctype html>\n<html><p>the whole page</p></html>\n";
        let mut block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        block.extend_from_slice(page);
        let r = parse_response(&block).unwrap();
        assert_eq!(r.body, page);
        let note = r.note.unwrap();
        assert!(
            note.contains("no chunk size") && note.contains("<!doctype html>"),
            "{note}"
        );
        // Decoded chunks are kept, the rest follows as it is.
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore",
        )
        .unwrap();
        assert_eq!(r.body, b"hellozz\r\nmore");
        assert!(r.note.unwrap().contains("after 1 chunk(s)"));
        // A chunk-size line longer than warcio's 64 bytes is no chunk size.
        let long = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{}\r\nx",
            "0".repeat(70)
        );
        assert_eq!(parse_response(long.as_bytes()).unwrap().body.len(), 73);
        // A chunk cut short keeps what is there.
        let r = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello")
            .unwrap();
        assert_eq!(r.body, b"hello");
        assert_eq!(r.note.as_deref(), Some("chunk of 10 bytes cut short"));
    }

    #[test]
    fn a_body_stored_decompressed_is_taken_as_it_is_and_damage_keeps_what_decoded() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n<p>plain</p>")
            .unwrap();
        assert_eq!(r.body, b"<p>plain</p>");
        assert!(r.note.unwrap().contains("not compressed"));
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n<p>plain</p>")
            .unwrap();
        assert_eq!(r.body, b"<p>plain</p>");
        // Cut: what decoded is kept.
        let text = "Ein langer Absatz. ".repeat(2000);
        let gz = gzip(text.as_bytes());
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend_from_slice(&gz[..gz.len() / 2]);
        let r = parse_response(&block).unwrap();
        assert!(!r.body.is_empty() && text.as_bytes().starts_with(&r.body));
        assert!(r.note.unwrap().contains("breaks off"));
        // Nothing decodes: an error.
        let cut = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00\x00";
        let r = parse_response(cut).unwrap();
        assert!(r.error.unwrap().starts_with("gzip payload") && r.body.is_empty());
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n\x8b\x03").unwrap();
        assert_eq!(
            r.error.as_deref(),
            Some("unsupported Content-Encoding \"br\"")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_or_fail_without_panicking(
            head in proptest::collection::vec(proptest::sample::select(&b"HTTP/1.1 200\r\n:;chunked Transfer-Encoding Content-Encoding gzip deflate 0a\t "[..]), 0..200),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
        ) {
            let mut block = head;
            block.extend(tail);
            if let Ok(r) = parse_response(&block) {
                let _ = (r.media_type(), r.charset());
                proptest::prop_assert!(r.error.is_none() || r.body.is_empty());
            }
        }
    }
}
