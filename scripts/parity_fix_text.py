#!/usr/bin/env python3
"""fix_text against datatrove 0.10.1's FTFYFormatter (ftfy 6.3.1), with datatrove's defaults and
with every fix ftfy's TextFixerConfig can switch on, on the real page texts of ../shared/data/web
(de, en, other) as they are and damaged by the script: one or more paragraphs (or the whole text)
put through a seeded choice of the mix-ups ftfy repairs: UTF-8 read as windows-1252 (sloppy,
undefined bytes as Latin-1), Latin-1, windows-1250/1251, MacRoman, cp437, twice over; the same
with the bytes a browser loses (0xA0 turned into a space, undecodable bytes replaced by U+FFFD);
HTML entities (named, decimal, hex, and double-escaped); terminal colour escapes; C0/C1 control
characters and a byte-order mark; curly quotes, ligatures and full-width letters. Prints the share
of documents with identical output text. datatrove runs in the peers' environment
(../shared/peers/install.sh).

    scripts/parity_fix_text.py [--shared ../shared] [--bin target/release/thresh]
"""
import html
import os

from thresh_run import formatter_parity, script_args, web_documents


ALL_FIXES = {
    "fix_latin_ligatures": True,
    "fix_character_width": True,
    "uncurl_quotes": True,
    "fix_line_breaks": True,
    "normalization": "NFC",
}
SETTINGS = {"datatrove defaults": {}, "every fix": ALL_FIXES}


def sloppy(text, codec):
    """`text` as UTF-8 bytes read in a single-byte `codec`, bytes it leaves undefined as Latin-1
    (what ftfy's sloppy codecs and browsers do)."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def mojibake(text, rng):
    codec = rng.choice(["cp1252", "cp1252", "cp1252", "latin-1", "cp1250", "cp1251", "mac_roman", "cp437"])
    bad = sloppy(text, codec)
    roll = rng.random()
    if roll < 0.15:
        bad = sloppy(bad, "cp1252")  # twice over
    elif roll < 0.3:
        bad = bad.replace("\xa0", " ")  # the non-breaking space lost
    elif roll < 0.4:
        raw = text.encode("utf-8")
        bad = raw.decode("cp1252", errors="replace")  # undefined bytes lost as U+FFFD
    return bad


def entities(text, rng):
    kind = rng.randrange(4)
    if kind == 0:
        return html.escape(text)
    if kind == 1:
        return "".join(f"&#{ord(c)};" if ord(c) > 127 and rng.random() < 0.5 else c for c in text)
    if kind == 2:
        return "".join(f"&#x{ord(c):x};" if ord(c) > 127 and rng.random() < 0.5 else c for c in text)
    return html.escape(html.escape(text))


def controls(text, rng):
    pieces = ["\x1b[31m", "\x1b[0m", "\x1b[1;32m", "\x00", "\x07", "\x0b", "\x7f", "\ufeff", "\x85", "\x96", "\x92", "\u200b", "\ufffc"]
    words = text.split(" ")
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(words) + 1)
        words.insert(at, rng.choice(pieces))
    return " ".join(words)


def typography(text, rng):
    subs = [("'", "\u2019"), ('"', "\u201c"), ("fi", "\ufb01"), ("fl", "\ufb02"), ("A", "\uff21"), ("1", "\uff11"), ("\n", "\r\n"), ("\n", "\u2028")]
    for a, b in rng.sample(subs, 3):
        text = text.replace(a, b)
    return text


def damaged(text, rng):
    paragraphs = text.split("\n")
    damage = rng.choice([mojibake, mojibake, mojibake, entities, controls, typography])
    if rng.random() < 0.3:
        return damage(text, rng)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = damage(paragraphs[at], rng)
    return "\n".join(paragraphs)


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    docs = web_documents(args.shared, damaged, 17)
    formatter_parity(args.bin, docs, ("datatrove.pipeline.formatters", "FTFYFormatter"), "fix_text", SETTINGS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
