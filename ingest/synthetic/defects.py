"""Inject the defects real exports carry into a clean table, and record each one.

A :class:`Table` is one sheet of one export: its frame with the system's own headers,
the true person behind each row, and which columns hold the ID number, name, phone,
addresses and dates. :func:`apply_defects` returns the damaged table plus a defect log
(row, kind, column) that becomes ``ground_truth/defects.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import idnumbers
from .addresses import STYLES, spell
from .formats import impossible
from .names import typo
from .params import DefectRates
from .phones import bad_phone

ID_KINDS = ("id_missing", "id_legacy15", "id_lowercase_x", "id_spaces", "id_fullwidth")
ALL_KINDS = ID_KINDS + (
    "name_typo", "address_variant", "bad_phone", "missing_value", "impossible_date", "duplicate_row",
)


@dataclass
class AddressColumn:
    """A column holding residential addresses, with the truth behind each cell."""

    column: str
    building: np.ndarray  # building index per row, -1 when not a district building
    room: np.ndarray | None  # room number per row, None when the column has none
    style: str  # the file's house style (see addresses.STYLES)
    unmatched: str = "outside_district"  # what a cell with building -1 is, for the ground truth


@dataclass
class DateColumn:
    """A column holding dates in one format."""

    column: str
    fmt: str
    is_birth: bool = False


@dataclass
class Table:
    """One sheet of one export, clean until :func:`apply_defects` runs."""

    file: str
    frame: pd.DataFrame
    sheet: str = ""
    person: np.ndarray | None = None  # person index per row (persons frame position)
    id_column: str | None = None
    name_column: str | None = None
    phone_column: str | None = None
    addresses: list[AddressColumn] = field(default_factory=list)
    dates: list[DateColumn] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)  # columns that may be blanked
    kinds: tuple[str, ...] = ALL_KINDS  # defect kinds this system is prone to
    id_missing_rate: float | None = None  # overrides DefectRates.id_missing for this table
    log: pd.DataFrame | None = None  # filled by apply_defects: row (0-based), kind, column


def _blank(value) -> object:
    """Return the empty cell of the value's kind (None for Excel dates, '' for text)."""
    return "" if isinstance(value, str) else None


def _id_variants(
    t: Table, cols: dict, rates: DefectRates, rng: np.random.Generator, birth_year: np.ndarray, log: list
) -> set[int]:
    """Apply mutually exclusive ID-number variants in place; return rows that lost their ID."""
    col = cols[t.id_column]
    n = len(col)
    u = rng.random(n)
    pattern = rng.integers(0, 2, n)
    has_id = np.array([isinstance(v, str) and len(v) == 18 for v in col])
    missing_rate = t.id_missing_rate if t.id_missing_rate is not None else rates.id_missing
    bounds = {
        "id_missing": missing_rate if "id_missing" in t.kinds else 0.0,
        "id_legacy15": rates.id_legacy15 if "id_legacy15" in t.kinds else 0.0,
        "id_lowercase_x": rates.id_lowercase_x if "id_lowercase_x" in t.kinds else 0.0,
        "id_spaces": rates.id_spaces if "id_spaces" in t.kinds else 0.0,
        "id_fullwidth": rates.id_fullwidth if "id_fullwidth" in t.kinds else 0.0,
    }
    ends_x = np.array([h and v[-1] == "X" for h, v in zip(has_id, col)])
    eligible = {
        "id_missing": has_id,
        "id_legacy15": has_id & (birth_year < 1990),
        "id_lowercase_x": ends_x,
        "id_spaces": has_id,
        "id_fullwidth": has_id,
    }
    # The lowercase-x interval is placed last and may overlap others: it is only eligible
    # for the 1-in-11 IDs ending in X, so it gets its own uniform to keep its rate exact.
    lo = 0.0
    kind_of = np.full(n, "", dtype=object)
    for kind in ("id_missing", "id_legacy15", "id_spaces", "id_fullwidth"):
        hi = lo + bounds[kind]
        kind_of[eligible[kind] & (u >= lo) & (u < hi)] = kind
        lo = hi
    second = rng.random(n)
    kind_of[(kind_of == "") & eligible["id_lowercase_x"] & (second < bounds["id_lowercase_x"])] = "id_lowercase_x"
    lost: set[int] = set()
    for i in np.flatnonzero(kind_of != "").tolist():
        kind = kind_of[i]
        v = col[i]
        if kind == "id_missing":
            col[i] = ""
            lost.add(i)
        elif kind == "id_legacy15":
            col[i] = idnumbers.legacy15(v)
        elif kind == "id_lowercase_x":
            col[i] = idnumbers.lowercase_x(v)
        elif kind == "id_spaces":
            col[i] = idnumbers.with_spaces(v, int(pattern[i]))
        else:
            col[i] = idnumbers.fullwidth(v)
        log.append((i, kind, t.id_column))
    return lost


def apply_defects(
    table: Table, rates: DefectRates, rng: np.random.Generator, birth_year: np.ndarray, buildings: pd.DataFrame
) -> Table:
    """Return a copy of ``table`` with defects injected and logged in ``.log``.

    Args:
        table: the clean table.
        rates: defect probabilities per eligible row.
        rng: the table's own random stream.
        birth_year: birth year per person (indexed by ``table.person``), for 15-digit IDs.
        buildings: the buildings frame, to re-spell addresses.
    """
    t = replace(table)
    n = len(t.frame)
    # Edit plain object arrays: cell writes into Arrow-backed string columns are slow.
    cols = {c: t.frame[c].to_numpy(dtype=object).copy() for c in t.frame.columns}
    log: list[tuple[int, str, str]] = []
    lost: set[int] = set()
    if t.id_column is not None and n:
        by = birth_year[t.person] if t.person is not None else np.full(n, 2000)
        lost = _id_variants(t, cols, rates, rng, by, log)
    protected = np.zeros(n, dtype=bool)
    protected[list(lost)] = True  # rows without ID keep a clean name and phone to be matched on

    if t.name_column and "name_typo" in t.kinds and n:
        col = cols[t.name_column]
        u, pick = rng.random(n), rng.random(n)
        for i in np.flatnonzero((u < rates.name_typo) & ~protected).tolist():
            new = typo(col[i], pick[i]) if isinstance(col[i], str) else None
            if new is not None:
                col[i] = new
                log.append((i, "name_typo", t.name_column))

    if t.phone_column and "bad_phone" in t.kinds and n:
        col = cols[t.phone_column]
        u, pick = rng.random(n), rng.random(n)
        for i in np.flatnonzero((u < rates.bad_phone) & ~protected).tolist():
            if isinstance(col[i], str) and col[i]:
                col[i] = bad_phone(col[i], pick[i])
                log.append((i, "bad_phone", t.phone_column))

    if "address_variant" in t.kinds and n:
        road, lane, number = (buildings[c].to_numpy() for c in ("road", "lane", "number"))
        for ac in t.addresses:
            col = cols[ac.column]
            u = rng.random(n)
            style_pick = rng.integers(0, len(STYLES) - 1, n)
            others = [s for s in STYLES if s != ac.style]
            for i in np.flatnonzero((u < rates.address_variant) & (ac.building >= 0)).tolist():
                k = ac.building[i]
                room = int(ac.room[i]) if ac.room is not None else 0
                col[i] = spell(int(road[k]), int(lane[k]), int(number[k]), room, others[style_pick[i]])
                log.append((i, "address_variant", ac.column))

    if "impossible_date" in t.kinds and t.dates and n:
        u, which, pick = rng.random(n), rng.integers(0, len(t.dates), n), rng.random(n)
        for i in np.flatnonzero(u < rates.impossible_date).tolist():
            dc = t.dates[which[i]]
            v = cols[dc.column][i]
            if v is None or v == "":
                continue
            cols[dc.column][i] = impossible(v, dc.fmt, dc.is_birth, pick[i])
            log.append((i, "impossible_date", dc.column))

    if "missing_value" in t.kinds and t.optional and n:
        u, which = rng.random(n), rng.integers(0, len(t.optional), n)
        for i in np.flatnonzero(u < rates.missing_value).tolist():
            column = t.optional[which[i]]
            if protected[i] and column in (t.phone_column, t.name_column):
                continue
            v = cols[column][i]
            if v is None or v == "":
                continue
            cols[column][i] = _blank(v)
            log.append((i, "missing_value", column))

    t.frame = pd.DataFrame(cols, dtype=object)
    t.log = pd.DataFrame(log, columns=["row", "kind", "column"])
    if "duplicate_row" in t.kinds and n:
        t = _duplicate_rows(t, rng.random(n) < rates.duplicate_row)
    return t


def _duplicate_rows(t: Table, dup: np.ndarray) -> Table:
    """Repeat the flagged rows right below themselves and shift the log accordingly.

    The copy carries the original's defects too, so they are logged on both rows.
    """
    n = len(t.frame)
    repeats = 1 + dup.astype(int)
    take = np.repeat(np.arange(n), repeats)
    new_pos = np.cumsum(repeats) - repeats  # where each original row lands
    frame = t.frame.iloc[take].reset_index(drop=True)
    person = t.person[take] if t.person is not None else None
    old_rows = t.log["row"].to_numpy(dtype=np.int64)
    moved = t.log.assign(row=new_pos[old_rows])
    copied = t.log[dup[old_rows]].assign(row=new_pos[old_rows[dup[old_rows]]] + 1)
    dups = pd.DataFrame({"row": new_pos[dup] + 1, "kind": "duplicate_row", "column": ""})
    log = pd.concat([moved, copied, dups], ignore_index=True)
    log = log.sort_values(["row", "kind"], kind="stable", ignore_index=True)
    addresses = [
        replace(ac, building=ac.building[take], room=None if ac.room is None else ac.room[take]) for ac in t.addresses
    ]
    return replace(t, frame=frame, person=person, log=log, addresses=addresses)
