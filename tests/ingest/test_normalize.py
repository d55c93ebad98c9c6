"""The cell normalisers of ingest/normalize.py: good and bad cases, and properties over many inputs."""

import datetime as dt
import doctest
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import normalize
from ingest.normalize import (
    InvalidValueError, MissingValueError, id_birth_date, id_check_digit, id_sex, is_missing,
    normalize_bool, normalize_enum, normalize_id_number, normalize_name, normalize_phone,
    normalize_sex, parse_date,
)

# A loaded CI machine must not turn a slow example into a failure.
relaxed = settings(deadline=None, database=None)

TODAY = dt.date(2025, 6, 30)
FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def make_id(region="310106", born="19491231", seq="002"):
    """Return a valid 18-digit ID number for the given parts."""
    body = region + born + seq
    return body + id_check_digit(body)


def reason_of(func, *args, **kwargs):
    """Return the rejection reason ``func`` gives, failing if it accepts the value."""
    with pytest.raises(InvalidValueError) as caught:
        func(*args, **kwargs)
    return caught.value.reason


def test_docstring_examples_hold():
    assert doctest.testmod(normalize, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


# --- is_missing -------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [None, math.nan, "", "  ", "NULL", "null", "None", "nan", "N/A",
                                 "#N/A", "-", "—", "/", "无", " 无 ", "空", "暂无", "不详", "未知",
                                 "ＮＵＬＬ", "\u3000"])
def test_is_missing_recognises_placeholders(raw):
    assert is_missing(raw)


@pytest.mark.parametrize("raw", ["0", 0, 0.0, "王秀英", "否", False, dt.date(2023, 1, 1), "NULLS"])
def test_is_missing_keeps_real_values(raw):
    assert not is_missing(raw)


def test_is_missing_knows_pandas_and_numpy_blanks():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    assert is_missing(pd.NaT) and is_missing(pd.NA) and is_missing(np.nan)
    assert not is_missing(np.int64(3))


# --- ID numbers ---------------------------------------------------------------------

VALID = "11010519491231002X"


@pytest.mark.parametrize("raw", [
    "11010519491231002X",
    "11010519491231002x",  # lower-case check digit
    "110105 19491231 002X",  # 6-8-4 grouping
    "110105 1949 1231 002X",  # 6-4-4-4 grouping
    "110105-19491231-002X",
    " 11010519491231002X\t",
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
    "１１０１０５１９４９１２３１００２ｘ",
    "'11010519491231002X",  # Excel's text marker
    "110105491231002",  # legacy 15-digit number
    "110105 491231 002",
])
def test_id_number_variants_normalise_to_the_canonical_form(raw):
    assert normalize_id_number(raw) == VALID


def test_legacy_15_digit_id_gets_century_and_check_digit():
    assert normalize_id_number("310106500312123") == make_id("310106", "19500312", "123")


def test_id_number_stored_as_a_number():
    canonical = make_id("310106", "19500312", "123")
    assert normalize_id_number(int(canonical)) == canonical
    # A 15-digit number survives a float; an 18-digit one does not.
    assert normalize_id_number(310106500312123.0) == canonical
    assert normalize_id_number("310106500312123.0") == canonical
    assert "lost digits" in reason_of(normalize_id_number, float(canonical))


def test_wrong_check_digit_is_rejected():
    good = make_id("310106", "19500312", "123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert reason_of(normalize_id_number, bad).startswith("check digit mismatch")


def test_typo_in_the_body_breaks_the_check_digit():
    good = make_id("310106", "19500312", "123")
    typo = good[:10] + ("4" if good[10] != "4" else "5") + good[11:]
    assert reason_of(normalize_id_number, typo).startswith("check digit mismatch")


@pytest.mark.parametrize("born, words", [
    ("20230230", "not a real date"),
    ("19501301", "not a real date"),
    ("18500101", "implausible"),
    ("20300101", "in the future"),
])
def test_id_birth_date_must_be_real_and_past(born, words):
    assert words in reason_of(normalize_id_number, make_id(born=born), today=TODAY)


def test_legacy_id_with_impossible_date_is_rejected():
    assert "not a real date" in reason_of(normalize_id_number, "310106500230123")


@pytest.mark.parametrize("raw, words", [
    ("1101051949123100", "has 16 characters"),
    ("11010519491231002X1", "has 19 characters"),
    ("11010519491231002A", "other than digits"),
    ("1101051949X231002X", "X before the last"),
    ("身份证11010519491231002X", "other than digits"),
])
def test_malformed_id_numbers_are_rejected(raw, words):
    assert words in reason_of(normalize_id_number, raw)


@pytest.mark.parametrize("raw", [None, "", "无", "  ", math.nan])
def test_missing_id_number_raises_missing(raw):
    with pytest.raises(MissingValueError, match="missing ID number"):
        normalize_id_number(raw)


def test_rejection_keeps_the_raw_value_and_is_a_value_error():
    with pytest.raises(ValueError) as caught:
        normalize_id_number("123")
    assert caught.value.value == "123"
    assert str(caught.value) == caught.value.reason


def test_birth_date_and_sex_from_id():
    assert id_birth_date(VALID) == dt.date(1949, 12, 31)
    assert id_birth_date("110105491231002") == dt.date(1949, 12, 31)
    assert id_sex(VALID) == "F"  # 17th digit 2
    assert id_sex(make_id(seq="123")) == "M"
    assert id_sex("11010519491231002x") == "F"
    with pytest.raises(InvalidValueError):
        id_sex("123")


@st.composite
def valid_ids(draw, last=dt.date(2024, 12, 31)):
    """Draw a valid 18-digit ID: region, a real birth date up to ``last``, a sequence number."""
    region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    born = draw(st.dates(dt.date(1900, 1, 1), last))
    seq = draw(st.integers(0, 999))
    return make_id(region, born.strftime("%Y%m%d"), f"{seq:03d}")


@relaxed
@given(valid_ids(), st.lists(st.integers(0, 18), max_size=4), st.booleans(), st.booleans(),
       st.sampled_from(["", " ", "-", "\u3000"]))
def test_any_valid_id_survives_formatting_variants(id18, cuts, wide, lower, sep):
    text = id18
    for cut in sorted(set(cuts), reverse=True):
        text = text[:cut] + sep + text[cut:]
    if wide:
        text = text.translate(FULLWIDTH)
    if lower:
        text = text.lower()
    assert normalize_id_number(text, today=TODAY) == id18


@relaxed
@given(valid_ids())
def test_id_normalisation_is_idempotent_and_reads_back(id18):
    once = normalize_id_number(id18, today=TODAY)
    assert normalize_id_number(once, today=TODAY) == once
    assert id_birth_date(once).strftime("%Y%m%d") == id18[6:14]


@relaxed
@given(valid_ids(last=dt.date(1999, 12, 31)))
def test_legacy_form_of_any_20th_century_id_converts_back(id18):
    assert normalize_id_number(id18[:6] + id18[8:17]) == id18


@relaxed
@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(id18, position, shift):
    changed = str((int(id18[position]) + shift) % 10)
    with pytest.raises(InvalidValueError):
        normalize_id_number(id18[:position] + changed + id18[position + 1:], today=TODAY)


@relaxed
@given(st.one_of(st.text(max_size=25), st.integers(), st.floats(), st.none()))
def test_id_normalisation_only_ever_rejects(raw):
    try:
        normalize_id_number(raw)
    except InvalidValueError:
        pass


# --- dates ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "2023-02-01", "2023/2/1", "2023/02/01", "20230201", "2023年2月1日", "2023年02月01日",
    "2023.02.01", "2023.2.1", " 2023-02-01 ", "２０２３－０２－０１", "2023-02-01 14:07:09",
    "2023/2/1 14:07", "2023-02-01T14:07:09", "2023-02-01 00:00:00.000",
    dt.date(2023, 2, 1), dt.datetime(2023, 2, 1, 14, 7), 44958, 44958.58, 20230201, 20230201.0,
])
def test_date_forms_are_read(raw):
    assert parse_date(raw) == dt.date(2023, 2, 1)


def test_pandas_and_numpy_dates_are_read():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    assert parse_date(pd.Timestamp("2023-02-01 10:00")) == dt.date(2023, 2, 1)
    assert parse_date(np.datetime64("2023-02-01")) == dt.date(2023, 2, 1)
    assert parse_date(np.int64(20230201)) == dt.date(2023, 2, 1)
    with pytest.raises(MissingValueError):
        parse_date(pd.NaT)


@pytest.mark.parametrize("raw", ["2023-02-30", "2023/2/29", "20230230", "2021-04-31", "2023年2月30日",
                                 "2023.11.31", "2023-13-01", "2023-00-10", 20230230])
def test_impossible_dates_are_rejected(raw):
    assert "not a real date" in reason_of(parse_date, raw)


@pytest.mark.parametrize("raw, words", [
    ("1850-01-01", "outside 1900–2100"),
    ("2200-01-01", "outside 1900–2100"),
    (60, "does not exist"),
    (3_000_000, "neither YYYYMMDD nor an Excel date"),
    (-5, "neither"),
    ("2024.03", "only a year and month"),
    ("05/03/2024", "not a recognised date"),
    ("yesterday", "not a recognised date"),
    ("2023年2", "only a year and month"),
    (True, "true/false"),
    (math.inf, "not a date"),
    ([2023, 2, 1], "not a date"),
])
def test_non_dates_are_rejected_with_a_reason(raw, words):
    assert words in reason_of(parse_date, raw)


def test_date_bounds():
    assert parse_date("2025-06-30", not_after=TODAY) == TODAY
    assert "after the latest allowed date 2025-06-30" in reason_of(
        parse_date, "2026-01-01", not_after=TODAY)
    assert "before the earliest allowed date" in reason_of(
        parse_date, "1999-12-31", not_before=dt.date(2000, 1, 1))


def test_explicit_formats_replace_the_built_in_forms():
    assert parse_date("2024.03", formats=["%Y.%m"]) == dt.date(2024, 3, 1)
    assert parse_date("05/03/2024", formats=["%d/%m/%Y"]) == dt.date(2024, 3, 5)
    assert parse_date("5.3.2024", formats="%d.%m.%Y") == dt.date(2024, 3, 5)
    assert "does not match the date format %Y.%m" in reason_of(parse_date, "2024.13", formats=["%Y.%m"])
    assert "not a real date" in reason_of(parse_date, "30/02/2023", formats=["%d/%m/%Y"])
    # Date objects and numbers are read whatever the formats say.
    assert parse_date(dt.date(2024, 3, 5), formats=["%Y.%m"]) == dt.date(2024, 3, 5)


def test_missing_dates_raise_missing():
    for raw in (None, "", "无", math.nan):
        with pytest.raises(MissingValueError):
            parse_date(raw)


def test_every_generator_date_format_reads_back():
    """The synthetic exports' date formats (ingest/synthetic/formats.py) all parse."""
    formats = pytest.importorskip("ingest.synthetic.formats")
    for fmt in formats.FORMATS:
        if fmt == "excel":
            continue
        text = formats.render(2024, 3, 5, 14, 7, 9, fmt)
        explicit = ["%Y.%m"] if fmt == "ym" else None
        assert parse_date(text, explicit) == dt.date(2024, 3, 5 if fmt != "ym" else 1), fmt
        for pick in (0.1, 0.3, 0.6, 0.9):
            bad = formats.impossible(text, fmt, is_birth=True, pick=pick)
            with pytest.raises(InvalidValueError):
                parse_date(bad, explicit, not_after=TODAY)


@relaxed
@given(st.text(max_size=30))
def test_parse_date_never_raises_anything_but_a_rejection_on_text(raw):
    try:
        assert isinstance(parse_date(raw), dt.date)
    except InvalidValueError:
        pass


@relaxed
@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_parse_date_never_raises_anything_but_a_rejection_on_numbers(raw):
    try:
        parse_date(raw)
    except InvalidValueError:
        pass


@relaxed
@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%Y/%-m/%-d", "%Y%m%d", "%Y年%-m月%-d日", "%Y.%m.%d"]))
def test_any_date_written_any_built_in_way_reads_back(day, fmt):
    assert parse_date(day.strftime(fmt)) == day
    assert parse_date(day) == day


# --- phones ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, clean", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    (13812345678, "13812345678"),
    (13812345678.0, "13812345678"),
    ("13812345678.0", "13812345678"),
    ("19912345678", "19912345678"),
    ("021-56781234", "021-56781234"),
    ("02156781234", "021-56781234"),
    ("(021)56781234", "021-56781234"),
    ("（021）5678 1234", "021-56781234"),
    ("56781234", "021-56781234"),
    ("5678-1234", "021-56781234"),
    ("+86 21 5678 1234", "021-56781234"),
    ("862156781234", "021-56781234"),
    ("+86 (0)21 5678 1234", "021-56781234"),
    ("021-56781234转801", "021-56781234"),
    ("021-56781234 ext. 801", "021-56781234"),
])
def test_phone_numbers_are_normalised(raw, clean):
    assert normalize_phone(raw) == clean


@pytest.mark.parametrize("raw, words", [
    ("1381234567", "10 digits"),
    ("138123456789", "12 digits"),
    ("12812345678", "starts with 12"),
    ("00000000000", "placeholder"),
    ("11111111", "placeholder"),
    ("010-56781234", "outside Shanghai"),
    ("0512-5678123", "outside Shanghai"),
    ("1567812", "7 digits"),
    ("06781234", "outside Shanghai"),
    ("16781234", "do not start with 1"),
    ("+1 415 555 0100", "foreign"),
    ("13812345678/13912345678", "more than one"),
    ("138abc45678", "other than digits"),
    ("1.38e10", "other than digits"),
    (True, "true/false"),
])
def test_bad_phone_numbers_are_rejected(raw, words):
    assert words in reason_of(normalize_phone, raw)


def test_every_kind_of_generated_bad_phone_is_rejected():
    phones = pytest.importorskip("ingest.synthetic.phones")
    for phone in ("13812345678", "021-56781234"):
        for pick in (0.1, 0.3, 0.5, 0.7, 0.9):
            with pytest.raises(InvalidValueError):
                normalize_phone(phones.bad_phone(phone, pick))


@relaxed
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86 ", "0086", "86"]),
       st.sampled_from(["", " ", "-"]))
def test_any_mobile_survives_formatting(mobile, prefix, sep):
    text = prefix + sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert normalize_phone(text) == mobile
    assert normalize_phone(normalize_phone(text)) == mobile


@relaxed
@given(st.text(max_size=25))
def test_phone_normalisation_only_ever_rejects(raw):
    try:
        normalize_phone(raw)
    except InvalidValueError:
        pass


# --- names ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, clean", [
    ("王秀英", "王秀英"),
    (" 王秀英 ", "王秀英"),
    ("王 秀英", "王秀英"),
    ("王\u3000秀 英", "王秀英"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽 · 买买提", "阿依古丽·买买提"),
    ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
    ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
    ("阿依古丽.买买提", "阿依古丽·买买提"),
    ("阿依古丽．买买提", "阿依古丽·买买提"),
    ("·买买提", "买买提"),
    ("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),
    ("John  Smith ", "John Smith"),
    ("欧阳 娜娜", "欧阳娜娜"),
])
def test_names_are_normalised(raw, clean):
    assert normalize_name(raw) == clean


@pytest.mark.parametrize("raw, words", [
    ("···", "no letters"),
    ("--", None),  # a placeholder, so missing
    ("王秀英2", "digits"),
    ("王?英", "encoding"),
    ("王\ufffd英", "encoding"),
    (123, "must be text"),
])
def test_bad_names_are_rejected(raw, words):
    reason = reason_of(normalize_name, raw)
    assert words is None or words in reason


@pytest.mark.parametrize("raw", [None, "", "  ", "无"])
def test_missing_names_raise_missing(raw):
    with pytest.raises(MissingValueError, match="missing name"):
        normalize_name(raw)


@relaxed
@given(st.text(alphabet="王秀英阿依古丽买 ·・　", min_size=1, max_size=12))
def test_name_normalisation_is_idempotent(raw):
    try:
        once = normalize_name(raw)
    except InvalidValueError:
        return
    assert normalize_name(once) == once
    assert " " not in once and "・" not in once


# --- sex, yes/no, code lists --------------------------------------------------------

@pytest.mark.parametrize("raw, sex", [("男", "M"), ("女", "F"), ("M", "M"), ("f", "F"), (" Male ", "M"),
                                      ("female", "F"), ("男性", "M"), ("女性", "F"), (1, "M"), (2, "F"),
                                      ("1", "M"), ("2", "F"), ("Ｆ", "F")])
def test_sex_is_normalised(raw, sex):
    assert normalize_sex(raw) == sex


def test_unknown_sex_is_rejected():
    assert "not stated" in reason_of(normalize_sex, "9")
    assert "not stated" in reason_of(normalize_sex, 0)
    assert "not a sex" in reason_of(normalize_sex, "X")
    with pytest.raises(MissingValueError):
        normalize_sex("")


@pytest.mark.parametrize("raw, value", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("Y", True), ("n", False),
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
    (1, True), (0, False), (1.0, True), (True, True), (False, False), ("√", True), ("×", False),
    (" 是 ", True), ("Ｙ", True),
])
def test_booleans_are_normalised(raw, value):
    assert normalize_bool(raw) is value


def test_bad_booleans_are_rejected():
    assert "not a yes/no value" in reason_of(normalize_bool, "maybe")
    assert "expected 1 or 0" in reason_of(normalize_bool, 2)
    with pytest.raises(MissingValueError):
        normalize_bool("")
    with pytest.raises(MissingValueError):
        normalize_bool(None)


PARTY = {"中共党员": "CPC", "党员": "CPC", "群众": "masses", "共青团员": "CYL"}


@pytest.mark.parametrize("raw, value", [("党员", "CPC"), (" 中共党员 ", "CPC"), ("群众", "masses"),
                                        ("cpc", "CPC"), ("ＣＹＬ", "CYL")])
def test_enum_values_are_normalised(raw, value):
    assert normalize_enum(raw, PARTY) == value


def test_unknown_enum_values_are_rejected_with_the_choices():
    reason = reason_of(normalize_enum, "民主党派", PARTY, what="political status")
    assert reason == "political status '民主党派' is not one of: CPC, masses, CYL"
    with pytest.raises(MissingValueError, match="missing political status"):
        normalize_enum("", PARTY, what="political status")
