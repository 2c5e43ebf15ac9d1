"""The leaderboard on an 80- and a 120-column terminal and in a log: every line fits, nothing
wraps a letter at a time, breakdowns print as they are, transposed, or as a note."""

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

import report_run
from harness.results import leaderboard
from harness.scoring.record import BREAKDOWN_FIELDS, METRICS


def render(board, width: int, terminal: bool) -> str:
    out = Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None)
    leaderboard.print_table(board, console=out, breakdowns=True)
    return out.file.getvalue()


@pytest.fixture
def board(tmp_path):
    return leaderboard.build([report_run.make(tmp_path, n=24)], BREAKDOWN_FIELDS)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("terminal", [True, False])
def test_every_table_fits_and_reads(board, width, terminal):
    text = render(board, width, terminal)
    assert all(cell_len(line) <= width for line in text.splitlines())
    header = next(line for line in text.splitlines() if "execution" in line)
    assert header.split()[0] == "checkpoint" and all(m.label in header for m in METRICS)  # whole headers, one line
    assert "Leaderboard: run demo, model tiny" in text  # what every row shares
    assert "65.2%" in text and "44.9–81.2" in text and "23 of 24" in text
    assert ("━" in text) == terminal and ("-+-" in text) != terminal


def test_a_breakdown_too_wide_for_80_columns_is_transposed(board):
    narrow, wide = render(board, 80, True), render(board, 120, True)
    by_complexity = "Execution accuracy by sql_complexity"
    row = next(line for line in narrow.splitlines() if line.startswith(" window functions (n=6)"))
    assert row.split("│")[1:] == ["  100.0% ", "   66.7% "]  # a category a row, a checkpoint a column
    assert by_complexity in narrow and by_complexity in wide
    assert "window functions (n=6)" in next(line for line in wide.splitlines() if "aggregation" in line)  # as given


def test_a_breakdown_too_wide_either_way_is_named_instead(tmp_path):
    runs = [report_run.make(tmp_path, n=24, name=f"a-long-run-name-{i}") for i in range(3)]
    text = render(leaderboard.build(runs, BREAKDOWN_FIELDS), 80, False)
    note = "Execution accuracy by sql_complexity: too wide for 80 columns; see leaderboard.md or report.html"
    assert note in " ".join(text.split())
    assert all(cell_len(line) <= 80 for line in text.splitlines())
    assert "a-long-run-name-2: epoch_2" in text  # several runs: the run is in the label
