//! `thresh explain`: one document through the pipeline, step by step — every signal next to
//! its threshold, the lines each step removed, which step decided, and what every later step
//! would have said (a run stops at the first drop; `explain` goes on).

use std::fmt::Write as _;
use std::io::BufRead;
use std::path::Path;

use serde_json::{json, Value};
use thresh_core::{Document, Origin, StepMode, TraceStep, Verdict};
use thresh_io::compression::open_decompressed;
use thresh_io::jsonl::parse_record;
use thresh_io::lines::{Item, RecordSplitter};

use crate::config::PipelineFile;

/// Why no document could be explained.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// No record with the id, or no readable record at all.
    #[error("{0}")]
    NotFound(String),
}

/// The document to explain: a plain-text file (`.txt`) or a saved page (`.html`, `.htm`,
/// optionally `.gz`, decoded as the run decodes pages) is one document whose id is the file
/// name; otherwise the JSON Lines record with `id` (the first readable one without `id`), read
/// with the pipeline's field names.
pub fn load_document(
    file: &PipelineFile,
    path: &Path,
    id: Option<&str>,
) -> Result<Document, ExplainError> {
    let read_err = |source| ExplainError::Read {
        path: path.display().to_string(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.extension().is_some_and(|e| e == "txt") {
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        return Ok(Document::new(id.unwrap_or(&name), text));
    }
    if thresh_io::inputs::is_html_file(&name) {
        let (mut reader, _) = open_decompressed(path).map_err(read_err)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut bytes).map_err(read_err)?;
        let (text, _) = thresh_io::charset::decode(&bytes, None);
        return Ok(Document::new(id.unwrap_or(&name), text));
    }
    let (reader, _) = open_decompressed(path).map_err(read_err)?;
    let fields = file.input.field_names();
    let mut split = RecordSplitter::new(
        Box::new(reader) as Box<dyn BufRead + Send>,
        file.input.max_record_bytes as usize,
    );
    while !split.is_done() {
        let batch = split.next_batch(0, 1 << 20, 4096);
        for item in &batch.items {
            if let Item::Record { range, line, .. } = item {
                let origin = Origin {
                    file: 0,
                    record: *line,
                };
                if let Ok(doc) = parse_record(batch.record(range), &fields, &name, origin) {
                    if id.is_none_or(|id| doc.id == id) {
                        return Ok(doc);
                    }
                }
            }
        }
    }
    Err(ExplainError::NotFound(match id {
        Some(id) => format!("no document with id `{id}` in `{}`", path.display()),
        None => format!("no readable document in `{}`", path.display()),
    }))
}

/// The trace as JSON: `{id, steps: [...], decided_by, reason, text}`; each step has `decided`
/// (it dropped the document) and `after_decision` (its verdict is what it would have said).
pub fn to_json(doc: &Document, trace: &[TraceStep]) -> Value {
    let steps: Vec<Value> = trace
        .iter()
        .map(|t| {
            let (verdict, reason) = match &t.verdict {
                Verdict::Keep => ("keep", None),
                Verdict::Drop(r) if t.mode == StepMode::Annotate => ("flag", Some(r.as_str())),
                Verdict::Drop(r) => ("drop", Some(r.as_str())),
            };
            let decided = !t.after_decision
                && t.mode == StepMode::Filter
                && matches!(t.verdict, Verdict::Drop(_));
            json!({
                "name": t.name, "type": t.ty, "verdict": verdict, "reason": reason,
                "decided": decided, "after_decision": t.after_decision,
                "signals": t.signals, "removed_lines": t.removed_lines,
                "chars_before": t.chars.0, "chars_after": t.chars.1,
            })
        })
        .collect();
    json!({
        "id": doc.id,
        "steps": steps,
        "decided_by": doc.annotations.get("dropped_by"),
        "reason": doc.annotations.get("reason"),
        "text": doc.text,
    })
}

/// The trace for a terminal; `color` adds ANSI colours.
pub fn render(doc: &Document, trace: &[TraceStep], color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    let chars = trace
        .first()
        .map_or(doc.text.chars().count(), |t| t.chars.0);
    let _ = writeln!(
        out,
        "{} ({chars} characters)",
        paint("1", &format!("document {}", doc.id))
    );
    let mut announced = false;
    for (i, t) in trace.iter().enumerate() {
        if t.after_decision && !announced {
            announced = true;
            let _ = writeln!(
                out,
                "{}",
                paint(
                    "2",
                    "    — after the deciding step: what each later step would have said —"
                )
            );
        }
        let verdict = match (&t.verdict, t.mode, t.after_decision) {
            (Verdict::Keep, _, false) => paint("32", "keep"),
            (Verdict::Keep, _, true) => paint("32", "would keep"),
            (Verdict::Drop(r), StepMode::Annotate, false) => paint("33", &format!("flag: {r}")),
            (Verdict::Drop(r), StepMode::Annotate, true) => {
                paint("33", &format!("would flag: {r}"))
            }
            (Verdict::Drop(r), StepMode::Filter, false) => {
                paint("31;1", &format!("DROP: {r}  ← decided here"))
            }
            (Verdict::Drop(r), StepMode::Filter, true) => paint("31", &format!("would drop: {r}")),
        };
        let changed = if t.chars.0 == t.chars.1 {
            String::new()
        } else {
            format!("  text {} → {} chars", t.chars.0, t.chars.1)
        };
        let _ = writeln!(
            out,
            "{:>2}. {} ({})  {verdict}{changed}",
            i + 1,
            paint("1", &t.name),
            t.ty
        );
        if let Some(Value::Object(signals)) = &t.signals {
            let limits = signals.get("limits").and_then(Value::as_object);
            for (name, value) in signals {
                if matches!(name.as_str(), "limits" | "would_drop" | "removed") {
                    continue;
                }
                let shown = match value {
                    Value::Number(n) => n.as_f64().map_or(n.to_string(), |f| {
                        if f.fract() == 0.0 {
                            format!("{f}")
                        } else {
                            format!("{f:.3}")
                        }
                    }),
                    other => other.to_string(),
                };
                let limit = limits
                    .and_then(|l| l.get(name))
                    .and_then(Value::as_str)
                    .map(|l| {
                        if l == "off" {
                            "   off".to_owned()
                        } else {
                            format!("   fails when {l}")
                        }
                    })
                    .unwrap_or_default();
                let _ = writeln!(out, "      {name:<28} {shown}{limit}");
            }
        }
        for line in &t.removed_lines {
            let _ = writeln!(out, "      {} {line}", paint("31", "removed:"));
        }
    }
    match doc.annotations.get("dropped_by").and_then(Value::as_str) {
        Some(step) => {
            let reason = doc
                .annotations
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("");
            let _ = writeln!(out, "{} {step}: {reason}", paint("31;1", "dropped by"));
        }
        None => {
            let _ = writeln!(
                out,
                "{} ({} characters of text kept)",
                paint("32;1", "kept"),
                doc.text.chars().count()
            );
        }
    }
    out
}
