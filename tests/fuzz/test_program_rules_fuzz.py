"""Fuzzing program eligibility rules (queries/programs/rules.py, ``compile_rule``).

Generated rules — valid ones from the grammar, the same with one part broken, and arbitrary
data — compile to Cypher or raise RuleError naming the program and the key. Values never
enter the Cypher text: an area id, whatever its characters, lands in ``$params``, and the
query text is the same as with a harmless id. A sample of compiled rules passes Neo4j's
Cypher front-end (graph/cypher_lint.py; slow, so one batch per run).
"""

from __future__ import annotations

import copy
import datetime as dt

from hypothesis import given, strategies as st

from graph.cypher_lint import lint_queries
from queries.programs.catalogue import known_tag_ids
from queries.programs.rules import (APPLICATION_MATTERS, MAX_AGE, SCREENING_KINDS,
                                    CompiledRule, RuleError, compile_rule)
from tests.fuzz.common import FUZZ, LINT_SAMPLE, any_text, examples, json_values, payload

REFERENCE = dt.date(2025, 6, 30)
TAGS = sorted(known_tag_ids())
WHERE = "program fuzz_program"

tag_lists = st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)
ages = st.integers(0, MAX_AGE)
age_conditions = st.one_of(
    ages.map(lambda a: {"gte": a}), ages.map(lambda a: {"lte": a}),
    st.tuples(ages, ages).map(lambda p: {"between": sorted(p)}),
    st.tuples(ages, ages).map(lambda p: {"gte": min(p), "lte": max(p)}))
tag_conditions = st.fixed_dictionaries(
    {}, optional={"all": tag_lists, "any": tag_lists, "none": tag_lists}).filter(bool)
area_ids = st.one_of(any_text, payload).filter(bool)
exclusions = st.one_of(
    st.fixed_dictionaries({"screened": st.fixed_dictionaries(
        {"kind": st.sampled_from(SCREENING_KINDS), "within_days": st.integers(1, 5000)})}),
    st.fixed_dictionaries({"applied": st.sampled_from(APPLICATION_MATTERS)}),
    st.fixed_dictionaries({"tags": tag_lists}))
CONDITIONS = {"sex": st.sampled_from(["F", "M"]), "age": age_conditions, "tags": tag_conditions,
              "areas": st.lists(area_ids, min_size=1, max_size=3), "migrant": st.booleans(),
              "exclude": st.lists(exclusions, min_size=1, max_size=3)}
flat_rules = st.fixed_dictionaries({}, optional=CONDITIONS).filter(bool)
valid_rules = st.one_of(flat_rules, st.tuples(flat_rules, st.lists(
    flat_rules, min_size=2, max_size=3)).map(lambda t: {**t[0], "any": t[1]}))


def compile_(rule) -> CompiledRule:
    return compile_rule(rule, reference=REFERENCE, known_tags=TAGS, where=WHERE)


def cypher(compiled: CompiledRule) -> str:
    return f"{compiled.anchor}\nWHERE {compiled.where}\nRETURN r.resident_id AS resident_id"


def _with_areas(rule, replace):
    """A copy of ``rule`` with every area id passed through ``replace``."""
    rule = copy.deepcopy(rule)
    for part in [rule, *rule.get("any", [])]:
        if "areas" in part:
            part["areas"] = [replace(a) for a in part["areas"]]
    return rule


def _areas(rule) -> list[str]:
    return [a for part in [rule, *rule.get("any", [])] for a in part.get("areas", [])]


@FUZZ
@given(valid_rules)
def test_valid_rules_compile_with_values_only_in_params(rule):
    compiled = compile_(rule)
    text = cypher(compiled)
    # The query's text does not depend on the values: same text with a harmless area id.
    assert cypher(compile_(_with_areas(rule, lambda a: "A01"))) == text
    values = [v for value in compiled.params.values()
              for v in (value if isinstance(value, list) else [value])]
    for area in _areas(rule):
        assert area in values
        if len(area) >= 4 and area not in cypher(compile_(_with_areas(rule, lambda a: "A01"))):
            assert area not in text
    assert set(compiled.tags) <= set(TAGS)
    assert all(name.isidentifier() for name in compiled.params)


@st.composite
def broken_rules(draw):
    """A valid rule with one part replaced by arbitrary data or an unknown key."""
    rule = copy.deepcopy(draw(valid_rules))
    key = draw(st.sampled_from(sorted(rule)))
    action = draw(st.sampled_from(["replace", "unknown_key", "nested"]))
    if action == "unknown_key":
        rule[draw(st.one_of(any_text, st.sampled_from(["sexx", "tag", "ages", "area"])))] = 1
    elif action == "nested" and isinstance(rule[key], dict) and rule[key]:
        inner = draw(st.sampled_from(sorted(rule[key])))
        rule[key][inner] = draw(json_values)
    else:
        rule[key] = draw(json_values)
    return rule


@FUZZ
@given(st.one_of(broken_rules(), json_values))
def test_broken_rules_are_refused_naming_program(rule):
    try:
        compiled = compile_(rule)
    except RuleError as e:
        assert str(e).startswith(WHERE), str(e)
        return
    assert isinstance(compiled, CompiledRule) and compiled.where


@examples(quick=1, full=3)
@given(st.lists(valid_rules, min_size=LINT_SAMPLE, max_size=LINT_SAMPLE))
def test_a_sample_of_compiled_rules_passes_the_cypher_front_end(rules):
    queries = {f"rule {i}": cypher(compile_(rule)) for i, rule in enumerate(rules)}
    results = lint_queries(queries)
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
