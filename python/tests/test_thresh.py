"""The Python package against the Rust core: per-document step functions, pipelines, the batch
API, whole runs, and the datatrove block in a real datatrove pipeline."""

import json
from pathlib import Path

import pytest

import thresh

ROOT = Path(__file__).resolve().parents[2]

GERMAN = (
    "Die Stadtverwaltung hat am Dienstag einen neuen Plan für die Sanierung der Brücke über den "
    "Fluss vorgestellt. Die Arbeiten sollen im Frühjahr beginnen und etwa zwei Jahre dauern. "
    "Während der Bauzeit wird der Verkehr über eine Behelfsbrücke geführt, die bereits im Winter "
    "errichtet werden soll. Anwohner können sich bei einer Versammlung im Rathaus informieren, "
    "wo die Pläne ausgestellt sind und Fachleute ihre Fragen beantworten."
)


def test_every_step_type_has_a_function():
    types = thresh.step_types()
    assert {"gopher_quality", "language", "html_extract", "minhash_dedup"} <= set(types)
    for name in types:
        assert callable(getattr(thresh, name)), name


def test_gopher_quality_is_language_aware():
    # German text keeps German stop words; with English defaults (datatrove) it would fail.
    german = thresh.gopher_quality(GERMAN, lang="de")
    assert german["keep"], german
    signals = german["steps"][0]["signals"]
    assert signals, german
    short = thresh.gopher_quality("zu kurz", lang="de")
    assert not short["keep"]
    assert short["dropped_by"] == "gopher_quality"
    assert short["reason"].startswith("gopher_short_doc")


def test_language_and_parameters():
    r = thresh.language(GERMAN)
    assert r["annotations"]["lang"] == "de"
    assert r["keep"]
    r = thresh.language(GERMAN, languages=["fr"])
    assert not r["keep"] and "not in [fr]" in r["reason"]
    with pytest.raises(ValueError, match="unknown key"):
        thresh.length(GERMAN, min_wrods=3)


def test_html_extract_returns_text_and_metadata():
    html = (
        "<html lang=en><head><title>Ferry</title></head><body><nav><a href=/>Home</a></nav>"
        "<div class=entry-content><p>The passenger ferry between Eastport and Millbrook Island "
        "resumed its timetable on Monday after three months in dry dock, with new engines.</p>"
        "<p>About forty commuters boarded the first crossing, many of them with bicycles, and the "
        "harbour master thanked islanders for their patience over the winter.</p></div></body></html>"
    )
    r = thresh.html_extract(html)
    assert r["keep"]
    assert r["text"].startswith("The passenger ferry")
    assert "Home" not in r["text"]
    assert r["annotations"]["title"] == "Ferry"


def test_pipeline_batch_matches_one_by_one_and_accepts_langs():
    p = thresh.Pipeline([{"type": "language"}, {"type": "gopher_quality"}])
    texts = [GERMAN, "zu kurz", GERMAN.replace("Brücke", "Straße")] * 20
    batch = p.process_batch(texts, threads=2)
    single = [p.process(t) for t in texts]
    assert [b["keep"] for b in batch] == [s["keep"] for s in single]
    assert [b["text"] for b in batch] == [s["text"] for s in single]
    assert batch[1]["reason"].startswith("gopher_quality: gopher_short_doc")
    keep, out, reasons = p.filter_batch(texts, langs=["de"] * len(texts))
    assert keep == [b["keep"] for b in batch]
    with pytest.raises(ValueError):
        p.filter_batch(texts, langs=["de"])


def test_pipeline_from_toml_text():
    p = thresh.Pipeline('[[step]]\ntype = "length"\nmin_words = 5\n')
    assert p.process("one two three four five six")["keep"]
    assert not p.process("one two")["keep"]


def test_dedup_pipelines_run_whole(tmp_path):
    p = thresh.Pipeline([{"type": "minhash_dedup"}])
    with pytest.raises(RuntimeError, match="thresh.run"):
        p.process_batch(["a"])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docs = [{"id": f"d{i}", "text": GERMAN if i % 2 else GERMAN + f" Nummer {i}."} for i in range(10)]
    (corpus / "part.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n")
    stats = thresh.run(
        {
            "input": {"paths": [str(corpus)]},
            "step": [{"type": "exact_dedup"}],
            "output": {"path": str(tmp_path / "out")},
        }
    )
    assert stats["read"] == 10
    assert stats["kept"] + sum(stats["dropped"].values()) == 10
    assert stats["dropped"]["exact_dedup"] == 4  # the five identical copies keep one


def test_run_a_pipeline_file_like_the_cli(tmp_path):
    stats = thresh.run(ROOT / "examples" / "quickstart.toml", output=tmp_path / "out", overwrite=True)
    cli = json.loads((ROOT / "examples" / "out" / "stats.json").read_text()) if (ROOT / "examples" / "out" / "stats.json").exists() else None
    assert stats["read"] == stats["kept"] + sum(stats["dropped"].values()) + stats["errored"]
    if cli is not None:
        assert (stats["read"], stats["kept"], stats["dropped"]) == (cli["read"], cli["kept"], cli["dropped"])
    assert (tmp_path / "out" / "stats.json").exists()


def test_arrow_arrays_are_accepted():
    pa = pytest.importorskip("pyarrow")
    p = thresh.Pipeline([{"type": "length", "min_words": 3}])
    keep, _, _ = p.filter_batch(pa.array(["one two three", "one"]))
    assert keep == [True, False]


def test_pipelines_pickle_for_datatrove_and_ray():
    import pickle

    p = thresh.Pipeline([{"type": "length", "min_words": 3}])
    q = pickle.loads(pickle.dumps(p))
    assert q.filter_batch(["one two three", "one"])[0] == [True, False]
