"""The search page and its JSON twin: parse, proposal with reasons, correction, bad input."""

import json

import pytest

from ingest.embed import embed_graph
from ingest.fixture_graph import load_fixture_graph
from models.embeddings import HashingEmbedder
from webapp import create_app
from tests.webapp.login_helpers import log_in_clients

DEMAND = ("a room for 30 people on Saturday afternoon, one volunteer who knows first aid, "
          "invite the lone seniors")


@pytest.fixture
def app(settings, empty_graph):
    load_fixture_graph(empty_graph)
    embed_graph(empty_graph, HashingEmbedder())
    return log_in_clients(create_app({**settings, "graph_database": empty_graph.database,
                                      "embedding_model": "hashing"}))


def test_json_twin_has_parse_and_proposal(app):
    document = app.test_client().get("/search.json", query_string={
        "q": DEMAND, "today": "2025-06-30"}).get_json()
    assert document["ok"] is True and document["demand"]["head_count"] == 30
    proposal = document["proposal"]
    assert proposal["venue"]["key"] == "V01"
    assert [v["key"] for v in proposal["volunteers"]] == ["L01"]
    assert proposal["participants"][0]["phone"] == "139****0001"


def test_page_shows_reasons_and_masks_phones(app):
    html = app.test_client().get("/search", query_string={
        "q": DEMAND, "today": "2025-06-30"}).get_data(as_text=True)
    assert "Linfen Garden Activity Room" in html and "seats 40 ≥ 30" in html
    assert "13900000001" not in html and "139****0001" in html
    assert 'name="csrf_token"' in html


def test_a_corrected_parse_is_proposed_again(app):
    client = app.test_client()
    demand = client.get("/search.json", query_string={"q": DEMAND, "today": "2025-06-30"}
                        ).get_json()["demand"]
    demand["head_count"] = 500  # the user corrects 30 to 500: no room seats that many
    app.config["WTF_CSRF_ENABLED"] = False
    html = client.post("/search", data={"demand": json.dumps(demand)}).get_data(as_text=True)
    assert "no venue in the district seats 500; the largest seats 40" in html


def test_bad_input_never_an_error_page(app):
    client = app.test_client()
    for text in ["", "🙂" * 50, "MATCH (n) DETACH DELETE n", "x" * 5000, "一万人的场地"]:
        response = client.get("/search.json", query_string={"q": text})
        assert response.status_code == 200 and response.get_json()["ok"] is True
    assert client.get("/search.json?q=room&today=2025-02-30").status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/search", data={"demand": "{not json"})
    assert response.status_code == 400 and "cannot be read" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app):
    assert app.test_client().post("/search", data={"demand": "{}"}).status_code == 400


def test_several_lines_are_assigned_jointly(app):
    line = "a room for 20 people on Saturday afternoon, one volunteer who knows first aid"
    document = app.test_client().get("/search.json", query_string={
        "q": f"{line}\n\n{line}", "today": "2025-06-30"}).get_json()
    first, (second,) = document["proposal"], document["others"]
    venues = {first["venue"]["key"] if first["venue"] else None,
              second["proposal"]["venue"]["key"] if second["proposal"]["venue"] else None}
    assert venues == {"V01", None}  # one room in the fixture: never booked twice
    loser = first if first["venue"] is None else second["proposal"]
    assert any("taken at the same time" in u for u in loser["unmet"])
    html = app.test_client().get("/search", query_string={
        "q": f"{line}\n{line}", "today": "2025-06-30"}).get_data(as_text=True)
    assert "Demand 2" in html
