"""Each model's conversation format: its own chat template, the shipped Gemma one, the fallback; the stop tokens."""

import json
import shutil

import pytest
from transformers import AutoTokenizer

import tiny_models
from harness import cli
from harness.data import prompts
from harness.errors import HarnessInputError
from harness.models import chat_format, loader

FAMILIES = list(tiny_models.FAMILIES)
SAMPLE = tiny_models.samples(1)[0]

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_model_is_rendered_in_its_own_chat_template(tiny_model, family):
    folder = tiny_model(family)
    tokenizer = loader.load_tokenizer(str(folder))
    raw = AutoTokenizer.from_pretrained(folder)  # what the model's own tokenizer renders, untouched by the harness
    assert tokenizer.chat_template == tiny_models.chat_template(family)
    for for_training in (False, True):
        chat = prompts.messages(SAMPLE, with_answer=for_training)
        expected = raw.apply_chat_template(chat, tokenize=False, add_generation_prompt=not for_training)
        assert prompts.render(SAMPLE, tokenizer, for_training) == expected
    ids = tokenizer(prompts.render(SAMPLE, tokenizer, False), add_special_tokens=False).input_ids
    assert ids == raw.apply_chat_template(prompts.messages(SAMPLE, False), add_generation_prompt=True)["input_ids"]


@pytest.mark.parametrize("family", FAMILIES)
def test_generation_stops_at_every_eos_and_the_familys_end_of_turn(tiny_model, family):
    tokenizer = loader.load_tokenizer(str(tiny_model(family)))
    end_of_turn = tokenizer.convert_tokens_to_ids(tiny_models.FAMILIES[family].end_of_turn)
    assert chat_format.end_of_turn_id(tokenizer) == end_of_turn

    class Config:
        eos_token_id = [tokenizer.eos_token_id, 7]

    assert chat_format.stop_ids(tokenizer, Config) == list(dict.fromkeys([tokenizer.eos_token_id, 7, end_of_turn]))


def test_gemma_without_a_template_gets_the_shipped_gemma_template(tiny_model):
    tokenizer = loader.load_tokenizer(str(tiny_model("gemma3", template=False)))
    assert tokenizer.chat_template == chat_format.shipped("gemma")
    assert prompts.render(SAMPLE, tokenizer, False).startswith("<bos><start_of_turn>user\nGiven the <USER_QUERY>")
    # the shipped template renders the task as Gemma 3's own does
    own = loader.load_tokenizer(str(tiny_model("gemma3")))
    assert prompts.render(SAMPLE, tokenizer, True) == prompts.render(SAMPLE, own, True)


@pytest.mark.parametrize("family", ["llama3", "phi3", "qwen3"])
def test_a_base_model_without_a_template_gets_the_fallback(tiny_model, family):
    tokenizer = loader.load_tokenizer(str(tiny_model(family, template=False)))
    assert tokenizer.chat_template == chat_format.shipped("fallback")
    prompt = prompts.render(SAMPLE, tokenizer, False)
    user = prompts.messages(SAMPLE, False)[0]["content"].strip()
    assert prompt == (tokenizer.bos_token or "") + user + "\n\nSQL:\n"
    assert prompts.render(SAMPLE, tokenizer, True) == prompt + SAMPLE.sql + tokenizer.eos_token
    assert chat_format.stop_ids(tokenizer) == [tokenizer.eos_token_id]


def test_no_template_and_no_eos_token_is_refused_with_exit_2(tmp_path, tiny_model, capsys):
    folder = shutil.copytree(tiny_model("llama3", template=False), tmp_path / "no-eos")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.eos_token = None
    tokenizer.save_pretrained(folder)
    with pytest.raises(HarnessInputError, match="no chat template and its tokenizer no end-of-sequence token"):
        loader.load_tokenizer(str(folder))
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps(SAMPLE.to_dict()))
    assert cli.main(["eval", "--task", str(data), "--split", "all", "--model", str(folder), "--no-progress"]) == 2
    assert "give a model whose tokenizer carries a chat template" in capsys.readouterr().err


def test_a_template_that_cannot_render_the_task_is_refused(tiny_model):
    tokenizer = tiny_models.tokenizer("llama3")
    tokenizer.chat_template = "{{ raise_exception('This model needs a system turn first') }}"
    with pytest.raises(HarnessInputError, match="cannot render one user turn.*needs a system turn"):
        chat_format.install(tokenizer, "llama", "tiny")


def test_template_hash_follows_the_exact_template_text():
    tokenizer = tiny_models.tokenizer("qwen3")
    before = chat_format.template_hash(tokenizer)
    tokenizer.chat_template = tokenizer.chat_template + " "
    assert chat_format.template_hash(tokenizer) != before and len(before) == 16
