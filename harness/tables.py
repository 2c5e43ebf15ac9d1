"""Tables on the terminal that stay readable at 80 columns, and plain text where there is no terminal.

Every table we print goes through here: `table` builds it (label columns left, figures right,
box-drawing rules on a terminal, ASCII rules and no styles in a CI log or a pipe); `fit` returns
it as given when it fits the console's width, else transposed (rows become columns) when that
fits, else None, so a caller never prints a table that wraps one character per line; `show`
prints a table that way, or where neither fits, each row as a line of `header: value` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table

Cell = RenderableType  # a str, or a rich Text to keep its style


def table(console: Console, header: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str | None = None,
          caption: str | None = None, labels: int = 1, fold: bool = False) -> Table:
    """A table whose first `labels` columns are left-aligned labels and the rest right-aligned figures.

    Args:
        console: Where it will print: a terminal gets box-drawing rules, anything else ASCII.
        header: Column headers.
        rows: Cells, one sequence per row.
        title: Above the table.
        caption: Below the table.
        labels: How many leading columns are labels.
        fold: Let the label columns wrap (folding long names); else they never wrap.
    """
    out = Table(title=title, caption=caption, show_edge=False, box=box.HEAVY_HEAD if console.is_terminal else box.ASCII)
    for i, name in enumerate(header):
        is_label = i < labels
        out.add_column(name, justify="left" if is_label else "right", no_wrap=not (is_label and fold), overflow="fold")
    for row in rows:
        out.add_row(*row)
    return out


def width(console: Console, renderable: RenderableType) -> int:
    """The columns a renderable takes at its natural (unwrapped) width."""
    return console.measure(renderable, options=console.options.update_width(10_000)).maximum


def transpose(header: Sequence[str], rows: Sequence[Sequence[Cell]], corner: str | None = None) -> tuple[list[str], list[list[Cell]]]:
    """Rows become columns: the first column's cells become the header, the other headers the labels.

    Args:
        corner: Header of the new label column (default: the old one's).
    """
    new_header = [header[0] if corner is None else corner, *(str(row[0]) for row in rows)]
    return new_header, [[name, *(row[i] for row in rows)] for i, name in enumerate(header) if i]


def fit(console: Console, header: Sequence[str], rows: Sequence[Sequence[Cell]], corner: str | None = None,
        **options) -> Table | None:
    """The table as given if it fits the console's width, else transposed if that fits, else None.

    Args:
        corner: Header of the label column when transposed (default: the first header).
        options: Keyword arguments of `table`; a transposed table has one label column.
    """
    candidates = [(header, rows, options)]
    if rows:
        candidates.append((*transpose(header, rows, corner), {**options, "labels": 1}))
    for head, body, kwargs in candidates:
        shown = table(console, head, body, **kwargs)
        if width(console, shown) <= console.width:
            return shown
    return None


def show(console: Console, header: Sequence[str], rows: Sequence[Sequence[Cell]], **options) -> None:
    """Print the table as `fit` has it, or where neither way fits, each row as one line of `header: value`."""
    shown = fit(console, header, rows, **options)
    if shown is not None:
        console.print(shown)
        return
    if options.get("title"):
        console.print(options["title"], markup=False)
    for row in rows:
        console.print(", ".join(f"{name}: {cell}" for name, cell in zip(header, row)), markup=False)
    if options.get("caption"):
        console.print(options["caption"], markup=False)
