"""Login and logout (Flask-Login over the workflow store's users), and the app's access set-up.

Registering this blueprint installs, on the app: the login manager, a per-app login rate
limiter (Flask-Limiter, memory storage, keyed on client address and user name), the access
gate (webapp.gate) and the security headers (webapp.headers). The session cookie is
HttpOnly and SameSite=Lax, Secure when ``web_session_cookie_secure`` is on.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, g, redirect, render_template, request, session,
                   url_for)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from queries import audit, users
from queries.store import connect
from webapp.workflow import store_target

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    """The logged-in user as Flask-Login sees it: a ``queries.users.User`` by name."""

    def __init__(self, user: users.User):
        self.user = user
        self.name, self.role, self.areas = user.name, user.role, user.areas

    def get_id(self) -> str:
        return self.name


def _load_user(name: str) -> WebUser | None:
    # Read on every request, so a disabled user (or a changed role) takes effect at once.
    conn = connect(store_target())
    try:
        user = users.get_user(conn, name)
    except Exception:  # unknown name in an old cookie: treat as logged out
        return None
    finally:
        conn.close()
    return WebUser(user) if user.active else None


def _login_key() -> str:
    name = (request.form.get("name") or "").strip().lower()
    return f"{request.remote_addr or 'unknown'}|{name}"


def _rate_limit() -> str:
    return current_app.config["MINQING_SETTINGS"].auth_login_rate_limit


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page (no open redirect)."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on POST check the password, start a session, go on to ``next``."""
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("login.html", next=next_url, error=None)
    name = (request.form.get("name") or "").strip()
    conn = connect(store_target())
    try:
        user = users.authenticate(conn, name, request.form.get("password") or "")
        audit.record(conn, name or "anonymous", "login" if user else "login_failed",
                     f"user:{name}", address=request.remote_addr)
    finally:
        conn.close()
    if user is None:
        return render_template("login.html", next=next_url,
                               error="Wrong name or password, or the user is disabled."), 401
    session.clear()  # a fresh session on login: nothing carried over from before
    session.permanent = True
    login_user(WebUser(user))
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def logout():
    """End the session (a POST with the CSRF token, so a link cannot log anyone out)."""
    name = g.get("user_name", "anonymous")
    if current_user.is_authenticated:
        conn = connect(store_target())
        try:
            audit.record(conn, name, "logout", f"user:{name}")
        finally:
            conn.close()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


# Last in the module: the login view must be registered before the limiter wraps it.
@bp.record_once
def _install(state) -> None:
    """Set up login, the rate limiter, the gate and the headers on the app."""
    from flask_limiter import Limiter

    from webapp.gate import gate
    from webapp.headers import add_security_headers, csp_nonce

    app = state.app
    settings = app.config["MINQING_SETTINGS"]
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(settings.web_session_cookie_secure),
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.web_session_hours),
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.init_app(app)
    # One limiter per app: memory storage is then per app (and per server process).
    limiter = Limiter(key_func=_login_key, app=app, storage_uri="memory://",
                      headers_enabled=True)
    app.extensions["minqing_login_limiter"] = limiter
    app.view_functions["auth.login"] = limiter.limit(
        _rate_limit, key_func=_login_key, methods=["POST"],
        error_message="Too many login attempts from this address for this user; wait a "
                      "minute and try again (setting auth_login_rate_limit).")(login)
    app.before_request(gate)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
