"""Resident and building profile pages: masking, the SVG graph, audit, escaping, isolation."""

import pytest

from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes, load_relationships
from queries import audit
from queries.store import connect
from tests.webapp.login_helpers import log_in_clients
from webapp import create_app


@pytest.fixture
def app(settings, small_graph):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.testing = True
    return app


def _audit_rows(app, action):
    conn = connect(app.config["MINQING_SETTINGS"])
    try:
        return [r for r in audit.recent(conn, 500) if r["action"] == action]
    finally:
        conn.close()


def test_resident_page_masks_and_draws_the_neighbourhood(app):
    client = log_in_clients(app, role="analyst").test_client()
    html = client.get("/residents/R01").get_data(as_text=True)
    assert "Li Xiuying" in html
    assert "139****0001" in html and "13900000001" not in html
    assert "1944-**-**" in html and "1944-03-02" not in html
    assert '<svg class="neighbourhood"' in html and "<circle" in html
    assert "lone_elderly" in html


def test_resident_json_twin_and_audit(app):
    client = log_in_clients(app, role="analyst").test_client()
    before = len(_audit_rows(app, "view_resident"))
    document = client.get("/residents/R02.json").get_json()
    assert document["ok"] is True
    assert document["resident"]["phone"] == "139****0002"
    assert {m["resident_id"] for m in document["household"]} == {"R03", "R04"}
    nodes = {n["id"] for n in document["neighbourhood"]["nodes"]}
    assert {"Resident:R02", "Household:H02", "Building:B01", "Resident:R03"} <= nodes
    rows = _audit_rows(app, "view_resident")
    assert len(rows) == before + 1
    assert rows[0]["target"] == "R02" and rows[0]["actor"] == "analyst"


def test_building_page_lists_residents_with_masked_phones(app):
    client = log_in_clients(app, role="analyst").test_client()
    document = client.get("/buildings/B02.json").get_json()
    assert document["elevator"] == "as built"
    phones = [r["phone"] for r in document["residents"]]
    assert len(phones) == 6 and all("****" in p for p in phones)
    html = client.get("/buildings/B01").get_data(as_text=True)
    assert "Zhang Qiang" in html and '<svg class="neighbourhood"' in html
    assert _audit_rows(app, "view_building")[0]["target"] == "B01"


def test_unknown_resident_is_a_json_404(app):
    client = log_in_clients(app, role="analyst").test_client()
    response = client.get("/residents/R99.json")
    assert response.status_code == 404
    assert response.get_json()["ok"] is False and "R99" in response.get_json()["error"]


def test_official_sees_only_residents_of_their_areas(app):
    # O2's area is A02 (B03): R11 lives there; R12, of R11's household, lives in B02 (A01).
    client = log_in_clients(app, role="official", areas=("A02",)).test_client()
    assert client.get("/residents/R01.json").status_code == 404
    document = client.get("/residents/R11.json").get_json()
    assert [m["resident_id"] for m in document["household"]] == []
    assert "Resident:R12" not in {n["id"] for n in document["neighbourhood"]["nodes"]}
    assert client.get("/buildings/B01.json").status_code == 404


def test_names_are_escaped_in_page_and_svg(settings, empty_graph):
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "Resident", [{"resident_id": "RX", "name": "<script>x</script>",
                                          "phone": "13911112222"}])
    load_relationships(empty_graph, "LIVES_IN", [("RX", "B01")])
    app = create_app({**settings, "graph_database": empty_graph.database})
    client = log_in_clients(app, role="analyst").test_client()
    for url in ("/residents/RX", "/buildings/B01"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
