"""One pipeline, four ways — (a) one `thresh run`, (b) 4 rank tasks + `thresh merge-stats`,
(c) a 4-task Slurm array (`thresh slurm --submit`), (d) Ray `map_batches` with the batch API —
keep the same documents with the same texts and drop the same counts per step. With MinHash
deduplication (a corpus-wide decision, not a per-batch one) for (a)–(c).

(b) and (c) need the `thresh` binary (`THRESH_BIN`, else the workspace's target/debug or
target/release build: `cargo build` makes it); (c) needs a Slurm cluster answering `sinfo`
(`scripts/slurm_local.sh` starts one); (d) needs `ray[data]`. Each is skipped with the reason
when its part is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import thresh

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["river", "Stadt", "garden", "école", "market", "Brücke", "library", "soleil", "council", "Wetter"]
FILTERS = '[[step]]\ntype = "normalize"\n\n[[step]]\ntype = "length"\nmin_words = 20\n'
MINHASH = '[[step]]\ntype = "length"\nmin_words = 20\n\n[[step]]\ntype = "minhash_dedup"\n'


def binary() -> Path | None:
    if os.environ.get("THRESH_BIN"):
        return Path(os.environ["THRESH_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    built = [target / p / "thresh" for p in ("debug", "release")]
    built = [b for b in built if b.exists()]
    return max(built, key=lambda b: b.stat().st_mtime) if built else None


def write_corpus(directory: Path, files: int, docs: int) -> None:
    """The Rust tests' corpus (formulaic texts, many near-duplicates)."""
    directory.mkdir(parents=True)
    for f in range(files):
        lines = []
        for d in range(docs):
            n = (f * 7919 + d * 104729) % 120 + 1
            body = " ".join(WORDS[(i * 31 + d + f) % len(WORDS)] for i in range(n))
            lines.append(json.dumps({"id": f"f{f}-d{d}", "text": body, "metadata": {"n": n}}))
        (directory / f"part-{f:03}.jsonl").write_text("\n".join(lines) + "\n")


def pipeline(tmp: Path, name: str, steps: str) -> Path:
    path = tmp / f"{name}.toml"
    out = tmp / f"out-{name}"
    path.write_text(f'[input]\npaths = ["corpus"]\n\n{steps}\n[output]\npath = "{out}"\ncompression = "none"\n')
    return path


def result(out: Path) -> tuple[dict[str, str], dict[str, int], int]:
    """(kept id → text, dropped per step, read) of an output directory."""
    kept = {}
    for shard in sorted((out / "kept").rglob("*.jsonl")):
        for line in shard.read_text().splitlines():
            doc = json.loads(line)
            kept[doc["id"]] = doc["text"]
    stats = json.loads((out / "stats.json").read_text())
    return kept, stats["dropped"], stats["read"]


def cli(*args: str) -> None:
    done = subprocess.run([str(binary()), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def one_run(p: Path) -> tuple:
    out = p.parent / f"out-{p.stem}"
    cli("run", str(p), "-q", "--overwrite")
    got = result(out)
    shutil.rmtree(out)
    return got


def as_ranks(p: Path, passes: int) -> tuple:
    out = p.parent / f"out-{p.stem}"
    for pass_ in range(passes):
        for rank in range(4):
            cli("run", str(p), "-q", "--pass", str(pass_), "--rank", str(rank), "--world-size", "4")
        if pass_ + 1 < passes:
            cli("run", str(p), "-q", "--resolve", str(pass_))
    cli("merge-stats", str(out))
    got = result(out)
    shutil.rmtree(out)
    return got


def slurm_up() -> bool:
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    except FileNotFoundError:
        return False
    return states.returncode == 0 and any(s in states.stdout for s in ("idle", "mix", "alloc"))


def as_slurm_array(p: Path) -> tuple:
    out = p.parent / f"out-{p.stem}"
    cli("slurm", str(p), "--tasks", "4", "--cpus-per-task", "1", "--submit")
    deadline = time.time() + 300
    while True:
        queue = subprocess.run(["squeue", "-h", "-o", "%j"], capture_output=True, text=True).stdout
        if "thresh-" not in queue and (out / "stats.json").exists():
            break
        assert time.time() < deadline, f"Slurm jobs did not finish: {queue}"
        time.sleep(0.5)
    got = result(out)
    shutil.rmtree(out)
    return got


def through_ray(p: Path) -> tuple:
    sys.path.insert(0, str(ROOT / "examples"))
    import ray
    import ray_pipeline as example

    ray.init(
        num_cpus=4,
        include_dashboard=False,
        ignore_reinit_error=True,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT / "examples")}},
    )
    try:
        inputs = [str(p.parent / "corpus")]
        kept = {r["id"]: r["text"] for r in example.process(p, inputs).take_all()}
        dropped = example.drop_counts(p, inputs)
    finally:
        ray.shutdown()
    return kept, dropped, len(kept) + sum(dropped.values())


def test_one_run_ranks_slurm_and_ray_agree(tmp_path):
    if binary() is None:
        # CI builds the binary before the Python tests: there, its absence is a failure.
        if os.environ.get("CI"):
            pytest.fail("no thresh binary in CARGO_TARGET_DIR or target/ (CI builds it first)")
        pytest.skip("no thresh binary: `cargo build`, or set THRESH_BIN")
    write_corpus(tmp_path / "corpus", 6, 400)
    ways = []
    references = {}
    for name, steps, passes in [("filters", FILTERS, 1), ("minhash", MINHASH, 2)]:
        p = pipeline(tmp_path, name, steps)
        references[name] = reference = one_run(p)
        kept, dropped, read = reference
        assert read == 2400 and kept and sum(dropped.values()) > 100
        if name == "minhash":
            assert dropped["minhash_dedup"] > 100
        assert as_ranks(p, passes) == reference, f"{name}: 4 ranks + merge-stats"
        ways.append(f"{name}: ranks")
        if slurm_up():
            assert as_slurm_array(p) == reference, f"{name}: Slurm array"
            ways.append(f"{name}: Slurm")
        if name == "filters":
            try:
                import ray.data  # noqa: F401
            except ImportError:
                continue
            assert through_ray(p) == reference, "filters: Ray"
            ways.append("filters: Ray")
    # The Python package's runner gives (a) too.
    thresh.run(str(tmp_path / "filters.toml"), overwrite=True)
    assert result(tmp_path / "out-filters") == references["filters"], "thresh.run"
    print("agreed with one run:", ", ".join(ways))
