"""Households and residents: composition, ages, flats, identity documents, contact details.

Households are drawn by type so that the district ends up with ~40 % of residents aged
60+, ~10 % of those living alone and ~2.4 persons per household, as in central Shanghai.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import idnumbers
from .addresses import elsewhere_shanghai, in_province, spell_many
from .names import make_names
from .params import SNAPSHOT, DefectRates, Scale
from .phones import make_phones

ELDERLY_SHARE = 0.40
LONE_SHARE_OF_ELDERLY = 0.10

# Household kinds: (persons, persons aged 60+) expectations drive the mix below.
#   LE lone elderly (1, 1)            EC elderly couple (2, 2)
#   EA elderly + adult child (2.4, 1.4)   TG three generations (4.6, 1.6)
#   SA single adult (1, 0)            YC couple (2, 0)        NF nuclear family (3.15, 0)
_OLD_MIX = {"EC": 0.6, "EA": 0.2, "TG": 0.2}
_YOUNG_MIX = {"SA": 0.2, "YC": 0.2, "NF": 0.6}

# 5-year bands from 60; the lone elderly are older than elderly couples.
_ELDERLY_BANDS = np.array([0.26, 0.25, 0.20, 0.12, 0.09, 0.05, 0.025, 0.005])
_LONE_BANDS = np.array([0.12, 0.16, 0.18, 0.17, 0.17, 0.12, 0.06, 0.02])


def plan_households(scale: Scale) -> dict[str, int]:
    """Return how many households of each kind reproduce the target age structure."""
    people = scale.residents
    elderly = ELDERLY_SHARE * people
    lone = LONE_SHARE_OF_ELDERLY * elderly
    with_old = (elderly - lone) / (0.6 * 2 + 0.2 * 1.4 + 0.2 * 1.6)
    without_old = max(0.0, (people - lone - with_old * (0.6 * 2 + 0.2 * 2.4 + 0.2 * 4.6)) / 2.49)
    plan = {"LE": lone}
    plan.update({k: with_old * v for k, v in _OLD_MIX.items()})
    plan.update({k: without_old * v for k, v in _YOUNG_MIX.items()})
    return {k: max(1, int(round(v))) for k, v in plan.items()}


def _elderly_age(rng: np.random.Generator, n: int, bands: np.ndarray = _ELDERLY_BANDS) -> np.ndarray:
    """Draw ages 60–99 from 5-year band weights."""
    band = rng.choice(len(bands), n, p=bands / bands.sum())
    return 60 + band * 5 + rng.random(n) * 5


class _Members:
    """Collects household members role by role, head first within each household."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, hh: np.ndarray, order: int, age: np.ndarray, male: np.ndarray, relation) -> None:
        """Add one member per given household."""
        rel = np.full(len(hh), relation, dtype=object) if isinstance(relation, str) else relation
        self.parts.append(
            pd.DataFrame({"hh": hh, "order": order, "age": np.clip(age, 0.01, 105.0), "male": male, "relation": rel})
        )

    def frame(self) -> pd.DataFrame:
        """Return all members sorted by household, head first."""
        return pd.concat(self.parts, ignore_index=True).sort_values(["hh", "order"], kind="stable", ignore_index=True)


def _child_relation(male: np.ndarray, grand: bool = False) -> np.ndarray:
    """Return 子/女 (or 孙子/孙女) by sex."""
    if grand:
        return np.where(male, "孙子", "孙女").astype(object)
    return np.where(male, "子", "女").astype(object)


def make_members(rng: np.random.Generator, plan: dict[str, int]) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw every household's members (age, sex, relation to head).

    Returns:
        (members, kind) where members has columns hh, age, male, relation, and
        kind[h] is household h's kind code.
    """
    kinds = np.concatenate([np.full(c, k) for k, c in plan.items()])
    kinds = kinds[rng.permutation(len(kinds))]
    m = _Members()

    def ids(k: str) -> np.ndarray:
        return np.flatnonzero(kinds == k)

    hh = ids("LE")
    m.add(hh, 0, _elderly_age(rng, len(hh), _LONE_BANDS), rng.random(len(hh)) < 0.3, "户主")

    hh = ids("EC")
    husband = _elderly_age(rng, len(hh))
    # Clamped ages get a random fraction: identical birthdays would exhaust ID sequence numbers.
    wife = np.maximum(60.0 + rng.random(len(hh)), husband - rng.uniform(0, 5, len(hh)))
    man_head = rng.random(len(hh)) < 0.75
    m.add(hh, 0, np.where(man_head, husband, wife), man_head, "户主")
    m.add(hh, 1, np.where(man_head, wife, husband), ~man_head, "配偶")

    hh = ids("EA")
    parent = _elderly_age(rng, len(hh), _LONE_BANDS) + rng.uniform(0, 4, len(hh))
    two = rng.random(len(hh)) < 0.4
    male_parent = np.where(two, True, rng.random(len(hh)) < 0.3)
    m.add(hh, 0, parent, male_parent, "户主")
    m.add(hh[two], 1, np.maximum(60.0 + rng.random(two.sum()), parent[two] - rng.uniform(0, 5, two.sum())),
          np.zeros(two.sum(), bool), "配偶")
    child_male = rng.random(len(hh)) < 0.5
    m.add(hh, 2, parent - rng.uniform(25, 35, len(hh)), child_male, _child_relation(child_male))

    hh = ids("TG")
    elder = rng.uniform(62, 88, len(hh))
    two = rng.random(len(hh)) < 0.6
    elder_male = np.where(two, True, rng.random(len(hh)) < 0.35)
    m.add(hh, 0, elder, elder_male, "户主")
    m.add(hh[two], 1, np.maximum(60.0 + rng.random(two.sum()), elder[two] - rng.uniform(0, 5, two.sum())),
          np.zeros(two.sum(), bool), "配偶")
    adult = elder - rng.uniform(26, 33, len(hh))
    adult_male = rng.random(len(hh)) < 0.5
    m.add(hh, 2, adult, adult_male, _child_relation(adult_male))
    m.add(hh, 3, adult + rng.uniform(-3, 3, len(hh)), ~adult_male, np.where(adult_male, "儿媳", "女婿").astype(object))
    kid_male = rng.random(len(hh)) < 0.5
    m.add(hh, 4, rng.random(len(hh)) * np.clip(adult - 22, 1, 20), kid_male, _child_relation(kid_male, grand=True))

    hh = ids("SA")
    m.add(hh, 0, rng.uniform(20, 60, len(hh)), rng.random(len(hh)) < 0.55, "户主")

    hh = ids("YC")
    age = rng.uniform(22, 59, len(hh))
    male_head = rng.random(len(hh)) < 0.7
    m.add(hh, 0, age, male_head, "户主")
    m.add(hh, 1, age + rng.uniform(-4, 2, len(hh)), ~male_head, "配偶")

    hh = ids("NF")
    father = rng.uniform(28, 58, len(hh))
    mother = father - rng.uniform(0, 4, len(hh))
    male_head = rng.random(len(hh)) < 0.7
    m.add(hh, 0, np.where(male_head, father, mother), male_head, "户主")
    m.add(hh, 1, np.where(male_head, mother, father), ~male_head, "配偶")
    span = np.clip(mother - 22, 1, 25)
    kid_male = rng.random(len(hh)) < 0.51
    m.add(hh, 2, rng.random(len(hh)) * span, kid_male, _child_relation(kid_male))
    second = rng.random(len(hh)) < 0.15
    kid2_male = rng.random(second.sum()) < 0.51
    m.add(hh[second], 3, rng.random(second.sum()) * span[second], kid2_male, _child_relation(kid2_male))

    return m.frame(), kinds


def assign_flats(rng: np.random.Generator, buildings: pd.DataFrame, n_households: int) -> pd.DataFrame:
    """Put each household in a distinct flat; return building, floor and room per household.

    Households come back sorted by building and room so that household numbers (户号)
    follow the registry's street order.
    """
    flats = buildings["flats"].to_numpy()
    per_floor = (buildings["units"] * buildings["per_floor"]).to_numpy()
    chosen = np.sort(rng.choice(int(flats.sum()), n_households, replace=False))
    starts = np.concatenate([[0], np.cumsum(flats)[:-1]])
    building = np.searchsorted(starts, chosen, side="right") - 1
    k = chosen - starts[building]
    floor = k // per_floor[building] + 1
    room = floor * 100 + k % per_floor[building] + 1
    return pd.DataFrame({"building": building, "floor": floor, "room": room})


def _regions(rng: np.random.Generator, migrant: np.ndarray) -> np.ndarray:
    """Pick 6-digit birth-registration region codes (ints) for each person."""
    n = len(migrant)
    local = rng.choice(
        [int(idnumbers.JINGAN), int(idnumbers.FORMER_ZHABEI), *map(int, idnumbers.OTHER_SHANGHAI)],
        n, p=[0.78, 0.15] + [0.07 / len(idnumbers.OTHER_SHANGHAI)] * len(idnumbers.OTHER_SHANGHAI),
    )
    provinces = np.array([int(c) for c in idnumbers.PROVINCES])
    return np.where(migrant, rng.choice(provinces, n), local)


def make_people(
    seed_rng: np.random.Generator, members: pd.DataFrame, kinds: np.ndarray, flats: pd.DataFrame,
    buildings: pd.DataFrame, rates: DefectRates,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn drawn members into residents with IDs, names, phones and addresses.

    Returns:
        (persons, households) frames; see ``ground_truth/persons.csv`` in docs/DATA.md.
    """
    rng = seed_rng
    n_hh = len(kinds)
    # Households were drawn in random order; re-number them in flat (street) order.
    order = rng.permutation(n_hh)  # order[new] = drawn household
    flats = flats.assign(kind=kinds[order])
    new_of_drawn = np.empty(n_hh, dtype=np.int64)
    new_of_drawn[order] = np.arange(n_hh)
    members = members.assign(hh=new_of_drawn[members["hh"].to_numpy()])
    members = members.sort_values(["hh", "order"], kind="stable", ignore_index=True)

    n = len(members)
    hh = members["hh"].to_numpy()
    male = members["male"].to_numpy().astype(bool)
    days = np.round(members["age"].to_numpy() * 365.2425).astype(np.int64)
    birth = np.datetime64(SNAPSHOT, "D") - days.astype("timedelta64[D]")
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (birth - birth.astype("datetime64[M]")).astype(int) + 1
    age = _age_on(years, months, dom)

    kind = flats["kind"].to_numpy()
    migrant_hh = rng.random(n_hh) < np.select(
        [np.isin(kind, ["SA", "YC", "NF"]), np.isin(kind, ["EA", "TG"])], [0.22, 0.05], 0.02
    )
    migrant = migrant_hh[hh]
    region = _regions(rng, migrant)
    ymd = years * 10000 + months * 100 + dom
    id_number = idnumbers.make_id_numbers(rng, region, ymd, male)

    names = make_names(rng, male, years)
    # Children and grandchildren carry the household's family name.
    head_row = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    head_of = head_row[hh]
    inherits = np.isin(members["relation"].to_numpy(), ["子", "女", "孙子", "孙女"])
    names = np.where(inherits, [names[h][0] + nm[1:] for h, nm in zip(head_of.tolist(), names.tolist())], names)

    landline = np.select([age >= 75, age >= 60], [0.35, 0.15], 0.02)
    phone = make_phones(rng, landline)
    # Minors give the head of household's number.
    phone = np.where(age < 16, phone[head_of], phone)

    building = flats["building"].to_numpy()[hh]
    room = flats["room"].to_numpy()[hh]
    floor = flats["floor"].to_numpy()[hh]
    b = buildings
    actual = spell_many(b["road"].to_numpy()[building], b["lane"].to_numpy()[building],
                        b["number"].to_numpy()[building], room, "canonical")

    # 户籍地址: migrants are registered at home; some locals elsewhere (人户分离).
    reg_kind = np.full(n, "same", dtype=object)
    away = (~migrant) & (rng.random(n) < rates.not_at_registered_address)
    other_bldg = away & (rng.random(n) < 0.5)
    reg_kind[away] = "elsewhere_shanghai"
    reg_kind[other_bldg] = "other_building"
    reg_kind[migrant] = "province"
    reg_building = np.where(reg_kind == "same", building, -1)
    reg_building[other_bldg] = (building[other_bldg] + rng.integers(1, len(b), other_bldg.sum())) % len(b)
    reg_room = np.where(other_bldg, rng.integers(1, 7, n) * 100 + rng.integers(1, 4, n), room)
    registered = actual.copy()
    ob = np.flatnonzero(other_bldg)
    registered[ob] = spell_many(b["road"].to_numpy()[reg_building[ob]], b["lane"].to_numpy()[reg_building[ob]],
                                b["number"].to_numpy()[reg_building[ob]], reg_room[ob], "canonical")
    es = np.flatnonzero(reg_kind == "elsewhere_shanghai")
    registered[es] = elsewhere_shanghai(rng, len(es))
    pv = np.flatnonzero(migrant)
    registered[pv] = in_province(rng, np.array([idnumbers.PROVINCES[f"{r:06d}"] for r in region[pv].tolist()], dtype=object))

    persons = pd.DataFrame(
        {
            "person_id": [f"P{i + 1:07d}" for i in range(n)],
            "household": hh, "relation": members["relation"].to_numpy(), "male": male,
            "birth": birth, "birth_ymd": ymd, "age": age, "region": region, "migrant": migrant,
            "id_number": id_number, "name": names, "phone": phone,
            "building": building, "floor": floor, "room": room, "actual_address": actual,
            "reg_kind": reg_kind, "reg_building": reg_building, "reg_room": reg_room, "registered_address": registered,
        }
    )
    households = flats.assign(
        household_id=[f"H{i + 1:07d}" for i in range(n_hh)],
        hukou_no=[f"{31_0000_000 + i * 7 + 3:09d}" for i in range(n_hh)],
        size=np.bincount(hh, minlength=n_hh),
        head=head_row,
        migrant=migrant_hh,
    )
    return persons, households


def _age_on(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Return completed years of age on the snapshot date."""
    before_birthday = (months > SNAPSHOT.month) | ((months == SNAPSHOT.month) & (days > SNAPSHOT.day))
    return SNAPSHOT.year - years - before_birthday.astype(int)
