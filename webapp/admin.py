"""Admin pages: users and roles (``/admin/users``, ``/admin/roles``) and the audit log.

Users are managed here as from ``minqing users``: add, change role and areas, reset a
password, disable or enable. Every change is a POST with the CSRF token and an audit row;
a change that would leave no active admin is refused.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, g, redirect, request, url_for
from werkzeug.exceptions import BadRequest

from graph.errors import MinqingError
from queries import audit, users
from queries.registry import get_query, run_query
from webapp.graph_handle import get_graph
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("admin", __name__)

AUDIT_ROWS_SHOWN = 500
FILTERS = ("actor", "action", "target", "since", "until")


def _areas() -> list[dict]:
    """Every residential area (id and name), for the areas field and its check."""
    rows = run_query(get_graph(), get_query("emergency_area_names"), {}).rows
    return sorted(rows, key=lambda row: row["area_id"])


@page(bp, "/admin/users", "admin_users.html")
def users_page():
    """List the users with role, areas and whether they are active; forms to change them."""
    with workflow_store() as conn:
        rows = [u.to_json() for u in users.list_users(conn)]
    return {"users": rows, "roles": list(users.ROLES), "areas": _areas(),
            "min_password_chars": users.MIN_PASSWORD_CHARS}


@page(bp, "/admin/roles", "admin_roles.html")
def roles_page():
    """What each role may open (the gate's policy) and which residents it sees."""
    from webapp.gate import POLICY, PUBLIC

    sees = {"admin": "every resident", "analyst": "every resident, personal fields masked "
            "until unmasked with a reason", "official": "residents of their own areas only",
            "partner": "no residents: venues, volunteers and organizations only"}
    return {"roles": [{"role": role, "residents": sees[role],
                       "pages": sorted(bp_name for bp_name, allowed in POLICY.items()
                                       if role in allowed)} for role in users.ROLES],
            "public": sorted(PUBLIC)}


def _checked_areas(role: str) -> list[str]:
    """The areas chosen in the form, each checked against the graph's residential areas."""
    chosen = [a.strip() for a in request.form.getlist("areas") if a.strip()]
    if role != "official":
        return chosen  # users.validate names the mistake if any were chosen
    known = {row["area_id"] for row in _areas()}
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise users.UserError(f"Unknown residential area {', '.join(unknown)}; "
                              f"choose from {', '.join(sorted(known))}")
    return chosen


def _user_change(action: str, name: str, change) -> object:
    """Run ``change(conn)``, audit it, flash the outcome; back to the users page."""
    try:
        with workflow_store() as conn:
            user = change(conn)
            audit.record(conn, g.user_name, action, f"user:{name}",
                         role=user.role, areas=list(user.areas), active=user.active)
        flash(f"{action.replace('_', ' ')}: {name}", "ok")
    except MinqingError as e:
        flash(str(e), "error")
    return redirect(url_for("admin.users_page"))


@bp.route("/admin/users", methods=["POST"])
def user_add():
    """Create a user from the form (name, role, areas, password)."""
    form = request.form
    role = form.get("role", "")
    name = (form.get("name") or "").strip()
    if form.get("password", "") != form.get("password_again", ""):
        flash("The two passwords differ; nothing was changed", "error")
        return redirect(url_for("admin.users_page"))
    return _user_change("user_add", name, lambda conn: users.add_user(
        conn, name, form.get("password", ""), role, _checked_areas(role)))


@bp.route("/admin/users/<name>/role", methods=["POST"])
def user_role(name):
    """Give a user another role and areas."""
    role = request.form.get("role", "")
    return _user_change("user_role", name, lambda conn: users.set_role(
        conn, name, role, _checked_areas(role)))


@bp.route("/admin/users/<name>/password", methods=["POST"])
def user_password(name):
    """Set a new password for a user (e.g. one who forgot theirs)."""
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        flash("The two passwords differ; nothing was changed", "error")
        return redirect(url_for("admin.users_page"))
    return _user_change("user_password", name,
                        lambda conn: users.set_password(conn, name, password))


@bp.route("/admin/users/<name>/active", methods=["POST"])
def user_active(name):
    """Disable or enable a user (``active`` = 0 or 1)."""
    active = request.form.get("active") == "1"
    return _user_change("user_enable" if active else "user_disable", name,
                        lambda conn: users.set_active(conn, name, active))


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
