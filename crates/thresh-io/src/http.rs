//! The HTTP message inside a WARC `response` record: status, headers and the payload with its
//! transfer coding (chunked) and content coding (gzip, deflate) undone.

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

/// Parses an HTTP response. A damaged payload (bad chunk sizes, a cut or corrupt compressed
/// stream) still yields what could be decoded, with the problem as the second value.
pub fn parse_response(block: &[u8]) -> Result<(HttpResponse, Option<String>), String> {
    let head_end = find(block, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(block, b"\n\n").map(|i| (i, i + 2)))
        .ok_or("no end of the HTTP header")?;
    let head = String::from_utf8_lossy(&block[..head_end.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/") {
        return Err(format!(
            "not an HTTP response: {:?}",
            status_line.chars().take(40).collect::<String>()
        ));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad HTTP status line {status_line:?}"))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
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
    };
    let mut problem = None;
    let raw = &block[head_end.1..];
    let chunked = response
        .header("Transfer-Encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let mut body = if chunked {
        let (body, error) = dechunk(raw);
        problem = error;
        body
    } else {
        raw.to_vec()
    };
    let coding = response
        .header("Content-Encoding")
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !body.is_empty() && matches!(coding.as_str(), "gzip" | "x-gzip" | "deflate") {
        let mut out = Vec::new();
        let result = if coding == "deflate" {
            // Servers send zlib-wrapped or raw deflate under this name.
            flate2::read::ZlibDecoder::new(&body[..])
                .read_to_end(&mut out)
                .or_else(|_| {
                    out.clear();
                    flate2::read::DeflateDecoder::new(&body[..]).read_to_end(&mut out)
                })
        } else {
            flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out)
        };
        if let Err(e) = result {
            problem.get_or_insert(format!("{coding} payload: {e}"));
        }
        body = out;
    } else if !coding.is_empty() && coding != "identity" {
        problem.get_or_insert(format!("unsupported Content-Encoding {coding:?}"));
    }
    response.body = body;
    Ok((response, problem))
}

/// Undoes chunked transfer coding; a bad chunk size ends the payload with an error.
fn dechunk(mut raw: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut body = Vec::new();
    loop {
        let Some(eol) = find(raw, b"\n") else {
            return (
                body,
                Some("chunked payload ends without its last chunk".into()),
            );
        };
        let line = String::from_utf8_lossy(&raw[..eol]);
        let size_text = line
            .trim()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let Ok(size) = usize::from_str_radix(&size_text, 16) else {
            return (body, Some(format!("bad chunk size {size_text:?}")));
        };
        raw = &raw[eol + 1..];
        if size == 0 {
            return (body, None);
        }
        if raw.len() < size {
            body.extend_from_slice(raw);
            return (body, Some(format!("chunk of {size} bytes cut short")));
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size..];
        // The chunk's line break.
        if raw.starts_with(b"\r\n") {
            raw = &raw[2..];
        } else if raw.starts_with(b"\n") {
            raw = &raw[1..];
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn status_headers_and_a_plain_body() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\nX-Long: a\r\n b\r\n\r\n<p>hi</p>";
        let (r, problem) = parse_response(block).unwrap();
        assert_eq!(problem, None);
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type().as_deref(), Some("text/html"));
        assert_eq!(r.charset(), Some("ISO-8859-1"));
        assert_eq!(r.header("x-long"), Some("a b"));
        assert_eq!(r.body, b"<p>hi</p>");
    }

    #[test]
    fn chunked_and_gzipped_payloads_are_decoded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<html>Hallo Welt</html>").unwrap();
        let gz = gz.finish().unwrap();
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
        let (r, problem) = parse_response(&block).unwrap();
        assert_eq!(problem, None);
        assert_eq!(r.body, b"<html>Hallo Welt</html>");
    }

    #[test]
    fn damage_is_reported_with_what_could_be_decoded() {
        let block =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore";
        let (r, problem) = parse_response(block).unwrap();
        assert_eq!(r.body, b"hello");
        assert_eq!(problem.as_deref(), Some("bad chunk size \"zz\""));
        let cut = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00\x00";
        assert!(parse_response(cut)
            .unwrap()
            .1
            .unwrap()
            .starts_with("gzip payload"));
        assert!(parse_response(b"GET / HTTP/1.1\r\n\r\n").is_err());
    }
}
