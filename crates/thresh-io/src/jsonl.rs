//! JSON Lines records ↔ [`Document`]s.
//!
//! Input: one JSON object per line. The text field (default `text`) must be a string; the id
//! field (default `id`) may be a string or a number, and when absent the id is
//! `<file name>:<line>`; `metadata` is kept byte-for-byte; a `thresh` object (from an earlier
//! run) becomes the starting annotations; every other field is kept byte-for-byte.
//!
//! Output, one line per document, keys in this order:
//! `{"id": …, "text": …, "metadata": {…}, <other input fields…>, "thresh": {…}}`.
//! An input field that would collide with an output key (say a `text` field when the text was
//! read from `content`) is written as `input_<name>`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserializer;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use thresh_core::{Document, Origin};

/// Which input fields hold the text and the id.
#[derive(Clone, Debug)]
pub struct FieldNames {
    /// Field holding the text (default `text`).
    pub text: String,
    /// Field holding the id (default `id`).
    pub id: String,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            text: "text".into(),
            id: "id".into(),
        }
    }
}

const RESERVED: [&str; 4] = ["id", "text", "metadata", "thresh"];

/// Parses one JSON line into a document. `source` names the file for derived ids.
pub fn parse_record(
    line: &[u8],
    fields: &FieldNames,
    source: &str,
    origin: Origin,
) -> Result<Document, String> {
    // One fast validation of the whole line lets serde_json skip validating each string.
    let line = simdutf8::basic::from_utf8(line).map_err(|_| {
        let at = std::str::from_utf8(line)
            .err()
            .map_or(0, |e| e.valid_up_to());
        format!("invalid UTF-8 at byte {at} of the record")
    })?;
    let mut de = serde_json::Deserializer::from_str(line);
    let parsed = RecordSeed { fields }
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|()| doc))
        .map_err(|e| format!("invalid JSON: {e}"))?;
    let text = match parsed.text {
        Some(TextValue::Text(text)) => text,
        Some(TextValue::Other(kind)) => {
            return Err(format!("field `{}` is {kind}, not a string", fields.text))
        }
        None => return Err(format!("missing field `{}`", fields.text)),
    };
    let id = match parsed.id {
        Some(raw) => id_from_raw(&raw)
            .map_err(|kind| format!("field `{}` is {kind}, not a string or number", fields.id))?,
        None => None,
    }
    .unwrap_or_else(|| format!("{source}:{}", origin.record));
    Ok(Document {
        id,
        text,
        metadata: parsed.metadata,
        extra: parsed.extra,
        annotations: parsed.thresh.unwrap_or_default(),
        origin,
        derived: Default::default(),
    })
}

/// Appends the output line of `doc` (with its trailing newline) to `out`.
pub fn write_record(out: &mut Vec<u8>, doc: &Document) {
    out.extend_from_slice(b"{\"id\":");
    write_json_string(out, &doc.id);
    out.extend_from_slice(b",\"text\":");
    write_json_string(out, &doc.text);
    out.extend_from_slice(b",\"metadata\":");
    match &doc.metadata {
        Some(raw) => out.extend_from_slice(raw.get().as_bytes()),
        None => out.extend_from_slice(b"{}"),
    }
    for (key, raw) in &doc.extra {
        out.push(b',');
        if RESERVED.contains(&key.as_str()) {
            write_json_string(out, &format!("input_{key}"));
        } else {
            write_json_string(out, key);
        }
        out.push(b':');
        out.extend_from_slice(raw.get().as_bytes());
    }
    out.extend_from_slice(b",\"thresh\":");
    serde_json::to_writer(&mut *out, &doc.annotations).expect("writing to a Vec cannot fail");
    out.extend_from_slice(b"}\n");
}

/// Writes `s` as a JSON string, escaped exactly as `serde_json` does, but skipping eight bytes
/// at a time while none of them needs escaping (most of a text).
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            // A byte below 0x20, a quote or a backslash somewhere in the eight?
            let control = w.wrapping_sub(0x20 * ONES) & !w & HIGHS != 0;
            if !control
                && !has_zero(w ^ (b'"' as u64 * ONES))
                && !has_zero(w ^ (b'\\' as u64 * ONES))
            {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.extend_from_slice(&bytes[start..i]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0xf) as usize]);
                }
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// `Ok(Some(id))` for a string or number, `Ok(None)` for null, `Err(kind)` otherwise.
fn id_from_raw(raw: &RawValue) -> Result<Option<String>, &'static str> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str(text)
            .map(Some)
            .map_err(|_| "a broken string"),
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.to_owned())),
        Some(b'n') => Ok(None),
        Some(b't' | b'f') => Err("a boolean"),
        Some(b'[') => Err("an array"),
        _ => Err("an object"),
    }
}

enum TextValue {
    Text(String),
    Other(&'static str),
}

#[derive(Default)]
struct Parsed {
    text: Option<TextValue>,
    id: Option<Box<RawValue>>,
    metadata: Option<Box<RawValue>>,
    thresh: Option<Map<String, Value>>,
    extra: Vec<(String, Box<RawValue>)>,
}

struct RecordSeed<'f> {
    fields: &'f FieldNames,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Parsed;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Parsed, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == self.fields.text.as_str() {
                parsed.text = Some(map.next_value_seed(TextSeed)?);
            } else if key == self.fields.id.as_str() {
                parsed.id = Some(map.next_value()?);
            } else if key == "metadata" {
                parsed.metadata = Some(map.next_value()?);
            } else if key == "thresh" {
                parsed.thresh = map.next_value::<Option<Map<String, Value>>>()?;
            } else {
                parsed.extra.push((key.into_owned(), map.next_value()?));
            }
        }
        Ok(parsed)
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// The text value: a string, or the kind of whatever else it is (for the error message).
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = TextValue;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<TextValue, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = TextValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextValue, E> {
        Ok(TextValue::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<TextValue, E> {
        Ok(TextValue::Text(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TextValue, E> {
        Ok(TextValue::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TextValue, E> {
        Ok(TextValue::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TextValue, E> {
        Ok(TextValue::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TextValue, E> {
        Ok(TextValue::Other("a number"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<TextValue, E> {
        Ok(TextValue::Other("null"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<TextValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TextValue::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(TextValue::Other("an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Document, String> {
        parse_record(
            line.as_bytes(),
            &FieldNames::default(),
            "data/a.jsonl",
            Origin { file: 0, record: 7 },
        )
    }

    #[test]
    fn round_trips_metadata_and_extra_fields_byte_for_byte() {
        let line = r#"{"id":"x1","text":"Hallo\nWelt","metadata":{"b": 1, "a" :[1.50,"é"]},"url":"https://e.org/?q=\u00e9"}"#;
        let doc = parse(line).unwrap();
        assert_eq!(doc.text, "Hallo\nWelt");
        let mut out = Vec::new();
        write_record(&mut out, &doc);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"x1\",\"text\":\"Hallo\\nWelt\",\"metadata\":{\"b\": 1, \"a\" :[1.50,\"é\"]},\"url\":\"https://e.org/?q=\\u00e9\",\"thresh\":{}}\n"
        );
    }

    #[test]
    fn missing_id_is_derived_from_file_and_line_and_numbers_are_ids() {
        assert_eq!(parse(r#"{"text":"t"}"#).unwrap().id, "data/a.jsonl:7");
        assert_eq!(parse(r#"{"text":"t","id":42}"#).unwrap().id, "42");
        assert_eq!(
            parse(r#"{"text":"t","id":null}"#).unwrap().id,
            "data/a.jsonl:7"
        );
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        assert_eq!(parse(r#"{"id":"a"}"#).unwrap_err(), "missing field `text`");
        assert_eq!(
            parse(r#"{"text":3}"#).unwrap_err(),
            "field `text` is a number, not a string"
        );
        assert_eq!(
            parse(r#"{"text":{"a":[1]}}"#).unwrap_err(),
            "field `text` is an object, not a string"
        );
        assert!(parse(r#"{"text":"a""#)
            .unwrap_err()
            .starts_with("invalid JSON"));
        assert!(parse(r#"[1,2]"#).unwrap_err().starts_with("invalid JSON"));
        assert!(parse(r#"{"text":"a"} trailing"#)
            .unwrap_err()
            .starts_with("invalid JSON"));
        let invalid_utf8 = b"{\"text\":\"\xff\xfe\"}";
        let err =
            parse_record(invalid_utf8, &FieldNames::default(), "f", Origin::default()).unwrap_err();
        assert!(err.contains("invalid"), "{err}");
    }

    #[test]
    fn custom_fields_and_collisions() {
        let fields = FieldNames {
            text: "content".into(),
            id: "doc_id".into(),
        };
        let line = br#"{"doc_id":"d","content":"body","text":"other"}"#;
        let doc = parse_record(line, &fields, "f", Origin::default()).unwrap();
        assert_eq!((doc.id.as_str(), doc.text.as_str()), ("d", "body"));
        let mut out = Vec::new();
        write_record(&mut out, &doc);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"d\",\"text\":\"body\",\"metadata\":{},\"input_text\":\"other\",\"thresh\":{}}\n"
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes — broken UTF-8, truncated JSON, deep nesting — give a document or an
        /// error message, never a panic; and what is written back parses as the same document.
        #[test]
        fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            match parse_record(&bytes, &FieldNames::default(), "f", Origin::default()) {
                Ok(doc) => {
                    let mut out = Vec::new();
                    write_record(&mut out, &doc);
                    proptest::prop_assert_eq!(out.last(), Some(&b'\n'));
                    let again = parse_record(&out[..out.len() - 1], &FieldNames::default(), "f", Origin::default())
                        .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("written back: {e}")))?;
                    proptest::prop_assert_eq!(&again.id, &doc.id);
                    proptest::prop_assert_eq!(&again.text, &doc.text);
                    proptest::prop_assert_eq!(again.metadata.map(|m| m.get().to_owned()), doc.metadata.map(|m| m.get().to_owned()));
                    proptest::prop_assert_eq!(again.extra.len(), doc.extra.len());
                }
                Err(message) => proptest::prop_assert!(!message.is_empty()),
            }
        }

        #[test]
        fn written_documents_read_back_identically(text in "\\PC{0,40}", id in "[a-z0-9:/._-]{1,12}", meta in "[a-z]{0,6}") {
            let line = serde_json::json!({"id": id, "text": text, "metadata": {"m": meta}}).to_string();
            let doc = parse_record(line.as_bytes(), &FieldNames::default(), "f", Origin::default()).unwrap();
            let mut out = Vec::new();
            write_record(&mut out, &doc);
            let again = parse_record(&out[..out.len() - 1], &FieldNames::default(), "f", Origin::default()).unwrap();
            proptest::prop_assert_eq!(again.text, text);
            proptest::prop_assert_eq!(again.id, id);
            let (m1, m2) = (again.metadata.unwrap(), doc.metadata.unwrap());
            proptest::prop_assert_eq!(m1.get(), m2.get());
        }

        #[test]
        fn strings_are_escaped_exactly_like_serde_json(s in "[a-z \"\\\\\n\t\r\u{0}-\u{1f}\u{7f}é日\u{2028}]{0,40}") {
            let mut out = Vec::new();
            write_json_string(&mut out, &s);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn earlier_annotations_are_read_back() {
        let doc = parse(r#"{"text":"t","thresh":{"lang":"de"}}"#).unwrap();
        assert_eq!(doc.lang(), Some("de"));
    }
}
