#!/usr/bin/env python3
"""Decision parity of thresh's quality steps with datatrove 0.10.1, and their speed.

Runs thresh with gopher_repetition, gopher_quality, fineweb_quality and c4_quality in annotate
mode (each decides on the original text; c4_quality runs last because it rewrites the text)
over ../shared/data/web/{de,en}.jsonl.gz and the German fixture, and compares every
document's keep/drop decision and drop reason with datatrove's own decisions on the same pages
(../shared/data/web/datatrove-0.10.1-decisions-*.jsonl.gz, produced by running datatrove with
../shared/peers/datatrove_filters.py; pass --run-datatrove to recompute them here).

    scripts/parity_filters.py [--shared ../shared] [--bin target/release/thresh] [--run-datatrove]
                              [--other] [--extraction]

--other also runs datatrove here on the pages of ../shared/data/web/other.jsonl.gz, one
language at a time (`lang` field; languages whose datatrove tokenizer is installed in the
peers' environment), and compares in the same way. --extraction does the same on the
ground-truth main-content bodies of ../shared/data/extraction/wcxb (English).
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

from thresh_run import run_pipeline, script_args

# other.jsonl.gz languages → datatrove's codes (zh, ja, ko need tokenizers the peers lack).
OTHER = {"es": "spa", "fr": "fra", "pt": "por", "ru": "rus", "it": "ita", "fi": "fin",
         "id": "ind", "ar": "ara", "nb": "nob", "la": "lat", "ms": "msa", "mi": "mri", "yo": "yor"}
FILTERS = ["gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"]
ORDER = ["gopher_repetition", "gopher_quality", "fineweb_quality", "c4_quality"]


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_thresh(binary, inputs, lang, work):
    # preset = "datatrove": datatrove's exact behaviour (the default is language-aware).
    steps = "\n".join(
        f'[[step]]\ntype = "{t}"\nmode = "annotate"\nlanguage = "{lang}"\n'
        + ('' if t == "c4_quality" else 'preset = "datatrove"\n') for t in ORDER)
    return run_pipeline(binary, work, inputs, steps, one_core=True)


def verdict(doc, name):
    would = doc["thresh"].get(name, {}).get("would_drop")
    return (True, None) if would is None else (False, would.split()[0])


def compare(label, thresh_docs, decisions, worst):
    rows = []
    for name in FILTERS:
        same = same_reason = n = same_text = 0
        mismatches = []
        for d in decisions:
            t = thresh_docs.get(d["id"])
            if t is None or name not in d:
                continue
            n += 1
            keep, reason = verdict(t, name)
            dt = d[name]
            if keep == dt["keep"]:
                same += 1
                if name == "c4_quality" and keep and t["text"] == dt.get("text_after"):
                    same_text += 1
                if keep or reason == dt.get("reason"):
                    same_reason += 1
                else:
                    mismatches.append((d["id"], f"thresh {reason} / datatrove {dt.get('reason')}"))
            else:
                mismatches.append((d["id"], f"thresh {'keep' if keep else reason} / datatrove "
                                            f"{'keep' if dt['keep'] else dt.get('reason')}"))
        rows.append((label, name, n, same, same_reason, same_text if name == "c4_quality" else None))
        worst.extend((label, name, i, m) for i, m in mismatches[:5])
    return rows


def main():
    def options(ap):
        for flag in ("--run-datatrove", "--other", "--extraction"):
            ap.add_argument(flag, action="store_true")

    args = script_args(__doc__, os.path.join("data", "web"), options)
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    rows, worst = [], []
    print("| set | docs | thresh docs/s (1 core, 4 filters) |")
    print("|---|---|---|")
    for lang, code in [("de", "deu"), ("en", "eng")]:
        src = os.path.join(web, f"{lang}.jsonl.gz")
        with tempfile.TemporaryDirectory() as work:
            if args.run_datatrove:
                dec_path = os.path.join(work, "dt.jsonl")
                subprocess.run([os.path.join(args.shared, "peers", "py"), "dt", "datatrove_filters.py",
                                src, dec_path, "--lang", code], check=True)
            else:
                dec_path = os.path.join(web, f"datatrove-0.10.1-decisions-{lang}.jsonl.gz")
            decisions = read_jsonl(dec_path)
            docs, stats = run_thresh(args.bin, [os.path.abspath(src)], lang, work)
            print(f"| {lang} | {stats['read']} | {stats['docs_per_second']:.0f} |")
            rows += compare(lang, docs, decisions, worst)
    if args.other:
        by_lang = {}
        for d in read_jsonl(os.path.join(web, "other.jsonl.gz")):
            by_lang.setdefault(d["lang"], []).append(d)
        other_rows = []
        for lang, docs_in in sorted(by_lang.items()):
            code = OTHER.get(lang)
            if code is None:
                print(f"| {lang} | {len(docs_in)} | skipped: datatrove's tokenizer for {lang} is not installed |")
                continue
            with tempfile.TemporaryDirectory() as work:
                src = os.path.join(work, f"{lang}.jsonl")
                with open(src, "w", encoding="utf-8") as f:
                    for d in docs_in:
                        f.write(json.dumps(d, ensure_ascii=False) + "\n")
                dec_path = os.path.join(work, "dt.jsonl")
                dt = subprocess.run([os.path.join(args.shared, "peers", "py"), "dt", "datatrove_filters.py",
                                     src, dec_path, "--lang", code], capture_output=True, text=True)
                if dt.returncode != 0:
                    print(f"| {lang} | {len(docs_in)} | skipped: datatrove failed ({dt.stderr.strip().splitlines()[-1][:80]}) |")
                    continue
                out_docs, stats = run_thresh(args.bin, [src], lang, work)
                print(f"| {lang} | {stats['read']} | {stats['docs_per_second']:.0f} |")
                other_rows += compare(lang, out_docs, read_jsonl(dec_path), worst)
        totals = {}
        for _, name, n, same, same_reason, _ in other_rows:
            t = totals.setdefault(name, [0, 0, 0])
            t[0] += n
            t[1] += same
            t[2] += same_reason
        rows += [("other", name, n, same, sr, None) for name, (n, same, sr) in totals.items()]
    if args.extraction:
        truth = os.path.join(args.shared, "data", "extraction", "wcxb", "ground-truth.jsonl.gz")
        with tempfile.TemporaryDirectory() as work:
            src = os.path.join(work, "wcxb.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                for d in read_jsonl(truth):
                    if d.get("main_content", "").strip():
                        f.write(json.dumps({"id": d["id"], "text": d["main_content"]}, ensure_ascii=False) + "\n")
            dec_path = os.path.join(work, "dt.jsonl")
            subprocess.run([os.path.join(args.shared, "peers", "py"), "dt", "datatrove_filters.py",
                            src, dec_path, "--lang", "eng"], check=True, capture_output=True)
            out_docs, stats = run_thresh(args.bin, [src], "en", work)
            print(f"| wcxb ground truth (en) | {stats['read']} | {stats['docs_per_second']:.0f} |")
            rows += compare("wcxb", out_docs, read_jsonl(dec_path), worst)
    print()
    print("| set | filter | docs | same keep/drop | same reason | same text after (c4, both kept) |")
    print("|---|---|---|---|---|---|")
    for label, name, n, same, same_reason, same_text in rows:
        text = "" if same_text is None else f"{same_text}"
        print(f"| {label} | {name} | {n} | {100 * same / max(n, 1):.2f}% | {100 * same_reason / max(n, 1):.2f}% | {text} |")
    fixture = os.path.join(args.shared, "fixtures", "de-keyword-stuffed.jsonl")
    if os.path.exists(fixture):
        with tempfile.TemporaryDirectory() as work:
            docs, _ = run_thresh(args.bin, [os.path.abspath(fixture)], "de", work)
            for d in docs.values():
                print()
                print("German fixture (language = de):",
                      ", ".join(f"{n}: {'keep' if verdict(d, n)[0] else verdict(d, n)[1]}" for n in FILTERS))
    if worst:
        print()
        print("Mismatches (up to 5 per filter and set):")
        for label, name, i, m in worst:
            print(f"- {label} {name} {i}: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
