"""Turn model text into the SQL it proposes: strip a markdown fence or a leading `SQL:`, nothing more."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*[A-Za-z0-9_+-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_LABEL = re.compile(r"\A\s*SQL\s*:\s*", re.IGNORECASE)


def extract_sql(text: str) -> str:
    """The SQL a model wrote, with a markdown fence or a leading ``SQL:`` label removed.

    When the text contains a fenced block (```` ```sql ... ``` ````, closed or not), the first
    block's body is the SQL. Otherwise a leading ``SQL:`` label is dropped. Everything else,
    prose included, is kept as the model wrote it, so prose scores as a parse error instead
    of being guessed at.

    Args:
        text: Raw model output (or a prediction from a file).

    Returns:
        The SQL text, stripped of surrounding whitespace.
    """
    if text is None:
        return ""
    fence = _FENCE.search(text)
    if fence:
        text = fence.group(1)
    return _LABEL.sub("", text, count=1).strip()
