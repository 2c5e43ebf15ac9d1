"""Adapter saves ask nothing of the Hub: PEFT is told, from the base model's local config, whether
a save must hold the embedding layers, for the Trainer's saves and the epoch checkpoints alike."""

import json
import warnings

from safetensors import safe_open

import tiny_models
from harness.training.presets import apply_overrides, load_preset
from harness.training.train import trainer_for


def test_an_adapter_of_a_base_recorded_by_a_name_saves_without_a_lookup(tmp_path):
    tiny = tiny_models.build(tmp_path / "tiny")
    config = apply_overrides(load_preset("cpu"), {"model": str(tiny), "max_length": 128, "batch_size": 2, "grad_accum": 1})
    model = trainer_for(tiny_models.Task(), config, tmp_path / "state").model
    model.peft_config["default"].base_model_name_or_path = "gemma-3-270m"  # how the embedded base is recorded
    with warnings.catch_warnings(record=True) as left_to_peft:
        warnings.simplefilter("always")
        type(model).save_pretrained(model, tmp_path / "peft")  # PEFT deciding itself looks the name up, and warns
    assert any("Could not find a config file in gemma-3-270m" in str(w.message) for w in left_to_peft)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        model.save_pretrained(tmp_path / "adapter")  # as the Trainer and the epoch checkpoints call it
    assert [str(w.message) for w in ours] == []
    assert json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())["base_model_name_or_path"] == "gemma-3-270m"
    with safe_open(tmp_path / "adapter" / "adapter_model.safetensors", "pt") as saved:
        assert saved.keys() and not [k for k in saved.keys() if "embed_tokens" in k]  # the vocabulary did not change
