//! Splitting a byte stream into line records, in batches, with damage as error items.
//!
//! A batch holds the bytes of many records in one buffer (one allocation per batch, not per
//! record), each record's 1-based line number and byte offset in the uncompressed stream, and
//! error items in stream order: a record longer than the limit (skipped without buffering it),
//! a read error such as a truncated gzip/zstd stream (which ends the file), or a file with no
//! records at all.

use std::io::{BufRead, ErrorKind};
use std::ops::Range;

use memchr::memchr;

/// One item of a batch, in stream order.
#[derive(Clone, Debug)]
pub enum Item {
    /// A record: its bytes are `batch.data[range]` (without the newline).
    Record {
        /// Byte range in the batch buffer.
        range: Range<usize>,
        /// 1-based line number.
        line: u64,
        /// Byte offset of the record's first byte in the uncompressed stream.
        offset: u64,
    },
    /// A document the source made itself (a web archive's page, a saved page), with no JSON
    /// to parse.
    Document {
        /// The document; its origin is set.
        doc: Box<thresh_core::Document>,
        /// 1-based record number in the file.
        line: u64,
        /// Uncompressed byte offset of the record.
        offset: u64,
    },
    /// Something that could not be read as a record.
    Error {
        /// 1-based line number where it happened.
        line: u64,
        /// Uncompressed byte offset where it happened.
        offset: u64,
        /// What went wrong.
        message: String,
    },
}

/// A batch of consecutive items of one file.
#[derive(Debug, Default)]
pub struct Batch {
    /// Index of the file in the run's input list.
    pub file: u32,
    /// The records' bytes, back to back.
    pub data: Vec<u8>,
    /// Records and errors in stream order.
    pub items: Vec<Item>,
    /// Uncompressed bytes consumed by this batch.
    pub bytes: u64,
    /// True for the file's last batch (which may be empty).
    pub last: bool,
    /// Input records that are not documents, by kind (web archives: requests, revisits,
    /// non-HTML responses, …).
    pub skipped: std::collections::BTreeMap<String, u64>,
}

impl Batch {
    /// The bytes of one record item.
    pub fn record(&self, range: &Range<usize>) -> &[u8] {
        &self.data[range.clone()]
    }
}

/// Splits a stream into newline-terminated records, skipping blank lines and stripping `\r`.
pub struct RecordSplitter<R> {
    reader: R,
    max_record_bytes: usize,
    line: u64,
    offset: u64,
    records_seen: u64,
    done: bool,
}

impl<R: BufRead> RecordSplitter<R> {
    /// A splitter that reports records longer than `max_record_bytes` as errors.
    pub fn new(reader: R, max_record_bytes: usize) -> Self {
        RecordSplitter {
            reader,
            max_record_bytes,
            line: 0,
            offset: 0,
            records_seen: 0,
            done: false,
        }
    }

    /// True once the stream has ended (cleanly or not).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Reads items until about `target_bytes` of record data or `max_items` items are
    /// collected, or the stream ends (then `last` is set).
    pub fn next_batch(&mut self, file: u32, target_bytes: usize, max_items: usize) -> Batch {
        let mut batch = Batch {
            file,
            data: Vec::with_capacity(target_bytes.min(1 << 22) + 1024),
            ..Batch::default()
        };
        let start_offset = self.offset;
        while !self.done && batch.data.len() < target_bytes && batch.items.len() < max_items {
            self.read_one(&mut batch);
        }
        batch.bytes = self.offset - start_offset;
        batch.last = self.done;
        batch
    }

    /// Reads one line into the batch (as a record or an error), or marks the end.
    fn read_one(&mut self, batch: &mut Batch) {
        let line = self.line + 1;
        let offset = self.offset;
        let start = batch.data.len();
        let mut len = 0usize;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    batch.data.truncate(start);
                    let partial = if len > 0 {
                        format!("; {len} bytes of an incomplete record at line {line} discarded")
                    } else {
                        String::new()
                    };
                    batch.items.push(Item::Error {
                        line,
                        offset: self.offset,
                        message: format!(
                            "read error after {} uncompressed bytes (truncated or corrupt stream?): {e}{partial}",
                            self.offset
                        ),
                    });
                    self.done = true;
                    return;
                }
            };
            if buf.is_empty() {
                self.done = true;
                if len == 0 {
                    if self.records_seen == 0 {
                        let message = if self.offset == 0 {
                            "empty file: no records"
                        } else {
                            "no records: the file holds only blank lines"
                        };
                        batch.items.push(Item::Error {
                            line: 1,
                            offset: 0,
                            message: message.into(),
                        });
                    }
                    return;
                }
                // A last line without a trailing newline is still a record.
                self.line += 1;
                self.finish_record(batch, start, len, line, offset);
                return;
            }
            let (take, found) = match memchr(b'\n', buf) {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            if len + take <= self.max_record_bytes {
                batch.data.extend_from_slice(&buf[..take]);
            } else if len <= self.max_record_bytes {
                batch.data.truncate(start);
            }
            len += take;
            let consumed = take + usize::from(found);
            self.reader.consume(consumed);
            self.offset += consumed as u64;
            if found {
                self.line += 1;
                self.finish_record(batch, start, len, line, offset);
                return;
            }
        }
    }

    fn finish_record(
        &mut self,
        batch: &mut Batch,
        start: usize,
        len: usize,
        line: u64,
        offset: u64,
    ) {
        if len > self.max_record_bytes {
            self.records_seen += 1;
            batch.items.push(Item::Error {
                line,
                offset,
                message: format!(
                    "record of {len} bytes exceeds max_record_bytes ({}); skipped",
                    self.max_record_bytes
                ),
            });
            return;
        }
        let mut end = batch.data.len();
        if end > start && batch.data[end - 1] == b'\r' {
            end -= 1;
        }
        if batch.data[start..end].iter().all(u8::is_ascii_whitespace) {
            batch.data.truncate(start);
            return;
        }
        self.records_seen += 1;
        batch.items.push(Item::Record {
            range: start..end,
            line,
            offset,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Read};

    fn all_items(input: &[u8], max: usize, buf: usize) -> (Vec<String>, Vec<(u64, u64, String)>) {
        let mut split = RecordSplitter::new(
            BufReader::with_capacity(buf, Cursor::new(input.to_vec())),
            max,
        );
        let mut records = Vec::new();
        let mut errors = Vec::new();
        loop {
            let batch = split.next_batch(0, 7, 2);
            for item in &batch.items {
                match item {
                    Item::Record { range, .. } => {
                        records.push(String::from_utf8(batch.record(range).to_vec()).unwrap())
                    }
                    Item::Error {
                        line,
                        offset,
                        message,
                    } => errors.push((*line, *offset, message.clone())),
                    Item::Document { .. } => unreachable!("the splitter makes no documents"),
                }
            }
            if batch.last {
                break;
            }
        }
        (records, errors)
    }

    #[test]
    fn splits_lines_skips_blanks_strips_cr_and_keeps_unterminated_last() {
        let (records, errors) = all_items(b"a\r\n\n  \nbb\nccc", 100, 3);
        assert_eq!(records, ["a", "bb", "ccc"]);
        assert!(errors.is_empty());
    }

    #[test]
    fn oversized_record_is_an_error_with_its_line_and_offset() {
        // Line 2 starts at byte 3 ("ab\n" is 3 bytes) and is 12 bytes long.
        let (records, errors) = all_items(b"ab\n0123456789ab\ncd\n", 10, 4);
        assert_eq!(records, ["ab", "cd"]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].0, errors[0].1), (2, 3));
        assert!(errors[0]
            .2
            .contains("12 bytes exceeds max_record_bytes (10)"));
    }

    #[test]
    fn empty_input_is_one_error() {
        let (records, errors) = all_items(b"", 10, 4);
        assert!(records.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].2.starts_with("empty file"));
    }

    struct Truncated(Cursor<Vec<u8>>);
    impl Read for Truncated {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "unexpected end of file",
                )),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn read_error_ends_the_file_with_an_error_naming_the_offset() {
        let input = b"one\ntwo\nthr".to_vec();
        let mut split = RecordSplitter::new(
            BufReader::with_capacity(4, Truncated(Cursor::new(input))),
            100,
        );
        let batch = split.next_batch(0, 1000, 1000);
        assert!(batch.last);
        assert_eq!(batch.items.len(), 3);
        match &batch.items[2] {
            Item::Error {
                line,
                offset,
                message,
            } => {
                assert_eq!((*line, *offset), (3, 11));
                assert!(
                    message.contains("3 bytes of an incomplete record"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    proptest::proptest! {
        /// Arbitrary bytes through any buffer size: no panic, and every item is a record or an
        /// error with a line number inside the input.
        #[test]
        fn any_bytes_split_without_panicking(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), buf in 1usize..32, max in 1usize..64) {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let mut split = RecordSplitter::new(BufReader::with_capacity(buf, Cursor::new(bytes)), max);
            loop {
                let batch = split.next_batch(0, 16, 3);
                for item in &batch.items {
                    let line = match item {
                        Item::Record { line, range, .. } => {
                            proptest::prop_assert!(range.len() <= max);
                            *line
                        }
                        Item::Error { line, .. } | Item::Document { line, .. } => *line,
                    };
                    proptest::prop_assert!(line >= 1 && line <= lines);
                }
                if batch.last {
                    break;
                }
            }
        }

        #[test]
        fn every_nonblank_line_comes_back_once(lines in proptest::collection::vec("[a-z ]{0,12}", 0..40), buf in 1usize..16) {
            let input = lines.join("\n");
            let (records, _) = all_items(input.as_bytes(), 1000, buf);
            let expected: Vec<&str> = lines.iter().map(String::as_str).filter(|l| !l.trim().is_empty()).collect();
            proptest::prop_assert_eq!(records, expected);
        }
    }
}
