"""Shared by the evaluation scripts: run the thresh binary on a pipeline and read its output."""
import argparse
import glob
import json
import os
import subprocess


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
