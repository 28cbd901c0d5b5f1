#!/bin/bash
# Existing Rust crates on the three extraction benchmarks, one core each, scored with the
# benchmarks' own scorers: rs-trafilatura, dom_smoothie (formatted and raw text), and the
# parse-only speed of html5ever (scraper) and tl.
#   bash tools/extract-crates/run.sh [OUT_DIR]        (REPS=3 by default)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(cd "$HERE/../../../shared/data/extraction" && pwd)
O=${1:-/tmp/thresh-extract-crates}; mkdir -p "$O"
REPS=${REPS:-3}
(cd "$HERE" && cargo build --release --quiet)
B=$HERE/target/release/extract-crates
for bm in "sh scrapinghub/html json" "te trafilatura-eval/pages jsonl" "wcxb wcxb/html jsonl"; do
  set -- $bm; f=$1; dir=$D/$2; ext=$3
  for mode in traf smoothie smoothie_raw scraper tl; do
    taskset -c 0 "$B" $mode "$dir" $f "$O/${mode}_$f.$ext" "$REPS" > "$O/${mode}_$f.stats.json" 2> "$O/${mode}_$f.err"
    echo "$mode $f: $(cat "$O/${mode}_$f.stats.json" | head -c 300)"
  done
done
for m in traf smoothie smoothie_raw; do
  python3 "$D/scrapinghub/score.py" "$O/${m}_sh.json"
  python3 "$D/trafilatura-eval/score.py" "$O/${m}_te.jsonl"
  python3 - "$D" "$O/${m}_te.jsonl" <<'PY'
import importlib.util, json, sys
from urllib.parse import urlparse
d, pred = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("te", f"{d}/trafilatura-eval/score.py")
te = importlib.util.module_from_spec(spec); spec.loader.exec_module(te)
ev = [it for it in json.load(open(f"{d}/trafilatura-eval/eval.json"))
      if (urlparse(it["url"]).hostname or "").endswith((".de", ".at", ".ch"))]
preds = {o["file"]: o.get("text") for o in map(json.loads, open(pred)) }
m = te.score(ev, preds)
print(f"  German hosts ({len(ev)} pages): F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}")
PY
  python3 "$D/wcxb/score.py" "$O/${m}_wcxb.jsonl"
done
