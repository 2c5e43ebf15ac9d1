"""Question templates whose gold is a SELECT (data retrieval, analytics and reporting)."""

from __future__ import annotations

import random

from harness.data.sample_task.instances import Instance
from harness.data.sample_task.template import (
    Template,
    p_amt_over,
    p_attr_of_entity,
    p_attr_of_event,
    p_cat,
    p_flagged_with_events,
    p_some_without_events,
    p_status,
    threshold_below,
)

BASIC, AGG, JOIN, JOINS, SUB = "basic SQL", "aggregation", "single join", "multiple joins", "subqueries"
RETRIEVAL, ANALYTICS = "data retrieval", "analytics and reporting"


def _top_k(inst: Instance, rng: random.Random) -> dict:
    """How many top rows to ask for (2 or 3)."""
    return {"k": rng.randint(2, min(3, len(inst.events)))}


def _date_range(inst: Instance, rng: random.Random) -> dict:
    """Two event dates, earliest first, as an inclusive range."""
    first, last = sorted(rng.sample([v["date"] for v in inst.events], 2))
    return {"d1": first, "d2": last}


def _flag_num(inst: Instance, rng: random.Random) -> dict | None:
    """A number some flagged entity has, as a lower bound."""
    flagged = [e["num"] for e in inst.entities if e["flag"]]
    return {"x": rng.choice(flagged)} if flagged else None


def _qty_total_over(inst: Instance, rng: random.Random) -> dict | None:
    """A threshold that some entity's total event quantity exceeds."""
    totals: dict[int, int] = {}
    for v in inst.events:
        totals[v["eid"]] = totals.get(v["eid"], 0) + v["qty"]
    x = threshold_below(sorted(totals.values()), 1, rng)
    return None if x is None else {"x": x}





def _flagged_entity(inst: Instance, rng: random.Random) -> dict | None:
    """No constants, but only for instances with a flagged entity."""
    return {} if any(e["flag"] for e in inst.entities) else None


def _varied_amounts(inst: Instance, rng: random.Random) -> dict | None:
    """No constants, but only for instances whose event amounts differ."""
    return {} if len({v["amt"] for v in inst.events}) > 1 else None



QUERIES: tuple[Template, ...] = (
    Template(
        "entities_in_category", BASIC, RETRIEVAL, "E",
        ("List the {ename_l} of every {e} whose {ecat_l} is '{cat}'.",
         "Which {es} have the {ecat_l} {cat}? Show their {ename_l}.",
         "Show the {ename_l}s of all {es} with {ecat_l} '{cat}'."),
        "SELECT {ename} FROM {et} WHERE {ecat} = '{cat}';",
        "Selects {ename} from {et}, keeping only rows whose {ecat} equals '{cat}'.",
        p_cat,
    ),
    Template(
        "events_over_amount", BASIC, RETRIEVAL, "V",
        ("Show the id and {vamt_l} of every {v} with a {vamt_l} above {x}.",
         "Which {vs} have a {vamt_l} greater than {x}? Return their ids and {vamt_l}.",
         "Find all {vs} whose {vamt_l} exceeds {x}, listing the {v} id and {vamt_l}."),
        "SELECT {vid}, {vamt} FROM {vt} WHERE {vamt} > {x};",
        "Filters {vt} to rows whose {vamt} is greater than {x} and returns their {vid} and {vamt}.",
        p_amt_over,
    ),
    Template(
        "top_events_by_amount", BASIC, RETRIEVAL, "V",
        ("What are the {k} {vs} with the highest {vamt_l}? Show their ids and {vamt_l}.",
         "List the top {k} {vs} by {vamt_l}, highest first, with id and {vamt_l}.",
         "Show the ids and {vamt_l} of the {k} largest {vs} by {vamt_l}."),
        "SELECT {vid}, {vamt} FROM {vt} ORDER BY {vamt} DESC LIMIT {k};",
        "Sorts {vt} by {vamt} in descending order and keeps the first {k} rows.",
        _top_k,
    ),
    Template(
        "distinct_statuses", BASIC, RETRIEVAL, "V",
        ("What distinct {vstat_l} values appear in the {vt} table?",
         "List each different {vstat_l} recorded for {vs}.",
         "Show every unique {vstat_l} found among the {vs}."),
        "SELECT DISTINCT {vstat} FROM {vt};",
        "Returns the distinct values of {vstat} in {vt}.",
    ),
    Template(
        "events_between_dates", BASIC, RETRIEVAL, "V",
        ("Which {vs} have a {vdate_l} between {d1} and {d2}? Show the id and {vdate_l}.",
         "List the ids and {vdate_l}s of {vs} dated from {d1} to {d2}, inclusive.",
         "Show all {vs} with a {vdate_l} on or after {d1} and on or before {d2} (id and date)."),
        "SELECT {vid}, {vdate} FROM {vt} WHERE {vdate} BETWEEN '{d1}' AND '{d2}';",
        "Selects {vid} and {vdate} from {vt} for dates in the inclusive range '{d1}' to '{d2}'.",
        _date_range,
    ),
    Template(
        "flagged_entities_min_num", BASIC, RETRIEVAL, "E",
        ("Which {es} {eyes} and have a {enum_l} of at least {x}? Show {ename_l} and {enum_l}.",
         "List the {ename_l} and {enum_l} of {es} that {eyes}, with {enum_l} {x} or more.",
         "Find {es} that {eyes} whose {enum_l} is no less than {x}; return {ename_l} and {enum_l}."),
        "SELECT {ename}, {enum} FROM {et} WHERE {eflag} = TRUE AND {enum} >= {x};",
        "Filters {et} to rows where {eflag} is true and {enum} is at least {x}.",
        _flag_num,
    ),
    Template(
        "events_with_status_sorted", BASIC, RETRIEVAL, "V",
        ("List the ids and {vamt_l} of {vs} with {vstat_l} '{s}', largest {vamt_l} first.",
         "Show {vs} whose {vstat_l} is {s}, ordered by {vamt_l} from highest to lowest (id and {vamt_l}).",
         "Which {vs} have {vstat_l} '{s}'? Give id and {vamt_l}, sorted by {vamt_l} descending."),
        "SELECT {vid}, {vamt} FROM {vt} WHERE {vstat} = '{s}' ORDER BY {vamt} DESC;",
        "Selects {vs} with {vstat} '{s}' and orders them by {vamt} in descending order.",
        p_status,
    ),
    Template(
        "count_by_status", AGG, ANALYTICS, "V",
        ("How many {vs} are there for each {vstat_l}?",
         "Count the {vs} per {vstat_l}.",
         "Show the number of {vs} in each {vstat_l}."),
        "SELECT {vstat}, COUNT(*) AS {vbase}_count FROM {vt} GROUP BY {vstat};",
        "Groups {vt} by {vstat} and counts the rows in each group.",
    ),
    Template(
        "average_amount_for_status", AGG, ANALYTICS, "V",
        ("What is the average {vamt_l} of {vs} with {vstat_l} '{s}'?",
         "Calculate the mean {vamt_l} for {vs} whose {vstat_l} is {s}.",
         "Find the average {vamt_l} across all {s} {vs}."),
        "SELECT AVG({vamt}) AS avg_{vamt} FROM {vt} WHERE {vstat} = '{s}';",
        "Averages {vamt} over the rows of {vt} whose {vstat} is '{s}'.",
        p_status,
    ),
    Template(
        "quantity_per_entity_having", AGG, ANALYTICS, "V",
        ("Which {eid} values have a total {vqty_l} above {x} across their {vs}? Show the total.",
         "For each {e}, sum the {vqty_l} of their {vs} and keep those above {x}.",
         "List {e} ids whose {vs} add up to more than {x} in {vqty_l}, with the sum."),
        "SELECT {eid}, SUM({vqty}) AS total_{vqty} FROM {vt} GROUP BY {eid} HAVING SUM({vqty}) > {x};",
        "Groups {vt} by {eid}, sums {vqty} and keeps groups whose sum exceeds {x} with HAVING.",
        _qty_total_over,
    ),
    Template(
        "count_entities_per_category", AGG, ANALYTICS, "E",
        ("How many {es} are there in each {ecat_l}?",
         "Count the {es} per {ecat_l}.",
         "Show the number of {es} for every {ecat_l}."),
        "SELECT {ecat}, COUNT(*) AS {ebase}_count FROM {et} GROUP BY {ecat};",
        "Groups {et} by {ecat} and counts the rows in each group.",
    ),
    Template(
        "max_min_amount", AGG, ANALYTICS, "V",
        ("What are the highest and lowest {vamt_l} among all {vs}?",
         "Find the maximum and minimum {vamt_l} of the {vs}.",
         "Show the largest and the smallest {vamt_l} recorded in {vt}."),
        "SELECT MAX({vamt}) AS max_{vamt}, MIN({vamt}) AS min_{vamt} FROM {vt};",
        "Computes MAX and MIN of {vamt} over all rows of {vt}.",
    ),
    Template(
        "count_flagged_entities", AGG, ANALYTICS, "E",
        ("How many {es} {eyes}?",
         "Count the {es} that {eyes}.",
         "What is the number of {es} who {eyes}?"),
        "SELECT COUNT(*) FROM {et} WHERE {eflag} = TRUE;",
        "Counts the rows of {et} where {eflag} is true.",
    ),
    Template(
        "average_num_per_category", AGG, ANALYTICS, "E",
        ("What is the average {enum_l} of {es} in each {ecat_l}?",
         "For every {ecat_l}, calculate the mean {enum_l} of its {es}.",
         "Show each {ecat_l} with the average {enum_l} of the {es} in it."),
        "SELECT {ecat}, AVG({enum}) AS avg_{enum} FROM {et} GROUP BY {ecat};",
        "Groups {et} by {ecat} and averages {enum} in each group.",
    ),
    Template(
        "amount_per_year", AGG, ANALYTICS, "V",
        ("What is the total {vamt_l} of {vs} in each year?",
         "Sum the {vamt_l} of {vs} per year of the {vdate_l}.",
         "Show the yearly total {vamt_l} across all {vs}."),
        "SELECT EXTRACT(YEAR FROM {vdate}) AS year, SUM({vamt}) AS {vtotal} FROM {vt} GROUP BY EXTRACT(YEAR FROM {vdate});",
        "Extracts the year from {vdate}, groups {vt} by it and sums {vamt} per year.",
    ),
    Template(
        "total_amount_per_entity", JOIN, ANALYTICS, "EV",
        ("What is the total {vamt_l} of the {vs} of each {e}? Show the {e}'s {ename_l}.",
         "For every {e} with {vs}, list the {ename_l} and the sum of their {vamt_l}.",
         "Show each {e}'s {ename_l} together with the total {vamt_l} of their {vs}."),
        "SELECT {ea}.{ename}, SUM({va}.{vamt}) AS {vtotal} FROM {et} {ea} JOIN {vt} {va} ON {ea}.{eid} = {va}.{eid} GROUP BY {ea}.{eid}, {ea}.{ename};",
        "Joins {et} with {vt} on {eid}, groups by {e} and sums {vamt} for each.",
    ),
    Template(
        "events_with_entity_for_status", JOIN, RETRIEVAL, "EV",
        ("List the {v} id, the {e}'s {ename_l} and the {vamt_l} of every {v} with {vstat_l} '{s}'.",
         "Show {vs} whose {vstat_l} is {s}, with the {ename_l} of the {e} and the {vamt_l}.",
         "Which {vs} have {vstat_l} '{s}'? Give their id, {e} {ename_l} and {vamt_l}."),
        "SELECT {va}.{vid}, {ea}.{ename}, {va}.{vamt} FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} WHERE {va}.{vstat} = '{s}';",
        "Joins {vt} to {et} on {eid} and keeps {vs} whose {vstat} is '{s}'.",
        p_status,
    ),
    Template(
        "entities_with_large_events", JOIN, RETRIEVAL, "EV",
        ("Which {es} have at least one {v} with a {vamt_l} above {x}? List their {ename_l}.",
         "Show the distinct {ename_l}s of {es} that have a {v} whose {vamt_l} exceeds {x}.",
         "Find the {ename_l} of every {e} with any {v} of more than {x} in {vamt_l}."),
        "SELECT DISTINCT {ea}.{ename} FROM {et} {ea} JOIN {vt} {va} ON {ea}.{eid} = {va}.{eid} WHERE {va}.{vamt} > {x};",
        "Joins {et} with {vt}, keeps {vs} with {vamt} above {x} and returns the distinct {ename}.",
        p_amt_over,
    ),
    Template(
        "events_per_category", JOIN, ANALYTICS, "EV",
        ("How many {vs} are there for each {ecat_l} of {es}?",
         "Count the {vs} per {ecat_l} of the {e}.",
         "For each {ecat_l}, show how many {vs} its {es} have."),
        "SELECT {ea}.{ecat}, COUNT({va}.{vid}) AS {vbase}_count FROM {et} {ea} JOIN {vt} {va} ON {ea}.{eid} = {va}.{eid} GROUP BY {ea}.{ecat};",
        "Joins {et} with {vt} on {eid}, groups by {ecat} and counts the {vs}.",
    ),
    Template(
        "entities_in_group_attr", JOIN, RETRIEVAL, "GE",
        ("List the {ename_l} of {es} that belong to a {g} whose {gattr_l} is {a}.",
         "Which {es} are linked to {gs} in {a}? Show their {ename_l}.",
         "Show the {ename_l}s of all {es} whose {g} has {gattr_l} '{a}'."),
        "SELECT {ea}.{ename} FROM {et} {ea} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} WHERE {ga}.{gattr} = '{a}';",
        "Joins {et} to {gt} on {gid} and keeps {es} whose {g} has {gattr} '{a}'.",
        p_attr_of_entity,
    ),
    Template(
        "event_count_including_zero", JOIN, ANALYTICS, "EV",
        ("How many {vs} does each {e} have, including {es} with none? Show the {ename_l}.",
         "List every {e}'s {ename_l} with their number of {vs}, showing 0 when they have none.",
         "Count the {vs} of all {es}, keeping {es} without {vs} in the result."),
        "SELECT {ea}.{ename}, COUNT({va}.{vid}) AS {vbase}_count FROM {et} {ea} LEFT JOIN {vt} {va} ON {ea}.{eid} = {va}.{eid} GROUP BY {ea}.{eid}, {ea}.{ename};",
        "Left joins {et} to {vt} so {es} without {vs} stay, and counts {vid} per {e}.",
    ),
    Template(
        "total_amount_per_group", JOINS, ANALYTICS, "GEV",
        ("What is the total {vamt_l} of {vs} for each {g}? Show the {g} name.",
         "Sum the {vamt_l} of all {vs} per {g}.",
         "For every {g}, show its name and the total {vamt_l} of its {es}' {vs}."),
        "SELECT {ga}.{gname}, SUM({va}.{vamt}) AS {vtotal} FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} GROUP BY {ga}.{gname};",
        "Joins {vt} to {et} and {et} to {gt}, then sums {vamt} per {gname}.",
    ),
    Template(
        "events_in_group_attr", JOINS, RETRIEVAL, "GEV",
        ("List the {v} id, {e} {ename_l} and {vamt_l} of {vs} whose {e} belongs to a {g} in {a}.",
         "Show {vs} of {es} linked to {gs} with {gattr_l} '{a}': {v} id, {e} {ename_l} and {vamt_l}.",
         "Which {vs} come from {es} of {gs} in {a}? Return id, {e} {ename_l} and {vamt_l}."),
        "SELECT {va}.{vid}, {ea}.{ename}, {va}.{vamt} FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} WHERE {ga}.{gattr} = '{a}';",
        "Joins {vt}, {et} and {gt} and keeps rows whose {gattr} is '{a}'.",
        p_attr_of_event,
    ),
    Template(
        "entities_per_group_for_status", JOINS, ANALYTICS, "GEV",
        ("For each {g}, how many distinct {es} have a {v} with {vstat_l} '{s}'?",
         "Count the different {es} per {g} that have {s} {vs}.",
         "Show each {g} name with the number of its {es} having a {v} whose {vstat_l} is {s}."),
        "SELECT {ga}.{gname}, COUNT(DISTINCT {ea}.{eid}) AS {ebase}_count FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} WHERE {va}.{vstat} = '{s}' GROUP BY {ga}.{gname};",
        "Joins {vt}, {et} and {gt}, keeps {vstat} '{s}' and counts distinct {eid} per {gname}.",
        p_status,
    ),
    Template(
        "average_amount_per_attr_flagged", JOINS, ANALYTICS, "GEV",
        ("What is the average {vamt_l} per {g} {gattr_l}, counting only {es} that {eyes}?",
         "For {es} that {eyes}, show the mean {vamt_l} of their {vs} by {gattr_l} of the {g}.",
         "Calculate the average {vamt_l} of {vs} grouped by {g} {gattr_l}, for {es} who {eyes}."),
        "SELECT {ga}.{gattr}, AVG({va}.{vamt}) AS avg_{vamt} FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} WHERE {ea}.{eflag} = TRUE GROUP BY {ga}.{gattr};",
        "Joins {vt}, {et} and {gt}, keeps {es} with {eflag} true and averages {vamt} per {gattr}.",
        p_flagged_with_events,
    ),
    Template(
        "entities_without_events", SUB, RETRIEVAL, "EV",
        ("Which {es} have no {vs}? List their {ename_l}.",
         "Show the {ename_l} of every {e} that does not appear in the {vt} table.",
         "Find {es} without any {vs} and return their {ename_l}."),
        "SELECT {ename} FROM {et} WHERE {eid} NOT IN (SELECT {eid} FROM {vt});",
        "Keeps {es} whose {eid} is not among the {eid} values returned by a subquery on {vt}.",
        p_some_without_events,
    ),
    Template(
        "events_above_average", SUB, ANALYTICS, "V",
        ("Which {vs} have a {vamt_l} above the average? Show id and {vamt_l}.",
         "List the {vs} whose {vamt_l} exceeds the mean {vamt_l} of all {vs}.",
         "Find {vs} with a higher than average {vamt_l}, returning id and {vamt_l}."),
        "SELECT {vid}, {vamt} FROM {vt} WHERE {vamt} > (SELECT AVG({vamt}) FROM {vt});",
        "Compares each {vamt} with the average computed by a scalar subquery over {vt}.",
        _varied_amounts,
    ),
    Template(
        "entities_with_status_events", SUB, RETRIEVAL, "EV",
        ("List the {ename_l} of {es} that have at least one {v} with {vstat_l} '{s}'.",
         "Which {es} have {s} {vs}? Show their {ename_l}.",
         "Show the {ename_l}s of {es} whose id appears among {vs} with {vstat_l} {s}."),
        "SELECT {ename} FROM {et} WHERE {eid} IN (SELECT {eid} FROM {vt} WHERE {vstat} = '{s}');",
        "Keeps {es} whose {eid} is in a subquery selecting {vs} with {vstat} '{s}'.",
        p_status,
    ),
    Template(
        "entity_with_max_num", SUB, RETRIEVAL, "E",
        ("Which {e} has the highest {enum_l}? Show its {ename_l} and {enum_l}.",
         "Find the {e} with the largest {enum_l}, returning {ename_l} and {enum_l}.",
         "Show the {ename_l} and {enum_l} of the {e} whose {enum_l} is the maximum."),
        "SELECT {ename}, {enum} FROM {et} WHERE {enum} = (SELECT MAX({enum}) FROM {et});",
        "Matches {enum} against the maximum found by a scalar subquery over {et}.",
    ),
    Template(
        "groups_with_flagged_entities", SUB, RETRIEVAL, "GE",
        ("Which {gs} have {es} that {eyes}? List the {g} names.",
         "Show the names of {gs} with any {es} that {eyes}.",
         "Find {gs} where some linked {es} {eyes}; return the {g} name."),
        "SELECT {gname} FROM {gt} {ga} WHERE EXISTS (SELECT 1 FROM {et} {ea} WHERE {ea}.{gid} = {ga}.{gid} AND {ea}.{eflag} = TRUE);",
        "Keeps {gs} for which a correlated EXISTS subquery finds an {e} with {eflag} true.",
        _flagged_entity,
    ),
)
