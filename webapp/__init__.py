"""The Minqing web app: ``create_app()`` builds a Flask app with one graph backend."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from graph.settings import load_settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app; ``overrides`` change settings (tests pass a data_dir)."""
    from webapp import errors, home
    from webapp.graph_handle import GraphHandle

    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config["MINQING_SETTINGS"] = settings
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.extensions["minqing_graph"] = GraphHandle(settings)
    errors.register(app)
    app.register_blueprint(home.bp)
    return app
