"""Web users in the workflow store: name, password hash, role, areas (officials), active flag.

Passwords are kept only as werkzeug hashes (scrypt). An official's ``areas`` are the
residential area ids whose residents they may see (grid-level isolation); other roles have
none. Users are never deleted, only disabled, so the audit trail keeps naming real people.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

from werkzeug.security import check_password_hash, generate_password_hash

from graph.errors import MinqingError, NotFound
from queries.store import ensure_schema, now_text, transaction

ROLES = ("admin", "analyst", "official", "partner")
MIN_PASSWORD_CHARS = 10
MAX_NAME_CHARS = 64
# Letters of any script (names may be Chinese), digits and a few marks: a name appears in
# URLs, the audit log and CSV exports, where anything else only invites trouble.
_NAME = re.compile(r"[\w.@-]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    areas TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
"""

# A hash to compare against when the name is unknown, so that a wrong name costs as much
# time as a wrong password and the answer time does not tell which names exist.
_DUMMY_HASH = generate_password_hash("minqing-no-such-user")


class UserError(MinqingError):
    """A user cannot be created or changed as asked; the message says what to change."""


@dataclass(frozen=True)
class User:
    """One web user as the app needs it (no hash)."""

    name: str
    role: str
    areas: tuple[str, ...] = field(default_factory=tuple)
    active: bool = True
    created_at: str = ""

    def to_json(self) -> dict:
        """Return the user as plain data (for the admin page and ``users list --json``)."""
        return {"name": self.name, "role": self.role, "areas": list(self.areas),
                "active": self.active, "created_at": self.created_at}


def init_store(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Create the users table if needed and return ``conn``."""
    ensure_schema(conn, SCHEMA)
    return conn


def _user(row) -> User:
    return User(row["name"], row["role"], tuple(json.loads(row["areas"])), bool(row["active"]),
                row["created_at"])


def validate(name: str, password: str, role: str, areas) -> tuple[str, tuple[str, ...]]:
    """Check a new user's fields; return the cleaned name and areas.

    Raises:
        UserError: naming the field to change.
    """
    name = (name or "").strip()
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME_CHARS:
        raise UserError(f"User name {name[:80]!r} must be 1-{MAX_NAME_CHARS} letters, digits "
                        f"or . _ @ - (no spaces)")
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}")
    areas = tuple(sorted({a.strip() for a in areas or () if a and a.strip()}))
    if role == "official" and not areas:
        raise UserError("An official needs at least one residential area: --area A01 "
                        "(repeat for several)")
    if role != "official" and areas:
        raise UserError(f"Only officials have areas; a {role} sees "
                        f"{'no residents' if role == 'partner' else 'every area'}")
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise UserError(f"The password must have at least {MIN_PASSWORD_CHARS} characters")
    return name, areas


def add_user(conn: sqlite3.Connection, name: str, password: str, role: str,
             areas=()) -> User:
    """Create a user with a hashed password.

    Raises:
        UserError: a field is invalid or the name is taken.
    """
    name, areas = validate(name, password, role, areas)
    init_store(conn)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM web_users WHERE name = ?", (name,)).fetchone():
            raise UserError(f"User {name!r} exists already; `minqing users list` shows them")
        conn.execute("INSERT INTO web_users (name, password_hash, role, areas, active, "
                     "created_at) VALUES (?,?,?,?,1,?)",
                     (name, generate_password_hash(password), role, json.dumps(list(areas)),
                      now_text()))
    return get_user(conn, name)


def get_user(conn: sqlite3.Connection, name: str) -> User:
    """Return the user called ``name``.

    Raises:
        NotFound: no such user.
    """
    init_store(conn)
    row = conn.execute("SELECT * FROM web_users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(f"No user {name!r}; `minqing users list` shows them")
    return _user(row)


def list_users(conn: sqlite3.Connection) -> list[User]:
    """Return every user, by name."""
    init_store(conn)
    return [_user(r) for r in conn.execute("SELECT * FROM web_users ORDER BY name")]


def _check_admins_remain(conn: sqlite3.Connection, name: str) -> None:
    """Refuse a change that would leave no active admin (nobody could manage users)."""
    others = conn.execute("SELECT COUNT(*) FROM web_users WHERE role = 'admin' AND active = 1 "
                          "AND name != ?", (name,)).fetchone()[0]
    if not others:
        raise UserError(f"{name!r} is the last active admin; make another admin first")


def set_active(conn: sqlite3.Connection, name: str, active: bool) -> User:
    """Enable or disable a user (a disabled user's session ends at the next request).

    Raises:
        UserError: disabling the last active admin.
    """
    user = get_user(conn, name)
    with transaction(conn):
        if not active and user.role == "admin":
            _check_admins_remain(conn, name)
        conn.execute("UPDATE web_users SET active = ? WHERE name = ?", (int(active), name))
    return get_user(conn, name)


def set_role(conn: sqlite3.Connection, name: str, role: str, areas=()) -> User:
    """Give a user another role and areas (areas only for officials).

    Raises:
        UserError: a field is invalid, or the last active admin would lose the role.
    """
    user = get_user(conn, name)
    _, areas = validate(name, "x" * MIN_PASSWORD_CHARS, role, areas)
    with transaction(conn):
        if user.role == "admin" and role != "admin" and user.active:
            _check_admins_remain(conn, name)
        conn.execute("UPDATE web_users SET role = ?, areas = ? WHERE name = ?",
                     (role, json.dumps(list(areas)), name))
    return get_user(conn, name)


def set_password(conn: sqlite3.Connection, name: str, password: str) -> User:
    """Replace a user's password (stored as a hash).

    Raises:
        UserError: the password is too short.
    """
    user = get_user(conn, name)
    validate(name, password, user.role, user.areas)
    with transaction(conn):
        conn.execute("UPDATE web_users SET password_hash = ? WHERE name = ?",
                     (generate_password_hash(password), name))
    return user


def authenticate(conn: sqlite3.Connection, name: str, password: str) -> User | None:
    """Return the active user if ``password`` is theirs, else None (same cost either way)."""
    init_store(conn)
    row = conn.execute("SELECT * FROM web_users WHERE name = ?", ((name or "").strip(),)
                       ).fetchone()
    matches = check_password_hash(row["password_hash"] if row else _DUMMY_HASH, password or "")
    if row is None or not matches or not row["active"]:
        return None
    return _user(row)
