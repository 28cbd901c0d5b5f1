#!/usr/bin/env python3
"""Main-content extraction quality and speed: thresh vs trafilatura vs resiliparse.

usage: python3 scripts/eval_extract.py [--peers] [--crates] [--rounds N] [--work DIR] [--published]
                                      [--held-out DIR] [--nonempty-from DIR]

Runs thresh's `extract_eval` example (pages in memory, charset decoding + extraction timed, one
core via taskset) on the three benchmarks under ../shared/data/extraction, and — with --peers —
../shared/peers/extract.py for trafilatura and resiliparse on the same pages (else their outputs
from an earlier --peers run in the work directory are scored again, with the speed then
measured); with --crates, rs-trafilatura too (`tools/extract-crates`, its `traf` mode, one
core). thresh runs twice: with its built-in block model ("thresh") and with the rules alone
(`--model none`, "thresh, rules only"). The built-in model was trained on these pages, so its F1
here is not a held-out figure: --held-out DIR scores the out-of-fold outputs that
`scripts/train_blocks.py --work DIR` wrote (every page extracted by a model that never saw its
site) as "thresh, learned, out of fold". Scores each output with the benchmark's own score.py rules (imported from
../shared), reports German pages of trafilatura-eval separately (URL host .de/.at/.ch), and with
--published scores the 32 systems' published outputs shipped with the scrapinghub benchmark.
Prints markdown tables: system x benchmark -> F1 (P/R), pages/s per core (best of --rounds for
thresh, one round for the peers), and WCXB by page type. With --nonempty-from, thresh's outputs
in an earlier work directory are the reference: every page non-empty there must be non-empty now
(the script lists the pages that came out empty and exits with status 1). The example is built
into $CARGO_TARGET_DIR when set.
"""
import argparse, gzip, os, importlib.util, json, re, subprocess, sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXTRACTION = SHARED / "data" / "extraction"
BENCHES = [("scrapinghub", "html"), ("trafilatura-eval", "pages"), ("wcxb", "html")]


def module(bench):
    spec = importlib.util.spec_from_file_location(bench.replace("-", "_"), EXTRACTION / bench / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def page_id(name):
    return re.sub(r"\.html?(\.gz)?$", "", name)


def load_preds(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            o = json.loads(line)
            out[o["file"]] = o.get("text")
    return out


def score(bench, preds):
    """Returns [(label, metrics)] for one benchmark."""
    mod = module(bench)
    if bench == "scrapinghub":
        truth = mod.load(EXTRACTION / bench / "ground-truth.json")
        pred = {page_id(f): {"articleBody": t or ""} for f, t in preds.items()}
        return [("", mod.score(truth, pred))]
    if bench == "trafilatura-eval":
        ev = json.load(open(EXTRACTION / bench / "eval.json"))
        german = [it for it in ev if (urlparse(it["url"]).hostname or "").endswith((".de", ".at", ".ch"))]
        return [("", mod.score(ev, preds)), ("de", mod.score(german, preds))]
    gt = [json.loads(l) for l in gzip.open(EXTRACTION / bench / "ground-truth.jsonl.gz", "rt", encoding="utf-8")]
    by_type = {}
    for g in gt:
        t = preds.get(g["id"] + ".html.gz") or ""
        by_type.setdefault(g["page_type"], []).append(mod.word_prf(t, g["main_content"]))
    mean = lambda rows, i: sum(r[i] for r in rows) / len(rows)
    metrics = lambda rows: {"precision": mean(rows, 0), "recall": mean(rows, 1), "f1": mean(rows, 2)}
    every = [r for rows in by_type.values() for r in rows]
    return [("", metrics(every))] + [(kind, metrics(rows)) for kind, rows in sorted(by_type.items())]


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{out.stderr}")
    return out.stdout + out.stderr


def pages_per_s(output):
    m = re.search(r"([\d.]+) pages/s, ([\d.]+) MB/s", output)
    return (float(m.group(1)), float(m.group(2))) if m else (None, None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers", action="store_true", help="run trafilatura and resiliparse too")
    ap.add_argument("--crates", action="store_true", help="run rs-trafilatura (tools/extract-crates) too")
    ap.add_argument("--held-out", metavar="DIR", help="train_blocks.py work directory with out-of-fold outputs")
    ap.add_argument("--published", action="store_true", help="score scrapinghub's published outputs")
    ap.add_argument("--rounds", type=int, default=3, help="thresh timing rounds (best is kept)")
    ap.add_argument("--work", default="/tmp/thresh-extract-eval")
    ap.add_argument("--nonempty-from", metavar="DIR", help="earlier work directory whose non-empty pages must stay non-empty")
    a = ap.parse_args()
    if not EXTRACTION.exists():
        sys.exit(f"skipped: {EXTRACTION} is absent")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    speeds_path = work / "speeds.json"
    speeds = json.loads(speeds_path.read_text()) if speeds_path.exists() else {}
    run(["cargo", "build", "--release", "--quiet", "-p", "thresh-extract", "--example", "extract_eval"])
    binary = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "examples" / "extract_eval"
    peers = ["trafilatura", "resiliparse"] if a.peers or any((work / f"trafilatura-{b}.jsonl").exists() for b, _ in BENCHES) else []
    if a.crates or any((work / f"rs-trafilatura-{b}.jsonl").exists() for b, _ in BENCHES):
        peers.append("rs-trafilatura")
    systems = (["thresh, learned, out of fold"] if a.held_out else []) + ["thresh", "thresh, rules only"] + peers
    if a.crates:
        crates = ROOT / "tools" / "extract-crates"
        run(["cargo", "build", "--release", "--quiet", "--manifest-path", crates / "Cargo.toml"])
        crates_binary = crates / "target" / "release" / "extract-crates"
    for bench, sub in BENCHES:
        pages = EXTRACTION / bench / sub
        out = work / f"thresh-{bench}.jsonl"
        speeds[f"thresh/{bench}"] = pages_per_s(run(["taskset", "-c", "0", binary, pages, out, str(a.rounds)]))
        out = work / f"thresh, rules only-{bench}.jsonl"
        speeds[f"thresh, rules only/{bench}"] = pages_per_s(
            run(["taskset", "-c", "0", binary, pages, out, str(a.rounds), "--model", "none"]))
        if a.held_out:
            (work / f"thresh, learned, out of fold-{bench}.jsonl").write_bytes((Path(a.held_out) / f"thresh-{bench}.jsonl").read_bytes())
        if a.crates:
            out = work / f"rs-trafilatura-{bench}.jsonl"
            stats = json.loads(run(["taskset", "-c", "0", crates_binary, "traf", pages, "te", out, "1"]).splitlines()[0])
            speeds[f"rs-trafilatura/{bench}"] = (stats["pages_per_s"], stats["mb_per_s"])
        if a.peers:
            for tool in ("trafilatura", "resiliparse"):
                out = work / f"{tool}-{bench}.jsonl"
                text = run(["taskset", "-c", "0", SHARED / "peers" / "py", "venv", "extract.py", tool, pages, out])
                speeds[f"{tool}/{bench}"] = pages_per_s(text)
    speeds_path.write_text(json.dumps(speeds, indent=1))
    emptied = []
    if a.nonempty_from:
        for bench, _ in BENCHES:
            before = load_preds(Path(a.nonempty_from) / f"thresh-{bench}.jsonl")
            now = load_preds(work / f"thresh-{bench}.jsonl")
            emptied += [f"{bench}/{f}" for f, t in sorted(before.items()) if (t or "").strip() and not (now.get(f) or "").strip()]
        print(f"pages non-empty in {a.nonempty_from} and empty now: {len(emptied)}", *emptied, sep="\n")
    table = {}
    for system in systems:
        for bench, _ in BENCHES:
            path = work / f"{system}-{bench}.jsonl"
            if path.exists():
                for label, m in score(bench, load_preds(path)):
                    table[(system, bench + (f" ({label})" if label else ""))] = m
    columns = ["scrapinghub", "trafilatura-eval", "trafilatura-eval (de)", "wcxb"]
    print("| system | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for system in systems:
        cells = []
        for c in columns:
            m = table.get((system, c))
            cells.append(f"**{m['f1']:.3f}** ({m['precision']:.3f}/{m['recall']:.3f})" if m else "–")
        print(f"| {system} | " + " | ".join(cells) + " |")
    print("\nF1 (precision/recall). Speed, one core, pages/s (MB/s of HTML):\n")
    print("| system | " + " | ".join(b for b, _ in BENCHES) + " |")
    print("|---|" + "---|" * len(BENCHES))
    for system in systems:
        cells = []
        for bench, _ in BENCHES:
            p, mb = speeds.get(f"{system}/{bench}", (None, None)) or (None, None)
            cells.append(f"{p:,.0f} ({mb:.1f})" if p else "–")
        print(f"| {system} | " + " | ".join(cells) + " |")
    kinds = sorted({b.split(" (")[1][:-1] for _, b in table if b.startswith("wcxb (")})
    if kinds:
        print("\nWCXB by page type, F1 (`wcxb/score.py`'s per-type means):\n")
        print("| system | " + " | ".join(kinds) + " |")
        print("|---|" + "---|" * len(kinds))
        for system in systems:
            cells = [f"{table[(system, f'wcxb ({k})')]['f1']:.3f}" if (system, f"wcxb ({k})") in table else "–" for k in kinds]
            print(f"| {system} | " + " | ".join(cells) + " |")
    if a.published:
        mod = module("scrapinghub")
        truth = mod.load(EXTRACTION / "scrapinghub" / "ground-truth.json")
        rows = []
        for f in sorted((EXTRACTION / "scrapinghub" / "output").glob("*.json.gz")):
            # Some systems published null for pages they failed on: an empty extraction.
            pred = {k: {"articleBody": (v or {}).get("articleBody") or ""} for k, v in mod.load(f).items()}
            m = mod.score(truth, pred)
            rows.append((m["f1"], f.name.removesuffix(".json.gz"), m))
        for system in ("thresh, learned, out of fold", "thresh", "thresh, rules only"):
            if (system, "scrapinghub") in table:
                m = table[(system, "scrapinghub")]
                rows.append((m["f1"], f"**{system}**", m))
        print("\nscrapinghub, published outputs scored with the same rules:\n")
        print("| system | F1 | P | R |\n|---|---|---|---|")
        for f1, name, m in sorted(rows, reverse=True):
            print(f"| {name} | {f1:.3f} | {m['precision']:.3f} | {m['recall']:.3f} |")
    if emptied:
        sys.exit(1)


if __name__ == "__main__":
    main()
