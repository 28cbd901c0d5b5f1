//! `thresh explain`: one document through the pipeline, step by step — every signal next to
//! its threshold, the lines each step removed, which step decided, and what every later step
//! would have said (a run stops at the first drop; `explain` goes on).

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde_json::{json, Value};
use thresh_core::{Document, Origin, StepMode, TraceStep, Verdict};
use thresh_io::jsonl::parse_record;
use thresh_io::read::inputs::{expand_inputs, input_extensions, InputError};
use thresh_io::read::lines::Item;

use crate::config::PipelineFile;
use thresh_io::read::FileBatches;

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
    /// The input could not be listed (no such file, object or glob match).
    #[error(transparent)]
    Input(#[from] InputError),
    /// No record with the id, or no readable record at all.
    #[error("{0}")]
    NotFound(String),
}

/// The document to explain, from `input` (a path, or an object-store URL), read as `thresh
/// run` reads it: the record (JSON Lines, Parquet row), web-archive document (by its
/// `WARC-Record-ID`, with or without the angle brackets) or saved page with id `id`, the first
/// readable one without `id`. A plain-text file (`.txt`) is one document whose id is the file
/// name.
pub fn load_document(
    file: &PipelineFile,
    input: &str,
    id: Option<&str>,
) -> Result<Document, ExplainError> {
    let path = Path::new(input);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !thresh_io::store::remote::is_remote(input) && path.extension().is_some_and(|e| e == "txt") {
        let text = std::fs::read_to_string(path).map_err(|source| ExplainError::Read {
            path: input.to_owned(),
            source,
        })?;
        return Ok(Document::new(id.unwrap_or(&name), text));
    }
    // The one file, listed and read as a run lists and reads its inputs.
    let found = expand_inputs(&[input.to_owned()], Path::new("."), &input_extensions())?;
    let wanted = id.map(|id| id.trim_start_matches('<').trim_end_matches('>'));
    let matches = |doc: &Document| {
        wanted.is_none_or(|w| doc.id.trim_start_matches('<').trim_end_matches('>') == w)
    };
    let fields = file.input.field_names();
    let mut read = 0u64;
    let mut first_error = None;
    let base_dir = match file.base_dir.as_os_str().is_empty() {
        true => Path::new("."),
        false => file.base_dir.as_path(),
    };
    let base = std::fs::canonicalize(base_dir).ok();
    for (index, input_file) in found.into_iter().enumerate() {
        // Ids derived from file and line name the file as a run does: relative to the
        // pipeline file's directory.
        let source_name = std::fs::canonicalize(&input_file.path)
            .ok()
            .zip(base.as_ref())
            .and_then(|(path, base)| {
                let relative = path.strip_prefix(base).ok()?;
                Some(relative.to_string_lossy().replace('\\', "/"))
            })
            .unwrap_or_else(|| input_file.name.clone());
        let batches = FileBatches::new(
            vec![(index as u32, input_file)],
            file.input.max_record_bytes as usize,
            Arc::new(AtomicU64::new(0)),
        );
        for batch in batches {
            for item in &batch.items {
                let doc = match item {
                    Item::Record { range, line, .. } => {
                        let origin = Origin {
                            file: index as u32,
                            record: *line,
                        };
                        match parse_record(batch.record(range), &fields, &source_name, origin) {
                            Ok(doc) => doc,
                            Err(message) => {
                                first_error.get_or_insert(format!("line {line}: {message}"));
                                continue;
                            }
                        }
                    }
                    Item::Document { doc, .. } => (**doc).clone(),
                    Item::Error { message, .. } => {
                        first_error.get_or_insert(message.clone());
                        continue;
                    }
                };
                read += 1;
                if matches(&doc) {
                    return Ok(doc);
                }
            }
        }
    }
    let problem = first_error.map_or_else(String::new, |e| format!("; first error: {e}"));
    Err(ExplainError::NotFound(match id {
        Some(id) => {
            format!("no document with id `{id}` among the {read} documents of `{input}`{problem}")
        }
        None => format!("no readable document in `{input}`{problem}"),
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
