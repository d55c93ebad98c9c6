"""Logging tests in through the real user store and the real login form.

``login(client, app, role=..., areas=...)`` creates the user (once) with
``queries.users.add_user`` in the app's workflow store and POSTs ``/login`` with the form's
own CSRF token. ``log_in_clients(app, ...)`` makes every ``app.test_client()`` of that app
start logged in: the first one logs in through the form, the others reuse its session cookie
(so a test opening many clients does not hit the login rate limit). ``session_headers(app)``
gives that cookie as a header for requests to a real (waitress) server running ``app``.
"""

from __future__ import annotations

import re
import secrets

from flask.testing import FlaskClient

from queries import users
from queries.store import connect

PASSWORD = "test-" + secrets.token_hex(8)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _ensure_in_store(store, name: str, role: str, areas=()) -> None:
    """Create ``name`` in the workflow store opened from ``store`` unless it is there."""
    conn = connect(store)
    try:
        try:
            users.get_user(conn, name)
        except Exception:
            users.add_user(conn, name, PASSWORD, role, areas)
    finally:
        conn.close()


def ensure_user(app, name: str, role: str, areas=()) -> None:
    """Create ``name`` in the app's store unless it is there already."""
    with app.app_context():
        from webapp.workflow import store_target

        target = store_target()
    _ensure_in_store(target, name, role, areas)


def login(client, app, role: str = "admin", areas=(), name: str | None = None,
          password: str | None = None):
    """Create the user if needed and log ``client`` in with the login form; return the
    response of the POST (a redirect when it worked)."""
    name = name or (f"{role}_{'_'.join(areas)}" if areas else role)
    ensure_user(app, name, role, areas)
    page = client.get("/login").get_data(as_text=True)
    token = _TOKEN.search(page).group(1)
    response = client.post("/login", data={"csrf_token": token, "name": name,
                                           "password": password or PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return response


class _LoggedInClient(FlaskClient):
    """A test client that starts logged in as the app's ``minqing_test_login`` user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        app = self.application
        cookie = app.extensions.get("minqing_test_cookie")
        if cookie is None:
            role, areas = app.extensions["minqing_test_login"]
            login(self, app, role=role, areas=areas)
            app.extensions["minqing_test_cookie"] = self.get_cookie("session").value
        else:
            self.set_cookie("session", cookie)


def log_in_clients(app, role: str = "admin", areas=()):
    """Make every ``app.test_client()`` start logged in as a user of ``role``; return app."""
    app.extensions["minqing_test_login"] = (role, tuple(areas))
    app.extensions.pop("minqing_test_cookie", None)
    app.test_client_class = _LoggedInClient
    return app


def session_headers(app) -> dict[str, str]:
    """Log in (once) and return a Cookie header for a real server running ``app``."""
    if "minqing_test_cookie" not in app.extensions:
        app.extensions.setdefault("minqing_test_login", ("admin", ()))
        app.test_client_class = _LoggedInClient
        app.test_client()
    return {"Cookie": f"session={app.extensions['minqing_test_cookie']}"}


def http_login(opener, base: str, store, role: str = "admin", areas=()) -> str:
    """Log a ``urllib`` opener (with a cookie jar) in to a real server at ``base``.

    ``store`` is what the server's workflow store is opened from (its settings or a path);
    the user is created there, then the login form is fetched and posted with its token.
    Returns the user name.
    """
    import urllib.parse

    name = f"{role}_{'_'.join(areas)}" if areas else role
    _ensure_in_store(store, name, role, areas)
    with opener.open(f"{base}/login", timeout=30) as response:
        token = _TOKEN.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "name": name, "password": PASSWORD})
    with opener.open(f"{base}/login", data=body.encode(), timeout=30) as response:
        assert "/login" not in response.geturl(), "login failed"
    return name
