"""Exports of the health system: family-doctor contracts, chronic diseases, screenings, serious illness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .defects import DateColumn, Table
from .formats import format_dates
from .names import make_names
from .render import home_address, random_days
from .traits import CONDITIONS
from .world import World

CONTRACTS = "health_family_doctor.csv"
CHRONIC = "health_chronic_disease.csv"
SCREENING = "health_screening.csv"
SERIOUS = "health_serious_illness.csv"

SERIOUS_CATEGORIES = ["恶性肿瘤门诊治疗", "肾透析", "肾移植抗排异治疗", "精神病门诊治疗"]
HOSPITALS = ["上海市第十人民医院", "上海市静安区市北医院", "复旦大学附属华山医院", "上海交通大学医学院附属瑞金医院",
             "上海市静安区中心医院", "上海市精神卫生中心"]


def _patient_ids(world: World, rng: np.random.Generator) -> np.ndarray:
    """Return the health system's own stable patient number for every person."""
    n = len(world.persons)
    return np.array([f"JA{v:010d}" for v in (rng.permutation(n) * 37 + 1_000_003).tolist()], dtype=object)


def _doctors(world: World, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return (doctor name, station name) per residential area."""
    clinics = world.service_points.loc[world.service_points["kind"] == "社区卫生服务站", "name"].to_numpy()
    n_areas = len(world.areas)
    doctor = make_names(rng, rng.random(n_areas) < 0.4, rng.integers(1965, 1995, n_areas))
    station = clinics[np.arange(n_areas) % len(clinics)] if len(clinics) else np.full(n_areas, "临汾路街道社区卫生服务中心")
    return doctor, station


def _common(world: World, pid: np.ndarray, person: np.ndarray) -> dict:
    """Return the identifying columns every health export starts with."""
    p = world.persons
    return {
        "patient_id": pid[person],
        "id_card": p["id_number"].to_numpy()[person],
        "name": p["name"].to_numpy()[person],
    }


def health_exports(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the four health exports (English headers, YYYY-MM-DD dates)."""
    p = world.persons
    pid = _patient_ids(world, rng)
    doctor, station = _doctors(world, rng)
    area_of = world.buildings["area"].to_numpy()[p["building"].to_numpy()]
    tables = []

    signed = np.flatnonzero(p["family_doctor"].to_numpy())
    n = len(signed)
    addr, addr_col = home_address(world, signed, "address", "spaced")
    frame = pd.DataFrame(
        {
            "contract_no": [f"FD{i + 1:08d}" for i in range(n)],
            **_common(world, pid, signed),
            "gender": np.where(p["male"].to_numpy()[signed], "M", "F"),
            "birth_date": format_dates(p["birth"].to_numpy()[signed], "iso"),
            "mobile": p["phone"].to_numpy()[signed],
            "address": addr,
            "doctor": doctor[area_of[signed]],
            "station": station[area_of[signed]],
            "signed_on": format_dates(random_days(rng, n, "2016-01-01", "2025-06-20"), "iso"),
            "status": np.where(rng.random(n) < 0.95, "active", "terminated"),
        }
    )
    tables.append(Table(CONTRACTS, frame, person=signed, id_column="id_card", name_column="name",
                        phone_column="mobile", addresses=[addr_col],
                        dates=[DateColumn("birth_date", "iso", is_birth=True), DateColumn("signed_on", "iso")],
                        optional=["mobile", "address", "birth_date", "gender"]))

    conds = p["conditions"].to_numpy()
    rows = [(i, c) for i, text in enumerate(conds.tolist()) if text for c in text.split(";")]
    person = np.array([r[0] for r in rows], dtype=np.int64)
    code = {name: icd for name, icd, _ in CONDITIONS}
    disease = np.array([r[1] for r in rows], dtype=object)
    n = len(person)
    age = p["age"].to_numpy()[person]
    back = np.minimum(rng.exponential(8, n), np.maximum(age - 20, 0.5))
    diagnosed = np.datetime64("2025-06-30", "D") - np.round(back * 365.2425).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            **_common(world, pid, person),
            "icd10": [code[d] for d in disease],
            "disease": disease,
            "diagnosed_on": format_dates(diagnosed, "iso"),
            "managed_by": doctor[area_of[person]] if n else [],
        }
    )
    tables.append(Table(CHRONIC, frame, person=person, id_column="id_card", name_column="name",
                        dates=[DateColumn("diagnosed_on", "iso")], optional=["diagnosed_on", "managed_by"]))

    age_all = p["age"].to_numpy()
    parts = []
    for year in (2023, 2024, 2025):
        end = "2025-06-25" if year == 2025 else f"{year}-12-20"
        who = np.flatnonzero((age_all >= 60) & (rng.random(len(p)) < (0.3 if year == 2025 else 0.6)))
        parts.append((who, "老年人健康体检", random_days(rng, len(who), f"{year}-03-01", end)))
    who = np.flatnonzero((age_all >= 50) & (age_all <= 74) & (rng.random(len(p)) < 0.2))
    parts.append((who, "大肠癌筛查", random_days(rng, len(who), "2023-01-01", "2025-06-25")))
    who = np.flatnonzero((age_all >= 60) & (rng.random(len(p)) < 0.15))
    parts.append((who, "认知障碍筛查", random_days(rng, len(who), "2023-01-01", "2025-06-25")))
    diabetic = np.array(["糖尿病" in c for c in conds.tolist()])
    who = np.flatnonzero(diabetic & (rng.random(len(p)) < 0.5))
    parts.append((who, "糖尿病眼底筛查", random_days(rng, len(who), "2023-01-01", "2025-06-25")))
    person = np.concatenate([w for w, _, _ in parts])
    kind = np.concatenate([np.full(len(w), k, dtype=object) for w, k, _ in parts])
    when = np.concatenate([d for _, _, d in parts])
    order = np.lexsort((person, when))
    person, kind, when = person[order], kind[order], when[order]
    n = len(person)
    u = rng.random(n)
    positive = np.where(kind == "大肠癌筛查", 0.08, np.where(kind == "认知障碍筛查", 0.12, 0.0))
    result = np.where(u < positive, "阳性", np.where(u < positive + 0.25, "异常", "正常"))
    frame = pd.DataFrame(
        {**_common(world, pid, person), "screening": kind, "screened_on": format_dates(when, "iso"), "result": result}
    )
    tables.append(Table(SCREENING, frame, person=person, id_column="id_card", name_column="name",
                        dates=[DateColumn("screened_on", "iso")], optional=["result"]))

    risk = np.select([age_all < 40, age_all < 60, age_all < 75], [0.002, 0.01, 0.025], 0.035)
    ill = np.flatnonzero(rng.random(len(p)) < risk)
    visits = rng.integers(1, 7, len(ill))
    person = np.repeat(ill, visits)
    category = np.repeat(rng.choice(SERIOUS_CATEGORIES, len(ill), p=[0.7, 0.15, 0.05, 0.1]), visits)
    hospital = np.repeat(rng.choice(HOSPITALS, len(ill)), visits)
    when = random_days(rng, len(person), "2024-07-01", "2025-06-28")
    order = np.lexsort((person, when))
    person, category, hospital, when = person[order], category[order], hospital[order], when[order]
    frame = pd.DataFrame(
        {**_common(world, pid, person), "category": category, "hospital": hospital,
         "visit_date": format_dates(when, "iso")}
    )
    tables.append(Table(SERIOUS, frame, person=person, id_column="id_card", name_column="name",
                        dates=[DateColumn("visit_date", "iso")], optional=["hospital"]))
    return tables
