//! Web archives as documents: every HTML response (and HTML resource, and WET conversion
//! record) of a WARC/ARC/WET file becomes one JSON document — id the WARC-Record-ID, text the
//! page decoded to UTF-8, metadata the URL, date, record type, media type, HTTP status and
//! charset — in the batch form the JSON Lines source produces, so everything downstream is
//! shared. Other records are counted by kind; damaged records are errors with the byte offset.
//! HTTP is read as warcio reads it ([`crate::read::http`]): a payload that does not match its
//! headers (stored de-chunked or decompressed) is kept as it is, with what was done in
//! `metadata.payload_note`; only a payload that yields nothing is an error.

use std::io::BufRead;

use serde_json::json;

use crate::read::charset;
use crate::read::http::parse_response;
use crate::read::lines::{Batch, Item};
use crate::read::warc::{WarcItem, WarcReader, WarcRecord};
use thresh_core::{Document, Origin};

/// Reads a decompressed web archive as batches of documents.
pub struct WarcBatches<R: BufRead> {
    reader: WarcReader<R>,
    /// Records read so far (the "line" of items).
    number: u64,
    done: bool,
}

/// What one record becomes.
enum Outcome {
    Document(Document),
    Skipped(String),
    Error(String),
}

impl<R: BufRead> WarcBatches<R> {
    /// Batches of the archive read from `input`.
    pub fn new(input: R) -> Self {
        WarcBatches {
            reader: WarcReader::new(input),
            number: 0,
            done: false,
        }
    }

    /// The next batch of input file `file`: at most about `max_bytes` of documents or
    /// `max_items` items; `last` once the archive is exhausted.
    pub fn next_batch(&mut self, file: u32, max_bytes: usize, max_items: usize) -> Batch {
        let mut batch = Batch {
            file,
            ..Batch::default()
        };
        let start = self.reader.position();
        // Documents arrive decoded, not as raw lines: their text is what the batch holds.
        let mut held = 0;
        while !self.done && batch.items.len() < max_items && held < max_bytes {
            let Some(item) = self.reader.next() else {
                self.done = true;
                break;
            };
            self.number += 1;
            match item {
                WarcItem::Error { offset, message } => {
                    batch.items.push(Item::Error {
                        line: self.number,
                        offset,
                        message,
                    });
                }
                WarcItem::Record(record) => {
                    let offset = record.offset;
                    match document(&record) {
                        Outcome::Document(mut doc) => {
                            held += doc.text.len();
                            doc.origin = Origin {
                                file,
                                record: self.number,
                            };
                            batch.items.push(Item::Document {
                                doc: Box::new(doc),
                                line: self.number,
                                offset,
                            });
                        }
                        Outcome::Skipped(kind) => {
                            *batch.skipped.entry(kind).or_default() += 1;
                        }
                        Outcome::Error(message) => batch.items.push(Item::Error {
                            line: self.number,
                            offset,
                            message,
                        }),
                    }
                }
            }
        }
        batch.bytes = self.reader.position() - start;
        batch.last = self.done;
        batch
    }
}

fn is_html(media: &str) -> bool {
    matches!(media, "text/html" | "application/xhtml+xml")
}

fn is_http_uri(record: &WarcRecord) -> bool {
    let uri = record
        .header("WARC-Target-URI")
        .unwrap_or_default()
        .trim_matches(['<', '>'])
        .to_ascii_lowercase();
    uri.starts_with("http:") || uri.starts_with("https:")
}

/// What `record` becomes.
fn document(record: &WarcRecord) -> Outcome {
    let kind = record.record_type().unwrap_or("unknown").to_owned();
    let block_type = record
        .header("Content-Type")
        .or_else(|| record.header("Content-type"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut payload_note = None;
    let (text, media, status, charset) = match kind.as_str() {
        // As warcio: a response record of an http(s) URI holds an HTTP message, whatever its
        // (often missing) Content-Type says, unless that names another type.
        "response"
            if record.version == "ARC"
                || block_type.starts_with("application/http")
                || (block_type.is_empty() && is_http_uri(record)) =>
        {
            if record.block.iter().all(u8::is_ascii_whitespace) {
                // As warcio: an empty HTTP message is a response without content (a 204).
                return Outcome::Skipped("response without payload".into());
            }
            let response = match parse_response(&record.block) {
                Ok(parsed) => parsed,
                Err(e) => return Outcome::Error(format!("HTTP response: {e}")),
            };
            let media = response.media_type().unwrap_or_default();
            if !is_html(&media) {
                return Outcome::Skipped(format!(
                    "response {}",
                    if media.is_empty() {
                        "without type"
                    } else {
                        &media
                    }
                ));
            }
            if let Some(error) = response.error {
                return Outcome::Error(format!("HTTP payload: {error}"));
            }
            payload_note = response.note.clone();
            let (text, charset) = charset::decode(&response.body, response.charset());
            (text, media, Some(response.status), charset)
        }
        "resource" | "response" => {
            let media = block_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            if !is_html(&media) {
                return Outcome::Skipped(format!("{kind} {media}"));
            }
            let declared = block_type
                .split("charset=")
                .nth(1)
                .map(|c| c.trim_matches(['"', ' ']));
            let (text, charset) = charset::decode(&record.block, declared);
            (text, media, None, charset)
        }
        "conversion" => (
            String::from_utf8_lossy(&record.block).into_owned(),
            "text/plain".to_owned(),
            None,
            "UTF-8",
        ),
        _ => return Outcome::Skipped(kind),
    };
    // Only documents need these.
    let url = record
        .header("WARC-Target-URI")
        .or_else(|| record.header("URL"))
        .unwrap_or_default()
        .trim_matches(['<', '>']);
    let date = record
        .header("WARC-Date")
        .or_else(|| record.header("Archive-date"))
        .unwrap_or_default();
    let id = match record.header("WARC-Record-ID") {
        Some(id) => id.to_owned(),
        None => format!("{url} {date}"),
    };
    let mut metadata = json!({
        "url": url,
        "date": date,
        "warc_type": kind,
        "content_type": media,
        "status": status,
        "charset": charset,
    });
    if let Some(note) = payload_note {
        metadata["payload_note"] = note.into();
    }
    let mut doc = Document::new(id, text);
    doc.metadata = serde_json::value::to_raw_value(&metadata).ok();
    Outcome::Document(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}-1>\r\nWARC-Target-URI: https://example.org/{kind}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    #[test]
    fn html_responses_become_documents_and_the_rest_is_counted() {
        let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Gr\xfc\xdfe</p>";
        let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
        let mut file = record("warcinfo", "", b"software: thresh");
        file.extend(record(
            "request",
            "Content-Type: application/http; msgtype=request\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
        ));
        file.extend(record(
            "response",
            "Content-Type: application/http; msgtype=response\r\n",
            http,
        ));
        file.extend(record(
            "response",
            "Content-Type: application/http; msgtype=response\r\n",
            image,
        ));
        file.extend(record(
            "response",
            "Content-Type: application/http\r\n",
            b"not http at all",
        ));
        let batch = WarcBatches::new(&file[..]).next_batch(3, 1 << 20, 100);
        assert!(batch.last);
        assert_eq!(batch.file, 3);
        assert_eq!(batch.skipped.get("warcinfo"), Some(&1));
        assert_eq!(batch.skipped.get("request"), Some(&1));
        assert_eq!(batch.skipped.get("response image/png"), Some(&1));
        assert_eq!(batch.items.len(), 2, "{:?}", batch.items);
        let Item::Document { doc, line, .. } = &batch.items[0] else {
            panic!("{:?}", batch.items[0])
        };
        assert_eq!(*line, 3);
        assert_eq!((doc.origin.file, doc.origin.record), (3, 3));
        assert_eq!(doc.id, "<urn:uuid:response-1>");
        assert_eq!(doc.text, "<p>Grüße</p>");
        let meta: serde_json::Value =
            serde_json::from_str(doc.metadata.as_ref().unwrap().get()).unwrap();
        assert_eq!(meta["url"], "https://example.org/response");
        assert_eq!(meta["status"], 200);
        assert_eq!(meta["charset"], "windows-1252");
        assert!(
            matches!(&batch.items[1], Item::Error { message, .. } if message.starts_with("HTTP response"))
        );
        assert_eq!(batch.bytes as usize, file.len());
    }

    #[test]
    fn http_quirks_of_real_archives_give_their_pages() {
        let http = "Content-Type: application/http; msgtype=response\r\n";
        let blocks: [&[u8]; 6] = [
            // Not `HTTP/` (pywb's test archives).
            b"HTTPX/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>one</p>",
            // Header lines ending in `\r\r\n`.
            b"HTTP/1.1 200 OK\r\r\nContent-Type: text/html\r\r\n\r\r\n<p>two</p>",
            // No reason phrase, and a folded header.
            b"HTTP/1.1 200\r\nContent-Type: text/html;\r\n charset=utf-8\r\n\r\n<p>three</p>",
            // No blank line before an empty body.
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n",
            // Stored de-chunked under a kept `Transfer-Encoding: chunked`.
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n<!doctype html><p>five</p>",
            // Stored decompressed under a kept `Content-Encoding: gzip`.
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n<p>six</p>",
        ];
        let file: Vec<u8> = blocks
            .iter()
            .flat_map(|b| record("response", http, b))
            .collect();
        let batch = WarcBatches::new(&file[..]).next_batch(0, 1 << 20, 100);
        let docs: Vec<(String, serde_json::Value)> = batch
            .items
            .iter()
            .map(|item| match item {
                Item::Document { doc, .. } => (
                    doc.text.clone(),
                    serde_json::from_str(doc.metadata.as_ref().unwrap().get()).unwrap(),
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        let texts: Vec<&str> = docs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "<p>one</p>",
                "<p>two</p>",
                "<p>three</p>",
                "",
                "<!doctype html><p>five</p>",
                "<p>six</p>"
            ]
        );
        assert_eq!(docs[2].1["charset"], "UTF-8");
        let notes: Vec<bool> = docs
            .iter()
            .map(|(_, m)| m["payload_note"].is_string())
            .collect();
        assert_eq!(notes, [false, false, false, false, true, true]);
    }

    #[test]
    fn batches_hold_about_max_bytes_of_documents() {
        let page = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>{}</p>",
            "x".repeat(1000)
        );
        let one = record(
            "response",
            "Content-Type: application/http; msgtype=response\r\n",
            page.as_bytes(),
        );
        let file = one.repeat(10);
        let mut batches = WarcBatches::new(&file[..]);
        let sizes: Vec<usize> = std::iter::from_fn(|| {
            let b = batches.next_batch(0, 2500, 100);
            (!b.items.is_empty()).then_some(b.items.len())
        })
        .collect();
        // 1,007 bytes each: the third document reaches 2,500.
        assert_eq!(sizes, [3, 3, 3, 1]);
    }
}
