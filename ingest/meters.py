"""Smart-meter time series stay in Parquet; the graph gets derived facts per household.

From hourly water readings we derive, per household: when water was last used, how many
hours of readings since then show no use, and how many hours of readings are missing
(an offline meter is not a senior who stopped using water).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graph.errors import IngestError
from ingest.mapping import SourceMapping
from ingest.read import source_path


def water_facts(mapping: SourceMapping, raw_dir: Path) -> pd.DataFrame:
    """Return one row per household: household_id, meter_id, water_last_use (ISO text),
    water_no_use_hours, water_series_end, water_missing_hours.

    Reads only the mapped columns, with pandas' Parquet reader (columnar; 5–6 million
    readings for the default district).
    """
    path = source_path(mapping, raw_dir)
    columns = {name: spec.column for name, spec in mapping.fields.items()}
    try:
        frame = pd.read_parquet(path, columns=list(columns.values()))
    except (OSError, ValueError, KeyError) as e:
        raise IngestError(f"{mapping.source}: cannot read {path}: {e}") from e
    frame = frame.rename(columns={v: k for k, v in columns.items()})
    frame["ts"] = pd.to_datetime(frame["ts"])
    end = frame.groupby("meter_id")["ts"].max()
    start = frame.groupby("meter_id")["ts"].min()
    readings = frame.groupby("meter_id")["ts"].size()
    used = frame[frame["litres"] > 0].groupby("meter_id")["ts"].max()
    household = frame.groupby("meter_id")["household_id"].first()
    facts = pd.DataFrame({"household_id": household, "series_end": end, "last_use": used})
    # Hours after the last use up to the end of the series, both ends inclusive of the hour.
    facts["water_no_use_hours"] = ((facts["series_end"] - facts["last_use"].fillna(start))
                                   / pd.Timedelta(hours=1)).astype(float)
    expected = (end - start) / pd.Timedelta(hours=1) + 1
    facts["water_missing_hours"] = (expected - readings).astype(int)
    facts = facts.reset_index().rename(columns={"index": "meter_id"})
    facts["water_last_use"] = facts["last_use"].map(
        lambda t: None if pd.isna(t) else t.isoformat())
    facts["water_series_end"] = facts["series_end"].map(lambda t: t.isoformat())
    return facts[["household_id", "meter_id", "water_last_use", "water_no_use_hours",
                  "water_series_end", "water_missing_hours"]].sort_values("household_id")
