"""The dashboard's numbers on the fixture graph and a private workflow store, and the Cypher
lint of every query the dashboard and the profiles send."""

import datetime as dt

import pytest

from graph.cypher_lint import lint_queries
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes
from queries import dashboard, profiles
from queries.outreach import campaigns as outreach
from queries.programs.catalogue import parse_programs, known_tag_ids
from queries.programs.silent import refresh_silent_groups
from queries.store import connect

SCREENING = parse_programs([{
    "id": "fixture_screening", "name": "Free dual-disease screening for women 50-74",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "eligibility": {"sex": "F", "age": {"between": [50, 74]}},
    "booking": {"programs": ["Free dual-disease screening for women 50-74"]}}],
    known_tag_ids())["fixture_screening"]


@pytest.fixture
def store(tmp_path):
    conn = connect(tmp_path / "workflow.sqlite3")
    yield conn
    conn.close()


def test_dashboard_and_profile_queries_pass_the_cypher_lint():
    queries = {**dashboard.all_queries(), **profiles.all_queries()}
    results = lint_queries(queries)
    assert set(results) == set(queries)
    assert {name: [e.message for e in r.errors] for name, r in results.items() if r.errors} == {}


def test_program_coverage_counts_covered_and_silent_residents(empty_graph):
    # Women 50-74 on 2026-01-01: R03 (68), R05 (61), R11 (57); R05 booked the screening.
    load_fixture_graph(empty_graph)
    [before] = dashboard.program_coverage(empty_graph, [SCREENING])
    assert before["covered"] == 1 and before["silent"] is None and before["coverage_rate"] is None
    refresh_silent_groups(empty_graph, [SCREENING], dt.date(2026, 6, 30))
    [row] = dashboard.program_coverage(empty_graph, [SCREENING])
    assert (row["covered"], row["silent"], row["eligible"]) == (1, 2, 3)
    assert row["coverage_rate"] == pytest.approx(1 / 3, abs=1e-4)


def test_volunteer_hours(small_graph):
    hours = dashboard.volunteer_hours(small_graph)
    assert hours == {"volunteers": 1, "hours": 120.0,
                     "by_skill": [{"skill": "first_aid", "volunteers": 1, "hours": 120.0}]}


def test_service_coverage_shares_of_buildings(empty_graph):
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "ServicePoint", [
        # at B01: B01 (0 m) and B02 (233 m) within 300 m, B03 (~460 m) not
        {"point_id": "S1", "type": "clinic", "lat": 31.2712, "lon": 121.4531,
         "service_radius_m": 300},
        {"point_id": "S2", "type": "meal_point", "lat": 31.2690, "lon": 121.4490,
         "service_radius_m": 100},
        {"point_id": "S3", "type": "meal_point", "lat": 31.0, "lon": 121.0},  # no radius
    ])
    coverage = dashboard.service_coverage(empty_graph)
    assert coverage["buildings"] == 3 and coverage["points"] == 2
    assert coverage["any_share"] == 1.0
    assert coverage["by_type"] == [
        {"type": "clinic", "points": 1, "buildings_covered": 2, "share": round(2 / 3, 4)},
        {"type": "meal_point", "points": 1, "buildings_covered": 1, "share": round(1 / 3, 4)}]


def test_service_coverage_without_points(small_graph):
    coverage = dashboard.service_coverage(small_graph)
    assert coverage == {"buildings": 3, "points": 0, "any_share": None, "by_type": []}


def _alert(conn, meter: str, raised_at: dt.datetime, status: str = "open") -> None:
    from queries.alerts import SCHEMA
    from queries.store import ensure_schema

    ensure_schema(conn, SCHEMA)
    text = raised_at.replace(microsecond=0).isoformat()
    conn.execute(
        "INSERT INTO water_alerts (meter_id, household_no, family, episode_start, rule, "
        "severity, window_start, window_end, raised_at, last_seen_at, evidence, status) "
        "VALUES (?, 'H01', 'no_use', ?, 'no_use_24h', 'high', ?, ?, ?, ?, '{}', ?)",
        (meter, text, text, text, text, text, status))


def test_open_alerts_and_their_age(store):
    now = dt.datetime(2026, 5, 10, 12, 0)
    assert dashboard.open_alerts(store, now)["open"] == 0
    for meter, days in (("M1", 0.5), ("M2", 2), ("M3", 10)):
        _alert(store, meter, now - dt.timedelta(days=days))
    _alert(store, "M4", now - dt.timedelta(days=1), status="visited_ok")
    alerts = dashboard.open_alerts(store, now)
    assert alerts["open"] == 3
    assert alerts["oldest_age_days"] == 10.0 and alerts["median_age_days"] == 2.0
    assert [b["count"] for b in alerts["age_buckets"]] == [1, 1, 0, 1]


def test_campaign_take_up_counts_bookings_after_contact(store, small_graph):
    # R02's elderly check-up is dated 2025-03-01, after the message; R03's before 2025.
    outreach.create_campaign(store, "check-ups", "{{ name }}", [
        {"resident_id": "R02", "name": "Zhang Wei", "phone": "13900000002"},
        {"resident_id": "R03", "name": "Liu Fang", "phone": "13900000003"}],
        program_id="elderly_checkup_2025")
    outreach.create_campaign(store, "no program", "{{ name }}", [
        {"resident_id": "R01", "name": "Li Xiuying", "phone": "13900000001"}])
    store.execute("UPDATE outreach_message SET sent_at = '2025-02-01T10:00:00', "
                  "status = 'sent'")
    rows = {row["name"]: row for row in dashboard.campaign_take_up(store, small_graph)}
    assert rows["check-ups"]["contacted"] == 2
    assert rows["check-ups"]["booked_after_contact"] == 1
    assert rows["check-ups"]["take_up_rate"] == 0.5
    assert rows["no program"]["contacted"] == 1 and rows["no program"]["take_up_rate"] is None


def test_dashboard_kpis_gathers_every_part(store, small_graph):
    kpis = dashboard.dashboard_kpis(small_graph, store, programs=[SCREENING])
    assert kpis["residents_covered"] == 1
    assert set(kpis) >= {"computed_at", "programs", "alerts", "campaigns", "volunteers",
                         "service_coverage"}
