"""The tag rule language and engine of ingest/tags.py and the catalogue ingest/tag_catalogue.yaml.

The hand-made table ``people`` (reference date 2025-06-30) is the main witness:

    R01  82 F  lives alone, on the register, no family doctor, diabetic never eye-screened,
               5th floor walk-up, metered, no water for 60 h
    R02  67 F  retired, with a family doctor, colorectal screening 2024-01-10
    R03  45 M  party member in work, grade 2 limb disability
    R04  ?  ?  nothing known but the id: every column missing
    R05   5 F  migrant child on the 6th floor of an elevator tower
    R06  55 M  jobless, dibao household of 4, applied for dibao
    R07  72 M  2nd floor walk-up (not an upper floor)
    R08  75 F  diabetic, eye-screened 2024-05-01 (inside two years)
    R09  35 F  volunteer: first aid, IT help, calligraphy; 120 h
    R10  30 M  registered elsewhere, flexible worker
    R11  90 F  LTC level 5 with home care, lives alone, guolao
    R12  61 M  dialysis outpatient, last visit 2024-10-01; phone blank ("")

Run the benchmark on its own with ``python tests/ingest/test_tags.py [residents] [rules]``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import IngestError
from ingest import tags
from ingest.synthetic.tag_table import synthetic_residents, synthetic_rules
from ingest.tags import (
    COLUMNS, TagRule, catalogue_markdown, compile_rule, compute_tags, load_catalogue,
    parse_catalogue, replace_catalogue_section, tag_rows,
)

REF = dt.date(2025, 6, 30)
ROOT = Path(__file__).resolve().parents[2]

# --- fixtures and helpers ---------------------------------------------------------------------

NEUTRAL = {
    "name": "某某", "sex": "M", "birth_date": None, "age": 40, "phone": "13800000000",
    "ethnicity": "汉族", "household_id": "H1", "relation": "head", "household_size": 3,
    "lives_alone": False, "building_id": "B1", "floor": 2, "area_id": "A1",
    "registered_elsewhere": False, "registered_outside_district": False, "migrant": False,
    "political_status": "masses", "party_member": False, "employment": "employed",
    "low_income_kind": None, "disabled": False, "disability_grade": None,
    "disability_type": None, "lone_elderly_register": False, "guolao": False,
    "chronic_conditions": [], "family_doctor": True, "ltc_level": 0, "care_mode": None,
    "home_care_hours_week": 0.0, "last_screening": {}, "serious_illness_last_visit": None,
    "serious_illness_category": None, "applications": [], "bookings_count": 1,
    "attended_count": 1, "volunteer": False, "volunteer_skills": [], "volunteer_hours": 0.0,
    "official": False, "building_floors": 6, "building_has_elevator": False,
    "building_build_year": 1995, "building_ownership": "售后公房", "has_meter": False,
    "water_no_use_hours": None,
}
assert set(NEUTRAL) | {"resident_id"} == set(COLUMNS)


def person(resident_id, **facts):
    """Return one resident row: a neutral 40-year-old unless ``facts`` say otherwise."""
    return {"resident_id": resident_id, **NEUTRAL, **facts}


def nothing_known(resident_id):
    """Return a row in which every column but the id is missing."""
    row = {column: None for column in COLUMNS}
    row["resident_id"] = resident_id
    return row


PEOPLE = [
    person("R01", age=82, sex="F", lives_alone=True, lone_elderly_register=True,
           household_size=1, family_doctor=False, chronic_conditions=["hypertension", "diabetes"],
           floor=5, has_meter=True, water_no_use_hours=60.0, employment="retired"),
    person("R02", age=67, sex="F", employment="retired", relation="spouse", household_size=2,
           last_screening={"colorectal": dt.date(2024, 1, 10),
                            "elderly_checkup": dt.date(2024, 9, 1)}),
    person("R03", age=45, party_member=True, political_status="party_member", disabled=True,
           disability_grade=2, disability_type="limb"),
    nothing_known("R04"),
    person("R05", age=5, sex="F", migrant=True, relation="child", employment="preschool",
           floor=6, building_floors=18, building_has_elevator=True),
    person("R06", age=55, employment="jobless", low_income_kind="dibao", household_size=4,
           applications=["dibao"]),
    person("R07", age=72, floor=2, employment="retired"),
    person("R08", age=75, sex="F", chronic_conditions=["diabetes"], employment="retired",
           last_screening={"diabetic_eye": dt.date(2024, 5, 1)}),
    person("R09", age=35, sex="F", volunteer=True, volunteer_hours=120.0,
           volunteer_skills=["first_aid", "it_help", "calligraphy"]),
    person("R10", age=30, registered_elsewhere=True, employment="flexible"),
    person("R11", age=90, sex="F", ltc_level=5, care_mode="home", home_care_hours_week=7.0,
           lives_alone=True, guolao=True, household_size=1, employment="retired"),
    person("R12", age=61, serious_illness_category="dialysis", phone="", employment="retired",
           serious_illness_last_visit=dt.date(2024, 10, 1)),
]


@pytest.fixture(scope="module")
def people():
    return pd.DataFrame(PEOPLE)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def catalogue_tags(people, catalogue):
    """Map each catalogue tag id to the set of residents of ``people`` that carry it."""
    result = compute_tags(people, catalogue, REF)
    return result.groupby("tag_id")["resident_id"].agg(set).to_dict()


def who(rule, frame, reference=REF):
    """Return the set of resident ids that match one rule mapping."""
    compiled = TagRule("t", "risk", "A test rule.", compile_rule(rule, "t"))
    return set(compute_tags(frame, [compiled], reference)["resident_id"])


def error_of(func, *args):
    """Return the IngestError message ``func`` raises."""
    with pytest.raises(IngestError) as caught:
        func(*args)
    return str(caught.value)


# --- the catalogue on the hand-made table --------------------------------------------------------

EXPECTED = {
    "lone_elderly": {"R01", "R11"},
    "lone_elderly_80_plus": {"R01", "R11"},
    "retired_woman_50_74": {"R02"},
    "upper_floor_no_elevator_70plus": {"R01"},
    "upper_floor_no_elevator_60plus": {"R01"},
    "no_water_use_48h": {"R01"},
    "disabled": {"R03"},
    "disability_severe": {"R03"},
    "party_member": {"R03"},
    "party_member_in_work": {"R03"},
    "low_income": {"R06"},
    "dibao": {"R06"},
    "registered_elsewhere": {"R10"},
    "migrant_child": {"R05"},
    "preschool_3_6": {"R05"},
    "silent_60_plus_no_family_doctor": {"R01"},
    "silent_75_plus_diabetic_no_eye_screening_2y": {"R01"},
    "silent_diabetic_no_eye_screening_1y": {"R01", "R08"},
    "silent_50_74_no_colorectal_screening_3y": {"R06", "R07", "R12"},
    "ltc_severe": {"R11"},
    "home_care_6h_plus": {"R11"},
    "guolao_living_alone": {"R11"},
    "volunteer_first_aid": {"R09"},
    "volunteer_multi_skilled": {"R09"},
    "volunteer_culture": {"R09"},
    "volunteer_50h": {"R09"},
    "dialysis_patient": {"R12"},
    "serious_illness_no_visit_180d": {"R12"},
    "no_phone_on_record": {"R04", "R12"},
    "flexible_employment": {"R10"},
    "working_age_out_of_work": {"R06"},
    "silent_jobless_not_registered": {"R06"},
    "tower_resident": {"R05"},
    "age_80_plus": {"R01", "R11"},
    "senior_60_plus": {"R01", "R02", "R07", "R08", "R11", "R12"},
}


@pytest.mark.parametrize("tag_id", sorted(EXPECTED))
def test_catalogue_tags_the_people_we_expect(catalogue_tags, tag_id):
    assert catalogue_tags.get(tag_id, set()) == EXPECTED[tag_id]


def test_nobody_known_gets_only_gap_and_missing_tags(catalogue_tags):
    # R04 is all unknown: positive tests never match it; only complements and `missing` do.
    r04 = {tag for tag, ids in catalogue_tags.items() if "R04" in ids}
    assert r04 == {"no_phone_on_record"}


def test_catalogue_has_at_least_100_tags_in_every_category(catalogue):
    assert len(catalogue) >= 100
    assert {r.category for r in catalogue} == set(tags.CATEGORIES)
    for required in ("no_water_use_48h", "upper_floor_no_elevator_70plus", "lone_elderly",
                     "retired_woman_50_74", "disabled", "low_income", "party_member",
                     "registered_elsewhere"):
        assert required in {r.tag_id for r in catalogue}
    assert all(r.description.endswith(".") for r in catalogue)


def test_every_catalogue_rule_runs_on_an_empty_and_a_small_frame(catalogue, people):
    empty = people.iloc[0:0]
    assert compute_tags(empty, catalogue, REF).empty
    for rule in catalogue:
        compute_tags(people, [rule], REF)


def test_load_catalogue_is_cached_but_hands_out_fresh_lists():
    first, second = load_catalogue(), load_catalogue()
    assert first == second and first is not second
    assert all(a is b for a, b in zip(first, second))


def test_tag_rows_feed_the_tag_nodes(catalogue):
    rows = tag_rows(catalogue)
    assert rows[0].keys() >= {"tag_id", "description", "category"}
    assert len({r["tag_id"] for r in rows}) == len(catalogue)


def test_docs_table_is_up_to_date():
    document = (ROOT / "docs" / "TAGS.md").read_text(encoding="utf-8")
    assert replace_catalogue_section(document) == document, (
        "docs/TAGS.md is stale; run: python -m ingest.tags docs/TAGS.md")
    assert catalogue_markdown().count("\n") == len(load_catalogue()) + 1


PEOPLE_IDS = [p["resident_id"] for p in PEOPLE]


# --- each operator -------------------------------------------------------------------------

@pytest.mark.parametrize("rule, expected", [
    ({"sex": {"eq": "F"}}, {"R01", "R02", "R05", "R08", "R09", "R11"}),
    ({"sex": {"ne": "F"}}, {"R03", "R06", "R07", "R10", "R12"}),
    ({"household_size": {"eq": 4}}, {"R06"}),
    ({"household_size": {"ne": 3}}, {"R01", "R02", "R06", "R11"}),
    ({"employment": {"in": ["jobless", "flexible"]}}, {"R06", "R10"}),
    ({"ltc_level": {"in": [5, 6]}}, {"R11"}),
    ({"age": {"gte": 75}}, {"R01", "R08", "R11"}),
    ({"age": {"lte": 5}}, {"R05"}),
    ({"age": {"between": [60, 72]}}, {"R02", "R07", "R12"}),
    ({"lives_alone": "is_true"}, {"R01", "R11"}),
    ({"family_doctor": "is_false"}, {"R01"}),
    ({"low_income_kind": "present"}, {"R06"}),
    ({"water_no_use_hours": "present"}, {"R01"}),
    ({"disability_type": "missing"}, set(PEOPLE_IDS) - {"R03"}),
    ({"chronic_conditions": {"contains": "diabetes"}}, {"R01", "R08"}),
    ({"volunteer_skills": {"contains_any": ["it_help", "haircut"]}}, {"R09"}),
    ({"volunteer_skills": {"size_gte": 3}}, {"R09"}),
    ({"chronic_conditions": {"size_gte": 0}}, set(PEOPLE_IDS) - {"R04"}),
    ({"chronic_conditions": "missing"}, {"R04"}),
    ({"last_screening": "present"}, set(PEOPLE_IDS) - {"R04"}),
    ({"last_screening.colorectal": "present"}, {"R02"}),
    ({"last_screening.colorectal": {"within_days": 600}}, {"R02"}),
    ({"last_screening.colorectal": {"within_days": 500}}, set()),
    ({"last_screening.elderly_checkup": {"older_than_days": 200}}, {"R02"}),
    ({"last_screening.elderly_checkup": {"older_than_days": 400}}, set()),
    ({"serious_illness_last_visit": {"within_days": 272}}, {"R12"}),   # 2024-10-01 is day 272
    ({"serious_illness_last_visit": {"within_days": 271}}, set()),
    ({"serious_illness_last_visit": {"older_than_days": 271}}, {"R12"}),
    ({"serious_illness_last_visit": {"older_than_days": 272}}, set()),
    ({"not": {"lives_alone": "is_true"}}, set(PEOPLE_IDS) - {"R01", "R11"}),
    ({"any": [{"age": {"gte": 90}}, {"migrant": "is_true"}]}, {"R05", "R11"}),
    ({"all": [{"sex": {"eq": "F"}}, {"age": {"gte": 80}}]}, {"R01", "R11"}),
    ({"phone": "missing"}, {"R04", "R12"}),
])
def test_operator(people, rule, expected):
    assert who(rule, people) == expected


def test_within_days_excludes_dates_after_the_reference(people):
    later = people.assign(serious_illness_last_visit=[dt.date(2025, 7, 1)] * len(people))
    assert who({"serious_illness_last_visit": {"within_days": 30}}, later) == set()
    assert who({"serious_illness_last_visit": {"older_than_days": 0}}, later) == set()


def test_age_follows_the_reference_date_when_the_birth_date_is_known():
    frame = pd.DataFrame([
        person("A", birth_date=dt.date(1965, 7, 1), age=59),   # turns 60 the day after REF
        person("B", birth_date=dt.date(1965, 6, 30), age=59),  # stale age, birthday on REF
        person("C", birth_date=None, age=60),                  # no birth date: age column
        person("D", birth_date=dt.date(2030, 1, 1), age=None), # future birth: unknown
        person("E", birth_date=dt.date(1964, 2, 29), age=61),  # leap-day birthday
    ])
    assert who({"age": {"gte": 60}}, frame) == {"B", "C", "E"}
    assert who({"age": {"gte": 60}}, frame, dt.date(2025, 7, 1)) == {"A", "B", "C", "E"}
    # Born on 29 February: a year older on the 29th in leap years, on 1 March otherwise.
    assert who({"age": {"eq": 59}}, frame, dt.date(2024, 2, 28)) == {"E"}
    assert who({"age": {"eq": 60}}, frame, dt.date(2024, 2, 29)) == {"C", "E"}
    assert who({"age": {"eq": 61}}, frame, dt.date(2025, 2, 28)) == set()
    assert who({"age": {"eq": 61}}, frame, dt.date(2025, 3, 1)) == {"E"}
    assert who({"age": "missing"}, frame) == {"D"}


# --- missing values of every shape ---------------------------------------------------------

def test_missing_values_never_raise_and_never_match_positive_tests():
    frame = pd.DataFrame({
        "resident_id": ["a", "b", "c", "d"],
        "age": [np.nan, None, pd.NA, 70],
        "lives_alone": [None, np.nan, pd.NA, True],
        "sex": [None, np.nan, pd.NA, "F"],
        "chronic_conditions": [None, np.nan, [], ["copd"]],
        "last_screening": [None, {"colorectal": None}, {"colorectal": pd.NaT},
                           {"colorectal": pd.Timestamp("2025-01-01")}],
        "serious_illness_last_visit": [None, np.nan, pd.NaT, "2025-06-01"],
    })
    positive = [
        {"age": {"gte": 0}}, {"age": {"lte": 200}}, {"age": {"between": [0, 200]}},
        {"age": {"eq": 70}}, {"age": {"ne": 1}}, {"age": {"in": [70]}},
        {"lives_alone": "is_true"}, {"sex": {"eq": "F"}}, {"sex": {"ne": "M"}},
        {"sex": {"in": ["F"]}}, {"chronic_conditions": {"contains": "copd"}},
        {"chronic_conditions": {"contains_any": ["copd"]}},
        {"last_screening.colorectal": {"within_days": 365}},
        {"last_screening.colorectal": {"older_than_days": 0}},
        {"serious_illness_last_visit": {"within_days": 60}},
    ]
    for rule in positive:
        assert who(rule, frame) <= {"d"}, rule
        assert who(rule, frame) == {"d"} or "older_than_days" in str(rule), rule
    assert who({"lives_alone": "is_false"}, frame) == set()
    assert who({"chronic_conditions": {"size_gte": 0}}, frame) == {"c", "d"}
    assert who({"age": "missing"}, frame) == {"a", "b", "c"}
    assert who({"last_screening.colorectal": "missing"}, frame) == {"a", "b", "c"}
    assert who({"not": {"age": {"gte": 60}}}, frame) == {"a", "b", "c"}


def test_flags_in_nullable_and_plain_bool_dtypes():
    frame = pd.DataFrame({"resident_id": ["a", "b", "c"],
                          "lives_alone": pd.array([True, None, False], dtype="boolean"),
                          "migrant": [True, False, True]})
    assert who({"lives_alone": "is_true"}, frame) == {"a"}
    assert who({"lives_alone": "is_false"}, frame) == {"c"}
    assert who({"lives_alone": "present"}, frame) == {"a", "c"}
    assert who({"migrant": "is_false"}, frame) == {"b"}


def test_rows_without_an_id_get_no_tags_and_duplicates_collapse():
    frame = pd.DataFrame({"resident_id": ["a", None, "", "a"], "migrant": [True] * 4})
    result = compute_tags(frame, [TagRule("m", "population", "Migrant.",
                                          compile_rule({"migrant": "is_true"}))], REF)
    assert result.to_dict("records") == [{"resident_id": "a", "tag_id": "m"}]


# --- determinism ---------------------------------------------------------------------------

def test_result_is_sorted_and_independent_of_row_and_rule_order(people, catalogue):
    first = compute_tags(people, catalogue, REF)
    shuffled_rules = random.Random(7).sample(catalogue, len(catalogue))
    shuffled_rows = people.sample(frac=1, random_state=7)
    second = compute_tags(shuffled_rows, shuffled_rules, REF)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == ["resident_id", "tag_id"]
    assert first.equals(first.sort_values(["resident_id", "tag_id"], ignore_index=True))
    assert not first.duplicated().any()


# --- validation ----------------------------------------------------------------------------

def entry(tag_id="t1", rule=None, **extra):
    return {"id": tag_id, "category": "health", "description": "A tag.",
            "rule": rule if rule is not None else {"age": {"gte": 1}}, **extra}


@pytest.mark.parametrize("rule, words", [
    ({"agee": {"gte": 60}}, ["unknown column 'agee'", "did you mean 'age'"]),
    ({"age": {"gt": 60}}, ["unknown operator 'gt'", "did you mean 'gte'"]),
    ({"age": {"gte": "sixty"}}, ["gte needs a number", "'sixty'"]),
    ({"age": {"gte": True}}, ["gte needs a number"]),
    ({"age": {"between": [70, 60]}}, ["lo <= hi"]),
    ({"age": {"between": 60}}, ["between needs [lo, hi]"]),
    ({"sex": {"eq": "female"}}, ["'female' is not a value"]),
    ({"chronic_conditions": {"contains": "diabetis"}}, ["did you mean 'diabetes'"]),
    ({"chronic_conditions": {"contains_any": []}}, ["non-empty list"]),
    ({"chronic_conditions": {"size_gte": -1}}, ["whole number >= 0"]),
    ({"age": "is_true"}, ["'is_true' does not apply to number column 'age'"]),
    ({"lives_alone": {"is_true": True}}, ["takes no argument"]),
    ({"age": "gte"}, ["needs an argument"]),
    ({"last_screening.colonoscopy": {"within_days": 30}}, ["unknown key 'colonoscopy'"]),
    ({"age.years": "present"}, ["only dict columns take a '.key'"]),
    ({"last_screening": {"within_days": 30}}, ["does not apply to dict column"]),
    ({"all": []}, ["non-empty list"]),
    ({"all": [{"age": {"gte": 1}}], "any": [{"age": {"gte": 1}}]}, ["one key"]),
    ({"not": {"agee": "present"}}, ["rule.not.agee: unknown column"]),
])
def test_invalid_rules_name_the_tag_and_the_problem(rule, words):
    message = error_of(parse_catalogue, [entry("my_tag", rule)])
    assert "tag 'my_tag'" in message
    for word in words:
        assert word in message


def test_duplicate_ids_and_entry_problems_are_all_reported_at_once():
    message = error_of(parse_catalogue, [
        entry("same"), entry("same"), entry("Bad-Id"),
        entry("no_category", category="healthcare"),
        entry("extra", colour="red"),
        {"id": "no_rule", "category": "health", "description": "x."},
        entry("deep", {"all": [{"age": {"gte": 1}}, {"any": [{"floor": {"lte": "x"}}]}]}),
    ])
    assert "tag 'same': duplicate id (first defined as entry 1)" in message
    assert "tag 'Bad-Id': id must be snake_case" in message
    assert "tag 'no_category': category 'healthcare'" in message
    assert "tag 'extra': unknown keys ['colour']" in message
    assert "tag 'no_rule': has no rule" in message
    assert "tag 'deep': rule.all[1].any[0].floor: lte needs a number" in message
    assert "6 problem(s)" in message


def test_load_catalogue_reports_file_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tags:\n  - id: x\n    category: risk\n    description: X.\n"
                   "    rule: {floor: {gte: 4}}\n  - id: x\n    category: risk\n"
                   "    description: X.\n    rule: {floor: {gte: 4}}\n", encoding="utf-8")
    assert "tag 'x': duplicate id" in error_of(load_catalogue, bad)
    assert "Cannot read" in error_of(load_catalogue, tmp_path / "absent.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n", encoding="utf-8")
    assert "'tags:'" in error_of(load_catalogue, tmp_path / "list.yaml")


def test_compute_tags_names_missing_columns_and_repeated_rules(people):
    rule = TagRule("needs_meter", "risk", "X.", compile_rule({"has_meter": "is_true"}))
    message = error_of(compute_tags, people.drop(columns=["has_meter"]), [rule], REF)
    assert "'has_meter' (needed by needs_meter)" in message
    assert "repeat the tag ids ['needs_meter']" in error_of(compute_tags, people,
                                                            [rule, rule], REF)
    only_birth = people.drop(columns=["age"])
    assert compute_tags(only_birth, [TagRule("old", "risk", "X.",
                                             compile_rule({"age": {"gte": 60}}))], REF).empty


# --- the vectorised engine agrees with a row-by-row reading of the grammar --------------------

def row_matches(node, row):
    """Evaluate one compiled node on one row dict, the slow obvious way."""
    if isinstance(node, tags.AllOf):
        return all(row_matches(c, row) for c in node.children)
    if isinstance(node, tags.AnyOf):
        return any(row_matches(c, row) for c in node.children)
    if isinstance(node, tags.Not):
        return not row_matches(node.child, row)
    value = row[node.column]
    known = value is not None and not (isinstance(value, float) and np.isnan(value))
    if node.op == "present":
        return known
    if node.op == "missing":
        return not known
    if not known:
        return False
    op, arg = node.op, node.arg
    return {
        "eq": lambda: value == arg, "ne": lambda: value != arg, "in": lambda: value in arg,
        "gte": lambda: value >= arg, "lte": lambda: value <= arg,
        "between": lambda: arg[0] <= value <= arg[1],
        "is_true": lambda: value is True, "is_false": lambda: value is False,
        "contains": lambda: arg in value, "contains_any": lambda: bool(set(arg) & set(value)),
        "size_gte": lambda: len(value) >= arg,
    }[op]()


maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731
rows = st.fixed_dictionaries({
    "age": maybe(st.integers(0, 105)),
    "sex": maybe(st.sampled_from(["M", "F"])),
    "lives_alone": maybe(st.booleans()),
    "chronic_conditions": maybe(st.lists(st.sampled_from(sorted(tags.CONDITIONS)),
                                         max_size=3, unique=True)),
})
leaves = st.one_of(
    st.builds(lambda op, n: {"age": {op: n}}, st.sampled_from(["eq", "ne", "gte", "lte"]),
              st.integers(0, 105)),
    st.builds(lambda a, b: {"age": {"between": sorted([a, b])}}, st.integers(0, 105),
              st.integers(0, 105)),
    st.builds(lambda s: {"sex": {"eq": s}}, st.sampled_from(["M", "F"])),
    st.sampled_from([{"lives_alone": "is_true"}, {"lives_alone": "is_false"},
                     {"age": "missing"}, {"chronic_conditions": "present"}]),
    st.builds(lambda c: {"chronic_conditions": {"contains": c}},
              st.sampled_from(sorted(tags.CONDITIONS))),
    st.builds(lambda n: {"chronic_conditions": {"size_gte": n}}, st.integers(0, 3)),
)
rules = st.recursive(leaves, lambda inner: st.one_of(
    st.builds(lambda c: {"all": c}, st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda c: {"any": c}, st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda c: {"not": c}, inner)), max_leaves=6)


@settings(deadline=None, database=None, max_examples=60)
@given(st.lists(rows, min_size=1, max_size=12), rules)
def test_vectorised_masks_agree_with_row_by_row_evaluation(row_list, rule):
    frame = pd.DataFrame([{"resident_id": f"r{i:02d}", **r} for i, r in enumerate(row_list)])
    node = compile_rule(rule)
    expected = {f"r{i:02d}" for i, r in enumerate(row_list) if row_matches(node, r)}
    assert who(rule, frame) == expected


# --- scale: the 240 synthetic rules agree with row-by-row evaluation ---------------------------

def test_synthetic_benchmark_matches_row_by_row_on_a_sample():
    frame = synthetic_residents(300, seed=3)
    rule_list = synthetic_rules(240)
    result = compute_tags(frame, rule_list, REF)
    got = set(zip(result["resident_id"], result["tag_id"]))
    records = frame.to_dict("records")
    for rule in rule_list[::17]:
        expected = {(r["resident_id"], rule.tag_id) for r in records
                    if row_matches_full(rule.condition, r)}
        assert {p for p in got if p[1] == rule.tag_id} == expected


def row_matches_full(node, row):
    """Extend :func:`row_matches` with dict keys and date windows for the synthetic rules."""
    if isinstance(node, tags.Leaf) and node.key:
        value = (row[node.column] or {}).get(node.key)
        assert node.op == "within_days"
        return value is not None and 0 <= (REF - value).days <= node.arg
    if isinstance(node, (tags.AllOf, tags.AnyOf)):
        combine = all if isinstance(node, tags.AllOf) else any
        return combine(row_matches_full(c, row) for c in node.children)
    if isinstance(node, tags.Not):
        return not row_matches_full(node.child, row)
    value = row[node.column]
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        row = {**row, node.column: value.item()}
    return row_matches(node, row)
