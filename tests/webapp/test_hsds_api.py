"""The HSDS 3.0 API: shapes validated against the upstream JSON schemas, pages, search,
CORS, errors; once through a real waitress server."""

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ingest.hsds.importer import import_hsds
from ingest.hsds.ohana import import_ohana
from ingest.hsds.schemas import validate
from tests.conftest import _open_database, free_port, stop_waitress
from webapp import create_app

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
SCHEMAS = DATASETS / "hsds-3.0" / "schema"
PAGE_SCHEMA = json.loads((SCHEMAS / "openapi.json").read_text())["components"]["schemas"]["Page"]
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture(scope="module")
def directory_graph(settings, server, tmp_path_factory):
    """A database holding the HSDS examples and the Ohana sample (24 services, 9 orgs)."""
    graph = _open_database(settings, server, "hsds_api")
    quarantine = tmp_path_factory.mktemp("hsds") / "q.csv"
    import_hsds(graph, DATASETS / "hsds-3.0" / "example_service_full.json", quarantine)
    import_ohana(graph, DATASETS / "ohana-sample", quarantine)
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def app(settings, directory_graph):
    return create_app({**settings, "graph_database": directory_graph.database})


@pytest.fixture
def client(app):
    return app.test_client()


def check_page(document, item_table):
    assert list(Draft202012Validator(PAGE_SCHEMA).iter_errors(document)) == []
    assert set(document) == {"total_items", "total_pages", "page_number", "size",
                             "first_page", "last_page", "empty", "contents"}
    for item in document["contents"]:
        assert validate(item_table, item, SCHEMAS) == [], item["id"]


def test_services_page_validates_and_pages_cover_everything(client, directory_graph):
    total = directory_graph.read("MATCH (s:Service) RETURN count(s) AS n").single_value()
    seen = []
    first = client.get("/services?per_page=5").get_json()
    assert first["total_items"] == total == 24 and first["total_pages"] == 5
    for page in range(1, 6):
        document = client.get(f"/services?per_page=5&page={page}").get_json()
        check_page(document, "service")
        assert document["page_number"] == page and document["first_page"] == (page == 1)
        assert document["last_page"] == (page == 5)
        seen += [item["id"] for item in document["contents"]]
    assert len(seen) == len(set(seen)) == total
    beyond = client.get("/services?per_page=5&page=6").get_json()
    assert beyond["empty"] is True and beyond["contents"] == [] and beyond["size"] == 0


def test_list_items_carry_their_organization(client):
    items = client.get("/services?per_page=100").get_json()["contents"]
    library = next(item for item in items if item["name"] == "Main Library")
    assert library["organization"]["name"] == "Redwood City Public Library"
    assert library["organization_id"] == library["organization"]["id"]


def test_search_finds_by_words_and_ignores_operators(client):
    document = client.get("/services?search=library").get_json()
    check_page(document, "service")
    names = {item["name"] for item in document["contents"]}
    assert "Main Library" in names and "Community Counselling" not in names
    assert document["total_items"] == len(names)
    counselling = client.get("/services?search=counselling").get_json()["contents"]
    assert SERVICE_ID in {item["id"] for item in counselling}
    for text in ['(library"', "library AND", "*", "DROP TABLE; MATCH (n) DELETE n"]:
        response = client.get("/services", query_string={"search": text})
        assert response.status_code == 200, text


def test_full_service_validates(client):
    response = client.get(f"/services/{SERVICE_ID}")
    document = response.get_json()
    assert response.status_code == 200
    assert validate("service", document, SCHEMAS) == []
    assert document["service_at_locations"][0]["location"]["name"] == "MyCity Civic Center"
    assert "contacts" not in document and "search_text" not in json.dumps(document)


def test_ohana_service_has_location_schedules_and_terms(client):
    items = client.get("/services?search=passport").get_json()["contents"]
    passport = next(item for item in items if item["name"] == "Passport Photos")
    document = client.get(f"/services/{passport['id']}").get_json()
    assert validate("service", document, SCHEMAS) == []
    assert {s["byday"] for s in document["schedules"]} == {"MO", "WE"}
    assert {a["taxonomy_term"]["code"] for a in document["attributes"]} == {
        "105", "108", "108-05", "108-05-01", "111", "111-05"}
    location = document["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (37.7726402, -122.4099154)


def test_organizations_list_and_full_document(client):
    document = client.get("/organizations").get_json()
    check_page(document, "organization")
    assert document["total_items"] == 9
    library = next(o for o in document["contents"] if o["name"] == "Redwood City Public Library")
    full = client.get(f"/organizations/{library['id']}").get_json()
    assert validate("organization", full, SCHEMAS) == []
    assert {s["name"] for s in full["services"]} == {
        "Fair Oaks Branch", "Main Library", "Schaberg Branch", "Project Read",
        "Redwood Shores Branch"}
    assert len(full["locations"]) == 5
    searched = client.get("/organizations?search=volunteers").get_json()["contents"]
    assert [o["name"] for o in searched] == ["Peninsula Volunteers"]


def test_unknown_id_and_bad_parameters_answer_in_the_json_error_shape(client):
    for url, status in (("/services/no-such-id", 404), ("/organizations/nope", 404),
                        ("/services?per_page=0", 400), ("/services?per_page=1000", 400),
                        ("/services?page=abc", 400), ("/organizations?page=-1", 400)):
        response = client.get(url)
        assert response.status_code == status, url
        body = response.get_json()
        assert set(body) == {"ok", "error", "status", "title"} and body["status"] == status
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "per_page" in client.get("/services?per_page=1000").get_json()["error"]


def test_cors_header_over_real_http(app):
    from waitress import create_server

    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/services?per_page=2",
                                    timeout=30) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert len(json.loads(response.read())["contents"]) == 2
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/organizations/nope", timeout=30)
        assert error.value.code == 404
        assert error.value.headers["Access-Control-Allow-Origin"] == "*"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert "Access-Control-Allow-Origin" not in response.headers  # only the API
    finally:
        stop_waitress(server, thread)
