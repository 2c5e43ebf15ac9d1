"""Generating SQL for samples through the generation cache, with any backend.

A backend is a `Generator`: `harness.generation.local.LocalGenerator` (a transformers model in
this process) or `harness.generation.served.ServedGenerator` (a model behind an OpenAI-compatible
chat-completions API). It says what its cache key is (what changes its outputs), what a sample's
request is (the rendered prompt, or the messages sent), and generates whatever is not cached.
Every finished output goes to the cache at once, so nothing finished is lost when a run is
killed or a server fails, and to an optional callback, so a caller can score it while the rest
generates.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from rich.progress import Progress

from harness.data.samples import Sample
from harness.generation.cache import GenerationCache
from harness.progress import progress_bar

Finished = Callable[[dict[str, str], int], None]
"""Called by a backend with each group of finished outputs (`{sample id: text}`) and their new tokens."""


@dataclass(frozen=True)
class DecodeConfig:
    """Decoding settings (always greedy); all of them are part of the generation cache key.

    Attributes:
        max_new_tokens: Most tokens generated per sample.
        dtype: Weight dtype name (`bfloat16`, `float16`, `float32`) of a local model.
    """

    max_new_tokens: int = 256
    dtype: str = "bfloat16"

    def cache_key(self) -> dict:
        return {"decoding": "greedy", **asdict(self)}


class Generator(Protocol):
    """What `generate` needs of a backend."""

    def cache_key(self, decode: DecodeConfig) -> dict:
        """Everything that changes the outputs: the model's identity, its prompt format, the decoding."""

    def request(self, sample: Sample) -> str:
        """The text a sample's output is cached under: its rendered prompt, or the messages sent."""

    def run(self, pending: list[Sample], requests: dict[str, str], decode: DecodeConfig, finished: Finished,
            bar: Progress) -> dict:
        """Generate for every pending sample, calling `finished` as outputs come; returns backend statistics."""


def generate(
    generator: Generator,
    samples: list[Sample],
    decode: DecodeConfig,
    cache: GenerationCache,
    progress: bool | Progress = True,
    on_outputs: Callable[[dict[str, str]], None] | None = None,
) -> tuple[dict[str, str], dict]:
    """Outputs for every sample (from the cache or generated), and generation statistics.

    Args:
        generator: The backend that generates what is not cached.
        samples: Samples to generate for.
        decode: Decoding settings.
        cache: Where outputs are looked up and stored (keyed by `generator.cache_key(decode)`).
        progress: True for a progress display of its own, False for none, or a rich `Progress` to
            add the "generating" task to.
        on_outputs: Called with each group of finished outputs (`{sample id: text}`): the cached
            ones first, then each group as soon as it is done.

    Returns:
        `(outputs, stats)`: outputs by sample id; stats with `generated`, `cached`, `new_tokens`,
        `seconds` and the backend's own (`engine` and `batch_size`, or `concurrency`).
    """
    requests = {s.id: generator.request(s) for s in samples}
    outputs = {s.id: out for s in samples if (out := cache.get(s.id, requests[s.id])) is not None}
    pending = [s for s in samples if s.id not in outputs]
    stats = {"generated": len(pending), "cached": len(outputs), "new_tokens": 0, "seconds": 0.0}
    if outputs and on_outputs:
        on_outputs(dict(outputs))
    if not pending:
        return outputs, stats

    def finished(texts: dict[str, str], new_tokens: int) -> None:
        cache.put([(sample_id, requests[sample_id], text) for sample_id, text in texts.items()])
        outputs.update(texts)
        stats["new_tokens"] += new_tokens
        bar.advance(task, len(texts))
        if on_outputs:
            on_outputs(texts)

    started = time.perf_counter()
    with _progress(progress) as bar:
        task = bar.add_task("generating", total=len(pending))
        stats.update(generator.run(pending, requests, decode, finished, bar))
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return outputs, stats


def _progress(progress: bool | Progress) -> Progress | contextlib.nullcontext:
    """A context giving the Progress to draw on: the caller's own (left running), a new one, or a disabled one."""
    if isinstance(progress, Progress):
        return contextlib.nullcontext(progress)
    return progress_bar(progress)
