"""Admin pages: the users (``/admin/users``) and a search of the audit log (``/admin/audit``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, request
from werkzeug.exceptions import BadRequest

from queries import audit, users
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("admin", __name__)

AUDIT_ROWS_SHOWN = 500
FILTERS = ("actor", "action", "target", "since", "until")


@page(bp, "/admin/users", "admin_users.html")
def users_page():
    """List the users with role, areas and whether they are active."""
    with workflow_store() as conn:
        rows = [u.to_json() for u in users.list_users(conn)]
    return {"users": rows, "roles": list(users.ROLES)}


def _date(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return (dt.date.fromisoformat(value).isoformat() if len(value) == 10
                else dt.datetime.fromisoformat(value).replace(microsecond=0).isoformat())
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM, "
                         f"got {value[:40]!r}") from None


@page(bp, "/admin/audit", "admin_audit.html")
def audit_page():
    """Search the audit log by who (actor), what (action, target) and when (since, until)."""
    form = {k: (request.args.get(k) or "").strip() for k in FILTERS}
    with workflow_store() as conn:
        rows = audit.search(conn, actor=form["actor"] or None, action=form["action"] or None,
                            target=form["target"] or None, since=_date("since"),
                            until=_date("until"), limit=AUDIT_ROWS_SHOWN)
        actions = [r[0] for r in conn.execute(
            "SELECT DISTINCT action FROM audit_log ORDER BY action")]
    return {"form": form, "entries": rows, "actions": actions, "limit": AUDIT_ROWS_SHOWN,
            "truncated": len(rows) == AUDIT_ROWS_SHOWN}
