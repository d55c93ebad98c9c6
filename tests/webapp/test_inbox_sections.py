"""One official's inbox gathers notices, water alerts, silent groups and campaign replies —
all for the official's own areas, none for another's."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.fixture_graph import load_fixture_graph
from models import water_alerts as wa
from queries import alerts
from queries.outreach.campaigns import create_campaign
from queries.programs import load_programs, refresh_silent_groups, silent_group
from queries.store import connect
from tests.models.test_water_alerts import at_hour, hourly_frame
from webapp import create_app
from tests.webapp.login_helpers import log_in_clients

ONSET = 30 * 24 + 22


@pytest.fixture
def app(settings, empty_graph, tmp_path):
    load_fixture_graph(empty_graph)
    program = load_programs()["anti_fraud_talk_2025"]  # R01, lone senior in A01 (official O1)
    refresh_silent_groups(empty_graph, [program], dt.date(2025, 6, 30))
    store = tmp_path / "workflow.sqlite3"
    conn = connect(store)
    members = silent_group(empty_graph, program, dt.date(2025, 6, 30)).members
    campaign = create_campaign(conn, "anti-fraud", "{{ name }}您好", members,
                               program_id=program.program_id).campaign_id
    conn.execute("UPDATE outreach_message SET status = 'replied', reply_text = '1', "
                 "replied_at = '2025-07-01T10:00:00' WHERE campaign_id = ?", (campaign,))
    readings = wa.readings_from_frame(hourly_frame("WMINBOX", "H01", days=33,
                                                   zero_from=ONSET))
    alerts.check(conn, empty_graph, readings, at=at_hour(ONSET + 30))
    conn.close()
    app = create_app({**settings, "graph_database": empty_graph.database})
    app.config["WORKFLOW_STORE"] = str(store)
    return log_in_clients(app)


def _sections(app, official, status=""):
    document = app.test_client().get(f"/inbox/{official}.json{status}").get_json()
    return {s["name"]: s["items"] for s in document["sections"]}


def test_the_responsible_official_sees_every_section(app):
    sections = _sections(app, "O1")
    assert [a["resident_name"] for a in sections["alerts"]] == ["Li Xiuying"]
    assert sections["alerts"][0]["resident_phone"] == "139****0001"
    (group,) = sections["silent_groups"]
    assert group["program_id"] == "anti_fraud_talk_2025" and group["size"] == 1
    (campaign,) = sections["campaigns"]
    assert campaign["counts"] == {"replied": 1}
    assert [(r["name"], r["phone"]) for r in campaign["replies"]] == [("Li Xiuying",
                                                                       "139****0001")]
    html = app.test_client().get("/inbox/O1").get_data(as_text=True)
    assert "13900000001" not in html and "Li Xiuying" in html
    assert "/programs/anti_fraud_talk_2025/areas/A01" in html


def test_another_areas_official_sees_none_of_it(app):
    sections = _sections(app, "O2")
    assert sections["alerts"] == [] and sections["silent_groups"] == []
    assert sections["campaigns"] == []
    assert "Li Xiuying" not in app.test_client().get("/inbox/O2").get_data(as_text=True)


def test_acknowledged_view_holds_only_closed_work(app):
    sections = _sections(app, "O1", "?status=acknowledged")
    assert sections["alerts"] == [] and sections["silent_groups"] == []
    assert sections["campaigns"][0]["replies"] == []
