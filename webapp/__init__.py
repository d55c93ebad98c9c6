"""The Minqing web app: ``create_app()`` builds a Flask app with one graph backend."""

from __future__ import annotations

import importlib
from typing import Any, Mapping

from flask import Flask

from graph.settings import load_settings

# One module per page family, each exporting ``bp``.
BLUEPRINT_MODULES = (
    "webapp.home",
    "webapp.search",
    "webapp.alerts",
    "webapp.programs",
    "webapp.emergency",
    "webapp.campaigns",
    "webapp.inbox",
    "webapp.intake",
    "webapp.hsds_api",
    "webapp.elevators",
    "webapp.siting",
    "webapp.dashboard",
    "webapp.profiles",
    "webapp.openapi",
    # access control (docs/ACCESS.md): login, the gate, security headers; admin; unmasking
    "webapp.auth",
    "webapp.admin",
    "webapp.admin_catalogue",
    "webapp.unmask",
    "webapp.console",
)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app; ``overrides`` change settings (tests pass a data_dir)."""
    from flask_wtf.csrf import CSRFProtect

    from webapp import errors, nav
    from webapp.graph_handle import GraphHandle
    from webapp.secret import secret_key

    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config["MINQING_SETTINGS"] = settings
    app.config["SECRET_KEY"] = secret_key(settings)
    app.config["JSON_AS_ASCII"] = False
    # Werkzeug refuses a larger body with 413 before a view reads it (errors.py words it).
    app.config["MAX_CONTENT_LENGTH"] = settings.web_max_request_kb * 1024
    app.json.ensure_ascii = False
    app.extensions["minqing_graph"] = GraphHandle(settings)
    errors.register(app)
    nav.register(app)
    CSRFProtect(app)
    from webapp import converters  # <int:…> within SQLite's range, before any rule is added

    converters.register(app)
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module).bp)
    return app
