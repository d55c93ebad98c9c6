"""The demo fills officials' inboxes from a generated district, and doing it twice adds nothing."""

import csv

from queries.store import connect
from webapp import demo


def test_seeding_inboxes_finds_the_incidents_and_is_idempotent(district, settings, tmp_path,
                                                                monkeypatch, capsys):
    monkeypatch.setattr(demo, "DEMO_ALERT_DAYS", 30)  # the small district's incident is older
    private = settings.replace(data_dir=str(tmp_path))
    demo.seed_demo_inboxes(private, district.graph, district.raw, district.as_of)
    conn = connect(private)
    notices = conn.execute("SELECT count(*) FROM notices").fetchone()[0]
    alerts = {(r["meter_id"], r["rule"]) for r in conn.execute(
        "SELECT meter_id, rule FROM water_alerts")}
    with open(district.raw / "ground_truth" / "water_meters.csv", encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    incidents = {t["meter_id"] for t in truth
                 if t["event"] == "incident" and t["event_start"] >= "2025-06-01"}
    assert notices > 0 and incidents
    assert incidents <= {meter for meter, rule in alerts if rule in ("no_use_24h",
                                                                     "low_use_12h")}
    offline = {meter for meter, rule in alerts if rule == "meter_offline"}
    assert len(offline) <= sum(t["event"] == "offline" for t in truth)
    demo.seed_demo_inboxes(private, district.graph, district.raw, district.as_of)
    assert conn.execute("SELECT count(*) FROM notices").fetchone()[0] == notices
    assert conn.execute("SELECT count(*) FROM water_alerts").fetchone()[0] == len(alerts)
    assert "0 notices from the last 30 days' events, 0 water alerts" in capsys.readouterr().out
