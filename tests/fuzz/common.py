"""Shared pieces of the fuzz suite: the active profile, example counts, and input strategies.

Two kinds of input find bugs: arbitrary text (any code point, control characters, huge
numbers, injection payloads) and near-valid values — a valid one with a single mutation
(a character dropped, doubled, replaced, swapped, widened) — which walk the edges of each
parser's grammar.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import settings, strategies as st

from ingest.normalize import id_check_digit
from tests.fuzz.conftest import FULL, FULL_EXAMPLES, PROFILE

FUZZ = settings.get_profile(PROFILE)


def examples(quick: int, full: int = FULL_EXAMPLES) -> settings:
    """Return the active profile with a different example count (DB and Node targets)."""
    return settings(FUZZ, max_examples=full if FULL else quick)


# Rules linted per example: Neo4j's front-end takes seconds a rule on a busy machine.
LINT_SAMPLE = 30 if FULL else 4

# Payloads that have broken parsers, query builders and templates elsewhere.
PAYLOADS = [
    "MATCH (n) DETACH DELETE n", "'}) DETACH DELETE n //", "\" OR 1=1 --", "$x", "${x}",
    "`n`", "/* CREATE (x) */", "// MERGE", "CALL db.labels()", "UNION MATCH (m) RETURN m",
    "\\u0027", "\\'", "'; DROP TABLE users; --", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:alert(1)",
    "{{ 7*7 }}", "{% raw %}", "{{ config }}", "%s%s%n", "../../etc/passwd", "\x00", "\r\n",
    "\u202e", "\ufeff", "\u200b", "\ud7ff", "\U0001f600", "NaN", "Infinity", "-0", "1e999",
    "AND", "NOT", "OR", "*:*", "title:(a OR b)", "\"unclosed", "a~2", "[1 TO 9]",
    "(", ")", "\\",
]

# Any code point Python strings hold, surrogates aside (they cannot be encoded as UTF-8).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
# Past 4,300 digits int() refuses a string with a bare ValueError.
huge_numbers = st.integers(4_000, 6_000).map(lambda n: "9" * n)
payload = st.sampled_from(PAYLOADS) | huge_numbers
# Any JSON document, its keys drawn partly from the names the readers look for.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text | payload,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.one_of(any_text, st.sampled_from(
        ["id", "name", "services", "locations", "attributes", "service_at_locations",
         "organization", "location", "taxonomy_term", "phones", "schedules", "contents",
         "status", "program", "addresses", "contacts"])), children, max_size=5),
    max_leaves=12)
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@st.composite
def mutated(draw, valid: st.SearchStrategy[str]) -> str:
    """Draw a valid value and change it once: drop, insert, replace, swap, double or widen."""
    text = draw(valid)
    kind = draw(st.sampled_from(["drop", "insert", "replace", "swap", "double", "widen",
                                 "case", "pad", "truncate", "payload"]))
    i = draw(st.integers(0, max(len(text) - 1, 0)))
    char = draw(st.one_of(st.characters(blacklist_categories=("Cs",)),
                          st.sampled_from("0123456789Xx-/ .年月日号弄室\u3000\t\n")))
    if not text:
        return char
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "insert":
        return text[:i] + char + text[i:]
    if kind == "replace":
        return text[:i] + char + text[i + 1:]
    if kind == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if kind == "widen":
        return text[:i] + text[i:].translate(FULLWIDTH)
    if kind == "case":
        return text.swapcase()
    if kind == "pad":
        return draw(st.sampled_from([" ", "\u3000", "\t", "'", "\ufeff"])) + text
    if kind == "truncate":
        return text[:i]
    return text[:i] + draw(payload) + text[i:]


def fuzzed(valid: st.SearchStrategy[str]) -> st.SearchStrategy:
    """Valid values, near-valid ones, arbitrary text, payloads and non-text cells."""
    return st.one_of(valid, mutated(valid), mutated(valid), any_text, payload,
                     st.integers(), st.floats(), st.none(), st.booleans())


@st.composite
def valid_ids(draw, last: dt.date = dt.date(2024, 12, 31)) -> str:
    """Draw a valid 18-character resident ID number (region, birth date, sequence, check)."""
    region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    born = draw(st.dates(dt.date(1900, 1, 1), last))
    body = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + id_check_digit(body)


@st.composite
def written_dates(draw) -> tuple[dt.date, str]:
    """Draw a day and its spelling in one of the written forms parse_date accepts."""
    day = draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
    form = draw(st.sampled_from(["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{d.year}/{d.month}/{d.day}",
                                 "{:%Y.%m.%d}", "{:%Y%m%d}", "{d.year}年{d.month}月{d.day}日",
                                 "{:%Y-%m-%d %H:%M:%S}", "{:%Y-%m-%dT%H:%M:%SZ}",
                                 "{d.year}年{d.month}月{d.day}号"]))
    return day, form.format(day, d=day)


date_texts = written_dates().map(lambda pair: pair[1])


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"(021-?|\(021\)|\+86 21 )?[2-9][0-9]{7}", fullmatch=True)
phones = st.one_of(mobiles, mobiles.map(lambda m: f"+86 {m[:3]}-{m[3:7]}-{m[7:]}"), landlines)
cjk_names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2,
                    max_size=4)
names = st.one_of(cjk_names, st.tuples(cjk_names, cjk_names).map("·".join),
                  st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}", fullmatch=True))


def outcome(normalise, raw, error=None):
    """Return ``normalise(raw)``, or None after checking the rejection carries a reason.

    Any exception other than ``error`` (default: ingest's InvalidValueError) fails the test.
    """
    from ingest.normalize import InvalidValueError

    error = error or InvalidValueError
    try:
        return normalise(raw)
    except error as e:
        reason = getattr(e, "reason", str(e))
        assert isinstance(reason, str) and reason.strip(), f"rejection without a reason: {e!r}"
        return None
