//! `url_filter`: drop documents by their URL, decision-compatible with datatrove's
//! `URLFilter`: a listed registered domain (`domain`) or host (`subdomain`), a listed URL
//! (`url`), a banned word among the URL's words (`hard_blacklisted`), at least
//! `soft_word_threshold` soft-banned words (`soft_blacklisted`), or a banned subword anywhere
//! in the URL's letters and digits (`blacklisted_subword`), checked in that order.
//!
//! The integrated lists are those datatrove ships (the UT1 blacklists, CC BY-SA 4.0: 4.56 M
//! domains and 19,587 URLs; datatrove's word lists), built into the binary
//! (`data/url_filter/`, see its `SOURCE.md`) and decompressed once per process; domains are
//! split as tldextract splits them ([`crate::domain`]). The URL is read from
//! `metadata.<url_field>`, else from the record's top-level `<url_field>`; a document without
//! one is kept and annotated `thresh.<step>.missing_url` (datatrove stops the run instead).

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::domain::SuffixList;
use crate::metadata;

/// Parameters of `url_filter`, named and defaulted as datatrove's `URLFilter`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UrlFilterParams {
    /// Soft-banned words a URL may hold before it is dropped (`>=` drops).
    pub soft_word_threshold: usize,
    /// More blocked domains (matched against the registered domain and the host, as given).
    pub extra_domains: Vec<String>,
    /// More blocked URLs (matched against the whole URL, as given).
    pub extra_urls: Vec<String>,
    /// More banned words (normalized: letters and digits only, lowercased).
    pub banned_words: Vec<String>,
    /// More banned subwords (normalized likewise).
    pub banned_subwords: Vec<String>,
    /// More soft-banned words (normalized likewise).
    pub soft_banned_words: Vec<String>,
    /// Add the integrated lists to the extra ones.
    pub use_integrated_lists: bool,
    /// The field holding the URL: `metadata.<url_field>`, else the top-level field.
    pub url_field: String,
}

impl Default for UrlFilterParams {
    fn default() -> Self {
        UrlFilterParams {
            soft_word_threshold: 2,
            extra_domains: Vec::new(),
            extra_urls: Vec::new(),
            banned_words: Vec::new(),
            banned_subwords: Vec::new(),
            soft_banned_words: Vec::new(),
            use_integrated_lists: true,
            url_field: "url".into(),
        }
    }
}

/// Sorted, distinct, newline-terminated entries, searched by bisection within the entries
/// that share the key's first two bytes: 4.56 M domains in their own bytes plus four bytes
/// each, and a 256 KiB table of where each two-byte prefix begins.
struct SortedEntries {
    text: Vec<u8>,
    starts: Vec<u32>,
    /// `prefixes[p]`: the first entry whose two-byte prefix is `p` or more.
    prefixes: Vec<u32>,
}

/// An entry's first two bytes as a number (a missing byte counts as 0), which the bytewise
/// order of the entries keeps in order.
fn prefix(entry: &[u8]) -> usize {
    let first = entry.first().map_or(0, |&b| b as usize);
    let second = entry.get(1).map_or(0, |&b| b as usize);
    first << 8 | second
}

impl SortedEntries {
    fn from_zstd(compressed: &[u8]) -> SortedEntries {
        // The frame says how large the list is: one allocation of the right size.
        let size = zstd::zstd_safe::get_frame_content_size(compressed)
            .ok()
            .flatten()
            .unwrap_or(0);
        let mut text = Vec::with_capacity(size as usize);
        zstd::Decoder::new(compressed)
            .and_then(|mut d| d.read_to_end(&mut text))
            .expect("a bundled URL list decompresses");
        let mut starts = vec![0u32];
        starts.extend(
            memchr::memchr_iter(b'\n', &text)
                .map(|i| i as u32 + 1)
                .take_while(|&end| (end as usize) < text.len()),
        );
        let mut entries = SortedEntries {
            text,
            starts,
            prefixes: Vec::new(),
        };
        let mut prefixes = vec![0u32; (1 << 16) + 1];
        let mut next = 0;
        for i in 0..entries.starts.len() {
            let p = prefix(entries.entry(i));
            while next <= p {
                prefixes[next] = i as u32;
                next += 1;
            }
        }
        for slot in &mut prefixes[next..] {
            *slot = entries.starts.len() as u32;
        }
        entries.prefixes = prefixes;
        entries
    }

    fn entry(&self, i: usize) -> &[u8] {
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&next| next as usize);
        &self.text[start..end - 1]
    }

    fn contains(&self, key: &str) -> bool {
        let key = key.as_bytes();
        let p = prefix(key);
        let (mut lo, mut hi) = (self.prefixes[p] as usize, self.prefixes[p + 1] as usize);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.entry(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// datatrove's integrated lists, decompressed on first use and shared by every step.
struct Integrated {
    domains: SortedEntries,
    urls: SortedEntries,
    banned_words: Vec<String>,
    banned_subwords: Vec<String>,
    soft_banned_words: Vec<String>,
}

fn integrated() -> &'static Integrated {
    static LISTS: OnceLock<Integrated> = OnceLock::new();
    LISTS.get_or_init(|| Integrated {
        domains: SortedEntries::from_zstd(include_bytes!("../../data/url_filter/domains.zst")),
        urls: SortedEntries::from_zstd(include_bytes!("../../data/url_filter/urls.zst")),
        banned_words: word_list(include_str!("../../data/url_filter/banned_words.txt")),
        banned_subwords: word_list(include_str!("../../data/url_filter/banned_subwords.txt")),
        soft_banned_words: word_list(include_str!("../../data/url_filter/soft_banned_words.txt")),
    })
}

/// A word list file read as datatrove reads it: lines starting with `#` skipped, the others
/// normalized.
fn word_list(text: &str) -> Vec<String> {
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with('#'))
        .map(normalize)
        .collect()
}

/// datatrove's `normalize`: everything but ASCII letters and digits removed, lowercased.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An entry of an extra list as datatrove takes it: without `#` entries, stripped (domains,
/// URLs) or normalized (words).
fn extra(entries: &[String], normalized: bool) -> impl Iterator<Item = String> + '_ {
    entries
        .iter()
        .filter(|e| !e.is_empty() && !e.starts_with('#'))
        .map(move |e| {
            if normalized {
                normalize(e)
            } else {
                crate::pystr::strip(e).to_owned()
            }
        })
}

/// The `url_filter` step.
pub struct UrlFilter {
    params: UrlFilterParams,
    lists: Option<&'static Integrated>,
    extra_domains: HashSet<String>,
    extra_urls: HashSet<String>,
    banned_words: HashSet<String>,
    soft_banned_words: HashSet<String>,
    banned_subwords: Option<(AhoCorasick, Vec<String>)>,
    suffixes: &'static SuffixList,
}

impl UrlFilter {
    /// A step with the given parameters (the integrated lists are loaded here, once per
    /// process).
    pub fn new(params: UrlFilterParams) -> Self {
        let lists = params.use_integrated_lists.then(integrated);
        let words = |own: &[String], integrated: Option<&Vec<String>>| -> HashSet<String> {
            extra(own, true)
                .chain(integrated.into_iter().flatten().cloned())
                .collect()
        };
        let banned_words = words(&params.banned_words, lists.map(|l| &l.banned_words));
        let soft_banned_words = words(
            &params.soft_banned_words,
            lists.map(|l| &l.soft_banned_words),
        );
        let mut subwords: Vec<String> =
            words(&params.banned_subwords, lists.map(|l| &l.banned_subwords))
                .into_iter()
                .filter(|w| !w.is_empty())
                .collect();
        subwords.sort();
        let banned_subwords = (!subwords.is_empty()).then(|| {
            let automaton = AhoCorasick::new(&subwords).expect("subwords build an automaton");
            (automaton, subwords)
        });
        UrlFilter {
            extra_domains: extra(&params.extra_domains, false).collect(),
            extra_urls: extra(&params.extra_urls, false).collect(),
            banned_words,
            soft_banned_words,
            banned_subwords,
            lists,
            suffixes: SuffixList::icann(),
            params,
        }
    }

    fn domain_listed(&self, domain: &str) -> bool {
        !domain.is_empty()
            && (self.extra_domains.contains(domain)
                || self.lists.is_some_and(|l| l.domains.contains(domain)))
    }

    /// datatrove's decision on `url`.
    pub fn decide(&self, url: &str) -> Verdict {
        let parts = self.suffixes.parts(url);
        if self.domain_listed(&parts.registered_domain) {
            return Verdict::drop(format_args!("domain {}", parts.registered_domain));
        }
        if self.domain_listed(&parts.fqdn) {
            return Verdict::drop(format_args!("subdomain {}", parts.fqdn));
        }
        if self.extra_urls.contains(url) || self.lists.is_some_and(|l| l.urls.contains(url)) {
            return Verdict::drop("url");
        }
        // The URL's words: split at every run of characters other than ASCII letters and
        // digits, case kept, empty pieces included (as Python's `re.split`).
        let mut words: Vec<&str> = url.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        words.sort_unstable();
        words.dedup();
        if let Some(word) = words.iter().find(|w| self.banned_words.contains(**w)) {
            return Verdict::drop(format_args!("hard_blacklisted {word}"));
        }
        let soft = words
            .iter()
            .filter(|w| self.soft_banned_words.contains(**w))
            .count();
        if soft >= self.params.soft_word_threshold {
            return Verdict::drop(format_args!(
                "soft_blacklisted {soft} >= {}",
                self.params.soft_word_threshold
            ));
        }
        if let Some((automaton, subwords)) = &self.banned_subwords {
            if let Some(found) = automaton.find(&normalize(url)) {
                return Verdict::drop(format_args!(
                    "blacklisted_subword {}",
                    subwords[found.pattern().as_usize()]
                ));
            }
        }
        Verdict::Keep
    }

    /// The document's URL: `metadata.<url_field>`, else its top-level `<url_field>`.
    fn url<'d>(&self, doc: &'d Document) -> Option<Cow<'d, str>> {
        let field = self.params.url_field.as_str();
        let in_metadata = doc
            .metadata
            .as_deref()
            .and_then(|m| metadata::string_field(m.get(), &[field]))
            .filter(|url| !url.is_empty());
        in_metadata.or_else(|| {
            doc.extra
                .iter()
                .find(|(name, _)| name == field)
                .and_then(|(_, value)| metadata::raw_string(value))
                .filter(|url| !url.is_empty())
        })
    }
}

impl Step for UrlFilter {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let Some(url) = self.url(doc) else {
            doc.step_annotations(&cx.name)
                .insert("missing_url".into(), true.into());
            return Verdict::Keep;
        };
        self.decide(&url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    fn reason(filter: &UrlFilter, url: &str) -> Option<String> {
        match filter.decide(url) {
            Verdict::Keep => None,
            Verdict::Drop(reason) => Some(reason.as_str().to_owned()),
        }
    }

    fn own(params: UrlFilterParams) -> UrlFilter {
        UrlFilter::new(UrlFilterParams {
            use_integrated_lists: false,
            ..params
        })
    }

    #[test]
    fn listed_domains_and_hosts() {
        let f = own(UrlFilterParams {
            extra_domains: vec!["bad.co.uk".into(), "cdn.good.org".into(), "#x.com".into()],
            ..Default::default()
        });
        assert_eq!(
            reason(&f, "https://www.bad.co.uk/a").as_deref(),
            Some("domain bad.co.uk")
        );
        assert_eq!(
            reason(&f, "https://cdn.good.org/a").as_deref(),
            Some("subdomain cdn.good.org")
        );
        // Only the host itself is listed, not its parent or siblings.
        assert_eq!(reason(&f, "https://www.good.org/a"), None);
        assert_eq!(reason(&f, "https://x.cdn.good.org/a"), None);
        // Comments are not entries; matching is case-sensitive, as datatrove's.
        assert_eq!(reason(&f, "https://x.com/"), None);
        assert_eq!(reason(&f, "https://BAD.co.uk/"), None);
    }

    #[test]
    fn listed_urls_match_whole() {
        let f = own(UrlFilterParams {
            extra_urls: vec!["https://e.org/a".into()],
            ..Default::default()
        });
        assert_eq!(reason(&f, "https://e.org/a").as_deref(), Some("url"));
        assert_eq!(reason(&f, "https://e.org/a/"), None);
    }

    #[test]
    fn words_soft_words_and_subwords() {
        let f = own(UrlFilterParams {
            banned_words: vec!["Bad-Word".into()],
            soft_banned_words: vec!["hot".into(), "cams".into(), "live".into()],
            banned_subwords: vec!["xyz".into()],
            ..Default::default()
        });
        // `Bad-Word` normalizes to `badword`, a URL word only when written so.
        assert_eq!(
            reason(&f, "https://e.org/badword/1").as_deref(),
            Some("hard_blacklisted badword")
        );
        assert_eq!(reason(&f, "https://e.org/bad-word"), None);
        // URL words keep their case: `HOT` is not `hot`.
        assert_eq!(
            reason(&f, "https://e.org/hot-cams").as_deref(),
            Some("soft_blacklisted 2 >= 2")
        );
        assert_eq!(reason(&f, "https://e.org/HOT-cams"), None);
        // A word counts once however often it appears.
        assert_eq!(reason(&f, "https://e.org/hot/hot/hot"), None);
        // Subwords are found in the lowercased letters and digits of the whole URL.
        assert_eq!(
            reason(&f, "https://e.org/X-y-Z").as_deref(),
            Some("blacklisted_subword xyz")
        );
        assert_eq!(reason(&f, "https://e.org/x-y"), None);
    }

    #[test]
    fn the_order_of_the_checks_is_datatroves() {
        let f = own(UrlFilterParams {
            extra_domains: vec!["e.org".into()],
            banned_words: vec!["bad".into()],
            ..Default::default()
        });
        assert_eq!(
            reason(&f, "https://e.org/bad").as_deref(),
            Some("domain e.org")
        );
    }

    #[test]
    fn the_integrated_lists() {
        let f = UrlFilter::new(UrlFilterParams::default());
        // The first entries of the bundled domain list, and one of its URLs without scheme.
        assert_eq!(
            reason(&f, "http://www.0-1sex.com/").as_deref(),
            Some("domain 0-1sex.com")
        );
        assert_eq!(reason(&f, "https://en.wikipedia.org/wiki/Ferry"), None);
        let lists = integrated();
        assert_eq!(lists.domains.starts.len(), 4_558_940);
        assert_eq!(lists.urls.starts.len(), 19_587);
        assert!(lists.domains.contains("0-1avsex.com"));
        assert!(!lists.domains.contains("0-1avsex.co"));
        assert!(!lists.domains.contains(""));
        // Every entry is found, each through its prefix's range (first, last, and around
        // prefix boundaries), and nothing between entries is.
        let d = &lists.domains;
        for i in (0..d.starts.len())
            .step_by(997)
            .chain([0, d.starts.len() - 1])
        {
            let entry = std::str::from_utf8(d.entry(i)).unwrap();
            assert!(d.contains(entry), "{entry}");
            assert!(!d.contains(&format!("{entry}\u{1}")), "{entry}");
        }
    }

    #[test]
    fn documents_without_a_url_are_kept_and_annotated() {
        let f = own(UrlFilterParams {
            extra_domains: vec!["e.org".into()],
            ..Default::default()
        });
        let cx = StepCx {
            name: "url_filter".into(),
            record_signals: false,
        };
        let mut doc = Document::new("a", "text");
        assert_eq!(f.process(&mut doc, &cx), Verdict::Keep);
        assert_eq!(doc.annotations["url_filter"]["missing_url"], true);
        let mut doc = Document::new("b", "text");
        doc.metadata = Some(RawValue::from_string(r#"{"url":"https://e.org/x"}"#.into()).unwrap());
        assert!(matches!(f.process(&mut doc, &cx), Verdict::Drop(_)));
        let mut doc = Document::new("c", "text");
        doc.extra.push((
            "url".into(),
            RawValue::from_string(r#""https://e.org/""#.into()).unwrap(),
        ));
        assert!(matches!(f.process(&mut doc, &cx), Verdict::Drop(_)));
    }
}
