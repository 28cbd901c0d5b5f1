#!/usr/bin/env python3
"""Writes crates/thresh-text/data/fix_text/ftfy-6.3.1.json: the tables and patterns of ftfy 6.3.1
that the `fix_text` step needs, taken from ftfy itself so thresh decides as ftfy does: the
mojibake heuristic (`ftfy.badness.BADNESS_RE`) and the UTF-8 detector (`UTF8_DETECTOR_RE`) as
Rust `regex` syntax (Python's `\\s`, `\\w` and `\\d` written out as the code points Python 3.11's
`re` gives them, so the Unicode version is pinned too), the bytes patterns of `restore_byte_a0`
and `replace_lossy_sequences`, the ten single-byte encodings ftfy tries (its sloppy codecs
included), its HTML entity table (and what Python's `html.unescape` does with numeric
references), and the ligature, width and control-character maps.

Run with ftfy 6.3.1 installed (the peers' datatrove environment has it):

    ~/.cache/thresh-peers/dt/bin/python scripts/build_ftfy_tables.py
"""
import html
import json
import os
import re
import sys

try:
    import re._parser as sre_parse
    import re._constants as sre_constants
except ImportError:  # Python < 3.11
    import sre_parse
    import sre_constants

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)
from ftfy import badness, chardata

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "thresh-text", "data", "fix_text", "ftfy-6.3.1.json")
C = sre_constants


def category_ranges(pattern):
    """The code points a one-character Python pattern matches, as (lo, hi) ranges."""
    rx = re.compile(pattern)
    ranges, start = [], None
    for cp in range(0x110000):
        # Surrogates cannot occur in Rust text.
        hit = not 0xD800 <= cp <= 0xDFFF and rx.match(chr(cp)) is not None
        if hit and start is None:
            start = cp
        if not hit and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    return ranges


CATEGORIES = {}


def category(cat):
    name = {C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w", C.CATEGORY_DIGIT: r"\d"}.get(cat)
    if name is None:
        raise ValueError(f"unsupported category {cat}")
    if name not in CATEGORIES:
        CATEGORIES[name] = "".join(item(lo, hi) for lo, hi in category_ranges(name))
    return CATEGORIES[name]


def char(cp, raw_bytes):
    if raw_bytes:
        return f"\\x{cp:02X}"
    if chr(cp).isascii() and chr(cp).isalnum():
        return chr(cp)
    return f"\\x{{{cp:X}}}"


def item(lo, hi, raw_bytes=False):
    return char(lo, raw_bytes) if lo == hi else f"{char(lo, raw_bytes)}-{char(hi, raw_bytes)}"


def emit(parsed, raw_bytes):
    """Rust regex syntax for a parsed Python pattern (the constructs ftfy's patterns use)."""
    out = []
    for op, av in parsed:
        if op is C.LITERAL:
            out.append(char(av, raw_bytes))
        elif op is C.NOT_LITERAL:
            out.append(f"[^{char(av, raw_bytes)}]")
        elif op is C.ANY:
            out.append(".")
        elif op is C.IN:
            negate = ""
            parts = []
            for iop, iav in av:
                if iop is C.NEGATE:
                    negate = "^"
                elif iop is C.LITERAL:
                    parts.append(char(iav, raw_bytes))
                elif iop is C.RANGE:
                    parts.append(item(iav[0], iav[1], raw_bytes))
                elif iop is C.CATEGORY:
                    parts.append(category(iav))
                else:
                    raise ValueError(f"unsupported class item {iop}")
            out.append(f"[{negate}{''.join(parts)}]")
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(emit(alt, raw_bytes) for alt in av[1]) + ")")
        elif op is C.SUBPATTERN:
            out.append("(?:" + emit(av[3], raw_bytes) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            bound = f"{{{lo},}}" if hi is C.MAXREPEAT else f"{{{lo},{hi}}}"
            out.append("(?:" + emit(sub, raw_bytes) + ")" + bound + ("?" if op is C.MIN_REPEAT else ""))
        elif op is C.AT and av is C.AT_BEGINNING:
            out.append(r"\A")
        elif op is C.CATEGORY:
            out.append(f"[{category(av)}]")
        else:
            raise ValueError(f"unsupported construct {op}")
    return "".join(out)


def rust_regex(pattern):
    raw_bytes = isinstance(pattern.pattern, bytes)
    return emit(sre_parse.parse(pattern.pattern, pattern.flags), raw_bytes)


def detector():
    """UTF8_DETECTOR_RE without its leading one-character negative look-behind, which thresh
    checks itself: (look-behind class, rest)."""
    parsed = sre_parse.parse(chardata.UTF8_DETECTOR_RE.pattern, chardata.UTF8_DETECTOR_RE.flags)
    (op, av), rest = parsed[0], parsed[1:]
    assert op is C.ASSERT_NOT and av[0] == -1, "the detector no longer starts with a look-behind"
    rest_pattern = sre_parse.SubPattern(parsed.state, list(rest))
    return emit(av[1], False), emit(rest_pattern, False)


def charmap(encoding):
    """The 256 characters an encoding decodes bytes to, or None where it has none."""
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode(encoding))
        except UnicodeDecodeError:
            table.append(None)
    return table


def main():
    lookbehind, rest = detector()
    assert ftfy.__version__ == "6.3.1", ftfy.__version__
    tables = {
        "ftfy_version": ftfy.__version__,
        "python_unicode_version": __import__("unicodedata").unidata_version,
        "badness": rust_regex(badness.BADNESS_RE),
        "utf8_detector_lookbehind": lookbehind,
        "utf8_detector": rest,
        "altered_utf8": rust_regex(chardata.ALTERED_UTF8_RE),
        "lossy_utf8": rust_regex(chardata.LOSSY_UTF8_RE),
        "charmap_encodings": chardata.CHARMAP_ENCODINGS,
        "charmaps": {enc: charmap(enc) for enc in chardata.CHARMAP_ENCODINGS + ["windows-1252"]},
        "html_entities": chardata.HTML_ENTITIES,
        # What Python's html.unescape (which ftfy calls for numeric references) does with
        # numbers HTML5 redefines or forbids.
        "html_invalid_charrefs": {str(k): v for k, v in sorted(html._invalid_charrefs.items())},
        "html_invalid_codepoints": sorted(html._invalid_codepoints),
        "ligatures": {chr(k): v for k, v in chardata.LIGATURES.items()},
        "width_map": {chr(k): v for k, v in chardata.WIDTH_MAP.items()},
        "control_chars": "".join(chr(k) for k in chardata.CONTROL_CHARS),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(tables, f, ensure_ascii=False, indent=0, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
