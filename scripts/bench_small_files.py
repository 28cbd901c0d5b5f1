#!/usr/bin/env python3
"""A folder of many small saved pages against the same pages in one WARC, through
`thresh run` with `html_extract`: pages/s of each, the shard files and completion markers the
folder gives, and the ratio (the goal: the folder at >= 90% of the WARC's pages/s).

usage: python3 scripts/bench_small_files.py [--pages 100000] [--max-kb 60] [--threads 1]
       [--thresh target/release/thresh] [--work /tmp/thresh-small-files]

The pages are the real HTML pages of ../shared/data/extraction no larger than --max-kb,
cycled in a seeded order to --pages; the folder holds them as `pages/NNN/NNNNNN.html`, the
WARC (gzip per record, as Common Crawl) as HTTP responses with the same bytes. Each run is
timed as a whole process with /usr/bin/time (wall seconds, peak RSS); pinned to one core with
taskset when --threads is 1.
"""
import argparse, gzip, json, pathlib, random, re, shutil, subprocess, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "extraction"


def build(work, n, max_kb, seed=1):
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(SHARED.rglob("*.html.gz"))]
    pages = [p for p in pages if len(p) <= max_kb * 1000]
    rng = random.Random(seed)
    folder = work / "pages"
    if folder.exists():
        shutil.rmtree(folder)
    total = 0
    warc = open(work / "pages.warc.gz", "wb")
    for i in range(n):
        body = pages[rng.randrange(len(pages))]
        total += len(body)
        d = folder / f"{i // 1000:03d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{i:06d}.html").write_bytes(body)
        m = re.search(rb'<meta[^>]+charset=["\']?([\w-]+)', body[:4096], re.I)
        ctype = b"text/html" + (b"; charset=" + m.group(1) if m else b"")
        http = b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\n\r\n" + body
        head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{i:08d}-0000-0000-0000-000000000000>\r\n"
                f"WARC-Target-URI: https://example.org/{i:06d}.html\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
                f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
        warc.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1))
    warc.close()
    return len(pages), total


def run(binary, work, name, inputs, threads):
    p = work / f"{name}.toml"
    p.write_text(f'[input]\npaths = ["{inputs}"]\n\n[[step]]\ntype = "html_extract"\n\n[output]\npath = "out-{name}"\n')
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, "run", str(p), "-q", "--overwrite", "--threads", str(threads)]
    if threads == 1:
        cmd = ["taskset", "-c", "0"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall, rss = r.stderr.strip().splitlines()[-1].split()
    out = work / f"out-{name}"
    stats = json.loads((out / "stats.json").read_text())
    shards = sum(1 for _ in (out / "kept").rglob("*.jsonl*")) + sum(1 for _ in (out / "dropped").rglob("*.jsonl*"))
    markers = sum(1 for _ in (out / ".thresh" / "done").glob("*.json"))
    return float(wall), int(rss) // 1024, stats["read"], shards, markers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100000)
    ap.add_argument("--max-kb", type=int, default=60)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--thresh", default=str(ROOT / "target" / "release" / "thresh"))
    ap.add_argument("--work", default="/tmp/thresh-small-files")
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    t = time.time()
    distinct, total = build(work, a.pages, a.max_kb)
    print(f"{a.pages} pages ({distinct} distinct real pages <= {a.max_kb} KB), {total / 1e6:.0f} MB, built in {time.time() - t:.0f} s")
    results = {}
    for _ in range(a.runs):
        for name, inputs in (("warc", work / "pages.warc.gz"), ("folder", work / "pages")):
            results.setdefault(name, []).append(run(a.thresh, work, name, inputs, a.threads))
    for name, rs in results.items():
        walls = sorted(r[0] for r in rs)
        med = walls[len(walls) // 2]
        _, rss, read, shards, markers = rs[0]
        print(f"{name:7} {read} pages, median {med:.2f} s ({', '.join(f'{w:.2f}' for w in walls)}), {read / med:.0f} pages/s, peak RSS {rss} MB, {shards} shard files, {markers} completion markers")
    w = sorted(r[0] for r in results["warc"])[a.runs // 2]
    f = sorted(r[0] for r in results["folder"])[a.runs // 2]
    print(f"folder / WARC pages/s: {w / f:.2f}")


if __name__ == "__main__":
    main()
