"""Small helpers the export builders share: addresses of persons, random dates, labels."""

from __future__ import annotations

import numpy as np

from .addresses import spell_many
from .defects import AddressColumn
from .world import World


def home_address(world: World, person: np.ndarray, column: str, style: str, with_room: bool = True):
    """Return (cells, AddressColumn) for where the given persons actually live."""
    p = world.persons
    b = world.buildings
    building = p["building"].to_numpy()[person]
    room = p["room"].to_numpy()[person] if with_room else None
    cells = spell_many(b["road"].to_numpy()[building], b["lane"].to_numpy()[building],
                       b["number"].to_numpy()[building], room, style)
    return cells, AddressColumn(column, building, room, style)


def building_address(world: World, building: np.ndarray, column: str, style: str):
    """Return (cells, AddressColumn) for buildings without a room number."""
    b = world.buildings
    cells = spell_many(b["road"].to_numpy()[building], b["lane"].to_numpy()[building],
                       b["number"].to_numpy()[building], None, style)
    return cells, AddressColumn(column, building, None, style)


def random_days(rng: np.random.Generator, n: int, start: str, end: str) -> np.ndarray:
    """Return ``n`` uniform dates in [start, end] as datetime64[D]."""
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    return lo + rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("timedelta64[D]")


def office_times(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Add office-hours times (08:30–17:00) to dates, as datetime64[s]."""
    secs = rng.integers(8 * 3600 + 1800, 17 * 3600, len(days))
    return days.astype("datetime64[s]") + secs.astype("timedelta64[s]")


def sex_zh(male: np.ndarray) -> np.ndarray:
    """Return 男/女 labels."""
    return np.where(male, "男", "女").astype(object)
