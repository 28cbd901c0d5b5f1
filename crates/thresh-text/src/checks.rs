//! [`Checks`]: the threshold checks of a quality step, in order, with their signals.
//!
//! In filter mode the first failing check ends the step (later signals are not computed);
//! in annotate mode every check runs and every signal is recorded. A failing check's drop
//! reason is `<name> <value> <op> <limit>`, e.g. `dup_line_frac 0.412 > 0.3`.

use thresh_core::{Document, StepCx, Verdict};

/// Collects check results for one document.
pub struct Checks {
    record: bool,
    signals: Vec<(String, serde_json::Value)>,
    limits: serde_json::Map<String, serde_json::Value>,
    verdict: Option<Verdict>,
}

impl Checks {
    /// Checks for one document; `record` keeps every signal (annotate mode).
    pub fn new(record: bool) -> Self {
        Checks {
            record,
            signals: Vec::new(),
            limits: serde_json::Map::new(),
            verdict: None,
        }
    }

    /// Fails when `value > limit` (a zero limit disables the check, as in datatrove). Returns
    /// true when the step should stop now.
    pub fn check(&mut self, name: &str, value: f64, limit: f64) -> bool {
        let failed = limit != 0.0 && value > limit;
        self.limit(name, format!("> {limit}"), limit);
        self.outcome(name, value.into(), failed, || {
            format!("{name} {} > {limit}", number(value))
        })
    }

    /// [`Checks::check`] for a fraction (a value in 0–1): a limit of 1 or more can never be
    /// exceeded (FineWeb-2 switches checks off with 999) and is recorded as `off`.
    pub fn check_fraction(&mut self, name: &str, value: f64, limit: f64) -> bool {
        let failed = limit != 0.0 && value > limit;
        let off = if limit >= 1.0 { 0.0 } else { limit };
        self.limit(name, format!("> {limit}"), off);
        self.outcome(name, value.into(), failed, || {
            format!("{name} {} > {limit}", number(value))
        })
    }

    /// Fails when `value < limit` (a zero limit disables the check). Returns true when the
    /// step should stop now.
    pub fn check_min(&mut self, name: &str, value: f64, limit: f64) -> bool {
        let failed = limit != 0.0 && value < limit;
        self.limit(name, format!("< {limit}"), limit);
        self.outcome(name, value.into(), failed, || {
            format!("{name} {} < {limit}", number(value))
        })
    }

    /// Records (in annotate mode) the condition under which a check fails, e.g. `> 0.3`, under
    /// `thresh.<step>.limits.<name>`; a disabled check is recorded as `off`.
    fn limit(&mut self, name: &str, condition: String, limit: f64) {
        if self.record {
            let text = if limit == 0.0 {
                "off".to_owned()
            } else {
                condition
            };
            self.limits.insert(name.to_owned(), text.into());
        }
    }

    /// Records a signal that is not a threshold check.
    pub fn signal(&mut self, name: &str, value: impl Into<serde_json::Value>) {
        if self.record {
            self.signals.push((name.to_owned(), value.into()));
        }
    }

    /// Fails with `reason` when `failed`. Returns true when the step should stop now.
    pub fn fail_if(&mut self, failed: bool, reason: impl FnOnce() -> String) -> bool {
        if failed && self.verdict.is_none() {
            self.verdict = Some(Verdict::drop(reason()));
        }
        self.verdict.is_some() && !self.record
    }

    fn outcome(
        &mut self,
        name: &str,
        value: serde_json::Value,
        failed: bool,
        reason: impl FnOnce() -> String,
    ) -> bool {
        self.signal(name, value);
        self.fail_if(failed, reason)
    }

    /// Writes the recorded signals under `thresh.<step>` and returns the verdict.
    pub fn finish(self, doc: &mut Document, cx: &StepCx) -> Verdict {
        for (name, value) in self.signals {
            cx.signal(doc, &name, value);
        }
        if !self.limits.is_empty() {
            cx.signal(doc, "limits", serde_json::Value::Object(self.limits));
        }
        self.verdict.unwrap_or(Verdict::Keep)
    }
}

/// A value for a reason: whole numbers as integers, others with three decimals.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_failure_decides_and_stops_in_filter_mode() {
        let mut c = Checks::new(false);
        assert!(!c.check("a", 0.1, 0.3));
        assert!(!c.check("zero_limit_disables", 5.0, 0.0));
        assert!(c.check("b", 0.5, 0.3));
        let cx = StepCx {
            name: "s".into(),
            record_signals: false,
        };
        let mut doc = Document::new("d", "");
        assert_eq!(c.finish(&mut doc, &cx), Verdict::drop("b 0.500 > 0.3"));
        assert!(doc.annotations.is_empty());
    }

    #[test]
    fn annotate_mode_runs_everything_and_keeps_the_first_reason() {
        let mut c = Checks::new(true);
        assert!(!c.check_min("words", 10.0, 50.0));
        assert!(!c.check("ratio", 0.9, 0.3));
        let cx = StepCx {
            name: "s".into(),
            record_signals: true,
        };
        let mut doc = Document::new("d", "");
        assert_eq!(c.finish(&mut doc, &cx), Verdict::drop("words 10 < 50"));
        assert_eq!(doc.annotations["s"]["ratio"], 0.9);
    }

    #[test]
    fn disabled_limits_are_recorded_as_off() {
        let mut c = Checks::new(true);
        c.check("zero", 0.5, 0.0);
        c.check("plain", 0.5, 0.3);
        c.check_fraction("fraction_off", 0.5, 999.0);
        c.check_fraction("fraction_on", 0.2, 0.67);
        let cx = StepCx {
            name: "s".into(),
            record_signals: true,
        };
        let mut doc = Document::new("d", "");
        c.finish(&mut doc, &cx);
        let limits = &doc.annotations["s"]["limits"];
        assert_eq!(limits["zero"], "off");
        assert_eq!(limits["plain"], "> 0.3");
        assert_eq!(limits["fraction_off"], "off");
        assert_eq!(limits["fraction_on"], "> 0.67");
    }
}
