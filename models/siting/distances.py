"""Distances between demand buildings and sites: haversine by default, or a supplied matrix.

A street network cannot be downloaded here, so straight-line (haversine) metres stand in for
walking distance, optionally stretched by a detour factor; a matrix computed elsewhere (a
network, travel times) can be given as a CSV file in long form, one row per pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from models.siting import SitingError

EARTH_RADIUS_M = 6371008.8  # the mean radius, as the emergency queries use
_MAX_LISTED = 5


@dataclass
class DistanceMatrix:
    """Distances in metres (or the matrix's own unit), demand rows by site columns."""

    values: np.ndarray
    demand_ids: list[str]
    site_ids: list[str]
    source: str = "haversine"


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Return great-circle distances in metres; arguments broadcast like numpy arrays.

    >>> round(float(haversine_m(31.2712, 121.4531, 31.2725, 121.4550)))
    231
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float))
                              for x in (lat1, lon1, lat2, lon2))
    s_lat = np.sin((lat2 - lat1) / 2)
    s_lon = np.sin((lon2 - lon1) / 2)
    h = s_lat * s_lat + np.cos(lat1) * np.cos(lat2) * s_lon * s_lon
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_matrix(demand: Sequence[tuple[str, float, float]],
                     sites: Sequence[tuple[str, float, float]],
                     detour_factor: float = 1.0) -> DistanceMatrix:
    """Return the haversine matrix between (id, lat, lon) demand points and sites.

    ``detour_factor`` stretches straight lines towards walking distances (1.3 is a common
    approximation for a street grid); 1.0 keeps them straight.
    """
    if detour_factor < 1.0:
        raise SitingError(f"The detour factor must be at least 1.0, got {detour_factor}; "
                          f"set siting_detour_pct to 100 or more")
    d = np.array([(lat, lon) for _, lat, lon in demand], dtype=float).reshape(-1, 2)
    s = np.array([(lat, lon) for _, lat, lon in sites], dtype=float).reshape(-1, 2)
    values = haversine_m(d[:, :1], d[:, 1:], s[:, 0][None, :], s[:, 1][None, :])
    source = "haversine" if detour_factor == 1.0 else f"haversine x {detour_factor:g}"
    return DistanceMatrix(values * detour_factor, [x[0] for x in demand], [x[0] for x in sites],
                          source)


def read_distance_matrix(path: Path | str, demand_ids: Sequence[str], site_ids: Sequence[str],
                         *, demand_column: str = "demand_id", site_column: str = "site_id",
                         distance_column: str = "distance_m") -> DistanceMatrix:
    """Read a long-form CSV (one row per demand-site pair) into a matrix for the given ids.

    Rows for ids outside ``demand_ids``/``site_ids`` are ignored, so one file can serve
    several problems. Every needed pair must be present exactly once (or repeated with the
    same value), with a finite, non-negative distance.

    Raises:
        SitingError: the file is unreadable, a column is missing, a value is not a number or
            is negative, a pair repeats with two values, or needed pairs are missing; the
            message names the file, and the row or the pairs.
    """
    import pandas as pd

    path = Path(path)
    rows_of = {d: i for i, d in enumerate(demand_ids)}
    cols_of = {s: j for j, s in enumerate(site_ids)}
    values = np.full((len(rows_of), len(cols_of)), np.nan)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise SitingError(f"Cannot read the distance matrix {path}: "
                          f"{getattr(e, 'strerror', None) or e}") from e
    except UnicodeDecodeError as e:
        raise SitingError(f"{path} is not UTF-8 text: {e}") from e
    missing = [c for c in (demand_column, site_column, distance_column)
               if c not in frame.columns]
    if missing:
        raise SitingError(f"{path}: no column {', '.join(missing)}; the header is "
                          f"{', '.join(frame.columns) or 'empty'}")
    i = frame[demand_column].str.strip().map(rows_of)
    j = frame[site_column].str.strip().map(cols_of)
    wanted = i.notna() & j.notna()
    text = frame.loc[wanted, distance_column]
    number = pd.to_numeric(text.str.strip(), errors="coerce")
    bad = number.isna() | ~np.isfinite(number)
    if bad.any():
        row = bad.idxmax()
        raise SitingError(f"{path} row {row + 2}: {distance_column} must be a number, got "
                          f"{text[row]!r}")
    if (number < 0).any():
        row = (number < 0).idxmax()
        raise SitingError(f"{path} row {row + 2}: {distance_column} is negative "
                          f"({number[row]:g}); distances must be 0 or more")
    pairs = pd.DataFrame({"i": i[wanted].astype(int), "j": j[wanted].astype(int),
                          "d": number})
    spread = pairs.groupby(["i", "j"])["d"].nunique()
    if (spread > 1).any():
        a, b = spread[spread > 1].index[0]
        rows = pairs[(pairs["i"] == a) & (pairs["j"] == b)]
        raise SitingError(f"{path} row {rows.index[-1] + 2}: the pair {demand_ids[a]} → "
                          f"{site_ids[b]} appears again with another distance "
                          f"({', '.join(f'{x:g}' for x in rows['d'].unique())})")
    values[pairs["i"].to_numpy(), pairs["j"].to_numpy()] = pairs["d"].to_numpy()
    gaps = np.argwhere(np.isnan(values))
    if len(gaps):
        listed = ", ".join(f"{demand_ids[i]} → {site_ids[j]}" for i, j in gaps[:_MAX_LISTED])
        more = f" and {len(gaps) - _MAX_LISTED} more" if len(gaps) > _MAX_LISTED else ""
        raise SitingError(f"{path} misses {len(gaps)} of {values.size} demand-site pairs: "
                          f"{listed}{more}")
    return DistanceMatrix(values, list(demand_ids), list(site_ids), str(path))


def check_matrix(values: np.ndarray) -> None:
    """Raise SitingError unless ``values`` is a finite, non-negative 2-D matrix."""
    if values.ndim != 2:
        raise SitingError(f"A distance matrix must be 2-D, got shape {values.shape}")
    if not np.isfinite(values).all():
        raise SitingError(f"The distance matrix has {int((~np.isfinite(values)).sum())} "
                          f"missing or infinite values")
    if (values < 0).any():
        raise SitingError(f"The distance matrix has {int((values < 0).sum())} negative values")
