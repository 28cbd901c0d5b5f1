"""ThreshFilter inside a real datatrove pipeline (LocalPipelineExecutor)."""

import json

import pytest

datatrove = pytest.importorskip("datatrove")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from thresh.datatrove import ThreshFilter  # noqa: E402

GERMAN = (
    "Die Stadtverwaltung hat am Dienstag einen neuen Plan für die Sanierung der Brücke über den "
    "Fluss vorgestellt. Die Arbeiten sollen im Frühjahr beginnen und etwa zwei Jahre dauern. "
    "Während der Bauzeit wird der Verkehr über eine Behelfsbrücke geführt, die bereits im Winter "
    "errichtet werden soll. Anwohner können sich bei einer Versammlung im Rathaus informieren."
)


def test_thresh_filter_in_a_datatrove_pipeline(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    docs = [{"id": f"d{i}", "text": GERMAN if i % 3 else "zu kurz", "metadata": {"language": "deu"}} for i in range(30)]
    (src / "part.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n")
    out = tmp_path / "out"
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            ThreshFilter({"type": "gopher_quality"}, batch_size=8),
            JsonlWriter(str(out), compression=None),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    kept = [json.loads(line) for f in sorted(out.glob("*.jsonl")) for line in f.read_text().splitlines()]
    assert len(kept) == 20
    assert all(d["text"] == GERMAN for d in kept)
    # German stop words: datatrove's own GopherQualityFilter would have dropped these.
    stats = json.loads(next((tmp_path / "logs" / "stats").glob("*.json")).read_text())
    flat = json.dumps(stats)
    assert "gopher_quality.gopher_short_doc" in flat


def test_token_counts_pass_on_as_datatrove_counts_them(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    docs = [{"id": f"d{i}", "text": "hello world" * (i + 1)} for i in range(5)]
    (src / "part.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    out = tmp_path / "out"
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            ThreshFilter({"type": "tokens", "tokenizer": "o200k_base", "max_tokens": 6}),
            JsonlWriter(str(out), compression=None),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    kept = [json.loads(line) for f in sorted(out.glob("*.jsonl")) for line in f.read_text().splitlines()]
    # o200k_base: "hello world" is two tokens, "hello worldhello world" four (tiktoken).
    counts = {d["id"]: d["metadata"]["token_count"] for d in kept}
    assert set(counts) == {"d0", "d1", "d2"}
    assert counts["d0"] == 2
    stats = json.loads(next((tmp_path / "logs" / "stats").glob("*.json")).read_text())
    assert '"tokens"' in json.dumps(stats)
