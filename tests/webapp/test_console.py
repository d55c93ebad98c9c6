"""The console pages: forms, results, refusals, CSV, JSON, the graph view, and a real server."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from queries import audit, store
from tests.webapp.served_app import ServedApp
from tests.webapp.login_helpers import http_login, log_in_clients, login
from webapp import create_app


@pytest.fixture
def app(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    app.config["WTF_CSRF_ENABLED"] = False
    app.testing = True
    return log_in_clients(app, "analyst")


@pytest.fixture
def client(app):
    return app.test_client()


def audit_rows(app):
    conn = store.connect(app.config["WORKFLOW_STORE"])
    try:
        return audit.recent(conn)
    finally:
        conn.close()


def test_page_lists_named_queries_with_their_parameters(client):
    page = client.get("/console")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="query-building_residents"' in html and 'name="param_building_id"' in html
    document = client.get("/console.json").get_json()
    names = {q["name"]: q for q in document["queries"]}
    assert "building_residents" in names
    assert [p["name"] for p in names["building_residents"]["params"]][0] == "building_id"


def test_statement_runs_as_table_graph_and_json(client, app):
    form = {"statement": "MATCH p = (r:Resident)-[:LIVES_IN]->(b:Building {building_id: $b}) "
                         "RETURN r.resident_id AS id, r.phone AS phone, p ORDER BY id",
            "params": '{"b": "B01"}'}
    page = client.post("/console/run", data=form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="result-table"' in html and 'id="graph-view"' in html
    assert "<td>R01</td>" in html and html.count("<circle") == 5  # 4 residents + B01
    document = client.post("/console/run.json", data=form).get_json()
    assert document["ok"] and [row["id"] for row in document["rows"]] == \
        ["R01", "R02", "R03", "R04"]
    phones = [row["phone"] for row in document["rows"] if row["phone"]]
    assert phones and all("****" in phone for phone in phones)
    assert len(document["graph"]["relationships"]) == 4
    assert audit_rows(app)[0]["action"] == "console.query"


def test_named_query_form_runs(client):
    page = client.post("/console/run", data={"query_name": "building_residents",
                                             "param_building_id": "B03"})
    assert page.status_code == 200
    assert 'id="result-table"' in page.get_data(as_text=True)


def test_write_is_refused_clearly_and_logged(client, app, small_graph):
    before = small_graph.read("MATCH (n) RETURN count(n) AS n").single_value()
    page = client.post("/console/run", data={"statement": "MATCH (r:Resident) SET r.x = 1"})
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "SET is refused" in html and "Traceback" not in html
    document = client.post("/console/run.json",
                           data={"statement": "CREATE (n:Resident) // harmless"}).get_json()
    assert document["ok"] is False and document["status"] == 403
    assert document["layer"] == "parser" and "CREATE is refused" in document["error"]
    actions = [(r["action"], r["actor"]) for r in audit_rows(app)[:2]]
    assert actions == [("console.refused", "analyst")] * 2
    assert small_graph.read("MATCH (n) RETURN count(n) AS n").single_value() == before


def test_bad_parameters_are_a_clear_400(client):
    response = client.post("/console/run.json", data={"statement": "RETURN $x AS x",
                                                      "params": "{x: 1"})
    assert response.status_code == 400
    assert "Parameters must be a JSON object" in response.get_json()["error"]


def test_csv_download_is_masked_and_audited(client, app):
    response = client.post("/console/run.csv", data={
        "statement": "MATCH (o:Official) RETURN o.official_id AS id, o.phone AS phone "
                     "ORDER BY id"})
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "id,phone" and lines[1] == "O1,138****0001"
    assert audit_rows(app)[0]["action"] == "console.export"


def test_personal_numbers_are_masked_whatever_the_column_is_called(client):
    rows = client.post("/console/run.json", data={"statement": (
        "MATCH (o:Official {official_id: 'O1'}) "
        "RETURN o.phone AS p, 'call ' + o.phone + ' now' AS text, "
        "'310106195003121234' AS x, '021-56781234' AS landline, 20250630 AS day")}
    ).get_json()["rows"]
    assert rows == [{"p": "138****0001", "text": "call 138****0001 now",
                     "x": "310106***********4", "landline": "021-****1234",
                     "day": 20250630}]


def test_the_actor_is_the_logged_in_analyst(app):
    app.test_client().post("/console/run.json", data={"statement": "RETURN 1 AS one"})
    assert audit_rows(app)[0]["actor"] == "analyst"


def test_officials_and_partners_are_refused_the_console(app):
    for role, areas in (("official", ("A01",)), ("partner", ())):
        client = app.test_client()
        login(client, app, role=role, areas=areas)
        response = client.post("/console/run.json", data={"statement": "RETURN 1 AS one"})
        assert response.status_code == 403


def test_html_in_results_is_escaped(client):
    html = client.post("/console/run", data={
        "statement": "RETURN '<script>alert(1)</script>' AS x"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_post_without_csrf_token_is_refused(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    client = app.test_client()
    login(client, app, role="analyst")
    response = client.post("/console/run", data={"statement": "RETURN 1"})
    assert response.status_code == 400
    assert [row["action"] for row in audit_rows(app)] == ["login"]  # nothing ran


def test_console_over_a_real_waitress_server(settings, small_graph):
    """`minqing serve` under waitress: fetch the form, post it back with its CSRF token."""
    app = ServedApp(settings, database=small_graph.database)
    opener, base = app.opener, app.base
    try:
        html = app.wait_until(lambda: (http_login(opener, base, settings, role="analyst"),
                                       app.get("/console"))[1])
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

        def post(path, statement):
            body = urllib.parse.urlencode({"csrf_token": token, "statement": statement})
            try:
                with opener.open(f"{base}{path}", data=body.encode(), timeout=60) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        status, text = post("/console/run.json",
                            "MATCH (r:Resident) RETURN count(r) AS residents")
        assert status == 200 and json.loads(text)["rows"] == [{"residents": 12}]
        status, text = post("/console/run.json", "MATCH (r:Resident) DETACH DELETE r")
        assert status == 403 and "DELETE is refused" in json.loads(text)["error"]
        status, text = post("/console/run", "CALL db.labels() YIELD label RETURN label")
        assert status == 200 and 'id="result-table"' in text
    finally:
        app.stop()
