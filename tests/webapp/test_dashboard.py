"""The dashboard page, its JSON twin, the KPI cache and the vendored Chart.js."""

from pathlib import Path

import pytest

from tests.webapp.login_helpers import log_in_clients
from webapp import create_app
from webapp.dashboard import KpiCache

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(settings, small_graph):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.testing = True
    return log_in_clients(app, role="analyst")


def test_page_has_kpis_canvases_and_the_local_chart_library(app):
    html = app.test_client().get("/dashboard").get_data(as_text=True)
    for chart in ("programs", "coverage", "alerts", "campaigns", "volunteers"):
        assert f'<canvas id="chart-{chart}"' in html
    assert 'id="kpi-volunteer-hours">120<' in html
    assert "/static/vendor/chart.umd.min.js" in html and "//cdn" not in html
    assert 'data-refresh-s="30"' in html


def test_json_twin_carries_every_number(app):
    from queries.dashboard import dashboard_kpis
    from queries.store import connect

    document = app.test_client().get("/dashboard.json").get_json()
    assert document["ok"] is True and document["refresh_s"] == 30
    assert document["volunteers"]["hours"] == 120.0
    assert document["service_coverage"]["buildings"] == 3
    settings = app.config["MINQING_SETTINGS"]
    with app.app_context():
        from webapp.graph_handle import get_graph

        conn = connect(settings)
        expected = dashboard_kpis(get_graph(), conn)
        conn.close()
    for key in ("programs", "residents_covered", "volunteers", "service_coverage"):
        assert document[key] == expected[key]


def test_numbers_are_cached_for_dashboard_cache_s(app):
    client = app.test_client()
    first = client.get("/dashboard.json").get_json()
    second = client.get("/dashboard.json").get_json()
    assert second["computed_at"] == first["computed_at"]
    assert app.extensions["minqing_dashboard_cache"].computations == 1


def test_no_cache_when_dashboard_cache_s_is_zero(settings, small_graph):
    app = log_in_clients(create_app({**settings, "graph_database": small_graph.database,
                                     "dashboard_cache_s": 0}), role="analyst")
    client = app.test_client()
    client.get("/dashboard.json")
    client.get("/dashboard.json")
    assert app.extensions["minqing_dashboard_cache"].computations == 2


def test_cache_serves_stale_numbers_while_another_request_recomputes():
    now = [0.0]
    cache = KpiCache(10, clock=lambda: now[0])
    assert cache.get(lambda: "a") == ("a", 0.0)
    now[0] = 5
    assert cache.get(lambda: "b") == ("a", 5)
    now[0] = 11
    cache._refreshing = True  # as if another request were computing right now
    assert cache.get(lambda: "b") == ("a", 11)
    cache._refreshing = False
    assert cache.get(lambda: "b") == ("b", 0.0)
    assert cache.computations == 2


def test_vendored_chart_js_is_the_pinned_npm_build():
    vendored = ROOT / "webapp" / "static" / "vendor" / "chart.umd.min.js"
    installed = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
    assert (ROOT / "webapp" / "static" / "vendor" / "chart.js-LICENSE.md").is_file()
    if not installed.is_file():
        pytest.skip("node_modules/chart.js is not installed (npm ci)")
    assert vendored.read_bytes() == installed.read_bytes()
