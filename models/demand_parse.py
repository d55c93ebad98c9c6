"""The demand parser's rules: :func:`parse` fills a :class:`~models.demand.Demand` from text.

Stages run in a fixed order, and each blanks the characters it claims (keeping offsets), so
a later stage cannot read them twice: addresses (lanes, buildings) → dates and times →
volunteer counts → ages → head counts → radius and coordinates → the lexicon (skills,
equipment, venue types, resource words, tags, roads, areas, named points) → leftover words.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from ingest.normalize import to_halfwidth
from models import demand_time, demand_vocab as vocab
from models.demand import (MAX_COUNT, MAX_DEMAND_CHARS, TOPIC_TAGS, Demand, Location,
                           ParseWarning, Span, Window, lexicon_for)
from models.gazetteer import Gazetteer, Place

_ARABIC = r"\d{1,3}(?:,\d{3})+|\d+"
_ZH_NUM = "[零〇一二两三四五六七八九十百千万]+"
_EN_NUM = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in vocab.ENGLISH_NUMBERS),
                          key=len, reverse=True))
_CLAUSE_BREAK = re.compile(r"[,，;；。!！?？\n]|[.](?!\d)|、(?=邀请|通知)")
# An invitation opens the participants' part of a clause; 参加 closes it, so the whole clause.
_INVITE_OPEN = re.compile(r"邀请|通知|动员|招募|(?<![a-z])(?:invite|inviting|notify|reach out to"
                          r"|bring in|target)(?![a-z])", re.I)
_INVITE_CLOSE = re.compile(r"参加|参与|出席|(?<![a-z])(?:attend|attending|join)(?![a-z])", re.I)
_QUERY_LIKE = re.compile(
    r"(?i)\b(?:match\s*\(|merge\s*\(|detach\s+delete|drop\s+(?:table|database|index)|"
    r"delete\s+from|insert\s+into|select\s+.+\s+from|union\s+select|call\s+(?:db|dbms|apoc)\.)"
    r"|;\s*--|'\s*or\s+'?1'?\s*=\s*'?1")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Match:
    """A lexicon match, shaped like the part of re.Match the lexicon stage uses."""

    __slots__ = ("_start", "_end", "_text")

    def __init__(self, start: int, end: int, text: str):
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _index: int = 0) -> str:
        return self._text


class _Text:
    """The demand's text and which characters are already claimed."""

    def __init__(self, text: str):
        self.original = text
        self.chars = list(text)

    @property
    def free(self) -> str:
        return "".join(self.chars)

    def claim(self, start: int, end: int) -> None:
        self.chars[start:end] = " " * (end - start)


def parse(text, *, today: date, gazetteer: Gazetteer) -> Demand:
    """Read ``text`` into a Demand; see models.demand.parse_demand."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    demand = Demand(today=today)
    if len(raw) > MAX_DEMAND_CHARS:
        demand.warnings.append(ParseWarning(
            "too_long", f"The demand is {len(raw):,} characters long; only the first "
                        f"{MAX_DEMAND_CHARS:,} were read. Describe one activity at a time."))
        raw = raw[:MAX_DEMAND_CHARS]
    demand.text = raw
    if not raw.strip():
        demand.warnings.append(ParseWarning(
            "empty", "The demand is empty. Describe what you need, e.g. "
                     "\"a room for 40 people near Fenxi Road on Saturday afternoon\"."))
        return demand
    try:
        _parse(demand, today, gazetteer)
    except Exception as e:  # noqa: BLE001 - the last guard: a demand page must never fail
        # The fuzz tests fail on this warning, so a bug here is still caught in CI.
        demand.warnings.append(ParseWarning(
            "parser_error", f"Part of the demand could not be read ({type(e).__name__}); "
                            "its words are searched as typed."))
        demand.topic_words = _tokens(raw)
        demand.leftover = " ".join(demand.topic_words)
    return demand


def _parse(demand: Demand, today: date, gazetteer: Gazetteer) -> None:
    work = _CONTROL.sub(" ", to_halfwidth(demand.text))  # both keep every offset
    if _QUERY_LIKE.search(work):
        demand.warnings.append(ParseWarning(
            "query_like", "This looks like a database query. Minqing never runs typed text; "
                          "its words are searched as plain words."))
    text = _Text(work)
    roles = _clause_roles(work)
    places: list[tuple[int, str, Location]] = []  # (offset, role, place)
    _addresses(demand, text, gazetteer, roles, places)
    _window(demand, text, today)
    _volunteers(demand, text)
    _ages(demand, text)
    _head_count(demand, text)
    radius = _radius_and_point(demand, text, roles, places)
    topic = _lexicon(demand, text, gazetteer, roles, places)
    _assign_places(demand, places, radius)
    leftover_tokens = _tokens(text.free)
    demand.topic_words = list(dict.fromkeys(topic + leftover_tokens))
    demand.leftover = " ".join(re.sub(r"[^\w\s]+", " ", text.free).split())
    demand.spans.sort(key=lambda s: (s.start, s.end))
    _check(demand, today)


def _clause_roles(work: str) -> list[str]:
    """Return, per character, "main" or "participants" (after an invitation, within a clause)."""
    roles = ["main"] * len(work)
    start = 0
    for end in [m.start() for m in _CLAUSE_BREAK.finditer(work)] + [len(work)]:
        clause = work[start:end]
        opened = _INVITE_OPEN.search(clause)
        if opened:
            roles[start + opened.start():end] = ["participants"] * (end - start - opened.start())
        elif _INVITE_CLOSE.search(clause):
            roles[start:end] = ["participants"] * (end - start)
        start = end + 1
    return roles


def _span(demand: Demand, text: _Text, field: str, start: int, end: int, value,
          claim: bool = True) -> None:
    demand.spans.append(Span(field, start, end, demand.text[start:end], value))
    if claim:
        text.claim(start, end)


def _location(place: Place, phrase: str) -> Location:
    return Location(place.kind, place.name, list(place.ids), place.lat, place.lon, phrase=phrase)


# --- addresses ------------------------------------------------------------------------------

def _road_patterns(gazetteer: Gazetteer) -> tuple[str, str]:
    zh = [s for s in gazetteer.road_spellings if not s.isascii()]
    en = [s for s in gazetteer.road_spellings if s.isascii()]
    zh_alt = "|".join(map(re.escape, sorted(zh, key=len, reverse=True))) or "(?!)"
    en_alt = "|".join(re.escape(s).replace(r"\ ", r"\s+").replace(r"\.", r"\.?")
                      for s in sorted(en, key=len, reverse=True)) or "(?!)"
    return zh_alt, en_alt


def _address_regexes(gazetteer: Gazetteer) -> list[re.Pattern]:
    cached = getattr(gazetteer, "_address_regexes", None)
    if cached is None:
        zh, en = _road_patterns(gazetteer)
        cached = [
            re.compile(rf"(?P<road>{zh})?\s*(?P<lane>\d{{1,4}})\s*弄(?:\s*(?P<no>\d{{1,4}})\s*号)?"),
            re.compile(rf"(?P<road>{zh})\s*(?P<no>\d{{1,4}})\s*号"),
            re.compile(rf"(?:(?<![a-z])(?P<road>{en})\s*,?\s*)?(?<![a-z])lane\s*(?P<lane>\d{{1,4}})"
                       rf"(?:\s*,?\s*(?:no\.?|number|#)\s*(?P<no>\d{{1,4}}))?"
                       rf"(?:\s*,?\s*(?:of|on|off)?\s*(?P<road2>{en})(?![a-z]))?", re.I),
        ]
        gazetteer._address_regexes = cached
    return cached


def _addresses(demand, text, gazetteer, roles, places) -> None:
    for pattern in _address_regexes(gazetteer):
        for m in pattern.finditer(text.free):
            spelling = m.group("road") or (m.groupdict().get("road2"))
            road = gazetteer.road_spellings.get(spelling) if spelling else None
            if spelling and road is None:  # English spellings differ in case and spacing
                road = _road_by_fold(gazetteer, spelling)
            lane = int(m.group("lane")) if m.groupdict().get("lane") else None
            number = int(m.group("no")) if m.group("no") else None
            location = _resolve_address(demand, gazetteer, road, lane, number, m.group(0).strip())
            role = roles[m.start()]
            field = "participants.location" if role == "participants" else "location"
            _span(demand, text, field, m.start(), m.end(), location.name)
            places.append((m.start(), role, location))


def _road_by_fold(gazetteer: Gazetteer, spelling: str) -> str | None:
    from ingest.address import fold_street

    folded = fold_street(spelling)
    for known, road in gazetteer.road_spellings.items():
        if known.isascii() and fold_street(known) == folded:
            return road
    return None


def _resolve_address(demand, gazetteer, road, lane, number, phrase) -> Location:
    """Return the Location of a road/lane/number triple, warning when the district lacks it."""
    if number is not None:
        keys = [f"{road}|{lane if lane is not None else ''}|{number}"] if road else \
            [f"{r}|{lane}|{number}" for (r, ln) in gazetteer.lanes if ln == lane]
        found = [gazetteer.buildings[k] for k in keys if k in gazetteer.buildings]
        if len(found) == 1:
            return _location(found[0], phrase)
        if not found:
            demand.warnings.append(ParseWarning(
                "unknown_building", f"No building \"{phrase}\" is on record; check the road, lane "
                                    "and number.", "location"))
            return Location("building", phrase, phrase=phrase)
    candidates = [(r, ln) for (r, ln) in gazetteer.lanes if ln == lane and (road is None or r == road)]
    if len(candidates) == 1:
        return _location(gazetteer.lanes[candidates[0]], phrase)
    if not candidates:
        demand.warnings.append(ParseWarning(
            "unknown_lane", f"No lane \"{phrase}\" is on record in the district; check the lane "
                            "number or add the road.", "location"))
        return Location("lane", f"{road or ''}{lane}弄", phrase=phrase)
    lanes = [gazetteer.lanes[c] for c in sorted(candidates)]
    demand.warnings.append(ParseWarning(
        "ambiguous_lane", f"Lane {lane} is on {len(lanes)} roads ("
                          f"{', '.join(p.name for p in lanes)}); all are used. Name the road "
                          "to pick one.", "location"))
    ids = [i for p in lanes for i in p.ids]
    return Location("lane", f"{lane}弄", ids, phrase=phrase)


# --- time -----------------------------------------------------------------------------------

def _window(demand: Demand, text: _Text, today: date) -> None:
    days = demand_time.find_days(text.free, today)
    parts = demand_time.find_parts(text.free)
    day = days[0] if days else None
    part = None
    if parts:
        # The part of day nearest the day phrase belongs to it ("周六下午", "Saturday ... afternoon").
        anchor = day.end if day else 0
        part = min(parts, key=lambda p: abs(p.start - anchor))
    if day is None and part is None:
        return
    start, end = demand_time.combine(day, part, today)
    pieces = sorted([m for m in (day, part) if m is not None], key=lambda m: m.start)
    first, last = pieces[0], pieces[-1]
    if last.start - first.end <= 4:  # "周六下午", "Saturday afternoon", "周六的下午"
        phrase = demand.text[first.start:max(first.end, last.end)].strip()
    else:
        phrase = " … ".join(demand.text[m.start:m.end].strip() for m in pieces)
    demand.window = Window(start, end, phrase)
    for m in pieces:
        if m is part and day is not None and day.start <= m.start < day.end:
            continue
        _span(demand, text, "window", m.start, m.end, f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}")
    if len(days) > 1:
        demand.warnings.append(ParseWarning(
            "several_dates", f"Several dates are named; the first, \"{demand.window.phrase}\", "
                             "is used. Correct the window if another is meant.", "window"))


# --- numbers --------------------------------------------------------------------------------

def _to_int(token: str) -> int | None:
    """Read an Arabic ("1,200"), Chinese ("四十", "两") or English ("two", "a dozen") count."""
    token = token.strip().lower()
    if re.fullmatch(_ARABIC, token):
        return int(token.replace(",", ""))
    english = re.sub(r"\s+", " ", token)
    if english in vocab.ENGLISH_NUMBERS:
        return vocab.ENGLISH_NUMBERS[english]
    import cn2an

    try:
        return int(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _counted(demand: Demand, n: int | None, field_name: str) -> int | None:
    """``n`` if it can be a number of people; past ``MAX_COUNT`` a warning and None (a number
    of 2,000 digits once reached the volunteer solver and broke it)."""
    if n is None or n <= MAX_COUNT:
        return n
    demand.warnings.append(ParseWarning(
        "count_too_large", f"A count of more than {MAX_COUNT:,} people was ignored; "
                           "correct the number if it was meant.", field_name))
    return None


_NUMBER_BEFORE_EN = re.compile(rf"(?<![a-z0-9,])({_ARABIC}|{_EN_NUM})\s+(?:[a-z\-]+\s+){{0,3}}$",
                               re.I)
_NUMBER_BEFORE_ZH = re.compile(rf"({_ARABIC}|{_ZH_NUM})\s*(名|位|个|人)?[^\s,，;；。]{{0,8}}$")
_VOLUNTEER_WORD = re.compile(
    "|".join(vocab.VOLUNTEER_WORDS_ZH) + r"|(?<![a-z])(?:" + "|".join(vocab.VOLUNTEER_WORDS_EN)
    + r")(?![a-z])", re.I)
_VOLUNTEER_AFTER_ZH = re.compile(rf"^\s*({_ARABIC}|{_ZH_NUM})\s*(?:名|位|个|人)")


def _volunteers(demand: Demand, text: _Text) -> None:
    free = text.free
    for m in _VOLUNTEER_WORD.finditer(free):
        before = free[max(0, m.start() - 40):m.start()]
        if m.group(0).isascii():
            found = _NUMBER_BEFORE_EN.search(before)
        else:
            before = before[-14:]
            found = _NUMBER_BEFORE_ZH.search(before)
            if found is None:
                after = _VOLUNTEER_AFTER_ZH.search(free[m.end():m.end() + 8])
                if after is not None:
                    n = _counted(demand, _to_int(after.group(1)), "volunteers_wanted")
                    if n is not None:
                        demand.volunteers_wanted = n
                        _span(demand, text, "volunteers_wanted", m.end() + after.start(1),
                              m.end() + after.end(), n)
                        return
        if found is None:
            continue
        n = _counted(demand, _to_int(found.group(1)), "volunteers_wanted")
        if n is None:
            continue
        offset = m.start() - len(before)
        start, end = offset + found.start(1), offset + found.end(found.lastindex or 1)
        demand.volunteers_wanted = n
        _span(demand, text, "volunteers_wanted", start, end, n)
        return


_AGE_RULES = [
    (re.compile(rf"(\d{{1,3}}|{_ZH_NUM})\s*(?:周?岁)?\s*(?:到|至|-|~|—)\s*(\d{{1,3}}|{_ZH_NUM})\s*周?岁"),
     "range"),
    (re.compile(rf"(\d{{1,3}}|{_ZH_NUM})\s*周?岁\s*(及以上|以上|及以下|以下|以内)"), "zh_op"),
    (re.compile(r"(?<![a-z0-9])(?:aged|ages?)\s+(\d{1,3})\s*(?:-|–|to|and)\s*(\d{1,3})(?![0-9])"
                r"|(?<![0-9,])(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\s*(?:years?[\s-]old|year-olds|yrs)",
                re.I), "en_range"),
    (re.compile(r"(?<![0-9,])(?:aged\s+)?(\d{1,3})\s*(?:\+|plus\b|and\s+(?:over|above|older|up)"
                r"|or\s+(?:over|older|above))", re.I), "en_min"),
    (re.compile(r"(?<![a-z])(over|above|older\s+than|under|below|younger\s+than)\s+(\d{1,3})"
                r"(?!\s*(?:people|persons|participants|seats|guests|residents|volunteers|[0-9,]))",
                re.I), "en_op"),
]


def _ages(demand: Demand, text: _Text) -> None:
    p = demand.participants
    found = []
    for pattern, kind in _AGE_RULES:
        for m in pattern.finditer(text.free):
            g = [x for x in m.groups() if x is not None]
            low = high = None
            if kind in ("range", "en_range"):
                low, high = _to_int(g[0]), _to_int(g[1])
            elif kind == "zh_op":
                n = _to_int(g[0])
                low, high = (n, None) if "上" in g[1] else (None, n)
            elif kind == "en_min":
                low = _to_int(g[0])
            else:
                n, op = _to_int(g[1]), g[0].lower()
                low, high = (n + 1, None) if op in ("over", "above") or op.startswith("older") \
                    else (None, n - 1)
            if any(v is not None and v > 120 for v in (low, high)):
                continue  # a count of things, not an age
            if low is not None and high is not None and low > high:
                low, high = high, low  # "75到60岁"
            found.append((m.start(), m.group(0).strip(), low, high))
            _span(demand, text, "participants.age", m.start(), m.end(), [low, high])
    for _, phrase, low, high in sorted(found):  # the first named wins a contradiction
        # Both constraints hold: the ranges intersect.
        new_min = max((v for v in (low, p.age_min) if v is not None), default=None)
        new_max = min((v for v in (high, p.age_max) if v is not None), default=None)
        if new_min is not None and new_max is not None and new_min > new_max:
            demand.warnings.append(ParseWarning(
                "age_conflict", f"\"{phrase}\" contradicts the ages named before it and was "
                                "left out; correct the age range.", "participants"))
        else:
            p.age_min, p.age_max = new_min, new_max


_PEOPLE_EN = "|".join(vocab.PEOPLE_WORDS_EN)
_HEAD_COUNT_RULES = [
    re.compile(rf"(?<![a-z0-9,.])({_ARABIC}|{_EN_NUM})\s*(?:\+\s*)?(?:or\s+so\s+|more\s+)?"
               rf"(?:{_PEOPLE_EN})(?![a-z])", re.I),
    re.compile(rf"(?<![0-9,.])({_ARABIC})\s*-\s*(?:seat|seater|person|people)(?![a-z])", re.I),
    re.compile(rf"(?<![a-z])(?:capacity|seating|seats?|room\s+for|up\s+to|hold|holds|fit|fits|"
               rf"accommodate|accommodates)\s*(?:of|for)?\s*({_ARABIC})(?![0-9])", re.I),
    re.compile(rf"({_ARABIC}|{_ZH_NUM})\s*(?:多|余|来|左右)?\s*(?:个)?(?:人|位|座)(?!民|员|口|工)"),
    re.compile(rf"(?:容纳|能坐|可坐|坐得下)\s*({_ARABIC}|{_ZH_NUM})"),
]


def _head_count(demand: Demand, text: _Text) -> None:
    for pattern in _HEAD_COUNT_RULES:
        for m in pattern.finditer(text.free):
            n = _counted(demand, _to_int(m.group(1)), "head_count")
            if n is None:
                continue
            demand.head_count = n
            _span(demand, text, "head_count", m.start(), m.end(), n)
            return


_RADIUS = re.compile(
    rf"(?<![a-z])within\s+(\d+(?:\.\d+)?)\s*(km|kilometres?|kilometers?|m|metres?|meters?)(?![a-z])"
    rf"|(\d+(?:\.\d+)?|{_ZH_NUM})\s*(公里|千米|米)\s*(?:以内|之内|范围内|内)", re.I)
_LAT_LON = re.compile(r"(?<![0-9.])([1-5]\d\.\d{3,})\s*[,，]\s*(1[0-3]\d\.\d{3,})(?![0-9])")


def _radius_and_point(demand, text, roles, places) -> int | None:
    radius = None
    for m in _RADIUS.finditer(text.free):
        raw, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = float(raw) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else _to_int(raw)
        if value is None:
            continue
        metres = value * (1000 if unit.lower().startswith("k") or unit in ("公里", "千米") else 1)
        radius = int(round(metres))
        _span(demand, text, "location.radius_m", m.start(), m.end(), radius)
        break
    for m in _LAT_LON.finditer(text.free):
        lat, lon = float(m.group(1)), float(m.group(2))
        location = Location("point", f"{lat}, {lon}", [], lat, lon, phrase=m.group(0))
        field = "participants.location" if roles[m.start()] == "participants" else "location"
        _span(demand, text, field, m.start(), m.end(), location.name)
        places.append((m.start(), roles[m.start()], location))
    return radius


# --- the lexicon ----------------------------------------------------------------------------

_PLACE_KINDS = ("road", "area", "point")


def _lexicon(demand, text, gazetteer, roles, places) -> list[str]:
    """Claim every known phrase; return the topic words the matches gave (disease names …)."""
    lexicon = lexicon_for(gazetteer)
    topic: list[str] = []
    matches = []
    free = text.free
    for start, end in lexicon.finditer(free):
        pairs = lexicon.lookup(free[start:end])
        if any(kind != "tag" for kind, _ in pairs):
            pairs = [(k, v) for k, v in pairs if k != "tag"]  # "志愿者" asks for volunteers
        if pairs:
            matches.append((_Match(start, end, demand.text[start:end]), pairs))
    for index, (m, pairs) in enumerate(matches):
        role = roles[m.start()]
        for kind, value in pairs:
            if kind == "skill":
                _add(demand.skills, value)
                _span(demand, text, "skills", m.start(), m.end(), value)
            elif kind == "equipment":
                _add(demand.equipment, value)
                _span(demand, text, "equipment", m.start(), m.end(), value)
            elif kind == "venue_type":
                _add(demand.venue_types, value)
                _add(demand.resource_types, "venue")
                _span(demand, text, "venue_types", m.start(), m.end(), value)
            elif kind in ("resource", "invite"):
                value = "resident" if kind == "invite" else value
                if value not in demand.resource_types or not any(
                        s.start == m.start() and s.field == "resource_types"
                        for s in demand.spans):
                    _add(demand.resource_types, value)
                    _span(demand, text, "resource_types", m.start(), m.end(), value)
            elif kind == "tag":
                if role == "participants" or value not in TOPIC_TAGS \
                        or _people_follow(matches, index, text.original):
                    _add(demand.participants.tags, value)
                    _span(demand, text, "participants.tags", m.start(), m.end(), value)
                else:
                    topic.append(m.group(0).lower())
                    _span(demand, text, "topic_words", m.start(), m.end(), m.group(0).lower())
            elif kind in _PLACE_KINDS:
                place = _place(gazetteer, kind, value)
                field = "participants.location" if role == "participants" else "location"
                _span(demand, text, field, m.start(), m.end(), place.name)
                places.append((m.start(), role, _location(place, m.group(0))))
    if demand.participants.tags or demand.participants.location is not None:
        _add(demand.resource_types, "resident")
    if demand.volunteers_wanted or demand.skills:
        _add(demand.resource_types, "volunteer")  # a skill is asked of someone
    if demand.head_count is not None and not (set(demand.resource_types) - {"resident", "volunteer"}):
        _add(demand.resource_types, "venue")
    return topic


def _people_follow(matches, index: int, original: str) -> bool:
    """Return True if a people tag follows a disease word closely ("diabetic seniors", "糖尿病老人")."""
    if index + 1 >= len(matches):
        return False
    m, pairs = matches[index]
    nxt, next_pairs = matches[index + 1]
    gap = original[m.end():nxt.start()]
    return len(gap.strip(" 的")) == 0 and len(gap) <= 2 and any(
        kind == "tag" and value not in TOPIC_TAGS for kind, value in next_pairs)


def _place(gazetteer: Gazetteer, kind: str, value) -> Place:
    if kind == "road":
        return gazetteer.roads.get(value) or Place("road", value)
    if kind == "area":
        return gazetteer.areas[value]
    return gazetteer.points[value]


def _add(items: list, value) -> None:
    if value not in items:
        items.append(value)


def _assign_places(demand: Demand, places, radius: int | None) -> None:
    places.sort(key=lambda p: p[0])
    main = [loc for _, role, loc in places if role == "main"]
    invited = [loc for _, role, loc in places if role == "participants"]
    if main:
        demand.location = main[0]
        if len(main) > 1:
            demand.warnings.append(ParseWarning(
                "several_places", f"Several places are named; \"{main[0].phrase}\" is used for "
                                  f"the activity (also named: "
                                  f"{', '.join(p.phrase for p in main[1:])}).", "location"))
    if invited:
        demand.participants.location = invited[0]
    if radius is not None:
        if demand.location is not None:
            demand.location.radius_m = radius
        else:
            demand.warnings.append(ParseWarning(
                "radius_without_place", f"A distance of {radius} m is given but no place to "
                                        "measure it from; name a road, lane or area.",
                "location"))


# --- leftovers and checks -------------------------------------------------------------------

_WORD_EN = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_RUN_ZH = re.compile(r"[\u3400-\u9fff]+")


def _tokens(free: str) -> list[str]:
    """Return the content words of unclaimed text: English words and jieba's Chinese words."""
    tokens = [w.lower().strip("'-") for w in _WORD_EN.findall(free)]
    tokens = [w for w in tokens if len(w) > 1 and w not in vocab.STOP_WORDS_EN]
    runs = _RUN_ZH.findall(free)
    if runs:
        tokens += [w for run in runs for w in _jieba_cut(run)
                   if len(w) > 1 and w not in vocab.STOP_WORDS_ZH]
    return list(dict.fromkeys(tokens))


def _jieba_cut(run: str) -> list[str]:
    import logging

    import jieba

    if not getattr(_jieba_cut, "ready", False):
        jieba.setLogLevel(logging.WARNING)  # its start-up banner is noise on a CLI
        _jieba_cut.ready = True
    return jieba.lcut(run)


def _check(demand: Demand, today: date) -> None:
    """Flag values no matcher can meet: nobody, nothing, a past window, nothing understood."""
    if demand.head_count == 0:
        demand.warnings.append(ParseWarning(
            "head_count_zero", "A head count of 0 people cannot be met; correct the number.",
            "head_count"))
    if demand.volunteers_wanted == 0:
        demand.warnings.append(ParseWarning(
            "volunteers_zero", "0 volunteers were asked for; correct the number or remove it.",
            "volunteers_wanted"))
    window = demand.window
    if window is not None and window.end is not None \
            and window.end <= datetime.combine(today, time()):
        demand.warnings.append(ParseWarning(
            "past_date", f"\"{window.phrase}\" ({window.start:%Y-%m-%d}) is in the past; "
                         "correct the date.", "window"))
    structured = [s for s in demand.spans if s.field != "topic_words"]
    if not structured:
        demand.warnings.append(ParseWarning(
            "nothing_understood", "No number, date, place, skill or group of residents was "
                                  "recognised; the words are searched as typed."
                                  if demand.topic_words else
                                  "No words were recognised; write the demand in Chinese or "
                                  "English words."))
