#!/usr/bin/env python3
"""symbol_lines against datatrove 0.10.1's SymbolLinesFormatter, with its defaults and with
FineWeb-2's settings (symbols_to_remove = ["|"], replace_char = "\\n"), on the real page texts of
../shared/data/web (de, en, other) as they are and with table and separator rows the script
inserts (a seeded choice of `| | |`, `---`, `* * *`, `|`, `=====`, `• • •`, `-\\t-`, ` | `,
after every few lines): the share of documents whose output text is identical. datatrove runs in
the peers' environment (../shared/peers/install.sh).

    scripts/parity_symbol_lines.py [--shared ../shared] [--bin target/release/thresh]
"""
import gzip
import json
import os
import random
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args, write_jsonl

DATATROVE = r'''
import json, sys, time
from datatrove.pipeline.formatters import SymbolLinesFormatter
src, settings, out = sys.argv[1:]
f = SymbolLinesFormatter(**json.loads(settings))
docs = [json.loads(line) for line in open(src, encoding="utf-8")]
start = time.process_time()
res = {d["id"]: f.format(d["text"]) for d in docs}
seconds = time.process_time() - start
json.dump({"texts": res, "seconds": seconds}, open(out, "w"))
'''

ROWS = ["| | |", "---", "* * *", "|", "=====", "• • •", "-\t-", " | ", "|  |  |", "++--++"]
SETTINGS = {
    "datatrove defaults": {},
    "FineWeb-2": {"symbols_to_remove": ["|"], "replace_char": "\n"},
}


def damaged(text, rng):
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % rng.randint(2, 6) == 0:
            out.extend(rng.choice(ROWS) for _ in range(rng.randint(1, 3)))
    return "\n".join(out)


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    docs = []
    rng = random.Random(7)
    for lang in ("de", "en", "other"):
        for line in gzip.open(os.path.join(web, f"{lang}.jsonl.gz"), "rt", encoding="utf-8"):
            d = json.loads(line)
            docs.append((f"{lang}/{d['id']}", d["text"]))
            docs.append((f"{lang}/{d['id']}/rows", damaged(d["text"], rng)))
    print("| settings | docs | identical text | text changed by datatrove | datatrove MB/s (format only) | thresh MB/s (whole run, one core) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        for name, settings in SETTINGS.items():
            out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, src, json.dumps(settings), out)
            result = json.load(open(out))
            expected, dt_seconds = result["texts"], result["seconds"]
            mb = sum(len(t.encode("utf-8")) for _, t in docs) / 1e6
            params = "".join(
                f"{k} = {json.dumps(v)}\n" for k, v in settings.items()
            )
            steps = f'[[step]]\ntype = "symbol_lines"\n{params}'
            got, stats = run_pipeline(args.bin, work, [src], steps, one_core=True)
            same = sum(got[i]["text"] == expected[i] for i, _ in docs)
            original = dict(docs)
            changed = sum(expected[i] != original[i].rstrip("\n") for i, _ in docs)
            print(f"| {name} | {len(docs)} | {same} ({100 * same / len(docs):.2f}%) | {changed} | {mb / dt_seconds:.1f} | {stats['mb_per_second']:.1f} |")
            for i, _ in docs:
                if got[i]["text"] != expected[i]:
                    print(f"  differs: {i}")
                    break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
