//! `pii`: replaces email addresses and public IPv4 addresses, as datatrove's `PIIFormatter`
//! does — the same parameters under the same names and defaults, the same patterns and the same
//! replacement strings.
//!
//! An address is replaced by the next of the replacement strings, in turn. datatrove keeps that
//! turn across every document of a task, so its output depends on document order; thresh starts
//! each document at the first replacement, which equals datatrove's output with a fresh
//! `PIIFormatter` per document. An IPv4 match is replaced only when it is an address Python's
//! `ipaddress` accepts (no leading zeros) and, with `only_remove_public_ips`, one it calls global
//! (Python 3.11's `is_global`: not private per its table of special-purpose networks, not in
//! 100.64.0.0/10). The number of replacements of each kind is annotated (`emails`, `ips`). The
//! document is never dropped.
//!
//! Beyond datatrove, off by default ([`crate::identifiers`]): IBANs (`remove_ibans`), payment
//! card numbers (`remove_cards`), IPv6 addresses (`remove_ipv6`, public ones only with
//! `only_remove_public_ips`), each confirmed by its checksum or parser, and phone numbers
//! (`remove_phones`: international, North American, or introduced by a word such as `Tel.`).

use regex::{Captures, Regex};
use serde::Deserialize;
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

use crate::identifiers;

/// datatrove's email pattern.
const EMAIL: &str = concat!(
    r"\b[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[A-Za-z0-9](?:[",
    r"A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|[",
    r"01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[A-Za-z0-9-]*[A-Za-z0-9]:)])"
);

/// datatrove's IPv4 pattern (no word boundaries: `1234.5.6.7` holds `234.5.6.7`).
const IPV4: &str =
    r"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";

/// One replacement string or several, used in turn (datatrove takes either).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Replacements {
    /// One string.
    One(String),
    /// Strings used in turn.
    Many(Vec<String>),
}

impl Replacements {
    fn list(self) -> Vec<String> {
        match self {
            Replacements::One(s) => vec![s],
            Replacements::Many(v) => v,
        }
    }
}

/// Parameters of `pii` (datatrove's names and defaults).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiParams {
    /// Replace email addresses.
    #[serde(default = "yes")]
    pub remove_emails: bool,
    /// Replace IPv4 addresses.
    #[serde(default = "yes")]
    pub remove_ips: bool,
    /// Only public (global) addresses.
    #[serde(default = "yes")]
    pub only_remove_public_ips: bool,
    /// Replacements for email addresses, in turn.
    #[serde(default = "default_emails")]
    pub email_replacement: Replacements,
    /// Replacements for IP addresses, in turn.
    #[serde(default = "default_ips")]
    pub ip_replacement: Replacements,
    /// Replace IBANs (mod-97 checksum); not in datatrove.
    #[serde(default)]
    pub remove_ibans: bool,
    /// Replacements for IBANs, in turn.
    #[serde(default = "default_iban")]
    pub iban_replacement: Replacements,
    /// Replace payment card numbers (issuer prefix, length, Luhn); not in datatrove.
    #[serde(default)]
    pub remove_cards: bool,
    /// Replacements for card numbers, in turn.
    #[serde(default = "default_card")]
    pub card_replacement: Replacements,
    /// Replace IPv6 addresses (public ones with `only_remove_public_ips`); not in datatrove.
    #[serde(default)]
    pub remove_ipv6: bool,
    /// Replacements for IPv6 addresses, in turn.
    #[serde(default = "default_ipv6")]
    pub ipv6_replacement: Replacements,
    /// Replace phone numbers; not in datatrove.
    #[serde(default)]
    pub remove_phones: bool,
    /// Replacements for phone numbers, in turn.
    #[serde(default = "default_phone")]
    pub phone_replacement: Replacements,
}

fn default_iban() -> Replacements {
    Replacements::One("XX00 0000 0000 0000 0000 00".into())
}
fn default_card() -> Replacements {
    Replacements::One("0000 0000 0000 0000".into())
}
fn default_phone() -> Replacements {
    Replacements::One("+00 000 000 0000".into())
}
fn default_ipv6() -> Replacements {
    // The documentation prefix: never a real host.
    Replacements::One("2001:db8::1".into())
}

fn yes() -> bool {
    true
}
fn default_emails() -> Replacements {
    Replacements::Many(vec![
        "email@example.com".into(),
        "firstname.lastname@example.org".into(),
    ])
}
fn default_ips() -> Replacements {
    Replacements::Many(
        [
            "22.214.171.124",
            "126.96.36.199",
            "188.8.131.52",
            "184.108.40.206",
            "220.127.116.11",
            "18.104.22.168",
        ]
        .map(String::from)
        .to_vec(),
    )
}

impl Default for PiiParams {
    fn default() -> Self {
        PiiParams {
            remove_emails: true,
            remove_ips: true,
            only_remove_public_ips: true,
            email_replacement: default_emails(),
            ip_replacement: default_ips(),
            remove_ibans: false,
            iban_replacement: default_iban(),
            remove_cards: false,
            card_replacement: default_card(),
            remove_ipv6: false,
            ipv6_replacement: default_ipv6(),
            remove_phones: false,
            phone_replacement: default_phone(),
        }
    }
}

/// The step.
pub struct Pii {
    emails: Option<(Regex, Vec<String>)>,
    ips: Option<(Regex, Vec<String>)>,
    only_public: bool,
    ibans: Option<Vec<String>>,
    cards: Option<Vec<String>>,
    ipv6: Option<Vec<String>>,
    phones: Option<Vec<String>>,
}

/// Python 3.11's `IPv4Address.is_private` networks (`_private_networks`), as (address, prefix).
const PRIVATE: [(u32, u32); 14] = [
    (0x0000_0000, 8),  // 0.0.0.0/8
    (0x0a00_0000, 8),  // 10.0.0.0/8
    (0x7f00_0000, 8),  // 127.0.0.0/8
    (0xa9fe_0000, 16), // 169.254.0.0/16
    (0xac10_0000, 12), // 172.16.0.0/12
    (0xc000_0000, 29), // 192.0.0.0/29
    (0xc000_00aa, 31), // 192.0.0.170/31
    (0xc000_0200, 24), // 192.0.2.0/24
    (0xc0a8_0000, 16), // 192.168.0.0/16
    (0xc612_0000, 15), // 198.18.0.0/15
    (0xc633_6400, 24), // 198.51.100.0/24
    (0xcb00_7100, 24), // 203.0.113.0/24
    (0xf000_0000, 4),  // 240.0.0.0/4
    (0xffff_ffff, 32), // 255.255.255.255/32
];

/// 100.64.0.0/10, which Python 3.11's `is_global` also excludes.
const SHARED: (u32, u32) = (0x6440_0000, 10);

fn in_network(ip: u32, (net, prefix): (u32, u32)) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    ip & mask == net
}

/// The address `text` as Python's `ipaddress.ip_address` reads it (four decimal octets, no
/// leading zeros), if it is one.
fn parse_ipv4(text: &str) -> Option<u32> {
    let mut ip = 0u32;
    let mut parts = 0;
    for part in text.split('.') {
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part.starts_with('0')) {
            return None;
        }
        let octet: u32 = part.parse().ok().filter(|&o| o <= 255)?;
        ip = ip << 8 | octet;
        parts += 1;
    }
    (parts == 4).then_some(ip)
}

/// Python 3.11's `IPv4Address.is_global`.
pub fn is_global(ip: u32) -> bool {
    !in_network(ip, SHARED) && !PRIVATE.iter().any(|&net| in_network(ip, net))
}

impl Pii {
    /// A step with the given parameters.
    pub fn new(params: PiiParams, name: &str) -> Result<Self, ConfigError> {
        let replacements = |r: Replacements, key: &str| {
            let list = r.list();
            if list.is_empty() {
                return Err(ConfigError::Invalid {
                    context: format!("step `{name}`"),
                    message: format!("`{key}` needs at least one replacement"),
                });
            }
            Ok(list)
        };
        let emails = if params.remove_emails {
            let list = replacements(params.email_replacement, "email_replacement")?;
            Some((Regex::new(EMAIL).expect("the email pattern compiles"), list))
        } else {
            None
        };
        let ips = if params.remove_ips {
            let list = replacements(params.ip_replacement, "ip_replacement")?;
            Some((Regex::new(IPV4).expect("the IPv4 pattern compiles"), list))
        } else {
            None
        };
        let optional =
            |on: bool, r: Replacements, key: &str| on.then(|| replacements(r, key)).transpose();
        Ok(Pii {
            emails,
            ips,
            only_public: params.only_remove_public_ips,
            ibans: optional(
                params.remove_ibans,
                params.iban_replacement,
                "iban_replacement",
            )?,
            cards: optional(
                params.remove_cards,
                params.card_replacement,
                "card_replacement",
            )?,
            ipv6: optional(
                params.remove_ipv6,
                params.ipv6_replacement,
                "ipv6_replacement",
            )?,
            phones: optional(
                params.remove_phones,
                params.phone_replacement,
                "phone_replacement",
            )?,
        })
    }

    fn valid_ip(&self, text: &str) -> bool {
        parse_ipv4(text).is_some_and(|ip| !self.only_public || is_global(ip))
    }
}

/// `text` with every match of `regex` that `valid` accepts replaced by the next of
/// `replacements`, and how many were replaced (`None`: nothing matched, `text` unchanged).
fn replace(
    text: &str,
    regex: &Regex,
    replacements: &[String],
    valid: impl Fn(&str) -> bool,
) -> Option<(String, usize)> {
    if !regex.is_match(text) {
        return None;
    }
    let mut turn = 0usize;
    let out = regex.replace_all(text, |caps: &Captures| {
        let found = &caps[0];
        if !valid(found) {
            return found.to_owned();
        }
        let replacement = replacements[turn % replacements.len()].clone();
        turn += 1;
        replacement
    });
    Some((out.into_owned(), turn))
}

/// Finds one kind of identifier in a text (the step for its settings).
type Detector = fn(&Pii, &str) -> Vec<std::ops::Range<usize>>;

/// `text` with the `found` ranges (in order, not overlapping) replaced by `replacements` in
/// turn, and how many (`None`: none found).
fn replace_ranges(
    text: &str,
    found: Vec<std::ops::Range<usize>>,
    replacements: &[String],
) -> Option<(String, usize)> {
    if found.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (turn, range) in found.iter().enumerate() {
        out.push_str(&text[at..range.start]);
        out.push_str(&replacements[turn % replacements.len()]);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Some((out, found.len()))
}

impl Step for Pii {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut counts = [0usize; 2];
        if let Some((regex, list)) = &self.emails {
            if let Some((text, n)) = replace(&doc.text, regex, list, |_| true) {
                doc.text = text;
                counts[0] = n;
            }
        }
        if let Some((regex, list)) = &self.ips {
            if let Some((text, n)) = replace(&doc.text, regex, list, |s| self.valid_ip(s)) {
                doc.text = text;
                counts[1] = n;
            }
        }
        let mut more = Vec::new();
        let detectors: [(&Option<Vec<String>>, &str, Detector); 4] = [
            (&self.ibans, "ibans", |_, t| identifiers::ibans(t)),
            (&self.cards, "cards", |_, t| identifiers::cards(t)),
            (&self.ipv6, "ipv6", |step, t| {
                identifiers::ipv6s(t, |ip| !step.only_public || identifiers::ipv6_public(ip))
            }),
            (&self.phones, "phones", |_, t| identifiers::phones(t)),
        ];
        for (list, key, find) in detectors {
            if let Some(list) = list {
                let found = find(self, &doc.text);
                let n = found.len();
                if let Some((text, _)) = replace_ranges(&doc.text, found, list) {
                    doc.text = text;
                }
                more.push((key, n));
            }
        }
        let any = counts != [0, 0] || more.iter().any(|(_, n)| *n > 0);
        if any || cx.record_signals {
            let note = doc.step_annotations(&cx.name);
            note.insert("emails".into(), counts[0].into());
            note.insert("ips".into(), counts[1].into());
            for (key, n) in more {
                note.insert(key.into(), n.into());
            }
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: PiiParams, text: &str) -> Document {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "pii".into(),
            record_signals: false,
        };
        let step = Pii::new(params, "pii").unwrap();
        assert_eq!(step.process(&mut doc, &cx), Verdict::Keep);
        doc
    }

    #[test]
    fn emails_are_replaced_in_turn_from_the_first_replacement() {
        let doc = run(
            PiiParams::default(),
            "Write to anna.berg@example.de, cc: bob+news@mail.co.uk or anna.berg@example.de.",
        );
        assert_eq!(
            doc.text,
            "Write to email@example.com, cc: firstname.lastname@example.org or email@example.com."
        );
        assert_eq!(doc.annotations["pii"]["emails"], 3);
        assert_eq!(doc.annotations["pii"]["ips"], 0);
    }

    #[test]
    fn only_public_addresses_that_python_accepts_are_replaced() {
        // 8.8.8.8 and 151.101.1.69 are global; 10.x, 192.168.x, 127.x, 100.64.x (shared) and
        // 198.51.100.x (documentation) are not; 01.2.3.4 has a leading zero (Python refuses it);
        // in 1234.5.6.7 the pattern finds 234.5.6.7, a global address.
        let doc = run(
            PiiParams::default(),
            "dns 8.8.8.8, lan 10.0.0.1 192.168.1.20, lo 127.0.0.1, cgn 100.64.3.4, doc 198.51.100.7, odd 01.2.3.4, cdn 151.101.1.69, v 1234.5.6.7",
        );
        assert_eq!(
            doc.text,
            "dns 22.214.171.124, lan 10.0.0.1 192.168.1.20, lo 127.0.0.1, cgn 100.64.3.4, doc 198.51.100.7, odd 01.2.3.4, cdn 126.96.36.199, v 1188.8.131.52"
        );
        assert_eq!(doc.annotations["pii"]["ips"], 3);
        // Every address when only_remove_public_ips is off (but still none Python refuses).
        let params = PiiParams {
            only_remove_public_ips: false,
            ip_replacement: Replacements::One("0.0.0.0".into()),
            ..Default::default()
        };
        let doc = run(params, "10.0.0.1 and 01.2.3.4");
        assert_eq!(doc.text, "0.0.0.0 and 01.2.3.4");
    }

    #[test]
    fn python_3_11_global_addresses() {
        let ip = |s: &str| parse_ipv4(s).unwrap();
        for global in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "192.0.0.8",
            "223.255.255.254",
        ] {
            assert!(is_global(ip(global)), "{global}");
        }
        for not in [
            "0.1.2.3",
            "100.64.0.0",
            "100.127.255.255",
            "169.254.1.1",
            "172.31.0.1",
            "192.0.0.7",
            "192.0.0.171",
            "192.0.2.1",
            "198.19.0.1",
            "203.0.113.9",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_global(ip(not)), "{not}");
        }
        assert_eq!(parse_ipv4("1.2.3"), None);
        assert_eq!(parse_ipv4("1.2.3.256"), None);
        assert_eq!(parse_ipv4("1.2.3.00"), None);
        assert_eq!(parse_ipv4("0.0.0.0"), Some(0));
    }

    #[test]
    fn ibans_cards_ipv6_and_phones_only_when_switched_on() {
        let text = "IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, dns 2606:4700:4700::1111, lo ::1, Tel. 030 1234567";
        assert_eq!(run(PiiParams::default(), text).text, text);
        let params = PiiParams {
            remove_ibans: true,
            remove_cards: true,
            remove_ipv6: true,
            remove_phones: true,
            ..Default::default()
        };
        let doc = run(params, text);
        assert_eq!(
            doc.text,
            "IBAN XX00 0000 0000 0000 0000 00, card 0000 0000 0000 0000, dns 2001:db8::1, lo ::1, Tel. +00 000 000 0000"
        );
        let note = &doc.annotations["pii"];
        assert_eq!(
            (
                &note["ibans"],
                &note["cards"],
                &note["ipv6"],
                &note["phones"]
            ),
            (&1.into(), &1.into(), &1.into(), &1.into())
        );
    }

    #[test]
    fn switches_and_a_text_without_addresses() {
        let params = PiiParams {
            remove_emails: false,
            ..Default::default()
        };
        let doc = run(params, "a@b.de at 8.8.4.4");
        assert_eq!(doc.text, "a@b.de at 22.214.171.124");
        let doc = run(PiiParams::default(), "nothing here");
        assert_eq!(doc.text, "nothing here");
        assert!(doc.annotations.get("pii").is_none());
        let empty = PiiParams {
            email_replacement: Replacements::Many(vec![]),
            ..Default::default()
        };
        assert!(Pii::new(empty, "pii").is_err());
    }
}
