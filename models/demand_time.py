"""Time windows in a demand: "周六下午", "下周三上午", "this Saturday afternoon", "July 5".

A day phrase (今天, 本周六, next Wednesday, 7月5日, next week …) and a part of the day
(上午 08:00–12:00, 下午 13:00–17:00, 晚上 18:00–21:00: the volunteer register's slots) combine
into one :class:`Window`. Small rules cover the phrase classes dateparser 1.5 misses in Chinese
(本周六, 下周三上午, 周六下午, 7月5日, 三天后, 今晚 — measured by bench/demand_parse.py, see
docs/SEARCH.md). English month-name dates ("5th of July", "Jul. 5, 2025") are a rule too:
dateparser read them, but at ~15 ms a phrase and ~1 s to load, for twelve month names.

Conventions: a bare weekday ("Saturday", "周六") is the next one on or after today;
"next Saturday" / "下周六" is the Saturday of next (Monday-based) week; "this Saturday" /
"本周六" the Saturday of this week, even if it has passed (the parser then warns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# Part of day → (start, end). 上午/下午/晚上 are the volunteer register's availability slots.
PARTS_OF_DAY: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "noon": (time(11), time(13)),
    "afternoon": (time(13), time(17)),
    "evening": (time(18), time(21)),
}
_PART_WORDS = {
    "上午": "morning", "早上": "morning", "早晨": "morning", "清晨": "morning", "中午": "noon",
    "下午": "afternoon", "午后": "afternoon", "晚上": "evening", "晚间": "evening",
    "傍晚": "evening", "夜里": "evening", "morning": "morning", "noon": "noon",
    "midday": "noon", "lunchtime": "noon", "afternoon": "afternoon", "evening": "evening",
    "night": "evening",
}
# Register slot names per part of day, for matching volunteers' availability.
SLOT_NAMES = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}
WEEKDAY_ZH = "一二三四五六日"

_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 7}
_EN_WEEKDAY = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_EN_WEEKDAY.update({name[:3]: i for name, i in list(_EN_WEEKDAY.items())})
_EN_WEEKDAY.update({"tues": 1, "thur": 3, "thurs": 3, "weekend": 7})
_ZH_NUM = "[0-9零〇一二两三四五六七八九十]"


@dataclass(frozen=True)
class DayMatch:
    """One day phrase: its span, first day and number of days (a week is 7)."""

    start: int
    end: int
    first: date
    days: int = 1
    part: str | None = None  # a part of day the phrase itself carries ("今晚", "tonight")


@dataclass(frozen=True)
class PartMatch:
    """One part-of-day phrase or clock time: its span and times."""

    start: int
    end: int
    begins: time
    ends: time
    name: str  # morning / afternoon / evening / noon / clock


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekday(today: date, weekday: int, which: str) -> tuple[date, int]:
    """Return (first day, number of days) of a weekday (7 = weekend) in this/next/coming week."""
    days = 2 if weekday == 7 else 1
    target = 5 if weekday == 7 else weekday
    if which == "next":
        return _monday(today) + timedelta(days=7 + target), days
    if which == "this":
        return _monday(today) + timedelta(days=target), days
    ahead = (target - today.weekday()) % 7
    if weekday == 7 and today.weekday() == 6:
        return today, 1  # on a Sunday, "the weekend" is what is left of it
    return today + timedelta(days=ahead), days


def _which_zh(prefix: str) -> str:
    if prefix.startswith("下"):
        return "next"
    return "this" if prefix in ("本", "这", "这个", "本个") else "coming"


def _which_en(prefix: str) -> str:
    prefix = prefix.strip().lower()
    if prefix == "next":
        return "next"
    return "this" if prefix == "this" else "coming"


def _zh_int(text: str) -> int | None:
    """Read a small Arabic or Chinese numeral ("12", "十二", "两"), None if it is not one."""
    if text.isdigit():
        return int(text)
    import cn2an  # light, but only needed for Chinese numerals

    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_DAY_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(大后天|后天|今天|今日|明天|明日|今晚|明晚)", re.A), "zh_relative"),
    (re.compile(r"(下个|下|本个|本|这个|这)?(?:周|星期|礼拜)([一二三四五六日天末])", re.A), "zh_weekday"),
    (re.compile(r"(下个|下|本|这个|这)(?:周|星期|礼拜)(?![一二三四五六日天末])", re.A), "zh_week"),
    (re.compile(r"(?:(\d{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月"
                r"(\d{1,2}|[一二三四五六七八九十]{1,3})[日号]", re.A), "zh_date"),
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", re.A), "iso_date"),
    (re.compile(f"({_ZH_NUM}{{1,3}})(天|周|个?星期)(?:以?后|之后)", re.A), "zh_in_days"),
    (re.compile(r"\b(the day after tomorrow|today|tonight|tomorrow)\b", re.I | re.A), "en_relative"),
    (re.compile(r"\b(?:(this|next|coming)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|"
                r"sunday|mon|tues?|thu(?:rs?)?|fri)s?\b(?:\s+(morning|afternoon|evening|night))?|"
                r"\b(this|next|coming)?\s*(weekend)\b", re.I | re.A), "en_weekday"),
    (re.compile(r"\b(this|next|coming)\s+week\b", re.I | re.A), "en_week"),
    (re.compile(r"\bin\s+(\d{1,3}|a|one|two|three|four|five|six|seven|ten|fourteen)\s+"
                r"(days?|weeks?)\b", re.I | re.A), "en_in_days"),
]
_MONTHS = (r"(?:january|february|march|april|june|july|august|september|october|november|"
           r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|(?-i:May))\b\.?")
_EN_MONTH_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?)", re.I | re.A)
_EN_SMALL = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
             "seven": 7, "ten": 10, "fourteen": 14}


def _day_from_rule(kind: str, m: re.Match, today: date) -> DayMatch | None:
    """Turn one rule match into a DayMatch, or None for an impossible date."""
    s, e = m.span()
    if kind == "zh_relative":
        word = m.group(1)
        offset = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "明晚": 1, "后天": 2,
                  "大后天": 3}[word]
        return DayMatch(s, e, today + timedelta(days=offset),
                        part="evening" if word.endswith("晚") else None)
    if kind == "zh_weekday":
        first, days = _weekday(today, _ZH_WEEKDAY[m.group(2)], _which_zh(m.group(1) or ""))
        return DayMatch(s, e, first, days)
    if kind == "zh_week":
        return _week(s, e, today, _which_zh(m.group(1)))
    if kind == "zh_date":
        month, day = _zh_int(m.group(2)), _zh_int(m.group(3))
        year = int(m.group(1)) if m.group(1) else None
        return _dated(s, e, today, year, month, day)
    if kind == "iso_date":
        return _dated(s, e, today, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind == "zh_in_days":
        n = _zh_int(m.group(1))
        if n is None:
            return None
        return DayMatch(s, e, today + timedelta(days=n * (1 if m.group(2) == "天" else 7)))
    if kind == "en_relative":
        word = m.group(1).lower()
        offset = {"today": 0, "tonight": 0, "tomorrow": 1, "the day after tomorrow": 2}[word]
        return DayMatch(s, e, today + timedelta(days=offset),
                        part="evening" if word == "tonight" else None)
    if kind == "en_weekday":
        if m.group(5):  # weekend
            first, days = _weekday(today, 7, _which_en(m.group(4) or ""))
            return DayMatch(s, e, first, days)
        first, days = _weekday(today, _EN_WEEKDAY[m.group(2).lower()], _which_en(m.group(1) or ""))
        part = _PART_WORDS.get((m.group(3) or "").lower())
        return DayMatch(s, e, first, days, part=part)
    if kind == "en_week":
        return _week(s, e, today, _which_en(m.group(1)))
    if kind == "en_in_days":
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else _EN_SMALL[raw]
        unit = 7 if m.group(2).lower().startswith("week") else 1
        return DayMatch(s, e, today + timedelta(days=n * unit))
    raise AssertionError(kind)


def _week(s: int, e: int, today: date, which: str) -> DayMatch:
    if which == "next":
        return DayMatch(s, e, _monday(today) + timedelta(days=7), 7)
    # "this week" is what is left of it, today included.
    return DayMatch(s, e, today, 7 - today.weekday())


def _dated(s: int, e: int, today: date, year: int | None, month: int | None,
           day: int | None) -> DayMatch | None:
    if month is None or day is None:
        return None
    if year is None:
        # A date without a year is the next one from today.
        found = _safe_date(today.year, month, day)
        if found is not None and found < today:
            found = _safe_date(today.year + 1, month, day)
    else:
        found = _safe_date(year, month, day)
    return None if found is None else DayMatch(s, e, found)


_MONTH_NUMBERS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH_PARTS = re.compile(r"(\d{4})|(\d{1,2})(?:st|nd|rd|th)?|([a-z]{3})[a-z]*", re.I | re.A)


def _english_month_dates(text: str, today: date) -> list[DayMatch]:
    """Read "July 5", "5th of July 2025", "Jul. 5, 2025" (a year-less date is the next one)."""
    found = []
    for m in _EN_MONTH_DATE.finditer(text):
        year = month = day = None
        for part in _MONTH_PARTS.finditer(m.group(0)):
            if part.group(1):
                year = int(part.group(1))
            elif part.group(2):
                day = int(part.group(2))
            elif part.group(3).lower() in _MONTH_NUMBERS and month is None:
                month = _MONTH_NUMBERS[part.group(3).lower()]
        match = _dated(m.start(), m.end(), today, year, month, day)
        if match is not None:
            found.append(match)
    return found


def find_days(text: str, today: date) -> list[DayMatch]:
    """Return every day phrase in ``text``, in text order, overlaps resolved longest-first."""
    found: list[DayMatch] = []
    for pattern, kind in _DAY_RULES:
        for m in pattern.finditer(text):
            match = _day_from_rule(kind, m, today)
            if match is not None:
                found.append(match)
    if _EN_MONTH_DATE.search(text):
        found.extend(_english_month_dates(text, today))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DayMatch] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


_CLOCK = re.compile(
    r"\b([01]?\d|2[0-3])[:：]([0-5]\d)\s*(?:-|–|~|to|至|到)\s*([01]?\d|2[0-3])[:：]([0-5]\d)\b"
    r"|\b(1[0-2]|[1-9])\s*(?:-|–|to)\s*(1[0-2]|[1-9])\s*(am|pm)\b"
    r"|\b(1[0-2]|[1-9])(?::([0-5]\d))?\s*(am|pm)\b"
    r"|(上午|下午|晚上)?(\d{1,2}|[一二三四五六七八九十]{1,3})[点點](半)?"
    r"(?:(?:到|至|-)(\d{1,2}|[一二三四五六七八九十]{1,3})[点點](半)?)?", re.I | re.A)
_PART = re.compile("|".join(sorted(map(re.escape, _PART_WORDS), key=len, reverse=True)), re.I | re.A)


def _hour12(hour: int, marker: str) -> int:
    marker = marker.lower()
    if marker in ("pm", "下午", "晚上") and hour < 12:
        return hour + 12
    if marker == "am" and hour == 12:
        return 0
    return hour


def _clock(m: re.Match) -> PartMatch | None:
    """Turn a clock-time match into a PartMatch (two hours long when only a start is given)."""
    g = m.groups()
    try:
        if g[0] is not None:
            begins, ends = time(int(g[0]), int(g[1])), time(int(g[2]), int(g[3]))
        elif g[4] is not None:
            begins = time(_hour12(int(g[4]), g[6]))
            ends = time(_hour12(int(g[5]), g[6]))
        elif g[7] is not None:
            begins = time(_hour12(int(g[7]), g[9]), int(g[8] or 0))
            ends = None
        else:
            if g[10] is None and not g[11].isdigit():
                return None  # "大一点" is "a bit bigger", not one o'clock
            hour = _zh_int(g[11])
            if hour is None or hour > 23:
                return None
            begins = time(_hour12(hour, g[10] or ""), 30 if g[12] else 0)
            ends = None
            if g[13] is not None:
                end_hour = _zh_int(g[13])
                if end_hour is None or end_hour > 23:
                    return None
                ends = time(_hour12(end_hour, g[10] or ""), 30 if g[14] else 0)
    except ValueError:
        return None
    if ends is None or ends <= begins:
        ends = time(min(begins.hour + 2, 23), begins.minute)
    return PartMatch(m.start(), m.end(), begins, ends, "clock")


def find_parts(text: str) -> list[PartMatch]:
    """Return clock times and parts of the day in ``text``, clock times first."""
    found = [p for p in (_clock(m) for m in _CLOCK.finditer(text)) if p is not None]
    taken = [(p.start, p.end) for p in found]
    for m in _PART.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        if m.group(0).isascii() and not _is_word(text, m.start(), m.end()):
            continue
        name = _PART_WORDS[m.group(0).lower()]
        begins, ends = PARTS_OF_DAY[name]
        found.append(PartMatch(m.start(), m.end(), begins, ends, name))
    return found


def _is_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def combine(day: DayMatch | None, part: PartMatch | None, today: date) -> tuple[datetime, datetime]:
    """Return the window's start and end from a day phrase and a part of the day."""
    first = day.first if day is not None else today
    days = day.days if day is not None else 1
    if part is None and day is not None and day.part is not None:
        begins, ends = PARTS_OF_DAY[day.part]
    elif part is not None:
        begins, ends = part.begins, part.ends
    else:
        return datetime.combine(first, time()), datetime.combine(first + timedelta(days=days), time())
    return (datetime.combine(first, begins),
            datetime.combine(first + timedelta(days=days - 1), ends))
