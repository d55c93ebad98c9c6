"""Events posted by subsystems: validate them, write them to the graph once, notify at once.

An event is a JSON object::

    {"event_id": "his:2026-000123", "kind": "hospital_discharge", "date": "2026-03-05",
     "resident_id": "R01"          # or "id_number": "310106194403021234"
     "source": "hospital_his",     # optional, default "intake"
     "properties": {"hospital": "市第十人民医院", "department": "心内科"}}

``receive_events`` checks each event on its own (problems name the event's index and the
field), writes the good ones through the ingest writer (MERGE on ``event_id``, so a repeat
changes nothing), processes them into notices in the same call, and logs every event it was
given — accepted or not — in the ``intake_log`` table, so nothing posted is lost.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from graph import schema
from graph.errors import MinqingError
from graph.secret_files import generated_secret
from ingest.load import load_nodes, load_relationships
from queries.notices.inbox import ProcessReport, init_store, process_events
from queries.notices.rules import event_kinds
from queries.store import ensure_schema, now_text, transaction

TOKEN_FILE = "intake_token"
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
SOURCE = re.compile(r"[a-z][a-z0-9_]{0,63}")
EVENT_KEYS = ("event_id", "kind", "date", "resident_id", "id_number", "source", "properties")
# An event may be dated a day ahead: a subsystem in another time zone, a clock slightly off.
FUTURE_DAYS = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS intake_log (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    event_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'duplicate', 'rejected')),
    problems TEXT NOT NULL DEFAULT '[]',
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS intake_log_event ON intake_log (event_id);
"""

_E, _R = schema.label("Event"), schema.label("Resident")
_HAD_EVENT = schema.rel_type("HAD_EVENT")
EXISTING_CYPHER = (
    f"UNWIND $event_ids AS event_id MATCH (e:{_E} {{{schema.key_of('Event')}: event_id}}) "
    f"OPTIONAL MATCH (r:{_R})-[:{_HAD_EVENT}]->(e) "
    f"RETURN e.event_id AS event_id, e.kind AS kind, e.date AS date, "
    f"collect(r.resident_id) AS residents")
RESIDENTS_BY_ID_CYPHER = (
    f"UNWIND $keys AS key MATCH (r:{_R} {{{schema.key_of('Resident')}: key}}) "
    f"RETURN key AS key, r.resident_id AS resident_id")
RESIDENTS_BY_ID_NUMBER_CYPHER = (
    f"UNWIND $keys AS key MATCH (r:{_R} {{id_number: key}}) "
    f"RETURN key AS key, r.resident_id AS resident_id")

# One process writes an event id at a time: two identical POSTs racing each other then get
# "created" and "duplicate", not "created" twice.
_write_lock = threading.Lock()


class IntakeError(MinqingError):
    """A posted body that is not one event or a list of events at all."""


def builder_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the lint test)."""
    return {"intake existing events": EXISTING_CYPHER,
            "intake residents by id": RESIDENTS_BY_ID_CYPHER,
            "intake residents by id number": RESIDENTS_BY_ID_NUMBER_CYPHER}


# -- the token -------------------------------------------------------------------------------

def intake_token(settings) -> str:
    """Return the intake token: the intake_token setting, or ``<data_dir>/intake_token``
    (created with mode 0600 on first use)."""
    if settings.intake_token:
        return settings.intake_token
    return generated_secret(settings.data_path / TOKEN_FILE, lambda: secrets.token_urlsafe(32),
                            "the intake token", "set intake_token (MINQING_INTAKE_TOKEN) or "
                            "make data_dir writable")


def token_matches(settings, authorization: str | None) -> bool:
    """True when an ``Authorization: Bearer <token>`` header carries the intake token."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), intake_token(settings).encode())


# -- validation (pure) -----------------------------------------------------------------------

@dataclass
class Checked:
    """One posted event after validation: its graph row, or its problems."""

    index: int
    payload: Any
    problems: list[str] = field(default_factory=list)
    event_id: str | None = None
    row: dict[str, Any] | None = None      # the Event node's properties
    resident_key: tuple[str, str] | None = None   # ("resident_id"|"id_number", value)


def _typed(prop: str, kind_type: str, value: Any, at: str, problems: list[str]) -> Any:
    if value is None:
        return None
    if kind_type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{at}: {prop} must be a whole number, got {value!r}")
        elif not -2**63 <= value < 2**63:
            # The graph stores 64-bit integers; the driver refuses larger ones with an
            # OverflowError at write time (found by tests/fuzz).
            problems.append(f"{at}: {prop} must be a whole number of at most 64 bits, "
                            f"got {value}")
        return value
    if kind_type == "bool":
        if not isinstance(value, bool):
            problems.append(f"{at}: {prop} must be true or false, got {value!r}")
        return value
    if kind_type == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            problems.append(f"{at}: {prop} must be a date YYYY-MM-DD, got {value!r}")
            return value
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(f"{at}: {prop} must be text, got {value!r}")
    elif len(str(value)) > 500:
        problems.append(f"{at}: {prop} is longer than 500 characters")
    return str(value).strip()


def check_event(payload: Any, index: int = 0, today: dt.date | None = None) -> Checked:
    """Validate one posted event without touching the graph.

    Problems are strings like ``"events[2].date: must be a date YYYY-MM-DD, got '5 March'"``.
    """
    from ingest.normalize import InvalidValueError, normalize_id_number

    at = f"events[{index}]"
    checked = Checked(index=index, payload=payload)
    problems = checked.problems
    if not isinstance(payload, dict):
        problems.append(f"{at}: an event is a JSON object, got {type(payload).__name__}")
        return checked
    for key in payload:
        if key not in EVENT_KEYS:
            problems.append(f"{at}.{key}: unknown field; known: {', '.join(EVENT_KEYS)}")
    event_id = payload.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
        problems.append(f"{at}.event_id: required, 1–128 characters of letters, digits and "
                        f"_ . : - (e.g. 'his:2026-000123'), got {event_id!r}")
    else:
        checked.event_id = event_id
    kind = payload.get("kind")
    kinds = event_kinds()
    # A list or object is no kind, and cannot be looked up (TypeError; found by tests/fuzz).
    if not isinstance(kind, str) or kind not in kinds:
        problems.append(f"{at}.kind: required, one of {', '.join(kinds)}; got {kind!r}")
    date = payload.get("date")
    try:
        day = dt.date.fromisoformat(date) if isinstance(date, str) else None
    except ValueError:
        day = None
    if day is None:
        problems.append(f"{at}.date: required, a date YYYY-MM-DD, got {date!r}")
    elif day > (today or dt.date.today()) + dt.timedelta(days=FUTURE_DAYS):
        problems.append(f"{at}.date: {date} lies in the future")
    source = payload.get("source", "intake")
    if not isinstance(source, str) or not SOURCE.fullmatch(source):
        problems.append(f"{at}.source: lower_snake_case name of the sending system, "
                        f"got {source!r}")
    has_id, has_number = payload.get("resident_id"), payload.get("id_number")
    if bool(has_id) == bool(has_number):
        problems.append(f"{at}.resident_id: give exactly one of resident_id and id_number")
    elif has_id:
        if not isinstance(has_id, str):
            problems.append(f"{at}.resident_id: text, got {has_id!r}")
        else:
            checked.resident_key = ("resident_id", has_id.strip())
    else:
        try:
            checked.resident_key = ("id_number", normalize_id_number(has_number))
        except InvalidValueError as e:
            problems.append(f"{at}.id_number: {e}")
    properties = payload.get("properties", {})
    row: dict[str, Any] = {}
    if not isinstance(properties, dict):
        problems.append(f"{at}.properties: a JSON object, got {properties!r}")
    elif isinstance(kind, str) and kind in kinds:
        allowed = kinds[kind]
        for prop, value in properties.items():
            if prop not in allowed:
                problems.append(f"{at}.properties.{prop}: kind {kind!r} has no property "
                                f"{prop!r}; it has: {', '.join(allowed) or 'none'}")
                continue
            row[prop] = _typed(prop, allowed[prop], value, f"{at}.properties", problems)
    if not problems:
        checked.row = {"event_id": event_id, "kind": kind, "date": day.isoformat(),
                       "source": source, **{k: v for k, v in row.items() if v is not None}}
    return checked


def events_of(body: Any, max_events: int) -> list[Any]:
    """Return the list of events in a posted body (one object or a list).

    Raises:
        IntakeError: the body is neither, is empty, or holds too many events.
    """
    events = [body] if isinstance(body, dict) else body
    if not isinstance(events, list):
        raise IntakeError("The body must be one event (a JSON object) or a list of events")
    if not events:
        raise IntakeError("The body holds no events")
    if len(events) > max_events:
        raise IntakeError(f"{len(events)} events in one request; at most {max_events} "
                          f"(setting intake_max_events)")
    return events


# -- receiving -------------------------------------------------------------------------------

@dataclass
class IntakeResult:
    """What became of a posted batch."""

    results: list[dict[str, Any]]
    report: ProcessReport | None

    @property
    def problems(self) -> list[str]:
        return [p for r in self.results for p in r.get("problems", [])]

    @property
    def created(self) -> int:
        return sum(r["outcome"] == "created" for r in self.results)

    def to_json(self) -> dict[str, Any]:
        """The response body: per-event outcomes and the notices created."""
        report = self.report
        return {"ok": not self.problems, "results": self.results,
                "created": self.created,
                "duplicates": sum(r["outcome"] == "duplicate" for r in self.results),
                "rejected": sum(r["outcome"] == "rejected" for r in self.results),
                "problems": self.problems,
                "notices_created": report.notices_created if report else 0,
                "notice_ids": report.notice_ids if report else []}


def receive_events(graph, conn: sqlite3.Connection, body: Any, *, actor: str = "intake",
                   today: dt.date | None = None) -> IntakeResult:
    """Validate posted events, store the good ones in the graph, and notify at once.

    Each event stands alone: a bad one is reported (``rejected``, with problems naming its
    fields) and the good ones in the same batch are still stored. An event id already in
    the graph for the same resident, kind and date is a ``duplicate`` and changes nothing;
    the same id for a different event is rejected.

    Raises:
        IntakeError: the body is not an event or a list of events.
    """
    events = events_of(body, graph.settings.intake_max_events)
    checked = [check_event(payload, index, today) for index, payload in enumerate(events)]
    seen: dict[str, int] = {}
    for item in checked:
        if item.event_id and not item.problems:
            if item.event_id in seen:
                item.problems.append(f"events[{item.index}].event_id: {item.event_id!r} "
                                     f"repeats events[{seen[item.event_id]}]")
            seen.setdefault(item.event_id, item.index)
    with _write_lock:
        _resolve_residents(graph, [c for c in checked if not c.problems])
        outcomes = _store(graph, [c for c in checked if not c.problems])
    results = []
    for item in checked:
        outcome = "rejected" if item.problems else outcomes[item.index]
        result = {"index": item.index, "event_id": item.event_id, "outcome": outcome}
        if item.problems:
            result["problems"] = item.problems
        results.append(result)
    _log(conn, checked, results)
    stored = [r["event_id"] for r in results if r["outcome"] in ("created", "duplicate")]
    report = process_events(graph, init_store(conn), event_ids=stored,
                            actor=actor) if stored else None
    return IntakeResult(results=results, report=report)


def _resolve_residents(graph, items: list[Checked]) -> None:
    for field_name, cypher in (("resident_id", RESIDENTS_BY_ID_CYPHER),
                               ("id_number", RESIDENTS_BY_ID_NUMBER_CYPHER)):
        wanted = [c for c in items if c.resident_key and c.resident_key[0] == field_name]
        if not wanted:
            continue
        keys = sorted({c.resident_key[1] for c in wanted})
        found = {row["key"]: row["resident_id"]
                 for row in graph.read(cypher, {"keys": keys}).rows}
        for item in wanted:
            resident_id = found.get(item.resident_key[1])
            if resident_id is None:
                item.problems.append(f"events[{item.index}].{field_name}: no resident with "
                                     f"this {field_name} in the graph")
            else:
                item.resident_key = ("resident_id", resident_id)


def _store(graph, items: list[Checked]) -> dict[int, str]:
    """Write new events and their HAD_EVENT links; return index -> created/duplicate."""
    outcomes: dict[int, str] = {}
    if not items:
        return outcomes
    existing = {row["event_id"]: row for row in graph.read(
        EXISTING_CYPHER, {"event_ids": [c.event_id for c in items]}).rows}
    new = []
    for item in items:
        before = existing.get(item.event_id)
        resident_id = item.resident_key[1]
        if before is None or not before["residents"]:
            # Absent, or written without its link by a run that stopped half-way: write both.
            new.append(item)
            outcomes[item.index] = "created"
        elif (before["kind"], before["date"], before["residents"]) == \
                (item.row["kind"], item.row["date"], [resident_id]):
            outcomes[item.index] = "duplicate"
        else:
            item.problems.append(
                f"events[{item.index}].event_id: {item.event_id!r} is already the "
                f"{before['kind']} of {before['date']} for another resident or kind; use a new "
                f"event_id")
            outcomes[item.index] = "rejected"
    if new:
        received = now_text()
        load_nodes(graph, "Event", [c.row | {"received_at": received} for c in new])
        load_relationships(graph, "HAD_EVENT", [(c.resident_key[1], c.event_id) for c in new])
    return outcomes


def _log(conn: sqlite3.Connection, checked: list[Checked], results: list[dict]) -> None:
    ensure_schema(conn, SCHEMA)
    received = now_text()
    rows = [(received, item.event_id, result["outcome"],
             json.dumps(item.problems, ensure_ascii=False),
             json.dumps(item.payload, ensure_ascii=False, default=str))
            for item, result in zip(checked, results)]
    with transaction(conn):
        conn.executemany("INSERT INTO intake_log (received_at, event_id, outcome, problems, "
                         "payload) VALUES (?,?,?,?,?)", rows)


def rejected_events(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Return the latest rejected posts with their problems, newest first."""
    ensure_schema(conn, SCHEMA)
    rows = conn.execute("SELECT * FROM intake_log WHERE outcome = 'rejected' "
                        "ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(row) | {"problems": json.loads(row["problems"]),
                         "payload": json.loads(row["payload"])} for row in rows]
