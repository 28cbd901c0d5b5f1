//! Mojibake repair: ftfy's `fix_encoding` — find the single-byte encoding the text was wrongly
//! decoded with, encode it back and decode the bytes as UTF-8 (with ftfy's repairs of bytes lost
//! on the way), fix UTF-8 mojibake embedded in otherwise sound text, and C1 control characters.

use std::borrow::Cow;

use super::tables::tables;

/// The options of ftfy's `TextFixerConfig` that `fix_encoding` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodingOptions {
    /// Read a space as the 0xA0 byte it was when that completes mojibake (`restore_byte_a0`).
    pub restore_byte_a0: bool,
    /// Mojibake partly replaced by `�` or `?` becomes one `�` (`replace_lossy_sequences`).
    pub replace_lossy_sequences: bool,
    /// Fix UTF-8 mojibake inside text that has no single encoding (`decode_inconsistent_utf8`).
    pub decode_inconsistent_utf8: bool,
    /// C1 control characters become their windows-1252 characters (`fix_c1_controls`).
    pub fix_c1_controls: bool,
}

impl Default for EncodingOptions {
    fn default() -> Self {
        EncodingOptions {
            restore_byte_a0: true,
            replace_lossy_sequences: true,
            decode_inconsistent_utf8: true,
            fix_c1_controls: true,
        }
    }
}

/// Whether `text` looks like mojibake (ftfy's `is_bad`).
pub fn is_bad(text: &str) -> bool {
    tables().badness.is_match(text)
}

/// ftfy's `fix_encoding`: one-step repairs until nothing changes.
pub fn fix_encoding<'a>(text: &'a str, options: &EncodingOptions) -> Cow<'a, str> {
    let mut text = Cow::Borrowed(text);
    loop {
        match one_step(&text, options) {
            Some(fixed) if fixed != *text => text = Cow::Owned(fixed),
            _ => return text,
        }
    }
}

/// ftfy's `_fix_encoding_one_step_and_explain`: the repaired text, or `None` for unchanged.
fn one_step(text: &str, options: &EncodingOptions) -> Option<String> {
    if text.is_ascii() || !is_bad(text) {
        return None;
    }
    let t = tables();
    let mut latin_1_possible = false;
    for charmap in &t.charmaps {
        let Some(mut bytes) = charmap.encode(text) else {
            continue;
        };
        latin_1_possible |= charmap.name == "latin-1";
        if options.restore_byte_a0 && charmap.name != "macroman" && t.altered_utf8.is_match(&bytes)
        {
            bytes = restore_byte_a0(&bytes);
        }
        if options.replace_lossy_sequences && charmap.name.starts_with("sloppy") {
            if let Cow::Owned(replaced) = t.lossy_utf8.replace_all(&bytes, "\u{FFFD}".as_bytes()) {
                bytes = replaced;
            }
        }
        if let Some(fixed) = decode_utf8_variants(&bytes) {
            return Some(fixed);
        }
    }
    if options.decode_inconsistent_utf8 && detector_matches(text).next().is_some() {
        let fixed = decode_inconsistent_utf8(text);
        if fixed != text {
            return Some(fixed);
        }
    }
    // ftfy also asks whether "windows-1252" was possible, a name its list does not hold (it has
    // the sloppy one), so text that encodes as Latin-1 is always tried as strict windows-1252.
    if latin_1_possible {
        let fixed: Option<String> = text
            .chars()
            .map(|c| t.windows_1252.decode(c as u32 as u8))
            .collect();
        if let Some(fixed) = fixed.filter(|f| f != text) {
            return Some(fixed);
        }
    }
    if options.fix_c1_controls && text.chars().any(is_c1) {
        return Some(fix_c1_controls(text).into_owned());
    }
    None
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// ftfy's `fix_c1_controls`: each C1 control character as sloppy windows-1252 reads its byte.
pub fn fix_c1_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_c1) {
        return Cow::Borrowed(text);
    }
    let sloppy = &tables().charmaps[1];
    debug_assert_eq!(sloppy.name, "sloppy-windows-1252");
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_c1(c) {
                    sloppy.decode(c as u32 as u8).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// ftfy's `restore_byte_a0`: `Ã ` before a word (not the Portuguese `à`-less cases ftfy lists)
/// becomes `à `, and a space inside what would otherwise be a UTF-8 sequence becomes 0xA0.
fn restore_byte_a0(bytes: &[u8]) -> Vec<u8> {
    const NOT_BEFORE: [&[u8]; 5] = [b" ", b"quele", b"quela", b"quilo", b"s "];
    let mut graved = Vec::with_capacity(bytes.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0xC3 && bytes.get(i + 1) == Some(&b' ') {
            let rest = &bytes[i + 2..];
            if !NOT_BEFORE.iter().any(|w| rest.starts_with(w)) {
                graved.extend_from_slice(b"\xC3\xA0 ");
                i += 2;
                continue;
            }
        }
        graved.push(bytes[i]);
        i += 1;
    }
    tables()
        .altered_utf8
        .replace_all(&graved, |m: &regex::bytes::Captures| {
            m[0].iter()
                .map(|&b| if b == b' ' { 0xA0 } else { b })
                .collect::<Vec<u8>>()
        })
        .into_owned()
}

/// Decodes UTF-8 as ftfy's `utf-8-variants` codec does: also `C0 80` (Java's NUL) and CESU-8
/// surrogate pairs; `None` for anything else that is not UTF-8.
fn decode_utf8_variants(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return Some(out);
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).ok()?);
                match bad {
                    [0xC0, 0x80, ..] => {
                        out.push('\0');
                        rest = &bad[2..];
                    }
                    [0xED, b1 @ 0xA0..=0xAF, b2 @ 0x80..=0xBF, 0xED, b4 @ 0xB0..=0xBF, b5 @ 0x80..=0xBF, ..] =>
                    {
                        let cp = ((*b1 as u32 & 0x0F) << 16)
                            + ((*b2 as u32 & 0x3F) << 10)
                            + ((*b4 as u32 & 0x0F) << 6)
                            + (*b5 as u32 & 0x3F)
                            + 0x10000;
                        out.push(char::from_u32(cp)?);
                        rest = &bad[6..];
                    }
                    _ => return None,
                }
            }
        }
    }
}

/// The matches of `UTF8_DETECTOR_RE` in `text`, its look-behind applied: (start, end).
fn detector_matches(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let t = tables();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos <= text.len() {
            let m = t.utf8_detector.find_at(text, pos)?;
            let before = text[..m.start()].chars().next_back();
            let behind = before.is_some_and(|c| {
                let at = m.start() - c.len_utf8();
                t.utf8_detector_lookbehind.is_match(&text[at..m.start()])
            });
            if behind {
                pos = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            pos = m.end();
            return Some((m.start(), m.end()));
        }
        None
    })
}

/// ftfy's `decode_inconsistent_utf8`: each stretch that looks like UTF-8 mojibake, shorter than
/// the whole text and bad, is fixed on its own (with ftfy's default options, as ftfy does).
fn decode_inconsistent_utf8(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in detector_matches(text) {
        let piece = &text[start..end];
        out.push_str(&text[last..start]);
        if piece.len() < text.len() && is_bad(piece) {
            out.push_str(&fix_encoding(piece, &EncodingOptions::default()));
        } else {
            out.push_str(piece);
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str) -> String {
        fix_encoding(text, &EncodingOptions::default()).into_owned()
    }

    #[test]
    fn ftfy_documented_examples() {
        // From ftfy's documentation and README.
        assert_eq!(fix("sÃ³"), "só");
        assert_eq!(fix("â€¢"), "•");
        assert_eq!(fix("âœ” No problems"), "✔ No problems");
        assert_eq!(
            fix("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows."),
            "The Mona Lisa doesn’t have eyebrows."
        );
        assert_eq!(
            fix("Ã\u{a0} perturber la rÃ©flexion"),
            "à perturber la réflexion"
        );
        assert_eq!(fix("Ã perturber la rÃ©flexion"), "à perturber la réflexion");
        assert_eq!(fix("Ð¿Ð¾ÐµÐ·Ð´Ð° Ð¾Ð³Ð½ÐµÐ½Ð½Ñ‹Ð¹"), "поезда огненный");
    }

    #[test]
    fn sound_text_is_left_alone() {
        for text in [
            "Straße",
            "naïve café",
            "Ελληνικά",
            "日本語のテキスト",
            "Größe: 5 × 3 cm²",
            "Ça va? Oui.",
        ] {
            assert_eq!(fix(text), text);
        }
    }

    #[test]
    fn utf8_variants() {
        assert_eq!(decode_utf8_variants(b"a\xC0\x80b").as_deref(), Some("a\0b"));
        // U+1F600 as a CESU-8 surrogate pair: D83D DE00.
        assert_eq!(
            decode_utf8_variants(b"\xED\xA0\xBD\xED\xB8\x80").as_deref(),
            Some("😀")
        );
        assert_eq!(decode_utf8_variants(b"\xED\xA0\xBD"), None);
        assert_eq!(decode_utf8_variants(b"\xFF"), None);
    }

    #[test]
    fn byte_a0_restored() {
        // "à " with its 0xA0 lost: the word after keeps its space.
        assert_eq!(restore_byte_a0(b"\xC3 la"), b"\xC3\xA0 la");
        // Before ftfy's exceptions (a second space, Portuguese words) the space is taken as the
        // lost 0xA0 of "à" itself.
        assert_eq!(restore_byte_a0(b"\xC3 quele"), b"\xC3\xA0quele");
        assert_eq!(restore_byte_a0(b"\xC3  x"), b"\xC3\xA0 x");
        // A lost 0xA0 continuation byte inside a three-byte sequence.
        assert_eq!(restore_byte_a0(b"\xE2\x80 x"), b"\xE2\x80\xA0x");
    }

    #[test]
    fn c1_controls() {
        assert_eq!(fix_c1_controls("\u{93}quoted\u{94}"), "“quoted”");
        assert_eq!(fix_c1_controls("plain"), "plain");
    }
}
