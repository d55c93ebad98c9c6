"""The service-point map page, its JSON twin, the proposal page, the error shape, over waitress too."""

import json
import os
from html import escape
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import free_port, settings_env
from tests.models.siting.siting_graph import siting_graph  # noqa: F401
from tests.webapp.login_helpers import http_login, log_in_clients
from webapp import create_app


@pytest.fixture(scope="module")
def client(settings, siting_graph):  # noqa: F811
    app = create_app({**settings, "graph_database": siting_graph.database})
    app.testing = True
    return log_in_clients(app, role="partner").test_client()  # no personal data: every role


def test_map_page_has_table_chart_map_and_form(client):
    response = client.get("/sites?type=dining_hall")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Linfen Dining Hall" in html and "大部分重叠 mostly duplicated" in html
    assert "<svg" in html  # the chart
    assert '<iframe class="sites-map"' in html and "leaflet" in html
    assert 'action="/sites/locate"' in html and 'name="model"' in html


def test_json_twin_holds_the_numbers_not_the_map(client):
    doc = client.get("/sites.json?type=dining_hall").get_json()
    assert doc["ok"] is True and "map_html" not in doc and "chart_svg" not in doc
    coverage = doc["coverage"]
    assert coverage["group"] == "seniors_80_plus" and coverage["service_type"] == "dining_hall"
    assert [p["point_id"] for p in coverage["points"]] == ["SP01", "SP02"]
    assert doc["service_types"] == ["dining_hall", "kindergarten"]
    assert set(doc["models"]) == {"mclp", "pmedian", "lscp", "cpmedian", "clscp"}


def test_proposal_page_and_twin(client):
    query = "/sites/locate{}?type=dining_hall&model=mclp&p=2&radius_m=300"
    doc = client.get(query.format(".json")).get_json()
    proposal = doc["proposal"]
    assert proposal["proven_optimal"] is True
    assert sorted(s["site_id"] for s in proposal["new_sites"]) == ["V90", "V91"]
    assert proposal["coverage_after"]["share"] == 1.0
    html = client.get(query.format("")).get_data(as_text=True)
    assert "optimal (proven by CBC)" in html and "East vacant premises" in html


@pytest.mark.parametrize("query, message", [
    ("model=mclp&p=abc", "p must be a whole number, got 'abc'"),
    ("model=mclp&p=7", "p=7 is larger than the 3 candidate sites"),
    ("model=clscp&radius_m=300", "need every site's capacity"),
])
def test_bad_input_gets_the_error_shape(client, query, message):
    response = client.get(f"/sites/locate.json?type=dining_hall&{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 400 and message in body["error"]
    page = client.get(f"/sites/locate?type=dining_hall&{query}")
    assert page.status_code == 400 and escape(message, quote=False) in \
        page.get_data(as_text=True).replace("&#39;", "'")


def test_unknown_type_is_a_400_naming_the_types(client):
    response = client.get("/sites.json?type=library")
    assert response.status_code == 400 and "dining_hall, kindergarten" in \
        response.get_json()["error"]


def test_pages_over_a_real_waitress_server(settings, siting_graph):  # noqa: F811
    port = free_port()
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": siting_graph.database, "MINQING_WEB_PORT": str(port)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "minqing"), "serve"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/sites.json", timeout=30):
                    pass
            except urllib.error.HTTPError as error:
                assert error.code == 401  # up, and the gate wants a login
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the app did not answer within 60 s"
                time.sleep(0.3)
        http_login(opener, base, settings, role="official", areas=("A01",))
        with opener.open(f"{base}/sites.json?type=dining_hall", timeout=60) as response:
            assert json.loads(response.read())["coverage"]["total_demand"] > 0
        with opener.open(f"{base}/sites/locate?type=dining_hall&model=pmedian&p=1",
                         timeout=60) as response:
            assert "optimal (proven by CBC)" in response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as error:
            opener.open(f"{base}/sites/locate.json?model=mclp&p=x", timeout=30)
        assert error.value.code == 400
    finally:
        process.terminate()
        process.wait(timeout=30)
