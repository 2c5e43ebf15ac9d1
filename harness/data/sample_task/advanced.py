"""SELECT templates with window functions, set operations and CTEs."""

from __future__ import annotations

import random

from harness.data.sample_task.instances import Instance
from harness.data.sample_task.template import (
    Template,
    p_flagged_with_events,
    p_some_without_events,
    p_status,
    threshold_below,
)

WINDOW, SETOP, CTE = "window functions", "set operations", "CTEs"
RETRIEVAL, ANALYTICS = "data retrieval", "analytics and reporting"


def _cat_and_status(inst: Instance, rng: random.Random) -> dict:
    """A category some entity has and a status some event has."""
    return {"cat": rng.choice(inst.entities)["cat"], "s": rng.choice(inst.events)["status"]}


def _status_not_everywhere(inst: Instance, rng: random.Random) -> dict | None:
    """A status that some entity has no event with."""
    s = rng.choice(inst.events)["status"]
    having = {v["eid"] for v in inst.events if v["status"] == s}
    return {"s": s} if any(e["id"] not in having for e in inst.entities) else None


def _entity_total_over(inst: Instance, rng: random.Random) -> dict | None:
    """A threshold that some entity's total event amount exceeds."""
    totals: dict[int, int] = {}
    for v in inst.events:
        totals[v["eid"]] = totals.get(v["eid"], 0) + v["amt"]
    x = threshold_below(sorted(totals.values()), 100, rng)
    return None if x is None else {"x": x}


def _varied_nums(inst: Instance, rng: random.Random) -> dict | None:
    """No constants, but only for instances whose entity numbers differ."""
    return {} if len({e["num"] for e in inst.entities}) > 1 else None


ADVANCED: tuple[Template, ...] = (
    Template(
        "rank_events_within_entity", WINDOW, ANALYTICS, "V",
        ("Rank each {e}'s {vs} by {vamt_l}, highest first. Show {v} id, {eid}, {vamt_l} and rank.",
         "For every {e}, rank their {vs} from the largest {vamt_l} down, with id, {eid} and {vamt_l}.",
         "Show all {vs} with a rank of their {vamt_l} within the same {e} (1 = highest)."),
        "SELECT {vid}, {eid}, {vamt}, RANK() OVER (PARTITION BY {eid} ORDER BY {vamt} DESC) AS {vamt}_rank FROM {vt};",
        "Uses RANK() over a window partitioned by {eid} and ordered by {vamt} descending.",
    ),
    Template(
        "running_total_by_date", WINDOW, ANALYTICS, "V",
        ("Show the running total of {vamt_l} over time, with each {v}'s id, {vdate_l} and {vamt_l}.",
         "List {vs} by {vdate_l} with the cumulative {vamt_l} up to each one.",
         "Compute a cumulative sum of {vamt_l} ordered by {vdate_l}, showing id, date and {vamt_l}."),
        "SELECT {vid}, {vdate}, {vamt}, SUM({vamt}) OVER (ORDER BY {vdate}) AS running_total FROM {vt};",
        "Sums {vamt} over a window ordered by {vdate}, giving a running total per row.",
    ),
    Template(
        "previous_event_amount", WINDOW, ANALYTICS, "V",
        ("For each {v}, show its id, {vdate_l}, {vamt_l} and the {vamt_l} of the {v} before it by date.",
         "List each {v}'s id, {vdate_l} and {vamt_l} with the previous {v}'s {vamt_l} in {vdate_l} order.",
         "Show every {v}'s {vamt_l} next to the {vamt_l} of the preceding {v} (by {vdate_l})."),
        "SELECT {vid}, {vdate}, {vamt}, LAG({vamt}) OVER (ORDER BY {vdate}) AS previous_{vamt} FROM {vt};",
        "Uses LAG() over a window ordered by {vdate} to fetch the previous row's {vamt}.",
    ),
    Template(
        "share_of_total_amount", WINDOW, ANALYTICS, "V",
        ("What percentage of the total {vamt_l} does each {v} account for? Show id and {vamt_l}.",
         "For every {v}, show its {vamt_l} and its share of all {vamt_l} in percent.",
         "List each {v}'s id, {vamt_l} and percentage of the overall {vamt_l}."),
        "SELECT {vid}, {vamt}, {vamt} * 100.0 / SUM({vamt}) OVER () AS pct_of_total FROM {vt};",
        "Divides each {vamt} by the window total SUM({vamt}) OVER () and scales to a percentage.",
    ),
    Template(
        "latest_event_per_entity", WINDOW, RETRIEVAL, "V",
        ("What is the most recent {v} of each {e}? Show {v} id, {eid} and {vdate_l}.",
         "For every {e}, find their latest {v} by {vdate_l} (id, {eid} and {vdate_l}).",
         "List the newest {v} per {e}, with its id, the {eid} and the {vdate_l}."),
        "SELECT {vid}, {eid}, {vdate} FROM (SELECT {vid}, {eid}, {vdate}, ROW_NUMBER() OVER (PARTITION BY {eid} ORDER BY {vdate} DESC) AS rn FROM {vt}) AS ranked WHERE rn = 1;",
        "Numbers each {e}'s {vs} by {vdate} descending with ROW_NUMBER() and keeps the first.",
    ),
    Template(
        "dense_rank_within_category", WINDOW, ANALYTICS, "E",
        ("Rank the {es} within each {ecat_l} by {enum_l}, highest first, without gaps.",
         "Show each {e}'s {ename_l}, {ecat_l}, {enum_l} and its dense rank by {enum_l} inside its {ecat_l}.",
         "Within every {ecat_l}, dense-rank the {es} by descending {enum_l}."),
        "SELECT {ename}, {ecat}, {enum}, DENSE_RANK() OVER (PARTITION BY {ecat} ORDER BY {enum} DESC) AS {enum}_rank FROM {et};",
        "Uses DENSE_RANK() over a window partitioned by {ecat} and ordered by {enum} descending.",
    ),
    Template(
        "union_category_or_status", SETOP, RETRIEVAL, "EV",
        ("List the ids of {es} that are in the {cat} {ecat_l} or have a {v} with {vstat_l} '{s}'.",
         "Which {eid} values belong to {ecat_l} {cat} or appear on {s} {vs}? Combine both lists without duplicates.",
         "Show the union of {e} ids with {ecat_l} '{cat}' and {e} ids having {vs} in {vstat_l} '{s}'."),
        "SELECT {eid} FROM {et} WHERE {ecat} = '{cat}' UNION SELECT {eid} FROM {vt} WHERE {vstat} = '{s}';",
        "Combines two id lists with UNION, which also removes duplicates.",
        _cat_and_status,
    ),
    Template(
        "intersect_flagged_with_events", SETOP, RETRIEVAL, "EV",
        ("Which {e} ids belong to {es} that {eyes} and also have at least one {v}?",
         "List the ids of {es} who {eyes} and appear in the {vt} table.",
         "Find the {eid} values that are both {es} who {eyes} and {es} with {vs}."),
        "SELECT {eid} FROM {et} WHERE {eflag} = TRUE INTERSECT SELECT {eid} FROM {vt};",
        "Intersects the ids of {es} with {eflag} true with the ids found in {vt}.",
        p_flagged_with_events,
    ),
    Template(
        "except_status", SETOP, RETRIEVAL, "EV",
        ("Which {e} ids have no {v} with {vstat_l} '{s}'?",
         "List the ids of {es} that never had a {s} {v}.",
         "Show {eid} values of all {es} except those with a {v} whose {vstat_l} is {s}."),
        "SELECT {eid} FROM {et} EXCEPT SELECT {eid} FROM {vt} WHERE {vstat} = '{s}';",
        "Removes the ids of {es} with a '{s}' {v} from all {e} ids using EXCEPT.",
        _status_not_everywhere,
    ),
    Template(
        "union_group_and_entity_names", SETOP, RETRIEVAL, "GE",
        ("List all {g} names and {e} {ename_l}s together in one column.",
         "Combine the names of {gs} and the {ename_l}s of {es} into a single list.",
         "Show one list containing every {g} name and every {e} {ename_l}, without duplicates."),
        "SELECT {gname} AS name FROM {gt} UNION SELECT {ename} FROM {et};",
        "Stacks {gname} and {ename} into one column with UNION.",
    ),
    Template(
        "entities_without_events_except", SETOP, RETRIEVAL, "EV",
        ("Which {e} ids do not occur in the {vt} table?",
         "List the ids of {es} that have no {vs}, using the ids in both tables.",
         "Show the {eid} values of {es} lacking any {v}."),
        "SELECT {eid} FROM {et} EXCEPT SELECT {eid} FROM {vt};",
        "Subtracts the {eid} values present in {vt} from those in {et} with EXCEPT.",
        p_some_without_events,
    ),
    Template(
        "entity_totals_over_threshold", CTE, ANALYTICS, "EV",
        ("Using a CTE of total {vamt_l} per {e}, list the {ename_l} and total of {es} whose total exceeds {x}.",
         "Which {es} have {vs} whose {vamt_l} adds up to more than {x}? Show {ename_l} and the total.",
         "Find the {es} with a combined {vamt_l} above {x}, returning their {ename_l} and that sum."),
        "WITH totals AS (SELECT {eid}, SUM({vamt}) AS total FROM {vt} GROUP BY {eid}) SELECT {ea}.{ename}, totals.total FROM totals JOIN {et} {ea} ON {ea}.{eid} = totals.{eid} WHERE totals.total > {x};",
        "A CTE sums {vamt} per {eid}; the main query joins it to {et} and keeps totals above {x}.",
        _entity_total_over,
    ),
    Template(
        "most_common_status", CTE, ANALYTICS, "V",
        ("Which {vstat_l} is the most common among {vs}, and how many {vs} have it?",
         "Find the {vstat_l} with the most {vs}, with its count.",
         "Show the most frequent {vstat_l} of {vs} together with its number of {vs}."),
        "WITH status_counts AS (SELECT {vstat}, COUNT(*) AS n FROM {vt} GROUP BY {vstat}) SELECT {vstat}, n FROM status_counts WHERE n = (SELECT MAX(n) FROM status_counts);",
        "A CTE counts {vs} per {vstat}; the main query keeps the status whose count is the maximum.",
    ),
    Template(
        "group_totals_ranked", CTE, ANALYTICS, "GEV",
        ("Show each {g}'s name and the total {vamt_l} of its {vs}, from highest to lowest.",
         "List the {gs} by the total {vamt_l} of their {es}' {vs}, largest first.",
         "For every {g}, compute the total {vamt_l} of its {vs} and sort descending."),
        "WITH group_totals AS (SELECT {ea}.{gid}, SUM({va}.{vamt}) AS total FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} GROUP BY {ea}.{gid}) SELECT {ga}.{gname}, group_totals.total FROM group_totals JOIN {gt} {ga} ON {ga}.{gid} = group_totals.{gid} ORDER BY group_totals.total DESC;",
        "A CTE sums {vamt} per {gid} through {et}; the main query adds {gname} and sorts by the total.",
    ),
    Template(
        "entities_above_average_num", CTE, ANALYTICS, "E",
        ("Which {es} have a {enum_l} above the average? Show {ename_l} and {enum_l}.",
         "List {es} whose {enum_l} is higher than the mean {enum_l} of all {es}.",
         "Using a CTE for the average {enum_l}, find the {es} above it."),
        "WITH avg_value AS (SELECT AVG({enum}) AS average FROM {et}) SELECT {ename}, {enum} FROM {et}, avg_value WHERE {enum} > average;",
        "A CTE computes the average {enum}; the main query keeps {es} above it.",
        _varied_nums,
    ),
    Template(
        "status_share_cte", CTE, ANALYTICS, "V",
        ("What is the total {vamt_l} of {vs} with {vstat_l} '{s}', and how many such {vs} are there?",
         "For {s} {vs}, show their count and total {vamt_l}.",
         "Count the {vs} whose {vstat_l} is {s} and sum their {vamt_l}."),
        "WITH filtered AS (SELECT {vid}, {vamt} FROM {vt} WHERE {vstat} = '{s}') SELECT COUNT(*) AS {vbase}_count, SUM({vamt}) AS {vtotal} FROM filtered;",
        "A CTE keeps {vs} with {vstat} '{s}'; the main query counts them and sums {vamt}.",
        p_status,
    ),
)
