"""Batched generation through the cache, on a tiny random-weight Gemma 3 and the other families."""

import json

import pytest
import torch

from harness.data.samples import Sample
from harness.generation import local
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, generate
from harness.generation.local import LocalGenerator
from harness.models import loader

SAMPLES = [
    Sample(id=f"s{i}", sql_prompt="How many rows?" + " really" * i, sql_context=f"CREATE TABLE t{i} (x INT);", sql="SELECT 1;")
    for i in range(6)
]
DECODE = DecodeConfig(max_new_tokens=8, dtype="float32")


@pytest.fixture(scope="module")
def gemma(tiny_model):
    """Two tiny Gemma 3 models with other weights (seeds 0 and 1), sharing one tokenizer."""
    models = [loader.load_model(str(tiny_model("gemma3", seed=seed)), dtype=torch.float32, device="cpu", check=False)
              for seed in (0, 1)]
    return models[0][1], models[0][0], models[1][0]


def generator(gemma, name="a", batch_size=None, engine="batched", model=None):
    tokenizer, a, b = gemma
    return LocalGenerator(tokenizer, {"model": name}, model=model or {"a": a, "b": b}.get(name, a),
                          batch_size=batch_size, engine=engine)


def run(gen, tmp_path, samples=SAMPLES, decode=DECODE, **kwargs):
    return generate(gen, samples, decode, GenerationCache(tmp_path, gen.cache_key(decode)), progress=False, **kwargs)


def test_outputs_are_cached_and_served_again(tmp_path, gemma):
    out1, stats1 = run(generator(gemma, batch_size=4), tmp_path)
    assert stats1["generated"] == 6 and set(out1) == {s.id for s in SAMPLES}
    idle = LocalGenerator(gemma[0], {"model": "a"}, load=lambda: pytest.fail("loaded a model with everything cached"))
    out2, stats2 = run(idle, tmp_path)
    assert stats2 == {**stats2, "generated": 0, "cached": 6} and out2 == out1


def test_another_model_is_never_served_from_the_cache(tmp_path, gemma):
    out_a, _ = run(generator(gemma, "a", batch_size=6), tmp_path)
    gen_b = generator(gemma, "b", batch_size=6)
    cache_b = GenerationCache(tmp_path, gen_b.cache_key(DECODE))
    assert all(cache_b.get(s.id, gen_b.request(s)) is None for s in SAMPLES)
    out_b, stats_b = run(gen_b, tmp_path)
    assert stats_b["generated"] == 6 and out_a != out_b


def test_changed_prompt_template_or_decoding_misses_the_cache(tmp_path, gemma):
    gen = generator(gemma)
    run(gen, tmp_path, SAMPLES[:2])
    changed = [Sample(**{**SAMPLES[0].__dict__, "sql_context": "CREATE TABLE other (y INT);"})]
    assert run(gen, tmp_path, changed)[1]["generated"] == 1
    longer = DecodeConfig(max_new_tokens=9, dtype="float32")
    assert GenerationCache(tmp_path, gen.cache_key(longer)).path != GenerationCache(tmp_path, gen.cache_key(DECODE)).path
    retemplated = gemma[0].__class__.from_pretrained(gemma[0].name_or_path)
    retemplated.chat_template = gemma[0].chat_template.replace("<start_of_turn>model", "<start_of_turn>assistant")
    other = LocalGenerator(retemplated, {"model": "a"}, model=gemma[1])
    assert other.cache_key(DECODE)["template"] != gen.cache_key(DECODE)["template"]


def test_killed_run_resumes_without_regenerating(tmp_path, gemma):
    gen = generator(gemma)
    run(gen, tmp_path, SAMPLES[:3])
    cache = GenerationCache(tmp_path, gen.cache_key(DECODE))
    with cache.path.open("a") as f:
        f.write(json.dumps({"key": cache.key_hash, "id": "s3"})[:20])  # torn line from a kill
    _, stats = run(gen, tmp_path)
    assert (stats["cached"], stats["generated"]) == (3, 3)


def test_out_of_memory_halves_the_batch_and_goes_on(tmp_path, gemma, monkeypatch):
    real = local.generate_batch
    sizes = []

    def flaky(model, tokenizer, texts, decode, stop, static):
        sizes.append(len(texts))
        if len(texts) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory")
        return real(model, tokenizer, texts, decode, stop, static)

    monkeypatch.setattr(local, "generate_batch", flaky)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    out, stats = run(generator(gemma, batch_size=6), tmp_path)
    assert len(out) == 6 and stats["batch_size"] == 1
    assert sizes[:3] == [6, 3, 1]


def test_batched_and_single_greedy_outputs_agree(tmp_path, gemma):
    batched, _ = run(generator(gemma, batch_size=6), tmp_path / "a")
    single, _ = run(generator(gemma, batch_size=1), tmp_path / "b")
    assert batched == single


def test_outputs_reach_the_callback_cached_first_then_batch_by_batch(tmp_path, gemma):
    run(generator(gemma), tmp_path, SAMPLES[:2])
    groups = []
    out, _ = run(generator(gemma, batch_size=3), tmp_path, on_outputs=groups.append)
    assert [len(g) for g in groups] == [2, 3, 1] and set(groups[0]) == {"s0", "s1"}
    assert {k: v for g in groups for k, v in g.items()} == out


@pytest.mark.parametrize("engine", ["static", "continuous"])
def test_every_engine_gives_the_batched_outputs(tmp_path, gemma, engine):
    batched, _ = run(generator(gemma, batch_size=3), tmp_path / "batched")
    groups = []
    other, stats = run(generator(gemma, batch_size=3, engine=engine), tmp_path / engine, on_outputs=groups.append)
    assert other == batched and stats["engine"] == engine and stats["new_tokens"] > 0
    assert sorted(k for g in groups for k in g) == sorted(batched)


def test_unknown_engine_is_refused(gemma):
    with pytest.raises(ValueError, match="unknown generation engine"):
        generator(gemma, engine="vllm")


@pytest.mark.parametrize("family", ["llama3", "qwen3", "phi3"])
def test_other_families_generate_in_batches_as_one_by_one(tmp_path, tiny_model, family):
    model, tokenizer = loader.load_model(str(tiny_model(family)), dtype=torch.float32, device="cpu", check=False)
    batched, _ = run(LocalGenerator(tokenizer, {"model": family}, model=model, batch_size=6), tmp_path / "a")
    single, _ = run(LocalGenerator(tokenizer, {"model": family}, model=model, batch_size=1), tmp_path / "b")
    assert batched == single and len(batched) == 6
