"""A tiny synthetic installation history, in memory, for the model and page tests.

Eighty walk-ups whose install dates follow a known rule: the more residents aged 70+ live
upstairs and the more party members, the earlier they install; noise from a fixed seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from models.elevators.features import RawDistrict


class StaticRaw(RawDistrict):
    """A RawDistrict whose resident composition does not change with the date."""

    def composition(self, as_of):
        return self.composition_by_date["static"]


def tiny_history(n: int = 80, seed: int = 7, installs: bool = True) -> StaticRaw:
    """Return ``n`` walk-ups; with ``installs`` False nobody ever installs."""
    rng = np.random.default_rng(seed)
    ids = [f"T{i:03d}" for i in range(n)]
    upper = rng.random(n)
    party = rng.random(n)
    z = 3 * upper + 3 * party + rng.normal(0, 0.5, n)
    order = np.argsort(-z)
    installed = [None] * n
    if installs:
        for position, i in enumerate(order[: n // 2]):  # the top half install, best first
            installed[i] = (dt.date(2019, 1, 1) + dt.timedelta(days=int(position * 60))).isoformat()
    buildings = pd.DataFrame({
        "address": [f"测试路{i}号" for i in range(n)], "area_id": ["A1", "A2"] * (n // 2),
        "area_name": ["甲", "乙"] * (n // 2), "floors": rng.integers(5, 8, n).astype(float),
        "build_year": rng.integers(1980, 2000, n).astype(float),
        "elevator_as_built": [False] * n, "lat": 31.27 + rng.random(n) / 100,
        "lon": 121.45 + rng.random(n) / 100, "ownership": ["sold_public"] * n,
        "applied_on": [None] * n, "installed_on": installed, "status": [
            "installed" if d else None for d in installed]}, index=pd.Index(ids, name="building_id"))
    residents = rng.integers(20, 40, n)
    composition = pd.DataFrame({
        "residents": residents, "age_0_17": residents // 10, "age_18_59": residents // 2,
        "age_60_69": residents // 10, "age_70_79": residents // 10,
        "age_80_plus": residents - residents // 10 * 3 - residents // 2,
        "residents_70_upper": np.round(upper * residents * 0.4),
        "adults": residents - residents // 10,
        "adult_party_members": np.round(party * (residents - residents // 10) * 0.3)},
        index=pd.Index(ids, name="building_id"))
    counts = pd.DataFrame(index=buildings.index)
    complaints = pd.DataFrame(columns=["building_id", "date"])
    return StaticRaw(buildings, {"static": composition}, counts, complaints, dt.date(2025, 6, 30))
