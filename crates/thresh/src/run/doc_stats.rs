//! `doc_stats` steps' per-document statistics (their `thresh.<name>` annotations) added into
//! `stats.json`, grouped as datatrove's stats blocks group them: `summary`; `histogram` (the
//! value rounded to three digits, counting documents, their characters — `stat__chars` — and,
//! when counted, their tokens — `stat__tokens`); `fqdn` and `suffix` of the document's URL
//! (`url` or `metadata.url`, split as tldextract splits it). A document is counted once, when
//! its outcome is final (kept by the last pass, or dropped).

use serde_json::Value;
use thresh_core::{Document, StatGroups, Stats};
use thresh_text::domain::SuffixList;

/// Python's `str(round(v, 3))`: integers as integers, other numbers with at least one decimal.
fn histogram_key(value: &Value) -> Option<String> {
    if let Some(i) = value.as_i64() {
        return Some(i.to_string());
    }
    let v = value.as_f64()?;
    let rounded = (v * 1000.0).round() / 1000.0;
    let text = format!("{rounded}");
    Some(if text.contains(['.', 'e', 'i', 'N']) {
        text
    } else {
        format!("{text}.0")
    })
}

/// The document's URL: its top-level `url`, else `metadata.url`.
fn url(doc: &Document) -> Option<String> {
    let top = doc
        .extra
        .iter()
        .find(|(k, _)| k == "url")
        .and_then(|(_, v)| thresh_text::metadata::raw_string(v));
    let url = top.or_else(|| {
        doc.metadata
            .as_deref()
            .and_then(|m| thresh_text::metadata::string_field(m.get(), &["url"]))
    })?;
    (!url.is_empty()).then(|| url.into_owned())
}

/// Adds `value` at `groups[group][stat][key]`, allocating names only for new entries.
fn add(groups: &mut StatGroups, group: &str, stat: &str, key: &str, value: f64) {
    let stats = match groups.get_mut(group) {
        Some(stats) => stats,
        None => groups.entry(group.to_owned()).or_default(),
    };
    let keys = match stats.get_mut(stat) {
        Some(keys) => keys,
        None => stats.entry(stat.to_owned()).or_default(),
    };
    match keys.get_mut(key) {
        Some(metric) => metric.add(value),
        None => keys.entry(key.to_owned()).or_default().add(value),
    }
}

/// Adds `doc`'s statistics from each of the `doc_stats` steps named `steps` into `stats`.
pub(super) fn aggregate(doc: &Document, steps: &[String], stats: &mut Stats) {
    let mut hosts: Option<Option<(String, String)>> = None;
    for step in steps {
        let Some(Value::Object(values)) = doc.annotations.get(step) else {
            continue;
        };
        let hosts = hosts.get_or_insert_with(|| {
            let parts = SuffixList::icann().parts(&url(doc)?);
            let suffix = parts
                .registered_domain
                .split_once('.')
                .map_or(String::new(), |(_, s)| s.to_owned());
            (!parts.fqdn.is_empty()).then_some((parts.fqdn, suffix))
        });
        let chars = values
            .get("length")
            .and_then(Value::as_f64)
            .unwrap_or_else(|| doc.text.chars().count() as f64);
        let tokens = doc.annotations.get("tokens").and_then(Value::as_f64);
        let groups = stats.doc_stats.entry(step.clone()).or_default();
        let mut suffixed = String::new();
        for (stat, value) in values {
            let Some(v) = value.as_f64() else {
                continue;
            };
            add(groups, "summary", stat, "summary", v);
            if let Some(key) = histogram_key(value) {
                add(groups, "histogram", stat, &key, 1.0);
                for (suffix, v) in [("__chars", Some(chars)), ("__tokens", tokens)] {
                    if let Some(v) = v {
                        suffixed.clear();
                        suffixed.push_str(stat);
                        suffixed.push_str(suffix);
                        add(groups, "histogram", &suffixed, &key, v);
                    }
                }
            }
            if let Some((fqdn, suffix)) = hosts {
                add(groups, "fqdn", stat, fqdn, v);
                add(groups, "suffix", stat, suffix, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_keys_as_python_writes_them() {
        assert_eq!(histogram_key(&serde_json::json!(12)).unwrap(), "12");
        assert_eq!(histogram_key(&serde_json::json!(5.0)).unwrap(), "5.0");
        assert_eq!(histogram_key(&serde_json::json!(0.12345)).unwrap(), "0.123");
        assert_eq!(histogram_key(&serde_json::json!("x")), None);
    }

    #[test]
    fn groups_by_summary_histogram_host_and_suffix() {
        let mut doc = Document::new("d", "abc");
        doc.metadata = Some(
            serde_json::value::RawValue::from_string(
                r#"{"url":"https://news.example.co.uk/a"}"#.into(),
            )
            .unwrap(),
        );
        doc.annotations.insert(
            "ds".into(),
            serde_json::json!({"length": 3, "digit_ratio": 0.5}),
        );
        let mut stats = Stats::default();
        aggregate(&doc, &["ds".to_owned()], &mut stats);
        aggregate(&doc, &["ds".to_owned()], &mut stats);
        let g = &stats.doc_stats["ds"];
        assert_eq!(g["summary"]["length"]["summary"].n, 2);
        assert_eq!(g["summary"]["digit_ratio"]["summary"].mean, 0.5);
        assert_eq!(g["histogram"]["digit_ratio"]["0.5"].total, 2.0);
        assert_eq!(g["histogram"]["digit_ratio__chars"]["0.5"].total, 6.0);
        assert_eq!(g["fqdn"]["length"]["news.example.co.uk"].n, 2);
        assert_eq!(g["suffix"]["length"]["co.uk"].total, 6.0);
    }
}
