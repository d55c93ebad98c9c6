"""Venue opening hours as the venue register writes them, and whether a window fits in them.

Format (docs/DATA.md, venues): ``<days> HH:MM-HH:MM`` groups separated by ``; ``, where days
are a range ``Mon-Fri``, a single day ``Sat``, or a list ``Mon, Wed, Fri``. Blank means
closed (vacant premises).
"""

from __future__ import annotations

import datetime as dt
import re

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_GROUP = re.compile(r"^(?P<days>[A-Za-z, -]+?)\s+(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$")


class OpeningHoursError(ValueError):
    """Opening hours that do not follow the register's format; the message quotes them."""


def parse(text: str | None) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """Return the open intervals per weekday (0 = Monday).

    >>> parse("Mon-Fri 09:00-17:00; Sat 09:00-12:00")[5]
    [(datetime.time(9, 0), datetime.time(12, 0))]
    >>> parse("")
    {}
    """
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for group in filter(None, (g.strip() for g in (text or "").split(";"))):
        match = _GROUP.match(group)
        if not match:
            raise OpeningHoursError(f"cannot read opening hours {group!r} (want e.g. "
                                    f"'Mon-Fri 09:00-17:00')")
        opens, closes = (_time(match[k], group) for k in ("open", "close"))
        for day in _days(match["days"], group):
            hours.setdefault(day, []).append((opens, closes))
    return hours


def _time(text: str, group: str) -> dt.time:
    hour, minute = (int(x) for x in text.split(":"))
    if hour == 24 and minute == 0:
        return dt.time.max
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise OpeningHoursError(f"impossible time {text!r} in {group!r}")
    return dt.time(hour, minute)


def _days(text: str, group: str) -> list[int]:
    days: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        ends = [e.strip()[:3].title() for e in part.split("-")]
        if any(e not in DAYS for e in ends) or len(ends) > 2:
            raise OpeningHoursError(f"unknown day in {group!r}")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days += list(range(first, last + 1)) if first <= last else \
            list(range(first, 7)) + list(range(0, last + 1))
    return days


def is_open(text: str | None, start: dt.datetime, end: dt.datetime) -> bool:
    """True when the venue is open for the whole window (a window within one day).

    >>> sat = dt.datetime(2025, 7, 5, 13)
    >>> is_open("Mon-Sun 08:00-20:00", sat, sat.replace(hour=17))
    True
    >>> is_open("Mon-Fri 09:00-17:00; Sat 09:00-12:00", sat, sat.replace(hour=17))
    False
    """
    if end.date() != start.date() and end.time() != dt.time(0, 0):
        return False  # several days: the register cannot say a room is free overnight
    intervals = parse(text).get(start.weekday(), [])
    close_at = end.time() if end.date() == start.date() else dt.time.max
    return any(opens <= start.time() and close_at <= closes for opens, closes in intervals)
