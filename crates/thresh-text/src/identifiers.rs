//! Personal identifiers beyond datatrove's PIIFormatter, each found by a pattern and confirmed by
//! its own rule, so that numbers that merely look alike are left alone:
//! IBANs (ISO 13616: country code, mod-97 check digits), payment card numbers (13–19 digits,
//! an issuer prefix and the Luhn checksum), IPv6 addresses (what `std::net::Ipv6Addr`
//! parses, with at least two groups written), and phone numbers (international `+` numbers,
//! North American numbers in their written forms, and any number a word such as `Tel.`,
//! `phone`, `Fax` or `WhatsApp` introduces).

use std::net::Ipv6Addr;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

fn iban_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups
    // separated by single spaces.
    RE.get_or_init(|| {
        Regex::new(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b").expect("IBAN pattern")
    })
}

fn card_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b[0-9](?:[ -]?[0-9]){12,18}\b").expect("card pattern"))
}

fn ipv6_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?")
            .expect("IPv6 pattern")
    })
}

/// Whether `iban` (letters and digits only) has a valid ISO 13616 checksum: the first four
/// characters moved to the end, letters as 10–35, the number mod 97 is 1.
pub fn iban_valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len()) || !bytes[..2].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    let mut rest = 0u32;
    for &b in bytes[4..].iter().chain(&bytes[..4]) {
        let value = match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'A'..=b'Z' => (b - b'A') as u32 + 10,
            _ => return false,
        };
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    rest == 1
}

/// The IBANs in `text`: each candidate is shortened group by group from its end until its
/// checksum holds (a following capitalised word is not part of it), or dropped.
pub fn ibans(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for m in iban_pattern().find_iter(text) {
        let candidate = m.as_str();
        // Ends of groups: before every space, and the end.
        let mut ends: Vec<usize> = candidate.match_indices(' ').map(|(i, _)| i).collect();
        ends.push(candidate.len());
        for &end in ends.iter().rev() {
            let compact: String = candidate[..end].chars().filter(|c| *c != ' ').collect();
            if iban_valid(&compact) {
                found.push(m.start()..m.start() + end);
                break;
            }
        }
    }
    found
}

/// Whether `digits` passes the Luhn check.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = (d - b'0') as u32;
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether `digits` starts like a card of a major network, with that network's length: Visa
/// (4; 13, 16, 19), Mastercard (51–55, 2221–2720; 16), American Express (34, 37; 15), Discover
/// (6011, 644–649, 65; 16–19), JCB (3528–3589; 16–19), Diners Club (300–305, 36, 38; 14–19),
/// UnionPay (62; 16–19).
fn issuer_known(digits: &[u8]) -> bool {
    let n = digits.len();
    let prefix = |k: usize| -> u32 {
        digits[..k]
            .iter()
            .fold(0, |acc, &d| acc * 10 + (d - b'0') as u32)
    };
    match digits[0] {
        b'4' => [13, 16, 19].contains(&n),
        b'5' => (51..=55).contains(&prefix(2)) && n == 16,
        b'2' => (2221..=2720).contains(&prefix(4)) && n == 16,
        b'3' => {
            ([34, 37].contains(&prefix(2)) && n == 15)
                || ((3528..=3589).contains(&prefix(4)) && (16..=19).contains(&n))
                || (((300..=305).contains(&prefix(3)) || [36, 38].contains(&prefix(2)))
                    && (14..=19).contains(&n))
        }
        b'6' => {
            (prefix(4) == 6011
                || (644..=649).contains(&prefix(3))
                || prefix(2) == 65
                || prefix(2) == 62)
                && (16..=19).contains(&n)
        }
        _ => false,
    }
}

/// The payment card numbers in `text`: 13–19 digits, grouped by single spaces or hyphens
/// (one kind throughout), with a known issuer prefix and length, passing the Luhn check, and
/// not one digit repeated.
pub fn cards(text: &str) -> Vec<Range<usize>> {
    card_pattern()
        .find_iter(text)
        .filter(|m| {
            let s = m.as_str();
            if s.contains(' ') && s.contains('-') {
                return false;
            }
            let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
            issuer_known(&digits) && luhn_valid(&digits) && digits.iter().any(|&d| d != digits[0])
        })
        .map(|m| m.range())
        .collect()
}

/// The regex in `cell`, compiled from `pattern` on first use.
fn compiled(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("the bundled patterns compile"))
}

fn phone_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // An optional `+`, then groups of digits (the first may be an area code in parentheses)
    // separated by the `(0)` of a trunk prefix, or by one space, dot, hyphen or slash (spaces
    // around the last two allowed).
    compiled(
        &RE,
        concat!(
            r"\+?(?:\([0-9]{1,5}\)|[0-9]{1,5})",
            r"(?:(?: ?\(0\) ?| ?[-/] ?|[ .])(?:\([0-9]{1,5}\)|[0-9]{1,8})){0,6}"
        ),
    )
}

fn phone_cue() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A word that introduces a phone number, at the end of the text before it.
    compiled(
        &RE,
        concat!(
            r"(?i)(?:^|[^\p{L}])(?:tel|tél|telefon|telephone|téléphone|teléfono|telefono|telefone|",
            r"telefoon|phone|ph|fon|fax|telefax|mobile|mobil|handy|cell|call|whatsapp|hotline|",
            r"tlf|puhelin|☎|📞)\.?(?: ?(?:nr|no|number|nummer|num)\.?)?[ \t]*[:.\-]?[ \t]*(?:at|au|al|an|unter)?[ \t]*$"
        ),
    )
}

fn phone_lookalike() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Dates, year ranges and dotted quads.
    compiled(
        &RE,
        concat!(
            r"^(?:[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}|[0-9]{4}[./-][0-9]{1,2}[./-][0-9]{1,2}|",
            r"[0-9]{4} ?[-/] ?[0-9]{2,4}|[0-9]{1,3}(?:\.[0-9]{1,3}){3})$"
        ),
    )
}

fn north_american() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // (NPA) NXX-XXXX, NPA-NXX-XXXX, NPA.NXX.XXXX, with an optional leading 1: area code and
    // exchange start with 2–9.
    compiled(
        &RE,
        r"^(?:1[ .-])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}([ .-]))[2-9][0-9]{2}[ .-][0-9]{4}$",
    )
}

/// The phone numbers in `text`: a candidate (digits in groups, see `phone_pattern`) that stands
/// apart from neighbouring words and numbers and is not a date, a year range or a dotted quad,
/// counts when it is international (`+`, then 8–15 digits, E.164's limit), a North American
/// number written with its separators, or introduced by a word such as `Tel.` (6–15 digits).
pub fn phones(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    phone_pattern()
        .find_iter(text)
        .filter(|m| {
            let s = m.as_str();
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let after_next = text[m.end()..].chars().nth(1);
            let apart_before =
                before.is_none_or(|c| !(c.is_alphanumeric() || "+-./,_#€$£%".contains(c)));
            let apart_after = after.is_none_or(|c| {
                let decimal = ".,:".contains(c) && after_next.is_some_and(|d| d.is_ascii_digit());
                !c.is_alphanumeric() && !"-/_%€$".contains(c) && !decimal
            });
            if !apart_before || !apart_after || s.matches('(').count() != s.matches(')').count() {
                return false;
            }
            if phone_lookalike().is_match(s) {
                return false;
            }
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            if s.starts_with('+') {
                return (8..=15).contains(&digits) && bytes.get(m.start() + 1) != Some(&b'0');
            }
            if north_american().is_match(s) {
                return true;
            }
            // The cue: in the 40 bytes before, on the same line.
            let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let mut from = m.start().saturating_sub(40).max(line_start);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            (6..=15).contains(&digits) && phone_cue().is_match(&text[from..m.start()])
        })
        .map(|m| m.range())
        .collect()
}

/// Whether `ip` is a public (global unicast) IPv6 address: not unspecified, loopback,
/// link-local (fe80::/10), unique local (fc00::/7), multicast, documentation (2001:db8::/32)
/// or an IPv4-mapped address.
pub fn ipv6_public(ip: &Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || ip.to_ipv4_mapped().is_some())
}

/// The IPv6 addresses in `text` that `keep` accepts: candidates that parse as addresses and
/// are neither part of a longer word nor a time of day (`12:30:45` does not parse).
pub fn ipv6s(text: &str, keep: impl Fn(&Ipv6Addr) -> bool) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    ipv6_pattern()
        .find_iter(text)
        .filter(|m| {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            let glued = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b':');
            !glued(before)
                && !glued(after)
                && m.as_str().matches(':').count() >= 2
                && m.as_str().parse::<Ipv6Addr>().is_ok_and(|ip| keep(&ip))
        })
        .map(|m| m.range())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(ranges: Vec<Range<usize>>, text: &str) -> Vec<String> {
        ranges.into_iter().map(|r| text[r].to_owned()).collect()
    }

    #[test]
    fn iban_checksums() {
        // The standard examples of ISO 13616 / the national banks' documentation.
        for iban in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "CH9300762011623852957",
        ] {
            assert!(iban_valid(iban), "{iban}");
        }
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(!iban_valid("DE8937040044"));
        let text =
            "Konto: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX, alt DE89 3704 0044 0532 0130 01.";
        assert_eq!(found(ibans(text), text), ["DE89 3704 0044 0532 0130 00"]);
    }

    #[test]
    fn cards_need_an_issuer_a_length_and_luhn() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b"4111111111111112"));
        let text = "Visa 4111 1111 1111 1111, Amex 3782-822463-10005, order 4111 1111 1111 1112, \
                    ISBN 9783161484100, tracking 1234567812345670, zeros 0000 0000 0000 0000";
        assert_eq!(
            found(cards(text), text),
            ["4111 1111 1111 1111", "3782-822463-10005"]
        );
    }

    #[test]
    fn public_ipv6_addresses_only() {
        let text = "dns 2606:4700:4700::1111, lo ::1, ll fe80::1%eth0, doc 2001:db8::7, \
                    time 12:30:45, mac 00:1a:2b:3c:4d:5e, hash a3f9:77";
        assert_eq!(
            found(ipv6s(text, ipv6_public), text),
            ["2606:4700:4700::1111"]
        );
        let all = found(ipv6s(text, |_| true), text);
        assert_eq!(
            all,
            ["2606:4700:4700::1111", "::1", "fe80::1", "2001:db8::7"]
        );
    }
}
