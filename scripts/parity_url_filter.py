#!/usr/bin/env python3
"""url_filter against datatrove's URLFilter (0.10.1, from ../shared/peers), on the same URLs.

The URLs: every page URL of ../shared (the web page sets, the extraction benchmarks, the
WARC files' target URIs), and URLs built here with a fixed seed from the lists themselves:
listed domains (bare, with subdomains, ports, userinfo, other case, without scheme), listed
URLs (as listed and with a scheme), banned, soft-banned and banned sub-words placed in
otherwise clean URLs, and hosts that exercise the suffix rules (wildcards, exceptions,
punycode, IP addresses, unknown TLDs, empty labels).

Both sides use their integrated lists; tldextract is pointed at its own bundled Public
Suffix List (TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS), the version thresh builds in, so that the
run does not depend on the network. Prints the share of identical decisions (keep, or the
drop reason's name), the differences, and the speed of each side.

usage: python3 scripts/parity_url_filter.py [--bin target/release/thresh] [--shared ../shared]
"""
import glob, gzip, json, os, random, re, subprocess, sys, tarfile, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import run_pipeline, script_args

DATATROVE = r'''
import json, os, sys, time
from datatrove.data import Document
from datatrove.pipeline.filters.url_filter import URLFilter
src, out = sys.argv[1:]
urls = json.load(open(src))
f = URLFilter()
f.download_data()
start = time.process_time()
res = []
for i, u in enumerate(urls):
    try:
        r = f.filter(Document(text="x", id=str(i), metadata={"url": u}))
        res.append("keep" if r is True else r[1])
    except Exception as e:
        res.append(f"error {type(e).__name__}")
seconds = time.process_time() - start
json.dump({"decisions": res, "seconds": seconds}, open(out, "w"))
'''


def peers_python():
    peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
    return os.path.join(peers, "dt", "bin", "python")


def package_dir(python, module):
    code = f"import {module}, os; print(os.path.dirname({module}.__file__))"
    return subprocess.check_output([python, "-c", code], text=True).strip()


def shared_urls(shared):
    urls = []
    for path in glob.glob(os.path.join(shared, "data", "web", "*.jsonl.gz")):
        if "decisions" in path:
            continue
        urls += [json.loads(line).get("url") for line in gzip.open(path, "rt", encoding="utf-8")]
    gt = os.path.join(shared, "data", "extraction", "scrapinghub", "ground-truth.json")
    if os.path.exists(gt):
        urls += [v.get("url") for v in json.load(open(gt)).values()]
    wcxb = os.path.join(shared, "data", "extraction", "wcxb", "ground-truth.jsonl.gz")
    if os.path.exists(wcxb):
        urls += [json.loads(line).get("url") for line in gzip.open(wcxb, "rt", encoding="utf-8")]
    for path in glob.glob(os.path.join(shared, "data", "warc", "*.warc*")):
        data = open(path, "rb").read()
        if path.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except Exception:
                continue
        urls += [m.decode("utf-8", "replace").strip() for m in re.findall(rb"WARC-Target-URI: ?<?([^\r\n>]*)", data)]
    return [u for u in urls if u]


def built_urls(assets, rng):
    with tarfile.open(os.path.join(assets, "url_filterblacklistsv0_3_0.tar.gz")) as tar:
        domains = tar.extractfile("domains").read().decode().split("\n")
        listed = tar.extractfile("urls").read().decode().split("\n")
    domains = [d for d in domains if d]
    listed = [u for u in listed if u]
    words = {}
    for name in ("banned_words", "soft_banned_words", "banned_subwords"):
        lines = open(os.path.join(assets, f"{name}.txt"), encoding="utf-8").read().split("\n")
        words[name] = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    urls = []
    for d in rng.sample(domains, 3000):
        form = rng.randrange(8)
        urls.append([
            f"https://{d}/", f"http://www.{d}/page/{rng.randrange(99)}", f"https://a.b.{d}:8080/x?y=1",
            f"HTTPS://{d.upper()}/", d, f"//{d}/x", f"http://user:pw@{d}./", f"https://{d}#frag",
        ][form])
    for u in rng.sample(listed, 1000):
        urls.append(rng.choice([u, "http://" + u, "https://" + u]))
    clean = ["https://news.example.org/", "http://www.city-library.de/", "https://shop.example.co.uk/"]
    for _ in range(3000):
        kind = rng.choice(["banned_words", "soft_banned_words", "soft_banned_words", "banned_subwords"])
        picked = rng.sample(words[kind], min(len(words[kind]), rng.choice([1, 2, 3])))
        sep = rng.choice(["-", "/", "_", ".", "%20", ""])
        path = sep.join(w.replace(" ", rng.choice(["", "-", " "])) for w in picked)
        if rng.random() < 0.2:
            path = path.upper()
        urls.append(f"{rng.choice(clean)}{rng.choice(['', 'tag/', 'p?q='])}{path}{rng.choice(['', '/', '.html'])}")
    urls += [
        "http://forums.bbc.co.uk/x", "http://waiterrant.blogspot.com", "http://a.b.ck", "http://www.ck",
        "http://x.www.ck", "http://www.city.kawasaki.jp", "http://shop.xn--55qx5d.cn", "http://xn--bcher-kva.de",
        "http://bücher.de/", "http://www.example\u3002com/", "http://127.0.0.1/x", "http://[::1]/",
        "http://localhost:8080", "http://a.b.notatld", "http://co.uk", "http://a..b.com", "http://.com",
        "ftp://files.example.net/x", "mailto:someone@example.org", "example.com/no-scheme", "http://EXAMPLE.COM",
        "http://xn--55qx5d.cn", "http://xn--invalid-.com", "http://ex ample.com/", "https://www.xxx.com/",
        "https://e.org/?q=porn", "https://e.org/sex-cams", "https://e.org/SEX-cams",
    ]
    return urls


def main():
    args = script_args(__doc__, "data/web")
    if args is None:
        return 0
    python = peers_python()
    assets = os.path.join(package_dir(python, "datatrove"), "assets")
    snapshot = os.path.join(package_dir(python, "tldextract"), ".tld_set_snapshot")
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = snapshot
    rng = random.Random(17)
    urls = list(dict.fromkeys(shared_urls(args.shared) + built_urls(assets, rng)))
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "urls.json")
        json.dump(urls, open(src, "w"))
        out = os.path.join(work, "dt.json")
        subprocess.run([python, "-c", DATATROVE, src, out], check=True)
        result = json.load(open(out))
        expected = result["decisions"]
        docs = os.path.join(work, "docs.jsonl")
        with open(docs, "w", encoding="utf-8") as f:
            for i, u in enumerate(urls):
                f.write(json.dumps({"id": str(i), "text": "x", "metadata": {"url": u}}, ensure_ascii=False) + "\n")
        got, stats = run_pipeline(args.bin, work, [docs], '[[step]]\ntype = "url_filter"\n', one_core=True)
    ours = []
    for i in range(len(urls)):
        reason = got[str(i)].get("thresh", {}).get("reason")
        ours.append(reason.split()[0] if reason else "keep")
    same = sum(a == b for a, b in zip(ours, expected))
    by_reason = {}
    for e in expected:
        by_reason[e] = by_reason.get(e, 0) + 1
    print(f"URLs: {len(urls)} ({len(set(shared_urls(args.shared)))} from ../shared); datatrove's decisions: {dict(sorted(by_reason.items()))}")
    print(f"identical decisions: {same} of {len(urls)} ({100 * same / len(urls):.2f}%)")
    for u, a, b in zip(urls, ours, expected):
        if a != b:
            print(f"  differs: {u!r}: thresh {a}, datatrove {b}")
    print(f"datatrove URLFilter.filter: {len(urls) / result['seconds']:,.0f} URLs/s (filter only, lists loaded)")
    print(f"thresh whole run (one core, lists loaded in the run): {stats['docs_per_second']:,.0f} documents/s, {stats['wall_seconds']:.2f} s")
    return 0 if same >= 0.995 * len(urls) else 1


if __name__ == "__main__":
    sys.exit(main())
