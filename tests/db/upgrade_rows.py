"""Rows for every table of a database at any revision, generated from its reflected schema.

The upgrade test fills a database at revision R with :func:`fill` (``ROWS_PER_TABLE`` rows in every
table, parents before children), so new tables and columns of later revisions get data without
anyone writing fixtures. Values follow the column's type; a CHECK ``col IN ('a', 'b')`` picks its
allowed values in turn; foreign keys point at the parent's row of the same index. Realistic values
can be given per revision in ``upgrade_data/NNNN.yml`` (``{table: [{column: value}, ...]}``): row
*i* of a table at revision NNNN or later takes the values of the newest file's row *i*.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

ROWS_PER_TABLE = 3
DATA_DIR = Path(__file__).with_name("upgrade_data")
BASE_TIME = datetime(2019, 5, 20, 2, 0, tzinfo=UTC)
# "status IN ('a', 'b')" (SQLite) or "((status)::text = ANY ((ARRAY['a'::character varying, ...])))"
_ALLOWED = re.compile(r"^[\s(]*\"?(\w+)\"?\)?(?:::\w+)?\s+(?:IN\s*\(|=\s*ANY)", re.IGNORECASE)


def overrides(revisions_so_far: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The realistic values in effect at the last of ``revisions_so_far`` (newest file wins)."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for revision in revisions_so_far:
        path = DATA_DIR / f"{revision}.yml"
        if path.is_file():
            merged |= yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return merged


def _allowed_values(conn: Connection, table: str) -> dict[str, list[str]]:
    allowed: dict[str, list[str]] = {}
    for check in sa.inspect(conn).get_check_constraints(table):
        match = _ALLOWED.match(check["sqltext"])
        if match:
            allowed[match.group(1)] = re.findall(r"'([^']*)'", check["sqltext"])
    return allowed


def _value(table: str, column: sa.Column[Any], i: int, allowed: dict[str, list[str]]) -> Any:
    if column.name in allowed:
        return allowed[column.name][i % len(allowed[column.name])]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return i % 2 == 0
    if isinstance(kind, sa.Integer):
        return i + 1
    if isinstance(kind, sa.DateTime):
        return BASE_TIME + timedelta(days=i, minutes=i)
    if isinstance(kind, sa.Date):
        return date(2019, 1, 1) + timedelta(days=i)
    if isinstance(kind, sa.JSON):
        return {"table": table, "row": i, "text": "中文"}
    if isinstance(kind, sa.Float | sa.Numeric):
        return i + 0.5
    if isinstance(kind, sa.LargeBinary):
        return f"%PDF-{table}.{column.name}#{i}".encode()
    return f"{table}.{column.name}#{i}"


def _row(table: sa.Table, i: int, conn: Connection, extra: dict[str, Any]) -> dict[str, Any]:
    allowed = _allowed_values(conn, table.name)
    row = {}
    for column in table.columns:
        if column.foreign_keys:
            row[column.name] = i + 1  # the parent's row of the same index (ids are 1..N)
        else:
            row[column.name] = _value(table.name, column, i, allowed)
    return row | extra


def fill(conn: Connection, revisions_so_far: list[str]) -> dict[str, int]:
    """Insert ``ROWS_PER_TABLE`` rows into every table; return table → rows inserted."""
    meta = sa.MetaData()
    meta.reflect(conn)
    given = overrides(revisions_so_far)
    counts = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        extras = given.get(table.name, [])
        rows = [
            _row(table, i, conn, extras[i] if i < len(extras) else {})
            for i in range(ROWS_PER_TABLE)
        ]
        conn.execute(table.insert(), rows)
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in meta.sorted_tables:
            if "id" in table.columns and table.columns["id"].autoincrement is not False:
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    return counts


def snapshot(conn: Connection) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Every table → column → its values in primary-key order (the comparison form)."""
    meta = sa.MetaData()
    meta.reflect(conn)
    out: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        result = conn.execute(sa.select(table).order_by(*order)).mappings().all()
        out[table.name] = {c.name: [(r[c.name],) for r in result] for c in table.columns}
    return out
