"""The embedded ArcadeDB server's read-only user for the analyst console, and its group.

The console's third line of defence: it logs in as ``console_reader``, a server user in the
``console_reader`` security group, which may read every record type of every database and
do nothing else (no create/update/delete, no schema, no settings, no security). ArcadeDB
refuses a write from this user whatever the statement and whatever the transaction mode
(measured: a ``CREATE`` over Bolt gets ``Neo.ClientError.Security.Forbidden``). The group's
``readTimeout`` is also the server-side backstop of ``console_time_limit_ms``.

Files, under ``<data_dir>/arcadedb/``:

- ``config/server-groups.json``  ArcadeDB's groups; the ``console_reader`` group is merged in
  before every start (ArcadeDB also re-reads it every few seconds)
- ``reader_password``            the user's generated password, mode 0600
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from graph.errors import GraphUnavailable
from graph.secret_files import generated_secret

READER_USER = "console_reader"
READER_GROUP = "console_reader"
PASSWORD_FILE = "reader_password"

# ArcadeDB's own defaults, written only when the server has no groups file yet (first start).
_DEFAULT_GROUPS = {
    "admin": {"resultSetLimit": -1, "readTimeout": -1,
              "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
              "types": {"*": {"access": ["createRecord", "readRecord", "updateRecord",
                                         "deleteRecord"]}}},
    "*": {"resultSetLimit": -1, "readTimeout": -1, "access": [],
          "types": {"*": {"access": []}}},
}


def reader_group(time_limit_ms: int) -> dict:
    """Return the group definition: read records of every type, nothing else."""
    return {"resultSetLimit": -1, "readTimeout": int(time_limit_ms) if time_limit_ms > 0 else -1,
            "access": [], "types": {"*": {"access": ["readRecord"]}}}


def reader_password(home: Path) -> str:
    """Return the reader's password from ``<home>/reader_password``, generating it once."""
    return generated_secret(home / PASSWORD_FILE, lambda: secrets.token_urlsafe(24),
                            "the console reader password", "check that data_dir is writable")


def write_reader_group(home: Path, time_limit_ms: int) -> None:
    """Merge the ``console_reader`` group into ``<home>/config/server-groups.json``.

    Other groups are kept as they are; the file is replaced atomically so the server, which
    re-reads it while running, never sees half of it.
    """
    path = home / "config" / "server-groups.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = {"databases": {"*": {"groups": dict(_DEFAULT_GROUPS)}}, "version": 2}
    except (OSError, ValueError) as e:
        raise GraphUnavailable(f"Cannot read ArcadeDB's security groups {path}: {e}; fix or "
                               "remove the file and start again.") from e
    groups = document.setdefault("databases", {}).setdefault("*", {}).setdefault("groups", {})
    wanted = reader_group(time_limit_ms)
    if groups.get(READER_GROUP) == wanted:
        return
    groups[READER_GROUP] = wanted
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(temporary, path)


def create_reader_user(info, password: str) -> None:
    """Create (or re-create, so the password matches the file) the reader on a running server.

    Raises:
        GraphUnavailable: the server refused; the message never contains the password.
    """
    from graph.arcadedb_server import server_command

    user = json.dumps({"name": READER_USER, "password": password,
                       "databases": {"*": [READER_GROUP]}})
    try:
        try:
            server_command(info, "create user " + user)
        except GraphUnavailable as e:
            if "already exists" not in str(e):
                raise
            server_command(info, f"drop user {READER_USER}")
            server_command(info, "create user " + user)
    except GraphUnavailable as e:
        detail = str(e).replace(password, "***")
        raise GraphUnavailable(f"The embedded ArcadeDB server would not create the console's "
                               f"read-only user {READER_USER}: {detail}") from None
