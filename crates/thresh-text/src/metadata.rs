//! Reading a field of a document's input `metadata` (kept as raw JSON): one object level at a
//! time, without building the rest of the object.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::value::RawValue;

/// The raw JSON value at `path` (object keys, outermost first) in `metadata`, if every level
/// is an object holding the key.
pub fn raw_field<'m>(metadata: &'m str, path: &[&str]) -> Option<&'m RawValue> {
    let (first, rest) = path.split_first()?;
    let map: HashMap<Cow<str>, &RawValue> = serde_json::from_str(metadata).ok()?;
    let value = *map.get(*first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        raw_field(value.get(), rest)
    }
}

/// The string at `path` in `metadata`, unescaped; `None` when absent or not a string.
pub fn string_field<'m>(metadata: &'m str, path: &[&str]) -> Option<Cow<'m, str>> {
    raw_string(raw_field(metadata, path)?)
}

/// A raw JSON string value, unescaped; `None` for anything else.
pub fn raw_string(value: &RawValue) -> Option<Cow<'_, str>> {
    serde_json::from_str(value.get()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_flat_and_nested() {
        let m = r#"{"url": "https://e.org/a\u00e9", "warc": {"lang": {"code": "de"}}, "n": 3}"#;
        assert_eq!(
            string_field(m, &["url"]).as_deref(),
            Some("https://e.org/aé")
        );
        assert_eq!(
            string_field(m, &["warc", "lang", "code"]).as_deref(),
            Some("de")
        );
        assert_eq!(string_field(m, &["n"]), None);
        assert_eq!(string_field(m, &["warc", "missing"]), None);
        assert_eq!(raw_field(m, &["n"]).map(RawValue::get), Some("3"));
        assert_eq!(string_field("not json", &["url"]), None);
        assert_eq!(string_field(m, &[]), None);
    }
}
