"""The water-alert workflow on the fixture graph: routing, once per episode, absences, acks."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.cypher_lint import lint_queries
from graph.errors import MinqingError, NotFound
from models import water_alerts as wa
from queries import alerts, audit
from queries.store import connect
from tests.models.test_water_alerts import at_hour, hourly_frame
from tests.conftest import settings_env

ONSET = 30 * 24 + 22  # R01 (H01, area A01, official O1) stops using water


@pytest.fixture
def conn(tmp_path):
    connection = connect(tmp_path / "workflow.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def readings():
    frames = [hourly_frame("WM1", "H01", days=33, zero_from=ONSET),
              hourly_frame("WM5", "H05", days=33),  # R10 in A02, fine
              hourly_frame("WM9", "H99", days=33, zero_from=ONSET)]  # not in the graph
    return wa.readings_from_frame(pd.concat(frames, ignore_index=True))


def test_routing_query_is_valid_neo4j_cypher():
    results = lint_queries(alerts.all_queries())
    assert {name: r.errors for name, r in results.items() if r.errors} == {}


def test_route_finds_the_senior_and_her_officials(small_graph):
    routes = alerts.route(small_graph, ["H01", "H02", "H99"])
    assert routes["H01"]["resident_id"] == "R01" and routes["H01"]["area_id"] == "A01"
    assert [o["official_id"] for o in routes["H01"]["officials"]] == ["O1"]
    assert routes["H02"]["resident_id"] == "R02"  # the oldest member of the couple's household
    assert "H99" not in routes


def test_check_raises_each_episode_once(conn, small_graph, readings):
    first = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12))
    assert len(first.raised) == 2 and first.unrouted == ["WM9"]
    again = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12))
    later = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 30))
    assert again.raised == [] and later.raised == [] and later.updated == 2
    rows = alerts.list_alerts(conn, official="O1")
    assert len(rows) == 1
    alert = rows[0]
    assert (alert["resident_id"], alert["area_id"], alert["meter_id"]) == ("R01", "A01", "WM1")
    assert [o["official_id"] for o in alert["officials"]] == ["O1"]
    # The episode grew stronger: its rule follows, its start does not.
    assert alert["rule"] == "no_use_24h" and alert["severity"] == "high"
    assert alert["episode_start"] == at_hour(ONSET + 12).isoformat()
    assert alert["last_seen_at"] == at_hour(ONSET + 30).isoformat()
    unrouted = [a for a in alerts.list_alerts(conn) if a["meter_id"] == "WM9"][0]
    assert unrouted["officials"] == [] and unrouted["resident_id"] is None
    assert alerts.list_alerts(conn, official="O2") == []
    assert [r["action"] for r in audit.recent(conn)].count("water_alerts.check") == 3


def test_known_absence_suppresses_until_the_date_and_then_ends(conn, small_graph, readings):
    day = at_hour(ONSET + 12).date()
    alerts.record_absence(conn, "R01", day.isoformat(), by="Wang Li",
                          note="staying with her daughter")
    during = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12))
    assert [s["resident_id"] for s in during.suppressed] == ["R01"]
    assert [a["meter_id"] for a in alerts.list_alerts(conn)] == ["WM9"]
    after = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 26))  # next day
    assert after.suppressed == [] and len(after.raised) == 1
    assert alerts.get_alert(conn, after.raised[0])["resident_id"] == "R01"


def test_ack_away_suppresses_later_episodes(conn, small_graph):
    frame = hourly_frame("WM1", "H01", days=40, zero_from=ONSET)
    back = ONSET + 4 * 24  # she comes back, uses water, then is silent again on day 36
    frame.loc[frame["ts"].between(at_hour(back), at_hour(back + 24)), "litres"] = 5.0
    frame.loc[frame["ts"] >= at_hour(36 * 24 + 22), "litres"] = 0.0
    readings = wa.readings_from_frame(frame)
    raised = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 30)).raised
    alerts.acknowledge(conn, raised[0], "away", "Wang Li", until="2025-06-07")
    quiet = alerts.check(conn, small_graph, readings, at=at_hour(36 * 24 + 22 + 14))  # 7 June
    assert quiet.raised == [] and len(quiet.suppressed) == 1
    resumed = alerts.check(conn, small_graph, readings, at=at_hour(38 * 24 + 2))  # 8 June
    assert len(resumed.raised) == 1


def test_acknowledgements_feed_the_false_alarm_rate(conn, small_graph, readings):
    raised = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12)).raised
    assert alerts.false_alarm_rate(conn)["false_alarm_rate"] is None
    alerts.acknowledge(conn, raised[0], "escalated", "Wang Li", note="fall, ambulance called")
    alerts.acknowledge(conn, raised[1], "false_alarm", "Wang Li", note="meter moved")
    rate = alerts.false_alarm_rate(conn)
    assert rate["by_outcome"] == {"visited_ok": 0, "away": 0, "escalated": 1, "false_alarm": 1}
    assert rate["false_alarm_rate"] == 0.5 and rate["open"] == 0
    detail = alerts.get_alert(conn, raised[0])
    assert detail["status"] == "escalated" and detail["acks"][0]["note"] == "fall, ambulance called"
    assert audit.recent(conn)[0]["action"] == "water_alerts.ack"


@pytest.mark.parametrize("outcome, until, by, message", [
    ("fine", None, "Wang", "Unknown outcome 'fine'"),
    ("away", None, "Wang", "needs the date"),
    ("away", "next week", "Wang", "is not a date"),
    ("visited_ok", None, " ", "Say who"),
])
def test_bad_acknowledgements_are_clear_errors(conn, small_graph, readings, outcome, until, by,
                                               message):
    raised = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12)).raised
    with pytest.raises(MinqingError, match=message):
        alerts.acknowledge(conn, raised[0], outcome, by, until=until)
    assert alerts.get_alert(conn, raised[0])["acks"] == []  # nothing half-written


def test_unknown_alert_is_not_found(conn):
    with pytest.raises(NotFound, match="No water alert 42"):
        alerts.acknowledge(conn, 42, "visited_ok", "Wang Li")


def test_evidence_plot_is_svg(conn, small_graph, readings):
    raised = alerts.check(conn, small_graph, readings, at=at_hour(ONSET + 12)).raised
    svg = alerts.evidence_svg(alerts.get_alert(conn, raised[0]))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


@pytest.fixture
def run(settings, small_graph):
    env = settings_env(settings)
    env["MINQING_GRAPH_DATABASE"] = small_graph.database
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


def test_cli_check_list_ack_absence(run, tmp_path):
    path = tmp_path / "readings.parquet"
    frame = hourly_frame("WMCLI1", "H01", days=33, zero_from=ONSET).astype({"litres": object})
    frame.loc[5, "litres"] = "n/a"
    frame.astype({"litres": str}).to_parquet(path)
    at = at_hour(ONSET + 12).isoformat()
    result = run("alerts", "check", "--readings", str(path), "--at", at, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert len(summary["raised"]) == 1 and summary["rejected_rows"] == 1
    assert summary["rejected"][0] == {"row": 6, "field": "litres", "reason": "not a number",
                                      "value": "n/a"}
    alert_id = summary["raised"][0]
    again = run("alerts", "check", "--readings", str(path), "--at", at)
    assert "0 new alert(s), 1 already raised" in again.output
    listed = run("alerts", "list", "--official", "O1")
    assert f"#{alert_id}" in listed.output and "139****0001" in listed.output
    # The session's store is shared with the web tests: an absence that is already over.
    ack = run("alerts", "ack", str(alert_id), "--outcome", "away", "--until", "2025-05-31",
              "--by", "Wang Li")
    assert ack.exit_code == 0 and "suppressed until 2025-05-31" in ack.output
    document = json.loads(run("alerts", "list", "--json", "--status", "away").output)
    assert alert_id in [a["id"] for a in document["alerts"]]
    assert run("alerts", "absence", "R10", "--until", "2025-07-01").exit_code == 0
    bad = run("alerts", "absence", "R10", "--until", "soon")
    assert bad.exit_code == 1 and "--until 'soon' is not a date" in bad.output
    missing = run("alerts", "ack", "999999", "--outcome", "visited_ok", "--by", "x")
    assert missing.exit_code == 1 and "No water alert 999999" in missing.output
    bad_at = run("alerts", "check", "--readings", str(path), "--at", "tomorrow")
    assert bad_at.exit_code == 1 and "Not a time" in bad_at.output
