"""Notice rules as data: load and validate ``rules.yaml``, compile conditions to Cypher.

A rule says which dated event (its ``event`` kind and ``when`` conditions on the event's
properties), happening to which resident (``resident`` conditions), notifies which officials
of the resident's residential area (``notify`` roles), with which ``message`` (a Jinja2
template). The grammar is in docs/NOTICES.md. Loading is pure: it reads the file, the tag
catalogue and the ingest mapping files, never the graph.

Conditions compile to one parametrised Cypher filter per rule: values travel as
``$parameters``; event property names come from the ingest mapping files' ``event:`` blocks
(or ``INTAKE_KINDS``), so a rule cannot name a property Cypher would not expect.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from graph import schema
from graph.errors import MinqingError

RULES_PATH = Path(__file__).resolve().with_name("rules.yaml")

ROLES = ("party_secretary", "director", "deputy_director", "social_worker")

# Event kinds that arrive only through the HTTP intake (no export file maps them yet):
# property name -> type ("text", "int", "bool", "date").
INTAKE_KINDS: dict[str, dict[str, str]] = {
    "hospital_discharge": {"hospital": "text", "department": "text", "diagnosis": "text",
                           "admitted_on": "date", "follow_up_needed": "bool"},
}
# Types of event properties the ingest writes as something other than text.
PROPERTY_TYPES = {"ltc_level": "int", "closed_on": "date"}

RULE_KEYS = ("id", "title", "event", "when", "resident", "notify", "notify_all", "message")
RESIDENT_KEYS = ("age", "sex", "tags")
COMPARISONS = ("eq", "in", "gte", "lte")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")

_R = schema.label("Resident")
_E = schema.label("Event")
_T = schema.label("Tag")
_HAD_EVENT = schema.rel_type("HAD_EVENT")
_HAS_TAG = schema.rel_type("HAS_TAG")
_EVENT_KEY = schema.key_of("Event")
_TAG_KEY = schema.key_of("Tag")


class RuleError(MinqingError):
    """A notice rule that cannot be used; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class NoticeRule:
    """One validated rule: whom an event notifies and with which message."""

    rule_id: str
    title: str
    event_kind: str
    roles: tuple[str, ...]
    notify_all: bool
    message: str                       # the template text
    cypher: str                        # filters $event_ids down to the events this rule fits
    params: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def render(self, context: dict[str, Any]) -> str:
        """Render the message for one resident, event and official."""
        return _template(self.message).render(**context).strip()

    def to_json(self) -> dict[str, Any]:
        """The rule as plain data (for `notices rules --json` and the web page)."""
        return {"rule_id": self.rule_id, "title": self.title, "event": self.event_kind,
                "roles": list(self.roles), "notify_all": self.notify_all,
                "message": self.message, "tags": list(self.tags)}


def _suggest(word: Any, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@lru_cache(maxsize=1)
def event_kinds() -> dict[str, dict[str, str]]:
    """Return every event kind the graph can hold, with its properties and their types.

    Kinds come from the ingest mapping files' ``event:`` blocks plus ``INTAKE_KINDS``.
    """
    from ingest.mapping import load_mappings

    kinds: dict[str, dict[str, str]] = {}
    for mapping in load_mappings():
        if mapping.event is not None and mapping.event.kind:
            props = kinds.setdefault(mapping.event.kind, {})
            for prop in mapping.event.properties:
                props[prop] = PROPERTY_TYPES.get(prop, "text")
    for kind, props in INTAKE_KINDS.items():
        kinds.setdefault(kind, {}).update(props)
    return kinds


@lru_cache(maxsize=1)
def known_tags() -> frozenset[str]:
    """Return the tag ids of the tag catalogue (ingest/tag_catalogue.yaml)."""
    from ingest.tags import load_catalogue

    return frozenset(rule.tag_id for rule in load_catalogue())


_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                            keep_trailing_newline=False)


@lru_cache(maxsize=256)
def _template(text: str):
    return _ENV.from_string(text)


def sample_context(kind: str) -> dict[str, Any]:
    """A context holding every name a message may use, for checking templates at load time."""
    return {
        "resident": {"resident_id": "R0", "name": "某某", "age": 80, "sex": "F",
                     "address": "临汾路1弄1号", "room": "101", "area_name": "某小区",
                     "phone": "13800000000"},
        "event": {"event_id": "x", "kind": kind, "date": "2025-01-01", "source": "intake",
                  **{prop: "" for prop in event_kinds().get(kind, {})}},
        "official": {"official_id": "O0", "name": "某某", "role": "social_worker"},
        "rule": {"id": "r", "title": "t"},
    }


class _Compiler:
    """Builds one rule's WHERE clauses and parameters."""

    def __init__(self, where: str, kind: str):
        self.where = where
        self.kind = kind
        self.params: dict[str, Any] = {"kind": kind}
        self.tags: list[str] = []

    def param(self, stem: str, value: Any) -> str:
        name = f"{stem}_{len(self.params)}"
        self.params[name] = value
        return "$" + name

    def event_conditions(self, when: Any) -> list[str]:
        if when is None:
            return []
        if not isinstance(when, dict) or not when:
            raise RuleError(f"{self.where}.when: a mapping of event property → value or "
                            f"{{gte|lte|in|eq: …}}, got {when!r}")
        props = event_kinds()[self.kind]
        clauses = []
        for prop, condition in when.items():
            at = f"{self.where}.when.{prop}"
            if prop not in props:
                raise RuleError(f"{at}: event kind {self.kind!r} has no property {prop!r}"
                                f"{_suggest(prop, props)}; it has: {', '.join(props) or 'none'}")
            if not isinstance(condition, dict):
                condition = {"eq": condition}
            for op, value in condition.items():
                clauses.append(self.comparison(f"e.{prop}", op, value, f"{at}.{op}"))
        return clauses

    def comparison(self, expr: str, op: str, value: Any, at: str) -> str:
        if op == "eq":
            self.scalar(value, at)
            return f"{expr} = {self.param('value', value)}"
        if op == "in":
            if not isinstance(value, list) or not value:
                raise RuleError(f"{at}: in needs a non-empty list, got {value!r}")
            for item in value:
                self.scalar(item, at)
            return f"{expr} IN {self.param('values', value)}"
        if op in ("gte", "lte"):
            if not isinstance(value, (int, float, str)) or isinstance(value, bool):
                raise RuleError(f"{at}: {op} needs a number or a date, got {value!r}")
            sign = ">=" if op == "gte" else "<="
            return f"{expr} {sign} {self.param('bound', value)}"
        raise RuleError(f"{at}: unknown comparison {op!r}{_suggest(op, COMPARISONS)}; "
                        f"known: {', '.join(COMPARISONS)}")

    @staticmethod
    def scalar(value: Any, at: str) -> None:
        if not isinstance(value, (str, int, float, bool)):
            raise RuleError(f"{at}: expected a text, number or true/false, got {value!r}")

    def resident_conditions(self, resident: Any) -> list[str]:
        if resident is None:
            return []
        at = f"{self.where}.resident"
        if not isinstance(resident, dict) or not resident:
            raise RuleError(f"{at}: a mapping of {', '.join(RESIDENT_KEYS)}, got {resident!r}")
        clauses = []
        for key, value in resident.items():
            if key == "age":
                clauses += self.age(value, f"{at}.age")
            elif key == "sex":
                if value not in ("F", "M"):
                    raise RuleError(f"{at}.sex: F or M, got {value!r}")
                clauses.append(f"r.sex = {self.param('sex', value)}")
            elif key == "tags":
                clauses += self.tag_conditions(value, f"{at}.tags")
            else:
                raise RuleError(f"{at}: unknown condition {key!r}{_suggest(key, RESIDENT_KEYS)};"
                                f" known: {', '.join(RESIDENT_KEYS)}")
        return clauses

    def age(self, value: Any, at: str) -> list[str]:
        if not isinstance(value, dict) or not value or set(value) - {"gte", "lte"}:
            raise RuleError(f"{at}: age takes gte and/or lte, e.g. {{gte: 60}}; got {value!r}")
        # Completed years on the event's date, from ISO text dates: whole-year difference,
        # minus one when the birthday (MM-DD) falls after the event's day of the year.
        age = ("(toInteger(substring(e.date, 0, 4)) - toInteger(substring(r.birth_date, 0, 4))"
               " - CASE WHEN substring(e.date, 5) < substring(r.birth_date, 5) THEN 1 ELSE 0 END)")
        clauses = []
        for op, years in value.items():
            if not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= 130:
                raise RuleError(f"{at}.{op}: a whole number of years 0–130, got {years!r}")
            sign = ">=" if op == "gte" else "<="
            clauses.append(f"{age} {sign} {self.param('age', years)}")
        return clauses

    def tag_conditions(self, value: Any, at: str) -> list[str]:
        if not isinstance(value, dict) or not value or set(value) - {"all", "any", "none"}:
            raise RuleError(f"{at}: tags takes all, any and none lists, got {value!r}")
        clauses = []
        for part in ("all", "any", "none"):
            if part not in value:
                continue
            tags = value[part]
            if not isinstance(tags, list) or not tags or \
                    not all(isinstance(t, str) for t in tags):
                raise RuleError(f"{at}.{part}: a non-empty list of tag ids, got {tags!r}")
            for tag in tags:
                if tag not in known_tags():
                    raise RuleError(f"{at}.{part}: unknown tag {tag!r}"
                                    f"{_suggest(tag, known_tags())}; tags are listed in "
                                    f"docs/TAGS.md")
                self.tags.append(tag)
            patterns = [f"(r)-[:{_HAS_TAG}]->(:{_T} {{{_TAG_KEY}: {self.param('tag', t)}}})"
                        for t in tags]
            if part == "all":
                clauses += patterns
            elif part == "any":
                clauses.append("(" + " OR ".join(patterns) + ")")
            else:
                clauses += [f"NOT {p}" for p in patterns]
        return clauses


def match_events_cypher(where: Iterable[str]) -> str:
    """Cypher that keeps those of ``$event_ids`` whose event and resident satisfy ``where``.

    The event is matched by its key first: ArcadeDB plans ``(r:Resident)-->(e {key})`` as
    a scan of every resident per id (minutes on the demo district instead of 0.4 s).
    """
    clauses = " AND ".join(["e.kind = $kind", *where])
    return (f"UNWIND $event_ids AS event_id "
            f"MATCH (e:{_E} {{{_EVENT_KEY}: event_id}}) "
            f"MATCH (r:{_R})-[:{_HAD_EVENT}]->(e) "
            f"WHERE {clauses} "
            f"RETURN DISTINCT e.{_EVENT_KEY} AS event_id")


def compile_rule(data: Any, where: str = "rule") -> NoticeRule:
    """Validate one rule mapping and compile it.

    Raises:
        RuleError: the message names ``where`` (file and rule) and the offending key.
    """
    if not isinstance(data, dict):
        raise RuleError(f"{where}: a rule is a mapping with {', '.join(RULE_KEYS)}; "
                        f"got {data!r}")
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not IDENTIFIER.fullmatch(rule_id):
        raise RuleError(f"{where}: id must be lower_snake_case text, got {rule_id!r}")
    where = f"{where} {rule_id!r}"
    for key in data:
        if key not in RULE_KEYS:
            raise RuleError(f"{where}: unknown key {key!r}{_suggest(key, RULE_KEYS)}; "
                            f"known: {', '.join(RULE_KEYS)}")
    for key in ("event", "notify", "message"):
        if key not in data:
            raise RuleError(f"{where}: missing {key!r}")
    kind = data["event"]
    if not isinstance(kind, str) or kind not in event_kinds():
        raise RuleError(f"{where}.event: unknown event kind {kind!r}"
                        f"{_suggest(kind, event_kinds())}; known: {', '.join(event_kinds())}")
    roles = data["notify"]
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not roles:
        raise RuleError(f"{where}.notify: a role or a list of roles, got {roles!r}")
    for role in roles:
        if role not in ROLES:
            raise RuleError(f"{where}.notify: unknown role {role!r}{_suggest(role, ROLES)}; "
                            f"known: {', '.join(ROLES)}")
    notify_all = data.get("notify_all", False)
    if not isinstance(notify_all, bool):
        raise RuleError(f"{where}.notify_all: true or false, got {notify_all!r}")
    message = data["message"]
    if not isinstance(message, str) or not message.strip():
        raise RuleError(f"{where}.message: a non-empty Jinja2 template, got {message!r}")
    try:
        _template(message).render(**sample_context(kind))
    except TemplateError as e:
        raise RuleError(f"{where}.message: {e}; a message may use resident.*, event.* "
                        f"(kind, date, {', '.join(event_kinds()[kind]) or 'no more'}), "
                        f"official.* and rule.*") from e
    except Exception as e:  # noqa: BLE001 - the template's own code failed: {{ 1/0 }}, {{ x + 1 }}
        # Jinja2 lets Python errors of expressions through as they are; on sample data
        # they would fail the same way on every real notice (found by tests/fuzz).
        raise RuleError(f"{where}.message: the template fails on sample data "
                        f"({type(e).__name__}: {e})") from e
    compiler = _Compiler(where, kind)
    clauses = compiler.event_conditions(data.get("when")) + \
        compiler.resident_conditions(data.get("resident"))
    title = data.get("title") or rule_id
    return NoticeRule(rule_id=rule_id, title=str(title), event_kind=kind, roles=tuple(roles),
                      notify_all=notify_all, message=message,
                      cypher=match_events_cypher(clauses), params=compiler.params,
                      tags=tuple(dict.fromkeys(compiler.tags)))


def parse_rules(text: str, source: str = "rules.yaml") -> list[NoticeRule]:
    """Parse and compile the rules in YAML ``text``; ``source`` names it in errors.

    Raises:
        RuleError: bad YAML, a bad rule, or two rules with one id.
    """
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as e:
        # ValueError: PyYAML reads a number of more than 4,300 digits with int(), which
        # refuses it (found by the full fuzz profile).
        raise RuleError(f"{source}: not valid YAML: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError(f"{source}: expected a top-level 'rules:' list")
    rules, seen = [], set()
    for number, item in enumerate(data["rules"], start=1):
        rule = compile_rule(item, where=f"{source}: rule {number}")
        if rule.rule_id in seen:
            raise RuleError(f"{source}: rule {number}: id {rule.rule_id!r} is used twice")
        seen.add(rule.rule_id)
        rules.append(rule)
    return rules


def load_rules(path: str | Path | None = None) -> list[NoticeRule]:
    """Load and validate the notice rules (default: queries/notices/rules.yaml).

    Raises:
        RuleError: the file is unreadable or a rule is invalid (the message names both).
    """
    path = Path(path or RULES_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleError(f"Cannot read notice rules {path}: {e.strerror}") from e
    return parse_rules(text, source=str(path))


def age_on(birth_date: str | None, day: str | None) -> int | None:
    """Completed years between two ISO dates, or None when either is missing or malformed.

    >>> age_on("1944-03-02", "2025-03-01")
    80
    >>> age_on("1944-03-02", "2025-03-02")
    81
    """
    try:
        born, on = dt.date.fromisoformat(str(birth_date)), dt.date.fromisoformat(str(day))
    except ValueError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def choose_recipients(officials: list[dict], roles: Iterable[str],
                      notify_all: bool) -> list[dict]:
    """Pick the officials of an area a rule notifies.

    ``roles`` are in order of preference: the officials holding the first role the area
    has, or (``notify_all``) every official holding any listed role. When no official of
    the area carries a listed role (or roles were never recorded), every official of the
    area is notified: a notice with nobody to read it would be lost.

    >>> team = [{"official_id": "1", "role": "director"}, {"official_id": "2", "role": None}]
    >>> [o["official_id"] for o in choose_recipients(team, ["social_worker", "director"], False)]
    ['1']
    >>> [o["official_id"] for o in choose_recipients(team, ["social_worker"], False)]
    ['1', '2']
    """
    officials = [o for o in officials if o.get("official_id")]
    roles = list(roles)
    if notify_all:
        chosen = [o for o in officials if o.get("role") in roles]
        return chosen or officials
    for role in roles:
        chosen = [o for o in officials if o.get("role") == role]
        if chosen:
            return chosen
    return officials
