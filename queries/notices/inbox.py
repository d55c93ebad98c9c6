"""Officials' inboxes: turn new Event nodes into notices, list them, acknowledge them.

Two tables in the workflow store (queries/store.py). ``notices`` holds one row per
(rule, event, official) — a UNIQUE constraint, so processing an event twice, from cron and
from the HTTP intake at once, never duplicates a notice. ``notice_events`` remembers every
event already processed and what came of it (``notified``, ``no_rule``: no rule fits, or
``unrouted``: a rule fits but the resident's area has no official), so each run only looks
at events it has not seen, and an event nobody could be told about is still on record.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

from graph import schema
from graph.errors import MinqingError, NotFound
from queries import audit
from queries.notices.rules import NoticeRule, age_on, choose_recipients, event_kinds, load_rules
from queries.store import ensure_schema, now_text, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    official_id TEXT NOT NULL,
    official_name TEXT,
    area_id TEXT,
    area_name TEXT,
    resident_id TEXT NOT NULL,
    resident_name TEXT,
    resident_phone TEXT,
    address TEXT,
    event_kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    event TEXT NOT NULL DEFAULT '{}',
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged')),
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    ack_note TEXT,
    UNIQUE (rule_id, event_id, official_id)
);
CREATE INDEX IF NOT EXISTS notices_official ON notices (official_id, status);
CREATE TABLE IF NOT EXISTS notice_events (
    event_id TEXT PRIMARY KEY,
    kind TEXT,
    event_date TEXT,
    processed_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('notified', 'no_rule', 'unrouted')),
    notices INTEGER NOT NULL DEFAULT 0
);
"""

# Ids per query: big enough to keep round trips few, small enough for one quick transaction.
CHUNK = 2000

_E, _R = schema.label("Event"), schema.label("Resident")
_B, _A, _O = schema.label("Building"), schema.label("ResidentialArea"), schema.label("Official")
_EK = schema.key_of("Event")

CANDIDATES_CYPHER = (
    f"MATCH (e:{_E}) WHERE e.date >= $since AND e.kind IN $kinds "
    f"RETURN e.{_EK} AS event_id")

CONTEXT_CYPHER = (
    f"UNWIND $event_ids AS event_id "
    f"MATCH (e:{_E} {{{_EK}: event_id}}) "
    f"MATCH (r:{_R})-[:{schema.rel_type('HAD_EVENT')}]->(e) "
    f"OPTIONAL MATCH (r)-[:{schema.rel_type('LIVES_IN')}]->(b:{_B}) "
    f"OPTIONAL MATCH (b)-[:{schema.rel_type('IN_AREA')}]->(a:{_A}) "
    f"OPTIONAL MATCH (a)<-[:{schema.rel_type('RESPONSIBLE_FOR')}]-(o:{_O}) "
    f"RETURN e.{_EK} AS event_id, properties(e) AS event, r.resident_id AS resident_id, "
    f"r.name AS name, r.phone AS phone, r.birth_date AS birth_date, r.sex AS sex, "
    f"r.room AS room, b.address AS address, a.area_id AS area_id, a.name AS area_name, "
    f"collect({{official_id: o.official_id, name: o.name, role: o.role}}) AS officials")


def builder_queries() -> dict[str, str]:
    """Every Cypher text this package sends, by name (for the lint test)."""
    queries = {"notices candidates": CANDIDATES_CYPHER, "notices context": CONTEXT_CYPHER}
    queries.update({f"notice rule {r.rule_id}": r.cypher for r in load_rules()})
    return queries


def init_store(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Create the notice tables if needed; return ``conn``."""
    ensure_schema(conn, SCHEMA)
    return conn


@dataclass
class ProcessReport:
    """What one processing run did."""

    since: str | None
    events_seen: int = 0
    events_new: int = 0
    notices_created: int = 0
    notices_existing: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    unrouted: list[dict] = field(default_factory=list)
    notice_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as plain data."""
        return {"since": self.since, "events_seen": self.events_seen,
                "events_new": self.events_new, "notices_created": self.notices_created,
                "notices_existing": self.notices_existing, "by_rule": self.by_rule,
                "unrouted": self.unrouted, "notice_ids": self.notice_ids}


def default_since(lookback_days: int, today: dt.date | None = None) -> str:
    """The earliest event date a run looks at by default."""
    return ((today or dt.date.today()) - dt.timedelta(days=lookback_days)).isoformat()


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def process_events(graph, conn: sqlite3.Connection, *, since: str | dt.date | None = None,
                   event_ids: Iterable[str] | None = None,
                   rules: list[NoticeRule] | None = None, reprocess: bool = False,
                   actor: str = "notices") -> ProcessReport:
    """Create notices for events not processed yet.

    Args:
        since: look at events dated on or after this day (ISO text or date); default: today
            minus the setting notices_lookback_days.
        event_ids: look at exactly these events instead (the HTTP intake).
        rules: the rules; default ``load_rules()``.
        reprocess: look at already-processed events again (after adding a rule); existing
            notices are kept, never duplicated.
        actor: who runs this, for the audit trail.

    Returns:
        A ProcessReport. Raises GraphUnavailable/QueryError from the graph, RuleError.
    """
    init_store(conn)
    rules = load_rules() if rules is None else rules
    kinds = sorted({r.event_kind for r in rules} | set(event_kinds()))
    if event_ids is None:
        if since is None:
            since = default_since(graph.settings.notices_lookback_days)
        since = since.isoformat() if isinstance(since, dt.date) else str(since)
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise MinqingError(f"since must be a date YYYY-MM-DD, got {since!r}") from None
        candidates = [row["event_id"] for row in
                      graph.read(CANDIDATES_CYPHER, {"since": since, "kinds": kinds},
                                 timeout_ms=max(graph.settings.query_time_limit_ms, 60_000)).rows]
    else:
        candidates = list(dict.fromkeys(event_ids))
    report = ProcessReport(since=None if since is None else str(since),
                           events_seen=len(candidates))
    if not reprocess:
        done = _processed(conn, candidates)
        candidates = [c for c in candidates if c not in done]
    report.events_new = len(candidates)
    for chunk in _chunks(candidates):
        _process_chunk(graph, conn, chunk, rules, report)
    if report.notices_created:
        # After the commit: audit.record runs executescript, which would end our transaction.
        audit.record(conn, actor, "notices.create", "notices",
                     notices=report.notices_created, events=report.events_new,
                     by_rule=report.by_rule)
    return report


def _processed(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    done: set[str] = set()
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        done.update(row[0] for row in conn.execute(
            f"SELECT event_id FROM notice_events WHERE event_id IN ({marks})", chunk))
    return done


def _process_chunk(graph, conn, chunk: list[str], rules: list[NoticeRule],
                   report: ProcessReport) -> None:
    matches: dict[str, list[NoticeRule]] = {}
    for rule in rules:
        rows = graph.read(rule.cypher, {**rule.params, "event_ids": chunk}).rows
        for row in rows:
            matches.setdefault(row["event_id"], []).append(rule)
    contexts = {}
    if matches:
        contexts = {row["event_id"]: row for row in
                    graph.read(CONTEXT_CYPHER, {"event_ids": sorted(matches)}).rows}
    now = now_text()
    with transaction(conn):
        for event_id in chunk:
            context = contexts.get(event_id)
            fitting = matches.get(event_id, [])
            created = 0
            outcome = "no_rule"
            if fitting and context is not None:
                outcome = "unrouted"
                for rule in fitting:
                    recipients = choose_recipients(context["officials"], rule.roles,
                                                   rule.notify_all)
                    if not recipients:
                        report.unrouted.append({"event_id": event_id, "rule_id": rule.rule_id,
                                                "resident_id": context["resident_id"],
                                                "area_id": context["area_id"]})
                        continue
                    outcome = "notified"
                    for official in recipients:
                        notice_id = _insert_notice(conn, rule, context, official, now)
                        if notice_id is None:
                            report.notices_existing += 1
                        else:
                            created += 1
                            report.notice_ids.append(notice_id)
                            report.by_rule[rule.rule_id] = report.by_rule.get(rule.rule_id,
                                                                              0) + 1
            report.notices_created += created
            event = (context or {}).get("event") or {}
            conn.execute(
                "INSERT INTO notice_events (event_id, kind, event_date, processed_at, outcome, "
                "notices) VALUES (?,?,?,?,?,?) ON CONFLICT (event_id) DO UPDATE SET "
                "processed_at = excluded.processed_at, outcome = excluded.outcome, "
                "notices = notice_events.notices + excluded.notices",
                (event_id, event.get("kind"), event.get("date"), now, outcome, created))


def message_context(rule: NoticeRule, context: dict, official: dict) -> dict[str, Any]:
    """The names a rule's message template sees for one event, resident and official."""
    event = dict(context["event"])
    for prop in event_kinds().get(rule.event_kind, {}):
        event.setdefault(prop, None)
    address = context.get("address") or ""
    if context.get("room"):
        address = f"{address}{context['room']}室"
    return {
        "resident": {"resident_id": context["resident_id"], "name": context.get("name"),
                     "age": age_on(context.get("birth_date"), event.get("date")),
                     "sex": context.get("sex"), "address": address or "（地址不详）",
                     "room": context.get("room"), "area_name": context.get("area_name"),
                     "phone": context.get("phone")},
        "event": event,
        "official": {"official_id": official["official_id"], "name": official.get("name"),
                     "role": official.get("role")},
        "rule": {"id": rule.rule_id, "title": rule.title},
    }


def _insert_notice(conn, rule: NoticeRule, context: dict, official: dict,
                   now: str) -> int | None:
    names = message_context(rule, context, official)
    event = names["event"]
    cursor = conn.execute(
        "INSERT INTO notices (rule_id, event_id, official_id, official_name, area_id, "
        "area_name, resident_id, resident_name, resident_phone, address, event_kind, "
        "event_date, event, title, message, created_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (rule_id, event_id, official_id) DO NOTHING",
        (rule.rule_id, context["event_id"], official["official_id"], official.get("name"),
         context.get("area_id"), context.get("area_name"), context["resident_id"],
         context.get("name"), context.get("phone"), names["resident"]["address"],
         event.get("kind"), event.get("date"),
         json.dumps(event, ensure_ascii=False, default=str, sort_keys=True),
         rule.title, rule.render(names), now))
    return cursor.lastrowid if cursor.rowcount else None


def _notice(row: sqlite3.Row) -> dict[str, Any]:
    notice = dict(row)
    notice["event"] = json.loads(notice["event"])
    return notice


def inbox(conn: sqlite3.Connection, official_id: str, *, status: str | None = None,
          limit: int = 500) -> list[dict[str, Any]]:
    """Return an official's notices, new ones first, then newest first.

    Args:
        status: ``new`` or ``acknowledged`` to filter; None for both.
    """
    init_store(conn)
    if status not in (None, "new", "acknowledged"):
        raise MinqingError(f"status is new or acknowledged, got {status!r}")
    rows = conn.execute(
        "SELECT * FROM notices WHERE official_id = ? AND (? IS NULL OR status = ?) "
        "ORDER BY status = 'acknowledged', event_date DESC, id DESC LIMIT ?",
        (official_id, status, status, limit))
    return [_notice(row) for row in rows]


def counts_by_official(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Return ``{official_id: {"new": n, "acknowledged": m}}`` for every official with notices."""
    init_store(conn)
    counts: dict[str, dict[str, int]] = {}
    for row in conn.execute("SELECT official_id, status, count(*) AS n FROM notices "
                            "GROUP BY official_id, status"):
        counts.setdefault(row["official_id"], {"new": 0, "acknowledged": 0})[row["status"]] = \
            row["n"]
    return counts


def get_notice(conn: sqlite3.Connection, notice_id: int) -> dict[str, Any]:
    """Return one notice; raise NotFound if there is none with that id."""
    init_store(conn)
    row = conn.execute("SELECT * FROM notices WHERE id = ?", (notice_id,)).fetchone()
    if row is None:
        raise NotFound(f"No notice {notice_id}; `minqing notices inbox OFFICIAL_ID` lists them")
    return _notice(row)


def acknowledge(conn: sqlite3.Connection, notice_id: int, by: str,
                note: str | None = None) -> dict[str, Any]:
    """Mark a notice acknowledged by ``by`` with an optional note; audited.

    Acknowledging twice keeps the first acknowledgement (who and when) and says so.

    Returns:
        The notice, with ``already`` True when it had been acknowledged before.
    Raises:
        NotFound: no such notice. MinqingError: ``by`` is empty.
    """
    by = (by or "").strip()
    if not by:
        raise MinqingError("Say who acknowledges the notice (--by NAME / the by field)")
    note = (note or "").strip() or None
    get_notice(conn, notice_id)  # NotFound before anything is written
    with transaction(conn):
        # Only a new notice changes: two officials clicking at once leave the first one's name.
        changed = conn.execute(
            "UPDATE notices SET status = 'acknowledged', acknowledged_by = ?, "
            "acknowledged_at = ?, ack_note = ? WHERE id = ? AND status = 'new'",
            (by, now_text(), note, notice_id)).rowcount
    notice = get_notice(conn, notice_id)
    if changed:
        audit.record(conn, by, "notices.acknowledge", f"notice:{notice_id}",
                     resident_id=notice["resident_id"], official_id=notice["official_id"],
                     note=note)
    return notice | {"already": not changed}
