"""Training presets: data files (`preset_files/*.toml`) over one dataclass whose fields carry their help.

`guide` is the guide's recipe exactly, `fast` the default on a GPU, `cpu` the default without
one (sized so that `harness run` with no arguments finishes in about 15 minutes on two cores).
A preset file sets any subset of `TrainConfig`'s fields; the command line overrides them with
`--set field=value` (repeatable) or the explicit flags of `harness train`.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from importlib import resources

from harness.errors import HarnessInputError

PRESETS = ("guide", "fast", "cpu")


def _f(default, help: str):
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that shapes a fine-tuning run; `config_hash` identifies it."""

    preset: str = _f("guide", "Preset these values came from (recorded, not read).")
    model: str = _f("gemma-3-270m", "Base model: gemma-3-270m, a Hub id or a local folder.")
    quantize_4bit: bool = _f(True, "4-bit NF4 base with double quantization (QLoRA); false = bf16 base.")
    lora_r: int = _f(16, "LoRA rank.")
    lora_alpha: int = _f(16, "LoRA alpha (scale = alpha / r).")
    lora_dropout: float = _f(0.05, "Dropout on the LoRA input.")
    target_modules: str = _f("all-linear", "Layers that get adapters ('all-linear' or comma-separated names).")
    modules_to_save: list[str] = _f([], "Layers trained in full and saved with the adapter (e.g. lm_head, embed_tokens).")
    max_length: int = _f(512, "Tokens per training sequence (packed row length when packing).")
    packing: bool = _f(True, "Pack several samples into each sequence (best-fit decreasing).")
    padding_free: bool = _f(False, "Flatten each batch into one row (for flash attention's varlen kernels); false keeps a "
                               "row per packed sequence, masked block-diagonally (for SDPA and eager).")
    attn_implementation: str = _f("eager", "Attention kernel: eager, sdpa or flash_attention_2.")
    epochs: int = _f(3, "Training epochs; an adapter is saved after each.")
    max_steps: int = _f(-1, "Stop after this many optimizer steps (-1: run all epochs).")
    batch_size: int = _f(1, "Sequences per device per step; 0 picks the largest that fits GPU memory.")
    grad_accum: int = _f(4, "Gradient accumulation steps.")
    gradient_checkpointing: bool = _f(True, "Recompute activations in the backward pass to save memory.")
    optim: str = _f("adamw_torch_fused", "Optimizer name as transformers spells it.")
    lr: float = _f(2e-4, "Peak learning rate.")
    max_grad_norm: float = _f(0.3, "Gradient clipping norm.")
    warmup_ratio: float = _f(0.03, "Fraction of steps spent warming up the learning rate.")
    lr_scheduler: str = _f("constant", "Learning-rate schedule (constant, linear, cosine, ...).")
    assistant_only_loss: bool = _f(True, "Loss on the assistant turn (the SQL and its end of turn) only; false = whole conversation.")
    train_samples: int = _f(0, "Train samples used (first N of the task's train split; 0 = all).")
    eval_samples: int = _f(0, "Test samples `harness run` evaluates (first N of the test split; 0 = all).")
    seed: int = _f(42, "Seed for data order, LoRA initialisation and dropout.")
    logging_steps: int = _f(10, "Log loss and learning rate every N optimizer steps.")
    save_steps: int = _f(50, "Also save resumable state every N steps (an epoch end always saves).")

    def hash(self) -> str:
        """Stable hash of every field except `preset`, for meta.json and caches."""
        values = {k: v for k, v in asdict(self).items() if k != "preset"}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


def field_help() -> dict[str, str]:
    """Field name to help text, for `--help` output."""
    return {f.name: f.metadata["help"] for f in fields(TrainConfig)}


def default_preset() -> str:
    """`fast` when a GPU is visible, else `cpu`."""
    import torch

    return "fast" if torch.cuda.is_available() else "cpu"


def load_preset(name: str) -> TrainConfig:
    """The config a preset file describes.

    Raises:
        HarnessInputError: Unknown preset, or a key in the file that is not a config field.
    """
    if name not in PRESETS:
        raise HarnessInputError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    resource = resources.files("harness").joinpath(f"training/preset_files/{name}.toml")
    try:
        values = tomllib.loads(resource.read_text())
    except tomllib.TOMLDecodeError as err:
        raise HarnessInputError(f"harness/training/preset_files/{name}.toml: {err}") from err
    return apply_overrides(TrainConfig(preset=name), values, source=f"harness/training/preset_files/{name}.toml")


def apply_overrides(config: TrainConfig, values: dict, source: str = "--set") -> TrainConfig:
    """A copy of `config` with `values` (field name to value or string) applied, type-checked."""
    types = {f.name: f for f in fields(TrainConfig)}
    converted = {}
    for key, value in values.items():
        if key not in types:
            raise HarnessInputError(f"{source}: unknown field {key!r} (known: {', '.join(types)})")
        converted[key] = _convert(key, value, types[key], source)
    return replace(config, **converted)


def parse_set(items: list[str]) -> dict[str, str]:
    """`['lr=1e-4', 'epochs=2']` to `{'lr': '1e-4', 'epochs': '2'}`."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise HarnessInputError(f"--set {item!r}: expected field=value")
        out[key.strip()] = value.strip()
    return out


def _convert(key: str, value, spec, source: str):
    kind = type(spec.default) if spec.default is not MISSING else list
    try:
        if kind is list:
            return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value)
        if kind is bool and isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return value.lower() in ("true", "1", "yes")
        if kind is int and isinstance(value, float | bool):
            raise ValueError(value)
        return kind(value)
    except (TypeError, ValueError):
        raise HarnessInputError(f"{source}: {key}={value!r} is not a valid {kind.__name__}") from None


def from_dict(values: dict) -> TrainConfig:
    """Rebuild a config saved with `dataclasses.asdict` (e.g. from a run's config.json)."""
    return apply_overrides(TrainConfig(), values, source="config.json")
