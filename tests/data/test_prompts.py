"""The guide's prompt, rendered in the shipped Gemma chat template for training and for generation."""

import pytest

import tiny_models
from harness.data import prompts
from harness.data.samples import Sample
from harness.models import chat_format

SAMPLE = Sample(id="1", sql_prompt="How many cats?", sql_context="CREATE TABLE pets (kind VARCHAR);", sql="SELECT COUNT(*) FROM pets WHERE kind = 'cat';")

GUIDE_USER_TURN = """Given the <USER_QUERY> and the <SCHEMA>, generate the corresponding SQL command to retrieve the desired data, considering the query's syntax, semantics, and schema constraints.

<SCHEMA>
CREATE TABLE pets (kind VARCHAR);
</SCHEMA>

<USER_QUERY>
How many cats?
</USER_QUERY>"""


@pytest.fixture(scope="module")
def gemma_tokenizer():
    tokenizer = tiny_models.tokenizer("gemma3", template=False)
    chat_format.install(tokenizer, "gemma3_text", "tiny")
    return tokenizer


def test_generation_prompt_is_the_guides_user_turn(gemma_tokenizer):
    text = prompts.render(SAMPLE, gemma_tokenizer, for_training=False)
    assert text == f"<bos><start_of_turn>user\n{GUIDE_USER_TURN}<end_of_turn>\n<start_of_turn>model\n"


def test_training_text_ends_with_the_gold_turn(gemma_tokenizer):
    text = prompts.render(SAMPLE, gemma_tokenizer, for_training=True)
    assert text == prompts.render(SAMPLE, gemma_tokenizer, for_training=False) + SAMPLE.sql + "<end_of_turn>\n"


def test_messages_have_no_system_turn():
    assert [m["role"] for m in prompts.messages(SAMPLE, with_answer=True)] == ["user", "assistant"]


def test_training_example_is_the_user_turn_then_the_gold_sql():
    example = prompts.prompt_completion(SAMPLE)
    assert example["prompt"] == prompts.messages(SAMPLE, with_answer=False)
    assert example["completion"] == [{"role": "assistant", "content": SAMPLE.sql}]
