"""POST /api/events on a real waitress server: token, validation, idempotency, notices.

Batch choice under test: each event stands alone. A batch with a bad event answers 400 and
names the event's fields, and its good events are stored and notified all the same; sending
the whole batch again is safe, because event ids make every event idempotent.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
from waitress.server import create_server

from ingest.fixture_graph import load_fixture_graph
from queries.notices.inbox import inbox
from queries.store import connect
from tests.conftest import free_port, stop_waitress
from tests.queries.notices.conftest import add_notice_world
from webapp import create_app

TOKEN = "test-intake-token-0123456789"
DISCHARGE = {"event_id": "his:2025-0001", "kind": "hospital_discharge", "date": "2025-06-25",
             "resident_id": "R01", "source": "hospital_his",
             "properties": {"hospital": "市第十人民医院", "department": "心内科"}}


@pytest.fixture
def server(settings, empty_graph, tmp_path):
    """The app on a waitress server in a thread, with its own workflow store."""
    load_fixture_graph(empty_graph)
    add_notice_world(empty_graph)
    app = create_app({**settings, "graph_database": empty_graph.database,
                      "intake_token": TOKEN})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    port = free_port()
    wsgi = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{port}/api/events",
           "store": tmp_path / "workflow.sqlite3"}
    stop_waitress(wsgi, thread)


def _post(server, body, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server["url"], json=body, headers=headers, timeout=30)


def test_posted_event_is_in_the_inbox_within_seconds(server):
    start = time.monotonic()
    response = _post(server, DISCHARGE)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["results"] == [{"index": 0, "event_id": "his:2025-0001",
                                    "outcome": "created"}]
    assert document["notices_created"] == 1
    conn = connect(server["store"])
    [notice] = inbox(conn, "O3")           # R01's area A01: its social worker
    assert time.monotonic() - start < 5
    assert notice["rule_id"] == "discharge_senior_alone"
    assert notice["event_id"] == "his:2025-0001" and "市第十人民医院" in notice["message"]
    assert notice["id"] in document["notice_ids"]
    assert inbox(conn, "O2") == []         # never another area's official


def test_same_event_id_again_is_a_duplicate(server):
    assert _post(server, DISCHARGE).status_code == 201
    again = _post(server, [DISCHARGE])
    assert again.status_code == 200
    assert again.json()["results"][0]["outcome"] == "duplicate"
    assert again.json()["notices_created"] == 0
    conn = connect(server["store"])
    assert conn.execute("SELECT count(*) FROM notices").fetchone()[0] == 1


def test_same_event_id_for_another_event_is_refused(server):
    assert _post(server, DISCHARGE).status_code == 201
    other = dict(DISCHARGE, resident_id="R02")
    response = _post(server, other)
    assert response.status_code == 400
    assert "already the hospital_discharge of 2025-06-25" in response.json()["problems"][0]


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x"])
def test_bad_or_missing_token_is_401(server, token):
    response = _post(server, DISCHARGE, token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not server["store"].exists()    # refused before anything was read or written


@pytest.mark.parametrize("change, problem", [
    ({"date": "25/06/2025"}, "events[0].date: required, a date YYYY-MM-DD"),
    ({"kind": "discharge"}, "events[0].kind: required, one of"),
    ({"event_id": ""}, "events[0].event_id: required"),
    ({"resident_id": "R99"}, "events[0].resident_id: no resident with this resident_id"),
    ({"properties": {"ward": "3"}}, "events[0].properties.ward: kind 'hospital_discharge' "
                                    "has no property 'ward'"),
    ({"id_number": "310106194403021234"}, "events[0].resident_id: give exactly one of"),
])
def test_malformed_event_is_400_naming_the_field(server, change, problem):
    response = _post(server, DISCHARGE | change)
    assert response.status_code == 400
    document = response.json()
    assert document["ok"] is False and document["results"][0]["outcome"] == "rejected"
    assert any(p.startswith(problem) for p in document["problems"]), document["problems"]


def test_body_that_is_not_events_is_400(server):
    response = requests.post(server["url"], data="not json", timeout=30,
                             headers={"Authorization": f"Bearer {TOKEN}",
                                      "Content-Type": "application/json"})
    assert response.status_code == 400 and "must be JSON" in response.json()["error"]
    assert _post(server, []).json()["error"] == "The body holds no events"


def test_a_bad_event_does_not_lose_the_good_ones(server):
    good = dict(DISCHARGE, event_id="his:2025-0002")
    bad = dict(DISCHARGE, event_id="his:2025-0003", date="yesterday")
    response = _post(server, [good, bad])
    assert response.status_code == 400
    document = response.json()
    assert [r["outcome"] for r in document["results"]] == ["created", "rejected"]
    assert document["notices_created"] == 1
    conn = connect(server["store"])
    assert [n["event_id"] for n in inbox(conn, "O3")] == ["his:2025-0002"]
    logged = dict(conn.execute("SELECT event_id, outcome FROM intake_log"))
    assert logged == {"his:2025-0002": "created", "his:2025-0003": "rejected"}
    # Resending the batch after fixing the bad event stores it, and only it.
    fixed = _post(server, [good, dict(bad, date="2025-06-26")])
    assert fixed.status_code == 201
    assert [r["outcome"] for r in fixed.json()["results"]] == ["duplicate", "created"]


def test_id_number_identifies_the_resident(server, empty_graph):
    empty_graph.write("MATCH (r:Resident {resident_id: 'R01'}) SET r.id_number = $n",
                      {"n": "310106194403021231"})
    body = {k: v for k, v in DISCHARGE.items() if k != "resident_id"} | {
        "event_id": "his:2025-0004", "id_number": "310106 1944 0302 1231"}
    response = _post(server, body)
    assert response.status_code == 201, response.text
    assert empty_graph.read("MATCH (r:Resident)-[:HAD_EVENT]->(:Event {event_id: $e}) "
                            "RETURN r.resident_id AS r", {"e": "his:2025-0004"}
                            ).single_value() == "R01"
