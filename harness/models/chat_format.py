"""The conversation format a model is prompted and trained in: its chat template and its stop tokens.

Which template a tokenizer gets (`install`), the same for training and generation:

1. its own chat template, when it carries one;
2. a Gemma checkpoint without one (the embedded GGUF) gets the shipped Gemma template,
   `data/templates/gemma_chat_template.jinja`;
3. any other model without one gets the shipped fallback, `data/templates/fallback_chat_template.jinja`:
   each turn as plain text, the answer after a line `SQL:`, closed by the tokenizer's eos token.

A template that cannot render the task's conversation (one user turn, then the assistant's
answer), or a fallback for a tokenizer without an eos token to end the answer, is refused with
`HarnessInputError`.

Generation stops (`stop_ids`) at every eos id of the tokenizer and of the generation config, and
at the token the template closes an assistant turn with: the family's end of turn
(`<end_of_turn>`, `<|im_end|>`, `<|eot_id|>`, `<|end|>`, ...), found by rendering a turn, never
by name or id.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from jinja2 import TemplateError

from harness.data.prompts import USER_PROMPT
from harness.errors import HarnessInputError

__all__ = ["end_of_turn_id", "install", "shipped", "stop_ids", "template_hash"]

_PROBE_ANSWER = "SELECT 1;"
_PROBE = [{"role": "user", "content": USER_PROMPT.format(context="CREATE TABLE t (x INT);", question="How many rows?")},
          {"role": "assistant", "content": _PROBE_ANSWER}]


def shipped(name: str) -> str:
    """A template shipped in `data/templates/`: `gemma` or `fallback`."""
    return resources.files("harness").joinpath(f"data/templates/{name}_chat_template.jinja").read_text()


def install(tokenizer, model_type: str, label: str) -> str:
    """Give `tokenizer` the chat template the model is rendered with, and check that it renders the task.

    Args:
        tokenizer: The model's tokenizer; its `chat_template` is set when it has none.
        model_type: The model's `config.model_type` (`gemma3_text`, `llama`, ...).
        label: The model as the user named it, for error messages.

    Returns:
        Where the template came from: `own`, `gemma` (shipped for Gemma) or `fallback`.

    Raises:
        HarnessInputError: The template cannot render a user turn and an answer, or the
            fallback would be needed for a tokenizer without an eos token.
    """
    source = "own"
    if not tokenizer.chat_template:
        source = "gemma" if model_type.startswith("gemma") else "fallback"
        if source == "fallback" and tokenizer.eos_token is None:
            raise HarnessInputError(
                f"model {label!r} has no chat template and its tokenizer no end-of-sequence token, so no answer could "
                "end: give a model whose tokenizer carries a chat template (a chat_template.jinja in its folder) "
                "or an eos_token"
            )
        tokenizer.chat_template = shipped(source)
    try:
        rendered = tokenizer.apply_chat_template(_PROBE, tokenize=False)
        tokenizer.apply_chat_template(_PROBE[:1], tokenize=False, add_generation_prompt=True)
    except (TemplateError, TypeError, ValueError) as err:
        rendered = f"error: {err}"
    if _PROBE_ANSWER not in rendered:
        raise HarnessInputError(
            f"model {label!r}: its chat template cannot render one user turn and the assistant's answer ({rendered[:200]}); "
            "give a model whose chat template does (a chat_template.jinja in its folder), or remove the template "
            "to use the harness's fallback"
        )
    return source


def template_hash(tokenizer) -> str:
    """Hash of everything that shapes a prompt: the task's user prompt and the exact chat template text."""
    return hashlib.sha256((USER_PROMPT + "\0" + tokenizer.get_chat_template()).encode()).hexdigest()[:16]


def end_of_turn_id(tokenizer) -> int | None:
    """The special token the chat template closes an assistant turn with, if it closes it with one."""
    rendered = tokenizer.apply_chat_template(_PROBE, tokenize=False)
    after = rendered[rendered.rindex(_PROBE_ANSWER) + len(_PROBE_ANSWER):].lstrip()
    ids = tokenizer(after, add_special_tokens=False).input_ids
    special = set(tokenizer.all_special_ids) | set(tokenizer.added_tokens_decoder)
    return ids[0] if ids and ids[0] in special else None


def stop_ids(tokenizer, generation_config=None) -> list[int]:
    """Token ids that end generation: every eos id of the tokenizer and generation config, and the end of turn."""
    configured = getattr(generation_config, "eos_token_id", None)
    configured = configured if isinstance(configured, list) else [configured]
    ids = [tokenizer.eos_token_id, *configured, end_of_turn_id(tokenizer)]
    return list(dict.fromkeys(i for i in ids if i is not None))
