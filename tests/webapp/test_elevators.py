"""The elevator page, its .json twin and map, from a ranking trained on a tiny history."""

import datetime as dt
import threading
import urllib.request

import pytest

from models.elevators import store
from models.elevators.propensity import Options, evaluate, rank
from tests.conftest import free_port, stop_waitress
from tests.models.elevators.history import tiny_history
from webapp import create_app
from tests.webapp.login_helpers import log_in_clients, session_headers


@pytest.fixture
def app(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database,
                      "data_dir": str(tmp_path)})
    return log_in_clients(app)


def _store_ranking(app):
    raw = tiny_history()
    opts = Options(cutoff=dt.date(2022, 6, 1), min_positives=5)
    store.save(app.config["MINQING_SETTINGS"],
               {"evaluation": evaluate(raw, opts), "ranking": rank(raw, dt.date(2022, 6, 1), opts)})


def test_page_without_a_ranking_says_what_to_run(app):
    client = app.test_client()
    assert "minqing elevators train" in client.get("/elevators").get_data(as_text=True)
    assert client.get("/elevators.json").get_json()["buildings"] == []


def test_ranking_page_json_and_map_over_http(app):
    _store_ranking(app)
    from waitress.server import create_server

    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        headers = session_headers(app)
        document = _get_json(base + "/elevators.json?top=5&area=%E7%94%B2", headers)
        assert document["ok"] and len(document["buildings"]) == 5
        assert all(b["area_name"] == "甲" for b in document["buildings"])
        assert document["buildings"][0]["reasons"]
        assert document["evaluation"]["models"]["gbm"]["k"] == document["evaluation"]["test_installs"]
        html = urllib.request.urlopen(urllib.request.Request(
            base + "/elevators?top=5", headers=headers)).read().decode()
        first = document["buildings"][0]
        assert first["address"] in html and first["reasons"][0]["feature"] in html
        assert "precision@k" in html
        map_html = urllib.request.urlopen(urllib.request.Request(
            base + "/elevators/map?top=5", headers=headers)).read().decode()
        assert "leaflet" in map_html.lower() and "#1 " in map_html
    finally:
        stop_waitress(server, thread)


def _get_json(url, headers=None):
    import json

    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:
        return json.loads(response.read())


def test_bad_top_is_a_clear_json_error(app):
    _store_ranking(app)
    response = app.test_client().get("/elevators.json?top=many")
    assert response.status_code == 400 and "top must be a whole number" in response.get_json()["error"]
