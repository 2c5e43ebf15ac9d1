"""Schema instances: randomly drawn rows of one domain, rendered as a compact SQL context.

An instance holds rows for all three tables of a domain (group, entity, event) under role
keys, so templates can pick filter constants from the rows and the gold hits data. Only the
tables a question needs are rendered into its context.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from harness.data.sample_task.domains import FIRST_NAMES, LAST_NAMES, Domain

FIRST_DAY = datetime.date(2021, 1, 1)
DAYS = 4 * 365
SQL_KEYWORDS = frozenset({"as", "at", "by", "do", "if", "in", "is", "of", "on", "or", "to"})


@dataclass(frozen=True)
class Instance:
    """Rows of one domain's tables, each row a dict keyed by column role.

    Attributes:
        domain: The domain the rows belong to.
        groups: Rows with keys id, name, attr.
        entities: Rows with keys id, name, cat, num, flag, gid.
        events: Rows with keys id, eid, amt (in cents), qty, date (ISO text), status.
    """

    domain: Domain
    groups: list[dict]
    entities: list[dict]
    events: list[dict]

    def group_of(self, entity: dict) -> dict:
        """The group row an entity row points at."""
        return next(g for g in self.groups if g["id"] == entity["gid"])

    def entity_of(self, event: dict) -> dict:
        """The entity row an event row points at."""
        return next(e for e in self.entities if e["id"] == event["eid"])


def draw_instance(domain: Domain, rng: random.Random) -> Instance:
    """Draw 2-3 groups, 2-4 entities and 3-5 events with realistic values.

    Names within a table are distinct, and so are event dates, so that orderings by date
    are unambiguous.
    """
    g, e, v = domain.group, domain.entity, domain.event
    group_names = rng.sample(g.names, rng.randint(2, 3))
    groups = [{"id": i, "name": name, "attr": rng.choice(g.attrs)} for i, name in enumerate(group_names, 1)]
    n_entities = rng.randint(2, 4)
    if not e.names:
        firsts = rng.sample(FIRST_NAMES, n_entities)
        entity_names = [f"{first} {rng.choice(LAST_NAMES)}" for first in firsts]
    else:
        entity_names = rng.sample(e.names, n_entities)
    entities = [
        {
            "id": i,
            "name": name,
            "cat": rng.choice(e.cats),
            "num": rng.randint(*e.num_range),
            "flag": rng.random() < 0.5,
            "gid": rng.choice(groups)["id"],
        }
        for i, name in enumerate(entity_names, 1)
    ]
    n_events = rng.randint(3, 5)
    days = sorted(rng.sample(range(DAYS), n_events))
    low, high = (round(x * 100) for x in v.amt_range)
    events = [
        {
            "id": i,
            "eid": rng.choice(entities)["id"],
            "amt": rng.randint(low, high),
            "qty": rng.randint(*v.qty_range),
            "date": (FIRST_DAY + datetime.timedelta(days=day)).isoformat(),
            "status": rng.choice(v.statuses),
        }
        for i, day in enumerate(days, 1)
    ]
    return Instance(domain, groups, entities, events)


def lit(value: object) -> str:
    """A SQL literal for a Python value (strings quoted and escaped, booleans as TRUE/FALSE)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def money(cents: int) -> str:
    """An amount in cents as a DECIMAL literal with two decimals."""
    return f"{cents // 100}.{cents % 100:02d}"


def render_context(inst: Instance, roles: str) -> str:
    """CREATE TABLE and one multi-row INSERT per table, for the roles in `roles` ("G", "E", "V")."""
    g, e, v = inst.domain.group, inst.domain.entity, inst.domain.event
    tables = {
        "G": (g.table, [(g.id, "INT"), (g.name, "VARCHAR(50)"), (g.attr, "VARCHAR(50)")],
              [(r["id"], lit(r["name"]), lit(r["attr"])) for r in inst.groups]),
        "E": (e.table, [(e.id, "INT"), (e.name, "VARCHAR(50)"), (e.cat, "VARCHAR(30)"), (e.num, "INT"),
                        (e.flag, "BOOLEAN"), (g.id, "INT")],
              [(r["id"], lit(r["name"]), lit(r["cat"]), r["num"], lit(r["flag"]), r["gid"]) for r in inst.entities]),
        "V": (v.table, [(v.id, "INT"), (e.id, "INT"), (v.amt, "DECIMAL(10,2)"), (v.qty, "INT"),
                        (v.date, "DATE"), (v.status, "VARCHAR(20)")],
              [(r["id"], r["eid"], money(r["amt"]), r["qty"], lit(r["date"]), lit(r["status"])) for r in inst.events]),
    }
    parts = []
    for role in "GEV":
        if role in roles:
            name, columns, rows = tables[role]
            parts.append(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)});")
            values = ", ".join("(" + ", ".join(str(x) for x in row) + ")" for row in rows)
            parts.append(f"INSERT INTO {name} VALUES {values};")
    return " ".join(parts)


def aliases(domain: Domain) -> tuple[str, str, str]:
    """Short distinct table aliases for group, entity and event (shortest free prefix)."""
    taken: list[str] = []
    for table in (domain.group.table, domain.entity.table, domain.event.table):
        size = 1
        while table[:size] in taken or table[:size] in SQL_KEYWORDS:
            size += 1
        taken.append(table[:size])
    return taken[0], taken[1], taken[2]


def placeholders(domain: Domain) -> dict[str, str]:
    """The names templates use for a domain's tables, columns and their labels."""
    g, e, v = domain.group, domain.entity, domain.event
    ga, ea, va = aliases(domain)
    return {
        "gt": g.table, "g": g.one, "gs": g.many, "gid": g.id, "gname": g.name,
        "gattr": g.attr, "gattr_l": g.attr_label, "ga": ga,
        "et": e.table, "e": e.one, "es": e.many, "eid": e.id, "ebase": e.id.removesuffix("_id"), "ename": e.name, "ename_l": e.name_label,
        "ecat": e.cat, "ecat_l": e.cat_label, "enum": e.num, "enum_l": e.num_label,
        "eflag": e.flag, "eyes": e.flag_yes, "eno": e.flag_no, "ea": ea,
        "vt": v.table, "v": v.one, "vs": v.many, "vid": v.id, "vbase": v.id.removesuffix("_id"),
        "vamt": v.amt, "vamt_l": v.amt_label,
        "vtotal": v.amt if v.amt.startswith("total") else f"total_{v.amt}", "vqty": v.qty, "vqty_l": v.qty_label,
        "vdate": v.date, "vdate_l": v.date_label, "vstat": v.status, "vstat_l": v.status_label, "va": va,
        "xcol": domain.extra[0], "xtype": domain.extra[1], "xlabel": domain.extra[2],
    }
