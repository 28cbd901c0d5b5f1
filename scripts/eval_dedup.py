#!/usr/bin/env python3
"""Deduplication: thresh's MinHash on the real near-duplicate proxy (vs datatrove) and on a synthetic corpus with a known truth.

1. ../shared/data/dedup/variants.jsonl.gz (5,741 texts: 32 extractions of each of 181 pages):
   thresh `minhash_dedup` (FineWeb setting: 5-grams, 14 bands x 8) with the first-in-input-order
   survivor and with datatrove's survivor, one core, wall time and peak RSS; with
   `--run-datatrove`, datatrove's four MinHash stages on the same file (../shared/peers), and the
   agreement of the removed-id sets. Cluster quality against the page label (pairwise
   precision/recall/F1, adjusted Rand index) and against exact Jaccard >= (1/14)^(1/8) of the
   same shingles (computed with datatrove's own functions, in its environment).
2. Synthetic: `gen_dedup_corpus.py --docs N` (default 1,000,000; 10% near-duplicates at Jaccard
   0.85), thresh on both cores: recall and precision of the planted pairs, throughput, peak RSS.

With `--run-datasketch`, datasketch's MinHashLSH (../shared/peers/datasketch_dedup.py: same bands,
rows and n-grams, its own \\w+ shingles, first occurrence kept) on the same file too.

usage: scripts/eval_dedup.py [--run-datatrove] [--run-datasketch] [--skip-proxy]
                             [--docs N] [--files N] [--skip-synthetic] [--work DIR]
The 10 M-document run: scripts/eval_dedup.py --skip-proxy --docs 10000000 --files 32
"""
import glob
import gzip
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import script_args  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLD = (1 / 14) ** (1 / 8)


def thresh_run(binary, work, inputs, steps, threads, tag):
    """Runs thresh on `inputs` (a directory) with `steps`; returns (seconds, peak RSS MB, the
    survivor of each dropped duplicate by id, stats.json). Kept documents are not read back."""
    pipe = os.path.join(work, f"{tag}.toml")
    out = os.path.join(work, f"{tag}-out")
    with open(pipe, "w") as f:
        f.write(f'[input]\npaths = ["{inputs}"]\n\n{steps}\n\n[output]\npath = "{out}"\nwrite_dropped = true\n')
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, "run", pipe, "--overwrite", "-q", "--threads", str(threads)]
    if threads == 1:
        cmd = ["taskset", "-c", "0"] + cmd
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    secs, rss = res.stderr.strip().splitlines()[-1].split()
    survivors = {}
    for path in sorted(glob.glob(os.path.join(out, "dropped", "**", "*.jsonl*"), recursive=True)):
        data = subprocess.run(["zstd", "-dcf", path], check=True, capture_output=True).stdout
        for line in filter(None, data.decode("utf-8").split("\n")):
            d = json.loads(line)
            survivors[d["id"]] = d["thresh"]["minhash_dedup"]["duplicate_of"]
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    return float(secs), int(rss) / 1024, survivors, stats


def pair_scores(pred, truth):
    """Pairwise precision/recall/F1 and adjusted Rand index of two labelings of the same ids."""
    comb = lambda n: n * (n - 1) // 2
    cells = Counter((pred[i], truth[i]) for i in pred)
    both = sum(comb(n) for n in cells.values())
    p_pairs = sum(comb(n) for n in Counter(pred.values()).values())
    t_pairs = sum(comb(n) for n in Counter(truth.values()).values())
    total = comb(len(pred))
    precision = both / p_pairs if p_pairs else 1.0
    recall = both / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = p_pairs * t_pairs / total
    ari = (both - expected) / ((p_pairs + t_pairs) / 2 - expected)
    return precision, recall, f1, ari


JACCARD = r'''
import gzip, json, sys
from collections import defaultdict
from datatrove.pipeline.dedup.minhash import MinhashDedupSignature
sig = MinhashDedupSignature(output_folder="/tmp/unused-dt-sigs", language="eng")
labels = json.load(open(sys.argv[2]))
threshold = float(sys.argv[3])
docs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
sh = {d["id"]: set(sig.get_shingles(d["text"]).ravel().tolist()) for d in docs}
jac = lambda a, b: len(sh[a] & sh[b]) / max(1, len(sh[a] | sh[b]))
by_page = defaultdict(list)
for d in docs:
    by_page[d["page"]].append(d["id"])
truth = set()
for ids in by_page.values():
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if jac(ids[i], ids[j]) >= threshold:
                truth.add(frozenset((ids[i], ids[j])))
clusters = defaultdict(list)
for i, c in labels.items():
    clusters[c].append(i)
pred = set()
for ids in clusters.values():
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            pred.add(frozenset((ids[i], ids[j])))
tp = len(pred & truth)
p = tp / len(pred) if pred else 1.0
r = tp / len(truth) if truth else 1.0
print(json.dumps({"pairs_truth": len(truth), "pairs_predicted": len(pred), "precision": p, "recall": r,
                  "f1": 2 * p * r / (p + r) if p + r else 0.0}))
'''


def proxy(args, work):
    variants = os.path.join(args.shared, "data", "dedup", "variants.jsonl.gz")
    inputs = os.path.join(work, "variants")
    os.makedirs(inputs, exist_ok=True)
    link = os.path.join(inputs, "variants.jsonl.gz")
    if not os.path.exists(link):
        os.symlink(os.path.abspath(variants), link)
    docs = [json.loads(l) for l in gzip.open(variants, "rt")]
    page = {d["id"]: d["page"] for d in docs}
    print(f"proxy: {len(docs)} texts of {len(set(page.values()))} pages")
    results = {}
    for survivor in ("first", "datatrove"):
        steps = f'[[step]]\ntype = "minhash_dedup"\nlanguage = "en"\nsurvivor = "{survivor}"'
        secs, rss, survivors, _ = thresh_run(args.bin, work, inputs, steps, 1, f"proxy-{survivor}")
        labels = {i: survivors.get(i, i) for i in page}
        removed = set(survivors)
        results[survivor] = removed
        print(f"  thresh (survivor = {survivor}), one core: {secs:.2f} s, peak RSS {rss:.0f} MB, "
              f"{len(removed)} removed, {len(docs) / secs:.0f} docs/s")
        if survivor == "first":
            p, r, f1, ari = pair_scores(labels, page)
            print(f"  vs the page label: pairwise precision {p:.4f}, recall {r:.4f}, F1 {f1:.4f}, ARI {ari:.4f}")
            labels_path = os.path.join(work, "proxy-labels.json")
            with open(labels_path, "w") as f:
                json.dump(labels, f)
            peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
            python = os.path.join(peers, "dt", "bin", "python")
            if os.path.exists(python):
                out = subprocess.run([python, "-c", JACCARD, variants, labels_path, str(THRESHOLD)],
                                     capture_output=True, text=True, check=True).stdout
                j = json.loads(out.strip().splitlines()[-1])
                print(f"  vs exact Jaccard >= {THRESHOLD:.3f} of the same shingles (same-page pairs): "
                      f"{j['pairs_truth']} true pairs, {j['pairs_predicted']} predicted; precision "
                      f"{j['precision']:.4f}, recall {j['recall']:.4f}, F1 {j['f1']:.4f}")
    steps = '[[step]]\ntype = "minhash_dedup"\nlanguage = "en"\njaccard_threshold = 0.719'
    secs, rss, survivors, stats = thresh_run(args.bin, work, inputs, steps, 1, "proxy-verified")
    summary = stats["barriers"]["minhash_dedup"]
    print(f"  thresh with jaccard_threshold = 0.719, one core: {secs:.2f} s, peak RSS {rss:.0f} MB, "
          f"{len(survivors)} removed, {summary['candidate_pairs_rejected']} candidate pairs rejected")
    if args.run_datasketch:
        removed_path = os.path.join(work, "datasketch-removed.txt")
        res = subprocess.run(["/usr/bin/time", "-f", "%e %M", "taskset", "-c", "0",
                              os.path.join(args.shared, "peers", "py"), "venv", "datasketch_dedup.py",
                              variants, "--out", removed_path], capture_output=True, text=True, check=True)
        secs, rss = res.stderr.strip().splitlines()[-1].split()
        with open(removed_path) as f:
            ds_removed = {l.strip() for l in f if l.strip()}
        both = len(results["first"] & ds_removed)
        print(f"  datasketch, one core: {res.stdout.strip().splitlines()[-1]} (process: {float(secs):.1f} s, "
              f"{int(rss) / 1024:.0f} MB); removed-set agreement with thresh (first survivor): {both} in both, "
              f"Jaccard {both / len(results['first'] | ds_removed):.4f}")
    if args.run_datatrove:
        dt_work = os.path.join(work, "datatrove")
        subprocess.run(["rm", "-rf", dt_work], check=True)
        t = time.perf_counter()
        res = subprocess.run(["taskset", "-c", "0", os.path.join(args.shared, "peers", "py"), "dt",
                              "datatrove_minhash.py", inputs, dt_work], capture_output=True, text=True, check=True)
        print(f"  datatrove, one core: {res.stdout.strip().splitlines()[-1]} (wall {time.perf_counter() - t:.1f} s)")
        with open(os.path.join(dt_work, "removed_ids.txt")) as f:
            dt_removed = {l.strip() for l in f if l.strip()}
        for survivor, removed in results.items():
            both = len(removed & dt_removed)
            print(f"  removed-set agreement with datatrove (survivor = {survivor}): {both} in both, "
                  f"{len(removed ^ dt_removed)} in one only; Jaccard {both / len(removed | dt_removed):.4f}, "
                  f"same decision for {1 - len(removed ^ dt_removed) / len(docs):.4%} of documents")


def synthetic(args, work):
    corpus = os.path.join(work, f"synthetic-{args.docs}")
    inputs = os.path.join(corpus, "in")
    if not os.path.isdir(inputs):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_dedup_corpus.py"), inputs, "--docs", str(args.docs),
                        "--files", str(args.files), "--shared", args.shared], check=True)
    size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(inputs, "*.jsonl")))
    steps = '[[step]]\ntype = "minhash_dedup"\nlanguage = "en"'
    secs, rss, survivors, stats = thresh_run(args.bin, corpus, inputs, steps, 2, "run")
    truth = {}
    with open(os.path.join(corpus, "truth.tsv")) as f:
        for line in f:
            dup, orig = line.rstrip("\n").split("\t")
            truth[dup] = orig
    group = lambda i: truth.get(i, i)
    label = lambda i: survivors.get(i, i)
    right = sum(1 for i, s in survivors.items() if group(i) == group(s))
    found = sum(1 for dup, orig in truth.items() if label(dup) == label(orig))
    docs = stats["read"]
    print(f"synthetic: {docs:,} documents ({size / 1e9:.2f} GB, {args.files} files), {len(truth):,} planted "
          f"near-duplicates (Jaccard 0.85): recall {found / len(truth):.4f}, precision "
          f"{right / max(1, len(survivors)):.4f}; 2 threads {secs:.1f} s = {docs / secs:,.0f} docs/s, "
          f"{size / 1e6 / secs:.1f} MB/s, peak RSS {rss:.0f} MB")


def main():
    args = script_args(
        __doc__,
        os.path.join("data", "dedup"),
        lambda ap: (
            ap.add_argument("--run-datatrove", action="store_true"),
            ap.add_argument("--run-datasketch", action="store_true"),
            ap.add_argument("--docs", type=int, default=1_000_000),
            ap.add_argument("--files", type=int, default=16),
            ap.add_argument("--skip-proxy", action="store_true"),
            ap.add_argument("--skip-synthetic", action="store_true"),
            ap.add_argument("--work", default="/tmp/thresh-eval-dedup"),
        ),
    )
    if args is None:
        return
    os.makedirs(args.work, exist_ok=True)
    if not args.skip_proxy:
        proxy(args, args.work)
    if not args.skip_synthetic:
        synthetic(args, args.work)


if __name__ == "__main__":
    main()
