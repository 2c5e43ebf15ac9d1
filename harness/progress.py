"""The one progress display every stage draws on (stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def progress_bar(enabled: bool = True, fields: tuple[str, ...] = ()) -> Progress:
    """The progress display for jobs (on stderr); add one task per kind of work.

    Args:
        enabled: Draw it at all.
        fields: Names of task fields shown after the count (`add_task(..., name=text)`).
    """
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               *(TextColumn(f"{{task.fields[{name}]}}") for name in fields), TimeRemainingColumn())
    return Progress(*columns, console=Console(stderr=True), disable=not enabled)
