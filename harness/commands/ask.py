"""`harness ask`: one question and a schema in, the generated SQL and its result in the sandbox out."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.eval import add_served_options, served_endpoint


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of `harness ask`."""
    parser.add_argument("question", help="the question in plain language")
    parser.add_argument("--schema", required=True, help="CREATE TABLE / INSERT statements, or a file holding them")
    parser.add_argument("--model", default="gemma-3-270m",
                        help="base model: gemma-3-270m, a Hub id, a folder, or openai:NAME for a served model (with --base-url)")
    parser.add_argument("--checkpoint", help="an adapter folder (e.g. <run>/checkpoints/epoch_3) or a merged model folder")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds the SQL may run (default 5)")
    add_served_options(parser)


def main(args: argparse.Namespace) -> int:
    """Generate SQL for the question, run it on the schema's data, print both."""
    from rich.console import Console
    from rich.syntax import Syntax

    from harness import tables
    from harness.data.samples import Sample
    from harness.evaluation.evaluate import generation_cache, generator_for, resolve_checkpoints
    from harness.generation.generate import DecodeConfig, generate
    from harness.scoring.extract import extract_sql
    from harness.scoring.scorer import ScoreConfig, check_gold

    schema = Path(args.schema).read_text() if Path(args.schema).is_file() else args.schema
    checkpoint = resolve_checkpoints([args.checkpoint] if args.checkpoint else ["base"], args.model, served_endpoint(args))[0]
    decode = DecodeConfig(max_new_tokens=args.max_new_tokens)
    generator = generator_for(checkpoint, decode, batch_size=1)
    sample = Sample(id="ask", sql_prompt=args.question, sql_context=schema, sql="")
    outputs, _ = generate(generator, [sample], decode, generation_cache(generator, decode), progress=False)
    sql = extract_sql(outputs["ask"])
    console = Console()
    console.print(Syntax(sql or "(no SQL generated)", "sql", word_wrap=True))
    result = check_gold({"sql_context": schema, "sql": sql}, ScoreConfig(timeout_s=args.timeout, workers=1))
    if result["status"] == "context_error":
        console.print(f"[red]the schema does not run:[/] {result['error']}")
        return 2
    if result["status"] != "ok":
        console.print(f"[red]{result['status'].replace('gold_', '')}:[/] {result['error']}")
        return 0
    if result["columns"] is None:
        console.print(f"ran ({result['dialect']}); no rows returned")
        return 0
    rows = [["NULL" if v is None else str(v) for v in row] for row in result["preview"]]
    tables.show(console, result["columns"], rows, caption=f"{result['rows']} rows ({result['dialect']})",
                labels=len(result["columns"]))
    return 0

