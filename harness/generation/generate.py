"""Batched greedy generation of SQL for samples, through the generation cache.

Prompts are rendered with the shipped template, sorted by length (longest first, so padding is
small and an out-of-memory shows up on the first batch) and generated with left padding, the KV
cache, and stops at `<eos>` or `<end_of_turn>`. Each finished batch goes to the cache at once,
so nothing finished is lost when a run is killed, and to an optional callback, so a caller can
score it while the next batch generates. On a GPU out-of-memory the batch is halved and
generation goes on.

Engines (`ENGINES`), all greedy with the same stops:

* `batched` (default): padded batches through `model.generate` with the dynamic KV cache.
* `static`: the same batches with a static KV cache and, on a GPU, the forward pass compiled
  by `torch.compile` (CUDA graphs); the first batch pays for the compilation.
* `continuous`: transformers' continuous batching (paged KV cache; a finished sequence's slot
  goes to the next prompt at once, so a few long outputs do not hold a whole batch back).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import asdict, dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from harness.data import prompts
from harness.generation.cache import GenerationCache
from harness.data.samples import Sample

END_OF_TURN_ID = 106
ENGINES = ("batched", "static", "continuous")


@dataclass(frozen=True)
class DecodeConfig:
    """Decoding settings; all of them are part of the generation cache key.

    Attributes:
        max_new_tokens: Most tokens generated per sample.
        dtype: Weight dtype name (`bfloat16`, `float16`, `float32`).
    """

    max_new_tokens: int = 256
    dtype: str = "bfloat16"

    def cache_key(self) -> dict:
        return {"decoding": "greedy", **asdict(self)}


def auto_batch_size(model, longest_prompt: int, max_new_tokens: int) -> int:
    """A batch size for the memory at hand: KV cache and logits of one sequence against free memory."""
    import torch

    if model.device.type != "cuda":
        return 8
    config = getattr(model.config, "text_config", model.config)
    kv_heads = getattr(config, "num_key_value_heads", config.num_attention_heads)
    head_dim = getattr(config, "head_dim", config.hidden_size // config.num_attention_heads)
    bytes_per_token = 2 * config.num_hidden_layers * kv_heads * head_dim * 2
    per_sequence = bytes_per_token * (longest_prompt + max_new_tokens) + 4 * config.vocab_size * 2
    free, _ = torch.cuda.mem_get_info(model.device)
    return max(1, min(512, int(0.6 * free / per_sequence)))


def generate(
    model,
    tokenizer,
    samples: list[Sample],
    decode: DecodeConfig,
    cache: GenerationCache,
    batch_size: int | None = None,
    progress: bool | Progress = True,
    on_outputs: Callable[[dict[str, str]], None] | None = None,
    engine: str = "batched",
) -> tuple[dict[str, str], dict]:
    """Outputs for every sample (from the cache or generated), and generation statistics.

    Args:
        model: The model, or None when every output is cached.
        tokenizer: Its tokenizer (left padding).
        samples: Samples to generate for.
        decode: Decoding settings.
        cache: Where outputs are looked up and stored.
        batch_size: Sequences per batch (default: chosen for the memory); with the continuous
            engine, the most sequences decoded at once (default: transformers' choice).
        progress: True for a progress bar of its own, False for none, or a rich `Progress` to
            add the "generating" task to.
        on_outputs: Called with each group of finished outputs (`{sample id: text}`): the cached
            ones first, then each generated batch as soon as it is done, while the next one runs.
        engine: One of `ENGINES`.

    Returns:
        `(outputs, stats)`: outputs by sample id; stats with `generated`, `cached`, `engine`,
        `batch_size`, `new_tokens`, `seconds`.
    """
    import time

    if engine not in ENGINES:
        raise ValueError(f"unknown generation engine {engine!r}: use one of {', '.join(ENGINES)}")
    rendered = {s.id: prompts.render(s, for_training=False) for s in samples}
    outputs = {s.id: out for s in samples if (out := cache.get(s.id, rendered[s.id])) is not None}
    pending = [s for s in samples if s.id not in outputs]
    stats = {"generated": len(pending), "cached": len(outputs), "engine": engine, "batch_size": batch_size,
             "new_tokens": 0, "seconds": 0.0}
    if outputs and on_outputs:
        on_outputs(dict(outputs))
    if not pending:
        return outputs, stats
    lengths = {s.id: len(tokenizer(rendered[s.id], add_special_tokens=False).input_ids) for s in pending}
    pending.sort(key=lambda s: -lengths[s.id])
    if engine != "continuous":
        batch_size = batch_size or auto_batch_size(model, lengths[pending[0].id], decode.max_new_tokens)

    def finished(texts: dict[str, str], new_tokens: int) -> None:
        cache.put([(sample_id, rendered[sample_id], text) for sample_id, text in texts.items()])
        outputs.update(texts)
        stats["new_tokens"] += new_tokens
        bar.advance(task, len(texts))
        if on_outputs:
            on_outputs(texts)

    started = time.perf_counter()
    with _progress(progress) as bar:
        task = bar.add_task("generating", total=len(pending))
        run = _continuous if engine == "continuous" else _batched
        with _attention_kernels():
            stats["batch_size"] = run(model, tokenizer, pending, rendered, decode, batch_size, engine == "static", finished, bar)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return outputs, stats


def _batched(model, tokenizer, pending, rendered, decode, batch_size, static, finished, bar) -> int:
    """Padded batches through `model.generate`; halves the batch on out-of-memory. Returns the last batch size."""
    import torch

    i = 0
    while i < len(pending):
        batch = pending[i : i + batch_size]
        try:
            texts, new_tokens = _generate_batch(model, tokenizer, [rendered[s.id] for s in batch], decode, static)
        except torch.OutOfMemoryError:
            if batch_size == 1:
                raise
            batch_size //= 2
            torch.cuda.empty_cache()
            bar.console.print(f"out of memory: batch size halved to {batch_size}")
            continue
        finished({s.id: text for s, text in zip(batch, texts)}, new_tokens)
        i += len(batch)
    return batch_size


def _generate_batch(model, tokenizer, texts: list[str], decode: DecodeConfig, static: bool = False) -> tuple[list[str], int]:
    """Greedy outputs of one padded batch, and how many tokens it generated.

    With `static`, the KV cache is a static one sized by the first (longest) batch and the
    forward pass is compiled with `torch.compile` on a GPU (transformers compiles only there);
    later batches reuse the cache and the compiled graphs.
    """
    import torch

    stop = stop_ids(tokenizer)
    enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    extra = {}
    if static:
        from transformers import CompileConfig

        # dynamic=None: Gemma 3's sliding-window cache layers keep a Python int that changes every
        # step; with static shapes torch.compile would recompile at each step. Only on a GPU:
        # elsewhere transformers does not compile, and warns when given a compile config.
        extra = {"cache_implementation": "static"}
        if model.device.type == "cuda":
            extra["compile_config"] = CompileConfig(dynamic=None)
    with torch.inference_mode():
        out = model.generate(
            **enc,
            max_new_tokens=decode.max_new_tokens,
            do_sample=False,
            eos_token_id=stop,
            pad_token_id=tokenizer.pad_token_id,
            **extra,
        )
    new = out[:, enc.input_ids.shape[1] :]
    new_tokens = int((~torch.isin(new, torch.tensor(stop + [tokenizer.pad_token_id], device=new.device))).sum())
    return tokenizer.batch_decode(new, skip_special_tokens=True), new_tokens


def _continuous(model, tokenizer, pending, rendered, decode, batch_size, _static, finished, _bar) -> int | None:
    """transformers' continuous batching: a paged KV cache, finished sequences replaced at once.

    Results are handed on in groups: whatever finished since the last look.
    """
    from transformers import ContinuousBatchingConfig, GenerationConfig

    stop = stop_ids(tokenizer)
    config = GenerationConfig(max_new_tokens=decode.max_new_tokens, do_sample=False, eos_token_id=stop,
                              pad_token_id=tokenizer.pad_token_id)
    cb_config = ContinuousBatchingConfig(max_requests_per_batch=batch_size) if batch_size else None
    remaining = {s.id for s in pending}
    with model.continuous_batching_context_manager(generation_config=config, continuous_batching_config=cb_config) as manager:
        for s in pending:
            manager.add_request(tokenizer(rendered[s.id], add_special_tokens=False).input_ids, request_id=s.id,
                                max_new_tokens=decode.max_new_tokens)
        while remaining:
            done = [manager.get_result(timeout=1)]
            while done[-1] is not None:
                done.append(manager.get_result(timeout=0))
            done = [r for r in done if r is not None and r.is_finished() and r.request_id in remaining]
            if not done and not manager.is_running():
                raise RuntimeError("continuous batching stopped before every sample was generated")
            for r in done:
                if r.error is not None:
                    raise RuntimeError(f"continuous batching failed on sample {r.request_id}: {r.error}")
            if done:
                remaining -= {r.request_id for r in done}
                tokens = [[t for t in r.generated_tokens if t not in stop] for r in done]
                texts = tokenizer.batch_decode(tokens, skip_special_tokens=True)
                finished({r.request_id: text for r, text in zip(done, texts)}, sum(map(len, tokens)))
    return batch_size


def _attention_kernels():
    """SDPA without its cuDNN backend while generating.

    torch picks cuDNN attention on Hopper GPUs, and cuDNN builds an execution plan for every
    new shape: with a KV cache that grows each step and prompts of other lengths in every
    batch, nearly every step pays for a new plan. Measured on an H200 (2,500 test prompts,
    batches of 512): 49 s with cuDNN, 17.5 s with the flash and memory-efficient kernels.
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])


def stop_ids(tokenizer) -> list[int]:
    """Token ids that end generation: `<eos>` and `<end_of_turn>`."""
    return [tokenizer.eos_token_id, END_OF_TURN_ID]


def _progress(progress: bool | Progress) -> Progress | contextlib.nullcontext:
    """A context giving the Progress to draw on: the caller's own (left running), a new one, or a disabled one."""
    if isinstance(progress, Progress):
        return contextlib.nullcontext(progress)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not progress,
    )
