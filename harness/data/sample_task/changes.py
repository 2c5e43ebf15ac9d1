"""Templates whose gold changes the database: data manipulation and data definition.

Every params function makes sure the gold changes something (a row it updates really
changes value, a DELETE removes at least one row), since such golds are judged by the
final database state.
"""

from __future__ import annotations

import datetime
import random

from harness.data.sample_task.domains import FIRST_NAMES, LAST_NAMES
from harness.data.sample_task.instances import DAYS, FIRST_DAY, Instance, money
from harness.data.sample_task.template import (
    Template,
    nice_ceil,
    p_amt_over,
    p_attr_of_event,
    p_cat,
    p_some_without_events,
    p_status,
    threshold_below,
)

BASIC, AGG, JOIN, SUB = "basic SQL", "aggregation", "single join", "subqueries"
DML, DDL = "data manipulation", "data definition"


def _new_event(inst: Instance, rng: random.Random) -> dict:
    """Values of a new event row with the next free id."""
    v = inst.domain.event
    low, high = (round(x * 100) for x in v.amt_range)
    day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
    return {
        "nid": max(r["id"] for r in inst.events) + 1,
        "neid": rng.choice(inst.entities)["id"],
        "amt": money(rng.randint(low, high)),
        "qty": rng.randint(*v.qty_range),
        "d": day.isoformat(),
        "s": rng.choice(v.statuses),
    }


def _new_entity(inst: Instance, rng: random.Random) -> dict | None:
    """Values of a new entity row with the next free id and an unused name."""
    e = inst.domain.entity
    taken = {r["name"] for r in inst.entities}
    if not e.names:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    else:
        name = rng.choice(e.names)
    if name in taken:
        return None
    return {
        "nid": max(r["id"] for r in inst.entities) + 1,
        "name": name,
        "cat": rng.choice(e.cats),
        "num": rng.randint(*e.num_range),
        "fl": rng.choice(("TRUE", "FALSE")),
        "ngid": rng.choice(inst.groups)["id"],
    }


def _status_change(inst: Instance, rng: random.Random) -> dict:
    """An event id and a status different from its current one."""
    row = rng.choice(inst.events)
    new = rng.choice([s for s in inst.domain.event.statuses if s != row["status"]])
    return {"k": row["id"], "s": new}


def _raise_pct(inst: Instance, rng: random.Random) -> dict:
    """A status and a percentage increase with its factor."""
    pct = rng.choice((5, 10, 15, 20, 25))
    return {**p_status(inst, rng), "p": pct, "f": f"{1 + pct / 100:.2f}"}


def _cut_date(inst: Instance, rng: random.Random) -> dict:
    """A date later than the earliest event date."""
    return {"d": rng.choice(sorted(v["date"] for v in inst.events)[1:])}


def _unflag_below(inst: Instance, rng: random.Random) -> dict | None:
    """A bound that some flagged entity's number is below."""
    flagged = [e["num"] for e in inst.entities if e["flag"]]
    return {"x": nice_ceil(rng.choice(flagged) + 1)} if flagged else None


def _flag_big_spenders(inst: Instance, rng: random.Random) -> dict | None:
    """An amount threshold exceeded by an event of some unflagged entity."""
    x = threshold_below([v["amt"] for v in inst.events], 100, rng)
    if x is None:
        return None
    hit = {v["eid"] for v in inst.events if v["amt"] > x * 100}
    return {"x": x} if any(not e["flag"] and e["id"] in hit for e in inst.entities) else None


def _bump(inst: Instance, rng: random.Random) -> dict:
    """A category and an increment."""
    return {**p_cat(inst, rng), "n": rng.choice((1, 2, 5, 10))}


def _attr_of_group(inst: Instance, rng: random.Random) -> dict:
    """An attribute value some group has."""
    return {"a": rng.choice(inst.groups)["attr"]}


CHANGES: tuple[Template, ...] = (
    Template(
        "insert_event", BASIC, DML, "V",
        ("Add a new {v} with id {nid} for {e} {neid}: {vamt_l} {amt}, {vqty_l} {qty}, {vdate_l} {d}, {vstat_l} '{s}'.",
         "Insert a {v} (id {nid}) for {eid} {neid} with a {vamt_l} of {amt}, {vqty_l} {qty}, dated {d}, {vstat_l} {s}.",
         "Record {v} {nid}: {e} {neid}, {vamt_l} {amt}, {vqty_l} {qty}, {vdate_l} {d} and {vstat_l} '{s}'."),
        "INSERT INTO {vt} ({vid}, {eid}, {vamt}, {vqty}, {vdate}, {vstat}) VALUES ({nid}, {neid}, {amt}, {qty}, '{d}', '{s}');",
        "Inserts one row into {vt} with the given values for every column.",
        _new_event,
    ),
    Template(
        "insert_entity", BASIC, DML, "E",
        ("Add a new {e} with id {nid}, {ename_l} '{name}', {ecat_l} '{cat}', {enum_l} {num}, {eflag} {fl} and {gid} {ngid}.",
         "Insert {e} {nid} named {name} ({ecat_l} {cat}, {enum_l} {num}, {eflag} = {fl}) belonging to {g} {ngid}.",
         "Register a {e}: id {nid}, {ename_l} {name}, {ecat_l} {cat}, {enum_l} {num}, {eflag} {fl}, {g} id {ngid}."),
        "INSERT INTO {et} ({eid}, {ename}, {ecat}, {enum}, {eflag}, {gid}) VALUES ({nid}, '{name}', '{cat}', {num}, {fl}, {ngid});",
        "Inserts one row into {et} with the given values for every column.",
        _new_entity,
    ),
    Template(
        "update_status_by_id", BASIC, DML, "V",
        ("Change the {vstat_l} of {v} {k} to '{s}'.",
         "Update {v} {k} so that its {vstat_l} becomes {s}.",
         "Set the {vstat_l} to '{s}' for the {v} with id {k}."),
        "UPDATE {vt} SET {vstat} = '{s}' WHERE {vid} = {k};",
        "Updates {vstat} to '{s}' on the row of {vt} whose {vid} is {k}.",
        _status_change,
    ),
    Template(
        "raise_amount_for_status", BASIC, DML, "V",
        ("Increase the {vamt_l} of all {vs} with {vstat_l} '{s}' by {p}%.",
         "Raise the {vamt_l} by {p} percent for every {s} {v}.",
         "Apply a {p}% increase to the {vamt_l} of each {v} whose {vstat_l} is {s}."),
        "UPDATE {vt} SET {vamt} = {vamt} * {f} WHERE {vstat} = '{s}';",
        "Multiplies {vamt} by {f} for the rows of {vt} whose {vstat} is '{s}'.",
        _raise_pct,
    ),
    Template(
        "delete_by_status", BASIC, DML, "V",
        ("Delete all {vs} with {vstat_l} '{s}'.",
         "Remove every {v} whose {vstat_l} is {s}.",
         "Drop the {s} {vs} from the {vt} table."),
        "DELETE FROM {vt} WHERE {vstat} = '{s}';",
        "Deletes the rows of {vt} whose {vstat} is '{s}'.",
        p_status,
    ),
    Template(
        "delete_before_date", BASIC, DML, "V",
        ("Delete all {vs} with a {vdate_l} before {d}.",
         "Remove {vs} dated earlier than {d}.",
         "Purge every {v} whose {vdate_l} is before {d}."),
        "DELETE FROM {vt} WHERE {vdate} < '{d}';",
        "Deletes the rows of {vt} whose {vdate} is earlier than '{d}'.",
        _cut_date,
    ),
    Template(
        "unflag_low_num", BASIC, DML, "E",
        ("Update the {es} with a {enum_l} below {x} so that they {eno}.",
         "Set {eflag} to false for every {e} whose {enum_l} is less than {x}.",
         "Mark all {es} with {enum_l} under {x} as {eflag} = FALSE."),
        "UPDATE {et} SET {eflag} = FALSE WHERE {enum} < {x};",
        "Sets {eflag} to FALSE on rows of {et} whose {enum} is below {x}.",
        _unflag_below,
    ),
    Template(
        "bump_num_for_category", BASIC, DML, "E",
        ("Add {n} to the {enum_l} of every {e} in {ecat_l} '{cat}'.",
         "Increase the {enum_l} by {n} for all {es} whose {ecat_l} is {cat}.",
         "For {es} with {ecat_l} {cat}, raise {enum} by {n}."),
        "UPDATE {et} SET {enum} = {enum} + {n} WHERE {ecat} = '{cat}';",
        "Adds {n} to {enum} on the rows of {et} whose {ecat} is '{cat}'.",
        _bump,
    ),
    Template(
        "delete_entities_without_events", SUB, DML, "EV",
        ("Delete the {es} that have no {vs}.",
         "Remove every {e} that does not appear in the {vt} table.",
         "Purge {es} without any {vs}."),
        "DELETE FROM {et} WHERE {eid} NOT IN (SELECT {eid} FROM {vt});",
        "Deletes rows of {et} whose {eid} is not returned by a subquery on {vt}.",
        p_some_without_events,
    ),
    Template(
        "flag_entities_with_large_events", SUB, DML, "EV",
        ("Update the {es} that have a {v} with a {vamt_l} above {x} so that they {eyes}.",
         "Set {eflag} to true for every {e} with any {v} whose {vamt_l} exceeds {x}.",
         "Mark {es} with {vs} over {x} in {vamt_l} as {eflag} = TRUE."),
        "UPDATE {et} SET {eflag} = TRUE WHERE {eid} IN (SELECT {eid} FROM {vt} WHERE {vamt} > {x});",
        "Sets {eflag} to TRUE for {es} whose {eid} is in a subquery of {vs} with {vamt} above {x}.",
        _flag_big_spenders,
    ),
    Template(
        "delete_events_in_group_attr", SUB, DML, "GEV",
        ("Delete all {vs} of {es} that belong to a {g} in {a}.",
         "Remove the {vs} whose {e} is linked to a {g} with {gattr_l} '{a}'.",
         "Purge every {v} made by {es} of {gs} located in {a}."),
        "DELETE FROM {vt} WHERE {eid} IN (SELECT {ea}.{eid} FROM {et} {ea} JOIN {gt} {ga} ON {ea}.{gid} = {ga}.{gid} WHERE {ga}.{gattr} = '{a}');",
        "Deletes {vs} whose {eid} is in a subquery joining {et} to {gt} filtered on {gattr} '{a}'.",
        p_attr_of_event,
    ),
    Template(
        "add_column", BASIC, DDL, "E",
        ("Add a {xcol} column of type {xtype} to the {et} table to store each {e}'s {xlabel}.",
         "Alter the {et} table to include a new {xcol} column ({xtype}).",
         "Extend {et} with a {xlabel} column named {xcol}, typed {xtype}."),
        "ALTER TABLE {et} ADD COLUMN {xcol} {xtype};",
        "Adds the column {xcol} of type {xtype} to {et} with ALTER TABLE.",
    ),
    Template(
        "drop_column", BASIC, DDL, "V",
        ("Remove the {vqty} column from the {vt} table.",
         "Drop the {vqty_l} column ({vqty}) of {vt}.",
         "Alter {vt} so that it no longer has the {vqty} column."),
        "ALTER TABLE {vt} DROP COLUMN {vqty};",
        "Drops the column {vqty} from {vt} with ALTER TABLE.",
    ),
    Template(
        "rename_column", BASIC, DDL, "G",
        ("Rename the {gattr} column of the {gt} table to {gattr}_name.",
         "In {gt}, change the column name {gattr} to {gattr}_name.",
         "Alter the {gt} table so that its {gattr} column is called {gattr}_name."),
        "ALTER TABLE {gt} RENAME COLUMN {gattr} TO {gattr}_name;",
        "Renames the column {gattr} of {gt} to {gattr}_name with ALTER TABLE.",
    ),
    Template(
        "create_filtered_view", BASIC, DDL, "V",
        ("Create a view high_value_{vt} with all {vs} whose {vamt_l} is above {x}.",
         "Define a view named high_value_{vt} that shows every column of {vs} with {vamt_l} greater than {x}.",
         "Make a high_value_{vt} view listing the {vs} over {x} in {vamt_l}."),
        "CREATE VIEW high_value_{vt} AS SELECT * FROM {vt} WHERE {vamt} > {x};",
        "Creates a view over {vt} that keeps the rows whose {vamt} exceeds {x}.",
        p_amt_over,
    ),
    Template(
        "create_summary_table", AGG, DDL, "V",
        ("Create a table {ebase}_summary with, for each {eid}, the number of {vs} as {vbase}_count and their total {vamt_l} as {vtotal}.",
         "Build a new table {ebase}_summary from {vt}: {eid}, {vbase}_count (number of {vs}) and {vtotal} (sum of {vamt_l}).",
         "Materialize per-{e} totals into {ebase}_summary with columns {eid}, {vbase}_count and {vtotal}."),
        "CREATE TABLE {ebase}_summary AS SELECT {eid}, COUNT(*) AS {vbase}_count, SUM({vamt}) AS {vtotal} FROM {vt} GROUP BY {eid};",
        "Creates a table from a query that groups {vt} by {eid}, counting rows and summing {vamt}.",
    ),
    Template(
        "create_notes_table", BASIC, DDL, "V",
        ("Create a table {vbase}_notes with columns note_id INT, {vid} INT, note_text VARCHAR(255) and created_on DATE.",
         "Define a new {vbase}_notes table (note_id INT, {vid} INT, note_text VARCHAR(255), created_on DATE) for notes on {vs}.",
         "Add a table named {vbase}_notes to hold notes about {vs}: note_id INT, {vid} INT, note_text VARCHAR(255), created_on DATE."),
        "CREATE TABLE {vbase}_notes (note_id INT, {vid} INT, note_text VARCHAR(255), created_on DATE);",
        "Creates the table {vbase}_notes with four columns, linked to {vt} through {vid}.",
    ),
    Template(
        "drop_table", BASIC, DDL, "V",
        ("Drop the {vt} table.",
         "Remove the {vt} table from the database.",
         "Delete the whole {vt} table, structure included."),
        "DROP TABLE {vt};",
        "Drops the table {vt} with DROP TABLE.",
    ),
    Template(
        "create_join_view", JOIN, DDL, "EV",
        ("Create a view {vbase}_details showing each {v}'s id, the {e}'s {ename_l} and the {vamt_l}.",
         "Define a view named {vbase}_details that joins {vs} with their {es}: {vid}, {ename} and {vamt}.",
         "Make a {vbase}_details view listing {v} id, {e} {ename_l} and {vamt_l} for every {v}."),
        "CREATE VIEW {vbase}_details AS SELECT {va}.{vid}, {ea}.{ename}, {va}.{vamt} FROM {vt} {va} JOIN {et} {ea} ON {va}.{eid} = {ea}.{eid};",
        "Creates a view joining {vt} to {et} on {eid}, exposing {vid}, {ename} and {vamt}.",
    ),
    Template(
        "archive_groups_by_attr", BASIC, DDL, "G",
        ("Create a table {gt}_archive holding all {gs} whose {gattr_l} is {a}.",
         "Copy the {gs} with {gattr_l} '{a}' into a new table named {gt}_archive.",
         "Make a new table {gt}_archive from the rows of {gt} where {gattr} is '{a}'."),
        "CREATE TABLE {gt}_archive AS SELECT * FROM {gt} WHERE {gattr} = '{a}';",
        "Creates {gt}_archive from a query selecting the rows of {gt} with {gattr} '{a}'.",
        _attr_of_group,
    ),
)
