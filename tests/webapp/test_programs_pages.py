"""The programs pages and their JSON twins, on the fixture graph with stored silent groups."""

import datetime as dt

import pytest

from ingest.fixture_graph import load_fixture_graph
from queries.programs import load_programs, refresh_silent_groups
from webapp import create_app
from tests.webapp.login_helpers import log_in_clients


@pytest.fixture
def client(settings, empty_graph):
    load_fixture_graph(empty_graph)
    # Lone seniors who have not booked an anti-fraud talk: R01 in Linfen Garden (A01).
    refresh_silent_groups(empty_graph, [load_programs()["anti_fraud_talk_2025"]],
                          dt.date(2025, 6, 30))
    app = create_app({**settings, "graph_database": empty_graph.database})
    return log_in_clients(app).test_client()


def test_program_list_shows_stored_sizes(client):
    document = client.get("/programs.json").get_json()
    sizes = {p["program_id"]: p["silent_size"] for p in document["programs"]}
    assert sizes["anti_fraud_talk_2025"] == 1
    assert sizes["elderly_checkup_2025"] == 0
    html = client.get("/programs").get_data(as_text=True)
    assert "2025年独居老人防诈骗讲座" in html and "not yet: run minqing programs refresh" in html


def test_program_page_groups_by_area_and_official(client):
    document = client.get("/programs/anti_fraud_talk_2025.json").get_json()
    (group,) = document["groups"]
    assert group["area_id"] == "A01" and group["size"] == 1
    assert [o["official_id"] for o in group["officials"]] == ["O1"]
    assert "Wang Li" in client.get("/programs/anti_fraud_talk_2025").get_data(as_text=True)


def test_area_page_lists_members_with_masked_phones_and_reasons(client):
    document = client.get("/programs/anti_fraud_talk_2025/areas/A01.json").get_json()
    (member,) = document["members"]
    assert member["resident_id"] == "R01" and member["phone"] == "139****0001"
    assert "tag lone_elderly" in member["reasons"]
    html = client.get("/programs/anti_fraud_talk_2025/areas/A01").get_data(as_text=True)
    assert "13900000001" not in html and "139****0001" in html


def test_unknown_program_and_area_are_404_with_the_json_shape(client):
    response = client.get("/programs/nope.json")
    assert response.status_code == 404 and response.get_json()["ok"] is False
    response = client.get("/programs/anti_fraud_talk_2025/areas/A02.json")
    assert response.status_code == 404
    assert "minqing programs refresh" in response.get_json()["error"]
    assert client.get("/programs/anti_fraud_talk_2025/areas/A01.json?skip=x").status_code == 400
