//! `metadata_language`: take the document's language from a field of its input metadata
//! (`thresh.lang`), for corpora that already carry one (FineWeb-2 and many others do), so the
//! language-aware steps that follow use that language's segmentation, stop words and
//! thresholds.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

/// Parameters of `metadata_language`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetadataLanguageParams {
    /// The field of `metadata` holding the language code; dots walk into nested objects
    /// (`"lid.language"`).
    pub field: String,
    /// Replace a `thresh.lang` the document already has (from an earlier step or run).
    pub overwrite: bool,
}

impl Default for MetadataLanguageParams {
    fn default() -> Self {
        MetadataLanguageParams {
            field: "language".into(),
            overwrite: false,
        }
    }
}

/// The `metadata_language` step.
pub struct MetadataLanguage {
    params: MetadataLanguageParams,
}

impl MetadataLanguage {
    /// A step with the given parameters.
    pub fn new(params: MetadataLanguageParams) -> Self {
        MetadataLanguage { params }
    }

    fn lookup(&self, metadata: &str) -> Option<String> {
        let path: Vec<&str> = self.params.field.split('.').collect();
        let code = crate::metadata::string_field(metadata, &path)?;
        let code = code.trim();
        (!code.is_empty()).then(|| code.to_owned())
    }
}

impl Step for MetadataLanguage {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        if doc.lang().is_some() && !self.params.overwrite {
            return Verdict::Keep;
        }
        let found = doc.metadata.as_ref().and_then(|m| self.lookup(m.get()));
        cx.signal(doc, "found", found.is_some());
        if let Some(code) = found {
            doc.annotations.insert("lang".into(), code.into());
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    fn run(params: MetadataLanguageParams, metadata: &str, lang: Option<&str>) -> Option<String> {
        let mut doc = Document::new("d", "text");
        doc.metadata = Some(RawValue::from_string(metadata.to_owned()).unwrap());
        if let Some(lang) = lang {
            doc.annotations.insert("lang".into(), lang.into());
        }
        let cx = StepCx {
            name: "m".into(),
            record_signals: false,
        };
        MetadataLanguage::new(params).process(&mut doc, &cx);
        doc.lang().map(str::to_owned)
    }

    #[test]
    fn reads_flat_and_nested_fields() {
        assert_eq!(
            run(Default::default(), r#"{"language":"de"}"#, None).as_deref(),
            Some("de")
        );
        let nested = MetadataLanguageParams {
            field: "lid.code".into(),
            ..Default::default()
        };
        assert_eq!(
            run(nested, r#"{"lid":{"code":"fra"}}"#, None).as_deref(),
            Some("fra")
        );
        assert_eq!(run(Default::default(), r#"{"language":3}"#, None), None);
        assert_eq!(run(Default::default(), r#"{}"#, None), None);
    }

    #[test]
    fn an_existing_language_wins_unless_overwrite() {
        assert_eq!(
            run(Default::default(), r#"{"language":"de"}"#, Some("en")).as_deref(),
            Some("en")
        );
        let over = MetadataLanguageParams {
            overwrite: true,
            ..Default::default()
        };
        assert_eq!(
            run(over, r#"{"language":"de"}"#, Some("en")).as_deref(),
            Some("de")
        );
    }
}
