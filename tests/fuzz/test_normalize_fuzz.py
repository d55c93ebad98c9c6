"""Fuzzing ingest/normalize.py: ID numbers, dates, phones, names, sex, yes/no, code lists.

Every normaliser either returns a value that satisfies its invariant — and normalising that
value again changes nothing — or raises InvalidValueError with a reason.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, strategies as st

from ingest.normalize import (MAX_YEAR, MIN_YEAR, id_birth_date, id_check_digit, id_sex,
                              normalize_bool, normalize_enum, normalize_id_number,
                              normalize_name, normalize_phone, normalize_sex, parse_date)
from tests.fuzz.common import (FUZZ, date_texts, fuzzed, names, outcome, phones, valid_ids,
                               written_dates)

TODAY = dt.date(2025, 6, 30)
ID18 = re.compile(r"[0-9]{17}[0-9X]")
PHONE = re.compile(r"1[3-9][0-9]{9}|021-[2-9][0-9]{7}")


def _id(raw):
    return normalize_id_number(raw, today=TODAY)


@FUZZ
@given(fuzzed(st.one_of(valid_ids(), valid_ids().map(lambda i: i[:6] + i[8:17]))))
def test_id_numbers(raw):
    value = outcome(_id, raw)
    if value is None:
        return
    assert ID18.fullmatch(value) and id_check_digit(value[:17]) == value[17]
    assert dt.date(1880, 1, 1) <= id_birth_date(value) <= TODAY
    assert id_sex(value) in ("M", "F")
    assert _id(value) == value


@FUZZ
@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_one_changed_id_character_is_caught(id18, position, char):
    changed = id18[:position] + char + id18[position + 1:]
    value = outcome(_id, changed)
    # MOD 11-2 catches every single substitution: only the unchanged number passes.
    assert (value is not None) == (changed == id18)


DATE_FORMATS = [None, ["%Y-%m-%d"], ["%d/%m/%Y", "%Y.%m"], "%Y年%m月%d日"]


@FUZZ
@given(fuzzed(date_texts), st.sampled_from(DATE_FORMATS),
       st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))))
def test_dates(raw, formats, bound):
    value = outcome(lambda r: parse_date(r, formats, not_after=bound), raw)
    if value is None:
        return
    assert isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    assert MIN_YEAR <= value.year <= MAX_YEAR
    assert bound is None or value <= bound
    assert parse_date(value) == value == parse_date(value.isoformat())


@FUZZ
@given(written_dates())
def test_every_written_date_form_reads_the_day_written(pair):
    day, text = pair
    assert parse_date(text) == day


@FUZZ
@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_date_numbers(raw):
    value = outcome(parse_date, raw)
    assert value is None or MIN_YEAR <= value.year <= MAX_YEAR


@FUZZ
@given(fuzzed(phones))
def test_phones(raw):
    value = outcome(normalize_phone, raw)
    if value is None:
        return
    assert PHONE.fullmatch(value), value
    assert normalize_phone(value) == value


@FUZZ
@given(fuzzed(names))
def test_names(raw):
    value = outcome(normalize_name, raw)
    if value is None:
        return
    assert value == value.strip() and any(c.isalpha() for c in value)
    assert not any(c.isdigit() for c in value)
    assert normalize_name(value) == value


@FUZZ
@given(fuzzed(st.sampled_from(["男", "女", "M", "F", "male", "Female", "1", "2", "男性"])))
def test_sex(raw):
    value = outcome(normalize_sex, raw)
    assert value in (None, "M", "F")
    assert value is None or normalize_sex(value) == value


@FUZZ
@given(fuzzed(st.sampled_from(["是", "否", "有", "无", "Y", "n", "TRUE", "false", "1", "0", "√"])))
def test_yes_no(raw):
    value = outcome(normalize_bool, raw)
    assert value in (None, True, False)
    assert value is None or normalize_bool(value) is value


CODES = {"中共党员": "CPC", "共青团员": "CYL", "群众": "masses"}


@FUZZ
@given(fuzzed(st.sampled_from(list(CODES) + list(CODES.values()))))
def test_code_lists(raw):
    value = outcome(lambda r: normalize_enum(r, CODES, what="political status"), raw)
    assert value is None or value in CODES.values()
    assert value is None or normalize_enum(value, CODES) == value
