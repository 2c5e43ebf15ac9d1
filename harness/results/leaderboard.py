"""Leaderboard: every evaluated model@checkpoint of some runs, with 95% intervals, as tables and a plot.

Public API (used by `harness leaderboard` and `harness run`):

- `build(runs: list[RunStore], breakdown_fields=DEFAULT_BREAKDOWNS) -> Leaderboard`: one `Row` per
  evaluated checkpoint of each run (base, epoch_1, ..., then others), rates recomputed from each
  checkpoint's `samples.jsonl` over the judgeable samples (metric not null), plus execution
  accuracy per category of each breakdown field. Raises `HarnessInputError` for a run
  without evaluations.
- `print_table(board, console=None, breakdowns=False)`: tables on the terminal, readable at 80 columns.
- `to_markdown(board) -> str`, `to_csv(board) -> str`, `to_json(board) -> dict`,
  `plot(board, path)`: each metric against the epoch, one subplot per metric, one line per run;
  `plot_svg(board) -> str`: the same plot as SVG markup (for the HTML report).
- `write_all(board, out_dir) -> dict[str, Path]`: leaderboard.md, .csv, .json and .png in out_dir.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessInputError
from harness.files import write_atomic, write_json
from harness.results.stats import Rate
from harness.results.summary import rates
from harness.scoring.record import DEFAULT_BREAKDOWNS, METRICS, PRIMARY
from harness.store import RunStore, epoch_of


@dataclass
class Row:
    """One model@checkpoint: where it comes from and a `Rate` per metric."""

    run: str
    model: str
    checkpoint: str
    epoch: int | None
    task: str | None
    task_version: str | int | None
    scorer_version: str | int | None
    n: int  # samples evaluated, judgeable or not
    rates: dict[str, Rate]  # metric -> rate over its judgeable samples

    @property
    def label(self) -> str:
        """`model@checkpoint`."""
        return f"{self.model}@{self.checkpoint}"


@dataclass
class Breakdown:
    """Execution accuracy per category of one sample field, for every row."""

    field: str
    categories: list[str]  # most samples first
    rates: list[dict[str, Rate]]  # one per leaderboard row, category -> rate


@dataclass
class Leaderboard:
    """Rows in run order, breakdowns, and warnings such as mixed task versions."""

    rows: list[Row]
    breakdowns: list[Breakdown] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build(runs: list[RunStore], breakdown_fields: tuple[str, ...] = DEFAULT_BREAKDOWNS) -> Leaderboard:
    """Gather the evaluated checkpoints of the runs into a leaderboard."""
    rows, samples_per_row = [], []
    for run in runs:
        checkpoints = run.checkpoints()
        if not checkpoints:
            raise HarnessInputError(f"{run.path}: no evaluations (no eval/<checkpoint>/summary.json); run `harness eval` first")
        manifest = run.manifest()
        for checkpoint in checkpoints:
            summary, samples = run.summary(checkpoint), run.samples(checkpoint)
            rows.append(_row(run, checkpoint, summary, manifest, samples))
            samples_per_row.append(samples)
    board = Leaderboard(rows, [_breakdown(name, samples_per_row) for name in breakdown_fields])
    board.breakdowns = [b for b in board.breakdowns if b.categories]
    for name in ("task", "task_version", "scorer_version"):
        values = sorted({str(getattr(r, name)) for r in rows})
        if len(values) > 1:
            board.warnings.append(f"rows differ in {name.replace('_', ' ')} ({', '.join(values)}): not directly comparable")
    return board


def _row(run: RunStore, checkpoint: str, summary: dict, manifest: dict, samples: list[dict]) -> Row:
    task = manifest.get("task") if isinstance(manifest.get("task"), dict) else {}
    epoch = summary.get("epoch") if isinstance(summary.get("epoch"), int) else epoch_of(checkpoint)
    return Row(
        run=summary.get("run") or run.name,
        model=_name(summary.get("model") or manifest.get("model")),
        checkpoint=summary.get("checkpoint") or checkpoint,
        epoch=epoch,
        task=_name(summary.get("task") or task.get("name")),
        task_version=summary.get("task_version", task.get("version")),
        scorer_version=summary.get("scorer_version"),
        n=len(samples),
        rates=rates(samples),
    )


def _name(value) -> str:
    """A model or task given as a name, a local path (shown by its last part, also after a served model's
    `openai:`) or an object with a name."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    if isinstance(value, str):
        prefix, sep, rest = value.partition(":")
        if value.startswith(("/", "./", "../")):
            value = Path(value).name
        elif sep and rest.startswith(("/", "./", "../")):
            value = f"{prefix}:{Path(rest).name}"
    return str(value) if value else "?"


def _breakdown(name: str, samples_per_row: list[list[dict]]) -> Breakdown:
    counts: dict[str, int] = {}
    for samples in samples_per_row:
        for s in samples:
            if s.get(name):
                counts[str(s[name])] = counts.get(str(s[name]), 0) + 1
    categories = sorted(counts, key=lambda c: (-counts[c], c))
    per_row = [
        {c: rates((s for s in samples if str(s.get(name)) == c), (PRIMARY,))[PRIMARY] for c in categories}
        for samples in samples_per_row
    ]
    return Breakdown(name, categories, per_row)


def _fmt(rate: Rate, ci: bool = True) -> str:
    if rate.value is None:
        return "—"
    if not ci:
        return f"{rate.value:.1%}"
    low, high = rate.ci
    return f"{rate.value:.1%} [{low:.1%}, {high:.1%}]"


def _n(row: Row) -> str:
    judged = row.rates[PRIMARY].n
    return str(judged) if judged == row.n else f"{judged} of {row.n}"


def _main_table(board: Leaderboard) -> tuple[list[str], list[list[str]]]:
    header = ["run", "model", "checkpoint", "epoch", *(m.label for m in METRICS), "judgeable n"]
    body = [
        [r.run, r.model, r.checkpoint, "" if r.epoch is None else str(r.epoch), *(_fmt(r.rates[m.name]) for m in METRICS), _n(r)]
        for r in board.rows
    ]
    return header, body


def _breakdown_table(board: Leaderboard, breakdown: Breakdown, labels: list[str] | None = None,
                     corner: str = "model@checkpoint") -> tuple[list[str], list[list[str]]]:
    """Header shows each category's n when every row has the same n, else cells show k/n.

    Args:
        labels: Row labels (default `run: model@checkpoint`), under the header `corner`.
    """
    same_n = {c: len({rates[c].n for rates in breakdown.rates}) == 1 for c in breakdown.categories}
    header = [corner] + [
        f"{c} (n={breakdown.rates[0][c].n})" if same_n[c] else c for c in breakdown.categories
    ]
    labels = labels or [f"{row.run}: {row.label}" for row in board.rows]
    body = [
        [label]
        + [_fmt(rates[c], ci=False) + ("" if same_n[c] else f" ({rates[c].successes}/{rates[c].n})")
           for c in breakdown.categories]
        for label, rates in zip(labels, breakdown.rates)
    ]
    return header, body


def _terminal_labels(board: Leaderboard) -> tuple[str, list[str], str]:
    """Short row labels for the terminal: what all rows share goes into the title instead.

    Returns:
        (header of the label column, one label per row, the shared run and model for the title).
    """
    runs, models = {r.run for r in board.rows}, {r.model for r in board.rows}
    several_runs, several_models = len(runs) > 1, len(models) > 1
    corner = ("run: " if several_runs else "") + ("model@" if several_models else "") + "checkpoint"
    labels = [("" if not several_runs else f"{r.run}: ") + (f"{r.model}@" if several_models else "") + r.checkpoint
              for r in board.rows]  # the space lets a narrow terminal wrap a long run name before the checkpoint
    shared = [f"{what} {values.pop()}" for what, values in (("run", runs), ("model", models)) if len(values) == 1]
    return corner, labels, ", ".join(shared)


def print_table(board: Leaderboard, console=None, breakdowns: bool = False) -> None:
    """Print the leaderboard (and optionally the breakdowns), readable at 80 columns.

    The main table has one short label per row (what every row shares is in the title), the
    rates with their interval below, and the judgeable n; the best execution rate is bold. A
    breakdown prints as it is when it fits the console, else transposed (a category per row),
    else as a line that names where to read it.
    """
    from rich.console import Console
    from rich.text import Text

    from harness import tables

    console = console or Console()
    corner, labels, shared = _terminal_labels(board)
    values = [r.rates[PRIMARY].value for r in board.rows]
    best = max((v for v in values if v is not None), default=None)
    body = [
        [label, *(_cell(_fmt(r.rates[m.name]), "bold" if m.name == PRIMARY and best is not None and value == best else "")
                  for m in METRICS), _n(r)]
        for label, r, value in zip(labels, board.rows, values)
    ]
    title = f"Leaderboard{': ' + shared if shared else ''} (95% Wilson interval under each rate)"
    console.print(tables.table(console, [corner, *(m.label for m in METRICS), "n"], body, title=title,
                               caption="n: judgeable samples", fold=True))
    for breakdown in board.breakdowns if breakdowns else []:
        title = f"Execution accuracy by {breakdown.field}"
        shown = tables.fit(console, *_breakdown_table(board, breakdown, labels, corner), corner=breakdown.field, title=title)
        console.print(shown or Text(f"{title}: too wide for {console.width} columns; see leaderboard.md or report.html"))
    for warning in board.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))


def _cell(text: str, style: str):
    """A terminal cell: a rate's interval goes dim on a second line to keep columns narrow."""
    from rich.text import Text

    value, bracket, interval = text.partition(" [")
    if not (bracket and value.endswith("%")):
        return Text(text, style=style)
    low, high = interval.rstrip("]").split(", ")
    return Text(value, style=style) + Text(f"\n{low.rstrip('%')}–{high.rstrip('%')}", style="dim")


def to_markdown(board: Leaderboard) -> str:
    """The leaderboard and its breakdowns as Markdown tables."""
    def table(header: list[str], body: list[list[str]]) -> list[str]:
        cells = [header, ["---"] * len(header), *body]
        return ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells] + [""]

    lines = ["## Leaderboard", "", "Rates over judgeable samples with 95% Wilson intervals.", ""]
    lines += table(*_main_table(board))
    for breakdown in board.breakdowns:
        lines += [f"### Execution accuracy by {breakdown.field}", ""] + table(*_breakdown_table(board, breakdown))
    lines += [f"> **Warning:** {w}" for w in board.warnings]
    return "\n".join(lines).rstrip() + "\n"


def to_csv(board: Leaderboard) -> str:
    """One line per row: rate, CI bounds, successes and judgeable n of every metric."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    per_metric = [f"{m.name}{suffix}" for m in METRICS for suffix in ("", "_ci_low", "_ci_high", "_successes", "_n")]
    writer.writerow(["run", "model", "checkpoint", "epoch", "task", "task_version", "scorer_version", "n", *per_metric])
    for r in board.rows:
        values = []
        for m in METRICS:
            d = r.rates[m.name].to_dict()
            values += [d["rate"], d["ci_low"], d["ci_high"], d["successes"], d["n"]]
        writer.writerow([r.run, r.model, r.checkpoint, r.epoch, r.task, r.task_version, r.scorer_version, r.n, *values])
    return out.getvalue()


def to_json(board: Leaderboard) -> dict:
    """The rows, breakdowns and warnings as plain data."""
    rows = [
        {**{k: v for k, v in vars(r).items() if k != "rates"}, "metrics": {m.name: r.rates[m.name].to_dict() for m in METRICS}}
        for r in board.rows
    ]
    breakdowns = [
        {
            "field": b.field,
            "categories": b.categories,
            "rows": [
                {"run": row.run, "model": row.model, "checkpoint": row.checkpoint,
                 PRIMARY: {c: by_category[c].to_dict() for c in b.categories}}
                for row, by_category in zip(board.rows, b.rates)
            ],
        }
        for b in board.breakdowns
    ]
    return {"metrics": [m.name for m in METRICS], "rows": rows, "breakdowns": breakdowns, "warnings": board.warnings}


def plot(board: Leaderboard, path: Path) -> Path:
    """Each metric against the epoch (base = 0) with its 95% band, as a PNG at `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _figure(board).savefig(path, dpi=110)
    return path


def plot_svg(board: Leaderboard) -> str:
    """The same plot as SVG markup for an HTML page (text kept as text, no XML prologue)."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "harness"}):  # the salt keeps ids stable
        _figure(board).savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def _figure(board: Leaderboard):
    """Each metric against the epoch (base = 0) with its 95% band; checkpoints without an epoch are left out."""
    from matplotlib.figure import Figure  # no pyplot: no global backend state, renders with Agg

    figure = Figure(figsize=(12, 8), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True).flatten()
    series: dict[tuple[str, str], list[Row]] = {}
    for row in board.rows:
        if row.epoch is not None:
            series.setdefault((row.run, row.model), []).append(row)
    for ax, metric in zip(axes, METRICS):
        for (run, model), rows in series.items():
            points = sorted((r.epoch, r.rates[metric.name]) for r in rows if r.rates[metric.name].n)
            if points:
                epochs = [e for e, _ in points]
                line, = ax.plot(epochs, [rate.value for _, rate in points], marker="o", label=f"{run} ({model})")
                bands = [rate.ci for _, rate in points]
                ax.fill_between(epochs, [b[0] for b in bands], [b[1] for b in bands], color=line.get_color(), alpha=0.15)
        ax.set_title(f"{metric.label} match")
        ax.set_ylim(0, 1)
        ax.set_xlabel("epoch (0 = base)")
        ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
        ax.grid(alpha=0.3)
        if not ax.lines:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    if any(ax.lines for ax in axes):
        axes[0].legend(fontsize="small")
        axes[0].xaxis.get_major_locator().set_params(integer=True)
    return figure


def write_all(board: Leaderboard, out_dir: Path) -> dict[str, Path]:
    """Write leaderboard.md, .csv, .json and .png into out_dir; returns format -> path."""
    suffixes = {"markdown": "md", "csv": "csv", "json": "json", "plot": "png"}
    paths = {fmt: RunStore(out_dir).leaderboard_path(suffix) for fmt, suffix in suffixes.items()}
    write_atomic(paths["markdown"], to_markdown(board))
    write_atomic(paths["csv"], to_csv(board))
    write_json(paths["json"], to_json(board))
    plot(board, paths["plot"])
    return paths
