"""Every GET endpoint of the app, walked as an official of one area: no other area's resident.

The route list is the app's own ``url_map``, so a page added later is walked too; a URL
argument without sample values fails the test until one is added to ``SAMPLES``. Each
endpoint with URL arguments is requested with the ids of every area, each list page with
the query strings pages take (another area's name, official, building; a search for lone
seniors). The workflow store
holds a water alert, a notice and a campaign for a resident of each area, written through
the real paths (alert check, the event intake API, campaign creation).

Fixture graph: A01 (Linfen Garden) holds R01-R09 and R12; A02 (Fenxi Estate) holds R10 and
R11; ``add_notice_world`` adds A03 with R13.
"""

import datetime as dt
import itertools

import pytest

from ingest.embed import embed_graph
from ingest.fixture_graph import RESIDENTS, load_fixture_graph
from models import water_alerts as wa
from models.embeddings import HashingEmbedder
from queries import alerts
from queries.outreach.campaigns import create_campaign
from queries.programs import load_programs, refresh_silent_groups
from queries.store import connect
from tests.models.test_water_alerts import at_hour, hourly_frame
from tests.queries.notices.conftest import add_notice_world
from tests.webapp.login_helpers import log_in_clients
from tests.webapp.test_isolation import A02, leaks
from webapp import create_app

TOKEN = "walk-intake-token-0123456789"
ONSET = 30 * 24 + 22
QUERIES = ["", "area=Fenxi%20Estate", "area=A02", "official=O2", "building=B03",
           "resident=R10", "q=invite+the+lone+seniors+and+disabled+residents&today=2025-06-30"]
SKIPPED = {"static", "auth.logout"}  # files; logging out ends the walk's session


@pytest.fixture(scope="module")
def walk_world(settings, server, tmp_path_factory):
    """The fixture graph with both areas' silent groups, alerts, notices and a campaign."""
    from tests.conftest import _open_database

    graph = _open_database(settings, server, "isolation_walk")
    load_fixture_graph(graph)
    add_notice_world(graph)
    refresh_silent_groups(graph, list(load_programs().values()), dt.date(2025, 6, 30))
    embed_graph(graph, HashingEmbedder())
    store = str(tmp_path_factory.mktemp("walk") / "workflow.sqlite3")
    conn = connect(store)
    alert_ids = []
    for household, meter in (("H01", "WMWALK1"), ("H05", "WMWALK5")):
        readings = wa.readings_from_frame(hourly_frame(meter, household, days=33,
                                                       zero_from=ONSET))
        alert_ids += alerts.check(conn, graph, readings, at=at_hour(ONSET + 30)).raised
    campaign = create_campaign(conn, "walk", "{{ name }}，欢迎预约。", [
        {"resident_id": r["resident_id"], "name": r["name"], "phone": r["phone"],
         "area_name": "Linfen Garden" if r["building_id"] != "B03" else "Fenxi Estate"}
        for r in RESIDENTS]).campaign_id
    conn.close()
    app = _app(settings, graph, store)
    events = [{"event_id": f"his:walk-{r}", "kind": "hospital_discharge", "date": "2025-06-25",
               "resident_id": r, "source": "hospital_his", "properties": {"hospital": "十院"}}
              for r in ("R01", "R10")]
    response = app.test_client().post("/api/events", json=events,
                                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    yield {"graph": graph, "store": store, "alerts": alert_ids, "campaign": campaign}
    graph.close()


def _app(settings, graph, store):
    app = create_app({**settings, "graph_database": graph.database,
                      "embedding_model": "hashing", "intake_token": TOKEN})
    app.config["WORKFLOW_STORE"] = store
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def samples(world) -> dict[str, list[str]]:
    """Values for each URL argument: ids of both areas (and A03's), so cut-offs are tried."""
    return {"resident_id": ["R01", "R10", "R11", "R13"], "building_id": ["B01", "B03", "B04"],
            "area_id": ["A01", "A02", "A03"], "official_id": ["O1", "O2", "O3"],
            "program_id": list(load_programs())[:4],
            "alert_id": [str(a) for a in world["alerts"]],
            "campaign_id": [str(world["campaign"])],
            "hsds_id": ["no-such-service"], "name": ["admin"], "notice_id": ["1"]}


def urls(app, world) -> list[str]:
    """Every GET URL of the app with every combination of sample arguments and queries."""
    values = samples(world)
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        missing = sorted(set(rule.arguments) - set(values))
        assert not missing, f"add sample values for {missing} of {rule.rule} to SAMPLES"
        names = sorted(rule.arguments)
        for combo in itertools.product(*(values[n] for n in names)):
            path = rule.rule
            for name, value in zip(names, combo):
                path = path.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
            # Query strings select areas on list pages; pages of one id take none.
            found += [f"{path}?{query}" if query else path
                      for query in (QUERIES if not names else [""])]
    return found


# What a POST carries: another area's names and ids, a console query reading residents.
FORM = {"q": "invite the lone seniors and disabled residents", "today": "2025-06-30",
        "area": "Fenxi Estate", "building": "B01,B03", "resident_id": "R10",
        "reason": "walk", "outcome": "visited", "note": "walk",
        "query": "MATCH (r:Resident) RETURN r.resident_id, r.name, r.phone"}


def post_urls(app, world) -> list[str]:
    """Every POST-only URL of the app, with the first sample of each argument."""
    values = samples(world)
    found = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or "GET" in rule.methods or rule.endpoint in SKIPPED:
            continue
        path = rule.rule
        for name in rule.arguments:
            assert name in values, f"add sample values for {name} of {rule.rule} to SAMPLES"
            path = path.replace(f"<{name}>", values[name][0]).replace(
                f"<int:{name}>", values[name][0])
        found.append(path)
    return found


def walk(client, app, world) -> dict[str, list[str]]:
    """GET every URL and POST every POST-only one; return the A02 values found per URL
    (and fail on a 5xx)."""
    seen = {}
    requests = [(client.get, url, {}) for url in urls(app, world)] + [
        (client.post, url, {"data": FORM}) for url in post_urls(app, world)]
    for send, url, extra in requests:
        response = send(url, **extra)
        assert response.status_code < 500, (url, response.status_code,
                                            response.get_data(as_text=True)[:300])
        # An id typed into the URL or form may be echoed in the "not found" message (the same
        # for an id that does not exist); anything else of theirs is a leak.
        typed = url + " ".join(extra.get("data", {}).values())
        found = [v for v in leaks(response.get_data(as_text=True), A02) if v not in typed]
        if found:
            seen[url] = found
    return seen


def test_an_official_of_a01_never_receives_a_resident_of_a02(settings, walk_world):
    app = _app(settings, walk_world["graph"], walk_world["store"])
    client = log_in_clients(app, "official", ("A01",)).test_client()
    assert walk(client, app, walk_world) == {}


def test_the_walk_would_see_them_as_an_admin(settings, walk_world):
    """The same walk as an admin finds A02's residents on many pages: the walk can fail."""
    app = _app(settings, walk_world["graph"], walk_world["store"])
    client = log_in_clients(app, "admin").test_client()
    seen = walk(client, app, walk_world)
    kinds = {url.split("?")[0].split("/")[1] for url in seen}
    assert {"residents", "alerts", "inbox", "programs", "campaigns", "emergency"} <= kinds, kinds


def test_the_walk_covers_every_json_twin(settings, walk_world):
    app = _app(settings, walk_world["graph"], walk_world["store"])
    walked = {url.split("?")[0] for url in urls(app, walk_world) + post_urls(app, walk_world)}
    json_rules = [r.rule for r in app.url_map.iter_rules() if r.rule.endswith(".json")]
    assert len(json_rules) > 20
    for rule in json_rules:
        stem = rule.split("<")[0]
        assert any(url.startswith(stem) and url.endswith(".json") for url in walked), rule
