#!/usr/bin/env python3
"""Trains the block model of `html_extract` (crates/thresh-extract/data/blocks.model) and reports
its F1 on the three extraction benchmarks only from models that never saw the page's site.

usage: python3 scripts/train_blocks.py [--work DIR] [--folds 5] [--trees N,N...] [--set KEY=VALUE] [--write]
(needs ../shared/data/extraction and scikit-learn: ~/.cache/thresh-peers/ml, see the README)

1. `extract_blocks` writes every line of every page with its features and the rules' text.
2. Labels: scrapinghub and WCXB lines whose words are in the page's ground truth (the whole
   line as a substring, or half of its word 3-grams) are content, the others not;
   trafilatura-eval lines that hold or lie inside a `with` snippet are content, a `without`
   snippet boilerplate, the rest unlabelled.
3. Folds by site (host of the page URL; trafilatura-eval: the host in the file name) across the
   three benchmarks together; for each fold a model trained on the others extracts the fold's
   pages (`extract_eval --model --only`), and the benchmarks' own scorers score the union.
   `--trees` also scores the first N trees of every fold model (a boosted ensemble cut after N
   trees is the one N rounds would have trained), to weigh F1 against the cost of evaluation;
   `--set` overrides one of PARAMS (e.g. `--set learning_rate=0.2`) for such comparisons.
4. With --write, the model trained on every page becomes the built-in one.
"""
import argparse, ast, gzip, json, re, subprocess, sys, zlib
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_extract as ev  # noqa: E402

PARAMS = dict(max_iter=60, learning_rate=0.2, max_depth=8, max_leaf_nodes=31, min_samples_leaf=40, l2_regularization=1.0)


def norm(t):
    return re.sub(r"\s+", " ", t).strip().lower()


def grams(words, n=3):
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def truth():
    """Per benchmark: file -> (site, labeller)."""
    out = {}
    sh = json.load(open(ev.EXTRACTION / "scrapinghub" / "ground-truth.json"))
    out["scrapinghub"] = {k + ".html.gz": (urlparse(v["url"]).hostname, v["articleBody"]) for k, v in sh.items()}
    w = [json.loads(l) for l in gzip.open(ev.EXTRACTION / "wcxb" / "ground-truth.jsonl.gz", "rt", encoding="utf-8")]
    out["wcxb"] = {g["id"] + ".html.gz": (urlparse(g["url"]).hostname, g["main_content"]) for g in w}
    te = json.load(open(ev.EXTRACTION / "trafilatura-eval" / "eval.json"))
    site = lambda f: (re.match(r"([a-z0-9.-]+?\.[a-z]{2,6})(?:-|\.html)", f.lower()) or re.match(r"(.*)", f)).group(1)
    out["trafilatura-eval"] = {it["file"]: (site(it["file"]), (it["with"], it["without"])) for it in te}
    return out


def labeller(bench, gt):
    if bench == "trafilatura-eval":
        withs = [norm(s) for s in gt[0]]
        withouts = [norm(s) for s in gt[1]]
        def label(line):
            l = norm(line)
            if any(s and (s in l or (len(l) > 20 and l in s)) for s in withs):
                return 1
            if any(s and (s in l or (len(l) > 20 and l in s)) for s in withouts):
                return 0
            return -1
        return label
    text = norm(gt)
    g3 = grams(text.split())
    def label(line):
        l = norm(line)
        if l in text:
            return 1
        w = l.split()
        if len(w) >= 3:
            gs = grams(w)
            return int(sum(g in g3 for g in gs) >= 0.5 * len(gs))
        return 0
    return label


def export(model, path, trees=None):
    preds = model._predictors[:trees]
    lines = ["thresh-blocks 1", f"features {model.n_features_in_}",
             f"bias {float(np.ravel(model._baseline_prediction)[0])!r}", "threshold 0.5"]
    for (tree,) in preds:
        nodes = tree.nodes
        lines.append(f"tree {len(nodes)}")
        for n in nodes:
            if n["is_leaf"]:
                lines.append(f"-1 0 0 0 {float(n['value'])!r}")
            else:
                lines.append(f"{int(n['feature_idx'])} {float(n['num_threshold'])!r} {int(n['left'])} {int(n['right'])} 0")
    Path(path).write_text("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/thresh-blocks")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--trees", default="", help="also score the first N trees of each fold model (comma-separated)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one of PARAMS")
    ap.add_argument("--write", action="store_true", help="write the model trained on every page as the built-in one")
    a = ap.parse_args()
    for kv in a.set:
        key, value = kv.split("=", 1)
        PARAMS[key] = ast.literal_eval(value)
    cuts = [None] + [int(n) for n in a.trees.split(",") if n]
    print("params", PARAMS)
    if not ev.EXTRACTION.exists():
        sys.exit(f"skipped: {ev.EXTRACTION} is absent")
    work = Path(a.work); work.mkdir(parents=True, exist_ok=True)
    target = Path(ev.os.environ.get("CARGO_TARGET_DIR", ev.ROOT / "target")) / "release" / "examples"
    ev.run(["cargo", "build", "--release", "--quiet", "-p", "thresh-extract", "--example", "extract_blocks", "--example", "extract_eval"])
    gts = truth()
    X, y, w, fold_of_row = [], [], [], []
    page_fold = {}
    for bench, sub in ev.BENCHES:
        dump = work / f"blocks-{bench}.jsonl"
        ev.run([target / "extract_blocks", ev.EXTRACTION / bench / sub, dump])
        # Every benchmark weighs the same in all.
        share = 1000 / len(gts[bench])
        for line in open(dump, encoding="utf-8"):
            page = json.loads(line)
            site, gt = gts[bench][page["file"]]
            fold = zlib.crc32((site or page["file"]).encode()) % a.folds
            page_fold[(bench, page["file"])] = fold
            label = labeller(bench, gt)
            rows = [(f, label(text), len(text.split())) for text, f in page["lines"]]
            rows = [r for r in rows if r[1] >= 0]
            words = sum(r[2] for r in rows) or 1
            for f, l, n in rows:
                # Every page of a benchmark weighs the same, each line by its share of the page's words.
                X.append(f); y.append(l); w.append(share * n / words); fold_of_row.append(fold)
    X = np.array(X, dtype=np.float32); y = np.array(y); w = np.array(w); fold_of_row = np.array(fold_of_row)
    print(f"{len(y)} labelled lines ({y.mean():.1%} content), {len(page_fold)} pages, {a.folds} folds by site")
    preds = {cut: {bench: {} for bench, _ in ev.BENCHES} for cut in cuts}
    for k in range(a.folds):
        m = HistGradientBoostingClassifier(random_state=0, **PARAMS).fit(X[fold_of_row != k], y[fold_of_row != k], sample_weight=w[fold_of_row != k])
        for cut in cuts:
            model = work / f"fold{k}-{cut or 'all'}.model"
            export(m, model, cut)
            for bench, sub in ev.BENCHES:
                only = work / f"fold{k}-{bench}.txt"
                only.write_text("\n".join(f for (b, f), fk in page_fold.items() if b == bench and fk == k) + "\n")
                out = work / f"fold{k}-{cut or 'all'}-{bench}.jsonl"
                ev.run(["taskset", "-c", "0", target / "extract_eval", ev.EXTRACTION / bench / sub, out, "1",
                        "--model", model, "--only", only])
                preds[cut][bench].update(ev.load_preds(out))
    for bench, sub in ev.BENCHES:
        out = work / f"rules-{bench}.jsonl"
        ev.run(["taskset", "-c", "0", target / "extract_eval", ev.EXTRACTION / bench / sub, out, "1", "--model", "none"])
        rules = dict(ev.score(bench, ev.load_preds(out)))
        with open(work / f"thresh-{bench}.jsonl", "w", encoding="utf-8") as f:
            for file, text in sorted(preds[None][bench].items()):
                f.write(json.dumps({"file": file, "text": text}, ensure_ascii=False) + "\n")
        for cut in cuts:
            learned = dict(ev.score(bench, preds[cut][bench]))
            for label in learned:
                r, l = rules[label], learned[label]
                name = bench + (f" ({label})" if label else "")
                trees = f"{cut or PARAMS['max_iter']} trees"
                print(f"{name:<28} rules F1 {r['f1']:.3f} (P {r['precision']:.3f} R {r['recall']:.3f})  "
                      f"learned, {trees}, out of fold {l['f1']:.3f} (P {l['precision']:.3f} R {l['recall']:.3f})")
    if a.write:
        m = HistGradientBoostingClassifier(random_state=0, **PARAMS).fit(X, y, sample_weight=w)
        export(m, ev.ROOT / "crates" / "thresh-extract" / "data" / "blocks.model")
        print("wrote crates/thresh-extract/data/blocks.model")


if __name__ == "__main__":
    main()
