"""A transformers model generating in this process: batched greedy decoding with the KV cache.

Prompts are rendered with the model's chat template (`harness.data.prompts.render`), sorted by
length (longest first, so padding is small and an out-of-memory shows up on the first batch) and
generated with left padding; generation stops at the model's stop tokens
(`harness.models.chat_format.stop_ids`). On a GPU out-of-memory the batch is halved and
generation goes on. The model itself is loaded only when something is not cached.

Engines (`ENGINES`), all greedy with the same stops:

* `batched` (default): padded batches through `model.generate` with the dynamic KV cache.
* `static`: the same batches with a static KV cache and, on a GPU, the forward pass compiled
  by `torch.compile` (CUDA graphs); the first batch pays for the compilation.
* `continuous`: transformers' continuous batching (paged KV cache; a finished sequence's slot
  goes to the next prompt at once, so a few long outputs do not hold a whole batch back).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.data import prompts
from harness.models import chat_format

ENGINES = ("batched", "static", "continuous")


class LocalGenerator:
    """One checkpoint's model and tokenizer, as a `harness.generation.generate.Generator`.

    Args:
        tokenizer: The model's tokenizer, with its chat template (`harness.models.loader.load_tokenizer`).
        weights: What identifies the weights in the cache key (a fingerprint, the adapter).
        model: The model, or None to call `load` when something must be generated.
        load: Returns the model; called at most once.
        batch_size: Sequences per batch (default: chosen for the memory); with the continuous
            engine, the most sequences decoded at once (default: transformers' choice).
        engine: One of `ENGINES`.

    Raises:
        ValueError: An unknown engine.
    """

    def __init__(self, tokenizer, weights: dict, model=None, load: Callable[[], object] | None = None,
                 batch_size: int | None = None, engine: str = "batched"):
        if engine not in ENGINES:
            raise ValueError(f"unknown generation engine {engine!r}: use one of {', '.join(ENGINES)}")
        self.tokenizer, self.weights, self.model, self._load = tokenizer, weights, model, load
        self.batch_size, self.engine = batch_size, engine

    def cache_key(self, decode) -> dict:
        """The weights, the exact chat template text (hashed with the user prompt) and the decoding."""
        return {**self.weights, "template": chat_format.template_hash(self.tokenizer), **decode.cache_key()}

    def request(self, sample) -> str:
        return prompts.render(sample, self.tokenizer, for_training=False)

    def run(self, pending, requests, decode, finished, bar) -> dict:
        """Generate every pending sample, longest prompt first; returns the engine and the last batch size."""
        if self.model is None:
            self.model = self._load()
        stop = chat_format.stop_ids(self.tokenizer, self.model.generation_config)
        lengths = {s.id: len(self.tokenizer(requests[s.id], add_special_tokens=False).input_ids) for s in pending}
        pending = sorted(pending, key=lambda s: -lengths[s.id])
        texts = [requests[s.id] for s in pending]
        ids = [s.id for s in pending]
        batch_size = self.batch_size
        if self.engine != "continuous":
            batch_size = batch_size or auto_batch_size(self.model, lengths[ids[0]], decode.max_new_tokens)
        with _attention_kernels():
            if self.engine == "continuous":
                _continuous(self.model, self.tokenizer, ids, texts, decode, batch_size, stop, finished)
            else:
                batch_size = _batched(self.model, self.tokenizer, ids, texts, decode, batch_size, stop,
                                      self.engine == "static", finished, bar)
        return {"engine": self.engine, "batch_size": batch_size}


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


def _batched(model, tokenizer, ids, texts, decode, batch_size, stop, static, finished, bar) -> int:
    """Padded batches through `model.generate`; halves the batch on out-of-memory. Returns the last batch size."""
    import torch

    i = 0
    while i < len(ids):
        batch = slice(i, i + batch_size)
        try:
            outputs, new_tokens = generate_batch(model, tokenizer, texts[batch], decode, stop, static)
        except torch.OutOfMemoryError:
            if batch_size == 1:
                raise
            batch_size //= 2
            torch.cuda.empty_cache()
            bar.console.print(f"out of memory: batch size halved to {batch_size}")
            continue
        finished(dict(zip(ids[batch], outputs)), new_tokens)
        i += len(outputs)
    return batch_size


def generate_batch(model, tokenizer, texts: list[str], decode, stop: list[int], static: bool = False) -> tuple[list[str], int]:
    """Greedy outputs of one padded batch, and how many tokens it generated.

    With `static`, the KV cache is a static one sized by the first (longest) batch and the
    forward pass is compiled with `torch.compile` on a GPU (transformers compiles only there);
    later batches reuse the cache and the compiled graphs.
    """
    import torch

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


def _continuous(model, tokenizer, ids, texts, decode, batch_size, stop, finished) -> None:
    """transformers' continuous batching: a paged KV cache, finished sequences replaced at once.

    Results are handed on in groups: whatever finished since the last look.
    """
    from transformers import ContinuousBatchingConfig, GenerationConfig

    config = GenerationConfig(max_new_tokens=decode.max_new_tokens, do_sample=False, eos_token_id=stop,
                              pad_token_id=tokenizer.pad_token_id)
    cb_config = ContinuousBatchingConfig(max_requests_per_batch=batch_size) if batch_size else None
    remaining = set(ids)
    with model.continuous_batching_context_manager(generation_config=config, continuous_batching_config=cb_config) as manager:
        for sample_id, text in zip(ids, texts):
            manager.add_request(tokenizer(text, add_special_tokens=False).input_ids, request_id=sample_id,
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
                outputs = tokenizer.batch_decode(tokens, skip_special_tokens=True)
                finished({r.request_id: text for r, text in zip(done, outputs)}, sum(map(len, tokens)))


def _attention_kernels():
    """SDPA without its cuDNN backend while generating.

    torch picks cuDNN attention on Hopper GPUs, and cuDNN builds an execution plan for every
    new shape: with a KV cache that grows each step and prompts of other lengths in every
    batch, nearly every step pays for a new plan, which makes generation several times slower.
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])
