//! The [`Document`]: one record of the corpus as it travels through the steps.

use std::any::Any;
use std::fmt;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Where a document came from: its input file (or, in a run, its work unit) by index in the
/// run's sorted file list, and its 1-based line (or record) number there. Orders documents
/// deterministically.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Index of the input file in the run's sorted input list (a run's documents: the id of
    /// their [work unit](crate::WorkUnit), the index of its first file).
    pub file: u32,
    /// 1-based record number (the line number for JSON Lines); in a work unit, see
    /// [`Origin::in_unit`].
    pub record: u64,
}

impl Origin {
    /// Bits of [`Origin::record`] that hold the record number within its file; the bits
    /// above hold the file's position in its work unit.
    pub const RECORD_BITS: u32 = 40;

    /// The origin of record `record` of the file at `position` (from 0) in work unit `unit`:
    /// the unit's documents in input order, and for a unit's first file the record number
    /// itself (a unit of one file is numbered as the file).
    pub fn in_unit(unit: u32, position: u32, record: u64) -> Origin {
        let low = record & ((1 << Self::RECORD_BITS) - 1);
        Origin {
            file: unit,
            record: (u64::from(position) << Self::RECORD_BITS) | low,
        }
    }
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
    /// What steps derived from the text and share while the document passes through them
    /// (thresh-text's analysis: words, lines, paragraphs); never written out.
    pub derived: Derived,
}

/// One value of any type that steps derive from a document and keep with it, so that the next
/// step asks for it instead of computing it again. Whoever reads it checks that it still
/// describes the current text (the value carries what it was made from). Empty on a clone.
#[derive(Default)]
pub struct Derived(Option<Box<dyn Any + Send + Sync>>);

impl Derived {
    /// The value, made by `make` when there is none or it is of another type.
    pub fn get_or_insert_with<T: Any + Send + Sync>(&mut self, make: impl FnOnce() -> T) -> &mut T {
        if !self.0.as_ref().is_some_and(|v| v.is::<T>()) {
            self.0 = Some(Box::new(make()));
        }
        self.0
            .as_mut()
            .and_then(|v| v.downcast_mut())
            .expect("the value was just made of this type")
    }

    /// Forgets the value.
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived(None)
    }
}

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Derived(..)"
        } else {
            "Derived(none)"
        })
    }
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
    fn a_derived_value_is_made_once_kept_and_not_cloned() {
        let mut doc = Document::new("x", "text");
        let mut made = 0;
        *doc.derived.get_or_insert_with(|| {
            made += 1;
            7u32
        }) += 1;
        assert_eq!(*doc.derived.get_or_insert_with(|| 0u32), 8);
        // A value of another type replaces it.
        assert_eq!(*doc.derived.get_or_insert_with(|| 1u8), 1);
        assert_eq!(*doc.derived.get_or_insert_with(|| 5u32), 5);
        assert_eq!(made, 1);
        assert_eq!(*doc.clone().derived.get_or_insert_with(|| 9u32), 9);
        doc.derived.clear();
        assert_eq!(format!("{:?}", doc.derived), "Derived(none)");
    }

    #[test]
    fn origins_order_by_file_then_record() {
        let a = Origin { file: 0, record: 9 };
        let b = Origin { file: 1, record: 1 };
        assert!(a < b);
    }

    #[test]
    fn a_unit_numbers_its_files_records_in_input_order() {
        // A unit's first file keeps its record numbers.
        assert_eq!(
            Origin::in_unit(7, 0, 12),
            Origin {
                file: 7,
                record: 12
            }
        );
        // The second file's first record comes after every record of the first.
        let second = Origin::in_unit(7, 1, 1);
        assert_eq!(second.record, (1 << 40) + 1);
        assert!(Origin::in_unit(7, 0, (1 << 40) - 1) < second);
        assert!(second < Origin::in_unit(7, 2, 1));
    }
}
