"""The emergency page, its JSON twin, the error shape, and the audited CSV and print exports."""

import csv
import re
import urllib.parse
import urllib.request

import pytest

from queries import audit
from queries.store import connect as store_connect
from webapp import create_app
from tests.webapp.served_app import ServedApp
from tests.webapp.login_helpers import http_login, log_in_clients

SCOPE = {"building": "B01", "as_of": "2026-06-01"}


@pytest.fixture
def app(settings, small_graph):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.testing = True
    return log_in_clients(app)


@pytest.fixture
def client(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def emergency_audit_rows(settings):
    return [row for row in audit.recent(store_connect(settings), limit=10_000)
            if row["action"].startswith("emergency_list.")]


def test_empty_form_lists_areas(client):
    response = client.get("/emergency")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<form class="emergency-form" method="get"' in html
    assert "<option>Linfen Garden</option>" in html
    document = client.get("/emergency.json").get_json()
    assert document["ok"] is True and document["list"] is None
    assert document["areas"] == ["Fenxi Estate", "Linfen Garden"]


def test_page_shows_masked_list_and_print_stylesheet(client):
    html = client.get("/emergency", query_string=SCOPE).get_data(as_text=True)
    rows = re.findall(r'<tr data-resident="(R\d+)"', html)
    assert rows == ["R01", "R02", "R03"]
    assert "139****0001" in html and "13900000001" not in html
    assert "@media print" in html
    assert 'id="capacity-vs-need">40 / 3<' in html
    assert "80岁以上" in html and "高楼层无电梯" in html


def test_json_twin_has_the_same_list(client):
    document = client.get("/emergency.json", query_string=SCOPE).get_json()
    assert document["ok"] is True
    listed = document["list"]
    assert [r["resident_id"] for r in listed["residents"]] == ["R01", "R02", "R03"]
    assert listed["residents"][0]["reasons"] == ["living_alone", "aged_80_plus",
                                                 "upper_floor_no_elevator"]
    assert listed["phones_masked"] is True and listed["residents"][0]["phone"] == "139****0001"
    assert [v["volunteer_id"] for v in listed["volunteers"]] == ["L01"]
    assert [s["venue_id"] for s in listed["shelters"]] == ["V01"]


def test_area_and_radius_through_the_form(client):
    by_area = client.get("/emergency.json", query_string={"area": "Fenxi Estate"}).get_json()
    assert [r["resident_id"] for r in by_area["list"]["residents"]] == ["R10"]
    near = client.get("/emergency.json", query_string={
        "near": "31.2712,121.4531", "radius_m": "300"}).get_json()["list"]
    assert [b["building_id"] for b in near["buildings"]] == ["B01", "B02"]
    # Several buildings in one field, one per line.
    both = client.get("/emergency.json", query_string={"building": "B01\nB03"}).get_json()
    assert [b["building_id"] for b in both["list"]["buildings"]] == ["B01", "B03"]


@pytest.mark.parametrize("query, status, words", [
    ({"building": "B99"}, 404, "B99"),
    ({"area": "Atlantis"}, 404, "Atlantis"),
    ({"near": "31.27,121.45", "radius_m": "0"}, 400, "radius_m"),
    ({"near": "31.27,121.45", "radius_m": "99999"}, 400, "radius_m"),
    ({"near": "31.27;121.45", "radius_m": "100"}, 400, "near"),
    ({"near": "31.27,121.45"}, 400, "radius_m"),
    ({"building": "B01", "area": "A01"}, 400, "exactly one"),
    ({"building": "B01", "as_of": "tomorrow"}, 400, "as_of"),
])
def test_bad_input_gets_the_json_error_shape(client, query, status, words):
    response = client.get("/emergency.json", query_string=query)
    assert response.status_code == status
    document = response.get_json()
    assert set(document) == {"ok", "error", "status", "title"}
    assert document["ok"] is False and document["status"] == status
    assert words in document["error"]
    page = client.get("/emergency", query_string=query)
    assert page.status_code == status and words in page.get_data(as_text=True)


def test_csv_export_has_full_phones_and_is_audited(client, settings):
    before = len(emergency_audit_rows(settings))
    response = client.post("/emergency.csv", data=SCOPE)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(response.data.decode("utf-8-sig").splitlines()))
    assert [row[-1] for row in rows[1:]] == ["R01", "R02", "R03"]
    assert "13900000001" in rows[1]
    [row] = emergency_audit_rows(settings)[:len(emergency_audit_rows(settings)) - before]
    assert row["action"] == "emergency_list.csv" and row["actor"] == "admin"  # the logged-in user
    assert row["detail"]["residents"] == ["R01", "R02", "R03"]


def test_print_document_has_full_phones_and_is_audited(client, settings):
    before = len(emergency_audit_rows(settings))
    response = client.post("/emergency/print", data={"area": "Linfen Garden"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and "@media print" in html
    assert "13900000001" in html and "Confidential" in html
    added = emergency_audit_rows(settings)[:len(emergency_audit_rows(settings)) - before]
    assert [row["action"] for row in added] == ["emergency_list.print"]


def test_export_without_a_scope_is_refused(client):
    response = client.post("/emergency.csv", data={})
    assert response.status_code == 400


def test_export_without_csrf_token_is_refused(app, settings):
    client = app.test_client()  # CSRF protection left on
    before = len(emergency_audit_rows(settings))
    response = client.post("/emergency.csv", data=SCOPE)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert len(emergency_audit_rows(settings)) == before


def test_csv_download_over_http_with_the_form_token(settings, small_graph):
    """A real waitress server: read the page's form, post it back with its CSRF token."""
    app = ServedApp(settings, database=small_graph.database)
    opener, base = app.opener, app.base
    try:
        html = app.wait_until(lambda: (http_login(opener, base, settings),
                                       app.get(f"/emergency?{urllib.parse.urlencode(SCOPE)}"))[1])
        form = re.search(r'<form method="post" action="/emergency.csv".*?</form>', html, re.S)
        fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0))
        assert "csrf_token" in dict(fields)
        body = urllib.parse.urlencode(fields).encode()
        with opener.open(f"{base}/emergency.csv", data=body, timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/csv")
            data = response.read()
        assert data.startswith(b"\xef\xbb\xbf") and "13900000001".encode() in data
    finally:
        app.stop()
