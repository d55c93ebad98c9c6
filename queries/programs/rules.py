"""Eligibility rules of programs: validated from plain data, compiled to parametrised Cypher.

A rule is a mapping (from ``catalogue.yaml``) of conditions that must all hold::

    sex: F                                  # F or M
    age: {between: [50, 74]}                # or gte / lte; completed years on the reference date
    tags: {all: [retired], any: [...], none: [...]}   # characteristic tags (ingest/tag_catalogue.yaml)
    areas: [310106012001]                   # lives in one of these residential areas
    migrant: false                          # true / false
    any: [<rule>, <rule>]                   # at least one sub-rule holds
    exclude:                                # none of these holds
      - screened: {kind: colorectal, within_days: 1095}
      - applied: meal_service               # an application for this matter, ever
      - tags: [ltc_assessed]

``compile_rule`` turns it into a WHERE clause with ``$parameters`` and chooses an anchor: the
first tag of ``tags.all`` when there is one (a Tag lookup and a walk over HAS_TAG, fast), else
the Resident label with the birth-date index. Values never enter the query text; property
names come from closed lists here.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable

from graph.errors import MinqingError

SCREENING_KINDS = ("elderly_checkup", "colorectal", "cognitive", "diabetic_eye", "dual_cancer")
APPLICATION_MATTERS = ("senior_allowance", "senior_card", "ltc_assessment", "home_care",
                       "meal_service", "medical_card", "employment_registration",
                       "flexible_employment_subsidy", "housing_fund", "birth_registration",
                       "child_hospital_fund", "disability_card", "dibao", "residence_permit")
RULE_KEYS = ("sex", "age", "tags", "areas", "migrant", "any", "exclude")
EXCLUDE_KEYS = ("screened", "applied", "tags")
MAX_AGE = 130


class RuleError(MinqingError):
    """An eligibility rule that cannot be compiled; the message names the program and key."""


@dataclass
class CompiledRule:
    """A rule as Cypher: ``anchor`` binds ``r``, ``where`` filters it, ``params`` fill both."""

    anchor: str
    where: str
    params: dict[str, Any]
    tags: list[str] = field(default_factory=list)  # every tag the rule reads, for reasons


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def birth_bounds(age: dict, reference: dt.date, where: str) -> tuple[str | None, str | None]:
    """Turn an age condition into ISO birth-date bounds ``(earliest, latest)``, inclusive.

    Completed years on ``reference``: aged ≥ 60 means born on or before reference − 60 years;
    aged ≤ 74 means born after reference − 75 years.

    >>> birth_bounds({"between": [50, 74]}, dt.date(2025, 6, 30), "x")
    ('1950-07-01', '1975-06-30')
    >>> birth_bounds({"gte": 65}, dt.date(2024, 2, 29), "x")
    (None, '1959-02-28')
    """
    if not isinstance(age, dict) or not age or set(age) - {"gte", "lte", "between"}:
        raise RuleError(f"{where}: age takes gte, lte or between, e.g. {{between: [60, 74]}}; "
                        f"got {age!r}")
    low, high = age.get("gte"), age.get("lte")
    if "between" in age:
        pair = age["between"]
        if not (isinstance(pair, list) and len(pair) == 2):
            raise RuleError(f"{where}: age.between needs two numbers, got {pair!r}")
        low, high = pair
    for value in (low, high):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= MAX_AGE):
            raise RuleError(f"{where}: ages must be whole numbers from 0 to {MAX_AGE}, "
                            f"got {value!r}")
    if low is not None and high is not None and low > high:
        raise RuleError(f"{where}: impossible age range {low}–{high} (lower bound above upper)")
    latest = _years_before(reference, low).isoformat() if low is not None else None
    earliest = None
    if high is not None:
        earliest = (_years_before(reference, high + 1) + dt.timedelta(days=1)).isoformat()
    return earliest, latest


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year - years, day=28)


class _Compiler:
    def __init__(self, where: str, reference: dt.date, known_tags: frozenset[str],
                 known_areas: frozenset[str] | None):
        self.where = where
        self.reference = reference
        self.known_tags = known_tags
        self.known_areas = known_areas
        self.params: dict[str, Any] = {}
        self.tags: list[str] = []

    def param(self, stem: str, value: Any) -> str:
        name = f"{stem}_{len(self.params)}"
        self.params[name] = value
        return "$" + name

    def tag_list(self, value: Any, where: str) -> list[str]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise RuleError(f"{where}: expected a non-empty list of tag ids, got {value!r}")
        for tag in value:
            if tag not in self.known_tags:
                raise RuleError(f"{where}: unknown tag {tag!r}"
                                f"{_suggest(tag, self.known_tags)}; tags are listed in "
                                f"docs/TAGS.md")
            if tag not in self.tags:
                self.tags.append(tag)
        return value

    def has_tag(self, tag: str) -> str:
        return f"(r)-[:HAS_TAG]->(:Tag {{tag_id: {self.param('tag', tag)}}})"

    def rule(self, rule: Any, where: str, skip_tag: str | None = None) -> list[str]:
        if not isinstance(rule, dict) or not rule:
            raise RuleError(f"{where}: a rule is a mapping of conditions, got {rule!r}")
        clauses: list[str] = []
        for key, value in rule.items():
            at = f"{where}.{key}"
            if key == "sex":
                if value not in ("F", "M"):
                    raise RuleError(f"{at}: sex is F or M, got {value!r}")
                clauses.append(f"r.sex = {self.param('sex', value)}")
            elif key == "age":
                earliest, latest = birth_bounds(value, self.reference, at)
                if latest is not None:
                    clauses.append(f"r.birth_date <= {self.param('born_latest', latest)}")
                if earliest is not None:
                    clauses.append(f"r.birth_date >= {self.param('born_earliest', earliest)}")
            elif key == "tags":
                clauses += self.tags_clause(value, at, skip_tag)
            elif key == "areas":
                clauses.append(self.areas_clause(value, at))
            elif key == "migrant":
                if not isinstance(value, bool):
                    raise RuleError(f"{at}: migrant is true or false, got {value!r}")
                clauses.append("coalesce(r.migrant, false) = true" if value
                               else "coalesce(r.migrant, false) = false")
            elif key == "any":
                if not isinstance(value, list) or len(value) < 2:
                    raise RuleError(f"{at}: any needs a list of at least two sub-rules")
                parts = [" AND ".join(self.rule(sub, f"{at}[{i}]")) for i, sub in
                         enumerate(value)]
                clauses.append("(" + " OR ".join(f"({p})" for p in parts) + ")")
            elif key == "exclude":
                clauses += self.exclude_clauses(value, at)
            else:
                raise RuleError(f"{at}: unknown condition {key!r}{_suggest(key, RULE_KEYS)}; "
                                f"known: {', '.join(RULE_KEYS)}")
        return clauses

    def tags_clause(self, value: Any, where: str, skip_tag: str | None) -> list[str]:
        if not isinstance(value, dict) or not value or set(value) - {"all", "any", "none"}:
            raise RuleError(f"{where}: tags takes all, any and none lists, got {value!r}")
        clauses = []
        for tag in self.tag_list(value["all"], f"{where}.all") if "all" in value else []:
            if tag != skip_tag:
                clauses.append(self.has_tag(tag))
        if "any" in value:
            tags = self.tag_list(value["any"], f"{where}.any")
            clauses.append("(" + " OR ".join(self.has_tag(t) for t in tags) + ")")
        if "none" in value:
            for tag in self.tag_list(value["none"], f"{where}.none"):
                clauses.append(f"NOT {self.has_tag(tag)}")
        return clauses

    def areas_clause(self, value: Any, where: str) -> str:
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: areas is a non-empty list of area ids, got {value!r}")
        areas = [str(v) for v in value]
        if self.known_areas is not None:
            for area in areas:
                if area not in self.known_areas:
                    raise RuleError(f"{where}: unknown residential area {area!r}"
                                    f"{_suggest(area, self.known_areas)}")
        return (f"EXISTS {{ MATCH (r)-[:LIVES_IN]->(:Building)-[:IN_AREA]->(a:ResidentialArea) "
                f"WHERE a.area_id IN {self.param('areas', areas)} }}")

    def exclude_clauses(self, value: Any, where: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: exclude is a list of conditions, got {value!r}")
        clauses = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            if not isinstance(item, dict) or len(item) != 1:
                raise RuleError(f"{at}: each exclusion has one key of "
                                f"{', '.join(EXCLUDE_KEYS)}; got {item!r}")
            (key, body), = item.items()
            if key == "screened":
                prop = screening_property(body.get("kind") if isinstance(body, dict) else None,
                                          f"{at}.screened")
                days = body.get("within_days")
                if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
                    raise RuleError(f"{at}.screened.within_days must be a positive number of "
                                    f"days, got {days!r}")
                cutoff = (self.reference - dt.timedelta(days=days)).isoformat()
                clauses.append(f"(r.{prop} IS NULL OR r.{prop} < "
                               f"{self.param('screened_since', cutoff)})")
            elif key == "applied":
                matter = application_matter(body, f"{at}.applied")
                clauses.append(f"NOT {self.param('matter', matter)} IN "
                               f"coalesce(r.applications, [])")
            elif key == "tags":
                for tag in self.tag_list(body, f"{at}.tags"):
                    clauses.append(f"NOT {self.has_tag(tag)}")
            else:
                raise RuleError(f"{at}: unknown exclusion {key!r}{_suggest(key, EXCLUDE_KEYS)}; "
                                f"known: {', '.join(EXCLUDE_KEYS)}")
        return clauses


def screening_property(kind: Any, where: str) -> str:
    """Return the Resident property holding the latest screening of ``kind``."""
    if kind not in SCREENING_KINDS:
        raise RuleError(f"{where}: unknown screening kind {kind!r}"
                        f"{_suggest(kind, SCREENING_KINDS)}; known: {', '.join(SCREENING_KINDS)}")
    return f"last_screening_{kind}"


def application_matter(matter: Any, where: str) -> str:
    """Return ``matter`` if it is a service-centre matter the ingest knows."""
    if matter not in APPLICATION_MATTERS:
        raise RuleError(f"{where}: unknown application matter {matter!r}"
                        f"{_suggest(matter, APPLICATION_MATTERS)}")
    return matter


def compile_rule(rule: Any, *, reference: dt.date, known_tags: Iterable[str],
                 known_areas: Iterable[str] | None = None,
                 where: str = "rule") -> CompiledRule:
    """Validate ``rule`` and compile it to an anchor, a WHERE clause and parameters.

    Raises:
        RuleError: naming ``where`` and the offending key — an unknown tag, field, screening
            kind or matter, an impossible age range, a malformed value.
    """
    compiler = _Compiler(where, reference, frozenset(known_tags),
                         frozenset(known_areas) if known_areas is not None else None)
    if not isinstance(rule, dict) or not rule:
        raise RuleError(f"{where}: a rule is a mapping of conditions, got {rule!r}")
    anchor_tag = None
    tags = rule.get("tags")
    if isinstance(tags, dict) and isinstance(tags.get("all"), list) and tags["all"]:
        anchor_tag = tags["all"][0]
    clauses = compiler.rule(rule, where, skip_tag=anchor_tag)
    if anchor_tag is not None:
        anchor = (f"MATCH (:Tag {{tag_id: {compiler.param('anchor_tag', anchor_tag)}}})"
                  f"<-[:HAS_TAG]-(r:Resident)")
    else:
        anchor = "MATCH (r:Resident)"
    return CompiledRule(anchor=anchor, where=" AND ".join(clauses) or "true",
                        params=compiler.params, tags=compiler.tags)
