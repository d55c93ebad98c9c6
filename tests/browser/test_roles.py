"""In headless Chromium, as each role: what it lands on, what it may open and what it is
refused; an official acknowledges an alert from the inbox; an analyst runs a console query
and sees a write refused; a search proposal's invitee opens as a profile."""

from __future__ import annotations

import pytest

from tests.browser.test_pages import DEMAND

# role -> (pages it may open, pages it is refused with 403). Officials are scoped to A01:
# R01 lives there, R10 in A02.
ALLOWED = {
    "admin": ["/admin/users", "/console", "/dashboard", "/residents/R10", "/alerts"],
    "analyst": ["/console", "/dashboard", "/residents/R10"],
    "official": ["/inbox", "/alerts", "/residents/R01", "/search"],
    "partner": ["/search", "/"],
}
REFUSED = {
    "admin": [],
    "analyst": ["/admin/users"],
    "official": ["/console", "/dashboard", "/admin/users"],
    "partner": ["/alerts", "/inbox", "/residents/R01", "/console", "/dashboard"],
}


@pytest.fixture(scope="module")
def alert_id(settings, browser_graph):
    """A water alert for R01 (area A01, official O1) in the app's workflow store: its meter
    reads nothing from day 30, 22 h, and the check runs 30 h later."""
    import os

    from models import water_alerts as wa
    from queries import alerts
    from queries.store import connect
    from tests.models.test_water_alerts import at_hour, hourly_frame

    onset = 30 * 24 + 22
    readings = wa.readings_from_frame(
        hourly_frame(f"WMBROWSER{os.getpid()}", "H01", days=33, zero_from=onset))
    conn = connect(settings)
    try:
        return alerts.check(conn, browser_graph, readings, at=at_hour(onset + 30)).raised[0]
    finally:
        conn.close()


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_sees_its_pages_and_is_refused_the_others(open_page, users, role):
    watched = open_page(role)
    page = watched.page
    landing = page.goto("/")
    assert landing.status == 200 and page.url.endswith("/")
    assert page.inner_text("#current-user").startswith(f"{users[role]} ({role})")
    for path in ALLOWED[role]:
        response = page.goto(path)
        assert response.status == 200, (role, path, response.status)
        assert "/login" not in page.url
    # Every role may see the siting numbers (the map page itself: test_pages).
    assert page.request.get("/sites.json?type=dining_hall").status == 200
    assert watched.errors() == []
    for path in REFUSED[role]:
        response = page.goto(path)
        assert response.status == 403, (role, path, response.status)
        assert page.locator("p.error[role=alert]").is_visible()
    if role == "official":  # another area's resident, typed by hand: as if it did not exist
        response = page.goto("/residents/R10")
        assert response.status in (403, 404) and "Xu Guoqiang" not in page.content()
    # The refusals themselves are the only errors the browser reports.
    assert all("status of 403" in e or "status of 404" in e for e in watched.errors())


def test_admin_link_only_for_admins(open_page):
    admin, analyst = open_page("admin").page, open_page("analyst").page
    admin.goto("/")
    analyst.goto("/")
    assert admin.locator("header a[href='/admin/users']").count() == 1
    assert analyst.locator("header a[href='/admin/users']").count() == 0


def test_search_then_open_an_invited_resident(open_page):
    watched = open_page("analyst")
    page = watched.page
    page.goto("/search")
    page.fill("textarea[name=q]", DEMAND)
    page.click("form.search-box button[type=submit]")
    page.wait_for_selector("#proposal")
    assert "Linfen Garden Activity Room" in page.inner_text("#venue")
    invitee = page.locator("table.participants a").first
    name = invitee.inner_text()
    invitee.click()
    page.wait_for_url("**/residents/*")
    assert page.locator("h1").inner_text().find(name) >= 0
    assert page.locator("svg.neighbourhood").is_visible()
    assert "13900000001" not in page.content()  # phones stay masked on both pages
    assert watched.errors() == []


def test_partner_search_shows_resources_but_no_residents(open_page):
    watched = open_page("partner")
    page = watched.page
    page.goto("/search")
    page.fill("textarea[name=q]", DEMAND)
    page.click("form.search-box button[type=submit]")
    page.wait_for_selector("#proposal")
    assert "Linfen Garden Activity Room" in page.inner_text("#venue")
    assert page.locator("table.participants").count() == 0
    assert "Li Xiuying" not in page.content()
    assert watched.errors() == []


def test_official_acknowledges_an_alert_from_the_inbox(open_page, alert_id):
    watched = open_page("official")
    page = watched.page
    page.goto("/inbox/O1")
    row = page.locator("table.alerts tr.alert.open", has_text="Li Xiuying")
    assert row.count() == 1
    assert "139****0001" in row.inner_text()
    row.locator(f"a[href='/alerts/{alert_id}']").click()
    page.wait_for_url(f"**/alerts/{alert_id}")
    assert page.inner_text("#status") == "open"
    page.select_option("form.ack select[name=outcome]", "visited_ok")
    page.fill("form.ack input[name=note]", "checked in person, all well")
    page.click("form.ack button[type=submit]")
    page.wait_for_url(f"**/alerts/{alert_id}")
    assert page.inner_text("#status") == "visited_ok"
    assert "checked in person, all well" in page.content()
    page.goto("/inbox/O1")  # now listed as acknowledged, not open
    assert page.locator("table.alerts tr.alert.open", has_text="Li Xiuying").count() == 0
    assert watched.errors() == []


def test_console_runs_a_read_and_refuses_a_write(open_page, browser_graph):
    watched = open_page("analyst")
    page = watched.page
    page.goto("/console")
    page.fill("form.console-box textarea[name=statement]",
              "MATCH (r:Resident)-[:LIVES_IN]->(b:Building {building_id: 'B03'}) "
              "RETURN r.resident_id AS id ORDER BY id")
    page.click("form.console-box button[type=submit]:not([formaction])")
    page.wait_for_selector("#result-table")
    cells = page.locator("#result-table tbody td").all_inner_texts()
    assert cells == ["R10", "R11"]
    page.fill("form.console-box textarea[name=statement]",
              "CREATE (r:Resident {resident_id: 'RBROWSER', name: 'Intruder'}) RETURN r")
    page.click("form.console-box button[type=submit]:not([formaction])")
    message = page.wait_for_selector("#console-error").inner_text()
    assert "CREATE is refused" in message and "only reads" in message
    assert browser_graph.read("MATCH (r:Resident {resident_id: 'RBROWSER'}) RETURN count(r) AS n"
                              ).single_value() == 0
    # The refusal is answered 403: the browser reports that response, and nothing else.
    assert len(watched.errors()) == 1 and "/console/run" in watched.errors()[0] \
        and "status of 403" in watched.errors()[0]
