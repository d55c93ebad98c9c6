"""The workflow store: SQLite tables for what Minqing does with its answers.

The graph holds facts about people and places. What officials and Minqing *do* with them —
campaign messages and their status, opt-outs, notices in an inbox, alerts and how they were
closed, events received over HTTP — is transactional state that must never be written twice.
It lives in one SQLite file beside the graph (``<data_dir>/workflow.sqlite3``), where a
UNIQUE constraint and a transaction make "exactly once" a property of the schema, not of
careful code.

Each feature module declares its own tables as a ``SCHEMA`` string of
``CREATE TABLE IF NOT EXISTS`` statements and calls ``ensure_schema(conn, SCHEMA)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from graph.errors import ConfigError

STORE_FILE = "workflow.sqlite3"
DEFAULT_BUSY_TIMEOUT_S = 30  # for a store opened by path (tests, tools)


def store_path(settings) -> Path:
    """Return the path of the workflow store for ``settings``' data directory."""
    return settings.data_path / STORE_FILE


def connect(settings_or_path) -> sqlite3.Connection:
    """Open the workflow store (creating it, 0600, if needed) and return a connection.

    Rows come back as ``sqlite3.Row``. WAL mode lets the web app read while the scheduler
    writes; ``busy_timeout`` makes a writer wait instead of failing at once: the setting
    ``store_busy_timeout_s`` when given settings, else 30 s.
    """
    if isinstance(settings_or_path, (str, Path)):
        path, busy_s = Path(settings_or_path), DEFAULT_BUSY_TIMEOUT_S
    else:
        path, busy_s = store_path(settings_or_path), settings_or_path.store_busy_timeout_s
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Create it private before SQLite writes anything personal into it.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=busy_s, isolation_level=None,
                               check_same_thread=False)
    except (OSError, sqlite3.Error) as e:
        raise ConfigError(f"Cannot open the workflow store {path}: {e}; check that data_dir "
                          f"is writable.") from e
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(busy_s * 1000)}")
    return conn


def ensure_schema(conn: sqlite3.Connection, schema: str) -> None:
    """Create the tables and indexes in ``schema`` if they do not exist yet.

    Statements run one by one with ``execute``: ``executescript`` would first COMMIT any open
    transaction, so an audit row written inside a send's transaction would split it.
    """
    statement = ""
    for line in schema.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"Incomplete SQL statement in a store schema: {statement.strip()!r}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one write transaction (BEGIN IMMEDIATE), committed or rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now_text(clock: dt.datetime | None = None) -> str:
    """Return ``clock`` (default: now, local time) as ISO text to the second."""
    return (clock or dt.datetime.now()).replace(microsecond=0).isoformat()
