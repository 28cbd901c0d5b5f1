//! What worker threads do with a chunk of a work unit: parse its records, run each document
//! through the pass's steps, and serialize it by where it goes (kept, by partition; dropped;
//! set aside at a barrier, with the barrier's observation), compressed for the writer.

use thresh_core::{Origin, Outcome, Pipeline, Stats};
use thresh_io::compression::Compression;
use thresh_io::jsonl::{parse_record, write_record, FieldNames};
use thresh_io::read::lines::{Batch, Item};
use thresh_io::write::{Format, ShardSpec};

use thresh_io::read::Chunk;

/// Lines of serialized documents, with where each ends (for shard limits).
#[derive(Default)]
pub(super) struct Lines {
    pub(super) data: Vec<u8>,
    pub(super) ends: Vec<usize>,
    /// `data` compressed as one frame by the worker (when the output is compressed).
    pub(super) encoded: Option<Vec<u8>>,
    /// Kept documents' token ids, for the token formats, and where each document ends.
    pub(super) tokens: Vec<u32>,
    pub(super) token_ends: Vec<usize>,
}

/// A chunk after the workers: serialized output and the chunk's accounting.
pub(super) struct Processed {
    pub(super) unit: u32,
    pub(super) last: bool,
    /// Kept documents by partition (`""` when the output is not partitioned), in order of
    /// first appearance.
    pub(super) kept: Vec<(String, Lines)>,
    pub(super) dropped: Lines,
    /// Documents that passed this pass's steps and wait at a barrier for the next pass.
    pub(super) staged: Lines,
    /// The barrier step's observations of the staged documents, in order.
    pub(super) observed: Vec<u8>,
    pub(super) errors: Vec<u8>,
    /// The first unreadable record: input file, line, offset, message.
    pub(super) first_error: Option<(u32, u64, u64, String)>,
    pub(super) stats: Stats,
}

/// The key under which a document set aside at a barrier keeps its original origin.
pub(super) const ORIGIN_KEY: &str = "thresh_origin";

/// Everything a worker needs, shared read-only.
pub(super) struct Work<'a> {
    pub(super) pipeline: &'a Pipeline,
    pub(super) fields: FieldNames,
    pub(super) names: Vec<String>,
    pub(super) empty_stats: Stats,
    pub(super) write_dropped: bool,
    pub(super) encode: ShardSpec,
    pub(super) partition_by: Option<String>,
    /// The format of the kept shards (dropped ones: [`Format::for_documents`]).
    pub(super) format: Format,
    /// The names of the `doc_stats` steps, whose annotations go into `stats.json`.
    pub(super) doc_stats: Vec<String>,
    /// The token formats' tokenizer, in the last pass: kept documents become token ids.
    pub(super) tokenizer: Option<std::sync::Arc<thresh_text::tokenizer::Tokenizer>>,
    /// The pass: its steps, and the barrier step that ends it (none for the last pass).
    pub(super) pass: usize,
    pub(super) steps: std::ops::Range<usize>,
    pub(super) barrier: Option<&'a dyn thresh_core::Barrier>,
}

/// The partition (sub-directory of `kept/`) of a document: its `thresh.<key>` annotation,
/// reduced to a safe directory name; `und` when it has none.
pub(super) fn partition(doc: &thresh_core::Document, key: &str) -> String {
    let value = match doc.annotations.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let safe = crate::layout::safe_name(&value);
    if safe.is_empty() || safe.chars().all(|c| c == '_') {
        "und".into()
    } else {
        safe
    }
}

/// Writes `doc` for the next pass, with its origin (which the next pass cannot know from the
/// staged file's line numbers).
pub(super) fn stage_record(lines: &mut Lines, doc: &mut thresh_core::Document) {
    let origin = serde_json::value::to_raw_value(&[doc.origin.file as u64, doc.origin.record])
        .expect("two numbers serialize");
    doc.extra.push((ORIGIN_KEY.to_owned(), origin));
    write_record(&mut lines.data, doc);
    lines.ends.push(lines.data.len());
}

/// The origin of a document read back from a staged file.
pub(super) fn restore_origin(
    mut doc: thresh_core::Document,
) -> Result<thresh_core::Document, String> {
    let at = doc
        .extra
        .iter()
        .position(|(k, _)| k == ORIGIN_KEY)
        .ok_or("a staged document without its origin")?;
    let (_, raw) = doc.extra.remove(at);
    let [file, record]: [u64; 2] =
        serde_json::from_str(raw.get()).map_err(|e| format!("bad staged origin: {e}"))?;
    doc.origin = Origin {
        file: file as u32,
        record,
    };
    Ok(doc)
}

impl Work<'_> {
    /// Runs one document through the pass's steps and files it: kept (by partition), dropped,
    /// or set aside at the barrier.
    fn handle(&self, mut doc: thresh_core::Document, out: &mut Processed) {
        let outcome = self
            .pipeline
            .process_steps(&mut doc, &mut out.stats, self.steps.clone());
        let staged = matches!(outcome, Outcome::Kept) && self.barrier.is_some();
        if !staged && !self.doc_stats.is_empty() {
            super::doc_stats::aggregate(&doc, &self.doc_stats, &mut out.stats);
        }
        let target = match outcome {
            Outcome::Kept if self.barrier.is_some() => {
                let barrier = self.barrier.expect("checked");
                barrier.observe(&doc, &mut out.observed);
                stage_record(&mut out.staged, &mut doc);
                return;
            }
            Outcome::Kept => {
                let route = self
                    .partition_by
                    .as_deref()
                    .map_or_else(String::new, |key| partition(&doc, key));
                let i = match out.kept.iter().position(|(r, _)| *r == route) {
                    Some(i) => i,
                    None => {
                        out.kept.push((route.clone(), Lines::default()));
                        out.kept.len() - 1
                    }
                };
                let lines = &mut out.kept[i].1;
                let tokens = match &self.tokenizer {
                    Some(tokenizer) => {
                        let before = lines.tokens.len();
                        tokenizer.encode_into(&doc.text, &mut lines.tokens);
                        lines.token_ends.push(lines.tokens.len());
                        Some((lines.tokens.len() - before) as u64)
                    }
                    None => doc
                        .annotations
                        .get("tokens")
                        .and_then(serde_json::Value::as_u64),
                };
                if let Some(n) = tokens {
                    *out.stats.kept_tokens.entry(route).or_default() += n;
                }
                if self.tokenizer.is_some() {
                    return;
                }
                Some(lines)
            }
            Outcome::Dropped { .. } => self.write_dropped.then_some(&mut out.dropped),
        };
        if let Some(lines) = target {
            write_record(&mut lines.data, &doc);
            lines.ends.push(lines.data.len());
        }
    }

    pub(super) fn process(&self, chunk: Chunk) -> Processed {
        let mut out = Processed {
            unit: chunk.unit,
            last: chunk.last,
            kept: Vec::new(),
            dropped: Lines::default(),
            staged: Lines::default(),
            observed: Vec::new(),
            errors: Vec::new(),
            first_error: None,
            stats: self.empty_stats.clone(),
        };
        for (position, batch) in chunk.batches {
            self.process_batch(chunk.unit, position, batch, &mut out);
        }
        // Compressing here spreads the costliest part of writing over the workers; a failure
        // leaves `encoded` empty and the writer compresses (and reports) instead.
        if self.encode.compression != Compression::None {
            let kept = out.kept.iter_mut().map(|(_, lines)| lines);
            for lines in kept.chain([&mut out.dropped, &mut out.staged]) {
                if !lines.data.is_empty() {
                    lines.encoded = self.encode.encode(&lines.data).ok();
                }
            }
        }
        out
    }

    /// Reads, processes and files the records of `batch`, of the file at `position` in work
    /// unit `unit`. Documents of the first pass are numbered in their unit
    /// ([`Origin::in_unit`]); later passes restore the origin set aside with them.
    fn process_batch(&self, unit: u32, position: u32, mut batch: Batch, out: &mut Processed) {
        let first_pass = self.pass == 0;
        if first_pass {
            out.stats.bytes_in += batch.bytes;
            for (kind, n) in &batch.skipped {
                *out.stats.skipped.entry(kind.clone()).or_default() += n;
            }
        }
        let name = &self.names[batch.file as usize];
        let items = std::mem::take(&mut batch.items);
        for item in items {
            if first_pass {
                out.stats.read += 1;
            }
            let (line, offset, message) = match item {
                Item::Record {
                    range,
                    line,
                    offset,
                } => {
                    // Ids derived from file and line are the file's own.
                    let origin = Origin {
                        file: batch.file,
                        record: line,
                    };
                    let parsed = parse_record(batch.record(&range), &self.fields, name, origin)
                        .and_then(|mut doc| {
                            if first_pass {
                                doc.origin = Origin::in_unit(unit, position, line);
                                Ok(doc)
                            } else {
                                restore_origin(doc)
                            }
                        });
                    match parsed {
                        Ok(doc) => {
                            self.handle(doc, out);
                            continue;
                        }
                        Err(message) => (line, offset, message),
                    }
                }
                Item::Document { mut doc, .. } => {
                    doc.origin = Origin::in_unit(unit, position, doc.origin.record);
                    self.handle(*doc, out);
                    continue;
                }
                Item::Error {
                    line,
                    offset,
                    message,
                } => (line, offset, message),
            };
            out.stats.errored += 1;
            let record = serde_json::json!({"file": name, "line": line, "offset": offset, "message": message});
            serde_json::to_writer(&mut out.errors, &record).expect("writing to a Vec cannot fail");
            out.errors.push(b'\n');
            out.first_error
                .get_or_insert((batch.file, line, offset, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_safe_directory_names_and_und_without_a_value() {
        let mut doc = thresh_core::Document::new("d", "text");
        assert_eq!(partition(&doc, "lang"), "und");
        doc.annotations.insert("lang".into(), "de".into());
        assert_eq!(partition(&doc, "lang"), "de");
        doc.annotations.insert("lang".into(), "../x y".into());
        assert_eq!(partition(&doc, "lang"), "___x_y");
        doc.annotations
            .insert("lang".into(), serde_json::Value::Null);
        assert_eq!(partition(&doc, "lang"), "und");
        doc.annotations.insert("quality".into(), 3.into());
        assert_eq!(partition(&doc, "quality"), "3");
    }

    #[test]
    fn a_staged_document_comes_back_with_its_origin() {
        let mut doc = thresh_core::Document::new("d", "some text");
        doc.origin = Origin::in_unit(12, 3, 7);
        let mut lines = Lines::default();
        stage_record(&mut lines, &mut doc);
        assert_eq!(lines.ends, [lines.data.len()]);
        let origin = Origin {
            file: 99,
            record: 1,
        };
        let read = parse_record(&lines.data, &FieldNames::default(), "staged", origin).unwrap();
        let back = restore_origin(read).unwrap();
        assert_eq!(back.origin, Origin::in_unit(12, 3, 7));
        assert_eq!((back.id.as_str(), back.text.as_str()), ("d", "some text"));
        assert!(
            back.extra.is_empty(),
            "the origin is not left among the fields"
        );
        let plain = parse_record(
            br#"{"id":"x","text":"y"}"#,
            &FieldNames::default(),
            "f",
            origin,
        )
        .unwrap();
        assert!(restore_origin(plain)
            .unwrap_err()
            .contains("without its origin"));
    }
}
