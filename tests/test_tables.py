"""Tables that stay readable at any width: as given, transposed, or one line a row; plain text off a terminal."""

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from harness import tables

HEADER = ["path", "samples", "generate/s", "score/s", "tokens/s"]
ROWS = [["guide pipeline", "16", "0.70", "n/a", "21"], ["ours (batched)", "2500", "79.50", "82.0", "2,405"]]


def console(width: int, terminal: bool = True) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None)


def lines(out: Console) -> list[str]:
    return out.file.getvalue().splitlines()


def test_fit_keeps_a_table_that_fits():
    out = console(120)
    shown = tables.fit(out, HEADER, ROWS)
    assert [c.header for c in shown.columns] == HEADER


def test_fit_transposes_a_table_too_wide():
    out = console(50)
    shown = tables.fit(out, HEADER, ROWS, corner="figure")
    assert [c.header for c in shown.columns] == ["figure", "guide pipeline", "ours (batched)"]
    out.print(shown)
    assert all(cell_len(line) <= 50 for line in lines(out))
    assert any(line.split()[:4] == ["generate/s", "│", "0.70", "│"] for line in lines(out))


def test_show_falls_back_to_a_line_a_row_when_neither_fits():
    out = console(30)
    assert tables.fit(out, HEADER, ROWS) is None
    tables.show(out, HEADER, ROWS, title="speeds")
    assert lines(out)[0] == "speeds"
    assert "path: guide pipeline, samples: 16, generate/s: 0.70" in " ".join(out.file.getvalue().split())


@pytest.mark.parametrize("terminal, rules, absent", [(True, "━", "-+-"), (False, "-+-", "━")])
def test_a_terminal_gets_box_drawing_anything_else_plain_text(terminal, rules, absent):
    out = console(120, terminal)
    out.print(tables.table(out, HEADER, ROWS, title="speeds"))
    text = out.file.getvalue()
    assert rules in text and absent not in text and "\x1b[" not in text
