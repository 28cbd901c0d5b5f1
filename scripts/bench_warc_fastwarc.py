#!/usr/bin/env python3
"""FastWARC's side of the WARC read benchmark: iterate every record of FILE and read its whole
block (decompressing every gzip member), as thresh's `warc_speed` example reads every record.
Prints records, block bytes, seconds of the iteration and MB/s: of the decompressed file when
--bytes N gives its size (the figure thresh's `warc_speed` prints), else of the blocks.

usage: bench_warc_fastwarc.py FILE.warc[.gz] [--bytes N] [--http]
  --bytes N  the decompressed size of FILE (e.g. `gzip -dc FILE | wc -c`)
  --http     parse the HTTP headers of responses too (FastWARC's parse_http=True)
"""
import sys
import time

from fastwarc import ArchiveIterator, WarcRecordType


def main():
    args = sys.argv[1:]
    path = args[0]
    http = "--http" in args
    total = int(args[args.index("--bytes") + 1]) if "--bytes" in args else None
    start = time.perf_counter()
    records = block_bytes = 0
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.any_type, parse_http=http):
            block_bytes += len(record.reader.read())
            records += 1
    secs = time.perf_counter() - start
    size, of = (total, "decompressed") if total is not None else (block_bytes, "of blocks")
    print(f"{path}: FastWARC {records} records, {block_bytes / 1e6:.0f} MB of blocks, "
          f"{size / 1e6:.0f} MB {of} in {secs:.3f} s = {size / 1e6 / secs:.0f} MB/s")


if __name__ == "__main__":
    main()
