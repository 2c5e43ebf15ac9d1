"""The guide's prompt: one conversation per sample, rendered with the model's own chat template.

A sample becomes one user turn holding the guide's prompt (no system turn) and, for training,
the gold SQL as the assistant's answer. Rendering goes through the tokenizer's chat template
(`tokenizer.apply_chat_template`), the one `harness.models.chat_format` gives every model, so
training, generation and the prompt hash in the generation cache all see the same text; a
served model gets the same messages.
"""

from __future__ import annotations

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


def messages(sample: Sample, with_answer: bool) -> list[dict[str, str]]:
    """The guide's conversation: one user turn, and the gold SQL as the assistant turn for training."""
    turns = [{"role": "user", "content": USER_PROMPT.format(context=sample.sql_context, question=sample.sql_prompt)}]
    if with_answer:
        turns.append({"role": "assistant", "content": sample.sql})
    return turns


def prompt_completion(sample: Sample) -> dict[str, list[dict[str, str]]]:
    """A training example: the user turn as the prompt, the gold SQL as the completion the loss is on."""
    user, answer = messages(sample, with_answer=True)
    return {"prompt": [user], "completion": [answer]}


def render(sample: Sample, tokenizer, for_training: bool) -> str:
    """Text of a sample in the tokenizer's chat template: with the gold turn, or ending in the generation prompt."""
    return tokenizer.apply_chat_template(
        messages(sample, with_answer=for_training), tokenize=False, add_generation_prompt=not for_training
    )
