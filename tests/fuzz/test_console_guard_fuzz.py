"""Fuzzing the console's parser layer (queries/console_guard.py).

The write/admin corpus (tests/queries/console_attacks.txt), each attempt disguised once more
— comments and unicode whitespace between tokens, case changed, wrapped in a read, suffixed
with a second statement — is never allowed. Reads whose string literals hold any text stay
allowed (a literal cannot turn into a clause). Arbitrary text gives a Verdict or a
QueryError, nothing else. One Node worker parses everything (milliseconds a statement).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, strategies as st

from graph.errors import QueryError
from queries.console_guard import CypherClassifier
from tests.fuzz.common import any_text, examples, payload

CORPUS = Path(__file__).resolve().parents[1] / "queries" / "console_attacks.txt"


def attack_corpus() -> list[str]:
    """The write/admin attempts of console_attacks.txt (blocks between "---" lines)."""
    text = "\n".join(line for line in CORPUS.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("## "))
    return [block.strip() for block in text.split("\n---\n") if block.strip()]


ATTACKS = attack_corpus()
_CLASSIFIER = CypherClassifier()


@pytest.fixture(scope="module", autouse=True)
def _stop_worker():
    yield
    _CLASSIFIER.close()


SEPARATORS = [" ", "\n", "\t", " /* MATCH */ ", " // RETURN 1\n", "\u00a0", "\u3000", "\u2028",
              " /* */ ", "\r\n"]


@st.composite
def disguised_attacks(draw) -> str:
    attack = draw(st.sampled_from(ATTACKS))
    tokens = re.split(r"(\s+)", attack)
    out = []
    for token in tokens:
        if token.isspace():
            # A line break may end a // comment of the attack: keep one there, or the
            # write would become part of the comment (a false alarm the full profile found).
            choices = [token] + [sep for sep in SEPARATORS if "\n" in sep or "\n" not in token]
            out.append(draw(st.sampled_from(choices)))
        else:
            out.append(draw(st.sampled_from([token, token.swapcase(), token.lower()])))
    text = "".join(out)
    wrap = draw(st.sampled_from(["{}", "{};", "MATCH (x) WITH x LIMIT 1 {}", "{} RETURN 1",
                                 "RETURN 1; {}", "{}; MATCH (n) RETURN n",
                                 "CALL () {{ {} }} RETURN 1", "EXPLAIN {}", "PROFILE {}",
                                 "CYPHER 5 {}", "/* hi */ {}"]))
    return wrap.format(text)


@examples(quick=100)
@given(disguised_attacks())
@example("MATCH (x) WITH x LIMIT 1 // a comment saying MATCH only\nCREATE (n:Resident)")
def test_disguised_writes_are_refused(statement):
    verdict = _CLASSIFIER.check(statement)
    assert not verdict.allowed, statement
    assert all(reason.strip() for reason in verdict.reasons)


def cypher_literal(text: str) -> str:
    """Quote ``text`` as a Cypher string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


literal_texts = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                  max_size=40), payload.filter(lambda p: p.isprintable()))


@examples(quick=100)
@given(literal_texts, st.sampled_from([
    "MATCH (r:Resident) WHERE r.name = {} RETURN r LIMIT 5",
    "RETURN {} AS text",
    "MATCH (r:Resident) WHERE r.name CONTAINS {} RETURN count(r) AS n",
    "UNWIND [{}, 'b'] AS x RETURN x"]))
def test_reads_with_any_literal_stay_allowed(text, template):
    statement = template.format(cypher_literal(text))
    verdict = _CLASSIFIER.check(statement)
    assert verdict.allowed, (statement, verdict.reasons)


@examples(quick=100)
@given(st.one_of(any_text, payload, st.lists(st.one_of(payload, any_text), max_size=6).map(
    " ".join)))
def test_any_text_gives_a_verdict(statement):
    try:
        verdict = _CLASSIFIER.check(statement)
    except QueryError as e:
        assert str(e).strip()
        return
    assert verdict.allowed or all(reason.strip() for reason in verdict.reasons)
