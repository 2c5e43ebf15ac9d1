"""Batched generation through the cache, on a tiny random-weight Gemma 3."""

import json

import pytest
import torch

from harness import generate as gen
from harness.gencache import GenerationCache
from harness.samples import Sample
from tiny import tiny_gemma, tiny_tokenizer

SAMPLES = [
    Sample(id=f"s{i}", sql_prompt="How many rows?" + " really" * i, sql_context=f"CREATE TABLE t{i} (x INT);", sql="SELECT 1;")
    for i in range(6)
]
DECODE = gen.DecodeConfig(max_new_tokens=8, dtype="float32")


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def cache_for(tmp_path, model_id):
    return GenerationCache(tmp_path, {"model": model_id, "template": "t", **DECODE.cache_key()})


def test_outputs_are_cached_and_served_again(tmp_path, tok):
    model = tiny_gemma(len(tok))
    out1, stats1 = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=4, progress=False)
    assert stats1["generated"] == 6 and set(out1) == {s.id for s in SAMPLES}
    out2, stats2 = gen.generate(None, None, SAMPLES, DECODE, cache_for(tmp_path, "a"), progress=False)
    assert stats2 == {**stats2, "generated": 0, "cached": 6} and out2 == out1


def test_another_model_is_never_served_from_the_cache(tmp_path, tok):
    a, b = tiny_gemma(len(tok), seed=0), tiny_gemma(len(tok), seed=1)
    out_a, _ = gen.generate(a, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=6, progress=False)
    cache_b = cache_for(tmp_path, "b")
    assert all(cache_b.get(s.id, gen.prompts.render(s, for_training=False)) is None for s in SAMPLES)
    out_b, stats_b = gen.generate(b, tok, SAMPLES, DECODE, cache_b, batch_size=6, progress=False)
    assert stats_b["generated"] == 6 and out_a != out_b


def test_changed_prompt_or_decoding_misses_the_cache(tmp_path, tok):
    model = tiny_gemma(len(tok))
    gen.generate(model, tok, SAMPLES[:2], DECODE, cache_for(tmp_path, "a"), progress=False)
    changed = [Sample(**{**SAMPLES[0].__dict__, "sql_context": "CREATE TABLE other (y INT);"})]
    _, stats = gen.generate(model, tok, changed, DECODE, cache_for(tmp_path, "a"), progress=False)
    assert stats["generated"] == 1
    longer = gen.DecodeConfig(max_new_tokens=9, dtype="float32")
    other = GenerationCache(tmp_path, {"model": "a", "template": "t", **longer.cache_key()})
    assert other.path != cache_for(tmp_path, "a").path


def test_killed_run_resumes_without_regenerating(tmp_path, tok):
    model = tiny_gemma(len(tok))
    cache = cache_for(tmp_path, "a")
    gen.generate(model, tok, SAMPLES[:3], DECODE, cache, progress=False)
    with cache.path.open("a") as f:
        f.write(json.dumps({"key": cache.key_hash, "id": "s3"})[:20])  # torn line from a kill
    _, stats = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), progress=False)
    assert (stats["cached"], stats["generated"]) == (3, 3)


def test_out_of_memory_halves_the_batch_and_goes_on(tmp_path, tok, monkeypatch):
    model = tiny_gemma(len(tok))
    real = gen._generate_batch
    sizes = []

    def flaky(model, tokenizer, texts, decode, stop):
        sizes.append(len(texts))
        if len(texts) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory")
        return real(model, tokenizer, texts, decode, stop)

    monkeypatch.setattr(gen, "_generate_batch", flaky)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    out, stats = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=6, progress=False)
    assert len(out) == 6 and stats["batch_size"] == 1
    assert sizes[:3] == [6, 3, 1]


def test_batched_and_single_greedy_outputs_agree(tmp_path, tok):
    model = tiny_gemma(len(tok))
    batched, _ = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=6, progress=False)
    single, _ = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "b"), batch_size=1, progress=False)
    assert batched == single
