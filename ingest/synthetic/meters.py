"""Hourly smart water-meter readings of lone seniors, with incident, absence, offline and leak episodes.

Each meter shows at most one episode. ``incident`` is the case an alert must catch (the
senior stopped using water at home: a fall, a stroke); ``away`` is a benign absence (staying
with a daughter, a trip) that looks the same in the readings, and is announced to the
neighbourhood committee beforehand in ANNOUNCED_SHARE of cases. Some seniors are low users
all the time (LOW_USE_SHARE), the case a per-person baseline is for.

Readings are generated and written in chunks of meters, so memory stays flat at any
district size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

READINGS = "water_meter_readings.parquet"
DAYS = 90
START = np.datetime64("2025-04-01T00:00:00", "s")
HOURS = DAYS * 24
CHUNK_METERS = 1000

INCIDENT_SHARE = 0.02  # a true incident at home: zero use from the onset for 36–240 h
AWAY_SHARE = 0.04  # a benign absence: zero use for 2–14 days, leaving and coming back by day
ANNOUNCED_SHARE = 0.6  # absences the senior or family told the committee about in advance
OFFLINE_SHARE = 0.03  # meter sends nothing for 6–72 h: rows are absent, not zero
LEAK_SHARE = 0.01  # a dripping tap: constant flow day and night for 3–20 days
TYPICAL_DAILY_L = 110.0  # median daily use of a senior living alone
LOW_USE_SHARE = 0.15  # seniors who always use little water (about 30 L a day instead of 110)

# Relative water use by hour of day for someone living alone (wash, cook, laundry).
PROFILE = np.array([0.1, 0.05, 0.05, 0.05, 0.1, 0.6, 1.6, 2.2, 1.8, 1.2, 1.0, 1.3,
                    1.5, 0.9, 0.6, 0.6, 0.8, 1.4, 1.9, 1.7, 1.5, 1.2, 0.7, 0.3])
PROFILE = PROFILE / PROFILE.sum()

SCHEMA = pa.schema([
    ("meter_id", pa.string()), ("household_no", pa.string()),
    ("ts", pa.timestamp("s")), ("litres", pa.float32()),
])


def plan_meters(rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Decide which seniors have meters and which episode (if any) each meter shows.

    Returns one row per meter: meter_id, person, household_no, event, event_start, event_end
    (hours since START; end exclusive), announced (absences told in advance) and usage
    (``normal`` or ``low``).
    """
    person = np.flatnonzero(persons["has_meter"].to_numpy())
    n = len(person)
    u = rng.random(n)
    cuts = np.cumsum([INCIDENT_SHARE, AWAY_SHARE, OFFLINE_SHARE, LEAK_SHARE])
    event = np.select([u < c for c in cuts], ["incident", "away", "offline", "leak"], "none")
    # Tiny districts still get one incident and one absence, the cases alerts are about.
    for kind, other in (("incident", "away"), ("away", "incident")):
        if n >= 2 and not (event == kind).any():
            candidates = np.flatnonzero(event != other)
            event[int(candidates[rng.integers(0, len(candidates))])] = kind
    length = np.select(
        [event == "incident", event == "away", event == "offline", event == "leak"],
        [rng.integers(36, 241, n), rng.integers(48, 337, n), rng.integers(6, 73, n),
         rng.integers(72, 481, n)], 0,
    )
    # A third of incidents are still ongoing at the end of the series (nobody found them yet).
    ongoing = (event == "incident") & (rng.random(n) < 0.33)
    start = np.where(ongoing, HOURS - length, (rng.random(n) * (HOURS - length)).astype(np.int64))
    # People leave and come back by day: an absence starts at 08–11 h and lasts whole days
    # plus a few hours, so its zero run is not shaped like an incident's.
    away = event == "away"
    leave = (start // 24) * 24 + rng.integers(8, 12, n)
    start = np.where(away, np.minimum(leave, HOURS - length), start)
    announced = away & (rng.random(n) < ANNOUNCED_SHARE)
    usage = np.where(rng.random(n) < LOW_USE_SHARE, "low", "normal")
    hh_no = households["hukou_no"].to_numpy()[persons["household"].to_numpy()[person]]
    ids = rng.permutation(n) * 11 + 10_000_019
    return pd.DataFrame(
        {
            "meter_id": [f"WM{i:08d}" for i in ids.tolist()], "person": person, "household_no": hh_no,
            "event": event, "event_start": np.where(event == "none", -1, start),
            "event_end": np.where(event == "none", -1, start + length),
            "announced": announced, "usage": usage,
        }
    )


def write_readings(rng: np.random.Generator, meters: pd.DataFrame, path: Path) -> int:
    """Write the hourly readings Parquet; return the number of rows written."""
    hours = np.arange(HOURS)
    ts_all = START + hours.astype("timedelta64[h]")
    written = 0
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        for lo in range(0, max(len(meters), 1), CHUNK_METERS):
            chunk = meters.iloc[lo:lo + CHUNK_METERS]
            m = len(chunk)
            if m == 0:
                break
            low = chunk["usage"].to_numpy() == "low"
            daily = np.where(low, rng.lognormal(np.log(30), 0.3, m), rng.lognormal(np.log(TYPICAL_DAILY_L), 0.35, m))
            mean = daily[:, None] * PROFILE[hours % 24][None, :]
            # Everyone draws water about as often (toilet, kettle, washing); low users draw less each time.
            often = np.minimum(1.0, TYPICAL_DAILY_L * PROFILE[hours % 24] / 6.0 + 0.05)[None, :]
            used = rng.random((m, HOURS)) < often
            litres = np.where(used, rng.gamma(2.0, 1.0, (m, HOURS)) * mean / often / 2.0, 0.0)
            keep = np.ones((m, HOURS), dtype=bool)
            ev = chunk["event"].to_numpy()
            s = chunk["event_start"].to_numpy()[:, None]
            e = chunk["event_end"].to_numpy()[:, None]
            inside = (hours[None, :] >= s) & (hours[None, :] < e)
            litres = np.where(inside & np.isin(ev, ("incident", "away"))[:, None], 0.0, litres)
            keep &= ~(inside & (ev == "offline")[:, None])
            leak = rng.uniform(2, 6, m)[:, None]
            litres = np.where(inside & (ev == "leak")[:, None], litres + leak, litres)
            rows, cols = np.nonzero(keep)
            # Repeat the chunk's ids inside Arrow (take) rather than building millions of Python strings.
            take = pa.array(rows.astype(np.int32))
            table = pa.table(
                {
                    "meter_id": pa.array(chunk["meter_id"].tolist(), pa.string()).take(take),
                    "household_no": pa.array(chunk["household_no"].tolist(), pa.string()).take(take),
                    "ts": pa.array(ts_all[cols], type=pa.timestamp("s")),
                    "litres": pa.array(np.round(litres[rows, cols], 1).astype(np.float32)),
                },
                schema=SCHEMA,
            )
            writer.write_table(table)
            written += len(rows)
    return written
