"""thresh over a Ray Dataset: the per-document steps of a pipeline file applied with
`map_batches` and the Python batch API (the Rust core, GIL released), on a local Ray cluster
or any cluster `ray.init` connects to.

    pip install . "ray[data]"
    python examples/ray_pipeline.py examples/quickstart.toml examples/data /tmp/ray-out

Deduplication steps decide over the whole corpus: run those with `thresh run` (sharded with
--rank/--world-size), not per batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ray

import thresh


class ThreshBatch:
    """A Ray Data callable: keeps the documents the pipeline keeps, with their new text."""

    def __init__(self, pipeline_toml: str, base_dir: str):
        self.pipeline = thresh.Pipeline(pipeline_toml, base_dir)

    def __call__(self, batch: dict) -> dict:
        keep, texts, _ = self.pipeline.filter_batch(list(batch["text"]), threads=1)
        out = {k: [v for v, kept in zip(batch[k], keep) if kept] for k in batch}
        out["text"] = [t for t, kept in zip(texts, keep) if kept]
        return out


class ThreshDrops(ThreshBatch):
    """A Ray Data callable: the step that dropped each dropped document (for the accounting)."""

    def __call__(self, batch: dict) -> dict:
        keep, _, reasons = self.pipeline.filter_batch(list(batch["text"]), threads=1)
        return {"step": [r.split(":")[0] for r, kept in zip(reasons, keep) if not kept]}


def drop_counts(pipeline_file: Path, inputs: list[str]) -> dict[str, int]:
    """How many documents of `inputs` each step drops, counted on the cluster."""
    ds = ray.data.read_json(inputs, file_extensions=["jsonl"])
    dropped = ds.map_batches(
        ThreshDrops,
        fn_constructor_args=(pipeline_file.read_text(), str(pipeline_file.parent)),
        batch_format="numpy",
        concurrency=1,
    )
    if dropped.count() == 0:
        return {}
    return {row["step"]: row["count()"] for row in dropped.groupby("step").count().take_all()}


def process(pipeline_file: Path, inputs: list[str]) -> ray.data.Dataset:
    """The kept documents of `inputs` (JSON Lines) as a Ray Dataset."""
    ds = ray.data.read_json(inputs, file_extensions=["jsonl"])
    return ds.map_batches(
        ThreshBatch,
        fn_constructor_args=(pipeline_file.read_text(), str(pipeline_file.parent)),
        batch_format="numpy",
        concurrency=1,
    )


def main() -> None:
    pipeline_file, data, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    ray.init(ignore_reinit_error=True)
    kept = process(pipeline_file, [data])
    kept.write_json(out)
    print(f"kept {kept.count()} documents → {out}; dropped by step: {drop_counts(pipeline_file, [data])}")


if __name__ == "__main__":
    main()
