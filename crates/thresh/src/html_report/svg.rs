//! Charts as inline SVG: histograms of kept and dropped values with the threshold drawn on
//! them, and horizontal bars. Hand-written (a few rectangles and labels need no library).

use std::fmt::Write as _;

/// Escapes text for HTML and SVG.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as a short label: `1234567` → `1.23M`, `0.125` → `0.125`.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Counts of `kept` and `dropped` values in `bins` equal bins between their minimum and
/// maximum (the 99.5th percentile when a long tail would flatten the rest): the bin edges and
/// the two count vectors.
pub fn bin(kept: &[f64], dropped: &[f64], bins: usize) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let mut all: Vec<f64> = kept
        .iter()
        .chain(dropped)
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if all.is_empty() {
        return (vec![0.0, 1.0], vec![0], vec![0]);
    }
    all.sort_by(f64::total_cmp);
    let lo = all[0];
    let max = all[all.len() - 1];
    let p995 = all[((all.len() - 1) as f64 * 0.995) as usize];
    let hi = if max > lo && p995 > lo && (max - lo) > 4.0 * (p995 - lo) {
        p995
    } else {
        max
    };
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let edges: Vec<f64> = (0..=bins).map(|i| lo + width * i as f64).collect();
    let count = |values: &[f64]| {
        let mut c = vec![0u64; bins];
        for v in values.iter().filter(|v| v.is_finite()) {
            let i = (((v - lo) / width) as usize).min(bins - 1);
            c[i] += 1;
        }
        c
    };
    (edges, count(kept), count(dropped))
}

/// A stacked histogram (kept below, dropped above) with an optional threshold line.
pub fn histogram(title: &str, kept: &[f64], dropped: &[f64], threshold: Option<f64>) -> String {
    const W: f64 = 520.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    let bins = 40;
    let (edges, k, d) = bin(kept, dropped, bins);
    let top = k
        .iter()
        .zip(&d)
        .map(|(a, b)| a + b)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - BOTTOM - 18.0;
    let bar_w = plot_w / bins as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {H}" width="{W}" height="{H}"><title>{}</title>"#,
        esc(title)
    );
    let _ = write!(
        s,
        r#"<line x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" class="axis"/>"#,
        y = H - BOTTOM,
        x2 = W - 8.0
    );
    for i in 0..bins {
        let x = LEFT + bar_w * i as f64;
        let hk = plot_h * k[i] as f64 / top;
        let hd = plot_h * d[i] as f64 / top;
        let base = H - BOTTOM;
        if k[i] > 0 {
            let _ = write!(
                s,
                r#"<rect class="kept" x="{x:.1}" y="{:.1}" width="{:.1}" height="{hk:.1}"><title>{}–{}: {} kept</title></rect>"#,
                base - hk,
                (bar_w - 1.0).max(0.5),
                short(edges[i]),
                short(edges[i + 1]),
                k[i]
            );
        }
        if d[i] > 0 {
            let _ = write!(
                s,
                r#"<rect class="dropped" x="{x:.1}" y="{:.1}" width="{:.1}" height="{hd:.1}"><title>{}–{}: {} dropped</title></rect>"#,
                base - hk - hd,
                (bar_w - 1.0).max(0.5),
                short(edges[i]),
                short(edges[i + 1]),
                d[i]
            );
        }
    }
    let (lo, hi) = (edges[0], edges[bins]);
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text><text x="{}" y="12" class="tick" text-anchor="end">{} docs</text>"#,
        H - 10.0,
        short(lo),
        W - 8.0,
        H - 10.0,
        short(hi),
        LEFT - 4.0,
        top as u64
    );
    if let Some(t) = threshold.filter(|t| t.is_finite()) {
        let x = if hi > lo {
            LEFT + plot_w * ((t - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            LEFT
        };
        // The label on the side of the line with room for it.
        let (label_x, anchor) = if x > W - 100.0 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = write!(
            s,
            r#"<line class="threshold" x1="{x:.1}" y1="14" x2="{x:.1}" y2="{}"/><text x="{label_x:.1}" y="24" class="tick threshold-label" text-anchor="{anchor}">threshold {}</text>"#,
            H - BOTTOM,
            short(t)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars: one row per (label, value), scaled to the largest.
pub fn bars(rows: &[(String, u64)], class: &str) -> String {
    const W: f64 = 520.0;
    let row_h = 18.0;
    let h = row_h * rows.len().max(1) as f64 + 4.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {h}" width="{W}" height="{h}">"#
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = row_h * i as f64 + 2.0;
        let w = (W - 260.0) * *value as f64 / max;
        let _ = write!(
            s,
            r#"<text x="196" y="{:.1}" class="tick" text-anchor="end">{}</text><rect class="{class}" x="200" y="{y:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            y + 12.0,
            esc(&truncate(label, 34)),
            w.max(1.0),
            row_h - 4.0,
            204.0 + w,
            y + 12.0,
            value
        );
    }
    s.push_str("</svg>");
    s
}

/// `text` cut to `n` characters, with an ellipsis.
pub fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_hand() {
        let (edges, k, d) = bin(&[0.0, 1.0, 2.0], &[3.0, 4.0], 4);
        assert_eq!(edges, [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(k, [1, 1, 1, 0]);
        // The maximum falls in the last bin.
        assert_eq!(d, [0, 0, 0, 2]);
    }

    #[test]
    fn charts_escape_and_draw_the_threshold() {
        let svg = histogram("a<b", &[1.0, 2.0], &[5.0], Some(3.0));
        assert!(svg.contains("a&lt;b") && svg.contains("class=\"threshold\""));
        assert_eq!(svg.matches("class=\"kept\"").count(), 2);
        assert_eq!(svg.matches("class=\"dropped\"").count(), 1);
        assert!(bars(&[("x&y".into(), 3)], "kept").contains("x&amp;y"));
        assert_eq!(short(1_234_567.0), "1.23M");
        assert_eq!(short(0.125), "0.125");
    }
}
