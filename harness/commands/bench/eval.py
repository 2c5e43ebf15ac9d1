"""`harness bench eval`: generation and scoring speed of one checkpoint, beside the guide's loop and a served copy.

Our path is `harness.evaluation.evaluate.generate_and_score` on the task's test split, once per engine
asked for, each with a fresh throwaway generation cache so nothing is served from it: it
reports samples/s for generation, for scoring (which runs while generation goes on) and for the
whole step, new tokens/s, the batch size and peak GPU memory. The guide's path is transformers'
`pipeline("text-generation")` called one prompt at a time, as the guide does, on the first
`--guide-samples` prompts; the table gives each engine's speed relative to it. `--served
openai:NAME --base-url URL` measures the same samples through a server (the same model served,
for instance by `transformers serve`), and every row counts its outputs that agree with the
first engine's. `--random-weights` measures a randomly initialised model of the same config
(outputs then run to the token limit, as in the issue's reference figures). Nothing is saved but
an optional JSON summary.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from harness.commands.eval import add_served_options, served_endpoint


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness bench eval`."""
    from harness.generation.local import ENGINES

    parser.add_argument("--task", default="sample", help="task whose test split is generated and scored")
    parser.add_argument("--data", help="data folder or file for tasks that need one")
    parser.add_argument("--model", default="gemma-3-270m", help="base model")
    parser.add_argument("--checkpoint", default="base", metavar="SPEC", help="base, an adapter folder or a merged model folder")
    parser.add_argument("--limit", type=int, help="first N test samples (default: the whole split)")
    parser.add_argument("--guide-samples", type=int, default=8, help="prompts for the guide's one-at-a-time loop (0: skip it)")
    parser.add_argument("--batch-size", type=int, help="generation batch size (default: chosen for the memory)")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--engine", default="batched", metavar="NAME[,NAME]",
                        help=f"generation engines to measure, comma-separated: {', '.join(ENGINES)} (default batched)")
    parser.add_argument("--workers", type=int, help="scoring processes (default: CPU count)")
    parser.add_argument("--random-weights", action="store_true", help="random weights of the model's config")
    parser.add_argument("--served", metavar="openai:NAME",
                        help="also measure this served model on the same samples (with --base-url) and count agreeing outputs")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON here")
    add_served_options(parser)


def load(checkpoint, dtype, random_weights: bool):
    """The checkpoint's model and tokenizer, or a model of the same config with random weights."""
    import torch

    from harness.models import loader

    if not random_weights:
        return loader.load_model(checkpoint.model, adapter=checkpoint.adapter, dtype=dtype, merge=True)
    trained, tokenizer = loader.load_model(checkpoint.model, dtype=dtype, check=False)
    torch.manual_seed(0)
    model = loader.model_class(trained.config).from_config(trained.config, dtype=dtype).to(trained.device).eval()
    model.generation_config = trained.generation_config
    return model, tokenizer


def ours(generator, samples, decode, score_config, path: str) -> dict:
    """Generate and score every sample with a throwaway cache; speeds, sizes and the outputs."""
    import torch

    from harness.evaluation.evaluate import generate_and_score
    from harness.generation.cache import GenerationCache

    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as tmp:
        started = time.perf_counter()
        records, stats = generate_and_score(generator, samples, decode, GenerationCache(Path(tmp), generator.cache_key(decode)),
                                            score_config, progress=True)
        seconds = time.perf_counter() - started
    n = len(records)
    return {
        "path": path,
        "engine": stats.get("engine", stats.get("backend")),
        "samples": n,
        "batch_size": stats.get("batch_size", stats.get("concurrency")),
        "generate_s": stats["seconds"],
        "score_s": stats["score_seconds"],
        "score_wait_s": stats["score_wait_seconds"],
        "step_s": round(seconds, 3),
        "generate_samples_per_s": n / stats["seconds"],
        "score_samples_per_s": n / stats["score_seconds"] if stats["score_seconds"] else None,
        "step_samples_per_s": n / seconds,
        "new_tokens_per_s": stats["new_tokens"] / stats["seconds"],
        "executable": sum(r.get("execution_match") is not None for r in records),
        "execution_match": sum(r.get("execution_match") is True for r in records),
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
        "outputs": {r["id"]: r["output"] for r in records},
    }


def guide(model, tokenizer, prompts: list[str], max_new_tokens: int) -> dict:
    """The guide's loop: a text-generation pipeline called once per prompt."""
    import torch
    from transformers import pipeline

    from harness.models.chat_format import stop_ids

    pipe = pipeline("text-generation", model=model, tokenizer=tokenizer)
    stop = stop_ids(tokenizer, model.generation_config)
    new_tokens = 0
    started = time.perf_counter()
    for prompt in prompts:
        text = pipe(prompt, max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=stop)
        new_tokens += len(tokenizer(text[0]["generated_text"][len(prompt) :], add_special_tokens=False).input_ids)
    if model.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return {"path": "guide pipeline", "samples": len(prompts), "batch_size": 1, "generate_s": round(seconds, 3),
            "generate_samples_per_s": len(prompts) / seconds, "new_tokens_per_s": new_tokens / seconds}


def main(args: argparse.Namespace) -> int:
    """Measure each engine, the guide's loop and a served model on the same prompts; print and optionally save."""
    import torch
    from rich.console import Console

    from harness import tables
    from harness.data import prompts
    from harness.data.tasks import load_task
    from harness.errors import HarnessInputError
    from harness.evaluation.evaluate import resolve_checkpoints
    from harness.generation.generate import DecodeConfig
    from harness.generation.local import ENGINES, LocalGenerator
    from harness.generation.served import ServedGenerator, is_served
    from harness.scoring.scorer import ScoreConfig

    engines = args.engine.split(",")
    if unknown := [e for e in engines if e not in ENGINES]:
        raise HarnessInputError(f"--engine {','.join(unknown)}: unknown; use {', '.join(ENGINES)}")
    if args.served and not is_served(args.served):
        raise HarnessInputError(f"--served {args.served}: give a served model as openai:NAME")
    endpoint = served_endpoint(args, args.served) if args.served else served_endpoint(args)
    checkpoints = resolve_checkpoints([args.checkpoint], args.model)
    if len(checkpoints) != 1:
        raise HarnessInputError(f"--checkpoint {args.checkpoint}: names {len(checkpoints)} checkpoints; give one")
    if args.random_weights and checkpoints[0].adapter:
        raise HarnessInputError("--random-weights measures the base model's config: give no adapter")
    samples = load_task(args.task, args.data).split("test")[: args.limit]
    decode = DecodeConfig(max_new_tokens=args.max_new_tokens, dtype=args.dtype)
    score_config = ScoreConfig(**({"workers": args.workers} if args.workers else {}))
    model, tokenizer = load(checkpoints[0], getattr(torch, args.dtype), args.random_weights)
    model.generate(**tokenizer(["warm up"], return_tensors="pt").to(model.device), max_new_tokens=2, do_sample=False)
    rows = []
    if args.guide_samples:
        texts = [prompts.render(s, tokenizer, for_training=False) for s in samples[: args.guide_samples]]
        rows.append(guide(model, tokenizer, texts, args.max_new_tokens))
    for engine in engines:
        generator = LocalGenerator(tokenizer, {"bench": engine}, model=model, batch_size=args.batch_size, engine=engine)
        rows.append(ours(generator, samples, decode, score_config, f"ours ({engine})"))
    failure = None
    if endpoint:
        try:
            rows.append(ours(ServedGenerator(endpoint), samples, decode, score_config, f"served ({endpoint.label})"))
        except HarnessInputError as err:  # the rows measured so far are still shown
            failure = err
    reference = rows[0]["generate_samples_per_s"] if args.guide_samples else None
    first = next(r["outputs"] for r in rows if "outputs" in r)
    for row in rows:
        row["x_guide"] = row["generate_samples_per_s"] / reference if reference else None
        row["x_guide_step"] = row["step_samples_per_s"] / reference if reference and "step_samples_per_s" in row else None
        if "outputs" in row:
            row["agree"] = sum(row["outputs"][k] == first[k] for k in first)
            del row["outputs"]
    device = torch.cuda.get_device_name(model.device) if model.device.type == "cuda" else "CPU"
    summary = {"device": device, "model": args.model, "checkpoint": args.checkpoint, "task": args.task,
               "random_weights": args.random_weights, "max_new_tokens": args.max_new_tokens, "dtype": args.dtype,
               "scoring_workers": score_config.workers, "results": rows}
    console = Console()
    header, rows, text = table(summary)
    tables.show(console, header, rows, **text)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    if failure:
        raise failure
    return 0


def table(summary: dict) -> tuple[list[str], list[list[str]], dict]:
    """The figures as table rows: (header, rows, title and caption)."""
    weights = "random weights" if summary["random_weights"] else summary["checkpoint"]
    title = (f"harness bench eval: {summary['model']} ({weights}), {summary['task']} test, "
             f"{summary['max_new_tokens']} new tokens max, {summary['device']}")
    caption = ("per second: samples (gen, score, step) and new tokens; x: gen and step samples/s over the guide's; "
               "batch: sequences per batch, or requests at once when served; agree: outputs equal to the first engine's")
    header = ["path", "n", "batch", "gen/s", "score/s", "step/s", "tokens/s", "step s", "GPU mem", "x guide", "x step",
              "agree", "exec"]

    def fmt(value, spec: str, suffix: str = "") -> str:
        return "n/a" if value is None else f"{value:{spec}}{suffix}"

    rows = [
        [r["path"], str(r["samples"]), str(r["batch_size"] or "auto"),
         fmt(r["generate_samples_per_s"], ",.2f"), fmt(r.get("score_samples_per_s"), ",.1f"),
         fmt(r.get("step_samples_per_s"), ",.2f"), fmt(r["new_tokens_per_s"], ",.0f"),
         fmt(r.get("step_s", r["generate_s"]), ".1f"), fmt(r.get("peak_memory_gib"), ".1f", " GiB"),
         fmt(r["x_guide"], ".1f"), fmt(r["x_guide_step"], ".1f"),
         f"{r['agree']}/{r['samples']}" if "agree" in r else "n/a",
         f"{r['execution_match']}/{r['samples']}" if "execution_match" in r else "n/a"]
        for r in summary["results"]
    ]
    return header, rows, {"title": title, "caption": caption}
