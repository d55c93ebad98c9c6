"""``POST /api/events``: subsystems post dated events; each becomes notices at once.

Authenticated by a bearer token (setting intake_token, or the generated
``<data_dir>/intake_token``), compared in constant time. The blueprint is exempt from CSRF:
a machine client sends no browser session, and the token is what proves who it is.

Status codes: 201 when at least one event was created, 200 when every event was already
there, 400 when any event (or the body) has problems — the good events of that batch are
still stored and listed, so the sender may resend the whole batch safely (event ids make it
idempotent) — and 401 without a valid token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from graph.errors import GraphUnavailable, MinqingError
from queries.notices.intake import IntakeError, receive_events, token_matches
from webapp.graph_handle import get_graph
from webapp.inbox import open_store

bp = Blueprint("intake", __name__)


@bp.record_once
def _exempt_from_csrf(state) -> None:
    # create_app installs CSRFProtect before it registers blueprints.
    state.app.extensions["csrf"].exempt(bp)


def _problem(status: int, message: str, problems: list[str] | None = None):
    response = jsonify({"ok": False, "status": status, "error": message,
                        "problems": problems or [message]})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="minqing-intake"'
    return response


@bp.post("/api/events")
def post_events():
    """Receive one event (a JSON object) or a list of events; answer per-event outcomes."""
    settings = current_app.config["MINQING_SETTINGS"]
    if not token_matches(settings, request.headers.get("Authorization")):
        return _problem(401, "Send the intake token as 'Authorization: Bearer <token>' "
                             "(setting intake_token, or <data_dir>/intake_token)")
    body = request.get_json(silent=True)
    if body is None:
        return _problem(400, "The body must be JSON (Content-Type: application/json): one "
                             "event object or a list of them")
    conn = open_store()
    try:
        result = receive_events(get_graph(), conn, body,
                                actor=f"intake:{request.remote_addr or 'unknown'}")
    except IntakeError as e:
        return _problem(400, str(e))
    except GraphUnavailable as e:  # a machine client wants JSON, not the HTML error page
        return _problem(503, str(e))
    except MinqingError as e:
        return _problem(500, str(e))
    finally:
        conn.close()
    document = result.to_json()
    if result.problems:
        status = 400
        document["error"] = f"{document['rejected']} of {len(result.results)} events rejected"
    else:
        status = 201 if result.created else 200
    document["status"] = status
    response = jsonify(document)
    response.status_code = status
    return response
