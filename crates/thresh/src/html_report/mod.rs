//! `thresh report`: one self-contained HTML file about an output directory — the funnel from
//! read to kept, each signal's distribution with its threshold, languages, domains, lengths,
//! deduplication, sampled documents per drop reason, and errors. Exact counts come from
//! `stats.json`; distributions from a bounded sample of the shards, labelled as such. No
//! scripts, styles or images are fetched: everything is inline, charts are SVG.

mod collect;
pub mod svg;

use std::fmt::Write as _;
use std::path::Path;

use collect::{Collected, Coverage, Signal};
use svg::{bars, esc, histogram, short};

/// Documents sampled from each of `kept/` and `dropped/` by default.
pub const DEFAULT_SAMPLE: u64 = 100_000;

/// What a written report covers.
#[derive(Clone, Debug)]
pub struct ReportSummary {
    /// Documents sampled (kept, dropped).
    pub sampled: (u64, u64),
    /// Histograms drawn.
    pub histograms: usize,
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;color:#1d2330;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #dfe3ea;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #e6e9ef;text-align:right}
th{background:#f4f6f9}td:first-child,th:first-child{text-align:left}
.note{color:#5b6475;font-size:.92em}.grid{display:flex;flex-wrap:wrap;gap:1.2em}
.card{border:1px solid #e1e5ec;border-radius:6px;padding:.6em .8em;background:#fff}
svg.chart .kept{fill:#3f7fd6}svg.chart .dropped{fill:#e0703a}svg.chart .axis{stroke:#8a93a3}
svg.chart .threshold{stroke:#1d2330;stroke-width:2;stroke-dasharray:4 3}svg.chart .tick{font-size:11px;fill:#4a5263}
.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em;vertical-align:middle}
pre{white-space:pre-wrap;background:#f6f7f9;padding:.5em;border-radius:4px;font-size:.9em;max-height:9em;overflow:hidden}
@media print{body{margin:0;max-width:none}.card{break-inside:avoid}h2{break-after:avoid}}
"#;

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn sampled_note(c: &Coverage, what: &str) -> String {
    if c.files_read == c.files {
        format!(
            "{what}: all {} shards read ({} documents)",
            c.files, c.documents
        )
    } else {
        format!(
            "{what}: sampled — {} documents from {} of {} shards",
            c.documents, c.files_read, c.files
        )
    }
}

/// Whether a value passes a limit stated as `op threshold` (the step drops when it holds).
fn passes(v: f64, op: &str, t: f64) -> bool {
    !match op {
        "<" => v < t,
        "<=" => v <= t,
        ">" => v > t,
        ">=" => v >= t,
        _ => false,
    }
}

fn funnel(out: &mut String, c: &Collected) {
    let s = &c.stats.stats;
    let _ = write!(
        out,
        "<h2 id=\"funnel\">Funnel</h2><table><tr><th>stage</th><th>documents</th><th>share of read</th><th>characters</th></tr>\
         <tr><td>read</td><td>{}</td><td>100%</td><td>{}</td></tr>",
        s.read, s.chars_in
    );
    if s.errored > 0 {
        let _ = write!(
            out,
            "<tr><td>errored (unreadable)</td><td>{}</td><td>{}</td><td></td></tr>",
            s.errored,
            pct(s.errored, s.read)
        );
    }
    for step in &s.steps {
        let (count, share) = if step.dropped > 0 {
            (format!("−{}", step.dropped), pct(step.dropped, s.read))
        } else if step.flagged > 0 {
            (
                format!("{} flagged", step.flagged),
                pct(step.flagged, s.read),
            )
        } else {
            ("–".to_owned(), String::new())
        };
        let _ = write!(
            out,
            "<tr><td>{} <span class=\"note\">({})</span></td><td>{count}</td><td>{share}</td><td>{}</td></tr>",
            esc(&step.name),
            esc(&step.ty),
            if step.chars_removed != 0 { format!("−{} changed in place", step.chars_removed) } else { String::new() }
        );
        for (reason, n) in &step.reasons {
            let what = if step.flagged > 0 && step.dropped == 0 {
                "flagged"
            } else {
                "dropped"
            };
            let _ = write!(out, "<tr><td>&nbsp;&nbsp;↳ {} <span class=\"note\">{what}</span></td><td>{n}</td><td>{}</td><td></td></tr>", esc(reason), pct(*n, s.read));
        }
    }
    let _ = write!(
        out,
        "<tr><th>kept</th><th>{}</th><th>{}</th><th>{}</th></tr></table>",
        s.kept,
        pct(s.kept, s.read),
        s.chars_out
    );
    let rows: Vec<(String, u64)> = s
        .steps
        .iter()
        .filter(|st| st.dropped > 0)
        .map(|st| (st.name.clone(), st.dropped))
        .collect();
    if !rows.is_empty() {
        let _ = write!(
            out,
            "<div class=\"card\"><h3>Drops by step</h3>{}</div>",
            bars(&rows, "dropped")
        );
    }
    if !s.kept_tokens.is_empty() {
        out.push_str("<h3>Tokens kept</h3><table><tr><th>partition</th><th>tokens</th></tr>");
        for (p, n) in &s.kept_tokens {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{n}</td></tr>",
                esc(if p.is_empty() { "all" } else { p })
            );
        }
        out.push_str("</table>");
    }
}

fn signal_card(out: &mut String, step: &str, key: &str, signal: &Signal, everyone: bool) -> bool {
    if signal.kept.is_empty() && signal.dropped.is_empty() {
        return false;
    }
    let threshold = signal.limit.as_ref().map(|(_, t)| *t);
    let _ = write!(
        out,
        "<div class=\"card\"><h3>{} · {}</h3>{}",
        esc(step),
        esc(key),
        histogram(
            &format!("{step}.{key}"),
            &signal.kept,
            &signal.dropped,
            threshold
        )
    );
    if let Some((op, t)) = &signal.limit {
        let _ = write!(
            out,
            "<div class=\"note\">dropped when {} {} {}</div>",
            esc(key),
            esc(op),
            short(*t)
        );
        if everyone && *t != 0.0 {
            let all: Vec<f64> = signal.kept.iter().chain(&signal.dropped).copied().collect();
            out.push_str("<table><tr><th>threshold</th><th>would keep (by this signal)</th></tr>");
            for f in [0.5, 0.75, 1.0, 1.25, 1.5] {
                let alt = t * f;
                let n = all.iter().filter(|&&v| passes(v, op, alt)).count() as u64;
                let _ = write!(
                    out,
                    "<tr><td>{}{}</td><td>{} ({})</td></tr>",
                    short(alt),
                    if f == 1.0 { " (in force)" } else { "" },
                    n,
                    pct(n, all.len() as u64)
                );
            }
            out.push_str("</table>");
        }
    }
    out.push_str("</div>");
    true
}

fn signals(out: &mut String, c: &Collected) -> usize {
    let mut drawn = 0;
    out.push_str("<h2 id=\"signals\">Signals</h2><p class=\"note\">Each step that recorded its signals (annotate mode) — <span class=\"legend\"><span style=\"background:#3f7fd6\"></span>let through<span style=\"background:#e0703a\"></span>dropped or flagged by the step</span>; the dashed line is the threshold in force. Sampled.</p>");
    let reached_by_all = |name: &str| {
        c.stats
            .stats
            .steps
            .iter()
            .find(|s| s.name == name)
            .is_some_and(|s| s.seen + c.stats.stats.errored == c.stats.stats.read)
    };
    for (step, sigs) in &c.signals {
        let shown: Vec<_> = sigs
            .iter()
            .filter(|(k, _)| k.as_str() != "would_drop")
            .collect();
        if shown.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>Step {}</h3><div class=\"grid\">", esc(step));
        for (key, signal) in shown {
            if signal_card(out, step, key, signal, reached_by_all(step)) {
                drawn += 1;
            }
        }
        out.push_str("</div>");
    }
    if drawn == 0 {
        out.push_str("<p class=\"note\">No step recorded signals: run steps with <code>mode = \"annotate\"</code> to see their distributions.</p>");
    }
    drawn
}

fn top(map: &std::collections::HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(n);
    rows
}

fn corpus(out: &mut String, c: &Collected) -> usize {
    let mut drawn = 0;
    out.push_str("<h2 id=\"languages\">Languages</h2><table><tr><th>language</th><th>documents (sampled)</th><th>characters (sampled)</th><th>tokens kept</th></tr>");
    for (lang, (docs, chars)) in &c.languages {
        let tokens = c
            .stats
            .stats
            .kept_tokens
            .get(lang)
            .map_or(String::new(), |n| n.to_string());
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{docs}</td><td>{chars}</td><td>{tokens}</td></tr>",
            esc(lang)
        );
    }
    out.push_str("</table>");
    if !c.lang_scores.is_empty() {
        let _ = write!(
            out,
            "<div class=\"card\"><h3>Language scores</h3>{}</div>",
            histogram("language scores", &c.lang_scores, &[], None)
        );
        drawn += 1;
    }
    out.push_str("<h2 id=\"domains\">Domains</h2><div class=\"grid\">");
    for (title, map, class) in [
        ("Top domains kept", &c.domains_kept, "kept"),
        ("Top domains dropped", &c.domains_dropped, "dropped"),
    ] {
        if map.is_empty() {
            let _ = write!(out, "<div class=\"card\"><h3>{title}</h3><p class=\"note\">no URLs in the sampled documents</p></div>");
        } else {
            let _ = write!(
                out,
                "<div class=\"card\"><h3>{title} (sampled)</h3>{}</div>",
                bars(&top(map, 15), class)
            );
        }
    }
    out.push_str("</div><h2 id=\"lengths\">Document lengths</h2><div class=\"grid\">");
    let _ = write!(
        out,
        "<div class=\"card\"><h3>Characters, all sampled documents</h3>{}</div>",
        histogram("characters", &c.length_kept, &c.length_dropped, None)
    );
    let _ = write!(
        out,
        "<div class=\"card\"><h3>Characters, kept</h3>{}</div></div>",
        histogram("characters kept", &c.length_kept, &[], None)
    );
    drawn + 2
}

fn dedup(out: &mut String, c: &Collected) {
    if c.stats.barriers.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"dedup\">Deduplication</h2><div class=\"grid\">");
    for (name, summary) in &c.stats.barriers {
        let _ = write!(out, "<div class=\"card\"><h3>{}</h3><table>", esc(name));
        if let serde_json::Value::Object(map) = summary {
            for (k, v) in map {
                if let Some(n) = v.as_u64() {
                    let _ = write!(out, "<tr><td>{}</td><td>{n}</td></tr>", esc(k));
                }
            }
        }
        out.push_str("</table>");
        if let Some(serde_json::Value::Object(sizes)) = summary.get("cluster_sizes") {
            let rows: Vec<(String, u64)> = sizes
                .iter()
                .map(|(k, v)| (format!("size {k}"), v.as_u64().unwrap_or(0)))
                .collect();
            let _ = write!(out, "<h3>Clusters by size</h3>{}", bars(&rows, "kept"));
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
}

fn doc_stats(out: &mut String, c: &Collected) {
    for (step, groups) in &c.stats.stats.doc_stats {
        let Some(summary) = groups.get("summary") else {
            continue;
        };
        let _ = write!(
            out,
            "<h2 id=\"doc-stats\">Document statistics ({})</h2><p class=\"note\">Every document that reached the step (exact, from stats.json).</p><table><tr><th>statistic</th><th>documents</th><th>mean</th><th>std. dev.</th><th>min</th><th>max</th></tr>",
            esc(step)
        );
        for (stat, keys) in summary {
            if let Some(m) = keys.get("summary") {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(stat),
                    m.n,
                    short(m.mean),
                    short(m.variance().sqrt()),
                    short(m.min),
                    short(m.max)
                );
            }
        }
        out.push_str("</table>");
    }
}

fn examples(out: &mut String, c: &Collected) {
    out.push_str("<h2 id=\"examples\">What each drop reason removes</h2>");
    if c.examples.is_empty() {
        out.push_str("<p class=\"note\">No dropped documents were sampled (is <code>write_dropped</code> off?).</p>");
    }
    for (reason, docs) in &c.examples {
        let _ = write!(out, "<h3>{}</h3><div class=\"grid\">", esc(reason));
        for d in docs {
            let _ = write!(out, "<div class=\"card\" style=\"max-width:540px\"><div><b>{}</b> <span class=\"note\">{}</span></div><pre>{}</pre></div>", esc(&d.id), esc(&d.reason), esc(&d.head));
        }
        out.push_str("</div>");
    }
}

fn errors(out: &mut String, c: &Collected) {
    out.push_str("<h2 id=\"errors\">Errors</h2>");
    if c.errors_by_kind.is_empty() {
        let _ = write!(
            out,
            "<p>No unreadable records ({} errored in stats.json).</p>",
            c.stats.stats.errored
        );
        return;
    }
    out.push_str("<div class=\"grid\"><div class=\"card\"><h3>By kind</h3><table>");
    for (k, n) in &c.errors_by_kind {
        let _ = write!(out, "<tr><td>{}</td><td>{n}</td></tr>", esc(k));
    }
    out.push_str("</table></div><div class=\"card\"><h3>By file</h3><table>");
    for (f, n) in &c.errors_by_file {
        let _ = write!(out, "<tr><td>{}</td><td>{n}</td></tr>", esc(f));
    }
    out.push_str("</table></div></div>");
}

/// Writes the report of the output directory `output` to `dest`, sampling at most `sample`
/// documents each from `kept/` and `dropped/`; `progress` hears of each shard read.
pub fn write(
    output: &Path,
    dest: &Path,
    sample: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ReportSummary, String> {
    let c = Collected::read(output, sample.max(1), progress)?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>thresh report</h1><p class=\"note\">{} · exact counts from stats.json; distributions from the documents read<br>{}<br>{}{}</p>\
         <p><a href=\"#funnel\">funnel</a> · <a href=\"#signals\">signals</a> · <a href=\"#languages\">languages</a> · <a href=\"#domains\">domains</a> · <a href=\"#lengths\">lengths</a> · <a href=\"#examples\">drop reasons</a> · <a href=\"#errors\">errors</a></p>",
        esc(&output.display().to_string()),
        esc(&sampled_note(&c.kept, "kept")),
        esc(&sampled_note(&c.dropped, "dropped")),
        if c.unreadable > 0 { format!("<br>{} token-shard files are not documents and were not read", c.unreadable) } else { String::new() }
    );
    funnel(&mut body, &c);
    let mut histograms = signals(&mut body, &c);
    histograms += corpus(&mut body, &c);
    dedup(&mut body, &c);
    doc_stats(&mut body, &c);
    examples(&mut body, &c);
    errors(&mut body, &c);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>thresh report</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    );
    thresh_io::store::atomic::write_atomic(dest, html.as_bytes())
        .map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(ReportSummary {
        sampled: (c.kept.documents, c.dropped.documents),
        histograms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_drop_conditions() {
        assert!(!passes(10.0, "<", 50.0));
        assert!(passes(50.0, "<", 50.0));
        assert!(!passes(0.4, ">", 0.3));
        assert!(passes(0.3, ">", 0.3));
    }
}
