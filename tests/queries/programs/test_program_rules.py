"""Eligibility rules and the program catalogue: validation, compilation, Neo4j's front-end."""

import datetime as dt

import pytest

from graph.cypher_lint import lint_queries
from queries.programs.catalogue import known_tag_ids, load_programs, parse_programs
from queries.programs.rules import RuleError, birth_bounds, compile_rule
from queries.programs.silent import (ADD_MEMBERS, ADDRESSES_QUERY, AREAS_QUERY, DROP_GROUPS,
                                     SUMMARY_QUERY,
                                     booking_dates_query, members_query, silent_group_query)

REFERENCE = dt.date(2025, 6, 30)
TAGS = known_tag_ids()


def compile_(rule, **kw):
    return compile_rule(rule, reference=REFERENCE, known_tags=TAGS, where="test", **kw)


def test_shipped_catalogue_has_at_least_eight_valid_programs():
    programs = load_programs()
    assert len(programs) >= 8
    kinds = {next(iter(p.booking)) for p in programs.values()}
    assert kinds == {"screening", "application", "programs"}


def test_age_bounds_are_inclusive_completed_years():
    earliest, latest = birth_bounds({"between": [60, 60]}, REFERENCE, "x")
    # Born 1965-06-30: turns 60 on the reference date. Born 1964-07-01: still 60.
    assert latest == "1965-06-30" and earliest == "1964-07-01"


def test_a_tag_anchors_the_query_and_values_travel_as_parameters():
    compiled = compile_({"sex": "F", "tags": {"all": ["retired", "diabetes"]}})
    anchor_param = compiled.anchor.split("tag_id: $")[1].split("}")[0]
    assert compiled.params[anchor_param] == "retired"
    assert "diabetes" not in compiled.where and "diabetes" in compiled.params.values()
    assert "'F'" not in compiled.where and "F" in compiled.params.values()


def test_without_tags_the_resident_label_is_scanned():
    assert compile_({"age": {"gte": 60}}).anchor == "MATCH (r:Resident)"


@pytest.mark.parametrize("rule, message", [
    ({"tags": {"all": ["lone_elderley"]}}, "unknown tag 'lone_elderley' (did you mean 'lone_elderly'?)"),
    ({"age": {"between": [74, 50]}}, "impossible age range 74–50"),
    ({"age": {"gte": -1}}, "whole numbers from 0 to 130"),
    ({"age": {"over": 60}}, "age takes gte, lte or between"),
    ({"sexx": "F"}, "unknown condition 'sexx' (did you mean 'sex'?)"),
    ({"sex": "female"}, "sex is F or M"),
    ({"exclude": [{"screened": {"kind": "colon", "within_days": 30}}]}, "unknown screening kind 'colon'"),
    ({"exclude": [{"screened": {"kind": "colorectal", "within_days": 0}}]}, "positive number of days"),
    ({"exclude": [{"applied": "meals"}]}, "unknown application matter 'meals'"),
    ({"any": [{"sex": "F"}]}, "at least two sub-rules"),
    ({"migrant": "no"}, "migrant is true or false"),
    ({}, "a rule is a mapping"),
])
def test_bad_rules_are_refused_with_the_key_named(rule, message):
    with pytest.raises(RuleError) as caught:
        compile_(rule)
    assert message in str(caught.value)
    assert str(caught.value).startswith("test")


def test_unknown_area_is_refused_when_areas_are_known():
    with pytest.raises(RuleError, match="unknown residential area 'A9'"):
        compile_({"areas": ["A9"]}, known_areas=["A01", "A02"])


def _entry(**changes):
    entry = {"id": "p1", "name": "P", "period": {"start": "2025-01-01", "end": "2025-12-31"},
             "eligibility": {"age": {"gte": 60}}, "booking": {"screening": "cognitive"}}
    entry.update(changes)
    return entry


@pytest.mark.parametrize("changes, message", [
    ({"booking": {"visit": "x"}}, "booking has exactly one of"),
    ({"booking": {"programs": []}}, "a non-empty list of program names"),
    ({"period": {"start": "2025-12-31", "end": "2025-01-01"}}, "ends (2025-01-01) before it starts"),
    ({"period": {"start": "2025-02-30", "end": "2025-12-31"}}, "expected a date"),
    ({"eligibility": {"tags": {"all": ["nope"]}}}, "program p1.eligibility.tags.all: unknown tag"),
    ({"colour": "red"}, "unknown keys colour"),
])
def test_bad_catalogue_entries_name_the_program(changes, message):
    with pytest.raises(RuleError) as caught:
        parse_programs([_entry(**changes)], TAGS, source="catalogue.yaml")
    assert message in str(caught.value)
    assert "catalogue.yaml" in str(caught.value)


def test_duplicate_program_ids_are_refused():
    with pytest.raises(RuleError, match="duplicate program id 'p1'"):
        parse_programs([_entry(), _entry()], TAGS)


def test_every_program_query_passes_neo4j_front_end():
    queries = {"summary": SUMMARY_QUERY, "areas": AREAS_QUERY, "addresses": ADDRESSES_QUERY,
               "add members": ADD_MEMBERS, "drop groups": DROP_GROUPS}
    for program in load_programs().values():
        queries[f"{program.program_id} members"] = members_query(program, [])
        queries[f"{program.program_id} members+tags"] = members_query(program, ["disabled"])
        for ids_only in (False, True):
            queries[f"{program.program_id} ids_only={ids_only}"] = silent_group_query(
                program, REFERENCE, ids_only=ids_only)[0]
        queries[f"{program.program_id} bookings"] = booking_dates_query(program)[0]
    results = lint_queries(queries)
    assert {name: [e.message for e in r.errors] for name, r in results.items() if r.errors} == {}
