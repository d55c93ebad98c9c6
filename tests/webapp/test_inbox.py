"""The inbox pages: officials with counts, one official's notices (phones masked), the
acknowledge form (CSRF token required), and the JSON twins."""

from __future__ import annotations

import re

import pytest

from ingest.fixture_graph import load_fixture_graph
from queries import audit
from queries.notices.inbox import process_events
from queries.store import connect
from tests.queries.notices.conftest import add_notice_world
from webapp import create_app
from webapp.inbox import builder_queries
from tests.webapp.login_helpers import log_in_clients


@pytest.fixture
def app(settings, empty_graph, tmp_path):
    load_fixture_graph(empty_graph)
    add_notice_world(empty_graph)
    store = tmp_path / "workflow.sqlite3"
    conn = connect(store)
    process_events(empty_graph, conn, since="2025-06-01")
    conn.close()
    app = create_app({**settings, "graph_database": empty_graph.database})
    app.config["WORKFLOW_STORE"] = str(store)
    app.testing = True
    return log_in_clients(app)


@pytest.fixture
def client(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def test_officials_list_counts_new_notices(client):
    document = client.get("/inbox.json").get_json()
    counts = {o["official_id"]: (o["new"], o["acknowledged"]) for o in document["officials"]}
    assert counts == {"O1": (1, 0), "O2": (1, 0), "O3": (3, 0)}
    html = client.get("/inbox").get_data(as_text=True)
    assert 'href="/inbox/O3"' in html and "Qian Hong" in html


def test_inbox_page_masks_phones(client):
    html = client.get("/inbox/O3").get_data(as_text=True)
    assert "Li Xiuying" in html and "139****0001" in html and "13900000001" not in html
    assert 'name="csrf_token"' in html
    document = client.get("/inbox/O3.json").get_json()
    [section] = [s for s in document["sections"] if s["name"] == "notices"]
    assert len(section["items"]) == 3
    assert {n["resident_phone"] for n in section["items"]} == {"139****0001"}
    assert document["official"]["role"] == "social_worker"


def test_acknowledge_form(client, app):
    notice_id = client.get("/inbox/O2.json").get_json()["sections"][0]["items"][0]["id"]
    response = client.post(f"/inbox/O2/notices/{notice_id}/ack",
                           data={"by": "Chen Jie", "note": "called the family"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inbox/O2#notice-{notice_id}")
    [notice] = client.get("/inbox/O2.json?status=acknowledged").get_json()["sections"][0][
        "items"]
    # Who acknowledged is the logged-in user (log_in_clients: admin), not a form field.
    assert notice["acknowledged_by"] == "admin" and notice["ack_note"] == "called the family"
    assert client.get("/inbox/O2.json?status=new").get_json()["sections"][0]["items"] == []
    conn = connect(app.config["WORKFLOW_STORE"])
    assert audit.recent(conn)[0]["action"] == "notices.acknowledge"
    assert "已确认" in client.get("/inbox/O2").get_data(as_text=True)


def test_acknowledge_needs_the_right_inbox(client):
    notice_id = client.get("/inbox/O2.json").get_json()["sections"][0]["items"][0]["id"]
    assert client.post(f"/inbox/O1/notices/{notice_id}/ack", data={"by": "x"}
                       ).status_code == 404


def test_acknowledge_without_csrf_token_is_refused(app):
    client = app.test_client()                # CSRF protection on
    notice_id = client.get("/inbox/O2.json").get_json()["sections"][0]["items"][0]["id"]
    response = client.post(f"/inbox/O2/notices/{notice_id}/ack", data={"by": "Chen Jie"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    page = client.get("/inbox/O2").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/inbox/O2/notices/{notice_id}/ack",
                           data={"by": "Chen Jie", "csrf_token": token})
    assert response.status_code == 302


def test_unknown_official_is_404_in_the_json_shape(client):
    response = client.get("/inbox/O99.json")
    assert response.status_code == 404
    assert set(response.get_json()) == {"ok", "error", "status", "title"}


def test_inbox_queries_pass_the_cypher_front_end():
    from graph.cypher_lint import lint_queries

    results = lint_queries(builder_queries())
    assert {n: [str(e) for e in r.errors + r.warnings] for n, r in results.items()
            if r.errors or r.warnings} == {}
