"""Question templates: one intent, its phrasings, its gold SQL and how to draw its constants.

A template's phrasings, SQL and explanation are `str.format` strings over the domain
placeholders (see `instances.placeholders`) and the constants its `params` function draws
from an instance. `params` picks constants from the inserted rows so that filters hit, and
returns None when an instance cannot support the question (the caller then draws another).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from harness.data.sample_task.instances import Instance

Params = Callable[[Instance, random.Random], "dict | None"]


def no_params(inst: Instance, rng: random.Random) -> dict:
    """Params for a template without constants."""
    return {}


@dataclass(frozen=True)
class Template:
    """One question intent.

    Attributes:
        intent: Short unique name of the intent.
        complexity: Gretel complexity class of the gold.
        task_type: Gretel task type of the gold.
        roles: Tables the gold reads or changes: letters of "GEV" (group, entity, event).
        phrasings: At least three ways to ask the question.
        sql: The gold SQL.
        explanation: What the gold does, in words.
        params: Draws the template's constants from an instance.
    """

    intent: str
    complexity: str
    task_type: str
    roles: str
    phrasings: tuple[str, ...]
    sql: str
    explanation: str
    params: Params = no_params

    def context_roles(self) -> str:
        """The tables shown in the context: the roles, plus a related table when only one."""
        return {"V": "EV", "E": "GE", "G": "GE"}.get(self.roles, self.roles)


def nice_floor(x: int) -> int:
    """Round down to a round number (tens from 100, hundreds from 1,000)."""
    step = 100 if x >= 1000 else 10 if x >= 100 else 1
    return x // step * step


def nice_ceil(x: int) -> int:
    """Round up to a round number (tens from 100, hundreds from 1,000)."""
    step = 100 if x >= 1000 else 10 if x >= 100 else 1
    return -(-x // step) * step


def threshold_below(values: list[int], scale: int, rng: random.Random) -> int | None:
    """A round threshold that at least one value (in units of 1/scale) is strictly above."""
    vals = sorted(values)
    pick = vals[rng.randrange(len(vals) - 1)] if len(vals) > 1 else vals[0] - scale
    x = nice_floor(max(pick // scale, 0))
    return x if vals[-1] > x * scale else None


def p_cat(inst: Instance, rng: random.Random) -> dict:
    """A category value that some entity has."""
    return {"cat": rng.choice(inst.entities)["cat"]}


def p_status(inst: Instance, rng: random.Random) -> dict:
    """A status value that some event has."""
    return {"s": rng.choice(inst.events)["status"]}


def p_amt_over(inst: Instance, rng: random.Random) -> dict | None:
    """An amount threshold that some event exceeds."""
    x = threshold_below([v["amt"] for v in inst.events], 100, rng)
    return None if x is None else {"x": x}


def p_attr_of_event(inst: Instance, rng: random.Random) -> dict:
    """A group attribute value reached from some event through its entity."""
    return {"a": inst.group_of(inst.entity_of(rng.choice(inst.events)))["attr"]}


def p_attr_of_entity(inst: Instance, rng: random.Random) -> dict:
    """A group attribute value that some entity's group has."""
    return {"a": inst.group_of(rng.choice(inst.entities))["attr"]}


def entities_without_events(inst: Instance) -> list[dict]:
    """Entity rows that no event points at."""
    used = {v["eid"] for v in inst.events}
    return [e for e in inst.entities if e["id"] not in used]


def p_some_without_events(inst: Instance, rng: random.Random) -> dict | None:
    """No constants, but only for instances where some entity has no events."""
    return {} if entities_without_events(inst) else None


def p_flagged_with_events(inst: Instance, rng: random.Random) -> dict | None:
    """No constants, but only for instances where a flagged entity has events."""
    used = {v["eid"] for v in inst.events}
    return {} if any(e["flag"] and e["id"] in used for e in inst.entities) else None
