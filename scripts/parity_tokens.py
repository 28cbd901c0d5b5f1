#!/usr/bin/env python3
"""Token shards and token counts against datatrove 0.10.1 (tokenizers from the peers'
environment), on the real page texts of ../shared/data/web (de, en, other):

- two byte-level BPE tokenizers trained here with the `tokenizers` package on those texts: one of
  8,000 ids (datatrove writes uint16) and the same with 70,000 added tokens (uint32);
- datatrove's DocumentTokenizer (shuffle_documents=False, eos_token="<|endoftext|>") against
  `[output] format = "datatrove_tokens"`: the `.ds` and `.ds.index` files byte for byte, the
  `.ds.metadata` file but for the tokenizer path it names;
- datatrove's MegatronDocumentTokenizer against `format = "megatron"`: `.bin` and `.idx`;
- datatrove's TokensCounter against the `tokens` step: every document's count;
- speed, one core each (datatrove pinned too, its batch encoding uses threads): JsonlReader →
  DocumentTokenizer against thresh's JSON Lines → token shards, whole processes.

    scripts/parity_tokens.py [--shared ../shared] [--bin target/release/thresh]
"""
import filecmp
import glob
import json
import os
import subprocess
import tempfile
import time

from thresh_run import script_args, web_documents, write_jsonl

PEERS = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
PYTHON = os.path.join(PEERS, "dt", "bin", "python")

TRAIN = r'''
import json, sys
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
src, out, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = [json.loads(l)["text"] for l in open(src, encoding="utf-8")]
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=8000, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
tok.train_from_iterator(texts, trainer)
if extra:
    tok.add_tokens([f"<extra_{i}>" for i in range(extra)])
tok.save(out)
print(tok.get_vocab_size())
'''

DATATROVE = r'''
import sys, time
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.tokens import DocumentTokenizer, TokensCounter
from datatrove.pipeline.tokens.megatron_tokenizer import MegatronDocumentTokenizer
from datatrove.pipeline.writers import JsonlWriter
what, src_dir, tok, out = sys.argv[1:]
reader = JsonlReader(src_dir, glob_pattern="*.jsonl")
if what == "ds":
    step = DocumentTokenizer(out, tokenizer_name_or_path=tok, eos_token="<|endoftext|>", shuffle_documents=False)
elif what == "megatron":
    step = MegatronDocumentTokenizer(out, tokenizer_name_or_path=tok, eos_token="<|endoftext|>")
else:
    step = [TokensCounter(tokenizer_name_or_path=tok), JsonlWriter(out, compression=None)]
steps = [reader] + (step if isinstance(step, list) else [step])
t = time.perf_counter()
LocalPipelineExecutor(pipeline=steps, tasks=1, workers=1, logging_dir=out + "/logs").run()
print(time.perf_counter() - t)
'''


def run(cmd, one_core=False):
    if one_core:
        cmd = ["taskset", "-c", "0"] + cmd
    env = dict(os.environ, RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return out, time.perf_counter() - t


def thresh(binary, work, src, output, steps=""):
    toml = f'[input]\npaths = [{json.dumps(src)}]\n\n{steps}\n[output]\npath = "out"\n{output}'
    path = os.path.join(work, "pipeline.toml")
    with open(path, "w") as f:
        f.write(toml)
    _, seconds = run([binary, "run", path, "-q", "--overwrite", "--threads", "1"], one_core=True)
    return os.path.join(work, "out"), seconds


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    binary = os.path.abspath(args.bin)
    docs = [d for d in web_documents(args.shared, lambda t, r: t, 1) if not d[0].endswith("/variant")]
    mb = sum(len(t.encode()) for _, t in docs) / 1e6
    print(f"{len(docs)} documents, {mb:.1f} MB")
    print("| tokenizer | ids | .ds | .ds.index | .ds.metadata (but the path) | megatron .bin / .idx | TokensCounter counts | datatrove s (one core) | thresh s (one core) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        src_dir = os.path.join(work, "src")
        os.makedirs(src_dir)
        src = os.path.join(src_dir, "docs.jsonl")
        write_jsonl(src, docs)
        for extra in (0, 70_000):
            tok = os.path.join(work, f"tokenizer-{extra}.json")
            vocab = run([PYTHON, "-c", TRAIN, src, tok, str(extra)])[0].strip()
            dt_ds = os.path.join(work, f"dt-ds-{extra}")
            _, dt_seconds = run([PYTHON, "-c", DATATROVE, "ds", src_dir, tok, dt_ds], one_core=True)
            out, th_seconds = thresh(binary, work, src, f'format = "datatrove_tokens"\ntokenizer = {json.dumps(tok)}\neos_token = "<|endoftext|>"\n')
            ours = os.path.join(out, "kept", "00000-0000.ds")
            theirs = os.path.join(dt_ds, "00000_unshuffled.ds")
            same_ds = filecmp.cmp(ours, theirs, shallow=False)
            same_index = filecmp.cmp(ours + ".index", theirs + ".index", shallow=False)
            meta_ours = open(ours + ".metadata").read().split("\n")
            meta_theirs = open(theirs + ".metadata").read().split("\n")
            same_meta = meta_ours[0].split("|")[1:] == meta_theirs[0].split("|")[1:] and meta_ours[1:] == meta_theirs[1:]
            dt_mg = os.path.join(work, f"dt-mg-{extra}")
            run([PYTHON, "-c", DATATROVE, "megatron", src_dir, tok, dt_mg], one_core=True)
            out, _ = thresh(binary, work, src, f'format = "megatron"\ntokenizer = {json.dumps(tok)}\neos_token = "<|endoftext|>"\n')
            same_mg = all(
                filecmp.cmp(os.path.join(out, "kept", f"00000-0000.{ext}"), os.path.join(dt_mg, f"00000_tokens.{ext}"), shallow=False)
                for ext in ("bin", "idx")
            )
            dt_count = os.path.join(work, f"dt-count-{extra}")
            run([PYTHON, "-c", DATATROVE, "count", src_dir, tok, dt_count], one_core=True)
            counts = {}
            for shard in glob.glob(os.path.join(dt_count, "*.jsonl")):
                for line in open(shard, encoding="utf-8"):
                    d = json.loads(line)
                    counts[d["id"]] = d["metadata"]["token_count"]
            out, _ = thresh(binary, work, src, 'format = "jsonl"\ncompression = "none"\n', f'[[step]]\ntype = "tokens"\ntokenizer = {json.dumps(tok)}\n')
            ours_counts = {}
            for shard in glob.glob(os.path.join(out, "kept", "*.jsonl")):
                for line in open(shard, encoding="utf-8"):
                    d = json.loads(line)
                    ours_counts[d["id"]] = d["thresh"]["tokens"]
            same_counts = sum(ours_counts.get(i) == n for i, n in counts.items())
            print(
                f"| BPE {vocab} | {'uint32' if int(vocab) > 65536 else 'uint16'} | {'identical' if same_ds else 'DIFFERENT'} "
                f"| {'identical' if same_index else 'DIFFERENT'} | {'identical' if same_meta else 'DIFFERENT'} "
                f"| {'identical' if same_mg else 'DIFFERENT'} | {same_counts}/{len(counts)} equal "
                f"| {dt_seconds:.1f} | {th_seconds:.1f} | {dt_seconds / th_seconds:.1f}× |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
