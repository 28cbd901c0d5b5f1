"""thresh steps as a datatrove block: swap a datatrove filter for thresh's without rewriting the
pipeline.

    from thresh.datatrove import ThreshFilter
    pipeline = [JsonlReader(...), ThreshFilter({"type": "gopher_quality"}), JsonlWriter(...)]

A kept document gets the steps' text (steps such as `footer_lines` rewrite it) and thresh's
annotations under `metadata["thresh"]`; a dropped one is reported to datatrove with the step and
reason (`dropped_<step>: <reason>` in its stats). `metadata["language"]` (datatrove's
LanguageFilter) is passed on as the document language.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from . import Pipeline

StepConfig = Union[str, Mapping[str, Any], Sequence[Mapping[str, Any]]]


class ThreshFilter(BaseFilter):
    """One thresh step (a dict), several (a list of dicts) or `[[step]]` TOML text, run in
    batches of `batch_size` documents on `threads` threads without the GIL. A `tokens` step's
    count of a kept document becomes `metadata["token_count"]` (as datatrove's TokensCounter
    writes it) and the block's `tokens` stat."""

    name = "thresh"

    def __init__(self, step_config: StepConfig, exclusion_writer: DiskWriter | None = None, batch_size: int = 256, threads: int = 0):
        super().__init__(exclusion_writer, batch_size)
        if isinstance(step_config, Mapping) and "step" not in step_config:
            step_config = [step_config]
        self.pipeline = Pipeline(step_config)
        self.threads = threads

    def filter(self, doc) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch) -> list[bool | tuple[bool, str]]:
        langs = [d.metadata.get("language") if d.metadata else None for d in batch]
        results = self.pipeline.process_batch([d.text for d in batch], langs=langs, threads=self.threads)
        verdicts: list[bool | tuple[bool, str]] = []
        for doc, r in zip(batch, results):
            if r["keep"]:
                doc.text = r["text"]
                if r["annotations"]:
                    doc.metadata["thresh"] = r["annotations"]
                    tokens = r["annotations"].get("tokens")
                    if isinstance(tokens, int):
                        # Where datatrove's TokensCounter puts it, for its LengthCounter and writers.
                        doc.metadata["token_count"] = tokens
                        self.stat_update("tokens", value=tokens)
                verdicts.append(True)
            else:
                verdicts.append((False, _stat_name(r["reason"])))
        return verdicts


def _stat_name(reason: str) -> str:
    """`gopher_quality: gopher_short_document 12 < 50` → `gopher_quality.gopher_short_document`
    (datatrove counts drops per reason name)."""
    step, _, text = reason.partition(": ")
    return f"{step}.{text.split()[0]}" if text.strip() else step
