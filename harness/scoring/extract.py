"""Turn model text into the SQL it proposes: strip a leading reasoning block, a markdown fence or a leading `SQL:`, nothing more."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*[A-Za-z0-9_+-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_LABEL = re.compile(r"\A\s*SQL\s*:\s*", re.IGNORECASE)
_REASONING = re.compile(r"\A\s*<think>.*?</think>", re.DOTALL)


def extract_sql(text: str) -> str:
    """The SQL a model wrote, with a reasoning block, a markdown fence or a leading ``SQL:`` label removed.

    A leading ``<think>...</think>`` block (what reasoning families such as Qwen3 write first, and
    what servers hand back apart as the reasoning) is dropped. Then, when the text contains a
    fenced block (```` ```sql ... ``` ````, closed or not), the first block's body is the SQL.
    Otherwise a leading ``SQL:`` label is dropped. Everything else,
    prose included, is kept as the model wrote it, so prose scores as a parse error instead
    of being guessed at.

    Args:
        text: Raw model output (or a prediction from a file).

    Returns:
        The SQL text, stripped of surrounding whitespace.
    """
    if text is None:
        return ""
    text = _REASONING.sub("", text, count=1)
    fence = _FENCE.search(text)
    if fence:
        text = fence.group(1)
    return _LABEL.sub("", text, count=1).strip()
