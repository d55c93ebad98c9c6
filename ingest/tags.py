"""Characteristic tags: a small declarative rule language, its validator and a vectorised engine.

The tags themselves live as data in ``ingest/tag_catalogue.yaml``; this module loads and
checks that file, compiles each rule into a tree of nodes, and evaluates the trees over the
resident table (one row per resolved resident) as boolean numpy masks.

Rule grammar
------------
A rule is a YAML mapping with exactly one key::

    node  := {all: [node, ...]}            every child matches
           | {any: [node, ...]}            at least one child matches
           | {not: node}                   the child does not match
           | {COLUMN: {OPERATOR: ARGUMENT}} a test on one column
           | {COLUMN: OPERATOR}            a test that takes no argument

``COLUMN`` is one of the names in :data:`COLUMNS`; for the dict column ``last_screening``
it is ``last_screening.<kind>`` (``last_screening.colorectal``). Operators, by column kind:

==================  ==================  ==============================================
operator            column kinds        argument / meaning
==================  ==================  ==============================================
``eq``, ``ne``      text, number        one value; ``ne`` matches known values only
``in``              text, number        a non-empty list of values
``gte``, ``lte``    number              a number, inclusive
``between``         number              ``[lo, hi]``, inclusive, ``lo <= hi``
``is_true``         flag                no argument
``is_false``        flag                no argument
``present``         any                 no argument; the value is known
``missing``         any                 no argument; None, NaN, NaT or empty text
``contains``        list                one item
``contains_any``    list                a non-empty list of items
``size_gte``        list                an integer >= 0 (length of the list)
``within_days``     date                integer N: ``ref - N <= value <= ref``
``older_than_days`` date                integer N: ``value < ref - N``
==================  ==================  ==============================================

``ref`` is the reference date passed to :func:`compute_tags`. Text values, list items and
dict keys are checked against each column's vocabulary where it has one, so a typo such as
``contains: diabetis`` fails at load time rather than matching nobody.

Missing values never match a test other than ``missing``: a NaN age is neither ``gte: 60``
nor ``lte: 59``, an unknown flag is neither ``is_true`` nor ``is_false``, and ``ne`` only
matches known values. ``not`` is the plain complement, so ``not: {age: {gte: 60}}`` *does*
match an unknown age, and ``not: {last_screening.colorectal: {within_days: 1095}}`` matches
a resident who was never screened, which is what a gap ("silent") tag wants. Write
``lte: 59`` rather than ``not gte: 60`` when unknown values must stay out. ``present`` on a
list column is true for an empty list; use ``size_gte: 1`` for "non-empty".

``age`` is recomputed in completed years on the reference date from ``birth_date`` where
that is known (the table's own ``age`` fills the gaps), so a run for another date ages
everyone consistently.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd
import yaml

from graph.errors import IngestError

__all__ = [
    "COLUMNS", "CATEGORIES", "OPERATORS", "CATALOGUE_PATH", "Column", "TagRule",
    "AllOf", "AnyOf", "Not", "Leaf", "compile_rule", "parse_catalogue", "load_catalogue",
    "compute_tags", "catalogue_markdown", "replace_catalogue_section", "tag_rows",
]

CATALOGUE_PATH = Path(__file__).with_name("tag_catalogue.yaml")

# --- the columns a rule may name ---------------------------------------------------------

TEXT, NUMBER, FLAG, DATE, LIST, DICT = "text", "number", "flag", "date", "list", "dict"


@dataclass(frozen=True)
class Column:
    """One column of the resident table as rules see it: its kind and, if closed, its values.

    For a list column ``values`` are the allowed items; for a dict column, the allowed keys
    (whose values are dates).
    """

    kind: str
    values: frozenset[str] | None = None


def _enum(*values: str) -> frozenset[str]:
    return frozenset(values)


CONDITIONS = _enum("hypertension", "diabetes", "chd", "copd", "stroke", "alzheimers")
SCREENINGS = _enum("elderly_checkup", "colorectal", "cognitive", "diabetic_eye")
MATTERS = _enum(
    "senior_allowance", "senior_card", "ltc_assessment", "home_care", "meal_service",
    "medical_card", "employment_registration", "flexible_employment_subsidy", "housing_fund",
    "birth_registration", "child_hospital_fund", "disability_card", "dibao",
    "residence_permit",
)
SKILLS = _enum(
    "first_aid", "calligraphy", "it_help", "legal_advice", "counselling", "haircut",
    "appliance_repair", "sign_language", "translation", "performance", "health_talk",
    "waste_sorting", "elderly_companion", "painting", "photography",
)

#: Every column a rule may name. The ingest pipeline's resident table must carry the
#: columns the loaded rules use (``age`` may come from ``birth_date`` alone).
COLUMNS: dict[str, Column] = {
    "resident_id": Column(TEXT),
    "name": Column(TEXT),
    "sex": Column(TEXT, _enum("M", "F")),
    "birth_date": Column(DATE),
    "age": Column(NUMBER),
    "phone": Column(TEXT),
    "ethnicity": Column(TEXT),
    "household_id": Column(TEXT),
    "relation": Column(TEXT, _enum("head", "spouse", "child", "grandchild", "child_in_law",
                                   "other")),
    "household_size": Column(NUMBER),
    "lives_alone": Column(FLAG),
    "building_id": Column(TEXT),
    "floor": Column(NUMBER),
    "area_id": Column(TEXT),
    "registered_elsewhere": Column(FLAG),
    "registered_outside_district": Column(FLAG),
    "migrant": Column(FLAG),
    "political_status": Column(TEXT, _enum("party_member", "league_member",
                                           "democratic_party", "masses")),
    "party_member": Column(FLAG),
    "employment": Column(TEXT, _enum("preschool", "student", "employed", "flexible",
                                     "unemployed", "jobless", "retired")),
    "low_income_kind": Column(TEXT, _enum("dibao", "low_income", "tekun")),
    "disabled": Column(FLAG),
    "disability_grade": Column(NUMBER),
    "disability_type": Column(TEXT, _enum("limb", "visual", "hearing", "speech",
                                          "intellectual", "mental", "multiple")),
    "lone_elderly_register": Column(FLAG),
    "guolao": Column(FLAG),
    "chronic_conditions": Column(LIST, CONDITIONS),
    "family_doctor": Column(FLAG),
    "ltc_level": Column(NUMBER),
    "care_mode": Column(TEXT, _enum("home", "day_care", "institution")),
    "home_care_hours_week": Column(NUMBER),
    "last_screening": Column(DICT, SCREENINGS),
    "serious_illness_last_visit": Column(DATE),
    "serious_illness_category": Column(TEXT, _enum("cancer", "dialysis", "transplant",
                                                   "mental")),
    "applications": Column(LIST, MATTERS),
    "bookings_count": Column(NUMBER),
    "attended_count": Column(NUMBER),
    "volunteer": Column(FLAG),
    "volunteer_skills": Column(LIST, SKILLS),
    "volunteer_hours": Column(NUMBER),
    "official": Column(FLAG),
    "building_floors": Column(NUMBER),
    "building_has_elevator": Column(FLAG),
    "building_build_year": Column(NUMBER),
    "building_ownership": Column(TEXT),
    "has_meter": Column(FLAG),
    "water_no_use_hours": Column(NUMBER),
}

#: The application areas a tag belongs to; the web app groups tags by these.
CATEGORIES: tuple[str, ...] = (
    "population", "elderly_care", "health", "disability", "civil_affairs",
    "family_children", "party_volunteering", "housing", "employment", "participation",
    "risk",
)

_ANY_KIND = frozenset({TEXT, NUMBER, FLAG, DATE, LIST, DICT})

#: operator → (column kinds it applies to, argument shape). ``None`` means "no argument".
OPERATORS: dict[str, tuple[frozenset[str], str | None]] = {
    "eq": (frozenset({TEXT, NUMBER}), "scalar"),
    "ne": (frozenset({TEXT, NUMBER}), "scalar"),
    "in": (frozenset({TEXT, NUMBER}), "scalars"),
    "gte": (frozenset({NUMBER}), "scalar"),
    "lte": (frozenset({NUMBER}), "scalar"),
    "between": (frozenset({NUMBER}), "range"),
    "is_true": (frozenset({FLAG}), None),
    "is_false": (frozenset({FLAG}), None),
    "present": (_ANY_KIND, None),
    "missing": (_ANY_KIND, None),
    "contains": (frozenset({LIST}), "scalar"),
    "contains_any": (frozenset({LIST}), "scalars"),
    "size_gte": (frozenset({LIST}), "count"),
    "within_days": (frozenset({DATE}), "count"),
    "older_than_days": (frozenset({DATE}), "count"),
}

COMBINATORS = ("all", "any", "not")

# --- compiled rules ---------------------------------------------------------------------------
# Nodes are frozen and hashable so that identical sub-rules shared by many tags (age >= 60
# appears in dozens) are evaluated once per run: the evaluator caches masks by node.


@dataclass(frozen=True)
class Leaf:
    """A leaf: ``op`` applied to ``column`` (and ``key`` of a dict column) with ``arg``."""

    column: str
    op: str
    arg: object = None
    key: str | None = None


@dataclass(frozen=True)
class AllOf:
    """Matches where every child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """Matches where at least one child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Matches where the child does not (two-valued: unknown becomes a match)."""

    child: Node


Node = Union[Leaf, AllOf, AnyOf, Not]


@dataclass(frozen=True)
class TagRule:
    """One catalogue entry: a tag's identity and its compiled condition."""

    tag_id: str
    category: str
    description: str
    condition: Node = field(repr=False)
    label_zh: str | None = None

    @property
    def columns(self) -> frozenset[str]:
        """Return the resident-table columns the condition reads."""
        return frozenset(_columns_of(self.condition))


def _columns_of(node: Node) -> Iterable[str]:
    if isinstance(node, Leaf):
        yield node.column
    elif isinstance(node, Not):
        yield from _columns_of(node.child)
    else:
        for child in node.children:
            yield from _columns_of(child)


# --- validation and compilation -------------------------------------------------------------

_TAG_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_ENTRY_KEYS = {"id", "category", "description", "label_zh", "rule"}


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_number(value: object) -> bool:
    # YAML's true/false are ints to Python; a flag where a number belongs is a mistake.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compile_rule(rule: object, tag_id: str = "<rule>") -> Node:
    """Compile one rule mapping into a node tree, checking every column, operator and value.

    Args:
        rule: the parsed YAML (or an equivalent dict) of one rule.
        tag_id: the tag the rule belongs to, for error messages.

    Returns:
        The root node, ready for :func:`compute_tags` (via a :class:`TagRule`).

    Raises:
        IngestError: one line per problem, each naming the tag and where in the rule.

    >>> compile_rule({"any": [{"age": {"gte": 60}}, {"lives_alone": "is_true"}]})
    ... # doctest: +NORMALIZE_WHITESPACE
    AnyOf(children=(Leaf(column='age', op='gte', arg=60, key=None),
                    Leaf(column='lives_alone', op='is_true', arg=None, key=None)))
    """
    problems: list[str] = []
    node = _compile(rule, "rule", problems)
    if problems:
        raise IngestError("\n".join(f"tag {tag_id!r}: {p}" for p in problems))
    return node


def _compile(raw: object, where: str, problems: list[str]) -> Node:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        problems.append(f"{where}: expected a mapping with one key (all, any, not or a column), "
                        f"got {raw!r}")
        return AllOf(())
    (head, body), = raw.items()
    if head in ("all", "any"):
        if not isinstance(body, list) or not body:
            problems.append(f"{where}.{head}: expected a non-empty list of rules, got {body!r}")
            return AllOf(())
        children = tuple(_compile(child, f"{where}.{head}[{i}]", problems)
                         for i, child in enumerate(body))
        return AllOf(children) if head == "all" else AnyOf(children)
    if head == "not":
        return Not(_compile(body, f"{where}.not", problems))
    return _compile_test(str(head), body, f"{where}.{head}", problems)


def _compile_test(name: str, body: object, where: str, problems: list[str]) -> Node:
    column_name, _, key = name.partition(".")
    column = COLUMNS.get(column_name)
    if column is None:
        problems.append(f"{where}: unknown column {column_name!r}"
                        f"{_suggest(column_name, [*COLUMNS, *COMBINATORS])}")
        return AllOf(())
    kind = column.kind
    if key:
        if kind != DICT:
            problems.append(f"{where}: only dict columns take a '.key'; {column_name!r} is {kind}")
            return AllOf(())
        if key not in column.values:
            problems.append(f"{where}: unknown key {key!r} of {column_name!r}"
                            f"{_suggest(key, column.values)}; known: {sorted(column.values)}")
            return AllOf(())
        kind = DATE  # dict columns hold dates by key
    if isinstance(body, str):
        op, arg = body, None
        takes_arg = OPERATORS.get(op, (None, "scalar"))[1] is not None
        if op in OPERATORS and takes_arg:
            problems.append(f"{where}: operator {op!r} needs an argument, "
                            f"write {{{op}: ...}}")
            return AllOf(())
    elif isinstance(body, Mapping) and len(body) == 1:
        (op, arg), = body.items()
        if op in OPERATORS and OPERATORS[op][1] is None:
            problems.append(f"{where}: operator {op!r} takes no argument, write '{name}: {op}'")
            return AllOf(())
    else:
        problems.append(f"{where}: expected {{operator: argument}} or an operator name, "
                        f"got {body!r}")
        return AllOf(())
    if op not in OPERATORS:
        problems.append(f"{where}: unknown operator {op!r}{_suggest(str(op), OPERATORS)}; "
                        f"known: {', '.join(OPERATORS)}")
        return AllOf(())
    kinds, shape = OPERATORS[op]
    if kind not in kinds:
        problems.append(f"{where}: operator {op!r} does not apply to {kind} column {name!r}")
        return AllOf(())
    checked = _check_argument(op, shape, arg, kind, column, where, problems)
    return Leaf(column_name, op, checked, key or None)


def _check_argument(op, shape, arg, kind, column, where, problems):
    """Return the argument in hashable form, or record why it is wrong."""
    if shape is None:
        return None
    if shape == "count":
        if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
            problems.append(f"{where}: {op} needs a whole number >= 0, got {arg!r}")
        return arg
    if shape == "range":
        if (not isinstance(arg, list) or len(arg) != 2 or not all(map(_is_number, arg))):
            problems.append(f"{where}: between needs [lo, hi] numbers, got {arg!r}")
            return None
        if arg[0] > arg[1]:
            problems.append(f"{where}: between needs lo <= hi, got {arg!r}")
        return tuple(arg)
    values = arg if shape == "scalars" else [arg]
    if shape == "scalars" and (not isinstance(arg, list) or not arg):
        problems.append(f"{where}: {op} needs a non-empty list, got {arg!r}")
        return None
    for value in values:
        if kind == NUMBER and not _is_number(value):
            problems.append(f"{where}: {op} needs a number, got {value!r}")
        elif kind in (TEXT, LIST) and not isinstance(value, str):
            problems.append(f"{where}: {op} needs text, got {value!r}")
        elif kind in (TEXT, LIST) and column.values and value not in column.values:
            problems.append(f"{where}: {value!r} is not a value of this column"
                            f"{_suggest(value, column.values)}; known: {sorted(column.values)}")
    return tuple(values) if shape == "scalars" else arg


def parse_catalogue(entries: object, source: str = "tag catalogue") -> list[TagRule]:
    """Validate and compile a whole catalogue (the list under ``tags:``) in one pass.

    Every problem in every entry is collected first, so one run shows all that needs fixing.

    Raises:
        IngestError: listing each problem as ``tag '<id>': <what is wrong>``.
    """
    if not isinstance(entries, list):
        raise IngestError(f"{source}: expected a list of tags under 'tags:', "
                          f"got {type(entries).__name__}")
    problems: list[str] = []
    rules: list[TagRule] = []
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"entry {number}: expected a mapping, got {entry!r}")
            continue
        tag_id = entry.get("id")
        label = f"tag {tag_id!r}" if isinstance(tag_id, str) else f"entry {number}"
        mine: list[str] = []
        if not isinstance(tag_id, str) or not _TAG_ID.match(tag_id):
            mine.append(f"id must be snake_case text, got {tag_id!r}")
        elif tag_id in first_seen:
            mine.append(f"duplicate id (first defined as entry {first_seen[tag_id]})")
        else:
            first_seen[tag_id] = number
        if unknown := sorted(set(entry) - _ENTRY_KEYS):
            mine.append(f"unknown keys {unknown}; allowed: {sorted(_ENTRY_KEYS)}")
        category = entry.get("category")
        if category not in CATEGORIES:
            mine.append(f"category {category!r} is not one of {list(CATEGORIES)}"
                        f"{_suggest(str(category), CATEGORIES)}")
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip():
            mine.append("needs a description (one English sentence)")
        label_zh = entry.get("label_zh")
        if label_zh is not None and not isinstance(label_zh, str):
            mine.append(f"label_zh must be text, got {label_zh!r}")
        if "rule" not in entry:
            mine.append("has no rule")
            condition: Node = AllOf(())
        else:
            condition = _compile(entry["rule"], "rule", mine)
        problems.extend(f"{label}: {p}" for p in mine)
        if not mine:
            rules.append(TagRule(tag_id, category, description.strip(), condition, label_zh))
    if problems:
        raise IngestError(f"{source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return rules


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> tuple[TagRule, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise IngestError(f"Cannot read the tag catalogue {path}: {e.strerror}") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise IngestError(f"{path} is not valid YAML: {e}") from e
    if not isinstance(data, Mapping) or "tags" not in data:
        raise IngestError(f"{path}: expected a mapping with a 'tags:' list at the top")
    if unknown := sorted(set(data) - {"version", "tags"}):
        raise IngestError(f"{path}: unknown top-level keys {unknown}; allowed: version, tags")
    return tuple(parse_catalogue(data["tags"], source=str(path)))


def load_catalogue(path: str | Path | None = None) -> list[TagRule]:
    """Load, validate and compile the tag catalogue; each file is read once per process.

    Args:
        path: a catalogue YAML; defaults to ``ingest/tag_catalogue.yaml``.

    Returns:
        The rules in catalogue order (a fresh list; the rules themselves are immutable).

    Raises:
        IngestError: the file is unreadable or any entry is invalid (all problems listed).
    """
    return list(_load_cached(str(Path(path or CATALOGUE_PATH).resolve())))


load_catalogue.cache_clear = _load_cached.cache_clear  # for tests that rewrite a file


# --- evaluation --------------------------------------------------------------------------------

_NAT = np.datetime64("NaT", "D")


def _as_date(value: date | datetime | pd.Timestamp) -> date:
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.date()
    if isinstance(value, date):
        return value
    raise IngestError(f"reference_date must be a date, got {value!r}")


class _Evaluator:
    """Masks over one resident table for one reference date, each column prepared once.

    Columns are converted to numpy the first time a rule reads them (lists and dicts with
    one Python pass each, because they cannot be vectorised), and every node's mask is
    cached, so shared sub-rules cost nothing the second time.
    """

    def __init__(self, frame: pd.DataFrame, reference: date):
        self.frame = frame
        self.n = len(frame)
        self.ref = np.datetime64(reference, "D")
        self.reference = reference
        self._prepared: dict[tuple, object] = {}
        self._masks: dict[Node, np.ndarray] = {}

    def _cached(self, key: tuple, build):
        if key not in self._prepared:
            self._prepared[key] = build()
        return self._prepared[key]

    # column preparation

    def objects(self, column: str) -> np.ndarray:
        return self._cached(("obj", column),
                            lambda: self.frame[column].to_numpy(dtype=object, copy=True))

    def text(self, column: str) -> np.ndarray:
        def build():
            values = self.objects(column).copy()
            # Exports write "no value" as an empty cell as often as a null.
            values[pd.isna(values)] = None  # before ==, which pd.NA refuses
            values[values == ""] = None
            return values
        return self._cached(("text", column), build)

    def number(self, column: str) -> np.ndarray:
        if column == "age":
            return self._cached(("age",), self._age)
        return self._cached(("num", column), lambda: self._to_float(self.frame[column]))

    @staticmethod
    def _to_float(series: pd.Series) -> np.ndarray:
        numbers = pd.to_numeric(series, errors="coerce")
        return numbers.to_numpy(dtype=float, na_value=np.nan)

    def _age(self) -> np.ndarray:
        given = (self._to_float(self.frame["age"]) if "age" in self.frame
                 else np.full(self.n, np.nan))
        if "birth_date" not in self.frame:
            return given
        born = self.dates("birth_date")
        known = ~np.isnat(born)
        years = born.astype("datetime64[Y]").astype(np.int64) + 1970
        month_day = ((born.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100
                     + (born - born.astype("datetime64[M]")).astype(np.int64) + 1)
        ref_month_day = self.reference.month * 100 + self.reference.day
        age = (self.reference.year - years - (month_day > ref_month_day)).astype(float)
        # A birth date after the reference date is a defect, not a negative age.
        age[~known | (age < 0)] = np.nan
        return np.where(known, age, given)

    def flags(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (is True, is False) masks; anything else (None, NA, NaN) is neither."""
        def build():
            series = self.frame[column]
            if series.dtype == bool:
                values = series.to_numpy()
                return values, ~values
            if isinstance(series.dtype, pd.BooleanDtype):
                return (series.to_numpy(dtype=bool, na_value=False),
                        (~series).to_numpy(dtype=bool, na_value=False))
            # Object columns mix True/False with None, NaN and pd.NA, whose == raises.
            values = series.to_numpy(dtype=object)
            true = np.fromiter((v is True or v is np.True_ for v in values), bool, self.n)
            false = np.fromiter((v is False or v is np.False_ for v in values), bool, self.n)
            return true, false
        return self._cached(("flag", column), build)

    def dates(self, column: str, key: str | None = None) -> np.ndarray:
        def build():
            if key is None:
                series = self.frame[column]
            else:
                # isinstance(v, dict) runs in C; an abc.Mapping check costs ~10x more.
                series = pd.Series([v.get(key) if isinstance(v, dict) else None
                                    for v in self.objects(column)], dtype=object)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # format inference chatter on odd cells
                stamps = pd.to_datetime(series, errors="coerce")
            if getattr(stamps.dtype, "tz", None) is not None:
                stamps = stamps.dt.tz_localize(None)
            return stamps.to_numpy().astype("datetime64[D]")
        return self._cached(("date", column, key), build)

    def items(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (is a list, length, flattened items, owning row of each item)."""
        def build():
            values = self.objects(column)
            is_list = np.fromiter((isinstance(v, (list, tuple, set, frozenset, np.ndarray))
                                   for v in values), bool, self.n)
            lengths = np.zeros(self.n, dtype=np.int64)
            lengths[is_list] = [len(v) for v in values[is_list]]
            flat = np.empty(int(lengths.sum()), dtype=object)
            if len(flat):
                flat[:] = [item for v in values[is_list] for item in v]
            owners = np.repeat(np.arange(self.n), lengths)
            return is_list, lengths, flat, owners
        return self._cached(("list", column), build)

    def present(self, column: str, key: str | None) -> np.ndarray:
        kind = COLUMNS[column].kind
        if key is not None or kind == DATE:
            return ~np.isnat(self.dates(column, key))
        if kind == NUMBER:
            return ~np.isnan(self.number(column))
        if kind == FLAG:
            true, false = self.flags(column)
            return true | false
        if kind == LIST:
            return self.items(column)[0]
        if kind == DICT:
            return np.fromiter((isinstance(v, dict) for v in self.objects(column)),
                               bool, self.n)
        return np.fromiter((v is not None for v in self.text(column)), bool, self.n)

    # masks

    def mask(self, node: Node) -> np.ndarray:
        cached = self._masks.get(node)
        if cached is None:
            cached = self._masks[node] = self._evaluate(node)
        return cached

    def _evaluate(self, node: Node) -> np.ndarray:
        if isinstance(node, AllOf):
            return np.logical_and.reduce([self.mask(c) for c in node.children])
        if isinstance(node, AnyOf):
            return np.logical_or.reduce([self.mask(c) for c in node.children])
        if isinstance(node, Not):
            return ~self.mask(node.child)
        return self._test(node)

    def _test(self, t: Leaf) -> np.ndarray:
        op, arg, column = t.op, t.arg, t.column
        if op == "present":
            return self.present(column, t.key)
        if op == "missing":
            return ~self.present(column, t.key)
        if op in ("is_true", "is_false"):
            return self.flags(column)[0 if op == "is_true" else 1]
        if op in ("within_days", "older_than_days"):
            values = self.dates(column, t.key)
            start = self.ref - np.timedelta64(arg, "D")
            if op == "within_days":
                return (values >= start) & (values <= self.ref)
            return values < start
        if op in ("contains", "contains_any", "size_gte"):
            is_list, lengths, flat, owners = self.items(column)
            if op == "size_gte":
                return is_list & (lengths >= arg)
            wanted = (arg,) if op == "contains" else arg
            hits = pd.Series(flat, dtype=object).isin(wanted).to_numpy()
            result = np.zeros(self.n, dtype=bool)
            result[owners[hits]] = True
            return result
        if COLUMNS[column].kind == NUMBER:
            values = self.number(column)
            with np.errstate(invalid="ignore"):
                if op == "eq":
                    return values == arg
                if op == "ne":
                    return ~np.isnan(values) & (values != arg)
                if op == "in":
                    return np.isin(values, np.asarray(arg, dtype=float))
                if op == "gte":
                    return values >= arg
                if op == "lte":
                    return values <= arg
                if op == "between":
                    return (values >= arg[0]) & (values <= arg[1])
        values = self.text(column)
        if op == "eq":
            return values == arg
        if op == "ne":
            return np.fromiter((v is not None for v in values), bool, self.n) & (values != arg)
        if op == "in":
            return pd.Series(values, dtype=object).isin(arg).to_numpy()
        raise AssertionError(f"compile_rule let through {op!r} on {column!r}")  # pragma: no cover


def _required_columns(rules: Sequence[TagRule], frame: pd.DataFrame) -> dict[str, list[str]]:
    """Map each column the rules need but the table lacks to the tags that need it."""
    lacking: dict[str, list[str]] = {}
    have = set(frame.columns)
    for rule in rules:
        for column in sorted(rule.columns):
            if column == "age" and ("age" in have or "birth_date" in have):
                continue
            if column not in have:
                lacking.setdefault(column, []).append(rule.tag_id)
    return lacking


def compute_tags(residents: pd.DataFrame, rules: Iterable[TagRule],
                 reference_date: date) -> pd.DataFrame:
    """Evaluate every rule over the resident table and return who carries which tag.

    Args:
        residents: one row per resident; needs ``resident_id`` and the columns the rules
            read (see :data:`COLUMNS`). Rows without a resident_id get no tags.
        rules: compiled rules, usually :func:`load_catalogue`.
        reference_date: the date ages and ``within_days`` windows are measured from.

    Returns:
        A DataFrame with columns ``resident_id`` and ``tag_id``, one row per pair, sorted by
        both and free of duplicates, so equal inputs give identical frames whatever their
        row or rule order.

    Raises:
        IngestError: two rules share an id, or the table lacks a column a rule reads.
    """
    rules = list(rules)
    reference = _as_date(reference_date)
    tag_ids = sorted({r.tag_id for r in rules})
    if len(tag_ids) != len(rules):
        seen: set[str] = set()
        twice = sorted({r.tag_id for r in rules if r.tag_id in seen or seen.add(r.tag_id)})
        raise IngestError(f"Rules passed to compute_tags repeat the tag ids {twice}")
    if "resident_id" not in residents.columns:
        raise IngestError("The resident table has no resident_id column")
    if lacking := _required_columns(rules, residents):
        detail = "; ".join(f"{c!r} (needed by {', '.join(t[:3])}{' …' if len(t) > 3 else ''})"
                           for c, t in sorted(lacking.items()))
        raise IngestError(f"The resident table lacks columns the tag rules read: {detail}")

    evaluator = _Evaluator(residents.reset_index(drop=True), reference)
    ids = evaluator.text("resident_id")
    has_id = np.fromiter((v is not None for v in ids), bool, len(ids))
    # Work on integer codes: resident rank × number of tags + tag rank sorts into the final
    # order, and sorting ints is far cheaper than sorting a million string pairs.
    resident_rank, unique_ids = pd.factorize(ids[has_id].astype(str), sort=True)
    rank_of_row = np.full(len(ids), -1, dtype=np.int64)
    rank_of_row[has_id] = resident_rank
    width = max(len(tag_ids), 1)
    tag_rank = {tag_id: i for i, tag_id in enumerate(tag_ids)}
    codes = [rank_of_row[np.flatnonzero(evaluator.mask(rule.condition) & has_id)] * width
             + tag_rank[rule.tag_id] for rule in rules]
    pairs = np.sort(np.concatenate(codes)) if codes else np.empty(0, dtype=np.int64)
    # A resident id repeated on two rows would give the same pair twice.
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    resident_ids = pd.array(np.asarray(unique_ids, dtype=object), dtype="str")
    tag_names = pd.array(np.asarray(tag_ids, dtype=object), dtype="str")
    return pd.DataFrame({"resident_id": resident_ids.take(pairs // width),
                         "tag_id": tag_names.take(pairs % width)})


# --- catalogue as documentation and as Tag nodes ----------------------------------------------

CATALOGUE_BEGIN = "<!-- catalogue:begin (generated by ingest.tags.catalogue_markdown) -->"
CATALOGUE_END = "<!-- catalogue:end -->"


def tag_rows(rules: Iterable[TagRule]) -> list[dict[str, str]]:
    """Return one property dict per tag for the (:Tag) nodes, in catalogue order."""
    return [{"tag_id": r.tag_id, "description": r.description, "category": r.category,
             **({"label_zh": r.label_zh} if r.label_zh else {})} for r in rules]


def catalogue_markdown(rules: Iterable[TagRule] | None = None) -> str:
    """Return the catalogue as a Markdown table (id, category, 中文, description).

    >>> rule = TagRule("party_member", "party_volunteering", "A | member.",
    ...                Leaf("party_member", "is_true"))
    >>> print(catalogue_markdown([rule]))
    | id | category | 中文 | description |
    |---|---|---|---|
    | `party_member` | party_volunteering |  | A \\| member. |
    """
    rules = load_catalogue() if rules is None else list(rules)
    lines = ["| id | category | 中文 | description |", "|---|---|---|---|"]
    for r in rules:
        cells = [f"`{r.tag_id}`", r.category, r.label_zh or "", r.description]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def replace_catalogue_section(document: str, rules: Iterable[TagRule] | None = None) -> str:
    """Return ``document`` with the text between the catalogue markers regenerated.

    Raises:
        IngestError: the document lacks the begin/end markers.
    """
    begin, end = document.find(CATALOGUE_BEGIN), document.find(CATALOGUE_END)
    if begin < 0 or end < begin:
        raise IngestError(f"The document lacks the markers {CATALOGUE_BEGIN!r} … "
                          f"{CATALOGUE_END!r}; add them where the table belongs")
    head = document[:begin + len(CATALOGUE_BEGIN)]
    return f"{head}\n{catalogue_markdown(rules)}\n{document[end:]}"


if __name__ == "__main__":
    # python -m ingest.tags docs/TAGS.md  — regenerate the catalogue table in place.
    for target in map(Path, sys.argv[1:]):
        target.write_text(replace_catalogue_section(target.read_text(encoding="utf-8")),
                          encoding="utf-8")
        print(f"updated {target}")
