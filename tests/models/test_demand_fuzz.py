"""Fuzzing the demand parser: any text gives a Demand and never an exception.

The default run takes seconds (100 cases per test); ``MINQING_FULL=1`` (the switch of
tests/fuzz and tests/faults too) runs 10,000 cases per test, e.g.
``MINQING_FULL=1 python -m pytest -q tests/models/test_demand_fuzz.py``.
"""

from __future__ import annotations

import json
import os
from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st

from models.demand import MAX_DEMAND_CHARS, Demand, parse_demand
from models.gazetteer import Gazetteer

FULL = os.environ.get("MINQING_FULL") == "1"
FUZZ = settings(max_examples=10_000 if FULL else 100, deadline=None, derandomize=not FULL,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GAZETTEER = Gazetteer.from_fixture()

# Fragments that exercise every rule, shuffled with noise below.
FRAGMENTS = [
    "周六下午", "下周三上午", "本周日晚上", "明天", "7月5日", "2025-07-05", "三天后", "今晚",
    "this Saturday afternoon", "next week", "July 5", "in 3 days", "2-4pm", "14:00-16:00",
    "下午2点到4点", "40人", "四十人", "a room for 40 people", "10,000 people", "0 people",
    "两名志愿者", "two volunteers", "志愿者两名", "急救", "first aid", "手语", "投影仪", "projector",
    "汾西路", "Fenxi Road", "Lane 261", "261弄", "临汾路261弄12号", "Fenxi Rd Lane 88 No. 5",
    "Linfen Garden", "邀请", "invite", "糖尿病老人", "diabetic seniors", "70岁以上", "aged 60-74",
    "over 80", "within 1 km", "500米内", "31.27, 121.45", "MATCH (n) DETACH DELETE n",
    "'; DROP TABLE x; --", "😀", "🎉🎉", "，", ", and ", "\n", "的", " ", "周", "弄", "号", "人",
]


def _check(text: str) -> Demand:
    demand = parse_demand(text, today=date(2025, 6, 25), gazetteer=GAZETTEER)
    assert isinstance(demand, Demand)
    assert "parser_error" not in {w.code for w in demand.warnings}, demand.warnings
    assert len(demand.text) <= MAX_DEMAND_CHARS
    for span in demand.spans:
        assert demand.text[span.start:span.end] == span.text
    assert Demand.from_json(json.loads(json.dumps(demand.to_json()))) == demand
    return demand


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=25))
def test_shuffled_fragments(parts):
    _check("".join(parts))


@FUZZ
@given(st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
               | st.sampled_from("的人弄号周六0123456789 ,"), max_size=200))
def test_emoji_and_chinese(text):
    _check(text)


@settings(FUZZ, max_examples=50 if FULL else 5)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(min_size=1, max_size=5), min_size=1,
                max_size=40).map(lambda parts: ("".join(parts) * 5000)[:5000]))
def test_five_thousand_characters(text):
    demand = _check(text)
    assert "too_long" in {w.code for w in demand.warnings}


@FUZZ
@given(st.sampled_from(["MATCH", "MERGE", "CREATE", "DELETE", "DETACH", "CALL db.", "RETURN",
                        "SELECT", "DROP TABLE", "UNION", "--", ";", "'", "\"", "(", ")", "{", "}",
                        "$", ":Resident", "n.phone", "1=1", " "]).map(str) | st.text(max_size=4),
       st.integers(min_value=1, max_value=30))
def test_cypher_looking_text(word, times):
    _check(f"MATCH (n:Resident) WHERE n.name = '{word * times}' RETURN n")
