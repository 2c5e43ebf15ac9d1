"""The guide's prompt and the Gemma chat template: one rendering for training and generation.

The template ships with the project (`data/templates/gemma_chat_template.jinja`) because the
embedded GGUF carries none. It is rendered here with jinja2 exactly as transformers renders
a tokenizer's chat template, and `apply_template` installs the same text on a tokenizer, so
training, generation and the prompt hash in the generation cache all see one template.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.data.samples import Sample

USER_PROMPT = """Given the <USER_QUERY> and the <SCHEMA>, generate the corresponding SQL command to retrieve the desired data, considering the query's syntax, semantics, and schema constraints.

<SCHEMA>
{context}
</SCHEMA>

<USER_QUERY>
{question}
</USER_QUERY>
"""

BOS = "<bos>"


@lru_cache(maxsize=1)
def chat_template() -> str:
    """The Gemma 3 chat template shipped in the package."""
    return resources.files("harness").joinpath("data/templates/gemma_chat_template.jinja").read_text()


def template_hash() -> str:
    """Hash of everything that shapes a prompt: the user prompt and the chat template."""
    return hashlib.sha256((USER_PROMPT + "\0" + chat_template()).encode()).hexdigest()[:16]


def messages(sample: Sample, with_answer: bool) -> list[dict[str, str]]:
    """The guide's conversation: one user turn, and the gold SQL as the assistant turn for training."""
    turns = [{"role": "user", "content": USER_PROMPT.format(context=sample.sql_context, question=sample.sql_prompt)}]
    if with_answer:
        turns.append({"role": "assistant", "content": sample.sql})
    return turns


@lru_cache(maxsize=1)
def _compiled():
    from transformers.utils.chat_template_utils import _compile_jinja_template

    return _compile_jinja_template(chat_template())


def render(sample: Sample, for_training: bool) -> str:
    """Text of a sample: with the gold turn for training, or ending in the generation prompt."""
    return _compiled().render(
        messages=messages(sample, with_answer=for_training),
        add_generation_prompt=not for_training,
        bos_token=BOS,
    )


def apply_template(tokenizer) -> None:
    """Install the shipped chat template on a tokenizer (the GGUF tokenizer has none)."""
    tokenizer.chat_template = chat_template()
