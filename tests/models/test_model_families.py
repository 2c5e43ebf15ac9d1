"""Every family end to end on a tiny random model: two training steps on the answer and its end of
turn, an adapter saved, a merge, and a generation that stops at the family's end-of-turn token."""

import json

import pytest
import torch
from transformers import AutoTokenizer

import tiny_models
from harness.data import prompts
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, generate
from harness.generation.local import LocalGenerator
from harness.models import chat_format, loader
from harness.scoring.extract import extract_sql
from harness.training.merge import merge
from harness.training.presets import apply_overrides, load_preset
from harness.training.train import train, trainer_for

pytestmark = pytest.mark.usefixtures("own_cache")


def teach(model, tokenizer, sample) -> None:
    """Fit the output head (untied) so that, given the sample's prompt, greedy decoding writes its gold turn.

    Random weights never choose the end of turn by themselves; a head fitted on the teacher-forced
    hidden states of the gold turn makes the model write the SQL and close its turn as the
    template does, so the stop can be seen.
    """
    prompt = prompts.render(sample, tokenizer, for_training=False)
    ids = tokenizer(prompts.render(sample, tokenizer, for_training=True), add_special_tokens=False, return_tensors="pt").input_ids
    start = len(tokenizer(prompt, add_special_tokens=False).input_ids)
    head = model.get_output_embeddings()
    head.weight = torch.nn.Parameter(head.weight.detach().clone())
    model.config.tie_word_embeddings = False
    with torch.no_grad():
        hidden = model.get_decoder()(input_ids=ids).last_hidden_state[0, start - 1 : -1]
    optimizer = torch.optim.Adam([head.weight], lr=0.05)
    for _ in range(200):
        torch.nn.functional.cross_entropy(hidden @ head.weight.T, ids[0, start:]).backward()
        optimizer.step()
        optimizer.zero_grad()


@pytest.mark.parametrize("family", list(tiny_models.FAMILIES))
def test_family_trains_merges_and_stops_at_its_end_of_turn(tmp_path, tiny_model, family):
    folder = tiny_model(family)
    end_of_turn = tiny_models.FAMILIES[family].end_of_turn
    task = tiny_models.Task()
    config = apply_overrides(load_preset("cpu"), {
        "model": str(folder), "epochs": 1, "max_steps": 2, "batch_size": 2, "grad_accum": 1, "max_length": 256,
        "packing": False, "train_samples": 0, "logging_steps": 1,
    })

    # the loss is on the answer as the template closes it: the SQL and the family's end of turn
    trainer = trainer_for(task, config, tmp_path / "probe")
    labels = next(iter(trainer.get_train_dataloader()))["labels"][0]
    learned = trainer.processing_class.decode(labels[labels != -100])
    tokenizer = loader.load_tokenizer(str(folder))
    completions = {prompts.render(s, tokenizer, True).removeprefix(prompts.render(s, tokenizer, False)) for s in task.train}
    assert learned in completions and end_of_turn in learned
    del trainer

    # two training steps, an adapter saved, a merge
    epochs = train(task, config, tmp_path / "run")
    assert [p.name for p in epochs] == ["epoch_1"] and (epochs[0] / "adapter_model.safetensors").is_file()
    assert json.loads((epochs[0] / "meta.json").read_text())["global_step"] == 2
    merged = merge(epochs[0], tmp_path / "merged")
    assert AutoTokenizer.from_pretrained(merged).chat_template == tiny_models.chat_template(family)
    model, tokenizer = loader.load_model(str(merged), dtype=torch.float32, device="cpu")  # passes its sanity record
    stop = tokenizer.convert_tokens_to_ids(end_of_turn)
    assert stop in model.generation_config.eos_token_id

    # a generation that ends at the end of turn, not at the token limit
    sample = task.test[0]
    teach(model, tokenizer, sample)
    generator = LocalGenerator(tokenizer, {"model": family}, model=model, batch_size=1)
    decode = DecodeConfig(max_new_tokens=48, dtype="float32")
    outputs, stats = generate(generator, [sample], decode, GenerationCache(tmp_path / "gen", generator.cache_key(decode)),
                              progress=False)
    assert extract_sql(outputs[sample.id]) == sample.sql and stats["new_tokens"] < decode.max_new_tokens
    enc = tokenizer(prompts.render(sample, tokenizer, False), add_special_tokens=False, return_tensors="pt")
    ids = model.generate(**enc, max_new_tokens=48, do_sample=False, eos_token_id=chat_format.stop_ids(tokenizer, model.generation_config))
    assert ids[0, -1].item() == stop
