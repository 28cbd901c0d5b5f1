//! Reading WARC (1.0, 1.1, WET) and ARC files record by record, from a decompressed stream
//! (per-record gzip members and whole-file gzip both decompress to the same concatenation).
//!
//! Damage never stops the reader: a record without a usable `Content-Length`, a block whose
//! declared length is wrong (the next record's header inside it, or missing `\r\n\r\n` after
//! it), garbage between records and a file that ends inside a record each give a
//! [`WarcItem::Error`] with the byte offset (of the decompressed stream), and reading resumes at
//! the next line that starts a record (`WARC/1.`).

use memchr::memmem;
use std::io::{self, BufRead, Read};

/// One record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarcRecord {
    /// Offset of the record's first byte in the decompressed stream.
    pub offset: u64,
    /// `WARC/1.0`, `WARC/1.1`, or `ARC` for ARC records.
    pub version: String,
    /// Named fields in order (for ARC: `URL`, `IP-address`, `Archive-date`, `Content-type`,
    /// `Archive-length`).
    pub headers: Vec<(String, String)>,
    /// The content block.
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// The value of header `name` (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::read::http::header(&self.headers, name)
    }

    /// `WARC-Type` (`response`, `request`, …); ARC: `arc_header` for the file's first record,
    /// `response` for the others; `None` when a WARC record has no type.
    pub fn record_type(&self) -> Option<&str> {
        if self.version == "ARC" {
            return Some(
                if self
                    .header("URL")
                    .is_some_and(|u| u.starts_with("filedesc:"))
                {
                    "arc_header"
                } else {
                    "response"
                },
            );
        }
        self.header("WARC-Type")
    }
}

/// What the reader yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarcItem {
    /// A record.
    Record(WarcRecord),
    /// Damage at `offset`; reading continues at the next record.
    Error {
        /// Offset in the decompressed stream.
        offset: u64,
        /// What was wrong.
        message: String,
    },
}

/// The longest header line or header block accepted (a guard against binary garbage).
const MAX_HEADER_BYTES: usize = 1 << 20;
/// How far past a block whose declared length is too short the next record is looked for.
const LOOK_AHEAD: usize = 1 << 16;

/// Reads records from a decompressed WARC or ARC stream.
pub struct WarcReader<R: BufRead> {
    input: R,
    /// Bytes read back into the stream (the start of a record found inside a block).
    replay: Vec<u8>,
    replay_at: usize,
    offset: u64,
    arc: Option<bool>,
    done: bool,
    /// An error to report after the record just returned.
    pending_error: Option<WarcItem>,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        WarcReader {
            input,
            replay: Vec::new(),
            replay_at: 0,
            offset: 0,
            arc: None,
            done: false,
            pending_error: None,
        }
    }

    /// Bytes of the decompressed stream consumed so far.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Reads one line (with its terminator) into `line`; false at the end of the stream.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        if self.replay_at < self.replay.len() {
            let rest = &self.replay[self.replay_at..];
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            line.extend_from_slice(&rest[..end]);
            self.replay_at += end;
            self.offset += end as u64;
            if self.replay_at == self.replay.len() {
                self.replay.clear();
                self.replay_at = 0;
            }
            if line.ends_with(b"\n") {
                return Ok(true);
            }
        }
        let before = line.len();
        io::Read::by_ref(&mut self.input)
            .take(MAX_HEADER_BYTES as u64)
            .read_until(b'\n', line)?;
        self.offset += (line.len() - before) as u64;
        Ok(!line.is_empty())
    }

    /// Reads exactly `n` bytes (fewer at the end of the stream).
    fn read_block(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut block = Vec::with_capacity(n.min(1 << 24));
        if self.replay_at < self.replay.len() {
            let rest = &self.replay[self.replay_at..];
            let take = rest.len().min(n);
            block.extend_from_slice(&rest[..take]);
            self.replay_at += take;
            if self.replay_at == self.replay.len() {
                self.replay.clear();
                self.replay_at = 0;
            }
        }
        let missing = (n - block.len()) as u64;
        io::Read::by_ref(&mut self.input)
            .take(missing)
            .read_to_end(&mut block)?;
        self.offset += block.len() as u64;
        Ok(block)
    }

    /// Puts `bytes` back in front of the stream.
    fn unread(&mut self, bytes: &[u8]) {
        let mut replay = bytes.to_vec();
        replay.extend_from_slice(&self.replay[self.replay_at..]);
        self.replay = replay;
        self.replay_at = 0;
        self.offset -= bytes.len() as u64;
    }

    /// Skips lines until one that starts a WARC record (left unread); false at the end.
    fn resync(&mut self) -> io::Result<bool> {
        let mut line = Vec::new();
        loop {
            if !self.read_line(&mut line)? {
                return Ok(false);
            }
            if let Some(at) = memmem::find(&line, b"WARC/1.") {
                self.unread(&line[at..]);
                return Ok(true);
            }
        }
    }

    fn next_item(&mut self) -> io::Result<Option<WarcItem>> {
        let mut line = Vec::new();
        // Blank lines between records.
        let start = loop {
            let start = self.offset;
            if !self.read_line(&mut line)? {
                return Ok(None);
            }
            if !line.iter().all(|b| b.is_ascii_whitespace()) {
                break start;
            }
        };
        if self.arc.is_none() {
            self.arc = Some(line.starts_with(b"filedesc://"));
        }
        if self.arc == Some(true) {
            return self.arc_record(start, &line).map(Some);
        }
        if !line.starts_with(b"WARC/") {
            // Garbage, possibly running into the next record's first line.
            let found = match memmem::find(&line, b"WARC/1.") {
                Some(at) => {
                    self.unread(&line[at..]);
                    true
                }
                None => self.resync()?,
            };
            let skipped = self.offset - start;
            return Ok(Some(WarcItem::Error {
                offset: start,
                message: format!(
                    "not a WARC record header ({skipped} bytes skipped{})",
                    if found {
                        " to the next record"
                    } else {
                        " to the end"
                    }
                ),
            }));
        }
        let version = String::from_utf8_lossy(trim_end(&line)).into_owned();
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            if !self.read_line(&mut line)? {
                return Ok(Some(WarcItem::Error {
                    offset: start,
                    message: "the file ends inside a record header".into(),
                }));
            }
            let text = trim_end(&line);
            if text.is_empty() {
                break;
            }
            if text[0] == b' ' || text[0] == b'\t' {
                // A continuation line.
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(String::from_utf8_lossy(text).trim());
                }
                continue;
            }
            match text.iter().position(|&b| b == b':') {
                Some(colon) => headers.push((
                    String::from_utf8_lossy(&text[..colon]).trim().to_owned(),
                    String::from_utf8_lossy(&text[colon + 1..])
                        .trim()
                        .to_owned(),
                )),
                None => {
                    self.unread(&line);
                    self.resync()?;
                    return Ok(Some(WarcItem::Error {
                        offset: start,
                        message: format!(
                            "bad header line {:?}",
                            String::from_utf8_lossy(text)
                                .chars()
                                .take(60)
                                .collect::<String>()
                        ),
                    }));
                }
            }
        }
        let record = WarcRecord {
            offset: start,
            version,
            headers,
            block: Vec::new(),
        };
        let Some(length) = record
            .header("Content-Length")
            .and_then(|v| v.parse::<u64>().ok())
        else {
            self.resync()?;
            return Ok(Some(WarcItem::Error {
                offset: start,
                message: "record without a valid Content-Length".into(),
            }));
        };
        let mut block = self.read_block(length as usize)?;
        if (block.len() as u64) < length {
            return Ok(Some(WarcItem::Error {
                offset: start,
                message: format!(
                    "the file ends inside a record: {} of {length} bytes",
                    block.len()
                ),
            }));
        }
        // Normally \r\n\r\n and the next record (or the end) follow the block; any number of
        // line breaks is tolerated, as warcio does.
        let mut breaks = 0;
        let next = loop {
            let byte = self.read_block(1)?;
            match byte.first() {
                Some(b'\r' | b'\n') => breaks += 1,
                _ => break byte,
            }
        };
        let peek = if next.is_empty() {
            Vec::new()
        } else {
            let mut peek = next;
            peek.extend(self.read_block(6)?);
            peek
        };
        let mut record = record;
        self.unread(&peek);
        // The next record or the end follows, or the block ended with a line break (so its
        // length is right and what follows is garbage, which the next call reports).
        if peek.is_empty() || peek.starts_with(b"WARC/1.") || breaks >= 2 {
            if record.record_type().is_none() {
                return Ok(Some(WarcItem::Error {
                    offset: start,
                    message: "record without WARC-Type, skipped".into(),
                }));
            }
            record.block = block;
            return Ok(Some(WarcItem::Record(record)));
        }
        // Something else follows right after the block: the declared length is wrong.
        if let Some(at) = memmem::find(&block, b"\r\nWARC/1.") {
            // Too long: the next record starts inside the block.
            let tail = block.split_off(at);
            self.unread(&tail[2..]);
            // The separator's first line break belongs to neither record.
            if block.ends_with(b"\r\n") {
                block.truncate(block.len() - 2);
            }
            record.block = block;
            self.pending_error = Some(WarcItem::Error {
                offset: start,
                message: format!(
                    "Content-Length {length} runs into the next record; the block ends after {at} bytes"
                ),
            });
            return Ok(Some(WarcItem::Record(record)));
        }
        // Too short: look for the next record a little further.
        let extra = self.read_block(LOOK_AHEAD)?;
        if let Some(at) = memmem::find(&extra, b"\nWARC/1.") {
            self.unread(&extra[at + 1..]);
            block.extend_from_slice(trim_end(&extra[..at]));
            record.block = block;
            self.pending_error = Some(WarcItem::Error {
                offset: start,
                message: format!(
                    "Content-Length {length} is short: the block ends {} bytes later",
                    record.block.len() as u64 - length
                ),
            });
            return Ok(Some(WarcItem::Record(record)));
        }
        self.unread(&extra);
        self.resync()?;
        Ok(Some(WarcItem::Error {
            offset: start,
            message: format!(
                "the {length}-byte block is not followed by the next record; the record is skipped"
            ),
        }))
    }

    fn arc_record(&mut self, start: u64, line: &[u8]) -> io::Result<WarcItem> {
        let text = String::from_utf8_lossy(trim_end(line)).into_owned();
        let fields: Vec<&str> = text.split(' ').collect();
        if fields.len() < 5 || !fields[0].contains(':') {
            self.skip_arc_garbage()?;
            return Ok(WarcItem::Error {
                offset: start,
                message: format!(
                    "bad ARC record header {:?}",
                    text.chars().take(60).collect::<String>()
                ),
            });
        }
        // A URL may contain spaces: the last four fields are the others.
        let n = fields.len();
        let names = [
            "URL",
            "IP-address",
            "Archive-date",
            "Content-type",
            "Archive-length",
        ];
        let values = [
            fields[..n - 4].join(" "),
            fields[n - 4].into(),
            fields[n - 3].into(),
            fields[n - 2].into(),
            fields[n - 1].into(),
        ];
        let mut record = WarcRecord {
            offset: start,
            version: "ARC".into(),
            headers: names.iter().map(|n| n.to_string()).zip(values).collect(),
            block: Vec::new(),
        };
        let Ok(length) = fields[n - 1].parse::<u64>() else {
            // An unusable length: the record is kept with an empty block, as warcio does.
            self.pending_error = Some(WarcItem::Error {
                offset: start,
                message: format!("ARC record with a bad length {:?}", fields[n - 1]),
            });
            return Ok(WarcItem::Record(record));
        };
        record.block = self.read_block(length as usize)?;
        if (record.block.len() as u64) < length {
            self.pending_error = Some(WarcItem::Error {
                offset: start,
                message: format!(
                    "the file ends inside an ARC record: {} of {length} bytes",
                    record.block.len()
                ),
            });
        }
        Ok(WarcItem::Record(record))
    }

    /// After a bad ARC header: skips to the next line that looks like an ARC record header.
    fn skip_arc_garbage(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        loop {
            if !self.read_line(&mut line)? {
                return Ok(());
            }
            let text = String::from_utf8_lossy(trim_end(&line)).into_owned();
            let fields: Vec<&str> = text.split(' ').collect();
            if fields.len() >= 5 && fields[0].contains("://") {
                self.unread(&line);
                return Ok(());
            }
        }
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = WarcItem;

    fn next(&mut self) -> Option<WarcItem> {
        if let Some(error) = self.pending_error.take() {
            return Some(error);
        }
        if self.done {
            return None;
        }
        match self.next_item() {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(WarcItem::Error {
                    offset: self.offset,
                    message: format!("cannot read further: {e}"),
                })
            }
        }
    }
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(kind: &str, block: &str) -> String {
        format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    }

    fn read(bytes: &[u8]) -> Vec<WarcItem> {
        WarcReader::new(bytes).collect()
    }

    #[test]
    fn reads_records_headers_and_blocks() {
        let http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Hallo</p>";
        let file = record("warcinfo", "software: thresh") + &record("response", http);
        let items = read(file.as_bytes());
        assert_eq!(items.len(), 2);
        let WarcItem::Record(r) = &items[1] else {
            panic!("{items:?}")
        };
        assert_eq!(r.record_type(), Some("response"));
        assert_eq!(r.version, "WARC/1.1");
        assert_eq!(r.header("warc-record-id"), Some("<urn:uuid:response>"));
        assert_eq!(r.block, http.as_bytes());
        assert_eq!(
            r.offset as usize,
            record("warcinfo", "software: thresh").len()
        );
    }

    #[test]
    fn damage_is_reported_and_reading_resumes_at_the_next_record() {
        let good = record("resource", "fine");
        // Garbage between records, a record without Content-Length, a truncated last record.
        let file = format!(
            "{good}GARBAGE\x00\x01 no newline{good}WARC/1.0\r\nWARC-Type: response\r\n\r\nbody\r\n\r\n{good}WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 100\r\n\r\ncut"
        );
        let items = read(file.as_bytes());
        let records = items
            .iter()
            .filter(|i| matches!(i, WarcItem::Record(_)))
            .count();
        let errors: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                WarcItem::Error { message, .. } => Some(message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(records, 3, "{items:?}");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("not a WARC record header"));
        assert!(errors[1].contains("Content-Length"));
        assert!(errors[2].contains("ends inside a record"));
    }

    #[test]
    fn a_wrong_content_length_is_corrected_from_where_the_next_record_starts() {
        let good = record("request", "GET / HTTP/1.1");
        let long = "WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 40\r\n\r\nshort\r\n\r\n";
        let items = read(format!("{long}{good}").as_bytes());
        let WarcItem::Record(r) = &items[0] else {
            panic!("{items:?}")
        };
        assert_eq!(r.block, b"short");
        assert!(
            matches!(&items[1], WarcItem::Error { message, .. } if message.contains("runs into"))
        );
        assert!(matches!(&items[2], WarcItem::Record(r) if r.record_type() == Some("request")));
    }

    #[test]
    fn arc_files_are_read_too() {
        let arc = "filedesc://x.arc 0.0.0.0 20240101000000 text/plain 4\nv1 \n\nhttp://a.example/x y 1.2.3.4 20240101000000 text/html 5\nhello\n";
        let items = read(arc.as_bytes());
        assert_eq!(items.len(), 2, "{items:?}");
        let WarcItem::Record(r) = &items[1] else {
            panic!()
        };
        assert_eq!(r.record_type(), Some("response"));
        assert_eq!(r.header("URL"), Some("http://a.example/x y"));
        assert_eq!(r.block, b"hello");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_always_end(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut data = b"WARC/1.0\r\nContent-Length: 3\r\n\r\n".to_vec();
            data.extend_from_slice(&bytes);
            let items: Vec<WarcItem> = WarcReader::new(&data[..]).take(10_000).collect();
            prop_assert!(items.len() < 10_000);
        }
    }
}
