"""Programs as data: ``catalogue.yaml`` read, validated and turned into ``Program`` objects.

A program is a benefit or service residents can take up — a screening, a subsidy, a course.
Each has a name, a period, an eligibility rule (see ``rules.py``) and a booking source that
says where the data lake records that someone took it up:

    booking: {screening: colorectal}        # a screening record on or after the period start
    booking: {application: meal_service}    # a service-centre application for the matter
    booking: {programs: [智能手机使用培训]}    # a mini-program booking of an activity so named
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from queries.programs.rules import (RuleError, application_matter, compile_rule,
                                    screening_property)

CATALOGUE = Path(__file__).with_name("catalogue.yaml")
BOOKING_KINDS = ("screening", "application", "programs")


@dataclass(frozen=True)
class Program:
    """One program: identity, period, eligibility rule and booking source."""

    program_id: str
    name: str
    name_en: str
    description: str
    start: dt.date
    end: dt.date
    eligibility: dict[str, Any]
    booking: dict[str, Any]
    sms_template: str = ""
    call_script: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the program as plain JSON-able data."""
        return {"program_id": self.program_id, "name": self.name, "name_en": self.name_en,
                "description": self.description, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "eligibility": self.eligibility,
                "booking": self.booking, "booking_text": booking_text(self)}


def booking_text(program: Program) -> str:
    """Describe the booking source in words, for pages and reasons."""
    kind, value = next(iter(program.booking.items()))
    if kind == "screening":
        return f"{value} screening since {program.start.isoformat()}"
    if kind == "application":
        return f"service-centre application for {value}"
    return f"mini-program booking of {', '.join(value)} since {program.start.isoformat()}"


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def _booking(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in BOOKING_KINDS:
        raise RuleError(f"{where}: booking has exactly one of {', '.join(BOOKING_KINDS)}, "
                        f"got {value!r}")
    kind, body = next(iter(value.items()))
    if kind == "screening":
        screening_property(body, f"{where}.screening")
    elif kind == "application":
        application_matter(body, f"{where}.application")
    elif not (isinstance(body, list) and body and all(isinstance(b, str) and b for b in body)):
        raise RuleError(f"{where}.programs: a non-empty list of program names, got {body!r}")
    return {kind: body}


def parse_programs(entries: Any, known_tags, source: str = "program catalogue",
                   known_areas=None) -> dict[str, Program]:
    """Validate catalogue entries and return programs by id.

    Every rule is compiled once here (against ``known_tags``), so an unknown tag, an
    impossible age range or a misspelt key fails when the catalogue loads, naming the
    program and the key, not when someone first opens the silent group.
    """
    if not isinstance(entries, list):
        raise RuleError(f"{source}: expected a list of programs under 'programs'")
    programs: dict[str, Program] = {}
    required = ("id", "name", "period", "eligibility", "booking")
    for index, entry in enumerate(entries):
        where = f"{source}, program {index + 1}"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}: expected a mapping, got {entry!r}")
        where = f"{source}, program {entry.get('id', index + 1)!s}"
        missing = [key for key in required if key not in entry]
        if missing:
            raise RuleError(f"{where}: missing {', '.join(missing)}")
        unknown = set(entry) - {*required, "name_en", "description", "sms_template",
                                "call_script"}
        if unknown:
            raise RuleError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        period = entry["period"]
        if not isinstance(period, dict) or set(period) != {"start", "end"}:
            raise RuleError(f"{where}.period: needs start and end dates")
        start, end = _date(period["start"], f"{where}.period.start"), \
            _date(period["end"], f"{where}.period.end")
        if end < start:
            raise RuleError(f"{where}.period: ends ({end}) before it starts ({start})")
        program = Program(
            program_id=str(entry["id"]), name=str(entry["name"]),
            name_en=str(entry.get("name_en", "")), description=str(entry.get("description", "")),
            start=start, end=end, eligibility=entry["eligibility"],
            booking=_booking(entry["booking"], f"{where}.booking"),
            sms_template=str(entry.get("sms_template", "")),
            call_script=str(entry.get("call_script", "")))
        compile_rule(program.eligibility, reference=start, known_tags=known_tags,
                     known_areas=known_areas, where=f"{where}.eligibility")
        if program.program_id in programs:
            raise RuleError(f"{where}: duplicate program id {program.program_id!r}")
        programs[program.program_id] = program
    return programs


def known_tag_ids() -> frozenset[str]:
    """Tag ids of the tag catalogue (ingest/tag_catalogue.yaml)."""
    from ingest.tags import load_catalogue

    return frozenset(rule.tag_id for rule in load_catalogue())


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Program, ...]:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RuleError(f"Cannot read the program catalogue {path}: {e}") from e
    entries = document.get("programs") if isinstance(document, dict) else None
    return tuple(parse_programs(entries, known_tag_ids(), source=str(path)).values())


def load_programs(path: str | Path | None = None) -> dict[str, Program]:
    """Load and validate the program catalogue; return programs by id (cached per file)."""
    path = Path(path or CATALOGUE)
    try:
        mtime = path.stat().st_mtime
    except OSError as e:
        raise RuleError(f"Cannot read the program catalogue {path}: {e}") from e
    return {p.program_id: p for p in _load(str(path), mtime)}
