#!/usr/bin/env python3
"""doc_stats against datatrove 0.10.1's DocStats, LineStats, ParagraphStats and WordStats.

Runs each block's `extract_stats` (default parameters; WordStats with the page's language, as
datatrove would be configured for it) on every page text of ../shared/data/web (de, en, other),
as it is and with a seeded variant (CRLF or U+2028 line ends, bullets, upper-cased lines,
ellipses, repeated lines and paragraphs, `²` `①` `ǅ` `\\x0b` `\\x85` sprinkled in), in the
peers' environment (../shared/peers/install.sh), and thresh's `doc_stats` step (after
`metadata_language`, which gives it the page's language) through the release binary. Prints,
per statistic, the share of documents whose values are equal (|delta| <= 1e-9 relative), the
first differences, and the speed of each on one core: datatrove's four `extract_stats` (CPU
time) and thresh's whole run with and without `doc_stats` (wall time, `taskset -c 0`,
`--threads 1`, best of three), in MB of text per second.

    scripts/parity_doc_stats.py [--shared ../shared] [--bin target/release/thresh]
"""
import gzip
import json
import os
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args, web_documents

DATATROVE = r'''
import json, sys, time, tempfile
from datatrove.data import Document
from datatrove.pipeline.stats import DocStats, LineStats, ParagraphStats, WordStats
from datatrove.utils.word_tokenizers import load_word_tokenizer
src, out = sys.argv[1:]
docs = [json.loads(line) for line in open(src, encoding="utf-8")]
folder = tempfile.mkdtemp()
blocks = {"doc": DocStats(folder), "line": LineStats(folder), "paragraph": ParagraphStats(folder)}
words, unavailable = {}, {}
for d in docs:
    lang = d["metadata"]["language"]
    if lang in words or lang in unavailable:
        continue
    try:
        load_word_tokenizer(lang).word_tokenize("warm up")  # load outside the timing
        words[lang] = WordStats(folder, language=lang)
    except Exception as e:
        unavailable[lang] = f"{type(e).__name__}: {str(e)[:70]}"
res, seconds = {}, dict.fromkeys(["doc", "line", "paragraph", "word"], 0.0)
for d in docs:
    doc = Document(text=d["text"], id=d["id"])
    stats = {}
    lang = d["metadata"]["language"]
    for name, block in list(blocks.items()) + ([("word", words[lang])] if lang in words else []):
        start = time.process_time()
        stats.update(block.extract_stats(doc))
        seconds[name] += time.process_time() - start
    res[d["id"]] = stats
json.dump({"stats": res, "seconds": seconds, "unavailable": unavailable}, open(out, "w"))
'''

SPECIALS = ["²", "①", "ǅ", "\x0b", "\x85", "…", "...", "  ", "\t", "１", "ß"]


def variant(text, rng):
    out = []
    for line in text.split("\n"):
        r = rng.random()
        if r < 0.1:
            line = line.upper()
        elif r < 0.2:
            line = rng.choice(["  * ", "- ", "• "]) + line
        elif r < 0.3:
            line += rng.choice(["...", " …", "\"", "'", "?  "])
        if line and rng.random() < 0.2:
            i = rng.randrange(len(line))
            line = line[:i] + rng.choice(SPECIALS) + line[i:]
        out.append(line)
        if rng.random() < 0.1:
            out.append(rng.choice(out))
        if rng.random() < 0.05:
            out.append(rng.choice(["", " ", "\n"]))
    return rng.choice(["\n", "\r\n", "\u2028\n", "\n\n"]).join(out)


def page_languages(shared):
    langs = {}
    for part in ("de", "en", "other"):
        with gzip.open(os.path.join(shared, "data", "web", f"{part}.jsonl.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                langs[f"{part}/{d['id']}"] = d["lang"]
    return langs


def equal(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    langs = page_languages(args.shared)
    docs = [(i, t, langs[i.removesuffix("/variant")]) for i, t in web_documents(args.shared, variant, 11)]
    text_mb = sum(len(t.encode("utf-8")) for _, t, _ in docs) / 1e6
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for i, t, lang in docs:
                f.write(json.dumps({"id": i, "text": t, "metadata": {"language": lang}}, ensure_ascii=False) + "\n")
        out = os.path.join(work, "dt.json")
        run_datatrove(DATATROVE, src, out)
        with open(out) as f:
            dt = json.load(f)
        language = '[[step]]\ntype = "metadata_language"\n'
        steps = language + '\n[[step]]\ntype = "doc_stats"\n'
        runs = [run_pipeline(args.bin, work, [src], steps, one_core=True) for _ in range(3)]
        got = runs[0][0]
        with_step = min(stats["wall_seconds"] for _, stats in runs)
        without = min(run_pipeline(args.bin, work, [src], language, one_core=True)[1]["wall_seconds"]
                      for _ in range(3))
    expected = dt["stats"]
    names = list(dict.fromkeys(name for stats in expected.values() for name in stats))
    print(f"{len(docs)} documents ({len(docs) // 2} pages and their variants), {text_mb:.1f} MB of text")
    for lang, why in sorted(dt["unavailable"].items()):
        n = sum(1 for _, _, l in docs if l == lang)
        print(f"WordStats not compared for `{lang}` ({n} documents): datatrove's tokenizer fails here ({why})")
    print()
    print("| statistic | documents | equal | differing (first) |")
    print("|---|---|---|---|")
    differing = {}
    for name in names:
        n = same = 0
        first = None
        for i, _, lang in docs:
            if name not in expected[i]:
                continue
            n += 1
            mine = got[i]["thresh"]["doc_stats"].get(name)
            if mine is not None and equal(mine, expected[i][name]):
                same += 1
            else:
                differing.setdefault(name, []).append((i, lang))
                first = first or f"{i} ({lang}): thresh {mine}, datatrove {expected[i][name]}"
        print(f"| {name} | {n} | {same} ({100 * same / n:.2f}%) | {first or ''} |")
    if differing:
        print()
        print("Differing documents by language:")
        for name, ids in differing.items():
            by_lang = {}
            for _, lang in ids:
                by_lang[lang] = by_lang.get(lang, 0) + 1
            print(f"- {name}: " + ", ".join(f"{l} {c}" for l, c in sorted(by_lang.items())))
    seconds = dt["seconds"]
    total = sum(seconds.values())
    print()
    print("| one core | seconds | MB of text / s |")
    print("|---|---|---|")
    for name, s in seconds.items():
        print(f"| datatrove {name} extract_stats | {s:.2f} | {text_mb / s:.2f} |")
    print(f"| datatrove, all four | {total:.2f} | {text_mb / total:.2f} |")
    print(f"| thresh run, metadata_language + doc_stats (wall) | {with_step:.2f} | {text_mb / with_step:.2f} |")
    print(f"| thresh run, metadata_language only (wall) | {without:.2f} | {text_mb / without:.2f} |")
    step = with_step - without
    print(f"| thresh doc_stats (difference) | {step:.2f} | {text_mb / step:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
