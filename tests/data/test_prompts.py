"""The guide's prompt in the Gemma chat template, for training and for generation."""

from harness.data import prompts
from harness.data.samples import Sample

SAMPLE = Sample(id="1", sql_prompt="How many cats?", sql_context="CREATE TABLE pets (kind VARCHAR);", sql="SELECT COUNT(*) FROM pets WHERE kind = 'cat';")

GUIDE_USER_TURN = """Given the <USER_QUERY> and the <SCHEMA>, generate the corresponding SQL command to retrieve the desired data, considering the query's syntax, semantics, and schema constraints.

<SCHEMA>
CREATE TABLE pets (kind VARCHAR);
</SCHEMA>

<USER_QUERY>
How many cats?
</USER_QUERY>"""


def test_generation_prompt_is_the_guides_user_turn():
    text = prompts.render(SAMPLE, for_training=False)
    assert text == f"<bos><start_of_turn>user\n{GUIDE_USER_TURN}<end_of_turn>\n<start_of_turn>model\n"


def test_training_text_ends_with_the_gold_turn():
    text = prompts.render(SAMPLE, for_training=True)
    assert text == prompts.render(SAMPLE, for_training=False) + SAMPLE.sql + "<end_of_turn>\n"


def test_messages_have_no_system_turn():
    assert [m["role"] for m in prompts.messages(SAMPLE, with_answer=True)] == ["user", "assistant"]


def test_template_hash_is_stable_and_short():
    assert prompts.template_hash() == prompts.template_hash()
    assert len(prompts.template_hash()) == 16
