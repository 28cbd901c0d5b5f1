"""thresh from Python: run pipelines, call any step on one document, or filter batches.

The work is thresh's Rust core; batches and runs release the GIL.

    import thresh
    thresh.gopher_quality("Ein Text …", lang="de")      # one step, one document
    p = thresh.Pipeline([{"type": "language"}, {"type": "gopher_quality"}])
    p.process_batch(texts)                               # many documents, all cores
    thresh.run("examples/recommended.toml")              # a whole pipeline file
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

from . import _thresh

__all__ = ["Pipeline", "run", "step_types"]

StepTable = Mapping[str, Any]


def step_types() -> dict[str, str]:
    """Every step type with its one-line description."""
    return dict(_thresh.step_types())


def _steps(steps: Union[str, Sequence[StepTable], Mapping[str, Any]]) -> list[dict]:
    """Step tables from a list of dicts or a dict with a `step` list."""
    if isinstance(steps, Mapping):
        steps = steps.get("step", [])
    return [dict(s) for s in steps]


def _texts(texts: Iterable[Any]) -> list[str]:
    """A list of str from a list, any iterable, or an Arrow string array / chunked array."""
    if hasattr(texts, "to_pylist"):
        texts = texts.to_pylist()
    return texts if isinstance(texts, list) else list(texts)


class Pipeline:
    """Per-document steps (no deduplication, which needs the whole corpus: use `run`).

    `steps` is a list of step tables (`{"type": "gopher_quality", "max_non_alpha_words_ratio": 0.8}`),
    a dict with a `step` list, or TOML text with `[[step]]` tables.
    """

    def __init__(self, steps: Union[str, Sequence[StepTable], Mapping[str, Any]], base_dir: Union[str, os.PathLike] = "."):
        # Kept so that a pipeline pickles (datatrove copies its steps, Ray ships functions).
        self._spec = (steps if isinstance(steps, str) else _steps(steps), str(base_dir))
        if isinstance(steps, str):
            self._inner = _thresh.Pipeline(steps, str(base_dir), toml=True)
        else:
            self._inner = _thresh.Pipeline(json.dumps(self._spec[0]), str(base_dir))

    def __reduce__(self):
        return (Pipeline, self._spec)

    def process(self, text: str, lang: str | None = None, id: str | None = None) -> dict:
        """One document through every step, with each step's signals: a dict with `keep`,
        `reason`, `dropped_by`, `text`, `annotations` and `steps` (name, type, verdict,
        signals, removed_lines)."""
        return json.loads(self._inner.trace(text, lang, id))

    def process_batch(self, texts: Iterable[Any], langs: Sequence[str | None] | None = None, threads: int = 0) -> list[dict]:
        """Many documents on `threads` threads (0: every core) without the GIL: for each, a
        dict with `keep`, `text`, `reason` (`"step: reason"` or None) and `annotations`."""
        keep, out, reasons, annotations = self._inner.process_batch(_texts(texts), None if langs is None else list(langs), threads)
        return [
            {"keep": k, "text": t, "reason": r, "annotations": a}
            for k, t, r, a in zip(keep, out, reasons, json.loads(annotations))
        ]

    def filter_batch(self, texts: Iterable[Any], langs: Sequence[str | None] | None = None, threads: int = 0) -> tuple[list[bool], list[str], list[str | None]]:
        """Like `process_batch`, as three lists (kept flags, texts, reasons) without building
        a dict per document: the fast path for dataframes and Arrow batches."""
        keep, out, reasons, _ = self._inner.process_batch(_texts(texts), None if langs is None else list(langs), threads, annotations=False)
        return keep, out, reasons


def run(pipeline: Union[str, os.PathLike, Mapping[str, Any]], output: Union[str, os.PathLike, None] = None, threads: int = 0, overwrite: bool = False) -> dict:
    """Runs a whole pipeline as `thresh run` does (deduplication included) and returns its
    `stats.json`. `pipeline` is a pipeline file's path, TOML text, or a dict shaped like one
    (relative paths of a dict or TOML text resolve against the current directory). `output`
    replaces the pipeline's output as `thresh run --output` does: a relative path resolves
    against the current directory."""
    out = None if output is None else str(output)
    if isinstance(pipeline, Mapping):
        return json.loads(_thresh.run(json.dumps(pipeline), ".", out, threads, overwrite, json=True))
    if isinstance(pipeline, os.PathLike) or (isinstance(pipeline, str) and "\n" not in pipeline and pipeline.endswith(".toml")):
        path = Path(pipeline)
        text, base = path.read_text(encoding="utf-8"), str(path.parent)
    else:
        text, base = str(pipeline), "."
    return json.loads(_thresh.run(text, base, out, threads, overwrite))


@functools.lru_cache(maxsize=256)
def _single(step_type: str, params_json: str) -> Pipeline:
    return Pipeline([{"type": step_type, **json.loads(params_json)}])


def _step_function(step_type: str, description: str):
    def call(text: str, lang: str | None = None, **params: Any) -> dict:
        return _single(step_type, json.dumps(params, sort_keys=True)).process(text, lang=lang)

    call.__name__ = step_type
    call.__qualname__ = step_type
    call.__doc__ = (
        f"{description}\n\nRuns the `{step_type}` step on one document (`lang` sets thresh.lang "
        "for language-aware steps; keyword arguments are the step's parameters) and returns the "
        "verdict, the text after the step, the annotations and the step's signals."
    )
    return call


for _type, _description in _thresh.step_types():
    globals()[_type] = _step_function(_type, _description)
    __all__.append(_type)
del _type, _description
