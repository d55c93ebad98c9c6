"""The home page and its JSON twin, the error shape, and a graph that is down."""

import pytest

from webapp import create_app
from tests.webapp.login_helpers import log_in_clients


@pytest.fixture
def client(settings, small_graph):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.testing = True
    return log_in_clients(app).test_client()


def test_home_page_shows_counts(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<td>Resident</td><td class=\"num\">12</td>" in html


def test_json_twin_has_the_same_numbers(client):
    document = client.get("/index.json").get_json()
    assert document["ok"] is True
    counts = {row["label"]: row["nodes"] for row in document["labels"]}
    assert counts["Resident"] == 12 and counts["Building"] == 3
    assert document["total_nodes"] == sum(counts.values())
    assert {"relationship": "LIVES_IN", "relationships": 12} in document["relationships"]


def test_error_shape_for_json_urls(client):
    response = client.get("/no/such/page.json")
    assert response.status_code == 404
    assert set(response.get_json()) == {"ok", "error", "status", "title"}
    assert response.get_json()["ok"] is False and response.get_json()["status"] == 404


def test_graph_down_gives_a_clear_page(settings):
    app = create_app({**settings, "graph_uri": "bolt://127.0.0.1:1", "graph_password": "x"})
    client = log_in_clients(app).test_client()
    response = client.get("/index.json")
    assert response.status_code == 503
    assert "graph_uri" in response.get_json()["error"]
    page = client.get("/")
    assert page.status_code == 503 and "Graph unavailable" in page.get_data(as_text=True)


def test_a_full_or_read_only_disk_is_a_503_naming_the_folder(settings, small_graph):
    """A StorageError (graph/disk.py: raised when ArcadeDB or a store hits ENOSPC or a
    read-only mount) reaches a user as 503 "Storage unavailable" with its message."""
    from graph.errors import StorageError

    app = create_app({**settings, "graph_database": small_graph.database})

    def disk_full_probe():
        raise StorageError("No space left on device in /data/arcadedb/databases")

    # an endpoint of the home blueprint, so the gate lets a logged-in user through
    app.add_url_rule("/disk-full-probe.json", "home.disk_full_probe", disk_full_probe)

    response = log_in_clients(app).test_client().get("/disk-full-probe.json")
    assert response.status_code == 503
    assert response.get_json()["title"] == "Storage unavailable"
    assert "/data/arcadedb/databases" in response.get_json()["error"]
