"""Date formats of the subsystems, and the impossible dates their exports contain."""

from __future__ import annotations

import datetime as dt

import numpy as np

# fmt name → example for 2024-03-05 14:07:09 (see docs/DATA.md).
FORMATS = {
    "iso": "2024-03-05",
    "slash": "2024/3/5",
    "compact": "20240305",
    "dotted": "2024.03.05",
    "ym": "2024.03",
    "iso_dt": "2024-03-05 14:07:09",
    "slash_dt": "2024/3/5 14:07",
    "excel": "a real Excel date cell (text '2023-02-30' when impossible)",
}

# Day overflows clerks type and lenient systems accept.
_OVERFLOWS = [(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31), (2, 29)]


def _parts(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Split datetime64 values into int year, month, day, hour, minute, second arrays."""
    v = values.astype("datetime64[s]")
    day = v.astype("datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    secs = (v - day).astype(np.int64)
    return year, month, dom, secs // 3600, secs // 60 % 60, secs % 60


def render(y: int, m: int, d: int, hh: int, mm: int, ss: int, fmt: str) -> str:
    """Write one (possibly impossible) date in ``fmt``; 'excel' falls back to ISO text.

    >>> render(2023, 2, 30, 0, 0, 0, "slash"), render(2024, 3, 5, 14, 7, 9, "iso_dt")
    ('2023/2/30', '2024-03-05 14:07:09')
    """
    if fmt == "slash":
        return f"{y}/{m}/{d}"
    if fmt == "compact":
        return f"{y:04d}{m:02d}{d:02d}"
    if fmt == "dotted":
        return f"{y:04d}.{m:02d}.{d:02d}"
    if fmt == "ym":
        return f"{y:04d}.{m:02d}"
    if fmt == "iso_dt":
        return f"{y:04d}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}"
    if fmt == "slash_dt":
        return f"{y}/{m}/{d} {hh}:{mm:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def format_dates(values: np.ndarray, fmt: str) -> np.ndarray:
    """Render datetime64 values in ``fmt``; NaT becomes '' (None for Excel cells)."""
    values = np.asarray(values).astype("datetime64[s]")
    missing = np.isnat(values)
    if fmt == "excel":
        out = values.astype("datetime64[D]").astype(object)  # datetime.date objects
        out[missing] = None
        return out
    filled = np.where(missing, np.datetime64("2000-01-01T00:00:00"), values)
    # Zero-padded formats derive from numpy's ISO text (C speed); only the unpadded
    # slash formats need per-value rendering.
    if fmt in ("iso", "compact", "dotted", "ym"):
        iso = np.datetime_as_string(filled, unit="D")
        if fmt == "compact":
            iso = np.char.replace(iso, "-", "")
        elif fmt == "dotted":
            iso = np.char.replace(iso, "-", ".")
        elif fmt == "ym":
            iso = np.char.replace(np.char.ljust(iso, 7).astype("U7"), "-", ".")
        out = iso.astype(object)
    elif fmt == "iso_dt":
        out = np.char.replace(np.datetime_as_string(filled, unit="s"), "T", " ").astype(object)
    else:
        parts = [p.tolist() for p in _parts(filled)]
        out = np.array([render(*row, fmt) for row in zip(*parts)], dtype=object)
    out[missing] = ""
    return out


def impossible(value, fmt: str, is_birth: bool, pick: float) -> str:
    """Return an impossible date in the style of ``value``.

    Births may instead move into the future (after the 2025-06-30 snapshot); other dates
    get a day that does not exist (2023-02-30, 2021-04-31, 2023-02-29 …).
    """
    if isinstance(value, dt.date):
        year = value.year
    else:
        text = str(value)
        year = int(text[:4]) if text[:4].isdigit() else 2023
    if is_birth and pick < 0.5:
        return render(2026 + int(pick * 20), 1 + int(pick * 240) % 12, 1 + int(pick * 5000) % 28, 0, 0, 0, fmt)
    month, day = _OVERFLOWS[int(pick * len(_OVERFLOWS)) % len(_OVERFLOWS)]
    if (month, day) == (2, 29) and (year % 4 == 0):
        year += 1  # keep Feb 29 impossible
    if fmt == "ym":
        return f"{year:04d}.13"
    return render(year, month, day, 9, 30, 0, fmt)
