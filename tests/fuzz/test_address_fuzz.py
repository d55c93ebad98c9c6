"""Fuzzing ingest/address.py: any cell gives AddressParts on a known street, or a rejection.

A parse is canonical: spelling its parts in the house style ("临汾路261弄12号301室") and
parsing that again gives the same parts (idempotence).
"""

from __future__ import annotations

import re

from hypothesis import given, strategies as st

from ingest.address import AddressParts, load_streets, parse_address
from tests.fuzz.common import FUZZ, fuzzed, outcome

STREETS = load_streets()
HANZI = dict(zip("0123456789", "〇一二三四五六七八九"))
ROOM = re.compile(r"[0-9]+[A-Z]?")


def canonical(parts: AddressParts) -> str:
    """Spell parts in the house style."""
    lane = f"{parts.lane}弄" if parts.lane is not None else ""
    room = f"{parts.room}室" if parts.room else ""
    return f"{parts.street}{lane}{parts.number}号{room}"


@st.composite
def addresses(draw) -> tuple[AddressParts, str]:
    """Draw parts and one of their spellings (Chinese, Chinese numerals, English)."""
    parts = AddressParts(draw(st.sampled_from(STREETS.names)),
                         draw(st.one_of(st.none(), st.integers(1, 9999))),
                         draw(st.integers(1, 9999)),
                         draw(st.one_of(st.none(), st.integers(1, 99999).map(str))))
    style = draw(st.sampled_from(["house", "spaced", "hanzi", "prefixed", "english"]))
    if style == "english":
        en = draw(st.sampled_from(["Linfen Rd", "Linfen Road", "LINFEN LU"]))
        if parts.street != "临汾路":
            return parts, canonical(parts)
        lane = f" Lane {parts.lane}" if parts.lane is not None else ""
        room = f" Rm {parts.room}" if parts.room else ""
        return parts, f"{en}{lane} No.{parts.number}{room}"
    text = canonical(parts)
    if style == "spaced":
        text = text.replace("弄", " 弄 ").replace("号", " 号 ")
    elif style == "hanzi":
        text = "".join(HANZI.get(c, c) for c in text)
    elif style == "prefixed":
        text = draw(st.sampled_from(["上海市", "静安区", "上海市静安区", "临汾路街道"])) + text
    return parts, text


address_texts = addresses().map(lambda pair: pair[1])
huge_numbers = st.tuples(st.sampled_from(STREETS.names), st.integers(5, 6000),
                         st.sampled_from(["号", "弄1号", "号1室"]), st.sampled_from("19一")).map(
    lambda t: f"{t[0]}{t[3] * t[1]}{t[2]}")
english_huge = st.integers(5, 6000).map(lambda n: f"Linfen Rd No. {'9' * n}")


def check(parts: AddressParts) -> None:
    assert parts.street in STREETS.names
    assert 1 <= parts.number <= 9999
    assert parts.lane is None or 1 <= parts.lane <= 9999
    assert parts.room is None or ROOM.fullmatch(parts.room)
    assert parse_address(canonical(parts)) == parts


@FUZZ
@given(fuzzed(st.one_of(address_texts, huge_numbers, english_huge)))
def test_any_cell_parses_or_is_rejected(raw):
    parts = outcome(parse_address, raw)
    if parts is not None:
        check(parts)


@FUZZ
@given(addresses())
def test_each_spelling_gives_its_parts(pair):
    parts, text = pair
    assert parse_address(text) == parts
