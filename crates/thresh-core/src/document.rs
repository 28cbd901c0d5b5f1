//! The [`Document`]: one record of the corpus as it travels through the steps.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Where a document came from: the index of its input file in the run's sorted file list and
/// its 1-based line (or record) number in that file. Orders documents deterministically.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Index of the input file in the run's sorted input list.
    pub file: u32,
    /// 1-based record number (the line number for JSON Lines).
    pub record: u64,
}

/// One document: id, text, the input's metadata untouched, and thresh's annotations.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The document id (from the input, or derived from file and line).
    pub id: String,
    /// The text the steps read and rewrite.
    pub text: String,
    /// The input's `metadata` value, byte-for-byte as read (None when the input had none).
    pub metadata: Option<Box<RawValue>>,
    /// Other top-level fields of the input record, in input order, byte-for-byte.
    pub extra: Vec<(String, Box<RawValue>)>,
    /// thresh's own annotations, written as the `thresh` object of the output line.
    pub annotations: Map<String, Value>,
    /// Where the document was read from.
    pub origin: Origin,
}

impl Document {
    /// A document with the given id and text and nothing else.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// The annotation object of one step (`thresh.<step>`), created on first use.
    pub fn step_annotations(&mut self, step: &str) -> &mut Map<String, Value> {
        let slot = self
            .annotations
            .entry(step.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        match slot {
            Value::Object(map) => map,
            _ => unreachable!("slot was just made an object"),
        }
    }

    /// The document's language, when a language step or the input set `thresh.lang`.
    pub fn lang(&self) -> Option<&str> {
        self.annotations.get("lang").and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_annotations_are_created_once_and_reused() {
        let mut doc = Document::new("x", "text");
        doc.step_annotations("length")
            .insert("words".into(), 1.into());
        doc.step_annotations("length")
            .insert("chars".into(), 4.into());
        assert_eq!(
            serde_json::to_string(&doc.annotations).unwrap(),
            r#"{"length":{"words":1,"chars":4}}"#
        );
    }

    #[test]
    fn origins_order_by_file_then_record() {
        let a = Origin { file: 0, record: 9 };
        let b = Origin { file: 1, record: 1 };
        assert!(a < b);
    }
}
