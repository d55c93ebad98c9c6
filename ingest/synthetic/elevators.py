"""The latent process behind elevator retrofits in walk-up buildings, 2019–2025.

Every walk-up without an elevator gets a static score from its features plus noise:

    z_b = a + 6.0·(share_70_upper − m) + 0.5·(floors − 6) + 0.04·(build_year − 1990)
            + 6.0·(party_share − m) + 0.6·log(activity / median) + ε_b,   ε_b ~ N(0, 0.8²)

(``m`` = mean over eligible buildings). In each year t the hazard of completing an
installation is ``h_bt = sigmoid(z_b + year_t + 0.5·log(1 + spill_bt))``, where ``spill_bt`` is
the number of buildings of the same residential area within 250 m that completed one in
earlier years (spill-over in time) and ``year_t`` follows policy (a dip in 2020/2022, a
half year in 2025). The intercept ``a`` is calibrated by bisection so that about
``TARGET_SHARE`` of eligible buildings have an elevator by the snapshot date.

The oracle propensity written to ground truth is ``1 − Π_t (1 − h_bt)`` evaluated on
the realised spill-over path.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

YEARS = np.arange(2019, 2026)
YEAR_EFFECT = np.array([-1.0, -1.3, -0.4, -0.7, 0.0, 0.2, -0.6])
SPILL_COEF = 0.5
NEIGHBOUR_M = 250.0
TARGET_SHARE = 0.18
NOISE_SD = 0.8


def building_features(buildings: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Aggregate residents into the per-building features the latent process uses."""
    b = persons["building"].to_numpy()
    n = len(buildings)
    residents = np.bincount(b, minlength=n).astype(float)
    old_up = (persons["age"].to_numpy() >= 70) & (persons["floor"].to_numpy() >= 3)
    adults = persons["age"].to_numpy() >= 18
    safe = np.maximum(residents, 1)
    return pd.DataFrame(
        {
            "residents": residents.astype(int),
            "share_70_upper": np.bincount(b, weights=old_up, minlength=n) / safe,
            "party_share": np.bincount(b, weights=persons["party"].to_numpy() & adults, minlength=n)
            / np.maximum(np.bincount(b, weights=adults, minlength=n), 1),
            "activity": np.bincount(b, weights=persons["activity"].to_numpy(), minlength=n) / safe,
        }
    )


def _neighbour_pairs(buildings: pd.DataFrame, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (i, j) index pairs of eligible buildings in the same area within 250 m."""
    idx = np.flatnonzero(eligible)
    src, dst = [], []
    area = buildings["area"].to_numpy()[idx]
    x = buildings["x"].to_numpy()[idx]
    y = buildings["y"].to_numpy()[idx]
    # Pairs are only sought within an area, which keeps memory linear in district size.
    for a in np.unique(area):
        k = np.flatnonzero(area == a)
        d = np.hypot(x[k, None] - x[None, k], y[k, None] - y[None, k])
        i, j = np.nonzero((d < NEIGHBOUR_M) & (d > 0))
        src.append(k[i])
        dst.append(k[j])
    return (np.concatenate(src), np.concatenate(dst)) if src else (np.empty(0, int), np.empty(0, int))


def _simulate(z: np.ndarray, u: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]):
    """Run the yearly hazard process; return (install year index or -1, hazards per year)."""
    n = len(z)
    year_of = np.full(n, -1)
    hazards = np.zeros((n, len(YEARS)))
    spill = np.zeros(n)
    for t in range(len(YEARS)):
        h = 1.0 / (1.0 + np.exp(-(z + YEAR_EFFECT[t] + SPILL_COEF * np.log1p(spill))))
        hazards[:, t] = h
        new = (year_of < 0) & (u[:, t] < h)
        year_of[new] = t
        done = (year_of >= 0).astype(float)
        spill = np.bincount(pairs[0], weights=done[pairs[1]], minlength=n) if len(pairs[0]) else spill
    return year_of, hazards


def simulate_installations(rng: np.random.Generator, buildings: pd.DataFrame, persons: pd.DataFrame):
    """Draw elevator retrofits and pending applications.

    Returns:
        (records, propensity): ``records`` has one row per application (building index,
        apply date, install date or NaT, status); ``propensity`` has one row per building
        with the features, the latent score and the oracle probability.
    """
    feats = building_features(buildings, persons)
    eligible = (~buildings["elevator"].to_numpy()) & (buildings["floors"].to_numpy() >= 5)
    idx = np.flatnonzero(eligible)
    f = feats.iloc[idx]
    act = np.log(np.maximum(f["activity"].to_numpy(), 1e-3) / max(np.median(f["activity"]), 1e-3))
    linear = (
        6.0 * (f["share_70_upper"].to_numpy() - f["share_70_upper"].mean())
        + 0.5 * (buildings["floors"].to_numpy()[idx] - 6)
        + 0.04 * (buildings["build_year"].to_numpy()[idx] - 1990)
        + 6.0 * (f["party_share"].to_numpy() - f["party_share"].mean())
        + 0.6 * act
    )
    noise = rng.normal(0, NOISE_SD, len(idx))
    u = rng.random((len(idx), len(YEARS)))
    all_pairs = _neighbour_pairs(buildings, eligible)
    # Re-index pairs from building numbers to positions among the eligible.
    pos = np.full(len(buildings), -1)
    pos[idx] = np.arange(len(idx))
    pairs = (pos[idx][all_pairs[0]], pos[idx][all_pairs[1]])

    lo, hi = -12.0, 4.0
    for _ in range(40):
        mid = (lo + hi) / 2
        year_of, hazards = _simulate(mid + linear + noise, u, pairs)
        if (year_of >= 0).mean() < TARGET_SHARE:
            lo = mid
        else:
            hi = mid
    # Spill-over makes the installed share jump; keep whichever bracket end lands closer.
    share = {a: (_simulate(a + linear + noise, u, pairs)[0] >= 0).mean() for a in (lo, hi)}
    intercept = min(share, key=lambda a: abs(share[a] - TARGET_SHARE))
    year_of, hazards = _simulate(intercept + linear + noise, u, pairs)
    propensity_p = 1.0 - np.prod(1.0 - hazards, axis=1)

    installed = year_of >= 0
    day = rng.random(len(idx))
    year = YEARS[np.maximum(year_of, 0)]
    days_in_year = np.where(year == 2025, 180, 365)
    install = np.array([dt.date(int(y), 1, 1) for y in year], dtype="datetime64[D]") + (day * days_in_year).astype(int)
    apply = install - rng.integers(180, 540, len(idx))
    # Pending: applied recently but not finished by the snapshot.
    pending = (~installed) & (rng.random(len(idx)) < hazards[:, -1] * 1.5)
    pending_apply = np.datetime64("2024-01-01") + rng.integers(0, 540, len(idx))
    rec_pos = np.flatnonzero(installed | pending)
    records = pd.DataFrame(
        {
            "building": idx[rec_pos],
            "apply_date": np.where(installed[rec_pos], apply[rec_pos], pending_apply[rec_pos]),
            "install_date": np.where(installed[rec_pos], install[rec_pos], np.datetime64("NaT")),
            "status": np.where(
                installed[rec_pos], "已竣工",
                rng.choice(["意见征询中", "已立项", "施工中"], len(rec_pos), p=[0.4, 0.3, 0.3]),
            ),
        }
    ).sort_values("apply_date", kind="stable", ignore_index=True)

    propensity = pd.DataFrame(
        {
            "building_code": buildings["building_code"].to_numpy()[idx],
            "floors": buildings["floors"].to_numpy()[idx],
            "build_year": buildings["build_year"].to_numpy()[idx],
            "residents": f["residents"].to_numpy(),
            "share_70_upper": f["share_70_upper"].round(4).to_numpy(),
            "party_share": f["party_share"].round(4).to_numpy(),
            "activity_mean": f["activity"].round(4).to_numpy(),
            "linear_features": np.round(intercept + linear, 4),
            "noise": np.round(noise, 4),
            "propensity": np.round(propensity_p, 6),
            "installed": installed.astype(int),
            "install_year": np.where(installed, year, 0),
        }
    )
    return records, propensity
