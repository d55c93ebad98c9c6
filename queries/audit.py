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
