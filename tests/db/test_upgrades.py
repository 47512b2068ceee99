"""A database at every bundled revision, filled with data, upgrades to head and loses nothing.

For each revision R (base first; head included, where the upgrade is a no-op): migrate an empty
database to R, put rows in every table (``upgrade_rows.fill``), take a snapshot, upgrade to head,
and compare: every table and column of R still exists with the same rows and values, and the ORM
models read every row. A revision that deliberately drops or rewrites data lists it in
``CHANGED_ON_PURPOSE`` with the reason. Runs on SQLite and PostgreSQL; prints its figures.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from db import Base, head_revision, make_engine, make_session_factory, upgrade
from db.session import alembic_config
from tests.db.upgrade_rows import fill, snapshot

# (table, column or None for the whole table) -> the revision that changes it, and why.
CHANGED_ON_PURPOSE: dict[tuple[str, str | None], str] = {}


def revisions() -> list[str]:
    """Every bundled revision id, base first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _lost(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems = []
    for table, columns in before.items():
        if (table, None) in CHANGED_ON_PURPOSE:
            continue
        if table not in after:
            problems.append(f"table {table} dropped")
            continue
        for column, values in columns.items():
            if (table, column) in CHANGED_ON_PURPOSE:
                continue
            if column not in after[table]:
                problems.append(f"column {table}.{column} dropped")
            elif after[table][column] != values:
                problems.append(f"{table}.{column}: {values} became {after[table][column]}")
    return problems


def _orm_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return {
                mapper.local_table.name: len(session.scalars(sa.select(mapper.class_)).all())
                for mapper in Base.registry.mappers
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", revisions())
def test_upgrade_from_revision_keeps_every_row(db_url: str, revision: str) -> None:
    started = time.perf_counter()
    history = revisions()
    upgrade(db_url, revision)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            counts = fill(conn, history[: history.index(revision) + 1])
        with engine.connect() as conn:
            before = snapshot(conn)
        upgrade(db_url)
        with engine.connect() as conn:
            after = snapshot(conn)
    finally:
        engine.dispose()
    assert _lost(before, after) == []
    orm = _orm_counts(db_url)
    assert {t: orm[t] for t in counts if t in orm} == {t: n for t, n in counts.items() if t in orm}
    backend = db_url.split(":", 1)[0]
    print(
        f"\nupgrade {revision} -> {head_revision()} on {backend}: {len(counts)} tables, "
        f"{sum(counts.values())} rows kept, {time.perf_counter() - started:.2f}s"
    )


def test_a_dropped_column_or_changed_value_is_reported() -> None:
    before = {"t": {"a": [(1,), (2,)], "b": [("x",), ("y",)]}, "gone": {"c": [(1,)]}}
    after = {"t": {"a": [(1,), (3,)]}}
    assert _lost(before, after) == [
        "t.a: [(1,), (2,)] became [(1,), (3,)]",
        "column t.b dropped",
        "table gone dropped",
    ]
