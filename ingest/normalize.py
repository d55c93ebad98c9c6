"""Pure normalisers for single cells of the subsystems' exports: ID numbers, dates, phones, names, flags.

Every normaliser takes one raw cell and either returns the clean value or raises
:class:`InvalidValueError`, whose ``reason`` is written for the person who reads the
quarantine file (the pipeline adds file, row and field). An empty cell or a stand-in for
"no value" ("无", "NULL", "-", NaN …, see :func:`is_missing`) raises the subclass
:class:`MissingValueError`, so a caller can treat optional fields as ``None`` with one
``except`` clause and still quarantine bad values.

Nothing here reads files, the clock (except where a ``today`` default says so) or the
database; the functions run on ~300,000 rows per ingest, so the patterns are compiled
once at import and the common clean case returns early.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import mul

from graph.errors import MinqingError

__all__ = [
    "InvalidValueError", "MissingValueError", "is_missing", "to_halfwidth",
    "normalize_id_number", "id_birth_date", "id_sex", "id_check_digit",
    "parse_date", "normalize_phone", "normalize_name", "normalize_sex",
    "normalize_bool", "normalize_enum",
]


class InvalidValueError(MinqingError, ValueError):
    """A cell's value was rejected; ``reason`` says why, in words for the quarantine file.

    Also a ``ValueError``, so generic code that already catches that keeps working.
    """

    def __init__(self, reason: str, value: object = None):
        super().__init__(reason)
        self.reason = reason
        self.value = value


class MissingValueError(InvalidValueError):
    """The cell was empty or held a placeholder for "no value" (see :func:`is_missing`)."""


# --- shared character handling ------------------------------------------------------

# Full-width ASCII (U+FF01–FF5E) is what Chinese IMEs type in "full-width mode"; the
# ideographic space U+3000 comes with it. A translate table is ~10x faster than NFKC
# and changes nothing else.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_HALFWIDTH[0x00A0] = 0x20  # no-break space, common in Excel exports

_NEEDS_HALFWIDTH = re.compile("[\uff01-\uff5e\u3000\u00a0]")
_MISSING_TEXT = frozenset({
    "", "null", "none", "nil", "nan", "nat", "n/a", "na", "#n/a", "-", "--", "---", "—", "——",
    "/", "\\", "?", "无", "空", "暂无", "不详", "未知", "(空)", "（空）",
})


def to_halfwidth(text: str) -> str:
    """Replace full-width ASCII letters, digits, punctuation and spaces by ordinary ones.

    >>> to_halfwidth("３１０１０６ＡＢ　ｘ")
    '310106AB x'
    """
    # Most cells have nothing to fold; a regex search is much cheaper than translate.
    return text.translate(_HALFWIDTH) if _NEEDS_HALFWIDTH.search(text) else text


def is_missing(raw: object) -> bool:
    """Return True if ``raw`` means "no value": None, NaN/NaT/pd.NA, blank or a placeholder.

    Placeholders are compared after trimming, full-width folding and case folding:
    "", "NULL", "None", "nan", "N/A", "#N/A", "-", "—", "/", "?", "无", "空", "暂无",
    "不详", "未知". Note that "无" also means "no" in yes/no columns:
    :func:`normalize_bool` reads it as False, so call that one directly on such columns.

    >>> [is_missing(v) for v in (None, float("nan"), " ", "NULL", "无", "0", 0)]
    [True, True, True, True, True, False, False]
    """
    if raw is None:
        return True
    if isinstance(raw, str):
        if raw in _MISSING_TEXT:  # fast path for the usual "" and "无"
            return True
        text = raw.strip()
        # Every placeholder is short; real values are not worth folding.
        return len(text) <= 6 and to_halfwidth(text).strip().casefold() in _MISSING_TEXT
    if isinstance(raw, float):
        return raw != raw
    if isinstance(raw, (int, dt.date)) and not isinstance(raw, dt.datetime):
        return False
    try:
        # NaN-like values (numpy.nan, pandas.NaT) are the ones not equal to themselves.
        return bool(raw != raw)
    except (TypeError, ValueError):
        # pandas.NA refuses to be a bool; arrays are not one cell.
        return type(raw).__name__ == "NAType"


def _missing(what: str, raw: object) -> MissingValueError:
    """Return the error for an empty cell, naming the field kind."""
    return MissingValueError(f"missing {what}", raw)


_FLOAT_TEXT = re.compile(r"\s*[0-9]+\.0+\s*")


def _as_text(raw: object, what: str) -> str:
    """Return ``raw`` as text, accepting whole numbers (Excel stores digits as numbers)."""
    if isinstance(raw, str):
        # "13812345678.0": a number column read as float and written back as text.
        if raw.endswith("0") and _FLOAT_TEXT.fullmatch(raw):
            return raw.strip().split(".")[0]
        return raw
    if isinstance(raw, bool):
        raise InvalidValueError(f"{what} is a true/false value, not text", raw)
    if isinstance(raw, int) or hasattr(raw, "__index__"):  # numpy integers too
        return str(int(raw))
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 2**53:
            return str(int(raw))
        raise InvalidValueError(
            f"{what} was stored as a number and lost digits; export the column as text", raw)
    raise InvalidValueError(f"{what} is a {type(raw).__name__}, not text", raw)


# --- resident ID numbers (GB 11643-1999) -------------------------------------------

# ISO 7064 MOD 11-2: weight of position i is 2**(17-i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_TABLE = dict(_HALFWIDTH)
_ID_TABLE.update({ord(c): None for c in " \t\r\n\u3000\u00a0\u200b\ufeff-‐‑–—－'\"‘’"})
_ID_TABLE.update({ord("x"): "X", ord("ｘ"): "X", ord("Ｘ"): "X"})
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_EARLIEST_BIRTH_YEAR = 1880


def id_check_digit(body17: str) -> str:
    """Return the MOD 11-2 check character for the first 17 digits of an ID number.

    >>> id_check_digit("11010519491231002")
    'X'
    """
    # ASCII codes are digit + 48 and the weights add up to 100, hence the 4800; this is
    # three times faster than int() per character.
    return _ID_CHECK_CHARS[(sum(map(mul, body17.encode("ascii"), _ID_WEIGHTS)) - 4800) % 11]


@lru_cache(maxsize=1 << 16)
def _yyyymmdd(text: str) -> dt.date | None:
    """Return the date of 8 digits YYYYMMDD, or None if that day does not exist."""
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _id_birth(digits: str, start: int, raw: object, today: dt.date | None) -> dt.date:
    """Check the 8-digit birth date at ``start`` of a cleaned ID and return it."""
    # Cached: 300,000 residents share some 36,000 birthdays.
    born = _yyyymmdd(digits[start:start + 8])
    if born is None:
        shown = f"{digits[start:start + 4]}-{digits[start + 4:start + 6]}-{digits[start + 6:start + 8]}"
        raise InvalidValueError(f"birth date in the ID number is not a real date: {shown}", raw)
    year = born.year
    if year < _EARLIEST_BIRTH_YEAR:
        raise InvalidValueError(f"birth year {year} in the ID number is implausible", raw)
    if born > (today or dt.date.today()):
        raise InvalidValueError(f"birth date in the ID number is in the future: {born}", raw)
    return born


def normalize_id_number(raw: object, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character resident ID number for a raw cell.

    Spaces, hyphens and quotes are removed, full-width characters folded, a lower-case
    ``x`` check digit upper-cased; a legacy 15-digit number gets the century "19" and a
    computed check digit.

    Args:
        raw: the cell (text, or a whole number when a spreadsheet stored it as one).
        today: births after this day are rejected; defaults to the real today.

    Returns:
        17 ASCII digits followed by a digit or ``X``.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: wrong length or characters, "check digit mismatch", or a birth
            date that does not exist or lies in the future.

    >>> normalize_id_number("１１０１０５ 1949 1231 002x")
    '11010519491231002X'
    >>> normalize_id_number("110105491231002")
    '11010519491231002X'
    """
    if is_missing(raw):
        raise _missing("ID number", raw)
    text = _as_text(raw, "ID number")
    # Most cells are already clean; translate only the others.
    digits = text if len(text) == 18 and _ID18.fullmatch(text) else text.translate(_ID_TABLE)
    if len(digits) == 18 and _ID18.fullmatch(digits):
        expected = id_check_digit(digits[:17])
        if digits[17] != expected:
            raise InvalidValueError(
                f"check digit mismatch: ends in {digits[17]}, digits give {expected}", raw)
        _id_birth(digits, 6, raw, today)
        return digits
    if len(digits) == 15 and _ID15.fullmatch(digits):
        # Pre-1999 numbers: 6-digit region, YYMMDD, 3-digit sequence. The standard's
        # conversion inserts "19": holders born before 1900 are no longer in any register.
        body = digits[:6] + "19" + digits[6:]
        _id_birth(body, 6, raw, today)
        return body + id_check_digit(body)
    bad = sorted({c for c in digits if not ("0" <= c <= "9")} - {"X"})
    if bad:
        shown = "".join(bad[:5])
        raise InvalidValueError(f"ID number contains characters other than digits: {shown!r}", raw)
    if len(digits) in (15, 18):
        raise InvalidValueError("ID number has an X before the last position", raw)
    raise InvalidValueError(
        f"ID number has {len(digits)} characters; expected 18 (or 15 for a pre-1999 number)", raw)


def _clean_id18(id_number: object) -> str:
    """Return the canonical 18-character form, skipping the work when it is already clean."""
    if isinstance(id_number, str) and len(id_number) == 18 and _ID18.fullmatch(id_number) \
            and id_check_digit(id_number[:17]) == id_number[17]:
        return id_number
    return normalize_id_number(id_number, today=dt.date.max)


def id_birth_date(id_number: object) -> dt.date:
    """Return the birth date written in an ID number (any form normalize_id_number takes).

    >>> id_birth_date("11010519491231002X")
    datetime.date(1949, 12, 31)
    """
    digits = _clean_id18(id_number)
    return _id_birth(digits, 6, id_number, dt.date.max)


def id_sex(id_number: object) -> str:
    """Return "M" or "F" from the 17th digit of an ID number (odd for men, even for women).

    >>> id_sex("11010519491231002X"), id_sex("310106195003121238")
    ('F', 'M')
    """
    return "M" if int(_clean_id18(id_number)[16]) % 2 else "F"


# --- dates --------------------------------------------------------------------------

MIN_YEAR = 1900
MAX_YEAR = 2100
_TIME = r"(?:\s*(?:T|\s)\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_DATE_YMD = re.compile(
    r"([0-9]{4})\s*([-/.年])\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?" + _TIME)
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})" + _TIME)
_DATE_YM = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def _from_excel_serial(serial: int, raw: object) -> dt.date:
    """Return the date of an Excel day number (1900 date system)."""
    if serial == 60:
        # Excel copies Lotus 1-2-3 in counting a 29 February 1900 that never was.
        raise InvalidValueError("Excel day number 60 is 1900-02-29, a day that does not exist", raw)
    if serial < 60:
        return _EXCEL_EPOCH + dt.timedelta(days=serial + 1)
    return _EXCEL_EPOCH + dt.timedelta(days=serial)


def _ymd(year: int, month: int, day: int, raw: object) -> dt.date:
    """Return the date or reject it as one that does not exist."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidValueError(
            f"not a real date: {year:04d}-{month:02d}-{day:02d}", raw) from None


def _number_to_date(raw: int | float) -> dt.date:
    """Read a spreadsheet number as YYYYMMDD or an Excel day number."""
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise InvalidValueError(f"{raw} is not a date", raw)
        if not raw.is_integer() and raw > 10_000_000:
            raise InvalidValueError(f"{raw} is not a date", raw)
        number = int(raw)  # the fraction of an Excel day number is the time of day
    else:
        number = raw
    if 10_000_101 <= number <= 99_991_231:
        return _ymd(number // 10_000, number // 100 % 100, number % 100, raw)
    if 1 <= number <= _EXCEL_MAX_SERIAL:
        return _from_excel_serial(number, raw)
    raise InvalidValueError(f"the number {raw} is neither YYYYMMDD nor an Excel date", raw)


def _text_to_date(text: str, raw: object, formats: Iterable[str] | None) -> dt.date:
    """Read a date written as text, by the caller's formats or the built-in forms."""
    text = to_halfwidth(text).strip()
    if formats is not None:
        formats = (formats,) if isinstance(formats, str) else tuple(formats)
        for fmt in formats:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError as e:
                # strptime says "day is out of range for month" for 2023-02-30 and
                # "does not match" / "unconverted data remains" for another shape.
                if "out of range" in str(e):
                    raise InvalidValueError(f"not a real date: {text!r}", raw) from None
        raise InvalidValueError(
            f"{text[:40]!r} does not match the date format {' or '.join(formats)}", raw)
    m = _DATE_YMD.fullmatch(text)
    if m:
        if m.group(2) == "年" and "月" not in text:
            raise InvalidValueError(f"not a recognised date: {text!r}", raw)
        return _ymd(int(m.group(1)), int(m.group(3)), int(m.group(4)), raw)
    m = _DATE_COMPACT.fullmatch(text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    if _DATE_YM.fullmatch(text):
        raise InvalidValueError(
            f"only a year and month: {text!r}; pass formats=['%Y.%m'] to read it as the 1st", raw)
    raise InvalidValueError(f"not a recognised date: {text[:40]!r}", raw)


def parse_date(raw: object, formats: Iterable[str] | None = None, *,
               not_before: dt.date | None = None, not_after: dt.date | None = None) -> dt.date:
    """Return the calendar date in a raw cell.

    Accepted without ``formats``: ``date``/``datetime`` objects (pandas Timestamps too),
    Excel day numbers, whole numbers and text as YYYYMMDD, and text like 2023-02-01,
    2023/2/1, 2023.02.01, 2023年2月1日, each optionally followed by a time of day, which
    is dropped.

    Args:
        raw: the cell.
        formats: ``strptime`` formats tried, in order, instead of the built-in text forms
            (objects and numbers are read as above either way).
        not_before: earliest allowed date.
        not_after: latest allowed date, e.g. the export's snapshot day for births.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: not a date, a day that does not exist (2023-02-30), a year
            outside MIN_YEAR–MAX_YEAR, or a date outside the bounds.

    >>> parse_date("2023年2月1日"), parse_date(45000)
    (datetime.date(2023, 2, 1), datetime.date(2023, 3, 15))
    """
    if is_missing(raw):
        raise _missing("date", raw)
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, str):
        value = _text_to_date(raw, raw, formats)
    elif isinstance(raw, bool):
        raise InvalidValueError("a true/false value is not a date", raw)
    elif isinstance(raw, (int, float)):
        value = _number_to_date(raw)
    elif type(raw).__name__ == "datetime64":
        value = _text_to_date(str(raw)[:10], raw, None)
    elif hasattr(raw, "__index__"):  # numpy integers
        value = _number_to_date(int(raw))
    elif hasattr(raw, "__float__") and type(raw).__module__ == "numpy":
        value = _number_to_date(float(raw))
    else:
        raise InvalidValueError(f"a {type(raw).__name__} is not a date", raw)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidValueError(f"year {value.year} is outside {MIN_YEAR}–{MAX_YEAR}", raw)
    if not_before is not None and value < not_before:
        raise InvalidValueError(f"{value} is before the earliest allowed date {not_before}", raw)
    if not_after is not None and value > not_after:
        raise InvalidValueError(f"{value} is after the latest allowed date {not_after}", raw)
    return value


# --- phone numbers --------------------------------------------------------------------

_PHONE_TABLE = dict(_HALFWIDTH)
_PHONE_TABLE.update({ord(c): None for c in " \t\r\n\u3000\u00a0\u200b\ufeff-‐‑–—－().（）'\"‘’"})
_PHONE_SEVERAL = re.compile(r"[/,;，；、|]|[0-9]\s*或\s*[0-9]")
_PHONE_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*[0-9]{1,5}\s*$", re.IGNORECASE)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DIGITS = re.compile(r"[0-9]+")
_SHANGHAI_LOCAL = re.compile(r"[2-9][0-9]{7}")


def normalize_phone(raw: object) -> str:
    """Return a Chinese mobile as 11 digits or a Shanghai landline as "021-xxxxxxxx".

    Removes spaces, dashes, brackets, a +86/0086 country code and a trailing extension
    (转801, ext. 801), which does not help reach or match a person.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: several numbers in one cell, a placeholder such as 00000000000,
            an impossible mobile prefix, a landline outside Shanghai, or a wrong length.

    >>> normalize_phone("+86 138-1234-5678"), normalize_phone("(021)5678 1234")
    ('13812345678', '021-56781234')
    >>> normalize_phone("56781234")
    '021-56781234'
    """
    if is_missing(raw):
        raise _missing("phone number", raw)
    text = to_halfwidth(_as_text(raw, "phone number")).strip()
    if _PHONE_SEVERAL.search(text):
        raise InvalidValueError("holds more than one phone number", raw)
    text = _PHONE_EXTENSION.sub("", text)
    digits = text.translate(_PHONE_TABLE)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            raise InvalidValueError("a foreign phone number (country code is not +86)", raw)
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) in (12, 13):  # 86 + 21xxxxxxxx or a mobile
        digits = digits[2:]
    if not _DIGITS.fullmatch(digits):
        raise InvalidValueError("phone number contains characters other than digits", raw)
    if len(set(digits)) == 1:
        raise InvalidValueError(f"placeholder phone number {digits}", raw)
    if len(digits) == 11 and digits[0] == "1":
        if _MOBILE.fullmatch(digits):
            return digits
        raise InvalidValueError(f"no Chinese mobile number starts with {digits[:2]}", raw)
    if len(digits) == 10 and digits.startswith("21"):
        digits = "0" + digits  # country code dropped the trunk 0: +86 21 …
    if digits.startswith("021"):
        local = digits[3:]
    elif digits.startswith("0"):
        raise InvalidValueError("landline outside Shanghai (area code is not 021)", raw)
    else:
        local = digits
    if _SHANGHAI_LOCAL.fullmatch(local):
        return "021-" + local
    if len(local) == 8:
        raise InvalidValueError(f"Shanghai landlines do not start with {local[0]}", raw)
    raise InvalidValueError(
        f"phone number has {len(digits)} digits; expected an 11-digit mobile "
        "or an 8-digit Shanghai landline", raw)


# --- names ----------------------------------------------------------------------------

_PLAIN_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Separators of ethnic-minority and transliterated names, as various IMEs type them.
_NAME_DOTS = re.compile(r"\s*[·・•‧∙⋅･.．。﹒]\s*")
_SPACES = re.compile(r"\s+")
_NAME_EDGE = " ·.,;:'\"，、。；：-_*"


def normalize_name(raw: object) -> str:
    """Return a person's name trimmed, with one form of spaces and separators.

    Full-width letters become ordinary ones (NFKC); Chinese names lose inner spaces; the
    middle dot of ethnic-minority and transliterated names ("阿依古丽·买买提") is kept, in
    the one form U+00B7, whichever dot was typed; other names keep single spaces.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: no letters, digits inside, or a character lost to a wrong
            encoding (U+FFFD, "?").

    >>> normalize_name(" 王 秀英 "), normalize_name("阿依古丽 • 买买提")
    ('王秀英', '阿依古丽·买买提')
    """
    if is_missing(raw):
        raise _missing("name", raw)
    if not isinstance(raw, str):
        raise InvalidValueError(f"a name must be text, not a {type(raw).__name__}", raw)
    if _PLAIN_CJK_NAME.fullmatch(raw):
        return raw
    text = unicodedata.normalize("NFKC", raw)
    if "\ufffd" in text or "?" in text:
        raise InvalidValueError("name has characters lost to a wrong text encoding", raw)
    if _CJK.search(text):
        text = _NAME_DOTS.sub("·", text)
        text = _SPACES.sub("", text)
    else:
        text = _SPACES.sub(" ", text)
    text = text.strip(_NAME_EDGE)
    if not any(c.isalpha() for c in text):
        raise InvalidValueError("name has no letters", raw)
    if any(c.isdigit() for c in text):
        raise InvalidValueError("name contains digits", raw)
    return text


# --- small code lists ---------------------------------------------------------------

def _fold(text: str) -> str:
    """Return text in the form code-list lookups compare: half-width, trimmed, case-folded."""
    return _SPACES.sub(" ", to_halfwidth(text).strip()).casefold()


# GB/T 2261.1: 1 male, 2 female, 0 unknown, 9 not stated.
_SEX = {"m": "M", "male": "M", "男": "M", "男性": "M", "1": "M",
        "f": "F", "female": "F", "女": "F", "女性": "F", "2": "F"}
_SEX_UNKNOWN = frozenset({"0", "9", "未说明", "未知的性别", "未知性别"})


def normalize_sex(raw: object) -> str:
    """Return "M" or "F" for 男/女, M/F, male/female or the GB/T 2261.1 codes 1/2.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: sex not stated (codes 0 and 9) or not recognised.

    >>> normalize_sex("女"), normalize_sex(1), normalize_sex(" Male ")
    ('F', 'M', 'M')
    """
    if is_missing(raw):
        raise _missing("sex", raw)
    if isinstance(raw, str) and raw in _SEX:  # fast path: exact "男"/"女"/"M"…; ints 1/2 fold below
        return _SEX[raw]
    key = _fold(_as_text(raw, "sex"))
    if key in _SEX:
        return _SEX[key]
    if key in _SEX_UNKNOWN:
        raise InvalidValueError(f"sex not stated (code {key})", raw)
    raise InvalidValueError(f"not a sex: {key[:20]!r}; expected 男/女, M/F or 1/2", raw)


_TRUE = frozenset({"是", "有", "对", "y", "yes", "t", "true", "1", "√", "✓", "✔"})
_FALSE = frozenset({"否", "无", "没有", "不是", "n", "no", "f", "false", "0", "×", "✗", "✘"})


def normalize_bool(raw: object) -> bool:
    """Return True or False for 是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×.

    "无" is False here, not missing: in a yes/no column it answers the question.

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: anything else.

    >>> normalize_bool("是"), normalize_bool("无"), normalize_bool(0), normalize_bool("TRUE")
    (True, False, False, True)
    """
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        key = raw if raw in _TRUE or raw in _FALSE else _fold(raw)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        if is_missing(raw):
            raise _missing("yes/no value", raw)
        raise InvalidValueError(f"not a yes/no value: {key[:20]!r}", raw)
    if is_missing(raw):
        raise _missing("yes/no value", raw)
    if isinstance(raw, (int, float)) or hasattr(raw, "__index__"):
        if raw == 1:
            return True
        if raw == 0:
            return False
        raise InvalidValueError(f"not a yes/no value: {raw}; expected 1 or 0", raw)
    raise InvalidValueError(f"a {type(raw).__name__} is not a yes/no value", raw)


def normalize_enum(raw: object, mapping: Mapping[str, str], *, what: str = "value") -> str:
    """Return the canonical value that ``raw`` names in a code list.

    ``mapping`` maps each accepted spelling to its canonical value; the canonical values
    themselves are accepted too. Lookups ignore case, surrounding spaces and full-width
    forms.

    Args:
        raw: the cell.
        mapping: spelling → canonical value, e.g. ``{"群众": "masses", "党员": "member"}``.
        what: the field kind, used in reasons ("missing marital status").

    Raises:
        MissingValueError: the cell is empty.
        InvalidValueError: the value is not in the list; the reason lists the choices.

    >>> normalize_enum(" ＣＰＣ ", {"中共党员": "CPC", "群众": "masses"})
    'CPC'
    """
    if isinstance(raw, str) and raw in mapping:
        return mapping[raw]
    if is_missing(raw):
        raise _missing(what, raw)
    key = _fold(_as_text(raw, what))
    for spelling, canonical in mapping.items():
        if key == _fold(spelling) or key == _fold(canonical):
            return canonical
    choices = ", ".join(dict.fromkeys(mapping.values()))
    raise InvalidValueError(f"{what} {key[:30]!r} is not one of: {choices}", raw)
