"""Silent groups on the fixture graph: exact membership, grouping, reasons, stored groups.

The expected members are computed here by a deliberately plain Python evaluation of the
same rules over the fixture's own rows (ingest/fixture_graph.py), independent of the Cypher.
"""

import datetime as dt

import pytest

from graph.errors import NotFound
from ingest import fixture_graph as fx
from queries.programs import (refresh_silent_groups, silent_group, silent_group_members,
                              silent_group_summary)
from queries.programs.catalogue import known_tag_ids, parse_programs

AS_OF = dt.date(2026, 6, 30)
P01_NAME = fx.PROGRAMS[0]["name"]

CATALOGUE = [
    {"id": "women_50_74", "name": "Screening for women 50-74",
     "period": {"start": "2026-01-01", "end": "2026-12-31"},
     "eligibility": {"sex": "F", "age": {"between": [50, 74]}},
     "booking": {"programs": [P01_NAME]}},
    {"id": "checkup_65", "name": "Check-up 65+",
     "period": {"start": "2025-01-01", "end": "2025-12-31"},
     "eligibility": {"age": {"gte": 65}},
     "booking": {"screening": "elderly_checkup"}},
    {"id": "meals", "name": "Meals",
     "period": {"start": "2026-01-01", "end": "2026-12-31"},
     "eligibility": {"any": [{"age": {"gte": 80}}, {"tags": {"any": ["lone_elderly"]}}]},
     "booking": {"application": "meal_service"}},
    {"id": "not_disabled_seniors_a01", "name": "A01 seniors without disability",
     "period": {"start": "2026-01-01", "end": "2026-12-31"},
     "eligibility": {"age": {"gte": 60}, "areas": ["A01"],
                     "tags": {"none": ["disabled"]},
                     "exclude": [{"screened": {"kind": "elderly_checkup", "within_days": 700}}]},
     "booking": {"screening": "cognitive"}},
    {"id": "retired_women_tagged", "name": "Tag-anchored",
     "period": {"start": "2026-01-01", "end": "2026-12-31"},
     "eligibility": {"tags": {"all": ["retired_woman_50_74"]}},
     "booking": {"programs": [P01_NAME]}},
]
PROGRAMS = parse_programs(CATALOGUE, known_tag_ids())


def _age(born: str, day: dt.date) -> int:
    b = dt.date.fromisoformat(born)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _tags(resident_id):
    rels = {("R01", "lone_elderly"), ("R10", "disabled"), ("R05", "retired_woman_50_74"),
            ("R11", "retired_woman_50_74")}
    return {t for r, t in rels if r == resident_id}


AREA_OF_BUILDING = {b["building_id"]: b["area_id"] for b in fx.BUILDINGS}


def expected(program_id):
    """The silent group by brute force over the fixture rows."""
    out = set()
    for r in fx.RESIDENTS:
        rid, tags = r["resident_id"], _tags(r["resident_id"])
        start = PROGRAMS[program_id].start
        age = _age(r["birth_date"], start)
        checkup = r.get("last_screening_elderly_checkup")
        if program_id == "women_50_74":
            ok = r["sex"] == "F" and 50 <= age <= 74 and rid != "R05"  # R05 booked P01
        elif program_id == "checkup_65":
            ok = age >= 65 and not (checkup and checkup >= "2025-01-01")
        elif program_id == "meals":
            ok = (age >= 80 or "lone_elderly" in tags) and "meal_service" not in r.get(
                "applications", [])
        elif program_id == "not_disabled_seniors_a01":
            cutoff = (start - dt.timedelta(days=700)).isoformat()
            ok = (age >= 60 and AREA_OF_BUILDING[r["building_id"]] == "A01"
                  and "disabled" not in tags and not (checkup and checkup >= cutoff))
        else:
            ok = "retired_woman_50_74" in tags and rid != "R05"
        if ok:
            out.add(rid)
    return out


@pytest.mark.parametrize("program_id", [p["id"] for p in CATALOGUE])
def test_live_silent_group_is_exact(small_graph, program_id):
    group = silent_group(small_graph, PROGRAMS[program_id], AS_OF)
    assert {m["resident_id"] for m in group.members} == expected(program_id)
    assert expected(program_id)  # every case selects someone, so the comparison means something


def test_hand_checked_cases(small_graph):
    # Women 50-74 on 2026-01-01: R05 (61, booked P01), R11 (57). R03 is 68 → also eligible.
    assert expected("women_50_74") == {"R03", "R11"}
    # Meals: R01 (lone, 81) and R10 (89, but already applied) → only R01.
    assert expected("meals") == {"R01"}


def test_members_are_grouped_by_actual_area_with_officials_and_reasons(small_graph):
    group = silent_group(small_graph, PROGRAMS["retired_women_tagged"], AS_OF)
    (only,) = group.groups
    assert only["area_id"] == "A02" and [o["official_id"] for o in only["officials"]] == ["O2"]
    (member,) = only["members"]
    assert member["resident_id"] == "R11" and member["official_ids"] == ["O2"]
    assert "tag retired_woman_50_74" in member["reasons"]
    assert any(P01_NAME in reason for reason in member["reasons"])


def test_a_resident_living_away_is_reached_at_the_actual_home(small_graph):
    program = parse_programs([{
        "id": "young_men", "name": "Young men", "period": {"start": "2026-01-01",
                                                            "end": "2026-12-31"},
        "eligibility": {"sex": "M", "age": {"between": [25, 35]}},
        "booking": {"application": "housing_fund"}}], known_tag_ids())["young_men"]
    members = {m["resident_id"]: m for m in silent_group(small_graph, program, AS_OF).members}
    # R12 is registered in B03 (area A02) but lives in B02 (area A01).
    assert members["R12"]["area_id"] == "A01"
    assert members["R12"]["address"].startswith("临汾路375弄3号")
    assert "reach at the actual home" in members["R12"]["reasons"][-1]


def test_stored_groups_match_the_live_answer_and_page(empty_graph):
    fx.load_fixture_graph(empty_graph)
    program = PROGRAMS["checkup_65"]
    sizes = refresh_silent_groups(empty_graph, [program], AS_OF)
    assert sizes == {"checkup_65": len(expected("checkup_65"))}
    summary = silent_group_summary(empty_graph, program)
    assert summary["size"] == len(expected("checkup_65"))
    stored = set()
    for g in summary["groups"]:
        page = silent_group_members(empty_graph, program, g["area_id"], limit=1)
        rest = silent_group_members(empty_graph, program, g["area_id"], skip=1, limit=100)
        stored |= {m["resident_id"] for m in page + rest}
        assert len(page) == 1
    assert stored == expected("checkup_65")
    # A booking since the refresh leaves the group at the next refresh, not twice.
    empty_graph.write("MATCH (r:Resident {resident_id: 'R03'}) "
                      "SET r.last_screening_elderly_checkup = '2025-04-01'")
    refresh_silent_groups(empty_graph, [program], AS_OF)
    refresh_silent_groups(empty_graph, [program], AS_OF)
    assert silent_group_summary(empty_graph, program)["size"] == len(expected("checkup_65")) - 1
    count = empty_graph.read("MATCH (:Resident {resident_id: 'R01'})-[s:SILENT_FOR]->() "
                             "RETURN count(s) AS n").single_value()
    assert count == 1


def test_unknown_stored_group_is_not_found(small_graph):
    with pytest.raises(NotFound, match="minqing programs refresh"):
        silent_group_members(small_graph, PROGRAMS["meals"], "A01")


def test_shipped_templates_render_for_a_real_member(small_graph):
    from queries.outreach.campaigns import CAMPAIGN_FIELDS, render, validate_template
    from queries.programs import load_programs

    shipped = load_programs()
    (member,) = silent_group(small_graph, shipped["anti_fraud_talk_2025"], AS_OF).members
    assert member["official"] == "Wang Li" and "office_phone" in member
    fields = {**member, "program_name": "x", "campaign_name": "y", "program_id": "z"}
    for program in shipped.values():
        for template in (program.sms_template, program.call_script):
            validate_template(template, set(member) | set(CAMPAIGN_FIELDS))
            assert member["name"] in render(template, fields)
