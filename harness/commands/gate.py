"""`harness gate CANDIDATE --baseline FILE`: fail CI when a candidate regresses.

Exit 0 pass, 1 regression, 2 not comparable (different task, task version, scorer version or
sample ids; the message says which) or bad input. The result is printed as a table and can be
written as Markdown (a CI job summary or pull-request comment) and JSON. With
`--write-baseline` the candidate's outcomes are written to the baseline path instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from harness import tables
from harness.results.baselines import baseline_path, load_outcomes, write_baseline
from harness.errors import HarnessInputError
from harness.results.gate import NOT_COMPARABLE, PASS, Flip, GateResult, Thresholds, compare

VERDICTS = {PASS: "PASS", "fail": "FAIL: regression", NOT_COMPARABLE: "NOT COMPARABLE"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `gate` arguments."""
    parser.add_argument("candidate", type=Path, metavar="CANDIDATE", help="run folder, eval/<checkpoint> folder, summary.json or baseline file")
    parser.add_argument(
        "--baseline", required=True, metavar="FILE",
        help="baseline file, or a name under results/baselines/ (a run or eval folder also works)",
    )
    parser.add_argument("--checkpoint", metavar="NAME", help="checkpoint of a run folder (default: its last epoch)")
    parser.add_argument("--max-drop", type=float, default=0.02, metavar="X", help="largest tolerated accuracy drop, absolute (default 0.02)")
    parser.add_argument("--alpha", type=float, default=0.05, metavar="P", help="significance level of the McNemar test (default 0.05)")
    parser.add_argument("--max-new-failures", type=int, metavar="N", help="fail when more than N samples newly fail")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the result as Markdown")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the result as JSON")
    parser.add_argument("--flips", type=int, default=20, metavar="N", help="flips listed per table (default 20; JSON has all)")
    parser.add_argument("--write-baseline", action="store_true", help="write the candidate's outcomes to --baseline and exit 0")


def main(args: argparse.Namespace) -> int:
    """Compare, print, write the requested files and return the gate's exit code."""
    if not 0 <= args.max_drop <= 1 or not 0 < args.alpha < 1:
        raise HarnessInputError("--max-drop must be in [0, 1] and --alpha in (0, 1)")
    if args.max_new_failures is not None and args.max_new_failures < 0:
        raise HarnessInputError("--max-new-failures must be 0 or more")
    candidate = load_outcomes(args.candidate, args.checkpoint)
    target = baseline_path(args.baseline)
    console = Console()
    if args.write_baseline:
        if target.is_dir():
            raise HarnessInputError(f"{target}: is a folder; --write-baseline needs a file path")
        existed = target.exists()
        data = write_baseline(candidate, target)
        rate = data["execution_accuracy"]
        console.print(
            f"{'replaced' if existed else 'wrote'} baseline {target}: {candidate.label}, {data['n']} samples, "
            f"execution accuracy {'n/a' if rate is None else f'{rate:.1%}'}",
            markup=False,
        )
        return 0
    if not target.exists():
        raise HarnessInputError(f"{target}: no such baseline; create one with --write-baseline")
    result = compare(load_outcomes(target), candidate, Thresholds(args.max_drop, args.alpha, args.max_new_failures))
    print_result(result, console, args.flips)
    if args.markdown:
        _write(args.markdown, to_markdown(result, args.flips))
    if args.json:
        _write(args.json, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return result.exit_code


def print_result(result: GateResult, console: Console, flips: int = 20) -> None:
    """The verdict, the comparison table and the flip tables on the terminal, readable at 80 columns.

    Each interval goes on a line below its value, the thresholds on a line below the table, and
    the SQL of a flip is cut to one line in whatever width is left (Markdown and JSON have it whole).
    """
    style = {PASS: "bold green", NOT_COMPARABLE: "bold yellow"}.get(result.decision, "bold red")
    labels = escape(f"{result.candidate_label} vs baseline {result.baseline_label}")
    console.print(f"[{style}]gate {VERDICTS[result.decision]}[/]: {labels}")
    for reason in result.reasons:
        console.print(f"  - {reason}", markup=False)
    if result.n_paired:
        body = [[name, *(Text(v.replace(" [", "\n[")) for v in values)] for name, values in _summary_rows(result)]
        console.print(tables.table(console, ["", "baseline", "candidate", "difference"], body, fold=True))
        console.print(f"allowed: {_allowed(result)}", markup=False)
    for title, rows in _flip_sets(result):
        if rows:
            shown = rows[:flips]
            cells = [[Text(c) for c in (f.id, f.baseline_reason, f.candidate_reason, _cut(f.candidate_prediction), _cut(f.gold))]
                     for f in shown]
            more = f"{len(rows) - flips} more in --json" if len(rows) > flips else None
            table = tables.table(console, ["id", "baseline", "candidate", "candidate SQL", "gold SQL"], cells,
                                 title=f"{title} ({len(rows)})", caption=more, labels=5)
            # ids and reasons whole; each SQL on one line in half the width left (padding and rules: 3 a column)
            whole = [max(len(column.header), *(len(row[i]) for row in cells)) for i, column in enumerate(table.columns[:3])]
            for column in table.columns[3:]:
                column.width = max(8, (console.width - sum(whole) - 3 * len(table.columns)) // 2)
                column.overflow = "ellipsis"
            console.print(table)


def to_markdown(result: GateResult, flips: int = 20) -> str:
    """The result as Markdown for a CI job summary or a pull-request comment."""
    icon = {PASS: "✅", NOT_COMPARABLE: "⚠️"}.get(result.decision, "❌")
    lines = [f"## {icon} Gate {VERDICTS[result.decision]}", ""]
    lines += [f"Candidate `{result.candidate_label}` against baseline `{result.baseline_label}`.", ""]
    if result.reasons:
        lines += [f"- {_md(reason)}" for reason in result.reasons] + [""]
    if result.n_paired:
        lines += ["| | baseline | candidate | difference |", "|---|---:|---:|---:|"]
        rows = [*_summary_rows(result), ("allowed", ("", "", _allowed(result)))]
        lines += [f"| {name} | " + " | ".join(value) + " |" for name, value in rows]
        lines.append("")
    for title, rows in _flip_sets(result):
        if rows:
            lines += [f"### {title} ({len(rows)})", "", "| id | baseline | candidate | candidate SQL | gold SQL |"]
            lines.append("|---|---|---|---|---|")
            for flip in rows[:flips]:
                cells = [_md(c) for c in (flip.id, flip.baseline_reason, flip.candidate_reason)]
                cells += [f"`{_md(_cut(sql))}`" if sql.strip() else "" for sql in (flip.candidate_prediction, flip.gold)]
                lines.append("| " + " | ".join(cells) + " |")
            if len(rows) > flips:
                lines.append(f"\n{len(rows) - flips} more in the JSON output.")
            lines.append("")
    return "\n".join(lines)


def _summary_rows(result: GateResult) -> list[tuple[str, tuple[str, str, str]]]:
    """(label, (baseline, candidate, difference)) rows shared by the terminal and Markdown."""
    low, high = result.difference_ci
    base, cand = result.baseline_rate, result.candidate_rate
    skipped = {side: len(ids) for side, ids in result.unjudgeable.items()}
    return [
        ("execution accuracy", (_rate(base), _rate(cand), f"{result.difference:+.1%} [{low:+.1%}, {high:+.1%}]")),
        ("passing / paired", (f"{base.successes} / {base.n}", f"{cand.successes} / {cand.n}", "")),
        ("newly failing / passing", ("", "", f"{len(result.newly_failing)} / {len(result.newly_passing)}")),
        ("McNemar exact p", ("", "", f"{result.p_value:.3g} (alpha {result.thresholds.alpha:g})")),
        ("unjudgeable, left out", (str(skipped.get("baseline", 0)), str(skipped.get("candidate", 0)), "")),
    ]


def _allowed(result: GateResult) -> str:
    """The thresholds the candidate was held to."""
    t = result.thresholds
    limit = "any" if t.max_new_failures is None else t.max_new_failures
    return f"drop ≤ {t.max_drop * 100:.1f} points, new failures ≤ {limit}"


def _flip_sets(result: GateResult) -> list[tuple[str, list[Flip]]]:
    return [("Newly failing", result.newly_failing), ("Newly passing", result.newly_passing)]


def _rate(rate) -> str:
    low, high = rate.ci
    return f"{rate.value:.1%} [{low:.1%}, {high:.1%}]"


def _cut(sql: str, width: int = 80) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
