"""The water-alert rules on hand-made hourly series: incidents, low users, offline meters, leaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graph.errors import IngestError
from models import water_alerts as wa

START = pd.Timestamp("2025-05-01 00:00")
# A senior's day: water at breakfast, lunch and supper, nothing at night (litres per hour).
NORMAL_DAY = {7: 12.0, 8: 6.0, 12: 8.0, 18: 10.0, 19: 5.0, 21: 3.0}
LOW_DAY = {7: 0.4, 19: 0.3}  # a frugal senior: under 1 L a day, far below the pilots' 10 L


def hourly_frame(meter="WM1", household="H01", days=35, day=NORMAL_DAY, start=START,
                 zero_from=None, missing=(), extra=None) -> pd.DataFrame:
    """Hourly readings for one meter: ``day``'s pattern, zero use from ``zero_from`` (hours
    after ``start``), no rows for hours in ``missing``, ``extra`` litres added per hour."""
    rows = []
    for h in range(days * 24):
        if h in missing:
            continue
        litres = day.get(h % 24, 0.0)
        if zero_from is not None and h >= zero_from:
            litres = 0.0
        if extra is not None and h in extra:
            litres += extra[h]
        rows.append({"meter_id": meter, "household_no": household,
                     "ts": start + pd.Timedelta(hours=h), "litres": litres})
    return pd.DataFrame(rows)


def at_hour(h: int) -> pd.Timestamp:
    return START + pd.Timedelta(hours=h)


def test_incident_alerts_at_12_h_then_24_h_as_one_episode():
    onset = 30 * 24 + 22  # after the 21 h use on day 30: nothing more
    readings = wa.readings_from_frame(hourly_frame(zero_from=onset, days=33))
    assert wa.detect(readings, at_hour(onset + 11)) == []
    first = wa.detect(readings, at_hour(onset + 12))
    assert [(a.rule, a.severity) for a in first] == [("low_use_12h", "medium")]
    evidence = first[0].evidence
    assert evidence["litres_12h"] == 0.0 and evidence["readings_12h"] == 12
    # The person's quietest 12 h (19–07 h: 8 L) × 0.3 is below the pilots' 10 L.
    assert evidence["baseline_12h_l"] == 8.0 and evidence["threshold_12h_l"] == 2.4
    assert len(evidence["series_litres"]) == wa.EVIDENCE_DAYS * 24
    later = wa.detect(readings, at_hour(onset + 30))
    assert [a.rule for a in later] == ["no_use_24h"]
    assert later[0].episode_start == first[0].episode_start == at_hour(onset + 12).isoformat()
    assert later[0].window_start == at_hour(onset + 6).isoformat()


def test_low_user_does_not_alarm_daily_but_the_pilot_rule_would(monkeypatch):
    readings = wa.readings_from_frame(hourly_frame(day=LOW_DAY, days=40))
    assert wa.replay(readings).query("family == 'inactivity'").empty
    monkeypatch.setattr(wa, "BASELINE_FACTOR", np.inf)  # the fixed 10 L rule alone
    firing = wa.evaluate(readings)["low_use_12h"][0]
    assert firing[wa.BASELINE_MIN_DAYS * 24 + 12:].all()  # alarming around the clock


def test_low_user_still_alerts_after_24_h_without_water():
    onset = 35 * 24 + 20
    readings = wa.readings_from_frame(hourly_frame(day=LOW_DAY, days=38, zero_from=onset))
    alerts = wa.detect(readings, at_hour(onset + 24))
    assert [a.rule for a in alerts] == ["no_use_24h"]


def test_missing_rows_are_not_zero_use():
    gap = set(range(30 * 24, 30 * 24 + 30))  # the meter sends nothing for 30 h
    readings = wa.readings_from_frame(hourly_frame(days=32, missing=gap))
    alerts = wa.detect(readings, at_hour(30 * 24 + 30))
    assert [(a.rule, a.severity) for a in alerts] == [("meter_offline", "low")]
    assert alerts[0].evidence["hours_since_reading"] == 30
    assert alerts[0].evidence["series_litres"][-1] is None


def test_a_leak_is_continuous_flow():
    leak = {h: 3.0 for h in range(30 * 24, 32 * 24)}
    readings = wa.readings_from_frame(hourly_frame(days=32, extra=leak))
    alerts = wa.detect(readings, at_hour(31 * 24 + 1))
    assert [a.rule for a in alerts] == ["continuous_flow"]
    assert alerts[0].evidence["min_hour_24h_l"] == 3.0


def test_a_spike_far_above_the_persons_habit():
    readings = wa.readings_from_frame(hourly_frame(days=32, extra={31 * 24 + 3: 95.0}))
    alerts = wa.detect(readings, at_hour(31 * 24 + 4))
    assert [a.rule for a in alerts] == ["spike"]
    assert alerts[0].evidence["last_hour_l"] == 95.0


def test_no_history_no_low_use_alarm_yet():
    # Three days of history: the person's level is unknown, only the 24-hour rule may fire.
    readings = wa.readings_from_frame(hourly_frame(days=4, zero_from=2 * 24 + 22))
    assert wa.detect(readings, at_hour(2 * 24 + 22 + 12)) == []


def test_replay_finds_each_episode_once():
    onset = 30 * 24 + 22
    readings = wa.readings_from_frame(hourly_frame(days=34, zero_from=onset))
    episodes = wa.replay(readings)
    assert episodes[["family", "rule", "start"]].values.tolist() == [
        ["inactivity", "low_use_12h", onset + 12]]


def test_malformed_rows_are_rejected_by_row_and_field():
    frame = hourly_frame(days=1).astype(object)  # as a CSV-sourced frame would arrive
    frame.loc[3, "litres"] = -2.0
    frame.loc[5, "ts"] = "yesterday"
    frame.loc[6, "meter_id"] = "  "
    frame.loc[7, "litres"] = "lots"
    frame = pd.concat([frame, frame.iloc[[9]].assign(litres=99.0)], ignore_index=True)
    readings = wa.readings_from_frame(frame, source="x.parquet")
    assert [(r["row"], r["field"]) for r in readings.rejected] == [
        (4, "litres"), (6, "ts"), (7, "meter_id"), (8, "litres"), (25, "ts")]
    assert "second, different reading" in readings.rejected[-1]["reason"]
    assert readings.litres.shape == (1, 24)
    assert np.isnan(readings.litres[0, [3, 5, 6, 7]]).all()  # rejected = unknown, not zero


def test_missing_column_is_a_clear_error(tmp_path):
    with pytest.raises(IngestError, match="missing column.*litres"):
        wa.readings_from_frame(hourly_frame(days=1).drop(columns=["litres"]), source="x")
    path = tmp_path / "r.parquet"
    hourly_frame(days=1).drop(columns=["household_no"]).to_parquet(path)
    with pytest.raises(IngestError, match=r"r\.parquet: missing column\(s\) household_no"):
        wa.read_readings(path)


def test_read_readings_keeps_the_lookback_window(tmp_path):
    path = tmp_path / "r.parquet"
    hourly_frame(days=60).to_parquet(path)
    readings = wa.read_readings(path, at=at_hour(50 * 24))
    assert readings.start == at_hour((50 - wa.LOOKBACK_DAYS) * 24)
    assert readings.hours == wa.LOOKBACK_DAYS * 24


@pytest.mark.parametrize("until, at, expected", [
    ("2025-06-10", "2025-06-10T23:00", True), ("2025-06-10", "2025-06-11T00:00", False),
    (None, "2025-06-10T00:00", False)])
def test_is_suppressed_until_the_day_inclusive(until, at, expected):
    assert wa.is_suppressed(until, at) is expected


def test_generated_district_incidents_are_caught_within_a_day(tmp_path):
    """The synthetic district's own truth: every incident alerted within 24 h of onset."""
    from ingest.synthetic import generate_district

    generate_district(tmp_path, seed=3, residents=6_000)
    truth = pd.read_csv(tmp_path / "ground_truth" / "water_meters.csv", keep_default_na=False)
    readings = wa.read_readings(tmp_path / "water_meter_readings.parquet")
    episodes = wa.replay(readings).query("family == 'inactivity'")
    incidents = truth[truth["event"] == "incident"]
    assert len(incidents) >= 1
    for m in incidents.itertuples():
        onset = readings.hour_of(m.event_start)
        mine = episodes[(episodes["meter_id"] == m.meter_id) & (episodes["end"] > onset)]
        assert len(mine) and 0 < mine["start"].min() - onset <= 24, m.meter_id
    normal = truth[truth["event"] == "none"]["meter_id"]
    senior_days = len(normal) * readings.hours / 24
    quiet_alarms = episodes[episodes["meter_id"].isin(normal)]
    assert 1000 * len(quiet_alarms) / senior_days <= 1.0
