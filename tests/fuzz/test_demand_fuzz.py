"""Fuzzing the demand parser (models/demand*.py) beyond tests/models/test_demand_fuzz.py.

That module shows any text parses without the parser's last-resort guard firing; here:
huge, control-character, Lucene and Cypher text too; facts written into a demand (head
count, volunteers, ages) come back exactly, whatever noise surrounds them; and a corrected
parse sent back as JSON (the search page's POST) is read or refused with a DemandError that
names the field — never another exception.
"""

from __future__ import annotations

import json
from datetime import date

from hypothesis import example, given, strategies as st

from models.demand import MAX_DEMAND_CHARS, Demand, DemandError, parse_demand
from models.gazetteer import Gazetteer
from tests.fuzz.common import PAYLOADS, FUZZ, any_text, examples, outcome, payload

TODAY = date(2025, 6, 25)
GAZETTEER = Gazetteer.from_fixture()
LUCENE = ["AND", "OR", "NOT", "+", "-", "&&", "||", "!", "(", ")", "{", "}", "[", "]", "^",
          "\"", "~", "*", "?", ":", "\\", "/", "title:", "*:*", "a~0.5", "[1 TO 5]"]


def parse(text: str) -> Demand:
    demand = parse_demand(text, today=TODAY, gazetteer=GAZETTEER)
    assert isinstance(demand, Demand)
    assert "parser_error" not in {w.code for w in demand.warnings}, demand.warnings
    assert len(demand.text) <= MAX_DEMAND_CHARS
    for span in demand.spans:
        assert demand.text[span.start:span.end] == span.text
    assert Demand.from_json(json.loads(json.dumps(demand.to_json()))) == demand
    return demand


controls = st.text(st.characters(max_codepoint=0x9F), max_size=80)
huge = st.tuples(st.one_of(any_text, payload), st.integers(50, 400)).map(
    lambda t: (t[0] or "x") * t[1])


@FUZZ
@given(st.one_of(any_text, controls,
                 st.lists(st.sampled_from(LUCENE + PAYLOADS) | any_text, max_size=20).map(
                     " ".join)))
def test_any_text_parses(text):
    demand = parse(text)
    if len(text) > MAX_DEMAND_CHARS:
        assert "too_long" in {w.code for w in demand.warnings}


# A parse of 2,000 characters takes about a second on a busy core: fewer examples.
@examples(quick=10, full=300)
@given(huge)
def test_huge_text_is_cut_with_a_warning(text):
    demand = parse(text)
    assert (len(text) > MAX_DEMAND_CHARS) == ("too_long" in {w.code for w in demand.warnings})


# Clause noise with no digits, numerals or count words, so it cannot state a number itself.
NOISE = ["周六下午", "在汾西路附近", "办糖尿病讲座", "需要投影仪", "活动室", "社区健康讲座",
         "on Saturday afternoon", "near Fenxi Road", "for a diabetes talk", "with a projector",
         "", "请尽快安排", "MATCH (n) RETURN n", "<b>讲座</b>"]
ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """Write 0–99 in Chinese numerals ("四十", "十二")."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return ZH_DIGITS[n]
    return (ZH_DIGITS[tens] if tens > 1 else "") + "十" + (ZH_DIGITS[ones] if ones else "")


@st.composite
def demands_with_facts(draw):
    """A demand stating a head count, a number of volunteers and an age range, in noise."""
    head = draw(st.integers(1, 1999))
    helpers = draw(st.integers(1, 20))
    low = draw(st.integers(0, 110))
    high = draw(st.integers(low, 120))
    zh = draw(st.booleans())
    if zh:
        clauses = [f"能坐{head}人的活动室",
                   f"需要{draw(st.sampled_from([str(helpers), zh_number(helpers)]))}名志愿者",
                   f"邀请{low}到{high}岁的居民"]
    else:
        clauses = [f"a room for {head} people", f"{helpers} volunteers",
                   f"invite residents aged {low}-{high}"]
    clauses += draw(st.lists(st.sampled_from(NOISE), max_size=3))
    order = draw(st.permutations(clauses))
    return head, helpers, (low, high), ("，" if zh else ", ").join(order)


@FUZZ
@given(demands_with_facts())
def test_stated_facts_are_read_back(drawn):
    head, helpers, (low, high), text = drawn
    demand = parse(text)
    assert demand.head_count == head, text
    assert demand.volunteers_wanted == helpers, text
    assert (demand.participants.age_min, demand.participants.age_max) == (low, high), text


FIELDS = ["text", "today", "head_count", "volunteers_wanted", "window", "location", "skills",
          "resource_types", "venue_types", "equipment", "participants", "topic_words",
          "leftover", "warnings", "spans"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text
    | st.sampled_from(["2025-06-28", "2025-06-28T13:00", "2025-06-28T13:00+08:00", "²", "٣",
                       "first_aid", "road", "venue", "-1", "1e3", ""]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["start", "end", "phrase", "kind", "name", "ids", "lat",
                                       "lon", "radius_m", "tags", "age_min", "age_max",
                                       "location", "code", "message", "field", "text", "value",
                                       "x"]), children, max_size=4),
    max_leaves=10)
BASE = parse("周六下午在汾西路附近找一间能坐40人的活动室，需要两名会急救的志愿者，"
             "邀请261弄70岁以上的糖尿病老人").to_json()


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
def test_a_corrected_parse_is_read_or_refused_by_field(changes):
    data = {**json.loads(json.dumps(BASE)), **changes}
    try:
        demand = Demand.from_json(data)
    except DemandError as e:
        # The message names the field that was changed (a dotted path starts with it).
        assert any(key in str(e) for key in changes), (str(e), changes)
        return
    assert Demand.from_json(json.loads(json.dumps(demand.to_json()))) == demand


@FUZZ
@given(json_values)
# Found while writing this target (the quick profile does not draw them): each escaped as a
# TypeError or ValueError, the first a 500 on the search page's corrected-parse POST.
@example({"spans": [{}]})
@example({"warnings": [{"code": "x"}]})
@example({"head_count": "²"})
@example({"window": {"start": "2025-06-28T13:00", "end": "2025-06-28T14:00+08:00"}})
def test_anything_sent_as_a_demand_is_read_or_refused(data):
    outcome(Demand.from_json, data, DemandError)
