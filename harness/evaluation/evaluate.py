"""Evaluate checkpoints on a task split: generate through the cache, score, store.

`resolve_checkpoints` turns what a user names (`base`, a run folder, an `epoch_<n>` adapter
folder, a merged model folder, or a served model) into `Checkpoint`s; `generator_for` gives each
its generation backend (a local model, loaded only when some output is not cached, with any
adapter merged into its weights; or a served model's endpoint). `evaluate` generates for each
one, scores every prediction with the evaluator (each output while the rest generate:
`generate_and_score`) and writes `eval/<checkpoint>/samples.jsonl` and `summary.json` into the
run's store. `generate_shard` splits local generation over data-parallel workers (one per GPU)
ahead of `evaluate`.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from harness import launch
from harness.data.samples import Sample
from harness.errors import HarnessInputError
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, Generator, generate
from harness.generation.local import LocalGenerator
from harness.generation.served import Endpoint, ServedGenerator
from harness.models import loader
from harness.paths import cache_dir
from harness.progress import progress_bar
from harness.results.summary import summarize
from harness.scoring.extract import extract_sql
from harness.scoring.scorer import SCORER_VERSION, Scorer, ScoreConfig, score_all
from harness.store import RunStore, epoch_of


@dataclass(frozen=True)
class Checkpoint:
    """One thing to evaluate: a base model, optionally with an adapter, or a served model (`endpoint`)."""

    label: str
    model: str
    adapter: str | None = None
    endpoint: Endpoint | None = None

    @property
    def epoch(self) -> int | None:
        return epoch_of(self.label)


def resolve_checkpoints(specs: list[str], model: str, endpoint: Endpoint | None = None) -> list[Checkpoint]:
    """Checkpoints from `base`, run folders (every epoch), adapter folders or merged model folders.

    With `endpoint` (a served model) the only checkpoint is `base`: the model as it is served.
    """
    if endpoint is not None:
        if other := [spec for spec in specs if spec != "base"]:
            raise HarnessInputError(
                f"--checkpoint {other[0]}: {endpoint.label} is evaluated as the server serves it; give --checkpoint base "
                "(or none), and serve a merged checkpoint (harness merge) to evaluate it over the API"
            )
        return [Checkpoint("base", endpoint.label, endpoint=endpoint)]
    found = []
    for spec in specs:
        path = Path(spec)
        if spec == "base":
            found.append(Checkpoint("base", model))
        elif RunStore(path).has_checkpoints():
            epochs = RunStore(path).epoch_dirs(complete=False)
            if not epochs:
                raise HarnessInputError(f"{path}: run has no epoch checkpoints yet")
            found += [Checkpoint(p.name, model, str(p)) for p in epochs]
        elif (path / "adapter_config.json").is_file():
            found.append(Checkpoint(path.name, model, str(path)))
        elif (path / "config.json").is_file():
            found.append(Checkpoint(path.name, str(path.resolve())))
        elif path.is_dir():
            raise HarnessInputError(f"{path}: no weights here (neither an adapter, a model folder nor a run)")
        else:
            raise HarnessInputError(f"{spec}: not a checkpoint (use base, a run folder, an adapter or a model folder)")
    return found


def generator_for(ck: Checkpoint, decode: DecodeConfig, device: str | None = None, batch_size: int | None = None,
                  engine: str = "batched", model=None, tokenizer=None) -> Generator:
    """The checkpoint's generation backend: its endpoint, or its tokenizer with the model loaded on demand (adapter merged).

    Args:
        model: An in-memory model standing for the checkpoint's weights (the model in training),
            used with `tokenizer` instead of loading them; its outputs go under the key a later
            load of the checkpoint computes.
    """
    if ck.endpoint is not None:
        return ServedGenerator(ck.endpoint)
    weights = {"model": loader.fingerprint(ck.model, ck.adapter), "adapter": "merged" if ck.adapter else None}
    if model is not None:
        return LocalGenerator(tokenizer, weights, model=model, batch_size=batch_size, engine=engine)

    def load():
        import torch

        return loader.load_model(ck.model, adapter=ck.adapter, dtype=getattr(torch, decode.dtype), device=device,
                                 merge=True)[0]

    return LocalGenerator(loader.load_tokenizer(ck.model), weights, load=load, batch_size=batch_size, engine=engine)


def generation_cache(generator: Generator, decode: DecodeConfig, shard: int | None = None) -> GenerationCache:
    """The cache of a backend's outputs under this decoding (`Generator.cache_key`)."""
    return GenerationCache(cache_dir() / "generations", generator.cache_key(decode), shard)


def generate_shard(checkpoints: list[Checkpoint], samples: list[Sample], decode: DecodeConfig, batch_size: int | None,
                   progress: bool = True) -> None:
    """Generate this data-parallel worker's share of every checkpoint's outputs into its own cache shard.

    Worker r of n (`harness.launch`) takes samples r, r+n, r+2n, ... on its own device; once
    every worker is done, `evaluate` in one process finds all outputs cached and scores them, so
    results are merged by sample id and equal a one-process run's whatever the number of workers.
    """
    share = samples[launch.rank() :: launch.world_size()]
    for ck in checkpoints:
        generator = generator_for(ck, decode, launch.device(), batch_size)
        generate(generator, share, decode, generation_cache(generator, decode, shard=launch.rank()),
                 progress=progress and launch.rank() == 0)
        del generator
        gc.collect()


def evaluate(
    store: RunStore,
    checkpoints: list[Checkpoint],
    samples: list[Sample],
    task,
    split: str,
    decode: DecodeConfig,
    score_config: ScoreConfig,
    batch_size: int | None = None,
    device: str | None = None,
    progress: bool = True,
) -> list[dict]:
    """Generate, score and store every checkpoint; returns their summaries."""
    return [
        evaluate_one(store, ck, samples, task, split, decode, score_config, batch_size, device, progress)
        for ck in checkpoints
    ]


def evaluate_one(store, ck: Checkpoint, samples, task, split, decode, score_config, batch_size, device, progress) -> dict:
    """Generate (or take from the cache), score and store one checkpoint."""
    generator = generator_for(ck, decode, device, batch_size)
    cache = generation_cache(generator, decode)
    records, stats = generate_and_score(generator, samples, decode, cache, score_config, progress)
    del generator
    gc.collect()
    return store_eval(store, ck, records, task, split, decode, cache, stats)


def store_eval(store: RunStore, ck: Checkpoint, records: list[dict], task, split: str, decode: DecodeConfig,
               cache: GenerationCache, stats: dict) -> dict:
    """Write a checkpoint's scored records and their summary into the run; returns the summary."""
    summary = {
        "run": store.name,
        "checkpoint": ck.label,
        "epoch": ck.epoch,
        "model": ck.model,
        "adapter": ck.adapter,
        "task": task.name,
        "task_version": task.version,
        "split": split,
        "scorer_version": SCORER_VERSION,
        "n": len(records),
        "metrics": summarize(records),
        "generation": {**stats, "cache_key": cache.key_hash, **cache.key},
    }
    store.write_eval(ck.label, records, summary)
    return summary


def generate_and_score(
    generator: Generator,
    samples: list[Sample],
    decode: DecodeConfig,
    cache: GenerationCache,
    score_config: ScoreConfig,
    progress: bool = True,
) -> tuple[list[dict], dict]:
    """Outputs for every sample (cached or generated) and their scores; each output is scored while the rest generate.

    Args:
        generator: The checkpoint's generation backend (`generator_for`).
        samples: What to generate for.
        decode: Decoding settings.
        cache: The backend's generation cache.
        score_config: Scoring settings.
        progress: Show one progress display with a generating and a scoring bar.

    Returns:
        `(records, stats)`: one record per sample, in sample order; the generation statistics
        plus `score_seconds` (first item queued to last one scored) and `score_wait_seconds`
        (scoring still running after generation ended).
    """
    import time

    by_id = {s.id: s for s in samples}
    order: list[str] = []
    with progress_bar(progress) as bar, Scorer(score_config, bar if progress else None, total=len(samples)) as scorer:

        def score(outputs: dict[str, str]) -> None:
            for sample_id, output in outputs.items():
                order.append(sample_id)
                scorer.submit({**by_id[sample_id].to_dict(), "output": output, "prediction": extract_sql(output)})

        _, stats = generate(generator, samples, decode, cache, progress=bar, on_outputs=score)
        generated = time.perf_counter()
        scored = dict(zip(order, scorer.records()))
        done = time.perf_counter()
        stats["score_seconds"] = round((scorer.finished or done) - (scorer.started or done), 3)
        stats["score_wait_seconds"] = round(done - generated, 3)
    return [scored[s.id] for s in samples], stats


def rescore(store: RunStore, score_config: ScoreConfig, progress: bool = True) -> list[dict]:
    """Score a run's stored predictions again (after a scorer change) without regenerating."""
    summaries = []
    for label in store.checkpoints():
        items = [
            {k: v for k, v in record.items() if k in _ITEM_KEYS}
            for record in store.samples(label)
        ]
        records = score_all(items, score_config, progress=progress)
        summary = {**store.summary(label), "scorer_version": SCORER_VERSION, "metrics": summarize(records)}
        store.write_eval(label, records, summary)
        summaries.append(summary)
    return summaries


_ITEM_KEYS = {*Sample.__dataclass_fields__, "output", "prediction"}
