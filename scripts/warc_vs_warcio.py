#!/usr/bin/env python3
"""Every file of ../shared/data/warc read by warcio and by `thresh run` (no steps): the HTML
responses warcio reads against the documents thresh gives, by record id, with thresh's
payload notes and error records. Prints one line per file and the differences.

usage: ../shared/peers/py venv scripts/warc_vs_warcio.py [--thresh target/release/thresh]
(warcio is in the peers' `venv`: ../shared/peers/install.sh)
"""
import argparse, gzip, io, json, os, pathlib, subprocess, tempfile

from warcio.archiveiterator import ArchiveIterator

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "warc"


def warcio_html(path):
    """Record ids (or URL + date for ARC) of HTML responses and resources, and warcio's error."""
    ids, error = [], None
    with open(path, "rb") as f:
        try:
            for r in ArchiveIterator(f, arc2warc=True):
                ctype = (r.http_headers.get_header("Content-Type") if r.http_headers else None) or r.rec_headers.get_header("Content-Type") or ""
                if r.rec_type in ("response", "resource") and ctype.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
                    ids.append(r.rec_headers.get_header("WARC-Record-ID") or r.rec_headers.get_header("WARC-Target-URI"))
                    r.content_stream().read()
        except Exception as e:  # warcio stops at the first damage
            error = f"{type(e).__name__}: {str(e).splitlines()[0][:80] if str(e) else ''}"
    return ids, error


def thresh_docs(binary, path):
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "p.toml"
        p.write_text(f'[input]\npaths = ["{path}"]\n\n[output]\npath = "out"\ncompression = "none"\n')
        subprocess.run([binary, "run", str(p), "-q"], check=True)
        docs = []
        for shard in sorted((pathlib.Path(d) / "out" / "kept").glob("*.jsonl")):
            docs += [json.loads(l) for l in shard.read_text().splitlines()]
        errors = [json.loads(l) for l in (pathlib.Path(d) / "out" / "errors.jsonl").read_text().splitlines()]
    return docs, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--thresh", default=str(ROOT / "target" / "release" / "thresh"))
    args = ap.parse_args()
    for path in sorted(SHARED.iterdir()):
        if path.suffix not in (".warc", ".arc", ".gz"):
            continue
        ids, error = warcio_html(path)
        docs, errors = thresh_docs(args.thresh, path)
        html = [d for d in docs if d["metadata"]["content_type"] != "text/plain"]
        notes = [d for d in docs if d["metadata"].get("payload_note")]
        ours = {d["id"] for d in html}
        only_warcio = [i for i in ids if i not in ours and not any(i in d["id"] for d in html)]
        print(f"{path.name:45} warcio {len(ids):3} HTML{'  (' + error + ')' if error else ''}")
        print(f"{'':45} thresh {len(html):3} HTML, {len(docs) - len(html)} text, {len(notes)} payload notes, {len(errors)} errors")
        for i in only_warcio:
            print(f"{'':45}   only warcio: {i}")
        for n in sorted({d['metadata']['payload_note'].split(':')[0] for d in notes}):
            print(f"{'':45}   note: {n}")
        for e in errors:
            print(f"{'':45}   error at byte {e['offset']}: {e['message'][:90]}")


if __name__ == "__main__":
    main()
