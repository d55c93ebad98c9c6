"""In headless Chromium: search gives a proposal, the dashboard draws and refreshes its charts,
a profile page draws its SVG neighbourhood, the siting map loads — each without JavaScript
errors."""

from __future__ import annotations

from urllib.parse import urlsplit

DEMAND = ("a room for 30 people on Saturday afternoon, one volunteer who knows first aid, "
          "invite the lone seniors")


def test_search_returns_a_proposal_for_a_typed_demand(open_page):
    watched = open_page("analyst")
    page = watched.page
    page.goto("/search")
    page.fill("textarea[name=q]", DEMAND)
    page.click("form.search-box button[type=submit]")
    proposal = page.wait_for_selector("#proposal")
    assert "Linfen Garden Activity Room" in proposal.inner_text()
    assert "13900000001" not in page.content()
    assert watched.errors() == []


def test_dashboard_draws_charts_and_refreshes_its_numbers(open_page, browser_graph):
    from ingest.load import load_nodes

    watched = open_page("analyst")
    page = watched.page
    page.goto("/dashboard")
    page.wait_for_function("() => Number(document.body.dataset.refreshes || 0) >= 1")
    charts = page.evaluate(
        "Object.keys(window.minqingDashboard.charts).map(function (id) {"
        "  var c = window.minqingDashboard.charts[id];"
        "  return [id, c.canvas.width, c.data.datasets.length]; })")
    assert sorted(c[0] for c in charts) == ["chart-alerts", "chart-campaigns", "chart-coverage",
                                            "chart-programs", "chart-volunteers"]
    assert all(width > 0 and datasets >= 1 for _, width, datasets in charts)
    assert page.inner_text("#kpi-volunteer-hours") == "120"
    # A second volunteer joins: the next refresh (1 s, no cache here) shows 150 hours.
    load_nodes(browser_graph, "Volunteer", [{"volunteer_id": "L02", "skills": ["haircut"],
                                             "hours_served": 30}])
    page.wait_for_function(
        "() => document.getElementById('kpi-volunteer-hours').textContent.trim() === '150'")
    assert page.evaluate(
        "window.minqingDashboard.charts['chart-volunteers'].data.labels"
    ) == ["first_aid", "haircut"]  # the chart was updated too, ordered by hours
    assert watched.errors() == []


def test_profile_page_renders_its_svg_graph(open_page):
    watched = open_page("analyst")
    page = watched.page
    page.goto("/residents/R04")
    svg = page.locator("svg.neighbourhood")
    assert svg.is_visible() and svg.bounding_box()["width"] > 100
    assert svg.locator("circle").count() >= 5
    assert "Zhang Qiang" in page.content()
    assert watched.errors() == []


def test_siting_map_loads_without_javascript_errors(open_page):
    """The map page loads and its map draws from the vendored Leaflet (no CDN); only the map's
    tiles (the internet) may fail."""
    watched = open_page("partner")
    page = watched.page
    hosts = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    response = page.goto("/sites?type=dining_hall")  # "load": the map's iframe has run too
    assert response.status == 200
    assert "Linfen Dining Hall" in page.inner_text("main")
    assert page.locator("iframe.sites-map").is_visible()
    assert watched.errors() == []
    frame = page.frame_locator("iframe.sites-map")
    frame.locator(".leaflet-container").wait_for()
    assert frame.locator(".leaflet-interactive").count() >= 2  # the service areas drawn
    assert frame.locator(".awesome-marker .fa-circle-info").count() >= 1  # the points' markers
    # Nothing came from a CDN: only the app itself and the tile server were asked.
    assert hosts - {"", "tile.openstreetmap.org"} == {urlsplit(watched.base).netloc}


def test_elevator_map_document_loads_leaflet_from_the_app(open_page):
    """The elevator map (a whole folium document, no ranking stored here: no buildings) draws
    its Leaflet map from the vendored copy under the map's nonce policy, without errors."""
    watched = open_page("analyst")
    page = watched.page
    response = page.goto("/elevators/map")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    page.locator(".leaflet-container").wait_for()
    assert page.evaluate("typeof L.AwesomeMarkers") == "object"
    assert page.locator(".leaflet-control-layers").count() == 1
    assert watched.errors() == []
