"""The OpenAPI 3.1 document: valid, complete against the url_map, and true of real answers."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.webapp.login_helpers import log_in_clients
from webapp import create_app
from webapp.openapi import is_api_rule


@pytest.fixture
def app(settings, small_graph):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.testing = True
    return log_in_clients(app, role="admin")


@pytest.fixture
def document(app):
    return app.test_client().get("/openapi.json").get_json()


def _check(document, schema_name, instance):
    schema = {"$ref": f"#/components/schemas/{schema_name}",
              "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_json_route_is_described(app, document):
    described = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if is_api_rule(rule.rule):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", "{" + argument + "}").replace(
                    f"<{argument}>", "{" + argument + "}")
            assert path in described, rule.rule
    assert {"/dashboard.json", "/residents/{resident_id}.json", "/api/events",
            "/services", "/organizations/{hsds_id}"} <= described
    assert document["paths"]["/alerts/{alert_id}.json"]["get"]["parameters"][0]["schema"] \
        == {"type": "integer"}


@pytest.mark.parametrize("url, schema_name", [
    ("/dashboard.json", "Dashboard"), ("/residents/R01.json", "ResidentProfile"),
    ("/buildings/B02.json", "BuildingProfile"), ("/index.json", "Page"),
    ("/services", "HsdsPage"), ("/openapi.json", "OpenApi")])
def test_answers_follow_their_schema(app, document, url, schema_name):
    response = app.test_client().get(url)
    assert response.status_code == 200
    _check(document, schema_name, response.get_json())
    path = url if url in document["paths"] else url.replace("R01", "{resident_id}").replace(
        "B02", "{building_id}")
    ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert ref["schema"]["$ref"].endswith("/" + schema_name)


def test_schemas_reject_wrong_answers(document):
    with pytest.raises(jsonschema.ValidationError):
        _check(document, "BuildingProfile", {"ok": True, "building": {}, "elevator": "none",
                                             "area": {}, "neighbourhood": {"nodes": [],
                                                                           "edges": []},
                                             "residents": [{"resident_id": "R1",
                                                            "phone": "13900000001"}]})


def test_errors_follow_the_error_schema(app, document):
    response = app.test_client().get("/residents/R99.json")
    assert response.status_code == 404
    _check(document, "Error", response.get_json())


def test_api_page_lists_the_endpoints(app):
    html = app.test_client().get("/api").get_data(as_text=True)
    assert "/dashboard.json" in html and "/openapi.json" in html and "POST" in html


def test_post_without_csrf_token_is_refused(app):
    response = app.test_client().post("/console/run.json", data={"statement": "RETURN 1"})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]
