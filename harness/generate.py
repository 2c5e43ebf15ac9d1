"""Batched greedy generation of SQL for samples, through the generation cache.

Prompts are rendered with the shipped template, sorted by length (longest first, so padding is
small and an out-of-memory shows up on the first batch) and generated with left padding, the KV
cache, and stops at `<eos>` or `<end_of_turn>`. Each finished batch goes to the cache at once,
so nothing finished is lost when a run is killed. On a GPU out-of-memory the batch is halved and
generation goes on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from harness import prompts
from harness.gencache import GenerationCache
from harness.samples import Sample

END_OF_TURN_ID = 106


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
    progress: bool = True,
) -> tuple[dict[str, str], dict]:
    """Outputs for every sample (from the cache or generated), and generation statistics.

    Returns:
        `(outputs, stats)`: outputs by sample id; stats with `generated`, `cached`,
        `batch_size`, `new_tokens`, `seconds`.
    """
    import time

    import torch

    rendered = {s.id: prompts.render(s, for_training=False) for s in samples}
    outputs = {s.id: out for s in samples if (out := cache.get(s.id, rendered[s.id])) is not None}
    pending = [s for s in samples if s.id not in outputs]
    stats = {"generated": len(pending), "cached": len(outputs), "batch_size": batch_size, "new_tokens": 0, "seconds": 0.0}
    if not pending:
        return outputs, stats
    lengths = {s.id: len(tokenizer(rendered[s.id], add_special_tokens=False).input_ids) for s in pending}
    pending.sort(key=lambda s: -lengths[s.id])
    batch_size = batch_size or auto_batch_size(model, lengths[pending[0].id], decode.max_new_tokens)
    stop = [tokenizer.eos_token_id, END_OF_TURN_ID]
    started = time.perf_counter()
    with _progress(progress) as bar:
        task = bar.add_task("generating", total=len(pending))
        i = 0
        while i < len(pending):
            batch = pending[i : i + batch_size]
            try:
                texts, new_tokens = _generate_batch(model, tokenizer, [rendered[s.id] for s in batch], decode, stop)
            except torch.OutOfMemoryError:
                if batch_size == 1:
                    raise
                batch_size //= 2
                torch.cuda.empty_cache()
                bar.console.print(f"out of memory: batch size halved to {batch_size}")
                continue
            cache.put([(s.id, rendered[s.id], text) for s, text in zip(batch, texts)])
            outputs.update({s.id: text for s, text in zip(batch, texts)})
            stats["new_tokens"] += new_tokens
            i += len(batch)
            bar.advance(task, len(batch))
    stats.update(batch_size=batch_size, seconds=round(time.perf_counter() - started, 3))
    return outputs, stats


def _generate_batch(model, tokenizer, texts: list[str], decode: DecodeConfig, stop: list[int]) -> tuple[list[str], int]:
    import torch

    enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    with torch.inference_mode():
        out = model.generate(
            **enc,
            max_new_tokens=decode.max_new_tokens,
            do_sample=False,
            eos_token_id=stop,
            pad_token_id=tokenizer.pad_token_id,
        )
    new = out[:, enc.input_ids.shape[1] :]
    new_tokens = int((~torch.isin(new, torch.tensor(stop + [tokenizer.pad_token_id], device=new.device))).sum())
    return tokenizer.batch_decode(new, skip_special_tokens=True), new_tokens


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
    )
