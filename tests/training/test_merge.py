"""Merging: the merged folder loads with plain transformers and generates what the adapter does."""

import json

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

import tiny_models
from harness.data.prompts import render
from harness.errors import HarnessInputError
from harness.models import chat_format, loader
from harness.training.merge import merge
from harness.training.presets import apply_overrides, load_preset
from harness.training.train import train

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(scope="module")
def tiny(tiny_model):
    return tiny_model("gemma3")


def trained_adapter(tiny, run, **values):
    config = apply_overrides(load_preset("cpu"), {
        "model": str(tiny), "epochs": 1, "max_length": 128, "batch_size": 2, "grad_accum": 1, "lr": 5e-3, "train_samples": 0, **values,
    })
    return train(tiny_models.Task(), config, run)[-1]


def greedy(model, tokenizer, prompts):
    batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    out = model.generate(**batch, max_new_tokens=12, do_sample=False)
    return [tokenizer.decode(row[batch.input_ids.shape[1]:]) for row in out]


@pytest.mark.parametrize("modules_to_save", [["lm_head", "embed_tokens"], []], ids=["guide-tied-embeddings", "lora-only"])
def test_merged_model_generates_what_the_adapter_does(tiny, tmp_path, modules_to_save):
    adapter = trained_adapter(tiny, tmp_path / "run", modules_to_save=modules_to_save)
    out = merge(adapter, tmp_path / "merged")
    merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.bfloat16)  # plain transformers
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template == AutoTokenizer.from_pretrained(tiny).chat_template
    assert merged.generation_config.eos_token_id == chat_format.stop_ids(tokenizer)  # stops a serving stack at the end of turn
    tokenizer.padding_side = "left"
    assert json.loads((out / "harness_merge.json").read_text())["base_model"] == loader.canonical_name(str(tiny))
    with_adapter, _ = loader.load_model(str(tiny), adapter=str(adapter))
    prompts = [render(s, tokenizer, for_training=False) for s in tiny_models.samples(3)]
    assert greedy(merged, tokenizer, prompts) == greedy(with_adapter, tokenizer, prompts)
    head, embed = merged.get_output_embeddings().weight, merged.get_input_embeddings().weight
    assert torch.equal(head, embed) == (not modules_to_save)
    assert merged.config.tie_word_embeddings == (not modules_to_save)


def test_merged_folder_is_a_model_the_harness_loads(tiny, tmp_path):
    out = merge(trained_adapter(tiny, tmp_path / "run"), tmp_path / "merged")
    model, _ = loader.load_model(str(out))  # passes the sanity record written at merge time
    assert loader.fingerprint(str(out)) != loader.fingerprint(str(tiny))


def test_refuses_a_non_empty_output_folder(tiny, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("")
    with pytest.raises(HarnessInputError, match="not empty"):
        merge(tmp_path, tmp_path / "out")


def test_refuses_a_folder_without_an_adapter(tmp_path):
    with pytest.raises(HarnessInputError, match="no adapter"):
        merge(tmp_path, tmp_path / "out")
