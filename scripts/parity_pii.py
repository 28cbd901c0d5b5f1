#!/usr/bin/env python3
"""pii against datatrove 0.10.1's PIIFormatter (a fresh one per document: datatrove cycles its
replacements across a task's documents, thresh within each document), with its defaults and
with only_remove_public_ips = false, on the real page texts of ../shared/data/web (de, en,
other) as they are and seeded with addresses the script inserts: email addresses (dots, plus
tags, digits, subdomains, `[IP]` domains, letters outside ASCII next to them, trailing dots)
and IPv4 addresses (public, private, shared, documentation, multicast, leading zeros, inside
longer numbers and version strings). Prints the share of documents with identical output text.
datatrove runs in the peers' environment (../shared/peers/install.sh).

    scripts/parity_pii.py [--shared ../shared] [--bin target/release/thresh]
"""
import gzip
import json
import os
import random
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args, write_jsonl

DATATROVE = r'''
import json, sys, time
from datatrove.pipeline.formatters import PIIFormatter
src, settings, out = sys.argv[1:]
settings = json.loads(settings)
docs = [json.loads(line) for line in open(src, encoding="utf-8")]
start = time.process_time()
res = {d["id"]: PIIFormatter(**settings).format(d["text"]) for d in docs}
seconds = time.process_time() - start
json.dump({"texts": res, "seconds": seconds}, open(out, "w"))
'''

SETTINGS = {
    "datatrove defaults": {},
    "all addresses": {"only_remove_public_ips": False},
}


def email(rng):
    local = rng.choice(["anna", "j.smith", "info", "max.mustermann", "user+tag", "o'brien", "a_b-c", "x1990", "müller", "zoë.ng"])
    domain = rng.choice(["example.com", "mail.co.uk", "uni-bonn.de", "sub.domain.org", "localhost", "[192.168.0.1]", "a.b", "xn--bcher-kva.de", "site.com."])
    return f"{local}@{domain}"


def ip(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return ".".join(str(rng.randrange(1, 224)) for _ in range(4))
    if kind == 1:
        return rng.choice(["10.1.2.3", "192.168.0.10", "172.20.1.1", "127.0.0.1", "100.64.1.2", "198.51.100.3", "169.254.9.9", "0.0.0.0"])
    if kind == 2:
        return f"0{rng.randrange(1, 10)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
    if kind == 3:
        return f"{rng.randrange(1000, 9999)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
    if kind == 4:
        return f"v{rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(300)}"
    return f"{rng.randrange(224, 256)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"


def seeded(text, rng):
    words = text.split(" ")
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(words) + 1)
        words.insert(at, email(rng) if rng.random() < 0.5 else ip(rng))
    return " ".join(words)


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    docs = []
    rng = random.Random(11)
    for lang in ("de", "en", "other"):
        for line in gzip.open(os.path.join(web, f"{lang}.jsonl.gz"), "rt", encoding="utf-8"):
            d = json.loads(line)
            docs.append((f"{lang}/{d['id']}", d["text"]))
            docs.append((f"{lang}/{d['id']}/seeded", seeded(d["text"], rng)))
    print("| settings | docs | identical text | text changed by datatrove | datatrove MB/s (format only) | thresh MB/s (whole run, one core) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        original = dict(docs)
        mb = sum(len(t.encode("utf-8")) for _, t in docs) / 1e6
        for name, settings in SETTINGS.items():
            out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, src, json.dumps(settings), out)
            result = json.load(open(out))
            expected = result["texts"]
            params = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
            got, stats = run_pipeline(args.bin, work, [src], f'[[step]]\ntype = "pii"\n{params}', one_core=True)
            same = sum(got[i]["text"] == expected[i] for i, _ in docs)
            changed = sum(expected[i] != original[i] for i, _ in docs)
            print(f"| {name} | {len(docs)} | {same} ({100 * same / len(docs):.2f}%) | {changed} | {mb / result['seconds']:.1f} | {stats['mb_per_second']:.1f} |")
            for i, _ in docs:
                if got[i]["text"] != expected[i]:
                    print(f"  differs: {i}")
                    break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
