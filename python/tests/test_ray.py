"""thresh over a Ray Dataset on a local Ray cluster keeps what `thresh run` keeps."""

import json
import sys
import tomllib
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

import thresh  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_ray_map_batches_keeps_what_the_cli_keeps(tmp_path):
    # The example module must be importable on the Ray workers too.
    examples = str(ROOT / "examples")
    sys.path.insert(0, examples)
    import ray_pipeline as example

    pipeline = ROOT / "examples" / "quickstart.toml"
    config = tomllib.loads(pipeline.read_text())
    config["input"]["paths"] = [str(ROOT / "examples" / "data")]
    config["output"] = {"path": str(tmp_path / "cli"), "compression": "none"}
    cli = thresh.run(config)

    ray.init(
        num_cpus=4,
        include_dashboard=False,
        ignore_reinit_error=True,
        runtime_env={"env_vars": {"PYTHONPATH": examples}},
    )
    try:
        rows = example.process(pipeline, [str(ROOT / "examples" / "data")]).take_all()
    finally:
        ray.shutdown()
    assert len(rows) == cli["kept"]
    texts_by_id = {r["id"]: r["text"] for r in rows}
    # The CLI's kept documents: the same ids with the same texts.
    kept_ids = set()
    for shard in sorted((tmp_path / "cli" / "kept").rglob("*.jsonl")):
        for line in shard.read_text().splitlines():
            doc = json.loads(line)
            kept_ids.add(doc["id"])
            assert texts_by_id[doc["id"]] == doc["text"]
    assert kept_ids == set(texts_by_id)
