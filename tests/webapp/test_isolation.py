"""Grid-level isolation: an official of Linfen Garden (A01) never sees a resident of Fenxi
Estate (A02) — on any page, JSON twin, export or search — and a partner sees no residents.

The fixture graph: A01 holds R01-R09 and R12 (B01, B02); A02 holds R10 and R11 (B03). Every
test here looks for A02's residents' ids, names and phones in the whole response.
"""

import datetime as dt

import pytest

from ingest.embed import embed_graph
from ingest.fixture_graph import RESIDENTS, load_fixture_graph
from models.embeddings import HashingEmbedder
from queries.programs import load_programs, refresh_silent_groups
from queries import audit
from queries.store import connect
from tests.webapp.login_helpers import log_in_clients
from webapp import create_app

A02 = [r for r in RESIDENTS if r["building_id"] == "B03"]  # R10, R11
A01 = [r for r in RESIDENTS if r["building_id"] != "B03"]
LONE_SENIORS = ("a room for 30 people on Saturday afternoon, one volunteer who knows first "
                "aid, invite the lone seniors")


def leaks(text: str, people) -> list[str]:
    """The ids, names or phones of ``people`` found in ``text``."""
    return [value for person in people for value in
            (person["resident_id"], person["name"], person["phone"], "****" + person["phone"][-4:])
            if value in text]


@pytest.fixture(scope="module")
def world(settings, server, tmp_path_factory):
    """The fixture graph with stored silent groups for every program and embeddings."""
    from tests.conftest import _open_database

    graph = _open_database(settings, server, "isolation")
    load_fixture_graph(graph)
    refresh_silent_groups(graph, list(load_programs().values()), dt.date(2025, 6, 30))
    embed_graph(graph, HashingEmbedder())
    yield graph
    graph.close()


@pytest.fixture
def app_for(settings, world, tmp_path):
    def make(role, areas=()):
        app = create_app({**settings, "graph_database": world.database,
                          "embedding_model": "hashing"})
        app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
        app.config["WTF_CSRF_ENABLED"] = False
        return log_in_clients(app, role, areas)
    return make


PAGES = ["/programs.json", "/programs", "/inbox.json", "/inbox", "/alerts.json",
         "/campaigns.json", "/emergency.json?area=Fenxi%20Estate",
         "/emergency.json?area=Linfen%20Garden", "/emergency?building=B03",
         "/elevators.json"] + [f"/programs/{p}.json" for p in load_programs()]


def test_official_of_a01_sees_no_resident_of_a02_on_any_page(app_for):
    client = app_for("official", ("A01",)).test_client()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert leaks(response.get_data(as_text=True), A02) == [], url


def test_the_admin_sees_both_areas(app_for):
    """The same pages do show A02's residents to an admin (so the test above can fail)."""
    client = app_for("admin").test_client()
    text = client.get("/emergency.json?area=Fenxi%20Estate").get_data(as_text=True)
    assert leaks(text, A02)
    groups = {g["area_id"] for p in load_programs()
              for g in client.get(f"/programs/{p}.json").get_json()["groups"]}
    assert {"A01", "A02"} <= groups


def test_urls_with_another_areas_ids_are_not_found(app_for):
    client = app_for("official", ("A01",)).test_client()
    for program in load_programs():
        response = client.get(f"/programs/{program}/areas/A02.json")
        assert response.status_code == 404
        assert leaks(response.get_data(as_text=True), A02) == []
    assert client.get("/inbox/O2.json").status_code == 404
    assert client.get("/inbox/O1.json").status_code == 200
    # An unknown resident and another area's resident look the same.
    assert client.post("/campaigns/1/optout", data={"resident_id": "R10"}).status_code == 404


def test_exports_are_cut_to_the_officials_areas_and_audited(app_for, settings):
    def exports_by_the_official():
        conn = connect(settings)  # emergency exports audit into the data_dir's store
        try:
            audit.ensure_schema(conn, audit.SCHEMA)
            return conn.execute("SELECT count(*) FROM audit_log WHERE actor = 'official_A01' "
                                "AND action LIKE 'emergency_list.%'").fetchone()[0]
        finally:
            conn.close()

    before = exports_by_the_official()
    client = app_for("official", ("A01",)).test_client()
    csv = client.post("/emergency.csv", data={"area": "Fenxi Estate"})
    assert csv.status_code == 200
    assert leaks(csv.data.decode("utf-8-sig"), A02) == []
    printed = client.post("/emergency/print", data={"building": "B01,B03"})
    text = printed.get_data(as_text=True)
    assert leaks(text, A02) == [] and "Li Xiuying" in text  # R01 of B01 is theirs
    assert exports_by_the_official() == before + 2


def test_search_invitees_by_role(app_for):
    def invitees(client):
        document = client.get("/search.json", query_string={
            "q": LONE_SENIORS, "today": "2025-06-30"}).get_json()
        return [m["key"] for m in document["proposal"]["participants"]]

    assert "R01" in invitees(app_for("admin").test_client())
    assert invitees(app_for("official", ("A01",)).test_client()) == ["R01"]
    assert invitees(app_for("official", ("A02",)).test_client()) == []
    partner = app_for("partner").test_client()
    assert invitees(partner) == []
    html = partner.get("/search", query_string={"q": LONE_SENIORS,
                                                "today": "2025-06-30"}).get_data(as_text=True)
    assert leaks(html, RESIDENTS[:1]) == []  # R01, the lone senior, not named to a partner


def test_official_of_a02_sees_only_a02(app_for):
    client = app_for("official", ("A02",)).test_client()
    for url in PAGES:
        text = client.get(url).get_data(as_text=True)
        assert leaks(text, A01) == [], url
