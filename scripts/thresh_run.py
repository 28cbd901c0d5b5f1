"""Shared by the evaluation scripts: run the thresh binary on a pipeline and read its output."""
import argparse
import glob
import json
import os
import subprocess
import tempfile


def run_pipeline(binary, work, inputs, steps, one_core=False):
    """Writes WORK/pipeline.toml with `inputs` (paths) and `steps` (TOML text of [[step]] tables),
    runs it (on one core with `one_core`), and returns (documents by id, kept and dropped, stats)."""
    toml = f'[input]\npaths = {json.dumps(inputs)}\n\n{steps}\n[output]\npath = "out"\n'
    path = os.path.join(work, "pipeline.toml")
    with open(path, "w") as f:
        f.write(toml)
    command = [binary, "run", path, "-q", "--overwrite"]
    if one_core:
        command = ["taskset", "-c", "0"] + command + ["--threads", "1"]
    subprocess.run(command, check=True)
    out = os.path.join(work, "out")
    docs = {}
    for sub in ("kept", "dropped"):
        for shard in sorted(glob.glob(os.path.join(out, sub, "**", "*.jsonl*"), recursive=True)):
            data = subprocess.run(["zstd", "-dcf", shard], check=True, capture_output=True).stdout
            # Split on \n only: JSON strings may hold U+2028 and other breaks Python's splitlines sees.
            for line in filter(None, data.decode("utf-8").split("\n")):
                d = json.loads(line)
                docs[d["id"]] = d
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    return docs, stats


def write_jsonl(path, docs):
    """Writes (id, text) pairs as JSON Lines."""
    with open(path, "w", encoding="utf-8") as f:
        for i, text in docs:
            f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")


def script_args(doc, need, extra=None):
    """Parses --shared and --bin (and what `extra(parser)` adds) for an evaluation script; says
    so and returns None when ../shared/`need` is absent."""
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "thresh"))
    if extra:
        extra(ap)
    args = ap.parse_args()
    path = os.path.join(args.shared, need)
    if not os.path.isdir(path):
        print(f"skipped: {path} not found (the evaluation needs ../shared)")
        return None
    return args


def run_datatrove(code, *args):
    """Runs Python `code` with `args` in the peers' datatrove environment
    (../shared/peers/install.sh; `THRESH_PEERS` overrides its location)."""
    peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
    subprocess.run([os.path.join(peers, "dt", "bin", "python"), "-c", code, *args], check=True)


FORMATTER = r'''
import importlib, json, sys, time
module, cls, src, settings, out = sys.argv[1:]
Formatter = getattr(importlib.import_module(module), cls)
settings = json.loads(settings)
docs = [json.loads(line) for line in open(src, encoding="utf-8")]
start = time.process_time()
# A fresh formatter per document (PIIFormatter's replacement turn would run across documents).
res = {d["id"]: Formatter(**settings).format(d["text"]) for d in docs}
seconds = time.process_time() - start
json.dump({"texts": res, "seconds": seconds}, open(out, "w"))
'''


def web_documents(shared, variant, seed):
    """(id, text) of the page texts of SHARED/data/web (de, en, other), each followed by
    `variant(text, rng)` (id suffixed `/variant`), with a seeded random.Random."""
    import gzip
    import random

    rng = random.Random(seed)
    docs = []
    for lang in ("de", "en", "other"):
        path = os.path.join(shared, "data", "web", f"{lang}.jsonl.gz")
        for line in gzip.open(path, "rt", encoding="utf-8"):
            d = json.loads(line)
            docs.append((f"{lang}/{d['id']}", d["text"]))
            docs.append((f"{lang}/{d['id']}/variant", variant(d["text"], rng)))
    return docs


def formatter_parity(binary, docs, formatter, step_type, settings):
    """Prints, per named settings, how many of `docs` a datatrove formatter (`formatter`:
    module and class, a fresh one per document) and the thresh step `step_type` with the same
    parameters turn into identical text, and the speed of each (one core)."""
    print("| settings | docs | identical text | text changed by datatrove | datatrove MB/s (format only) | thresh MB/s (whole run, one core) |")
    print("|---|---|---|---|---|---|")
    original = dict(docs)
    mb = sum(len(t.encode("utf-8")) for _, t in docs) / 1e6
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        for name, params in settings.items():
            out = os.path.join(work, "dt.json")
            run_datatrove(FORMATTER, *formatter, src, json.dumps(params), out)
            with open(out) as f:
                result = json.load(f)
            expected = result["texts"]
            table = "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
            got, stats = run_pipeline(binary, work, [src], f'[[step]]\ntype = "{step_type}"\n{table}', one_core=True)
            same = sum(got[i]["text"] == expected[i] for i, _ in docs)
            changed = sum(expected[i] != original[i] for i, _ in docs)
            print(f"| {name} | {len(docs)} | {same} ({100 * same / len(docs):.2f}%) | {changed} | {mb / result['seconds']:.1f} | {stats['mb_per_second']:.1f} |")
            for i, _ in docs:
                if got[i]["text"] != expected[i]:
                    print(f"  differs: {i}")
                    break
