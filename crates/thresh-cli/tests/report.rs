//! `thresh report` on the bundled example's output: a self-contained HTML file with the funnel,
//! a histogram of every signal the annotate-mode step recorded, sampled documents per drop
//! reason, and nothing fetched from the network; then loaded in headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs; CI lists `browser` in `THRESH_REQUIRE`, so there the
//! browser test fails rather than skips without it): no console errors, the charts in the DOM,
//! and a screenshot that is not blank.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn example_report(dir: &Path) -> (PathBuf, String) {
    let out = dir.join("out");
    run_example("quickstart.toml", &out);
    run_ok(&["report", out.to_str().unwrap(), "--sample", "1000"]);
    let path = out.join("report.html");
    let html = std::fs::read_to_string(&path).unwrap();
    (path, html)
}

#[test]
fn the_bundled_example_reports_funnel_signals_and_samples_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, html) = example_report(tmp.path());
    let stats = stats(&tmp.path().join("out"));
    // The funnel: read, every step, kept, with the exact counts.
    assert!(html.contains("<h2 id=\"funnel\">Funnel</h2>"));
    assert!(html.contains(&format!("<td>read</td><td>{}</td>", stats["read"])));
    assert!(html.contains(&format!("<th>kept</th><th>{}</th>", stats["kept"])));
    for step in stats["steps"].as_array().unwrap() {
        assert!(html.contains(step["name"].as_str().unwrap()), "{step}");
    }
    // One histogram per numeric signal of the annotate-mode step (gopher_quality records ten).
    let doc = documents(&tmp.path().join("out/kept"))
        .into_iter()
        .next()
        .unwrap();
    let signals: Vec<&String> = doc["thresh"]["gopher_quality"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_number())
        .map(|(k, _)| k)
        .collect();
    assert_eq!(signals.len(), 10);
    for key in signals {
        assert!(
            html.contains(&format!("<h3>gopher_quality · {key}</h3><svg")),
            "{key}"
        );
    }
    assert!(html.contains("class=\"threshold\""));
    // Sampled documents for each drop reason of the run.
    for reason in [
        "length: min_words",
        "placeholder_pages: regex_match",
        "stuffing: sentence_paragraphs",
    ] {
        assert!(html.contains(&format!("<h3>{reason}</h3>")), "{reason}");
    }
    // Self-contained: no scripts, styles or images from anywhere.
    for needle in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(needle), "{needle}");
    }
    // `run --report` writes the same kind of file at the end of a run.
    let p = pipeline(
        tmp.path(),
        &[examples_dir().join("data").to_str().unwrap()],
        "[[step]]\ntype = \"length\"\nmin_words = 50",
        "",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q", "--overwrite", "--report"]);
    let again = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(again.contains("length: min_words"));
}

fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("THRESH_CHROMIUM").map(PathBuf::from);
    named
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

fn headless(browser: &Path, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            !required("browser"),
            "no chromium found, and THRESH_REQUIRE says the browser test must run"
        );
        eprintln!("skipped: no chromium (Debian's `chromium` package; set THRESH_CHROMIUM)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (path, _) = example_report(tmp.path());
    let url = format!("file://{}", path.display());
    let dom = headless(&browser, &["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(dom_text.matches("<svg").count() >= 12, "charts in the DOM");
    assert!(dom_text.matches("<rect").count() >= 50, "bars in the DOM");
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        !log.lines()
            .any(|l| l.contains("CONSOLE") || l.contains("Uncaught")),
        "console messages: {log}"
    );
    let shot = tmp.path().join("report.png");
    let o = headless(
        &browser,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let total = pixels.len() / channels;
    let ink = pixels
        .chunks(channels)
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    // Text, tables and coloured bars: a blank page would have next to none.
    assert!(
        ink * 100 > total * 3,
        "{ink} of {total} pixels are not near-white"
    );
    // The bars' colours are there (kept blue #3f7fd6, dropped orange #e0703a).
    let has = |rgb: [u8; 3]| pixels.chunks(channels).any(|p| p[..3] == rgb);
    assert!(
        has([0x3f, 0x7f, 0xd6]) && has([0xe0, 0x70, 0x3a]),
        "chart colours rendered"
    );
}
