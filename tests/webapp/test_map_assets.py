"""The map pages: scripts from /static/vendor or carrying the response's nonce, tiles from settings."""

import re
from html import unescape

import pytest

from tests.models.siting.siting_graph import siting_graph  # noqa: F401
from tests.webapp.login_helpers import log_in_clients
from webapp import create_app


def _app(settings, graph, **overrides):
    app = create_app({**settings, "graph_database": graph.database, **overrides})
    app.testing = True
    return log_in_clients(app, role="partner").test_client()


@pytest.fixture(scope="module")
def client(settings, siting_graph):  # noqa: F811
    return _app(settings, siting_graph)


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_every_map_script_is_vendored_or_carries_the_nonce(client):
    response = client.get("/sites?type=dining_hall")
    assert response.status_code == 200
    srcdoc = unescape(re.search(r'srcdoc="([^"]*)"', response.get_data(as_text=True)).group(1))
    tags = re.findall(r"<script\b[^>]*>", srcdoc)
    assert len(tags) >= 5
    assert all(f'nonce="{_nonce(response)}"' in tag for tag in tags), tags
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', srcdoc):
        assert src.startswith("/static/vendor/"), src
        assert client.get(src).status_code == 200, src
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp


def test_an_intranet_tile_server_is_the_one_allowed(settings, siting_graph):  # noqa: F811
    client = _app(settings, siting_graph,
                  map_tiles_url="https://{s}.tiles.intranet.example/{z}/{x}/{y}.png")
    response = client.get("/sites?type=dining_hall")
    assert "tiles.intranet.example/{z}/{x}/{y}.png" in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "https://*.tiles.intranet.example" in csp and "openstreetmap" not in csp


def test_no_tiles_setting_draws_no_tile_layer(settings, siting_graph):  # noqa: F811
    client = _app(settings, siting_graph, map_tiles_url="")
    response = client.get("/sites?type=dining_hall")
    assert "tileLayer" not in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]
