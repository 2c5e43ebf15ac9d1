"""`harness bench train`: the same data for a fixed number of steps under several presets.

For each preset it reports tokens/s (non-padding input tokens, timed after `--warmup` steps so
start-up and allocation do not count), model FLOPs utilisation (4 x base parameters x tokens/s
for LoRA: forward and input gradients, no weight gradients for the frozen base) against the
GPU's peak dense bf16 FLOP/s, and peak GPU memory; then each preset's speed relative to the
first. Nothing is saved but an optional JSON summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from pathlib import Path

# Peak dense bf16 tensor-core FLOP/s by GPU name fragment (vendor datasheets), most specific first.
PEAK_BF16 = {
    "H200": 989e12,
    "H100 PCIe": 756e12,
    "H100": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "L4": 121e12,
    "A10G": 70e12,
    "4090": 165e12,
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness bench train`."""
    parser.add_argument("--task", default="sample", help="task whose train split feeds every preset")
    parser.add_argument("--data", help="data folder or file for tasks that need one")
    parser.add_argument("--model", default="gemma-3-270m", help="base model")
    parser.add_argument("--presets", default="guide,fast", help="comma-separated presets, the first is the reference")
    parser.add_argument("--steps", type=int, default=30, help="optimizer steps per preset")
    parser.add_argument("--warmup", type=int, default=5, help="steps excluded from the timing")
    parser.add_argument("--train-samples", type=int, default=2000, help="train samples to draw from (0: all)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override for every preset")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")


def _timer(warmup: int):
    """A Trainer callback that marks time and tokens seen at the end of the warm-up step and of the last step."""
    import torch
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        def __init__(self):
            self.marks: list[tuple[float, int]] = []

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step in (warmup, state.max_steps):
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                self.marks.append((time.perf_counter(), int(state.num_input_tokens_seen)))

    return Timer()


def base_parameters(model: str) -> int:
    """Parameters of the base model (tied weights once), counted without loading its weights."""
    import torch
    from transformers import AutoConfig

    from harness.models.loader import model_class, resolve

    config = AutoConfig.from_pretrained(resolve(model))
    with torch.device("meta"):
        meta = model_class(config).from_config(config)
    return sum(p.numel() for p in meta.parameters())


def peak_flops() -> float | None:
    """Peak dense bf16 FLOP/s of GPU 0, or None when unknown or on CPU."""
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name(0)
    return next((flops for key, flops in PEAK_BF16.items() if key in name), None)


def measure(task, config, warmup: int) -> dict:
    """Train `config.max_steps` steps and return tokens/s, MFU and peak memory."""
    import torch

    from harness.training.train import trainer_for

    timer = _timer(warmup)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = trainer_for(task, config, Path(tmp), callbacks=[timer])
        batch = trainer.args.per_device_train_batch_size
        trainer.train()
    (t0, n0), (t1, n1) = timer.marks
    tokens_per_s = (n1 - n0) / (t1 - t0)
    params, peak = base_parameters(config.model), peak_flops()
    result = {
        "preset": config.preset,
        "batch_size": batch,
        "tokens_per_s": tokens_per_s,
        "mfu": 4 * params * tokens_per_s / peak if peak else None,
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else None,
        "parameters": params,
        "config_hash": config.hash(),
    }
    del trainer
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return result


def main(args: argparse.Namespace) -> int:
    """Run every preset, print the table and the speed ratios."""
    import torch
    from rich.console import Console

    from harness import tables
    from harness.errors import HarnessInputError
    from harness.training.presets import apply_overrides, load_preset, parse_set
    from harness.data.tasks import load_task

    if not 1 <= args.warmup < args.steps:
        raise HarnessInputError(f"--warmup {args.warmup} must be at least 1 and below --steps {args.steps}")
    task = load_task(args.task, args.data)
    overrides = {"model": args.model, "max_steps": args.steps, "train_samples": args.train_samples, "logging_steps": args.steps}
    results = []
    for name in args.presets.split(","):
        config = apply_overrides(apply_overrides(load_preset(name), overrides), parse_set(args.set))
        results.append(measure(task, config, args.warmup))
    reference = results[0]["tokens_per_s"]
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    rows = []
    for r in results:
        r["ratio"] = r["tokens_per_s"] / reference
        rows.append([
            r["preset"],
            str(r["batch_size"]),
            f"{r['tokens_per_s']:,.0f}",
            f"{r['mfu']:.1%}" if r["mfu"] is not None else "n/a",
            f"{r['peak_memory_gib']:.2f} GiB" if r["peak_memory_gib"] is not None else "n/a",
            f"{r['ratio']:.1f}",
        ])
    header = ["preset", "batch", "tokens/s", "MFU", "peak GPU memory", f"x {results[0]['preset']}"]
    tables.show(Console(), header, rows, title=f"harness bench train: {args.model}, {args.steps} steps ({args.warmup} untimed), {device}")
    if args.out:
        args.out.write_text(json.dumps({"device": device, "steps": args.steps, "results": results}, indent=2))
    return 0
