#!/usr/bin/env python3
"""Rebuilds the lists built into the `url_filter` step (crates/thresh-text/data/url_filter/)
from the wheels they come from, so their provenance can be checked and an update is one
command:

- datatrove's URLFilter lists, from the datatrove wheel's `datatrove/assets/`:
  `url_filterblacklistsv0_3_0.tar.gz` (files `domains` and `urls`) and `banned_words.txt`,
  `banned_subwords.txt`, `soft_banned_words.txt` (copied as they are);
- the Public Suffix List snapshot that tldextract ships (`tldextract/.tld_set_snapshot`), which
  is the list tldextract falls back to without network, kept whole (its MPL-2.0 header too).

`domains` and `urls` are stored as datatrove reads them (each line stripped, lines starting
with `#` skipped), sorted bytewise, each once, newline-separated, zstd-compressed (level 19: the decoder needs no
large window); the step binary-searches the domains in memory.

usage: python3 scripts/build_url_lists.py [--python PYTHON]
  PYTHON: an interpreter with datatrove and tldextract installed
          (default: ~/.cache/thresh-peers/dt/bin/python, from ../shared/peers/install.sh)
"""
import argparse, os, pathlib, shutil, subprocess, tarfile, tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "thresh-text" / "data" / "url_filter"


def locate(python, module):
    code = f"import {module}, os; print(os.path.dirname({module}.__file__))"
    return pathlib.Path(subprocess.check_output([python, "-c", code], text=True).strip())


def zstd(data: bytes, path: pathlib.Path):
    with tempfile.NamedTemporaryFile() as raw:
        raw.write(data)
        raw.flush()
        subprocess.check_call(["zstd", "-q", "-f", "-19", raw.name, "-o", str(path)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=os.path.expanduser("~/.cache/thresh-peers/dt/bin/python"))
    args = ap.parse_args()
    assets = locate(args.python, "datatrove") / "assets"
    OUT.mkdir(parents=True, exist_ok=True)
    with tarfile.open(assets / "url_filterblacklistsv0_3_0.tar.gz") as tar:
        for name in ("domains", "urls"):
            text = tar.extractfile(name).read().decode("utf-8")
            entries = sorted({line.strip() for line in text.splitlines(True) if line[0] != "#"} - {""},
                             key=lambda s: s.encode())
            zstd(("\n".join(entries) + "\n").encode(), OUT / f"{name}.zst")
            print(f"{name}: {len(entries):,} entries")
    for name in ("banned_words.txt", "banned_subwords.txt", "soft_banned_words.txt"):
        shutil.copyfile(assets / name, OUT / name)
    snapshot = locate(args.python, "tldextract") / ".tld_set_snapshot"
    zstd(snapshot.read_bytes(), OUT / "public_suffix_list.dat.zst")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
