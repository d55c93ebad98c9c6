"""Building addresses of the Linfen Road area, parsed from any spelling to one key "临汾路|261|12".

The subsystems write one building many ways: "临汾路261弄12号", "临汾路 261 弄 12号",
"临汾路261弄12号楼", "临汾路二六一弄十二号", "Linfen Rd Lane 261 No.12",
"上海市静安区临汾路261弄12号301室" … :func:`parse_address` reads them all into
:class:`AddressParts` (street, lane 弄, number 号, room 室), and :func:`address_key` returns
the building key the graph merges on. The streets and their English/pinyin spellings come
from ``streets.yaml`` beside this module, loaded once per process by :func:`load_streets`.

Everything here is pure (the YAML read aside, which is cached): unparseable input raises
:class:`~ingest.normalize.InvalidValueError` with a reason for the quarantine file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml

from graph.errors import IngestError
from ingest.normalize import InvalidValueError, MissingValueError, is_missing, to_halfwidth

__all__ = ["AddressParts", "OutsideAreaError", "Streets", "load_streets", "parse_address", "address_key",
           "fold_street", "hanzi_to_int", "STREETS_FILE"]

STREETS_FILE = Path(__file__).with_name("streets.yaml")


class OutsideAreaError(InvalidValueError):
    """The address is readable but not on a street of the area (another district, a province,
    or a street missing from streets.yaml).

    A registered address (户籍地址) of someone who lives here but is registered elsewhere
    is such a case and is not a defect; callers may keep the text and skip the key.
    """


class AddressParts(NamedTuple):
    """One parsed address: Chinese street name, lane (弄, None on the street front), number, room.

    A named tuple rather than a frozen dataclass: immutable all the same (results are
    cached and shared) and several times cheaper to build, which shows at 300,000 rows.
    """

    street: str
    lane: int | None
    number: int
    room: str | None = None

    def key(self) -> str:
        """Return the building key "street|lane|number" (lane empty on the street front).

        >>> AddressParts("临汾路", 261, 12, "301").key(), AddressParts("临汾路", None, 375).key()
        ('临汾路|261|12', '临汾路||375')
        """
        return f"{self.street}|{'' if self.lane is None else self.lane}|{self.number}"

    def flat_key(self) -> str:
        """Return the building key with the room appended ("临汾路|261|12|301"; room may be empty)."""
        return f"{self.key()}|{self.room or ''}"


# --- street names -----------------------------------------------------------------

_ROAD_WORDS = {"rd": "lu", "road": "lu", "lu": "lu", "st": "jie", "street": "jie", "jie": "jie",
               "ave": "dadao", "avenue": "dadao", "dadao": "dadao"}
# Only English direction words move; pinyin ones (xi, dong, zhong) stay where they are,
# because they are also ordinary syllables of names (汾西路 Fenxi, 场中路 Changzhong).
_DIRECTIONS = {"w": "xi", "west": "xi", "e": "dong", "east": "dong", "n": "bei", "north": "bei",
               "s": "nan", "south": "nan", "m": "zhong", "mid": "zhong", "middle": "zhong",
               "central": "zhong"}
_LATIN_WORD = re.compile(r"[a-z]+")


def fold_street(text: str) -> str:
    """Return the comparison form of an English or pinyin street spelling.

    Case, spaces and punctuation go; the road word becomes "lu"; an English direction
    word, wherever it stands, goes between name and road word, as pinyin has it.

    >>> fold_street("Guangzhong Rd (W)"), fold_street("West Guangzhong Road"), fold_street("Guangzhongxi Lu")
    ('guangzhongxilu', 'guangzhongxilu', 'guangzhongxilu')
    """
    name: list[str] = []
    direction = road = ""
    for word in _LATIN_WORD.findall(text.lower().replace("'", "").replace("’", "")):
        if word in _ROAD_WORDS:
            road = _ROAD_WORDS[word]
        elif word in _DIRECTIONS:
            direction = _DIRECTIONS[word]
        else:
            name.append(word)
    return "".join(name) + direction + road


_CJK = re.compile("[\u3400-\u9fff]")


def _has_cjk(text: str) -> bool:
    """Return True if ``text`` holds a CJK ideograph."""
    return _CJK.search(text) is not None


@dataclass(frozen=True, eq=False)
class Streets:
    """The known streets and how to recognise them; build with :func:`load_streets`.

    Compared and hashed by identity, so parse results can be cached per instance.
    """

    chinese: Mapping[str, str]  # Chinese name or alias → Chinese name
    folded: Mapping[str, str]  # fold_street(English/pinyin spelling) → Chinese name
    prefixes: tuple[str, ...]  # area prefixes to strip, longest first
    english_area: re.Pattern  # matches the English area words ("Jing'an District" …)
    lengths: tuple[int, ...]  # lengths of the keys of ``chinese``, longest first
    canonical: re.Pattern  # the house style "[上海市][静安区]临汾路261弄12号[301室]", parsed in one go

    @classmethod
    def from_config(cls, config: Mapping) -> "Streets":
        """Build from the parsed contents of a streets.yaml.

        Raises:
            IngestError: a street without a name, or one spelling naming two streets.
        """
        chinese: dict[str, str] = {}
        folded: dict[str, str] = {}

        def claim(table: dict[str, str], spelling: str, key: str, name: str) -> None:
            if table.get(key, name) != name:
                raise IngestError(
                    f"streets.yaml: {spelling!r} names both {table[key]} and {name}; "
                    "remove one of the two aliases")
            table[key] = name

        for entry in config.get("streets") or ():
            name = (entry or {}).get("name")
            if not name:
                raise IngestError(f"streets.yaml: a street has no name: {entry!r}")
            claim(chinese, name, name, name)
            for spelling in [entry.get("en") or "", *(entry.get("aliases") or ())]:
                spelling = str(spelling)
                if not spelling:
                    continue
                if _has_cjk(spelling):
                    claim(chinese, spelling, spelling, name)
                elif fold_street(spelling):
                    claim(folded, spelling, fold_street(spelling), name)
        prefixes = tuple(sorted((str(p) for p in config.get("area_prefixes") or ()),
                                key=len, reverse=True))
        words = sorted((str(w) for w in config.get("area_words_en") or ()), key=len, reverse=True)
        pattern = "|".join(
            r"\b" + r"[\s.-]*".join(re.escape(part) for part in re.split(r"[\s.-]+", w.strip(". ")))
            + r"\b\.?" for w in words) or r"(?!)"
        keys = sorted(chinese, key=len, reverse=True)
        canonical = re.compile(
            "(?:" + "|".join(map(re.escape, prefixes)) + ")*"
            + "(" + "|".join(map(re.escape, keys)) + ")"
            + r"([1-9][0-9]{0,3})弄([1-9][0-9]{0,3})号(?:([1-9][0-9]{0,4})室)?"
        ) if keys else re.compile(r"(?!)")
        return cls(chinese=chinese, folded=folded, prefixes=prefixes,
                   english_area=re.compile(pattern, re.IGNORECASE),
                   lengths=tuple(sorted({len(k) for k in chinese}, reverse=True)),
                   canonical=canonical)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the Chinese names of all streets, in file order."""
        return tuple(dict.fromkeys(self.chinese.values()))

    def match_chinese(self, text: str) -> str | None:
        """Return the known street name or alias ``text`` starts with (longest first)."""
        for n in self.lengths:
            if text[:n] in self.chinese:
                return text[:n]
        return None

    def match_english(self, text: str) -> str | None:
        """Return the Chinese name of the English/pinyin street spelling ``text``."""
        key = fold_street(text)
        if not key:
            return None
        # "Linfen Lane 261" leaves the road word out.
        return self.folded.get(key) or self.folded.get(key + "lu")


@lru_cache(maxsize=8)
def _load_streets(path: str) -> Streets:
    """Read and compile one streets file (cached per path)."""
    with open(path, encoding="utf-8") as f:
        return Streets.from_config(yaml.safe_load(f) or {})


def load_streets(path: str | Path | None = None) -> Streets:
    """Return the streets of ``path`` (default: streets.yaml beside this module), read once.

    Raises:
        IngestError: the file is malformed (see Streets.from_config).
    """
    if path is None:
        # parse_address calls this per cell; resolving a path touches the file system.
        return _load_streets(_DEFAULT_STREETS_PATH)
    return _load_streets(str(Path(path).resolve()))


_DEFAULT_STREETS_PATH = str(STREETS_FILE.resolve())


# --- numbers written in Chinese ---------------------------------------------------

_HANZI_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_HANZI_UNITS = {"十": 10, "百": 100, "千": 1000}
_HANZI_RUN = re.compile("[〇○零一二两三四五六七八九十百千]+")


def hanzi_to_int(text: str) -> int:
    """Return the value of a number in Chinese numerals, either read digit by digit or with units.

    >>> hanzi_to_int("二六一"), hanzi_to_int("二百六十一"), hanzi_to_int("十二"), hanzi_to_int("三〇一")
    (261, 261, 12, 301)
    >>> hanzi_to_int("一百零五"), hanzi_to_int("两千零一十")
    (105, 2010)
    """
    if not any(c in _HANZI_UNITS for c in text):
        return int("".join(str(_HANZI_DIGITS[c]) for c in text))
    total = digit = 0
    for c in text:
        if c in _HANZI_UNITS:
            # "十二" means 12: a unit with no digit before it counts once.
            total += (digit or 1) * _HANZI_UNITS[c]
            digit = 0
        else:
            digit = _HANZI_DIGITS[c]
    return total + digit


_MAX_HANZI_RUN = 12  # "九千九百九十九" is 7; longer runs are no lane, number or room


def _arabic(match: re.Match) -> str:
    """Return the Arabic digits for one run of Chinese numerals (a run too long stays as is,
    and the address is then rejected as unreadable)."""
    if len(match.group()) > _MAX_HANZI_RUN:
        return match.group()
    return str(hanzi_to_int(match.group()))


# --- parsing ------------------------------------------------------------------------

_BRACKETED = re.compile(r"\s*[(\[【<《][^)\]】>》]*[)\]】>》]\s*")
_SEPARATORS = " \t,，、;；:：/"
_CN_REST = re.compile(r"""
    \s*(?:(?P<lane>[0-9]+)\s*弄\s*)?
    (?P<number>[0-9]+)
    (?:
        \s*(?:号楼|號樓|号|號|幢|栋|棟|座)\s*-?\s*(?:(?P<room>[0-9]+[A-Za-z]?)\s*(?:室|房|号房)?)?
      | \s*[-\s]\s*(?P<room2>[0-9]+[A-Za-z]?)\s*(?:室|房|号房)?
    )?
    \s*""", re.VERBOSE)
# Province, city, district or county at the start; 小区 (housing estate), 社区, 园区 … and
# 菜市 (market) end in the same characters but name places inside the area.
_OUTSIDE = re.compile(r"[\u4e00-\u9fff]{1,7}?(?:省|自治区|特别行政区|(?<![菜超夜])市|(?<![小社园校街景])区|县)")
_SOME_STREET = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:路|街|大道|公路|巷)")
_LATIN_LEAD = re.compile(r"[A-Za-z][A-Za-z .'’()-]*?(?=\s*[0-9〇○零一二两三四五六七八九十])")
_EN_ROOM = re.compile(r"\b(?:rm|room|flat|apt|apartment|unit|suite)\b\.?\s*#?\s*([0-9]+[a-z]?)\b",
                      re.IGNORECASE)
_EN_LANE = re.compile(r"\b(?:lane|ln|alley)\b\.?\s*#?\s*([0-9]+)\b", re.IGNORECASE)
_EN_NUMBER = re.compile(r"(?:\bno\.?|\bnumber|\bbldg\.?|\bbuilding|\bblock|#)\s*([0-9]+)\b",
                        re.IGNORECASE)
_POSTCODE = re.compile(r"\b[0-9]{6}\b")
_BARE_NUMBER = re.compile(r"^\W*([0-9]+)\b|\b([0-9]+)\W*$")
_MAX_NUMBER = 9999


_MAX_ROOM_DIGITS = 5


def _room(text: str | None) -> str | None:
    """Return a room number without leading zeros, letters upper-cased ("0301a" → "301A")."""
    if not text:
        return None
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return str(int(digits)) + text[len(digits):].upper()


def _parts(street: str, lane: str | None, number: str, room: str | None, raw: str) -> AddressParts:
    """Build AddressParts from matched text, rejecting numbers no building has."""
    # Digit runs are unbounded in the patterns; int() refuses more than 4,300 digits with a
    # bare ValueError, so length decides before any conversion (found by tests/fuzz).
    if any(len(part.lstrip("0")) > len(str(_MAX_NUMBER)) for part in (lane or "", number)):
        raise InvalidValueError(f"lane or building number above {_MAX_NUMBER}", raw)
    if room and len(room.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    .lstrip("0")) > _MAX_ROOM_DIGITS:
        raise InvalidValueError(f"room number has more than {_MAX_ROOM_DIGITS} digits", raw)
    lane_no = int(lane) if lane is not None else None
    number_no = int(number)
    if number_no == 0 or lane_no == 0:
        raise InvalidValueError("lane or building number is 0", raw)
    if number_no > _MAX_NUMBER or (lane_no or 0) > _MAX_NUMBER:
        raise InvalidValueError(f"lane or building number above {_MAX_NUMBER}", raw)
    return AddressParts(street, lane_no, number_no, _room(room))


def _parse_chinese_rest(street: str, rest: str, raw: str) -> AddressParts:
    """Read lane, number and room from what follows the street name."""
    rest = _HANZI_RUN.sub(_arabic, rest.strip(_SEPARATORS))
    m = _CN_REST.fullmatch(rest)
    if m:
        return _parts(street, m["lane"], m["number"], m["room"] or m["room2"], raw)
    if not rest:
        raise InvalidValueError(f"address has only the street {street}, no number", raw)
    if re.fullmatch(r"\s*[0-9]+\s*弄\s*", rest):
        raise InvalidValueError("address has a lane (弄) but no building number (号)", raw)
    raise InvalidValueError(f"cannot read lane (弄) and number (号) from {rest[:30]!r}", raw)


def _parse_english(text: str, streets: Streets, raw: str) -> AddressParts:
    """Read "Linfen Rd Lane 261 No.12 Rm 301" and its reorderings."""
    found: dict[str, str] = {}
    for field, pattern in (("room", _EN_ROOM), ("lane", _EN_LANE), ("number", _EN_NUMBER)):
        m = pattern.search(text)
        if m:
            found[field] = m.group(1)
            text = text[:m.start()] + " , " + text[m.end():]
    text = _POSTCODE.sub(" ", streets.english_area.sub(" ", text))
    if "number" not in found:
        m = _BARE_NUMBER.search(text)  # "375 Linfen Rd", as on envelopes
        if m:
            found["number"] = m.group(1) or m.group(2)
            text = text[:m.start()] + " " + text[m.end():]
    if any(c.isdigit() for c in text):
        raise InvalidValueError("English address has a number that is not lane, No. or room", raw)
    street = streets.match_english(text)
    if street is None:
        shown = " ".join(text.replace(",", " ").split())
        if not shown:
            raise InvalidValueError("address has no street name", raw)
        raise OutsideAreaError(f"street {shown[:40]!r} is not in the Linfen Road area "
                               "(ingest/streets.yaml)", raw)
    if "number" not in found:
        raise InvalidValueError("address has no building number (No.)", raw)
    return _parts(street, found.get("lane"), found["number"], found.get("room"), raw)


def _parse(raw: str, streets: Streets) -> AddressParts:
    """Parse one address string (uncached; see parse_address)."""
    m = streets.canonical.fullmatch(raw)
    if m:  # most cells are in the house style
        return AddressParts(streets.chinese[m[1]], int(m[2]), int(m[3]), m[4])
    text = to_halfwidth(raw).strip(_SEPARATORS)
    if not _has_cjk(text):
        # Brackets stay: in English they hold parts of names, "Yanchang Rd (M)".
        return _parse_english(text, streets, raw)
    text = _BRACKETED.sub(" ", text).strip(_SEPARATORS)
    stripped = True
    while stripped:
        stripped = False
        for prefix in streets.prefixes:
            if text.startswith(prefix):
                text = text[len(prefix):].lstrip(_SEPARATORS)
                stripped = True
    street = streets.match_chinese(text)
    if street is not None:
        return _parse_chinese_rest(streets.chinese[street], text[len(street):], raw)
    m = _LATIN_LEAD.match(text)  # "Linfen Rd 261弄12号"
    if m:
        name = streets.match_english(m.group())
        if name is not None:
            return _parse_chinese_rest(name, text[m.end():], raw)
    m = _OUTSIDE.match(text)
    if m:
        raise OutsideAreaError(f"address is outside the Linfen Road area ({m.group()})", raw)
    m = _SOME_STREET.match(text)
    if m:
        raise OutsideAreaError(
            f"street {m.group()} is not in the Linfen Road area (ingest/streets.yaml)", raw)
    raise InvalidValueError(f"no known street name at the start of {text[:30]!r}", raw)


# Exports repeat each building's address for every resident, so most rows hit the cache.
_parse_cached = lru_cache(maxsize=1 << 16)(_parse)


def parse_address(raw: object, streets: Streets | None = None) -> AddressParts:
    """Return the street, lane, number and room of a building address in any spelling.

    Handles spaces, full-width digits, Chinese numerals (二六一, 二百六十一, 十二), the
    suffixes 号楼/幢/栋, English forms ("Linfen Rd Lane 261 No.12 Rm 301",
    "No.12, Lane 261, Linfen Road"), leading 上海市/静安区/临汾路街道 and a room (301室).

    Args:
        raw: the cell.
        streets: the known streets; defaults to load_streets().

    Raises:
        MissingValueError: the cell is empty.
        OutsideAreaError: another district or province, or a street not in streets.yaml.
        InvalidValueError: no building number, or text that is not an address.

    >>> parse_address("上海市静安区临汾路二六一弄十二号三〇一室")
    AddressParts(street='临汾路', lane=261, number=12, room='301')
    """
    if is_missing(raw):
        raise MissingValueError("missing address", raw)
    if not isinstance(raw, str):
        raise InvalidValueError(f"an address must be text, not a {type(raw).__name__}", raw)
    return _parse_cached(raw, streets or load_streets())


def address_key(raw: object, streets: Streets | None = None) -> str:
    """Return the canonical building key "street|lane|number" of an address in any spelling.

    Raises the same errors as :func:`parse_address`.

    >>> address_key("Linfen Rd Lane 261 No.12"), address_key("临汾路 261 弄 12号楼")
    ('临汾路|261|12', '临汾路|261|12')
    """
    return parse_address(raw, streets).key()
