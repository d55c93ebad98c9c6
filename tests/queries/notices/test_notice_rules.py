"""Notice rules: the shipped file loads; each kind of mistake is a RuleError naming the
file, the rule and the key; every query the notices send passes Neo4j's Cypher front-end."""

from __future__ import annotations

import textwrap

import pytest

from graph.cypher_lint import lint_queries
from queries.notices import inbox, intake
from queries.notices.rules import RuleError, load_rules, parse_rules

GOOD = """
  - id: r1
    event: application
    when: {matter: dibao}
    notify: [director]
    message: "{{ resident.name }} {{ event.date }}"
"""


def _rules(body: str):
    return parse_rules("rules:\n" + textwrap.dedent(body), source="my_rules.yaml")


def test_shipped_rules_load():
    rules = load_rules()
    assert len(rules) >= 5
    assert {r.event_kind for r in rules} >= {"serious_illness_visit", "application",
                                             "ltc_assessment", "hospital_discharge"}
    assert len({r.rule_id for r in rules}) == len(rules)


def test_a_good_rule_compiles_to_parameters():
    [rule] = _rules(GOOD)
    assert rule.params == {"kind": "application", "value_1": "dibao"}
    assert "dibao" not in rule.cypher and "$value_1" in rule.cypher


@pytest.mark.parametrize("change, message", [
    (("event: application", "event: hospital_visit"),
     r"my_rules.yaml: rule 1 'r1'.event: unknown event kind 'hospital_visit'"),
    (("when: {matter: dibao}", "resident: {tags: {all: [lone_elderley]}}"),
     r"'r1'.resident.tags.all: unknown tag 'lone_elderley' \(did you mean 'lone_elderly'\?\)"),
    (("notify: [director]", "notify: [secretary]"),
     r"'r1'.notify: unknown role 'secretary'"),
    (("{{ event.date }}", "{{ event.datum }}"),
     r"'r1'.message: 'dict object' has no attribute 'datum'"),
    (("{{ resident.name }}", "{{ resdent.name }}"),
     r"'r1'.message: 'resdent' is undefined"),
    (("{{ event.date }}", "{{ event.date "), r"'r1'.message: .*"),
    (("when: {matter: dibao}", "when: {ltc_level: {gte: 4}}"),
     r"'r1'.when.ltc_level: event kind 'application' has no property 'ltc_level'"),
    (("when: {matter: dibao}", "when: {matter: {like: dibao}}"),
     r"'r1'.when.matter.like: unknown comparison 'like'"),
    (("when: {matter: dibao}", "resident: {age: {over: 60}}"),
     r"'r1'.resident.age: age takes gte and/or lte"),
    (("when: {matter: dibao}", "resident: {income: low}"),
     r"'r1'.resident: unknown condition 'income'"),
    (("notify: [director]", "notifiy: [director]"),
     r"'r1': unknown key 'notifiy' \(did you mean 'notify'\?\)"),
    (("id: r1", "id: R 1"), r"rule 1: id must be lower_snake_case"),
])
def test_mistakes_name_file_rule_and_key(change, message):
    old, new = change
    with pytest.raises(RuleError, match=message):
        _rules(GOOD.replace(old, new))


def test_duplicate_ids_and_bad_yaml():
    with pytest.raises(RuleError, match="id 'r1' is used twice"):
        _rules(GOOD + GOOD)
    with pytest.raises(RuleError, match="my_rules.yaml: not valid YAML"):
        parse_rules("rules: [", source="my_rules.yaml")
    with pytest.raises(RuleError, match="expected a top-level 'rules:' list"):
        parse_rules("- id: x", source="my_rules.yaml")


def test_unreadable_file_is_named(tmp_path):
    with pytest.raises(RuleError, match="Cannot read notice rules .*missing.yaml"):
        load_rules(tmp_path / "missing.yaml")


def test_every_notice_query_passes_the_cypher_front_end():
    queries = {**inbox.builder_queries(), **intake.builder_queries()}
    # Every condition the grammar offers, so each compiled form is linted too.
    [everything] = _rules("""
      - id: all_conditions
        event: ltc_assessment
        when: {ltc_level: {gte: 4, lte: 6}, care_mode: {in: [home, day_care]}}
        resident:
          age: {gte: 60, lte: 120}
          sex: F
          tags: {all: [lone_elderly], any: [disabled, dibao], none: [migrant]}
        notify: social_worker
        message: "{{ resident.name }}"
    """)
    queries["notice rule all_conditions"] = everything.cypher
    results = lint_queries(queries)
    assert set(results) == set(queries) and len(queries) >= 10
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
    assert {name: [str(w) for w in r.warnings] for name, r in results.items()
            if r.warnings} == {}
