"""`harness merge`: merge an adapter into its bf16 base and save a folder plain transformers loads."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness merge`."""
    parser.add_argument("adapter", type=Path, help="adapter folder, e.g. runs/X/checkpoints/epoch_3")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created; must be empty)")
    parser.add_argument("--model", help="base model (default: the one the adapter was trained on)")
    parser.add_argument("--device", default="cpu", help="where to merge (default: cpu)")


def main(args: argparse.Namespace) -> int:
    """Merge and print where the result is."""
    from harness.training.merge import merge

    out = merge(args.adapter, args.out, base=args.model, device=args.device)
    print(f"merged model saved to {out} (load with AutoModelForCausalLM.from_pretrained)")
    return 0
