"""The audit trail: who exported, sent or acknowledged what about which residents, and when.

Every feature that hands personal data out of Minqing (an export, a list, a message) or
changes a workflow's state records one row here. Rows are only ever inserted.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from queries.store import ensure_schema, now_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
"""


def record(conn: sqlite3.Connection, actor: str, action: str, target: str,
           **detail: Any) -> None:
    """Append one audit row: ``actor`` did ``action`` to ``target``; ``detail`` as JSON."""
    ensure_schema(conn, SCHEMA)
    conn.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                 (now_text(), actor, action, target,
                  json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)))


def recent(conn: sqlite3.Connection, limit: int = 100) -> list[dict]:
    """Return the latest ``limit`` audit rows, newest first."""
    ensure_schema(conn, SCHEMA)
    rows = conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(row) | {"detail": json.loads(row["detail"])} for row in rows]


def search(conn: sqlite3.Connection, actor: str | None = None, action: str | None = None,
           target: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 200) -> list[dict]:
    """Return audit rows matching every filter given, newest first.

    ``actor`` and ``action`` match exactly, ``target`` as a substring (e.g. a resident id),
    ``since``/``until`` compare with the ISO time text (a date ``2025-06-01`` works: until a
    date means up to the end of that day).
    """
    ensure_schema(conn, SCHEMA)
    where, params = [], []
    for column, value in (("actor", actor), ("action", action)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if target:
        where.append("instr(target, ?) > 0")
        params.append(target)
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:
        where.append("at <= ?")
        params.append(until + ("T23:59:59" if len(until) == 10 else ""))
    sql = ("SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY id DESC LIMIT ?")
    rows = conn.execute(sql, (*params, limit))
    return [dict(row) | {"detail": json.loads(row["detail"])} for row in rows]
