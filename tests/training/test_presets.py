"""Presets are data: each file loads, the guide's recipe is exact, overrides are typed."""

import argparse

import pytest

from harness.commands import train as train_command
from harness.errors import HarnessInputError
from harness.training.presets import PRESETS, TrainConfig, apply_overrides, field_help, load_preset, parse_set


def test_every_preset_loads_and_records_its_name():
    for name in PRESETS:
        assert load_preset(name).preset == name


def test_guide_is_the_guides_recipe():
    c = load_preset("guide")
    assert (c.lora_r, c.lora_alpha, c.lora_dropout, c.target_modules) == (16, 16, 0.05, "all-linear")
    assert c.modules_to_save == ["lm_head", "embed_tokens"]
    assert (c.max_length, c.packing, c.epochs, c.batch_size, c.grad_accum) == (512, True, 3, 1, 4)
    assert (c.gradient_checkpointing, c.optim, c.lr, c.max_grad_norm) == (True, "adamw_torch_fused", 2e-4, 0.3)
    assert (c.warmup_ratio, c.lr_scheduler, c.attn_implementation, c.quantize_4bit) == (0.03, "constant", "eager", True)


def test_fast_keeps_the_lora_shape_and_drops_the_slow_parts():
    guide, fast = load_preset("guide"), load_preset("fast")
    assert (fast.lora_r, fast.lora_alpha, fast.target_modules) == (guide.lora_r, guide.lora_alpha, guide.target_modules)
    assert fast.modules_to_save == [] and not fast.gradient_checkpointing
    assert fast.attn_implementation != "eager" and not fast.padding_free and fast.batch_size == 0


def test_cpu_preset_is_sized():
    c = load_preset("cpu")
    assert c.train_samples > 0 and c.eval_samples > 0 and c.batch_size > 0 and not c.quantize_4bit


def test_overrides_are_typed():
    c = apply_overrides(load_preset("guide"), parse_set(["lr=1e-4", "epochs=2", "packing=false", "modules_to_save=lm_head"]))
    assert (c.lr, c.epochs, c.packing, c.modules_to_save) == (1e-4, 2, False, ["lm_head"])


@pytest.mark.parametrize("item", ["nope=1", "epochs=two", "packing=maybe", "lr"])
def test_bad_overrides_name_the_field(item):
    with pytest.raises(HarnessInputError, match=item.split("=")[0]):
        apply_overrides(TrainConfig(), parse_set([item]))


def test_unknown_preset():
    with pytest.raises(HarnessInputError, match="unknown preset"):
        load_preset("turbo")


def test_hash_ignores_the_preset_label_but_not_values():
    a = load_preset("guide")
    assert a.hash() == apply_overrides(a, {"preset": "x"}).hash()
    assert a.hash() != apply_overrides(a, {"lr": 1e-3}).hash()


def test_every_field_has_help():
    assert all(text for text in field_help().values())


def test_command_line_flags_then_set_override_the_preset():
    parser = argparse.ArgumentParser()
    train_command.configure(parser)
    args = parser.parse_args(["--preset", "guide", "--no-quant", "--epochs", "5", "--set", "epochs=7", "--model", "m"])
    c = train_command.build_config(args)
    assert (c.quantize_4bit, c.epochs, c.model, c.preset) == (False, 7, "m", "guide")
