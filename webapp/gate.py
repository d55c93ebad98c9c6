"""The one access gate: a policy table from blueprint to roles, checked before every request.

A blueprint missing from the table is denied to everyone (so a new page is never open by
accident); the few public ones are listed in ``PUBLIC``. Unauthenticated visitors of an
HTML page are sent to the login page; ``.json`` URLs answer 401 in the app's JSON error
shape. A role not allowed gets 403. For officials, ids in the URL are checked against
their areas (webapp.scope.check_url_ids) before the view runs.
"""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_login import current_user

from graph.errors import Forbidden

ALL = ("admin", "analyst", "official", "partner")
STAFF = ("admin", "analyst", "official")
ANALYSTS = ("admin", "analyst")

# Open to anyone: static files, the login page, the public HSDS directory, and the event
# intake (it checks its own bearer token).
PUBLIC = frozenset({"static", "auth", "hsds_api", "intake"})

# blueprint name -> roles allowed. Officials see residents of their areas only, partners
# see no residents (both enforced in the views' data through webapp.scope).
POLICY: dict[str, tuple[str, ...]] = {
    "home": ALL,
    "search": ALL,          # partners: resources only (participants dropped)
    "siting": ALL,          # service coverage by building: no personal data
    "openapi": ALL,         # describes the JSON API; holds no data
    "alerts": STAFF,
    "programs": STAFF,
    "emergency": STAFF,
    "campaigns": STAFF,
    "inbox": STAFF,
    "elevators": STAFF,
    "profiles": STAFF,
    "dashboard": ANALYSTS,
    "console": ANALYSTS,
    "unmask": ANALYSTS,
    "admin": ("admin",),
    "admin_catalogue": ("admin",),
}


def allowed(blueprint: str | None, role: str | None) -> bool:
    """True when ``role`` may use ``blueprint`` (unknown blueprints: nobody).

    >>> allowed("console", "official"), allowed("console", "analyst"), allowed("new", "admin")
    (False, True, False)
    """
    if blueprint in PUBLIC:
        return True
    return role is not None and role in POLICY.get(blueprint or "", ())


def wants_json() -> bool:
    """True for the JSON twins and JSON-only URLs, which get JSON errors, not pages."""
    return request.path.endswith(".json") or (
        request.accept_mimetypes.best == "application/json")


def gate():
    """Before every request: name the actor, then let through, redirect, 401 or 403."""
    from webapp.errors import _respond

    endpoint = request.endpoint
    authenticated = current_user.is_authenticated
    g.user_name = current_user.name if authenticated else "anonymous"
    g.user_role = current_user.role if authenticated else None
    g.scope = _scope_of(current_user) if authenticated else frozenset()
    if endpoint is None:  # no route matched: the 404 (or 405) handler answers
        return None
    blueprint = request.blueprint or endpoint
    if blueprint in PUBLIC:
        return None
    if not authenticated:
        if wants_json():
            return _respond(401, "Login required",
                            "Log in at /login first; this URL needs a logged-in user.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not allowed(blueprint, current_user.role):
        raise Forbidden(f"Your role ({current_user.role}) may not open this page "
                        f"({blueprint}); ask an admin if you need it.")
    from webapp.graph_handle import get_graph
    from webapp.scope import check_url_ids

    if request.view_args and g.scope is not None:
        check_url_ids(get_graph(), request.view_args)
    return None


def _scope_of(user) -> frozenset[str] | None:
    if user.role in ANALYSTS:
        return None
    if user.role == "official":
        return frozenset(user.areas)
    return frozenset()
