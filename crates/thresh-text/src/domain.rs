//! The host of a URL split as tldextract 5.4 splits it with its default settings: the
//! registered domain (`bbc.co.uk`) and the fully qualified domain name (`forums.bbc.co.uk`),
//! by the ICANN section of the Public Suffix List that tldextract bundles
//! (`data/url_filter/public_suffix_list.dat.zst`, version 2025-04-07).
//!
//! As tldextract: the host is taken leniently from anything URL-like (no scheme, userinfo,
//! port, trailing dots), labels keep their case (`Example.COM` stays so) but are matched
//! lowercased and, for `xn--` labels, decoded from punycode; a host without a listed suffix
//! (`localhost`, an IP address, an unknown TLD) has neither a registered domain nor an FQDN.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use crate::pystr;

/// The two names of a host that URL blocklists are matched against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainParts {
    /// The domain under the public suffix with its suffix (tldextract's `registered_domain`,
    /// `top_domain_under_public_suffix`); empty when there is none.
    pub registered_domain: String,
    /// Every label of the host (tldextract's `fqdn`); empty when there is no registered
    /// domain.
    pub fqdn: String,
}

/// A public suffix list as tldextract holds it: a trie of rules by label, last label first.
pub struct SuffixList {
    root: Node,
}

#[derive(Default)]
struct Node {
    children: HashMap<String, Node>,
    /// A rule ends here.
    end: bool,
}

const SEPARATOR: &str = "// ===BEGIN PRIVATE DOMAINS===";

impl SuffixList {
    /// The ICANN section of the bundled list (parsed once per process).
    pub fn icann() -> &'static SuffixList {
        static LIST: OnceLock<SuffixList> = OnceLock::new();
        LIST.get_or_init(|| {
            let mut text = String::new();
            zstd::Decoder::new(
                &include_bytes!("../data/url_filter/public_suffix_list.dat.zst")[..],
            )
            .and_then(|mut d| d.read_to_string(&mut text))
            .expect("the bundled Public Suffix List decompresses");
            let icann = text.split(SEPARATOR).next().unwrap_or("");
            SuffixList::parse(icann)
        })
    }

    /// The rules of `text` in the list's format, read as tldextract reads them: the first
    /// whitespace-separated token of every line that starts with `[.*!]*` and a word
    /// character (comments and indented lines do not).
    pub fn parse(text: &str) -> SuffixList {
        let mut root = Node::default();
        for line in text.lines() {
            let rule = line.split(char::is_whitespace).next().unwrap_or("");
            let body = rule.trim_start_matches(['.', '*', '!']);
            if !body.chars().next().is_some_and(is_word_char) {
                continue;
            }
            let mut node = &mut root;
            for label in rule.rsplit('.') {
                node = node.children.entry(label.to_owned()).or_default();
            }
            node.end = true;
        }
        SuffixList { root }
    }

    /// The registered domain and FQDN of `url`'s host.
    pub fn parts(&self, url: &str) -> DomainParts {
        let host = host(url);
        let host: std::borrow::Cow<str> = if host.contains(['\u{3002}', '\u{ff0e}', '\u{ff61}']) {
            host.replace(['\u{3002}', '\u{ff0e}', '\u{ff61}'], ".")
                .into()
        } else {
            host.into()
        };
        let labels: Vec<&str> = host.split('.').collect();
        let Some(suffix) = self.suffix_index(&labels) else {
            return DomainParts::default();
        };
        let domain = if suffix > 0 { labels[suffix - 1] } else { "" };
        if domain.is_empty() {
            return DomainParts::default();
        }
        let registered_domain = labels[suffix - 1..].join(".");
        let subdomain = if suffix >= 2 {
            labels[..suffix - 1].join(".")
        } else {
            String::new()
        };
        let fqdn = if subdomain.is_empty() {
            registered_domain.clone()
        } else {
            format!("{subdomain}.{registered_domain}")
        };
        DomainParts {
            registered_domain,
            fqdn,
        }
    }

    /// The index of the first label of the longest matching suffix (tldextract's
    /// `suffix_index`, wildcard and exception rules included), or `None`.
    fn suffix_index(&self, labels: &[&str]) -> Option<usize> {
        let mut node = &self.root;
        let mut suffix = labels.len();
        let mut at = labels.len();
        for label in labels.iter().rev() {
            let decoded = decode_label(label);
            if let Some(next) = node.children.get(decoded.as_ref()) {
                at -= 1;
                node = next;
                if node.end {
                    suffix = at;
                }
                continue;
            }
            if node.children.contains_key("*") {
                let exception = node.children.contains_key(&format!("!{decoded}"));
                return Some(if exception { at } else { at - 1 });
            }
            break;
        }
        (suffix < labels.len()).then_some(suffix)
    }
}

/// A label as tldextract matches it: lowercased, and an `xn--` label decoded from punycode
/// when it decodes (else kept as it is).
fn decode_label(label: &str) -> std::borrow::Cow<'_, str> {
    let lowered: std::borrow::Cow<str> = if !label.is_ascii() {
        label.to_lowercase().into()
    } else if label.bytes().any(|b| b.is_ascii_uppercase()) {
        label.to_ascii_lowercase().into()
    } else {
        label.into()
    };
    if let Some(puny) = lowered.strip_prefix("xn--") {
        if !puny.ends_with('-') {
            if let Some(decoded) = idna::punycode::decode_to_string(puny) {
                return decoded.into();
            }
        }
    }
    lowered
}

/// Python's `\w` for a `str` pattern: letters, digits (any script) and `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The host of a URL-like string, case kept, as tldextract's `lenient_netloc` finds it.
pub fn host(url: &str) -> &str {
    let rest = schemeless(url);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let after_userinfo = authority.rsplit('@').next().unwrap_or("");
    if after_userinfo.starts_with('[') {
        if let Some(close) = after_userinfo.find(']') {
            return &after_userinfo[..=close];
        }
    }
    let hostname = pystr::strip(after_userinfo.split(':').next().unwrap_or(""));
    hostname.trim_end_matches(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
}

/// `url` without its `scheme://` (tldextract's `_schemeless_url`).
fn schemeless(url: &str) -> &str {
    match url.find("//") {
        Some(0) => &url[2..],
        Some(i)
            if i >= 2
                && url.as_bytes()[i - 1] == b':'
                && url[..i - 1]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            &url[i + 2..]
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, String) {
        let p = SuffixList::icann().parts(url);
        (p.registered_domain, p.fqdn)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn hosts_are_found_as_tldextract_finds_them() {
        assert_eq!(
            host("http://user:pw@Forums.BBC.co.uk:8080/a?b#c"),
            "Forums.BBC.co.uk"
        );
        assert_eq!(host("forums.bbc.co.uk/path"), "forums.bbc.co.uk");
        assert_eq!(host("//example.com/x"), "example.com");
        assert_eq!(host("https://example.com./"), "example.com");
        assert_eq!(host("http://[::1]:80/"), "[::1]");
        // A "scheme" with a character no scheme has is part of the host.
        assert_eq!(host("ht_tp://example.com"), "ht_tp");
        assert_eq!(host("mailto:someone@example.org"), "example.org");
    }

    #[test]
    fn registered_domains_and_fqdns_as_tldextract_gives_them() {
        // Worked out from the list's rules: `co.uk` and `com` are suffixes.
        assert_eq!(
            parts("http://forums.bbc.co.uk/x"),
            pair("bbc.co.uk", "forums.bbc.co.uk")
        );
        assert_eq!(
            parts("https://www.example.com"),
            pair("example.com", "www.example.com")
        );
        // Case is kept.
        assert_eq!(
            parts("http://WWW.Example.COM/"),
            pair("Example.COM", "WWW.Example.COM")
        );
        // blogspot.com is in the private section: with ICANN rules only, it is a domain.
        assert_eq!(
            parts("http://waiterrant.blogspot.com"),
            pair("blogspot.com", "waiterrant.blogspot.com")
        );
        // No suffix: localhost, an address, an unknown TLD, a bare suffix.
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1/x",
            "http://[2001:db8::1]/",
            "http://a.b.notatld",
            "http://co.uk",
            "",
        ] {
            assert_eq!(parts(url), pair("", ""), "{url}");
        }
    }

    #[test]
    fn wildcards_exceptions_and_punycode() {
        // `*.ck` with the exception `!www.ck`.
        assert_eq!(parts("http://a.b.ck"), pair("a.b.ck", "a.b.ck"));
        assert_eq!(parts("http://x.www.ck"), pair("www.ck", "x.www.ck"));
        // `*.kawasaki.jp` with `!city.kawasaki.jp`.
        assert_eq!(
            parts("http://www.city.kawasaki.jp"),
            pair("city.kawasaki.jp", "www.city.kawasaki.jp")
        );
        // `公司.cn` is a rule; its punycode spelling matches it, and stays as written.
        assert_eq!(
            parts("http://shop.xn--55qx5d.cn"),
            pair("shop.xn--55qx5d.cn", "shop.xn--55qx5d.cn")
        );
        // Ideographic full stops separate labels.
        assert_eq!(
            parts("http://www.example\u{3002}com"),
            pair("example.com", "www.example.com")
        );
    }

    #[test]
    fn rules_are_parsed_as_tldextract_parses_them() {
        let list =
            SuffixList::parse("// comment\ncom\n  indented\n*.ck\n!www.ck\nco.uk trailing\n");
        assert_eq!(list.parts("a.b.co.uk").registered_domain, "b.co.uk");
        assert_eq!(list.parts("a.indented").registered_domain, "");
        assert_eq!(list.parts("x.y.ck").registered_domain, "x.y.ck");
    }
}
