"""Batched generation through the cache, on a tiny random-weight Gemma 3."""

import json

import pytest
import torch

from harness.generation import generate as gen
from harness.generation.cache import GenerationCache
from harness.data.samples import Sample
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

    def flaky(model, tokenizer, texts, decode, static):
        sizes.append(len(texts))
        if len(texts) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory")
        return real(model, tokenizer, texts, decode, static)

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


def test_outputs_reach_the_callback_cached_first_then_batch_by_batch(tmp_path, tok):
    model = tiny_gemma(len(tok))
    gen.generate(model, tok, SAMPLES[:2], DECODE, cache_for(tmp_path, "a"), progress=False)
    groups = []
    out, _ = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=3, progress=False,
                          on_outputs=groups.append)
    assert [len(g) for g in groups] == [2, 3, 1] and set(groups[0]) == {"s0", "s1"}
    assert {k: v for g in groups for k, v in g.items()} == out


@pytest.mark.parametrize("engine", ["static", "continuous"])
def test_every_engine_gives_the_batched_outputs(tmp_path, tok, engine):
    model = tiny_gemma(len(tok))
    batched, _ = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), batch_size=3, progress=False)
    groups = []
    other, stats = gen.generate(model, tok, SAMPLES, DECODE, cache_for(tmp_path, engine), batch_size=3, progress=False,
                                engine=engine, on_outputs=groups.append)
    assert other == batched and stats["engine"] == engine and stats["new_tokens"] > 0
    assert sorted(k for g in groups for k in g) == sorted(batched)


def test_unknown_engine_is_refused(tmp_path, tok):
    with pytest.raises(ValueError, match="unknown generation engine"):
        gen.generate(None, tok, SAMPLES, DECODE, cache_for(tmp_path, "a"), engine="vllm", progress=False)
