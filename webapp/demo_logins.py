"""Demo logins: one user per role with generated passwords, kept in ``<data_dir>/demo_logins``.

``minqing demo`` calls ``ensure_demo_logins`` and prints the file's lines, so a newcomer can
log in at once. The file is private (0600) and written once: a second demo run prints the
same logins. Real deployments create users with ``minqing users add`` instead.
"""

from __future__ import annotations

import os
import secrets

from graph import schema
from graph.errors import NotFound
from queries import audit, users
from queries.store import connect

LOGINS_FILE = "demo_logins"
FIRST_AREA = (f"MATCH (a:{schema.label('ResidentialArea')}) "
              f"RETURN a.{schema.key_of('ResidentialArea')} AS area_id "
              f"ORDER BY area_id LIMIT 1")


def builder_queries() -> dict[str, str]:
    """The Cypher texts this module sends, by name (for the lint test)."""
    return {"demo first area": FIRST_AREA}


def _read(path) -> list[dict]:
    logins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, role, areas, password = line.split("\t")
        logins.append({"name": name, "role": role, "areas": [a for a in areas.split(",") if a],
                       "password": password})
    return logins


def ensure_demo_logins(settings, graph) -> list[dict]:
    """Return the demo logins (name, role, areas, password), creating users and file once.

    The official looks after the first residential area of the graph.
    """
    path = settings.data_path / LOGINS_FILE
    if path.exists():
        logins = _read(path)
    else:
        area = graph.read(FIRST_AREA).rows
        logins = [{"name": f"demo_{role}", "role": role,
                   "areas": [area[0]["area_id"]] if role == "official" and area else [],
                   "password": secrets.token_urlsafe(12)}
                  for role in users.ROLES if role != "official" or area]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(f"{x['name']}\t{x['role']}\t{','.join(x['areas'])}\t{x['password']}\n"
                         for x in logins)
    conn = connect(settings)
    try:
        for login in logins:
            try:
                users.get_user(conn, login["name"])
            except NotFound:
                users.add_user(conn, login["name"], login["password"], login["role"],
                               login["areas"])
                audit.record(conn, "demo", "user_add", f"user:{login['name']}",
                             role=login["role"], areas=login["areas"])
    finally:
        conn.close()
    return logins
