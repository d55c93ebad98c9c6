"""Tag-relevant facts about residents: work, party, disability, income, health, care needs, activity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .params import weighted_sample

PARTY_SHARE = 0.08
DISABLED_SHARE = 0.04
LOW_INCOME_HOUSEHOLD_SHARE = 0.025

# Chronic conditions: (name, ICD-10, prevalence for ages <45, 45–59, 60–74, 75+).
CONDITIONS = [
    ("高血压", "I10", (0.04, 0.25, 0.50, 0.60)),
    ("2型糖尿病", "E11", (0.02, 0.10, 0.20, 0.25)),
    ("冠心病", "I25", (0.00, 0.02, 0.08, 0.15)),
    ("慢性阻塞性肺疾病", "J44", (0.00, 0.01, 0.04, 0.08)),
    ("脑卒中", "I63", (0.00, 0.01, 0.04, 0.08)),
    ("阿尔茨海默病", "G30", (0.00, 0.00, 0.01, 0.07)),
]
DISABILITY_TYPES = ["肢体", "视力", "听力", "言语", "智力", "精神", "多重"]
DISABILITY_TYPE_P = [0.40, 0.15, 0.15, 0.03, 0.10, 0.12, 0.05]


def _age_band(age: np.ndarray) -> np.ndarray:
    """Return 0..3 for the condition-prevalence bands <45, 45–59, 60–74, 75+."""
    return np.searchsorted([45, 60, 75], age, side="right")


def employment(rng: np.random.Generator, age: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Return 就业状况 per person; women retire at 50–55, men at 60 (Shanghai rules)."""
    n = len(age)
    u = rng.random(n)
    working = np.select([u < 0.75, u < 0.83, u < 0.88], ["在职", "灵活就业", "失业"], "无业")
    retired = np.where(male, age >= 60, (age >= 55) | ((age >= 50) & (u < 0.7)))
    return np.select(
        [age < 7, age < 18, (age < 23) & (u < 0.7), retired],
        ["学龄前", "学生", "学生", "退休"],
        working,
    ).astype(object)


def add_traits(rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Add tag-relevant facts to ``persons`` (returns a new frame).

    Columns added: employment, party, party_join, political, disabled, disability_grade,
    disability_type, low_income, lone_elderly, guolao, conditions (';'-joined), ltc_level,
    family_doctor, activity, retired_woman_50_74, child_0_6, has_meter.
    """
    p = persons
    n = len(p)
    age = p["age"].to_numpy()
    male = p["male"].to_numpy()
    emp = employment(rng, age, male)

    party_w = np.select([age < 18, age < 30, age < 60], [0.0, 0.6, 1.0], 1.8) * np.where(male, 1.4, 1.0)
    party = np.zeros(n, bool)
    party[weighted_sample(rng, party_w, round(PARTY_SHARE * n))] = True
    join_age = np.minimum(age - 0.5, rng.uniform(18, 55, n))
    join_days = np.round(join_age * 365.2425).astype(np.int64)
    party_join = np.where(party, p["birth"].to_numpy() + join_days.astype("timedelta64[D]"), np.datetime64("NaT"))
    youth = (age >= 14) & (age <= 28) & (rng.random(n) < 0.3)
    political = np.select(
        [party, youth, rng.random(n) < 0.003], ["中共党员", "共青团员", "民主党派"], "群众"
    ).astype(object)

    dis_w = np.select([age < 18, age < 60, age < 80], [0.3, 0.7, 1.5], 3.0)
    disabled = np.zeros(n, bool)
    disabled[weighted_sample(rng, dis_w, round(DISABLED_SHARE * n))] = True
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], n, p=[0.1, 0.2, 0.3, 0.4]), 0)
    dtype = np.where(disabled, rng.choice(DISABILITY_TYPES, n, p=DISABILITY_TYPE_P), "").astype(object)

    hh = p["household"].to_numpy()
    kind = households["kind"].to_numpy()
    low_w = np.select([kind == "LE", np.isin(kind, ["SA", "EA"])], [2.0, 1.5], 1.0)
    low_hh = np.full(len(households), "", dtype=object)
    chosen = weighted_sample(rng, low_w, max(1, round(LOW_INCOME_HOUSEHOLD_SHARE * len(households))))
    low_hh[chosen] = rng.choice(["低保", "低收入", "特困"], len(chosen), p=[0.6, 0.3, 0.1])
    # 特困 (extreme poverty support) only applies to people with no one to support them.
    low_hh[chosen] = np.where((low_hh[chosen] == "特困") & (kind[chosen] != "LE"), "低保", low_hh[chosen])
    low_income = low_hh[hh]

    lone = kind[hh] == "LE"
    guolao = lone & (rng.random(n) < 0.15)

    band = _age_band(age)
    has = np.stack([rng.random(n) < np.array(prev)[band] for _, _, prev in CONDITIONS], axis=1)
    # Look the ';'-joined text up by bitmask: a per-row join is too slow at a million residents.
    mask = has.astype(np.int64) @ (1 << np.arange(len(CONDITIONS)))
    table = np.array(
        [";".join(c[0] for j, c in enumerate(CONDITIONS) if m >> j & 1) for m in range(1 << len(CONDITIONS))],
        dtype=object,
    )
    conditions = table[mask]

    ltc_p = np.select([age < 60, age < 70, age < 80, age < 90], [0.0, 0.02, 0.08, 0.25], 0.45)
    ltc_p = np.where(disabled & (age >= 60), np.minimum(1.0, ltc_p * 2 + 0.1), ltc_p)
    assessed = rng.random(n) < ltc_p
    level = np.clip(np.round(1 + (age - 60) / 12 + rng.normal(0, 1.1, n) + grade * (grade > 0) * 0.3), 1, 6)
    ltc_level = np.where(assessed, level, 0).astype(int)

    doctor_p = np.select([age < 7, age < 40, age < 60], [0.3, 0.1, 0.25], 0.78)
    family_doctor = rng.random(n) < doctor_p

    retired_woman = (~male) & (age >= 50) & (age <= 74) & (emp == "退休")
    activity = rng.lognormal(0, 0.8, n) * np.where(party, 1.5, 1.0) * np.where(retired_woman, 1.3, 1.0)
    activity = np.where(age < 12, 0.2, activity)

    has_meter = lone & (rng.random(n) < 0.8)

    return p.assign(
        employment=emp, party=party, party_join=party_join, political=political,
        disabled=disabled, disability_grade=grade, disability_type=dtype, low_income=low_income,
        lone_elderly=lone, guolao=guolao, conditions=conditions, ltc_level=ltc_level,
        family_doctor=family_doctor, activity=np.round(activity, 4), retired_woman_50_74=retired_woman,
        child_0_6=age <= 6, has_meter=has_meter,
    )


def pick_volunteers(rng: np.random.Generator, persons: pd.DataFrame, count: int) -> np.ndarray:
    """Choose registered volunteers: active, party members and retired women over-represented."""
    age = persons["age"].to_numpy()
    w = persons["activity"].to_numpy() * np.where((age >= 18) & (age <= 80), 1.0, 0.0)
    w = w * np.where(persons["party"].to_numpy(), 2.0, 1.0)
    w = w * np.where(persons["retired_woman_50_74"].to_numpy(), 2.5, 1.0)
    w = w * np.where((age >= 60) & (age <= 75), 1.5, 1.0)
    return weighted_sample(rng, w, count)


def pick_officials(rng: np.random.Generator, persons: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Choose 2–4 committee officials per residential area from working-age residents."""
    per_area = rng.integers(2, 5, len(areas))
    age = persons["age"].to_numpy()
    w = np.where((age >= 28) & (age <= 55), 1.0, 0.0)
    if np.count_nonzero(w) < per_area.sum():
        w = np.where(age >= 22, 1.0, 0.0)
    chosen = rng.permutation(weighted_sample(rng, w, int(per_area.sum())))
    area = np.repeat(np.arange(len(areas)), per_area)
    seq = np.concatenate([np.arange(k) for k in per_area])
    role = np.array(["书记", "主任", "副主任", "社工"], dtype=object)[np.minimum(seq, 3)]
    return pd.DataFrame(
        {"person": chosen, "area": area, "role": role, "staff_id": [f"LFJW{i + 1:04d}" for i in range(len(chosen))]}
    )
