"""Lone-senior water alerts replayed over a generated district's 90 days, scored against truth.

Every hour of the series is a check (``models.water_alerts.replay``: the same rule code one
``alerts check`` runs). Absences the family announced (ground truth ``announced = 1``) are
registered as known absences from the day of leaving until the day of return, inclusive,
and suppress alerts as ``alerts absence`` would. Scored against ``ground_truth/water_meters.csv``:

- recall: true incidents with an inactivity alert raised within ``--within-hours`` of onset
  (the first hour without water);
- false alarms per 1,000 senior-days: alerts (any family but the low-priority
  ``meter_offline`` notice) that are not about a true incident or a leak;
- median time to alert (hours after onset) of the recalled incidents.

Baseline in the same process: the pilots' fixed rules (10 L in 12 h, no per-person
baseline) and no known absences.

    python -m ingest.synthetic /tmp/alerts_district --residents 83000 --quiet
    .venv/bin/python bench/water_alerts.py --raw /tmp/alerts_district
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
from harness import median, report

from models import water_alerts as wa

DEMO_RAW = Path(__file__).resolve().parent.parent / "data" / "demo" / "raw"


@contextlib.contextmanager
def pilot_rules_only():
    """Temporarily use the pilots' fixed 12-hour threshold, no personal baseline."""
    saved = wa.BASELINE_FACTOR
    wa.BASELINE_FACTOR = np.inf
    try:
        yield
    finally:
        wa.BASELINE_FACTOR = saved


def raised_alerts(readings: wa.Readings, truth: pd.DataFrame, absences: bool) -> pd.DataFrame:
    """Replay and apply known absences: each episode's alert is raised at its first
    unsuppressed check; episodes suppressed throughout raise nothing."""
    episodes = wa.replay(readings)
    episodes = episodes[episodes["family"] != "offline"].copy()
    episodes["raised"] = episodes["start"]
    if absences:
        known = truth[(truth["event"] == "away") & (truth["announced"] == 1)]
        # Known from the day of leaving until the day of return (inclusive), in check positions.
        first = {m: _pos(readings, pd.Timestamp(s).normalize()) for m, s in
                 zip(known["meter_id"], known["event_start"])}
        last = {m: _pos(readings, pd.Timestamp(e).normalize() + pd.Timedelta(days=1)) - 1
                for m, e in zip(known["meter_id"], known["event_end"])}
        lo = episodes["meter_id"].map(first)
        hi = episodes["meter_id"].map(last)
        covered = lo.notna() & (episodes["start"] >= lo) & (episodes["start"] <= hi)
        episodes.loc[covered, "raised"] = hi[covered] + 1
        episodes = episodes[episodes["raised"] <= episodes["end"]]
    return episodes


def _pos(readings: wa.Readings, t: pd.Timestamp) -> int:
    return int((t - readings.start) / pd.Timedelta(hours=1))


def score(readings: wa.Readings, truth: pd.DataFrame, alerts: pd.DataFrame,
          within_hours: int) -> dict:
    """Recall of incidents within ``within_hours``, false alarms per 1,000 senior-days."""
    truth = truth.set_index("meter_id")
    span = {m: (_pos(readings, pd.Timestamp(s)), _pos(readings, pd.Timestamp(e)))
            for m, s, e in zip(truth.index, truth["event_start"], truth["event_end"])
            if truth.at[m, "event"] in ("incident", "leak")}
    event = alerts["meter_id"].map(truth["event"])
    onset = alerts["meter_id"].map(lambda m: span.get(m, (np.nan, np.nan))[0])
    stop = alerts["meter_id"].map(lambda m: span.get(m, (np.nan, np.nan))[1])
    # An alert is about the episode if it is raised while it runs or within a day after.
    during = (alerts["raised"] > onset) & (alerts["raised"] <= stop + 24)
    about_incident = (event == "incident") & (alerts["family"] == "inactivity") & during
    about_leak = (event == "leak") & (alerts["family"] == "flow") & during
    incidents = truth[truth["event"] == "incident"]
    delay = (alerts["raised"] - onset)[about_incident].groupby(alerts["meter_id"]).min()
    recalled = delay[delay <= within_hours]
    false = alerts[~(about_incident | about_leak)]
    senior_days = len(readings.meter_ids) * readings.hours / 24
    return {
        "incidents": len(incidents), "recalled": len(recalled),
        "recall": len(recalled) / max(len(incidents), 1),
        "time_to_alert_median_h": float(np.median(recalled)) if len(recalled) else None,
        "false_alarms": len(false),
        "false_per_1000_senior_days": 1000 * len(false) / senior_days,
        "false_by_cause": false.assign(event=event[false.index]).groupby(
            ["rule", "event"]).size().to_dict(),
        "leaks": int((truth["event"] == "leak").sum()),
        "leaks_alerted": int(alerts.loc[about_leak, "meter_id"].nunique()),
        "senior_days": senior_days,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, default=DEMO_RAW,
                        help="a generated district folder (default: the demo's, data/demo/raw)")
    parser.add_argument("--within-hours", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3, help="timed single checks")
    args = parser.parse_args()
    if not (args.raw / "ground_truth" / "water_meters.csv").is_file():
        parser.error(f"{args.raw} holds no generated district; run `make demo` or give --raw")
    truth = pd.read_csv(args.raw / "ground_truth" / "water_meters.csv", keep_default_na=False)
    readings = wa.read_readings(args.raw / "water_meter_readings.parquet")
    started = time.perf_counter()
    ours = score(readings, truth, raised_alerts(readings, truth, absences=True), args.within_hours)
    replay_s = time.perf_counter() - started
    with pilot_rules_only():
        pilot = score(readings, truth, raised_alerts(readings, truth, absences=False),
                      args.within_hours)
    at = readings.time_of(readings.hours)
    check_s = []
    for _ in range(args.runs):
        t = time.perf_counter()
        window = wa.read_readings(args.raw / "water_meter_readings.parquet", at=at)
        wa.detect(window, at)
        check_s.append(time.perf_counter() - t)
    meters = len(readings.meter_ids)
    for name, figures in (("", ours), ("_pilot_baseline", pilot)):
        extra = {"meters": meters, "within_hours": args.within_hours}
        report(f"water_alert_recall{name}", round(figures["recall"], 4), "share", 1, "-",
               incidents=figures["incidents"], recalled=figures["recalled"], **extra)
        report(f"water_false_alarms_per_1000_senior_days{name}",
               round(figures["false_per_1000_senior_days"], 3), "alarms", 1, "-",
               false_alarms=figures["false_alarms"], senior_days=figures["senior_days"],
               by_cause={f"{k[0]}/{k[1]}": v for k, v in figures["false_by_cause"].items()})
        report(f"water_time_to_alert_median{name}", figures["time_to_alert_median_h"] or float("nan"), "h", 1, "-")
        report(f"water_leaks_alerted{name}", figures["leaks_alerted"], "leaks", 1, "-",
               leaks=figures["leaks"])
    report("water_replay_90_days", round(replay_s, 1), "s", 1, "-", meters=meters,
           checks=readings.hours)
    report("water_single_check", round(median(check_s), 2), "s", args.runs, "-", meters=meters)


if __name__ == "__main__":
    main()
