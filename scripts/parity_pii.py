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
import os

from thresh_run import formatter_parity, script_args, web_documents


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
    docs = web_documents(args.shared, seeded, 11)
    formatter_parity(args.bin, docs, ('datatrove.pipeline.formatters', 'PIIFormatter'), "pii", SETTINGS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
