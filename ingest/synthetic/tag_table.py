"""Synthetic resident tables and rule sets for exercising the tag engine at Linfen's scale.

Linfen Road's cockpit carries ~240 tags; ``synthetic_rules(240)`` builds that many (age
bands × sex × a condition) and ``synthetic_residents(n)`` a resident table with every
column the rules read. Used by ``bench/tag_engine.py`` and the tag tests.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd

from ingest import tags
from ingest.tags import COLUMNS, TagRule, compile_rule, compute_tags

REFERENCE_DATE = date(2025, 6, 30)


def random_subsets(rng, items: list[str], p: float, n: int) -> list[list[str]]:
    """Return ``n`` random sub-lists of ``items``, each item kept with probability ``p``."""
    bits = (rng.random((n, len(items))) < p) @ (1 << np.arange(len(items)))
    lists = {mask: [item for i, item in enumerate(items) if mask >> i & 1]
             for mask in np.unique(bits).tolist()}
    # Rows with the same subset share one list object; nothing downstream mutates them.
    return [lists[mask] for mask in bits.tolist()]


def synthetic_residents(n: int, seed: int = 0) -> pd.DataFrame:
    """Return ``n`` random residents with every column of the tag table, some values missing."""
    rng = np.random.default_rng(seed)
    pick = lambda values, p=None: rng.choice(np.asarray(values, dtype=object), n, p=p)  # noqa: E731
    flag = lambda p: rng.random(n) < p  # noqa: E731
    ages = rng.integers(0, 101, n).astype(float)
    ages[flag(0.01)] = np.nan
    chronic = random_subsets(rng, sorted(tags.CONDITIONS), 0.15, n)
    apps = random_subsets(rng, sorted(tags.MATTERS), 0.06, n)
    vol = flag(0.03)
    vskills = random_subsets(rng, sorted(tags.SKILLS), 0.15, n)
    vskills = [s if v else [] for s, v in zip(vskills, vol)]
    random_day = lambda p: np.where(  # noqa: E731
        flag(p), np.datetime64("2022-01-01") + rng.integers(0, 1276, n).astype("timedelta64[D]"),
        np.datetime64("NaT")).astype("datetime64[D]").astype(object)
    screenings = [{k: v for k, v in zip(sorted(tags.SCREENINGS), days) if v is not None}
                  for days in zip(*(random_day(0.4) for _ in tags.SCREENINGS))]
    floors = rng.integers(1, 8, n)
    low_income = pick([None, "dibao", "low_income", "tekun"], [0.94, 0.03, 0.02, 0.01])
    return pd.DataFrame({
        "resident_id": [f"R{i:07d}" for i in range(n)], "name": "某", "age": ages,
        "birth_date": None, "sex": pick(["M", "F", None], [0.49, 0.49, 0.02]),
        "phone": pick(["13800000000", None], [0.97, 0.03]), "ethnicity": "汉族",
        "household_id": [f"H{i // 2:07d}" for i in range(n)],
        "relation": pick(sorted(COLUMNS["relation"].values)),
        "household_size": rng.integers(1, 6, n), "lives_alone": flag(0.08),
        "building_id": "B", "floor": floors, "area_id": "A",
        "registered_elsewhere": flag(0.08), "registered_outside_district": flag(0.04),
        "migrant": flag(0.12), "political_status": "masses", "party_member": flag(0.08),
        "employment": pick(sorted(COLUMNS["employment"].values)),
        "low_income_kind": low_income, "disabled": flag(0.04),
        "disability_grade": np.where(flag(0.04), rng.integers(1, 5, n), np.nan),
        "disability_type": pick([None, "limb", "visual"], [0.96, 0.02, 0.02]),
        "lone_elderly_register": flag(0.04), "guolao": flag(0.01),
        "chronic_conditions": chronic, "family_doctor": pick([True, False, None],
                                                             [0.5, 0.45, 0.05]),
        "ltc_level": rng.integers(0, 7, n), "care_mode": pick([None, "home"], [0.9, 0.1]),
        "home_care_hours_week": rng.integers(0, 9, n).astype(float),
        "last_screening": screenings, "serious_illness_last_visit": random_day(0.02),
        "serious_illness_category": pick([None, "cancer"], [0.98, 0.02]),
        "applications": apps, "bookings_count": rng.integers(0, 5, n),
        "attended_count": rng.integers(0, 5, n), "volunteer": vol,
        "volunteer_skills": vskills, "volunteer_hours": rng.integers(0, 300, n) * vol,
        "official": flag(0.001), "building_floors": np.maximum(floors, 6),
        "building_has_elevator": flag(0.15), "building_build_year": rng.integers(1980, 2016, n),
        "building_ownership": "售后公房", "has_meter": flag(0.03),
        "water_no_use_hours": np.where(flag(0.03), rng.random(n) * 100, np.nan),
    })


def synthetic_rules(count: int = 240) -> list[TagRule]:
    """Return ``count`` distinct rules: age bands × sex × a condition, like Linfen's tag list."""
    bands = [[lo, lo + 9] for lo in range(0, 100, 10)] + [[60, 74], [75, 120]]
    conditions = [
        {"lives_alone": "is_true"},
        {"not": {"family_doctor": "is_true"}},
        {"chronic_conditions": {"contains": "diabetes"}},
        {"chronic_conditions": {"contains_any": ["chd", "stroke"]}},
        {"chronic_conditions": {"size_gte": 2}},
        {"not": {"last_screening.diabetic_eye": {"within_days": 730}}},
        {"employment": {"in": ["unemployed", "jobless"]}},
        {"all": [{"floor": {"gte": 4}}, {"building_has_elevator": "is_false"}]},
        {"not": {"applications": {"contains": "senior_card"}}},
        {"low_income_kind": "present"},
    ]
    result = []
    for band in bands:
        for sex in ("M", "F"):
            for i, condition in enumerate(conditions):
                rule = {"all": [{"age": {"between": band}}, {"sex": {"eq": sex}}, condition]}
                tag_id = f"syn_{band[0]}_{band[1]}_{sex.lower()}_{i}"
                result.append(TagRule(tag_id, "risk", "Synthetic.", compile_rule(rule, tag_id)))
    assert len(result) >= count
    return result[:count]


def benchmark(residents: int = 83_000, rule_count: int = 240, seed: int = 0) -> dict:
    """Time compute_tags for ``rule_count`` synthetic rules over ``residents`` rows."""
    frame = synthetic_residents(residents, seed)
    rule_list = synthetic_rules(rule_count)
    started = time.perf_counter()
    result = compute_tags(frame, rule_list, REFERENCE_DATE)
    seconds = time.perf_counter() - started
    return {"residents": residents, "rules": rule_count, "pairs": len(result),
            "seconds": round(seconds, 3)}
