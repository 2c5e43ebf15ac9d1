"""The embedded default dataset: text-to-SQL samples generated offline in the gretel format.

Each sample pairs one question template (see `queries`, `advanced`, `changes`) with a fresh
instance of one domain schema (see `domains`): randomly drawn rows, so contexts, constants and
golds vary. Generation is deterministic: it uses only `random.Random` streams seeded from the
seed and the split name, so one seed gives byte-identical samples on every run and machine.

Train and test come from separate streams. A test sample whose context also occurs in train
is skipped, so test contexts are unseen schema instances and no (context, question) pair is
in both splits; duplicates within a split are skipped too.
"""

from __future__ import annotations

import random
import re

from harness.data.sample_task.advanced import ADVANCED
from harness.data.sample_task.changes import CHANGES
from harness.data.sample_task.domains import DOMAINS, Domain
from harness.data.sample_task.instances import draw_instance, placeholders, render_context
from harness.data.sample_task.queries import QUERIES
from harness.data.sample_task.template import Template
from harness.data.samples import Sample

TEMPLATES: tuple[Template, ...] = QUERIES + ADVANCED + CHANGES
MAX_DRAWS = 50
_A_BEFORE_VOWEL = re.compile(r"\b([Aa]) (?=[aeioAEIO]|u(?!ni|s[aeu]))")


def generate(n_train: int = 10000, n_test: int = 2500, seed: int = 0) -> tuple[list[Sample], list[Sample]]:
    """Generate the train and test splits of the embedded sample set.

    Args:
        n_train: Number of train samples.
        n_test: Number of test samples.
        seed: Seed of the generation; the same seed gives the same samples.

    Returns:
        The train and test samples, with ids "sample-train-00001", "sample-test-00001", ...
    """
    train = _split("train", n_train, seed, exclude=set())
    test = _split("test", n_test, seed, exclude={s.sql_context for s in train})
    return train, test


def _split(name: str, n: int, seed: int, exclude: set[str]) -> list[Sample]:
    """Draw `n` distinct samples whose contexts are not in `exclude`."""
    rng = random.Random(f"harness-sample-task/{seed}/{name}")
    samples: list[Sample] = []
    seen: set[tuple[str, str]] = set()
    while len(samples) < n:
        domain = rng.choice(DOMAINS)
        template = rng.choice(TEMPLATES)
        sample = _sample(f"sample-{name}-{len(samples) + 1:05d}", domain, template, rng)
        key = (sample.sql_context, sample.sql_prompt)
        if key in seen or sample.sql_context in exclude:
            continue
        seen.add(key)
        samples.append(sample)
    return samples


def _sample(sample_id: str, domain: Domain, template: Template, rng: random.Random) -> Sample:
    """One sample of `template` on a fresh instance of `domain`.

    Raises:
        RuntimeError: When no drawn instance supports the template (a template bug).
    """
    for _ in range(MAX_DRAWS):
        inst = draw_instance(domain, rng)
        params = template.params(inst, rng)
        if params is not None:
            break
    else:
        raise RuntimeError(f"template {template.intent} found no fitting instance of {domain.name}")
    values = {**placeholders(domain), **params}
    question = _a_an(rng.choice(template.phrasings).format(**values))
    return Sample(
        id=sample_id,
        sql_prompt=question[0].upper() + question[1:],
        sql_context=render_context(inst, template.context_roles()),
        sql=template.sql.format(**values),
        domain=domain.name,
        sql_complexity=template.complexity,
        sql_task_type=template.task_type,
        sql_explanation=_a_an(template.explanation.format(**values)),
    )


def _a_an(text: str) -> str:
    """Fix the article before a vowel sound ("a incident" -> "an incident")."""
    return _A_BEFORE_VOWEL.sub(lambda m: m.group(1) + "n ", text)
