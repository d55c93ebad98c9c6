"""Water-meter facts per household, computed batch by batch from the readings' Parquet."""

import datetime as dt

import pandas as pd
import pytest

from graph.errors import IngestError
from ingest.mapping import load_mappings
from ingest.meters import water_facts

START = dt.datetime(2025, 6, 29, 0)


@pytest.fixture()
def mapping():
    return next(m for m in load_mappings(None) if m.feeds == "timeseries")


def hours(n):
    return [START + dt.timedelta(hours=h) for h in range(n)]


def write_readings(folder, rows):
    frame = pd.DataFrame(rows, columns=["meter_id", "household_no", "ts", "litres"])
    frame["ts"] = frame["ts"].astype("datetime64[ms]")
    frame.to_parquet(folder / "water_meter_readings.parquet", index=False)


def readings():
    """Three meters of 10 hours: one used in hour 6 only, one never used, one offline for
    hours 3–5 (missing rows), with use in its last hour."""
    rows = []
    for h, ts in enumerate(hours(10)):
        rows.append(("WM1", "H1", ts, 12.0 if h == 6 else 0.0))
        rows.append(("WM2", "H2", ts, 0.0))
        if h not in (3, 4, 5):
            rows.append(("WM3", "H3", ts, 3.5 if h == 9 else 0.0))
    return rows


@pytest.mark.parametrize("batch_rows", [1, 7, 1000])
def test_facts_per_household_do_not_depend_on_the_batch_size(tmp_path, mapping, batch_rows):
    write_readings(tmp_path, readings())
    facts = water_facts(mapping, tmp_path, batch_rows=batch_rows).set_index("household_id")
    assert list(facts.index) == ["H1", "H2", "H3"]
    assert facts.loc["H1", "water_last_use"] == "2025-06-29T06:00:00"
    assert facts.loc["H1", "water_no_use_hours"] == 3.0      # hours 7, 8, 9 after the use
    assert facts.loc["H2", "water_last_use"] is None
    assert facts.loc["H2", "water_no_use_hours"] == 9.0      # no use since the first reading
    assert facts.loc["H3", "water_no_use_hours"] == 0.0
    assert list(facts["water_missing_hours"]) == [0, 0, 3]
    assert set(facts["water_series_end"]) == {"2025-06-29T09:00:00"}
    assert facts.loc["H3", "meter_id"] == "WM3"


def test_no_readings_gives_no_facts(tmp_path, mapping):
    write_readings(tmp_path, [])
    assert water_facts(mapping, tmp_path).empty


def test_unreadable_file_names_the_source_and_path(tmp_path, mapping):
    (tmp_path / "water_meter_readings.parquet").write_text("not parquet")
    with pytest.raises(IngestError, match="water_meter_readings.parquet"):
        water_facts(mapping, tmp_path)
