"""Fuzzing ingest/fields.py and ingest/validate.py: every field of every mapping file.

Each field's normaliser (``make_normaliser``) takes any cell to its canonical type or
rejects it with a reason; ``validate_table`` takes any table to clean rows plus quarantine
entries that name row, field and column — every row is loaded, quarantined or recorded as a
duplicate, never lost and never loaded twice.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from hypothesis import given, strategies as st

from ingest.address import AddressParts
from ingest.fields import OUTSIDE, make_normaliser
from ingest.mapping import load_mappings
from ingest.validate import DUPLICATE, FIELD_DROPPED, ROW_QUARANTINED, validate_table
from tests.fuzz.common import (FUZZ, any_text, date_texts, examples, fuzzed, names, outcome,
                               payload, phones, valid_ids)
from tests.fuzz.test_address_fuzz import address_texts

AS_OF = dt.date(2025, 6, 30)
MAPPINGS = load_mappings()
SPECS = [spec for mapping in MAPPINGS for spec in mapping.fields.values()]
ID18 = re.compile(r"[0-9]{17}[0-9X]")
PHONE = re.compile(r"1[3-9][0-9]{9}|021-[2-9][0-9]{7}")


def valid_cells(spec) -> st.SearchStrategy:
    """Cells a well-behaved export would hold for this field."""
    kind = spec.type
    if kind == "int":
        return st.integers(-10**6, 10**6).flatmap(
            lambda n: st.sampled_from([str(n), f"{n:,}", f"{n}.0"]))
    if kind == "float":
        return st.floats(allow_nan=False, allow_infinity=False).map(repr)
    if kind == "bool":
        return st.sampled_from(["是", "否", "Y", "N", "1", "0", "有", "无"])
    if kind == "id_number":
        return valid_ids()
    if kind == "name":
        return names
    if kind == "sex":
        return st.sampled_from(["男", "女", "M", "F", "1", "2"])
    if kind == "phone":
        return phones
    if kind == "date":
        if spec.formats:
            return st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(
                lambda d: d.strftime(spec.formats[0]))
        return date_texts
    if kind == "enum":
        return st.sampled_from(sorted(map(str, spec.values)))
    if kind == "list":
        items = st.sampled_from(sorted(spec.values)) if spec.values else any_text
        return st.lists(items, max_size=4).map(spec.separator.join)
    if kind == "address":
        return address_texts
    return any_text


@st.composite
def field_cells(draw):
    spec = draw(st.sampled_from(SPECS))
    return spec, draw(fuzzed(valid_cells(spec)))


def check_value(spec, value) -> None:
    """The canonical value of a field of type ``spec.type``."""
    kind = spec.type
    if kind == "int":
        assert isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        assert isinstance(value, float) and math.isfinite(value), value
    elif kind == "bool":
        assert isinstance(value, bool)
    elif kind == "id_number":
        assert ID18.fullmatch(value)
    elif kind == "phone":
        assert PHONE.fullmatch(value)
    elif kind == "sex":
        assert value in ("M", "F")
    elif kind == "date":
        assert isinstance(value, dt.date)
        assert not spec.not_after_as_of or value <= AS_OF
    elif kind == "enum":
        assert value in spec.values.values()
    elif kind == "list":
        assert isinstance(value, list)
        assert spec.values is None or set(value) <= set(spec.values.values())
    elif kind == "address":
        assert value is OUTSIDE and spec.outside_ok or isinstance(value, AddressParts)
    else:
        assert isinstance(value, str) and value == value.strip() and value


@FUZZ
@given(field_cells())
def test_every_field_normalises_or_rejects(pair):
    spec, raw = pair
    normalise = make_normaliser(spec, AS_OF)
    value = outcome(normalise, raw)
    if value is None:
        return
    check_value(spec, value)
    # Canonical values are fixed points (where the canonical form is itself a cell).
    if spec.type in ("id_number", "phone", "sex", "name", "text", "int"):
        assert normalise(str(value)) == value
    elif spec.type == "float":
        assert normalise(repr(value)) == value
    elif spec.type == "date":
        assert normalise(value) == value


def _cell(value) -> str:
    """A cell as read_table hands it over: text, '' for empty."""
    return "" if value is None else str(value)


@st.composite
def tables(draw):
    """A mapping and a small table of its columns, with repeated rows among them."""
    mapping = draw(st.sampled_from(MAPPINGS))
    specs = list(mapping.fields.values())
    row = st.fixed_dictionaries({s.column: fuzzed(valid_cells(s)).map(_cell) for s in specs})
    rows = draw(st.lists(row, min_size=1, max_size=6))
    rows += draw(st.lists(st.sampled_from(rows), max_size=2))  # exact duplicates
    columns = list(dict.fromkeys(s.column for s in specs))
    return mapping, pd.DataFrame(rows, columns=columns)


# A table is up to eight rows of a whole mapping: ~0.2 s an example, hence 2,000 in full mode
# (each field's normaliser gets its 10,000 in the test above).
@examples(quick=100, full=2_000)
@given(tables())
def test_validation_loses_no_row_and_names_every_field(drawn):
    mapping, table = drawn
    result = validate_table(mapping, table, "export.csv", AS_OF)
    loaded = [r["_row"] for r in result.records]
    quarantined = {i.row for i in result.issues if i.action == ROW_QUARANTINED}
    duplicates = {i.row for i in result.issues if i.action == DUPLICATE}
    assert len(loaded) == len(set(loaded))  # nothing written twice
    assert set(loaded) | quarantined | duplicates == set(range(1, len(table) + 1))  # nothing lost
    assert not set(loaded) & (quarantined | duplicates)
    by_name = mapping.fields
    for issue in result.issues:
        assert issue.reason.strip() and issue.file == "export.csv"
        assert issue.action in (ROW_QUARANTINED, FIELD_DROPPED, DUPLICATE)
        if issue.action != DUPLICATE:
            assert issue.field in by_name and issue.column == by_name[issue.field].column
    for record in result.records:
        for spec in by_name.values():
            value = record[spec.name]
            if value is None:
                assert not spec.required
            else:
                check_value(spec, value)


@FUZZ
@given(st.sampled_from([s for s in SPECS if s.type in ("int", "float")]),
       st.one_of(payload, st.sampled_from(["inf", "-inf", "nan", "+nan", "1e400", "-1e999",
                                           "Infinity", "1_000", "0x10", "１２"])))
def test_numbers_never_overflow(spec, raw):
    value = outcome(make_normaliser(spec, AS_OF), raw)
    assert value is None or (isinstance(value, (int, float)) and math.isfinite(value))
