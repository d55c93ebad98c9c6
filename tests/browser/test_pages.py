"""In headless Chromium: search gives a proposal, the dashboard draws and refreshes its charts,
a profile page draws its SVG neighbourhood — each without JavaScript errors."""

from __future__ import annotations

import pytest

from tests.browser.conftest import javascript_errors, wait_for

DEMAND = ("a room for 30 people on Saturday afternoon, one volunteer who knows first aid, "
          "invite the lone seniors")


@pytest.fixture(autouse=True)
def _artefacts(screenshot):
    yield


def test_search_returns_a_proposal_for_a_typed_demand(logged_in, live_app):
    from selenium.webdriver.common.by import By

    logged_in.get(live_app + "/search")
    box = logged_in.find_element(By.NAME, "q")
    box.send_keys(DEMAND)
    logged_in.find_element(By.CSS_SELECTOR, "form.search-box button[type=submit]").click()
    proposal = wait_for(logged_in, lambda d: d.find_elements(By.ID, "proposal"))[0]
    assert "Linfen Garden Activity Room" in proposal.text
    assert "13900000001" not in logged_in.page_source
    assert javascript_errors(logged_in) == []


def test_dashboard_draws_charts_and_refreshes_its_numbers(logged_in, live_app, browser_graph):
    from selenium.webdriver.common.by import By

    from ingest.load import load_nodes

    logged_in.get(live_app + "/dashboard")
    wait_for(logged_in, lambda d: int(d.find_element(By.TAG_NAME, "body")
                                      .get_attribute("data-refreshes") or 0) >= 1)
    charts = logged_in.execute_script(
        "return Object.keys(window.minqingDashboard.charts).map(function (id) {"
        "  var c = window.minqingDashboard.charts[id];"
        "  return [id, c.canvas.width, c.data.datasets.length]; });")
    assert sorted(c[0] for c in charts) == ["chart-alerts", "chart-campaigns", "chart-coverage",
                                            "chart-programs", "chart-volunteers"]
    assert all(width > 0 and datasets >= 1 for _, width, datasets in charts)
    hours = logged_in.find_element(By.ID, "kpi-volunteer-hours")
    assert hours.text == "120"
    # A second volunteer joins: the next refresh (1 s, no cache here) shows 150 hours.
    load_nodes(browser_graph, "Volunteer", [{"volunteer_id": "L02", "skills": ["haircut"],
                                             "hours_served": 30}])
    wait_for(logged_in, lambda d: d.find_element(By.ID, "kpi-volunteer-hours").text == "150")
    assert logged_in.execute_script(
        "return window.minqingDashboard.charts['chart-volunteers'].data.labels"
    ) == ["first_aid", "haircut"]  # the chart was updated too, ordered by hours
    assert javascript_errors(logged_in) == []


def test_profile_page_renders_its_svg_graph(logged_in, live_app):
    from selenium.webdriver.common.by import By

    logged_in.get(live_app + "/residents/R04")
    svg = logged_in.find_element(By.CSS_SELECTOR, "svg.neighbourhood")
    assert svg.is_displayed() and svg.size["width"] > 100
    circles = svg.find_elements(By.TAG_NAME, "circle")
    assert len(circles) >= 5
    assert "Zhang Qiang" in logged_in.page_source
    assert javascript_errors(logged_in) == []
