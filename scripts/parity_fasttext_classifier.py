#!/usr/bin/env python3
"""`fasttext_classifier` against datatrove 0.10.1's FastTextClassifierFilter with the same model:
same keep/drop decision, same rewritten text, label scores within 1e-4, on ../shared/data/web
(each page and its first 600 characters) in DOCUMENT, PARAGRAPH and SENTENCE mode, with
keep_labels and remove_labels.

The model is trained here, in the peers' datatrove environment with Python fastText (one
thread, fixed seed), on the web pages of every other document labelled by a rule written for
this test: `__label__hq` when at least half of the page's non-blank lines end in . ! ? : or "
and the page has at least 150 words, else `__label__cc` (DCLM's label names). datatrove's
`cached_asset_path_or_download` is monkeypatched to return the local model path, so nothing is
downloaded or copied.

    cargo build --release -p thresh-cli
    scripts/parity_fasttext_classifier.py [--shared ../shared] [--bin target/release/thresh]
"""
import json
import os
import sys
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args, web_documents, write_jsonl

TRAIN = r'''
import json, sys, fasttext
src, train, model = sys.argv[1:]
def label(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    ends = sum(l[-1] in '.!?:"' for l in lines)
    return "hq" if lines and 2 * ends >= len(lines) and len(text.split()) >= 150 else "cc"
with open(train, "w", encoding="utf-8") as f:
    for n, line in enumerate(open(src, encoding="utf-8")):
        d = json.loads(line)
        if n % 2 == 0:
            f.write(f"__label__{label(d['text'])} " + " ".join(d["text"].split()) + "\n")
m = fasttext.train_supervised(train, dim=16, epoch=25, lr=0.5, wordNgrams=2, minn=3, maxn=5, bucket=200000,
                              thread=1, seed=7, verbose=0)
m.save_model(model)
'''

DATATROVE = r'''
import json, sys
import datatrove.pipeline.filters.fasttext_filter as ff
from datatrove.data import Document
model, src, settings, out = sys.argv[1:]
ff.cached_asset_path_or_download = lambda path, **kwargs: path
f = ff.FastTextClassifierFilter(model, **json.loads(settings))
res = {}
for line in open(src, encoding="utf-8"):
    d = json.loads(line)
    doc = Document(text=d["text"], id=d["id"])
    keep = bool(f.filter(doc))
    scores = {k[len("__label__"):]: v for k, v in doc.metadata.items()}
    res[d["id"]] = {"keep": keep, "text": doc.text, "scores": scores}
json.dump(res, open(out, "w"))
'''

SETTINGS = {
    "DOCUMENT, keep hq >= 0.5": {"keep_labels": ["hq", 0.5]},
    "DOCUMENT, remove cc >= 0.9, newline_replacement ' '": {"remove_labels": [["cc", 0.9]], "newline_replacement": " "},
    "PARAGRAPH, keep hq >= 0.5": {"keep_labels": ["hq", 0.5], "filter_mode": "PARAGRAPH"},
    "PARAGRAPH, remove cc >= 0.99": {"remove_labels": ["cc", 0.99], "filter_mode": "PARAGRAPH"},
    "SENTENCE, keep hq >= 0.5": {"keep_labels": ["hq", 0.5], "filter_mode": "SENTENCE"},
}


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    docs = web_documents(args.shared, lambda text, rng: text[:600], 0)
    original = dict(docs)
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        model = os.path.join(work, "quality.bin")
        run_datatrove(TRAIN, src, os.path.join(work, "train.txt"), model)
        print(f"model trained on {(len(docs) + 1) // 2} documents: {os.path.getsize(model) / 1e6:.1f} MB")
        print("| settings | docs | datatrove keeps | thresh keeps | kept with text rewritten | same decision | same text | scores within 1e-4 | largest score difference |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, settings in SETTINGS.items():
            out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, model, src, json.dumps(settings), out)
            dt = json.load(open(out))
            table = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
            got, _ = run_pipeline(args.bin, work, [src],
                                  f'[[step]]\ntype = "fasttext_classifier"\nmodel = "{model}"\n{table}')
            # run_pipeline read kept and dropped documents back: kept ones have no dropped_by.
            kept_ids = {i for i, d in got.items() if "dropped_by" not in d.get("thresh", {})}
            same_keep = same_text = close = rewritten = 0
            worst = 0.0
            shown = 0
            for i, _ in docs:
                mine = got[i]["thresh"].get("fasttext_classifier", {})
                scores = {k: v for k, v in mine.items() if k in ("hq", "cc")}
                theirs = dt[i]
                same_keep += (i in kept_ids) == theirs["keep"]
                rewritten += theirs["keep"] and theirs["text"] != original[i]
                # A dropped document: datatrove empties its text, thresh keeps it as it came.
                same_text += got[i]["text"] == theirs["text"] or not theirs["keep"] and i not in kept_ids
                diffs = [abs(scores[k] - v) for k, v in theirs["scores"].items() if k in scores]
                ok = scores.keys() == theirs["scores"].keys() and all(d <= 1e-4 for d in diffs)
                close += ok
                worst = max([worst] + diffs)
                if ((i in kept_ids) != theirs["keep"] or not ok) and shown < 3:
                    shown += 1
                    print(f"  differs: {i}: thresh {i in kept_ids} {scores} datatrove {theirs['keep']} {theirs['scores']}")
            failures += 3 * len(docs) - same_keep - same_text - close
            print(f"| {name} | {len(docs)} | {sum(v['keep'] for v in dt.values())} | {len(kept_ids)} | {rewritten} | "
                  f"{same_keep} of {len(docs)} | {same_text} of {len(docs)} | {close} of {len(docs)} | {worst:.2e} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
