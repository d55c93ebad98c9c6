"""Read a demand in plain words (Chinese or English) into structured constraints: :func:`parse_demand`.

"a room for 40 people near Fenxi Road on Saturday afternoon for a diabetes talk, two
volunteers who know first aid, and invite the diabetic seniors of Lane 261" becomes a
:class:`Demand`: head count 40, window Saturday 13:00–17:00, location Fenxi Road, 2
volunteers with skill ``first_aid``, participants tagged ``diabetes`` + ``senior_60_plus``
in Lane 261, topic words "diabetes", "talk". Every field remembers the text that produced
it (``spans``, for highlighting); words nothing claimed stay in ``leftover`` and
``topic_words`` so retrieval still uses them. The parse is pure (no database: place names
come from a :class:`~models.gazetteer.Gazetteer`) and never raises on any text: empty,
5,000 characters, emoji or Cypher-looking input gives a Demand with ``warnings`` saying
what happened. ``to_json``/``from_json`` carry a parse to the web page and a user's
corrections back; ``from_json`` raises :class:`DemandError` naming the bad field.

How clauses decide roles: the text is cut at punctuation; in a clause with an invitation
word (邀请, 通知, invite, notify …) tags and places describe the residents to invite,
elsewhere a place is where the activity happens and a disease word is its topic.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import date, datetime, timedelta

from graph.errors import MinqingError
from models import demand_time, demand_vocab as vocab
from models.gazetteer import Gazetteer

MAX_DEMAND_CHARS = 2000  # a demand is a paragraph; longer text is cut, with a warning
DEFAULT_RADIUS_M = 500
RESOURCE_TYPES = ("venue", "volunteer", "organization", "resident", "service")
LOCATION_KINDS = ("road", "area", "building", "lane", "point")
# Tags that name a condition: the topic of an event unless the clause is about whom to invite.
TOPIC_TAGS = frozenset({"diabetes", "hypertension", "coronary_heart_disease", "copd",
                        "stroke_survivor", "alzheimers", "chronic_condition",
                        "family_doctor_signed", "ltc_assessed"})


class DemandError(MinqingError):
    """A corrected demand that cannot be read; the message names the field and what to change."""


@dataclass
class Span:
    """Which characters of the demand produced which field (offsets into ``Demand.text``)."""

    field: str
    start: int
    end: int
    text: str
    value: object = None


@dataclass
class Window:
    """When the activity happens: start and end (None when open) and the phrase that said so."""

    start: datetime | None = None
    end: datetime | None = None
    phrase: str = ""

    def slots(self) -> list[str]:
        """Return the volunteer-register slots the window overlaps ("周六下午"), in time order.

        >>> Window(datetime(2025, 6, 28, 13), datetime(2025, 6, 28, 17)).slots()
        ['周六下午']
        """
        if self.start is None or self.end is None:
            return []
        found = []
        day = self.start.date()
        while datetime.combine(day, datetime.min.time()) < self.end and len(found) < 21:
            for name, (begins, ends) in demand_time.PARTS_OF_DAY.items():
                slot = demand_time.SLOT_NAMES.get(name)
                if slot and datetime.combine(day, begins) < self.end \
                        and datetime.combine(day, ends) > self.start:
                    found.append(f"周{demand_time.WEEKDAY_ZH[day.weekday()]}{slot}")
            day += timedelta(days=1)
        return found


@dataclass
class Location:
    """A place: kind road/area/building/lane/point, graph ids, name, lat/lon, search radius."""

    kind: str
    name: str
    ids: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    radius_m: int = DEFAULT_RADIUS_M
    phrase: str = ""


@dataclass
class Participants:
    """Whom to invite: tag ids, an age range (either end open) and where they live."""

    tags: list[str] = field(default_factory=list)
    age_min: int | None = None
    age_max: int | None = None
    location: Location | None = None

    def is_empty(self) -> bool:
        """Return True if nothing about participants was asked for."""
        return not self.tags and self.age_min is None and self.age_max is None \
            and self.location is None


@dataclass
class ParseWarning:
    """Something the user should know about the parse: a code, a message, the field concerned."""

    code: str
    message: str
    field: str | None = None


@dataclass
class Demand:
    """The structured reading of one demand; see the module docstring for the fields' meaning."""

    text: str = ""
    today: date | None = None
    head_count: int | None = None
    volunteers_wanted: int | None = None
    window: Window | None = None
    location: Location | None = None
    skills: list[str] = field(default_factory=list)
    resource_types: list[str] = field(default_factory=list)
    venue_types: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    participants: Participants = field(default_factory=Participants)
    topic_words: list[str] = field(default_factory=list)
    leftover: str = ""
    warnings: list[ParseWarning] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def query_text(self) -> str:
        """Return the words retrieval should search for: topic words and the skills' names."""
        words = list(self.topic_words)
        for code in self.skills:
            words += [p for p in vocab.SKILLS[code][:1]] + [code.replace("_", " ")]
        return " ".join(dict.fromkeys(words))

    def to_json(self) -> dict:
        """Return a JSON-ready dict (dates as ISO strings); from_json reads it back."""
        data = asdict(self)
        data["today"] = self.today.isoformat() if self.today else None
        if self.window is not None:
            data["window"]["start"] = _iso(self.window.start)
            data["window"]["end"] = _iso(self.window.end)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Demand":
        """Read a Demand from ``to_json`` output, possibly corrected by a user.

        Missing keys take their defaults, so a form may send only the fields it shows.

        Raises:
            DemandError: an unknown field, or a value of the wrong kind; the message names it.
        """
        if not isinstance(data, dict):
            raise DemandError("A demand must be a JSON object of fields, e.g. {\"head_count\": 40}")
        _no_unknown(data, cls, "demand")
        d = cls()
        d.text = _str(data.get("text", ""), "text")
        d.today = _date(data.get("today"), "today")
        d.head_count = _count(data.get("head_count"), "head_count")
        d.volunteers_wanted = _count(data.get("volunteers_wanted"), "volunteers_wanted")
        d.window = _window(data.get("window"))
        d.location = _location(data.get("location"), "location")
        d.skills = _codes(data.get("skills"), "skills", vocab.SKILLS)
        d.resource_types = _codes(data.get("resource_types"), "resource_types", RESOURCE_TYPES)
        d.venue_types = _codes(data.get("venue_types"), "venue_types", vocab.VENUE_TYPES)
        d.equipment = _codes(data.get("equipment"), "equipment", vocab.EQUIPMENT)
        d.participants = _participants(data.get("participants"))
        d.topic_words = _strings(data.get("topic_words"), "topic_words")
        d.leftover = _str(data.get("leftover", ""), "leftover")
        d.warnings = [ParseWarning(**_complete(w, ParseWarning, "warnings"))
                      for w in _list(data.get("warnings"), "warnings")]
        d.spans = [Span(**_complete(s, Span, "spans")) for s in _list(data.get("spans"), "spans")]
        return d


# --- reading corrected JSON --------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _no_unknown(data: dict, cls, where: str) -> None:
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise DemandError(f"Unknown {where} field(s): {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(f.name for f in fields(cls))}")


def _fields_of(item, cls, where: str) -> dict:
    if not isinstance(item, dict):
        raise DemandError(f"Each entry of {where} must be an object, not {item!r}")
    _no_unknown(item, cls, where)
    return item


def _complete(item, cls, where: str) -> dict:
    """Check an entry built as ``cls(**item)`` has every field without a default."""
    _fields_of(item, cls, where)
    # Without this, cls(**item) fails with a TypeError (found by tests/fuzz).
    missing = [f.name for f in fields(cls) if f.name not in item
               and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        raise DemandError(f"Each entry of {where} needs {', '.join(missing)}")
    return item


def _str(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DemandError(f"{name} must be text, not {value!r}")
    return value


def _list(value, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DemandError(f"{name} must be a list, not {value!r}")
    return value


def _strings(value, name: str) -> list[str]:
    items = _list(value, name)
    if not all(isinstance(v, str) for v in items):
        raise DemandError(f"{name} must be a list of words")
    return items


def _codes(value, name: str, known) -> list[str]:
    items = _strings(value, name)
    bad = [v for v in items if v not in known]
    if bad:
        raise DemandError(f"{name}: unknown code(s) {', '.join(map(repr, bad))}; "
                          f"known: {', '.join(known)}")
    return list(dict.fromkeys(items))


# More people than any sub-district has: a larger count is a typing error, and a number past
# 64 bits broke the volunteer matching's solver (found by tests/fuzz).
MAX_COUNT = 1_000_000


def _count(value, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        # isdecimal, not isdigit: "²" is a digit int() cannot read (found by tests/fuzz).
        text = value.strip() if isinstance(value, str) else ""
        if not text.isdecimal():
            raise DemandError(f"{name} must be a whole number of people, not {value!r:.60}")
        # int() refuses more than 4,300 digits: the length decides first.
        number = int(text) if len(text) <= len(str(MAX_COUNT)) else MAX_COUNT + 1
    if not 0 <= number <= MAX_COUNT:
        raise DemandError(f"{name} must be a whole number of people from 0 to {MAX_COUNT:,}")
    return number


def _number(value, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise DemandError(f"{name} must be a number, not {value!r:.60}") from None
    if not math.isfinite(number):
        raise DemandError(f"{name} must be a finite number, not {value!r:.60}")
    return number


def _date(value, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DemandError(f"{name} must be a date like 2025-06-28, not {value!r}") from None


def _datetime(value, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise DemandError(f"{name} must be a date and time like 2025-06-28T13:00, "
                          f"not {value!r}") from None
    if moment.tzinfo is not None:
        # Windows are local times; one with a zone cannot be compared with one without.
        raise DemandError(f"{name} must be a local date and time like 2025-06-28T13:00, "
                          f"without a time zone, not {value!r}")
    return moment


def _window(value) -> Window | None:
    if value is None:
        return None
    _fields_of(value, Window, "window")
    window = Window(_datetime(value.get("start"), "window.start"),
                    _datetime(value.get("end"), "window.end"),
                    _str(value.get("phrase", ""), "window.phrase"))
    if window.start and window.end and window.end <= window.start:
        raise DemandError("window.end must be after window.start")
    return window


def _location(value, name: str) -> Location | None:
    if value is None:
        return None
    _fields_of(value, Location, name)
    kind = _str(value.get("kind"), f"{name}.kind")
    if kind not in LOCATION_KINDS:
        raise DemandError(f"{name}.kind must be one of {', '.join(LOCATION_KINDS)}, not {kind!r}")
    radius = _count(value.get("radius_m", DEFAULT_RADIUS_M), f"{name}.radius_m")
    return Location(kind, _str(value.get("name"), f"{name}.name"),
                    _strings(value.get("ids"), f"{name}.ids"),
                    _number(value.get("lat"), f"{name}.lat"), _number(value.get("lon"), f"{name}.lon"),
                    DEFAULT_RADIUS_M if radius is None else radius,
                    _str(value.get("phrase", ""), f"{name}.phrase"))


def _participants(value) -> Participants:
    if value is None:
        return Participants()
    _fields_of(value, Participants, "participants")
    tags = _strings(value.get("tags"), "participants.tags")
    bad = [t for t in tags if not re.fullmatch(r"[a-z0-9_]+", t)]
    if bad:
        raise DemandError(f"participants.tags: {', '.join(map(repr, bad))} is not a tag id "
                          "(lower-case letters, digits and _)")
    low = _count(value.get("age_min"), "participants.age_min")
    high = _count(value.get("age_max"), "participants.age_max")
    if low is not None and high is not None and low > high:
        raise DemandError(f"participants.age_min ({low}) is above age_max ({high})")
    return Participants(list(dict.fromkeys(tags)), low, high,
                        _location(value.get("location"), "participants.location"))


# --- the lexicon: every known phrase in one regular expression --------------------------

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_GAP = re.compile(r"[\s\-]+")


def _norm(phrase: str) -> str:
    """Return the look-up form of a phrase: lower case, hyphens and runs of spaces as one space."""
    phrase = phrase.strip().lower()
    return " ".join(_GAP.split(phrase)) if phrase.isascii() else phrase


class Lexicon:
    """Every fixed phrase the parser knows, compiled once per gazetteer into one regex.

    Matching is leftmost-longest: at each position the longest known phrase wins, so
    "电脑辅导" (a skill) beats "电脑" (equipment) and "岭南路" (a road) beats "岭南" (an area).
    English phrases match whole words, any case, with an optional plural s, and words may be
    joined by spaces or hyphens ("first-aid" = "first aid").
    """

    def __init__(self, gazetteer: Gazetteer):
        self.entries: dict[str, list[tuple[str, object]]] = {}
        for code, phrases in vocab.SKILLS.items():
            self._add(phrases, "skill", code)
        for code, phrases in vocab.EQUIPMENT.items():
            self._add(phrases, "equipment", code)
        for code, phrases in vocab.VENUE_TYPES.items():
            self._add(phrases, "venue_type", code)
        for code, phrases in vocab.RESOURCE_TYPES.items():
            self._add(phrases, "resource", code)
        self._add(vocab.INVITE_WORDS, "invite", True)
        # "法律咨询志愿者" asks for volunteers with a skill, not residents tagged as volunteers.
        labels = {k: v for k, v in gazetteer.tag_labels().items() if not k.startswith("volunteer")}
        for tag_id, label in labels.items():
            self._add([label, re.sub(r"[(（].*?[)）]", "", label)], "tag", tag_id)
        for tag_id, phrases in vocab.TAG_PHRASES.items():
            if tag_id in labels:
                self._add(phrases, "tag", tag_id)
        for spelling, road in gazetteer.road_spellings.items():
            self._add([spelling], "road", road)
        for alias, area_id in gazetteer.area_names.items():
            self._add([alias], "area", area_id)
        for name in gazetteer.points:
            self._add([name], "point", name)
        # Scanning by dictionary look-ups, not one big alternation: Python's regex engine tries
        # every alternative at every position, which on the demo district's ~2,000 phrases
        # cost ~10 ms a demand.
        self.chinese = {p: v for p, v in self.entries.items() if not p.isascii()}
        self.chinese_lengths = sorted({len(p) for p in self.chinese}, reverse=True)
        self.chinese_first = {p[0] for p in self.chinese}
        self.english_words = max((len(p.split()) for p in self.entries if p.isascii()), default=0)

    def finditer(self, text: str):
        """Yield (start, end) of known phrases in ``text``: leftmost first, longest at a place."""
        found = []
        lowered = text.lower()
        for i, char in enumerate(text):
            if char in self.chinese_first:
                for n in self.chinese_lengths:
                    if text[i:i + n] in self.chinese:
                        found.append((i, i + n))
                        break
        words = list(_WORD.finditer(lowered))
        for j, word in enumerate(words):
            for n in range(min(self.english_words, len(words) - j), 0, -1):
                last = words[j + n - 1]
                if any(not _GAP.fullmatch(lowered[a.end():b.start()])
                       for a, b in zip(words[j:j + n - 1], words[j + 1:j + n])):
                    continue
                if self.lookup(lowered[word.start():last.end()]):
                    found.append((word.start(), last.end()))
                    break
        found.sort(key=lambda se: (se[0], -se[1]))
        end = -1
        for start, stop in found:
            if start >= end:
                yield start, stop
                end = stop

    def _add(self, phrases, kind: str, value) -> None:
        for phrase in phrases:
            key = _norm(phrase)
            if len(key) < 2 or (kind, value) in self.entries.get(key, []):
                continue
            self.entries.setdefault(key, []).append((kind, value))

    def lookup(self, matched: str) -> list[tuple[str, object]]:
        """Return the (kind, value) pairs of a matched phrase (an English plural s may go)."""
        key = _norm(matched)
        if key in self.entries:
            return self.entries[key]
        if key.isascii():
            for candidate in (key[:-1], key[:-2]):
                if key.endswith("s") and candidate in self.entries:
                    return self.entries[candidate]
        return []


def lexicon_for(gazetteer: Gazetteer) -> Lexicon:
    """Return the compiled lexicon of a gazetteer (built once per gazetteer object)."""
    cached = getattr(gazetteer, "_lexicon", None)
    if cached is None:
        cached = Lexicon(gazetteer)
        gazetteer._lexicon = cached
    return cached


# --- parsing --------------------------------------------------------------------------------

def warm_up(gazetteer: Gazetteer) -> None:
    """Load what the first parse would (the lexicon, jieba's dictionary, cn2an): ~3 s, once.

    A web server calls this at start so that no user's first search pays for it.
    """
    parse_demand("周六下午四十人 Saturday", today=date.today(), gazetteer=gazetteer)
    from models.demand_parse import _jieba_cut

    _jieba_cut("预热")

def parse_demand(text: str, *, today: date, gazetteer: Gazetteer) -> Demand:
    """Read ``text`` into a Demand; never raises, whatever the text (see the module docstring).

    Args:
        text: the demand as typed, Chinese or English or both.
        today: the day relative dates count from ("this Saturday").
        gazetteer: the district's places and tags.

    Returns:
        The Demand, with ``warnings`` for anything the user should check.
    """
    from models.demand_parse import parse  # the rules live beside, the data model here

    return parse(text, today=today, gazetteer=gazetteer)


__all__ = ["Demand", "DemandError", "Location", "ParseWarning", "Participants", "Span", "Window",
           "parse_demand", "warm_up", "MAX_DEMAND_CHARS", "DEFAULT_RADIUS_M", "lexicon_for"]
