#!/usr/bin/env python3
"""Token counting and token shards, side by side on one core, on the real page texts of
../shared/data/web (de, en, other), whole processes, median of --runs:

- tiktoken (Python, `encode_ordinary` per document) against thresh's `tokens` step with the
  built-in `o200k_base`: every document's count, and the time;
- datatrove 0.10.1 JsonlReader → DocumentTokenizer (unshuffled, eos appended; pinned to one
  core, as its batch encoding uses threads) against thresh JSON Lines → `datatrove_tokens`, with
  a byte-level BPE of 8,000 ids trained here with the `tokenizers` package.

tiktoken would download its encoding files; the script seeds `TIKTOKEN_CACHE_DIR` with the
copies the `tiktoken-rs` crate ships (under ~/.cargo/registry), which are the same files.
Install tiktoken into the peers' environment first: `~/.cache/thresh-peers/dt/bin/pip install tiktoken`.

    scripts/bench_tokens.py [--shared ../shared] [--bin target/release/thresh] [--runs 3]
"""
import glob
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from parity_tokens import DATATROVE, PYTHON, TRAIN
from thresh_run import script_args, web_documents, write_jsonl

TIKTOKEN = r'''
import json, sys, time
import tiktoken
enc = tiktoken.get_encoding("o200k_base")
src, out = sys.argv[1:]
counts = {}
for line in open(src, encoding="utf-8"):
    d = json.loads(line)
    counts[d["id"]] = len(enc.encode_ordinary(d["text"]))
json.dump(counts, open(out, "w"))
'''

BLOB = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def timed(cmd, env=None):
    cmd = ["taskset", "-c", "0"] + cmd
    env = dict(os.environ, **(env or {}), RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main():
    args = script_args(__doc__, os.path.join("data", "web"), lambda ap: ap.add_argument("--runs", type=int, default=3))
    if args is None:
        return 0
    binary = os.path.abspath(args.bin)
    docs = [d for d in web_documents(args.shared, lambda t, r: t, 1) if not d[0].endswith("/variant")]
    mb = sum(len(t.encode()) for _, t in docs) / 1e6
    assets = glob.glob(os.path.expanduser("~/.cargo/registry/src/*/tiktoken-rs-*/assets/o200k_base.tiktoken"))
    with tempfile.TemporaryDirectory() as work:
        src_dir = os.path.join(work, "src")
        os.makedirs(src_dir)
        src = os.path.join(src_dir, "docs.jsonl")
        write_jsonl(src, docs)
        cache = os.path.join(work, "tiktoken")
        os.makedirs(cache)
        shutil.copy(sorted(assets)[-1], os.path.join(cache, hashlib.sha1(BLOB.encode()).hexdigest()))
        env = {"TIKTOKEN_CACHE_DIR": cache}

        def thresh_run(output, steps=""):
            path = os.path.join(work, "pipeline.toml")
            with open(path, "w") as f:
                f.write(f'[input]\npaths = [{json.dumps(src)}]\n\n{steps}\n[output]\npath = "out"\n{output}')
            return timed([binary, "run", path, "-q", "--overwrite", "--threads", "1"])

        counts_path = os.path.join(work, "tiktoken.json")
        tk = statistics.median(timed([PYTHON, "-c", TIKTOKEN, src, counts_path], env) for _ in range(args.runs))
        th = statistics.median(
            thresh_run('compression = "none"\n', '[[step]]\ntype = "tokens"\ntokenizer = "o200k_base"\n') for _ in range(args.runs)
        )
        theirs = json.load(open(counts_path))
        ours = {}
        for shard in glob.glob(os.path.join(work, "out", "kept", "*.jsonl")):
            for line in open(shard, encoding="utf-8"):
                d = json.loads(line)
                ours[d["id"]] = d["thresh"]["tokens"]
        same = sum(ours.get(i) == n for i, n in theirs.items())
        print(f"{len(docs)} documents, {mb:.1f} MB, median of {args.runs} runs, one core, whole processes\n")
        print("| work | peer | peer s | thresh s | ratio | agreement |")
        print("|---|---|---|---|---|---|")
        print(f"| o200k_base counts | tiktoken encode_ordinary | {tk:.2f} | {th:.2f} | {tk / th:.1f}× | {same}/{len(theirs)} counts equal |")
        tok = os.path.join(work, "tokenizer.json")
        subprocess.run([PYTHON, "-c", TRAIN, src, tok, "0"], check=True, capture_output=True)
        dt = statistics.median(
            timed([PYTHON, "-c", DATATROVE, "ds", src_dir, tok, os.path.join(work, f"dt{i}")]) for i in range(args.runs)
        )
        th = statistics.median(
            thresh_run(f'format = "datatrove_tokens"\ntokenizer = {json.dumps(tok)}\neos_token = "<|endoftext|>"\n') for _ in range(args.runs)
        )
        print(f"| BPE 8,000 token shards | datatrove JsonlReader → DocumentTokenizer | {dt:.2f} | {th:.2f} | {dt / th:.1f}× | (scripts/parity_tokens.py) |")
        th = statistics.median(thresh_run('format = "datatrove_tokens"\ntokenizer = "o200k_base"\neos_token = "<|endoftext|>"\n') for _ in range(args.runs))
        print(f"| o200k_base token shards | — | — | {th:.2f} | — | {mb / th:.1f} MB/s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
