"""Campaigns: a template and a frozen list of recipients, one message row per resident.

A campaign is created once from a plain list of recipient dicts (the silent group's members,
see ``queries.programs``). Each recipient becomes one row of ``outreach_message`` with its
text already rendered, and ``UNIQUE (campaign_id, resident_id)`` makes "never contact the same
person twice for one campaign" a property of the schema: creating the same campaign again, or
re-running a create that crashed, inserts nothing twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment

from graph.errors import MinqingError, NotFound
from queries import audit
from queries.store import ensure_schema, now_text, transaction

KINDS = ("sms", "call")
CHANNELS = ("outbox", "webhook", "csv")
# Every status a message can be in; "sending" is the crash window (see sending.py),
# "suppressed" an opted-out resident, the rest are the statuses.
STATUSES = ("queued", "sending", "sent", "delivered", "failed", "replied", "booked",
            "suppressed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS outreach_campaign (
    campaign_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    program_id TEXT,
    program_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
    channel TEXT NOT NULL CHECK (channel IN ('outbox', 'webhook', 'csv')),
    template TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outreach_message (
    message_id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES outreach_campaign (campaign_id),
    resident_id TEXT NOT NULL,
    name TEXT,
    phone TEXT,
    area_id TEXT,
    area_name TEXT,
    body TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    first_attempt_at TEXT,
    sent_at TEXT,
    delivered_at TEXT,
    replied_at TEXT,
    reply_text TEXT,
    gateway_id TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, resident_id)
);
CREATE INDEX IF NOT EXISTS outreach_message_status ON outreach_message (campaign_id, status);
CREATE TABLE IF NOT EXISTS outreach_optout (
    resident_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outreach_event (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES outreach_message (message_id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outreach_event_message ON outreach_event (message_id);
"""

# Fields a template may use besides the recipient's own keys.
CAMPAIGN_FIELDS = ("campaign_name", "program_id", "program_name")
_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class CampaignError(MinqingError):
    """A campaign cannot be created or used as asked; the message says what to change."""


class TemplateError(CampaignError):
    """A template does not parse or uses a placeholder no recipient provides."""


@dataclass(frozen=True)
class CreateResult:
    """What ``create_campaign`` did: the campaign id and how many messages it added."""

    campaign_id: int
    created: bool
    messages_added: int
    messages_existing: int
    unreachable: int


def init_store(conn: sqlite3.Connection) -> None:
    """Create the outreach tables if they do not exist yet."""
    ensure_schema(conn, SCHEMA)


def template_fields(template: str) -> set[str]:
    """Return the placeholder names a Jinja2 template uses.

    >>> sorted(template_fields("{{ name }}, please book {{ program_name }}."))
    ['name', 'program_name']
    """
    try:
        return set(meta.find_undeclared_variables(_env.parse(template)))
    except TemplateSyntaxError as e:
        raise TemplateError(f"Template does not parse (line {e.lineno}): {e.message}") from e


def validate_template(template: str, available: Iterable[str]) -> set[str]:
    """Check every placeholder of ``template`` is in ``available``; return the used ones.

    Raises:
        TemplateError: naming the missing placeholder(s) and the ones that exist.
    """
    if not template or not template.strip():
        raise TemplateError("Template is empty; give the SMS text or call script.")
    used = template_fields(template)
    missing = sorted(used - set(available))
    if missing:
        raise TemplateError(
            f"Template placeholder {{{{ {missing[0]} }}}} is not a recipient field"
            + (f" (nor are {', '.join(missing[1:])})" if missing[1:] else "")
            + f"; available: {', '.join(sorted(available))}.")
    return used


def render(template: str, context: Mapping[str, Any]) -> str:
    """Render ``template`` with ``context``; a missing or empty field raises TemplateError."""
    empty = sorted(f for f in template_fields(template) if context.get(f) in (None, ""))
    if empty:
        raise TemplateError(f"field {empty[0]!r} is empty for this recipient")
    try:
        return _env.from_string(template).render(**context)
    except UndefinedError as e:
        raise TemplateError(str(e)) from e


def create_campaign(conn: sqlite3.Connection, name: str, template: str,
                    recipients: list[Mapping[str, Any]], *, kind: str = "sms",
                    channel: str = "outbox", program_id: str | None = None,
                    program_name: str | None = None, actor: str = "cli") -> CreateResult:
    """Create campaign ``name`` and freeze one rendered message per recipient.

    Running it again with the same name and template adds only recipients not yet in the
    campaign (none twice); a different template or channel for an existing name is refused.
    Recipients without a phone, or with an empty field the template needs, are kept as
    ``failed`` messages with the reason, never dropped.

    Args:
        recipients: dicts with at least ``resident_id``, ``name`` and ``phone``.
    Returns:
        CreateResult.
    Raises:
        CampaignError / TemplateError: bad kind, channel, name, template or recipients.
    """
    init_store(conn)
    name = (name or "").strip()
    if not name:
        raise CampaignError("Campaign name is empty; give --name.")
    if kind not in KINDS:
        raise CampaignError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.")
    if channel not in CHANNELS:
        raise CampaignError(f"Unknown channel {channel!r}; use one of {', '.join(CHANNELS)}.")
    for index, recipient in enumerate(recipients):
        if not recipient.get("resident_id"):
            raise CampaignError(f"Recipient {index} has no resident_id.")
    available = set(CAMPAIGN_FIELDS)
    if recipients:
        # Only fields every recipient carries count: a field present for some is a typo risk.
        available |= set.intersection(*(set(r) for r in recipients))
    else:
        available |= {"resident_id", "name", "phone", "address", "area_id", "area_name"}
    validate_template(template, available)
    campaign_fields = {"campaign_name": name, "program_id": program_id,
                       "program_name": program_name or program_id}
    now = now_text()
    with transaction(conn):
        existing = conn.execute("SELECT * FROM outreach_campaign WHERE name = ?",
                                (name,)).fetchone()
        if existing is not None:
            if (existing["template"], existing["kind"], existing["channel"]) != \
                    (template, kind, channel):
                raise CampaignError(
                    f"Campaign {name!r} exists (id {existing['campaign_id']}) with another "
                    f"template, kind or channel; choose a new name.")
            campaign_id = existing["campaign_id"]
        else:
            campaign_id = conn.execute(
                "INSERT INTO outreach_campaign (name, program_id, program_name, kind, channel, "
                "template, created_at, created_by) VALUES (?,?,?,?,?,?,?,?)",
                (name, program_id, program_name, kind, channel, template, now, actor)).lastrowid
        added = unreachable = 0
        for recipient in recipients:
            status, error = "queued", None
            try:
                body = render(template, {**recipient, **campaign_fields})
            except TemplateError as e:
                body, status, error = "", "failed", f"cannot render: {e}"
            if not recipient.get("phone"):
                status, error = "failed", "no phone number on record"
            cursor = conn.execute(
                "INSERT OR IGNORE INTO outreach_message (campaign_id, resident_id, name, phone, "
                "area_id, area_name, body, idempotency_key, status, last_error, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (campaign_id, recipient["resident_id"], recipient.get("name"),
                 recipient.get("phone"), recipient.get("area_id"), recipient.get("area_name"),
                 body, f"mq-{campaign_id}-{uuid.uuid4().hex}", status, error, now))
            if cursor.rowcount:
                added += 1
                unreachable += status == "failed"
        # In the same transaction: the messages and their audit row land together or not at all.
        audit.record(conn, actor, "campaign.create", f"campaign:{campaign_id}", name=name,
                     program_id=program_id, messages_added=added, unreachable=unreachable)
    return CreateResult(campaign_id, existing is None, added, len(recipients) - added,
                        unreachable)


def campaign_from_program(conn: sqlite3.Connection, graph, program_id: str, name: str,
                          template: str, *, kind: str = "sms", channel: str = "outbox",
                          as_of: dt.date | None = None, actor: str = "cli") -> CreateResult:
    """Create a campaign whose recipients are ``program_id``'s silent group on ``as_of``."""
    from queries.programs import load_programs, silent_group

    programs = load_programs()
    if program_id not in programs:
        raise NotFound(f"No program {program_id!r}; known: {', '.join(sorted(programs))}.")
    program = programs[program_id]
    group = silent_group(graph, program, as_of or dt.date.today())
    return create_campaign(conn, name, template, list(group.members), kind=kind,
                           channel=channel, program_id=program_id, program_name=program.name,
                           actor=actor)


def get_campaign(conn: sqlite3.Connection, campaign_id: int) -> dict:
    """Return campaign ``campaign_id`` as a dict, or raise NotFound."""
    init_store(conn)
    row = conn.execute("SELECT * FROM outreach_campaign WHERE campaign_id = ?",
                       (campaign_id,)).fetchone()
    if row is None:
        raise NotFound(f"No campaign {campaign_id}; `minqing campaign list` shows them.")
    return dict(row)


def list_campaigns(conn: sqlite3.Connection) -> list[dict]:
    """Return every campaign with its message counts by status, newest first."""
    init_store(conn)
    campaigns = [dict(row) for row in conn.execute(
        "SELECT * FROM outreach_campaign ORDER BY campaign_id DESC")]
    for campaign in campaigns:
        campaign["counts"] = status_counts(conn, campaign["campaign_id"])
        campaign["messages"] = sum(campaign["counts"].values())
    return campaigns


def status_counts(conn: sqlite3.Connection, campaign_id: int) -> dict[str, int]:
    """Return ``{status: number of messages}`` for every status (zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in conn.execute("SELECT status, count(*) AS n FROM outreach_message "
                            "WHERE campaign_id = ? GROUP BY status", (campaign_id,)):
        counts[row["status"]] = row["n"]
    return counts


def messages(conn: sqlite3.Connection, campaign_id: int, limit: int | None = None,
             area_ids: Iterable[str] | None = None) -> list[dict]:
    """Return the campaign's messages in creation order (full phones: mask before showing).

    ``area_ids`` keeps the messages to residents of those areas only (an official's view),
    before the ``limit`` is applied.
    """
    init_store(conn)
    sql = "SELECT * FROM outreach_message WHERE campaign_id = ?"
    params: tuple = (campaign_id,)
    if area_ids is not None:
        areas = sorted(area_ids)
        sql += f" AND area_id IN ({', '.join('?' * len(areas))})" if areas else " AND 0"
        params += tuple(areas)
    sql += " ORDER BY message_id"
    if limit is not None:
        sql += " LIMIT ?"
        params += (limit,)
    return [dict(row) for row in conn.execute(sql, params)]


def take_up(conn: sqlite3.Connection, campaign_id: int,
            bookings: Mapping[str, str]) -> dict[str, int]:
    """Count the campaign's contacted residents who booked after contact and before it.

    A booking dated on or after the day the message was sent counts as after contact
    (bookings carry a date, messages a time). Residents never contacted are not counted.

    Args:
        bookings: ``{resident_id: ISO date of first booking}`` (``booking_dates``).
    """
    result = {"contacted": 0, "booked_after_contact": 0, "booked_before_contact": 0}
    for row in conn.execute("SELECT resident_id, sent_at FROM outreach_message "
                            "WHERE campaign_id = ? AND sent_at IS NOT NULL", (campaign_id,)):
        result["contacted"] += 1
        booked = bookings.get(row["resident_id"])
        if booked is None:
            continue
        if str(booked)[:10] >= row["sent_at"][:10]:
            result["booked_after_contact"] += 1
        else:
            result["booked_before_contact"] += 1
    contacted = result["contacted"]
    result["take_up_rate"] = round(result["booked_after_contact"] / contacted, 4) \
        if contacted else None
    return result


def mark_booked(conn: sqlite3.Connection, campaign_id: int,
                bookings: Mapping[str, str]) -> int:
    """Set ``booked`` on contacted messages whose resident booked after contact; return how many."""
    changed = 0
    now = now_text()
    with transaction(conn):
        for row in conn.execute(
                "SELECT message_id, resident_id, sent_at FROM outreach_message WHERE "
                "campaign_id = ? AND sent_at IS NOT NULL AND status != 'booked'",
                (campaign_id,)).fetchall():
            booked = bookings.get(row["resident_id"])
            if booked is not None and str(booked)[:10] >= row["sent_at"][:10]:
                conn.execute("UPDATE outreach_message SET status = 'booked', updated_at = ? "
                             "WHERE message_id = ?", (now, row["message_id"]))
                log_event(conn, row["message_id"], "booked", f"booking dated {booked}")
                changed += 1
    return changed


def log_event(conn: sqlite3.Connection, message_id: int, status: str, detail: str = "") -> None:
    """Append one status change to the message's history (inside the caller's transaction)."""
    conn.execute("INSERT INTO outreach_event (message_id, at, status, detail) VALUES (?,?,?,?)",
                 (message_id, now_text(), status, detail))


def opt_out(conn: sqlite3.Connection, resident_id: str, reason: str = "asked not to be "
            "contacted", actor: str = "cli") -> bool:
    """Put ``resident_id`` on the do-not-contact list; return False if already there."""
    init_store(conn)
    if not resident_id:
        raise CampaignError("Give the resident_id to opt out.")
    cursor = conn.execute("INSERT OR IGNORE INTO outreach_optout (resident_id, reason, at, "
                          "actor) VALUES (?,?,?,?)", (resident_id, reason, now_text(), actor))
    audit.record(conn, actor, "outreach.optout", f"resident:{resident_id}", reason=reason)
    return bool(cursor.rowcount)


def opt_in(conn: sqlite3.Connection, resident_id: str, actor: str = "cli") -> bool:
    """Take ``resident_id`` off the do-not-contact list; return False if not on it."""
    init_store(conn)
    cursor = conn.execute("DELETE FROM outreach_optout WHERE resident_id = ?", (resident_id,))
    audit.record(conn, actor, "outreach.optin", f"resident:{resident_id}")
    return bool(cursor.rowcount)


def opted_out(conn: sqlite3.Connection) -> list[dict]:
    """Return the do-not-contact list."""
    init_store(conn)
    return [dict(r) for r in conn.execute("SELECT * FROM outreach_optout ORDER BY at")]
