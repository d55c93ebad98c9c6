"""Fuzzing the JSON API and the pages that take input, as an admin and as an official.

Generated query strings, path ids, form fields and JSON bodies go to the endpoints that read
input: search (``q``, ``today``, the corrected-demand POST), the HSDS directory
(``search``, ``page``, ``per_page``), alerts, programs, inboxes, elevators, emergency lists,
site selection, the audit filters, profiles, the console POST and the event intake (bearer
token). Properties: never a 5xx; an error on a JSON URL is the JSON error shape with a
message; an HTML page never carries a generated HTML/JS payload unescaped. The app runs on a
database of this module's own (the fixture graph, the notice world, silent groups,
embeddings and the HSDS example), through Flask's test client.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import event, example, given, strategies as st

from ingest.embed import embed_graph
from ingest.fixture_graph import load_fixture_graph
from ingest.hsds.importer import import_hsds
from models.embeddings import HashingEmbedder
from queries.notices.rules import event_kinds
from queries.programs import load_programs, refresh_silent_groups
from queries.registry import load_queries
from tests.fuzz.common import any_text, examples, json_values, payload
from tests.fuzz.test_demand_fuzz import BASE as DEMAND_JSON
from tests.queries.notices.conftest import add_notice_world
from tests.webapp.login_helpers import log_in_clients
from webapp import create_app

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "hsds-3.0"
TOKEN = "fuzz-intake-token-0123456789abcdef"
# Payloads whose appearance, unescaped, in an HTML page would run script in a browser.
MARKERS = ["<script>alert('mq')</script>", "<img src=x onerror=alert('mq')>",
           "\"><svg onload=alert('mq')>", "'><iframe srcdoc='<b>mq</b>'>",
           "</script><script>alert('mq')</script>"]


@pytest.fixture(scope="module")
def world(settings, server, tmp_path_factory):
    """A database of this module's own: everything the input-taking pages read."""
    from tests.conftest import _open_database

    graph = _open_database(settings, server, "fuzz_api")
    load_fixture_graph(graph)
    add_notice_world(graph)
    refresh_silent_groups(graph, list(load_programs().values()), dt.date(2025, 6, 30))
    embed_graph(graph, HashingEmbedder())
    import_hsds(graph, DATASETS / "example_service_full.json",
                tmp_path_factory.mktemp("fuzz_hsds") / "quarantine.csv")
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def clients(settings, world, tmp_path_factory):
    """A logged-in test client per role, sharing one workflow store."""
    store = tmp_path_factory.mktemp("fuzz_store") / "workflow.sqlite3"

    def make(role, areas=()):
        app = create_app({**settings, "graph_database": world.database,
                          "embedding_model": "hashing", "intake_token": TOKEN})
        app.config["WORKFLOW_STORE"] = str(store)
        app.config["WTF_CSRF_ENABLED"] = False
        return log_in_clients(app, role, areas).test_client()

    return {"admin": make("admin"), "official": make("official", ["A01"])}


# --- what to send ------------------------------------------------------------------------

values = st.one_of(any_text, payload, st.sampled_from(MARKERS),
                   st.tuples(any_text, st.sampled_from(MARKERS)).map("".join),
                   st.integers(-10**20, 10**20).map(str),
                   st.sampled_from(["", "0", "-1", "1", "2", "20", "100", "101", "1e9", "nan",
                                    "inf", "1.5", " 3 ", "2025-06-30", "2025-02-30", "A01",
                                    "A02", "R01", "B01", "O1", "O3", "open", "dining_hall",
                                    "mclp", "pmedian", "lscp", "31.27,121.45", "first_aid"]))
ids = st.one_of(st.sampled_from(["R01", "R10", "B01", "B03", "A01", "A02", "O1", "O2", "O3",
                                 "P01", "1", "0", "dual_cancer_screening_2025"]),
                any_text.map(lambda t: quote(t, safe="")).filter(bool))
ints = st.one_of(st.integers(-5, 10**12), values).map(str).map(lambda t: quote(t, safe=""))

# (path, query parameters read by the view); {id}/{id2} path ids, {int} an integer id.
ENDPOINTS = [
    ("/search", ["q", "today"]),
    ("/services", ["search", "page", "per_page"]),
    ("/organizations", ["search", "page", "per_page"]),
    ("/services/{id}", []), ("/organizations/{id}", []),
    ("/alerts", ["official", "status"]), ("/alerts/{int}", []),
    ("/programs", []), ("/programs/{id}", []), ("/programs/{id}/areas/{id2}", ["skip"]),
    ("/inbox", []), ("/inbox/{id}", ["status"]),
    ("/campaigns/{int}", []),
    ("/elevators", ["top", "area"]),
    ("/emergency", ["building", "area", "near", "radius_m", "skills", "as_of"]),
    ("/admin/audit", ["actor", "action", "target", "since", "until"]),
    ("/sites", ["type", "group"]),
    ("/sites/locate", ["type", "model", "group", "p", "radius_m", "new_capacity",
                       "ignore_existing"]),
    ("/residents/{id}", []), ("/buildings/{id}", []),
]
JSON_ONLY = ("/services", "/organizations")
NO_HTML = ("/sites",)  # the HTML pages draw maps and charts: seconds each; their twin suffices


@st.composite
def requests_(draw):
    """A GET request: path (HTML page or .json twin) and query parameters."""
    path, names = draw(st.sampled_from(ENDPOINTS))
    path = path.format(id=draw(ids), id2=draw(ids), int=draw(ints))
    if not path.startswith(JSON_ONLY):
        if path.startswith(NO_HTML) or draw(st.booleans()):
            path += ".json"
    params = draw(st.fixed_dictionaries({}, optional={n: values for n in names}))
    return path, params


def check_response(response, sent) -> None:
    """No 5xx; JSON errors in the one shape; HTML never echoes a payload unescaped."""
    body = response.get_data(as_text=True)
    event(f"status {response.status_code}")
    assert response.status_code < 500, (response.status_code, body[:800])
    # The clients stay logged in: a redirect to /login or a 401 would test nothing.
    assert response.status_code not in (302, 401) or "/api/events" in response.request.path
    if response.is_json:
        document = response.get_json()
        if response.status_code >= 400:
            assert document["ok"] is False, document
            assert isinstance(document["error"], str) and document["error"].strip(), document
    elif response.mimetype == "text/html":
        for value in sent:
            for marker in MARKERS:
                if marker in str(value):
                    assert marker not in body, (marker, body[:400])


@examples(quick=60)
@given(requests_(), st.sampled_from(["admin", "official"]))
# Found by this test: ids past SQLite's INTEGER reached the store (OverflowError, a 500).
@example(req=("/alerts/" + "9" * 20, {}), role="admin")
@example(req=("/campaigns/" + "9" * 4400 + ".json", {}), role="official")
# Found in full mode: numbers past 64 bits sent to the graph (OverflowError in the driver).
@example(req=("/programs/dual_cancer_screening_2025/areas/A01.json", {"skip": "9" * 4000}),
         role="admin")
@example(req=("/services", {"page": "9" * 30}), role="official")
@example(req=("/services", {"page": "9" * 4301}), role="admin")
@example(req=("/organizations", {"page": "\u00b2"}), role="admin")
def test_get_endpoints(clients, req, role):
    path, params = req
    response = clients[role].get(path, query_string=params)
    check_response(response, [path, *params.values()])


console_statements = st.one_of(
    st.sampled_from(["MATCH (r:Resident) RETURN r.name AS name LIMIT 3",
                     "MATCH (n) RETURN count(n) AS n", "RETURN $x AS x",
                     "MATCH (r:Resident {resident_id: $id}) RETURN r",
                     "CREATE (n:Resident {resident_id: 'X'})", "MATCH (n) DETACH DELETE n",
                     "CALL db.labels()", "UNWIND range(1, 100000) AS x RETURN x"]),
    any_text, payload, st.sampled_from(MARKERS).map(lambda m: f"RETURN '{m}' AS x"))
console_params = st.one_of(json_values.map(json.dumps), any_text, st.just(""),
                           st.fixed_dictionaries({"x": values, "id": values}).map(json.dumps))


@examples(quick=40)
@given(console_statements, console_params, st.sampled_from(["", ".json"]),
       st.sampled_from(["admin", "official"]))
@example(statement="RETURN $x AS x", params=json.dumps({"x": 2**70}), ext=".json", role="admin")
def test_console_post(clients, statement, params, ext, role):
    response = clients[role].post(f"/console/run{ext}",
                                  data={"statement": statement, "params": params})
    check_response(response, [statement, params])


NAMED = {q.name: [p.name for p in q.params] for q in load_queries().values() if q.mode == "read"}


@st.composite
def named_query_forms(draw):
    """The console's named-query form: a query name and its parameter fields."""
    name = draw(st.sampled_from(sorted(NAMED)) | any_text)
    fields = {f"param_{p}": draw(values) for p in NAMED.get(name, [])}
    return {"query_name": name, **fields}


@examples(quick=30)
@given(named_query_forms(), st.sampled_from(["", ".json"]))
@example(form={"query_name": "tagged_residents", "param_limit": "9" * 30,
               "param_tag_id": "lone_elderly"}, ext=".json")
def test_console_named_query_post(clients, form, ext):
    response = clients["admin"].post(f"/console/run{ext}", data=form)
    check_response(response, list(form.values()))


@st.composite
def corrected_demands(draw):
    """The search page's corrected parse: a real parse with fields changed, or anything."""
    data = {**json.loads(json.dumps(DEMAND_JSON)),
            **draw(st.dictionaries(st.sampled_from(sorted(DEMAND_JSON)), json_values,
                                   max_size=3))}
    return draw(st.one_of(st.just(json.dumps(data)), json_values.map(json.dumps), any_text))


@examples(quick=25)
@given(corrected_demands(), st.sampled_from(["admin", "official"]))
# Found in full mode: a count past 64 bits reached the volunteer solver (OverflowError).
@example(raw=json.dumps({**DEMAND_JSON, "volunteers_wanted": "9" * 400}), role="admin")
@example(raw=json.dumps({**DEMAND_JSON, "head_count": 10**40}), role="official")
def test_corrected_demand_post(clients, raw, role):
    response = clients[role].post("/search", data={"demand": raw})
    check_response(response, [raw])


KINDS = event_kinds()


@st.composite
def events(draw):
    """An intake event of any kind, its properties drawn, then fields replaced at random."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    properties = draw(st.fixed_dictionaries({}, optional={
        prop: st.one_of(values, json_values, st.integers(), st.integers(2**62, 2**70),
                        st.dates().map(str))
        for prop in KINDS[kind]}))
    event = {"event_id": f"fuzz:{draw(st.integers(0, 10**9))}", "kind": kind,
             "date": "2025-06-25", "resident_id": draw(st.sampled_from(["R01", "R10", "R13"])),
             "source": "hospital_his", "properties": properties}
    for key in draw(st.lists(st.sampled_from(sorted(event) + ["extra"]), max_size=2)):
        event[key] = draw(st.one_of(json_values, values))
    return event


@examples(quick=30)
@given(st.one_of(events(), st.lists(events(), max_size=3), json_values),
       st.sampled_from([TOKEN, TOKEN, "wrong", None]))
# Found by this test: a list as the kind (TypeError, a 500 as an HTML page).
@example(body={"event_id": "fuzz:0", "kind": [], "date": None, "resident_id": "R01"},
         token=TOKEN)
def test_event_intake(clients, body, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = clients["official"].post("/api/events", json=body, headers=headers)
    check_response(response, [])
    if token != TOKEN:
        assert response.status_code == 401
    assert response.is_json


@examples(quick=20)
@given(st.binary(max_size=200))
def test_event_intake_with_a_body_that_is_not_json(clients, data):
    response = clients["admin"].post("/api/events", data=data, content_type="application/json",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    check_response(response, [])
    assert response.status_code in (200, 201, 400)


def test_posts_without_the_csrf_token_are_refused(settings, world, tmp_path):
    app = create_app({**settings, "graph_database": world.database,
                      "embedding_model": "hashing"})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    client = log_in_clients(app, "admin").test_client()
    for path, data in [("/console/run.json", {"statement": "MATCH (n) RETURN n LIMIT 1"}),
                       ("/search", {"demand": json.dumps(DEMAND_JSON)})]:
        response = client.post(path, data=data)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
