"""Fuzzing notice rules (queries/notices/rules.py: ``compile_rule`` and ``parse_rules``).

Generated rule mappings and YAML files compile to NoticeRules or raise RuleError naming the
file, the rule and the key. Event property values — any text — travel as ``$params``: the
Cypher text is the one a harmless value gives. Messages are Jinja2 templates checked at
load time: a template that fails on sample data is refused as a RuleError too. A sample of
compiled filters passes Neo4j's Cypher front-end.
"""

from __future__ import annotations

import copy

import yaml
from hypothesis import example, given, strategies as st

from graph.cypher_lint import lint_queries
from queries.notices.rules import (ROLES, NoticeRule, RuleError, compile_rule, event_kinds,
                                   known_tags, parse_rules)
from tests.fuzz.common import (FUZZ, LINT_SAMPLE, any_text, examples, json_values, mutated,
                               payload)

KINDS = event_kinds()
TAGS = sorted(known_tags())
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
free_text = st.one_of(any_text, payload)

VALUES = {"text": free_text, "int": st.integers(-10**6, 10**6),
          "bool": st.booleans(), "date": st.dates().map(str)}
MESSAGES = st.one_of(
    st.sampled_from(["{{ resident.name }}（{{ resident.age }}岁）{{ event.date }}",
                     "请联系{{ resident.name }}", "{{ official.name }}: {{ rule.title }}"]),
    free_text.filter(lambda t: t.strip()),
    st.sampled_from(["{{ 1/0 }}", "{{ resident.name + 1 }}", "{{ event.nosuch }}",
                     "{% for x in %}", "{{ resident.name | nosuchfilter }}", "{{ [].pop() }}",
                     "{{ resident.__class__ }}", "{{ ''.join(1) }}", "{{ none.x }}",
                     "{{ resident['x'] }}", "{{ (1).bit_length(2) }}", "{{ int('x') }}"]))


@st.composite
def when_conditions(draw, kind: str):
    props = KINDS[kind]
    chosen = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=3)) \
        if props else []
    when = {}
    for prop in chosen:
        value = VALUES[props[prop]]
        when[prop] = draw(st.one_of(
            value, st.fixed_dictionaries({"eq": value}),
            st.fixed_dictionaries({"in": st.lists(value, min_size=1, max_size=3)}),
            st.fixed_dictionaries({}, optional={"gte": st.integers(0, 9), "lte": st.integers(
                0, 9)}).filter(bool)))
    return when


tag_lists = st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)
residents = st.fixed_dictionaries({}, optional={
    "age": st.fixed_dictionaries({}, optional={"gte": st.integers(0, 130),
                                               "lte": st.integers(0, 130)}).filter(bool),
    "sex": st.sampled_from(["F", "M"]),
    "tags": st.fixed_dictionaries({}, optional={"all": tag_lists, "any": tag_lists,
                                                "none": tag_lists}).filter(bool)}).filter(bool)


@st.composite
def valid_rules(draw, message=st.sampled_from(["{{ resident.name }} {{ event.date }}"])):
    kind = draw(st.sampled_from(sorted(KINDS)))
    rule = {"id": draw(identifiers), "event": kind,
            "notify": draw(st.one_of(st.sampled_from(ROLES), st.lists(
                st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))),
            "message": draw(message)}
    when = draw(when_conditions(kind))
    if when:
        rule["when"] = when
    if draw(st.booleans()):
        rule["resident"] = draw(residents)
    if draw(st.booleans()):
        rule["notify_all"] = draw(st.booleans())
    if draw(st.booleans()):
        rule["title"] = draw(free_text)
    return rule


def _text_values(when: dict) -> list[str]:
    found = []
    for condition in when.values():
        values = condition.values() if isinstance(condition, dict) else [condition]
        for value in values:
            found += [v for v in (value if isinstance(value, list) else [value])
                      if isinstance(v, str)]
    return found


def _harmless(when: dict) -> dict:
    """The same conditions with every text value replaced by "x"."""
    def swap(v):
        if isinstance(v, list):
            return [swap(i) for i in v]
        return "x" if isinstance(v, str) else v
    return {p: ({op: swap(v) for op, v in c.items()} if isinstance(c, dict) else swap(c))
            for p, c in when.items()}


@FUZZ
@given(valid_rules())
def test_valid_rules_compile_with_values_only_in_params(rule):
    compiled = compile_rule(rule, where="rules.yaml: rule 1")
    assert isinstance(compiled, NoticeRule) and compiled.event_kind == rule["event"]
    harmless = compile_rule({**rule, "when": _harmless(rule.get("when", {}))} if "when" in rule
                            else rule)
    assert compiled.cypher == harmless.cypher
    values = [v for value in compiled.params.values()
              for v in (value if isinstance(value, list) else [value])]
    for text in _text_values(rule.get("when", {})):
        assert text in values
        if len(text) >= 4 and text not in harmless.cypher:
            assert text not in compiled.cypher


@st.composite
def broken_rules(draw):
    rule = copy.deepcopy(draw(valid_rules(message=MESSAGES)))
    key = draw(st.sampled_from(sorted(rule) + ["when", "resident", "extra"]))
    rule[key] = draw(st.one_of(json_values, free_text, st.lists(json_values, max_size=2)))
    return rule


@FUZZ
@given(st.one_of(broken_rules(), valid_rules(message=MESSAGES), json_values))
def test_any_rule_compiles_or_is_refused_naming_it(rule):
    try:
        compiled = compile_rule(rule, where="rules.yaml: rule 7")
    except RuleError as e:
        assert str(e).startswith("rules.yaml: rule 7"), str(e)
        return
    assert compiled.cypher.startswith("UNWIND $event_ids")


@FUZZ
@given(st.lists(st.one_of(valid_rules(), broken_rules()), max_size=3).map(
    lambda rules: yaml.safe_dump({"version": 1, "rules": rules}, allow_unicode=True)).flatmap(
    lambda text: st.one_of(st.just(text), mutated(st.just(text)))))
# Found by the full profile: PyYAML's int() of a 4,301-digit number raised a bare ValueError.
@example("rules: []\nversion: " + "9" * 4301)
def test_any_rules_file_loads_or_is_refused_naming_it(text):
    try:
        rules = parse_rules(text, source="fuzz.yaml")
    except RuleError as e:
        assert str(e).startswith("fuzz.yaml"), str(e)
        return
    assert len({r.rule_id for r in rules}) == len(rules)


@examples(quick=1, full=3)
@given(st.lists(valid_rules(), min_size=LINT_SAMPLE, max_size=LINT_SAMPLE))
def test_a_sample_of_compiled_rules_passes_the_cypher_front_end(rules):
    queries = {f"rule {i}": compile_rule(rule).cypher for i, rule in enumerate(rules)}
    results = lint_queries(queries)
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
