"""One error handler: an HTML page for pages, one JSON shape for ``.json`` URLs."""

from __future__ import annotations

import logging
import sqlite3

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from graph.errors import (ConfigError, Forbidden, GraphUnavailable, MinqingError, NotFound,
                          QueryError, StorageError)

log = logging.getLogger(__name__)

_STATUS = {GraphUnavailable: 503, StorageError: 503, NotFound: 404, Forbidden: 403,
           QueryError: 400, ConfigError: 500}
_TITLES = {GraphUnavailable: "Graph unavailable", StorageError: "Storage unavailable"}
# SQLite's words for a workflow store it cannot use right now, as opposed to a faulty statement.
_STORE_TROUBLE = ("locked", "readonly", "disk", "unable to open", "full")


def register(app) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(MinqingError)
    def minqing_error(error: MinqingError):
        status = next((code for cls, code in _STATUS.items() if isinstance(error, cls)), 500)
        title = next((t for cls, t in _TITLES.items() if isinstance(error, cls)), "Error")
        return _respond(status, title, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 413:
            limit = app.config["MINQING_SETTINGS"].web_max_request_kb
            return _respond(413, error.name, f"The request is larger than {limit:,} KiB; "
                            f"nothing was read or saved (setting web_max_request_kb)")
        return _respond(error.code or 500, error.name, error.description or "")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error on %s", request.path)
        return _respond(500, "Internal error", "Something went wrong; the log has details.")

    @app.errorhandler(sqlite3.OperationalError)
    def store_error(error: sqlite3.OperationalError):
        if not any(word in str(error) for word in _STORE_TROUBLE):
            return unexpected(error)
        log.warning("Workflow store unavailable on %s: %s", request.path, error)
        return _respond(503, "Workflow store unavailable",
                        f"The workflow store (logins, campaigns, alerts, audit) cannot be used "
                        f"({error}). Another program may be holding it: try again in a moment; "
                        "or its disk is full or read-only: see data_dir (MINQING_DATA_DIR).")


def _respond(status: int, title: str, message: str):
    if request.path.endswith(".json"):
        response = jsonify({"ok": False, "error": message, "status": status, "title": title})
        response.status_code = status
        return response
    return render_template("error.html", status=status, title=title, message=message), status
