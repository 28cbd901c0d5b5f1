//! `html_extract` driven through the real binary: WARC input to JSONL in one pipeline, saved
//! pages, the bundled example, and the shared WARC files when ../shared is present.

mod common;

use std::fs;

use common::*;

const PAGE: &str = "<html lang=en><head><title>Ferry back | Gazette</title>\
    <meta property=\"og:title\" content=\"Ferry back in service\"></head><body>\
    <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
    <div class=entry-content><p>The passenger ferry between Eastport and Millbrook Island resumed \
    its timetable on Monday after three months in dry dock, where engineers replaced both \
    propeller shafts.</p><p>About forty commuters boarded the first crossing, many of them \
    carrying bicycles, and the harbour master thanked islanders for their patience.</p></div>\
    <div class=related-posts><h3>Related</h3><a href=/x>Bridge closure extended</a></div>\
    <footer>Text under <a rel=license href=https://creativecommons.org/licenses/by-sa/4.0/>CC BY-SA</a></footer>\
    </body></html>";

#[test]
fn a_warc_becomes_extracted_text_with_record_id_url_date_and_page_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let http = "Content-Type: application/http; msgtype=response\r\n";
    let response =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{PAGE}");
    let mut file = warc_preamble("/ferry");
    file.extend(warc_member("response", "ferry", http, response.as_bytes()));
    file.extend(warc_member(
        "response",
        "logo",
        http,
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
    ));
    file.extend(warc_member(
        "response",
        "empty",
        http,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><script>app()</script></body></html>",
    ));
    file.extend(warc_member(
        "metadata",
        "meta",
        "Content-Type: application/warc-fields\r\n",
        b"fetchTimeMs: 12",
    ));
    fs::write(tmp.path().join("crawl.warc.gz"), &file).unwrap();
    let p = pipeline(
        tmp.path(),
        &["crawl.warc.gz"],
        "[[step]]\ntype = \"html_extract\"",
        "write_dropped = true",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let docs = documents(&out.join("kept"));
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["id"], "<urn:uuid:ferry>");
    assert_eq!(d["metadata"]["url"], "https://example.org/ferry");
    assert_eq!(d["metadata"]["date"], "2024-05-01T10:00:00Z");
    let text = d["text"].as_str().unwrap();
    assert!(text.starts_with("The passenger ferry"), "{text}");
    assert!(text.ends_with("for their patience."), "{text}");
    assert_eq!(text.lines().count(), 2);
    let t = &d["thresh"];
    assert_eq!(t["url"], "https://example.org/ferry");
    assert_eq!(t["title"], "Ferry back in service");
    assert_eq!(t["page_lang"], "en");
    assert_eq!(
        t["license"],
        "https://creativecommons.org/licenses/by-sa/4.0/"
    );
    assert_eq!(t["extraction"], "main_content");
    let dropped = documents(&out.join("dropped"));
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0]["id"], "<urn:uuid:empty>");
    assert_eq!(dropped[0]["thresh"]["reason"], "no_text");
    assert_eq!(dropped[0]["thresh"]["dropped_by"], "html_extract");
    let s = stats(&out);
    assert_eq!(s["skipped"]["warcinfo"], 1);
    assert_eq!(s["skipped"]["request"], 1);
    assert_eq!(s["skipped"]["metadata"], 1);
    assert_eq!(s["skipped"]["response image/png"], 1);
    assert_eq!(assert_balanced(&out), (2, 1, 1, 0));
}

#[test]
fn the_bundled_extract_example_gives_text_metadata_and_language() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_example("extract.toml", &out);
    let docs = documents(&out.join("kept"));
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["harbour-news.html", "verein-sommerfest.html"]);
    let news = &docs[0];
    let text = news["text"].as_str().unwrap();
    assert!(
        text.contains("Friday and Saturday | 07:15 | 22:10"),
        "{text}"
    );
    assert!(
        text.contains("- Bicycles travel free on every crossing."),
        "{text}"
    );
    for boilerplate in [
        "cookies",
        "Share on",
        "Related posts",
        "water taxi was always late",
        "Imprint",
        "Most read",
    ] {
        assert!(!text.contains(boilerplate), "{boilerplate} in {text}");
    }
    assert_eq!(news["thresh"]["date"], "2024-03-18");
    assert_eq!(news["thresh"]["author"], "Priya Natarajan");
    assert_eq!(news["thresh"]["site_name"], "Eastport Gazette");
    assert_eq!(news["thresh"]["lang"], "en");
    let verein = &docs[1];
    assert_eq!(verein["metadata"]["charset"], "windows-1252");
    let text = verein["text"].as_str().unwrap();
    assert!(text.contains("Kräuterwerkstatt"), "{text}");
    assert!(
        !text.contains("Impressum") && !text.contains("Saatgut"),
        "{text}"
    );
    assert_eq!(verein["thresh"]["lang"], "de");
}

/// Every shared WARC/ARC/WET file through `html_extract`: nothing lost, nothing panics.
#[test]
fn the_shared_warc_files_go_through_extraction_with_every_record_accounted_for() {
    let Some(dir) = shared("data/warc") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(
        tmp.path(),
        &[dir.to_str().unwrap()],
        "[[step]]\ntype = \"html_extract\"",
        "",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let (read, kept, _dropped, errored) = assert_balanced(&out);
    assert!(kept > 10, "{kept} of {read}");
    assert!(errored > 0, "the damaged files give error records");
    for d in documents(&out.join("kept")) {
        assert!(
            !d["text"].as_str().unwrap().contains("<html"),
            "{}",
            d["id"]
        );
    }
}

#[test]
fn web_archives_go_through_deduplication_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let http = "Content-Type: application/http; msgtype=response\r\n";
    let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{PAGE}");
    let mut file = warc_preamble("/ferry");
    file.extend(warc_member("response", "first", http, response.as_bytes()));
    file.extend(warc_member("response", "mirror", http, response.as_bytes()));
    fs::write(tmp.path().join("crawl.warc.gz"), &file).unwrap();
    let p = pipeline(
        tmp.path(),
        &["crawl.warc.gz"],
        "[[step]]\ntype = \"html_extract\"\n\n[[step]]\ntype = \"exact_dedup\"",
        "",
    );
    run_ok(&["run", p.to_str().unwrap(), "-q"]);
    let out = tmp.path().join("out");
    let docs = documents(&out.join("kept"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], "<urn:uuid:first>");
    assert!(docs[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("The passenger ferry"));
    assert_eq!(assert_balanced(&out), (2, 1, 1, 0));
}

#[test]
fn explain_takes_a_saved_page() {
    let p = examples_dir().join("extract.toml");
    let page = examples_dir().join("html/verein-sommerfest.html");
    let o = run_ok(&[
        "explain",
        p.to_str().unwrap(),
        page.to_str().unwrap(),
        "--json",
    ]);
    let trace: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(trace["id"], "verein-sommerfest.html");
    assert!(trace["text"]
        .as_str()
        .unwrap()
        .starts_with("Sommerfest am Stadtweiher\nAm Samstag"));
}

#[test]
fn block_model_chooses_the_built_in_model_the_rules_alone_or_a_model_file() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("ferry.html"), PAGE).unwrap();
    // One tree, one leaf: every line is content.
    let keep_all = tmp.path().join("keep-all.model");
    fs::write(
        &keep_all,
        "thresh-blocks 1\nfeatures 50\nbias 0\nthreshold 0.5\ntree 1\n-1 0 0 0 10\n",
    )
    .unwrap();
    let text_with = |model: &str| {
        let dir = tmp.path().join(model.replace(['/', '.'], "_"));
        fs::create_dir_all(&dir).unwrap();
        let step = format!("[[step]]\ntype = \"html_extract\"\nblock_model = {model:?}");
        let p = pipeline(
            &dir,
            &[tmp.path().join("ferry.html").to_str().unwrap()],
            &step,
            "",
        );
        run_ok(&["run", p.to_str().unwrap(), "-q"]);
        let docs = documents(&dir.join("out").join("kept"));
        assert_eq!(docs.len(), 1);
        docs[0]["text"].as_str().unwrap().to_string()
    };
    let rules = text_with("none");
    let built_in = text_with("builtin");
    let all = text_with(keep_all.to_str().unwrap());
    for text in [&rules, &built_in, &all] {
        assert!(
            text.contains("The passenger ferry between Eastport"),
            "{text}"
        );
        assert!(!text.contains("Home"), "{text}");
    }
    // Only the keep-all model brings back the related-posts block the class words removed.
    assert!(!rules.contains("Bridge closure") && !built_in.contains("Bridge closure"));
    assert!(all.contains("Bridge closure extended"), "{all}");
    // A model of other features is refused before anything runs, naming the parameter.
    let bad = tmp.path().join("bad.model");
    fs::write(
        &bad,
        "thresh-blocks 1\nfeatures 3\nbias 0\nthreshold 0.5\ntree 1\n-1 0 0 0 1\n",
    )
    .unwrap();
    let step = format!(
        "[[step]]\ntype = \"html_extract\"\nblock_model = {:?}",
        bad.to_str().unwrap()
    );
    let p = pipeline(tmp.path(), &["ferry.html"], &step, "");
    let o = run(&["run", p.to_str().unwrap(), "-q"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("block_model") && err.contains("3 features"),
        "{err}"
    );
}
