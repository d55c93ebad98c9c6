"""The send loop: hand a campaign's due messages to its channel, exactly once each.

Rules, checked before every message: the do-not-contact list (the message becomes
``suppressed``), quiet hours in the district's local time (the loop stops and says when it
may resume), and daily caps on new contacts per campaign and per channel (the loop stops).
Failures are retried with exponential backoff up to ``outreach_max_attempts`` and stay
visible as ``failed`` with their last error.

The crash window. Every state change is committed to SQLite before or after the external
call, never around it:

1. commit ``status='sending'``, ``attempts+1`` (the idempotency key was frozen at creation);
2. call the channel (POST to the gateway, append to the CSV, insert into the outbox);
3. commit ``status='sent'`` (or ``failed`` with ``next_attempt_at``).

A crash before 1 leaves the message ``queued``: it is sent later, once. A crash between 1
and 3 — the dangerous one, the gateway may or may not have the message — leaves it
``sending``; the next run picks ``sending`` messages first and delivers them again *with the
same key*, and the channel dedups (the gateway answers a known key with its first answer,
the CSV channel skips a key already in the file, the outbox ignores a second insert). A
crash after 3 changes nothing. So a message can be *handed over* more than once but is
*sent* once, and none is lost.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from graph.errors import ConfigError
from queries import audit
from queries.outreach.campaigns import get_campaign, init_store, log_event
from queries.outreach.channels import Channel, ChannelError, open_channel
from queries.store import transaction


@dataclass
class SendReport:
    """What one run of ``send_campaign`` did, and why it stopped if it stopped early."""

    campaign_id: int
    attempted: int = 0
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    recovered: int = 0
    stopped: str | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the report as a plain dict (for ``--json``)."""
        return dict(self.__dict__)


def local_now(settings, now: dt.datetime | None = None) -> dt.datetime:
    """Return ``now`` (default: the clock) as a naive datetime in ``outreach_timezone``."""
    try:
        zone = ZoneInfo(settings.outreach_timezone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(f"outreach_timezone {settings.outreach_timezone!r} is not a known "
                          f"time zone; use e.g. Asia/Shanghai.") from e
    if now is None:
        now = dt.datetime.now(zone)
    elif now.tzinfo is not None:
        now = now.astimezone(zone)
    return now.replace(tzinfo=None, microsecond=0)


def _clock_setting(settings, name: str) -> dt.time:
    text = str(settings[name])
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"Setting {name} must be a time like 21:00, got {text!r}.") from None


def quiet_until(settings, now: dt.datetime) -> dt.datetime | None:
    """Return when the quiet hours around local ``now`` end, or None outside them.

    Equal start and end mean no quiet hours.
    """
    start = _clock_setting(settings, "outreach_quiet_start")
    end = _clock_setting(settings, "outreach_quiet_end")
    t = now.time()
    if start == end:
        return None
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    resume = dt.datetime.combine(now.date(), end)
    return resume if resume > now else resume + dt.timedelta(days=1)


def backoff_delay(settings, attempts: int) -> dt.timedelta:
    """Return the wait after the ``attempts``-th failed try: base × 2^(attempts−1), capped.

    The schedule is stored on the message (``next_attempt_at``) rather than slept in a
    retry decorator, so it survives restarts and several runs of the loop.
    """
    seconds = settings.outreach_retry_base_s * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.outreach_retry_max_s))


def _new_contacts_today(conn, today: str, campaign_id: int | None = None,
                        channel: str | None = None) -> int:
    sql = ("SELECT count(*) FROM outreach_message m JOIN outreach_campaign c "
           "ON c.campaign_id = m.campaign_id WHERE m.first_attempt_at >= ?")
    params: list = [today]
    if campaign_id is not None:
        sql += " AND m.campaign_id = ?"
        params.append(campaign_id)
    if channel is not None:
        sql += " AND c.channel = ?"
        params.append(channel)
    return conn.execute(sql, params).fetchone()[0]


def due_messages(conn: sqlite3.Connection, campaign_id: int, now: dt.datetime) -> list[dict]:
    """Return the messages to try now: interrupted (``sending``) first, then queued, then due retries."""
    rows = conn.execute(
        "SELECT * FROM outreach_message WHERE campaign_id = ? AND (status IN ('queued', "
        "'sending') OR (status = 'failed' AND next_attempt_at IS NOT NULL AND "
        "next_attempt_at <= ?)) ORDER BY status != 'sending', message_id",
        (campaign_id, now.isoformat())).fetchall()
    return [dict(row) for row in rows]


def send_campaign(conn: sqlite3.Connection, campaign_id: int, settings, *,
                  channel: Channel | None = None, now: dt.datetime | None = None,
                  limit: int | None = None, actor: str = "cli") -> SendReport:
    """Send campaign ``campaign_id``'s due messages through its channel.

    Args:
        channel: the channel to use (default: the campaign's, configured from settings).
        now: a fixed local time instead of the clock (tests, back-fills).
        limit: most messages to attempt in this run.
    Returns:
        SendReport; ``stopped`` names the quiet hours or cap that ended the run early.
    """
    init_store(conn)
    campaign = get_campaign(conn, campaign_id)
    channel = channel or open_channel(campaign["channel"], settings, conn)
    fixed_now = local_now(settings, now) if now is not None else None
    report = SendReport(campaign_id)
    for message in due_messages(conn, campaign_id, fixed_now or local_now(settings)):
        current = fixed_now or local_now(settings)
        if limit is not None and report.attempted >= limit:
            report.stopped = f"limit of {limit} messages reached"
            break
        resume = quiet_until(settings, current)
        if resume is not None:
            report.stopped = (f"quiet hours ({settings.outreach_quiet_start}–"
                              f"{settings.outreach_quiet_end} {settings.outreach_timezone}); "
                              f"resume after {resume.isoformat(sep=' ')}")
            break
        if _is_opted_out(conn, message["resident_id"]):
            _set(conn, message, "suppressed", current, "resident is on the do-not-contact list")
            report.suppressed += 1
            continue
        if message["first_attempt_at"] is None:
            stop = _cap_reached(conn, settings, campaign, current)
            if stop:
                report.stopped = stop
                break
        report.recovered += message["status"] == "sending"
        _claim(conn, message, current)
        report.attempted += 1
        try:
            gateway_id = channel.deliver({**message, "kind": campaign["kind"]})
        except ChannelError as e:
            _record_failure(conn, settings, message, current, e)
            report.failed += 1
            report.errors.append(f"message {message['message_id']}: {e}")
            continue
        _set(conn, message, "sent", fixed_now or local_now(settings), channel.name,
             gateway_id=gateway_id)
        report.sent += 1
    audit.record(conn, actor, "campaign.send", f"campaign:{campaign_id}",
                 channel=channel.name, attempted=report.attempted, sent=report.sent,
                 failed=report.failed, suppressed=report.suppressed, stopped=report.stopped)
    return report


def _is_opted_out(conn, resident_id: str) -> bool:
    return conn.execute("SELECT 1 FROM outreach_optout WHERE resident_id = ?",
                        (resident_id,)).fetchone() is not None


def _cap_reached(conn, settings, campaign: dict, now: dt.datetime) -> str | None:
    today = now.date().isoformat()
    cap = settings.outreach_daily_cap_per_campaign
    if _new_contacts_today(conn, today, campaign_id=campaign["campaign_id"]) >= cap:
        return (f"daily cap of {cap} new contacts for this campaign reached "
                f"(outreach_daily_cap_per_campaign); the rest go tomorrow")
    cap = settings.outreach_daily_cap_per_channel
    if _new_contacts_today(conn, today, channel=campaign["channel"]) >= cap:
        return (f"daily cap of {cap} new contacts on channel {campaign['channel']} reached "
                f"(outreach_daily_cap_per_channel); the rest go tomorrow")
    return None


def _claim(conn, message: dict, now: dt.datetime) -> None:
    """Step 1 of the crash window: commit ``sending`` before the external call."""
    stamp = now.isoformat()
    with transaction(conn):
        conn.execute("UPDATE outreach_message SET status = 'sending', attempts = attempts + 1, "
                     "first_attempt_at = coalesce(first_attempt_at, ?), next_attempt_at = NULL, "
                     "updated_at = ? WHERE message_id = ?",
                     (stamp, stamp, message["message_id"]))
        log_event(conn, message["message_id"], "sending",
                  f"attempt {message['attempts'] + 1}, key {message['idempotency_key']}")
    message["attempts"] += 1


def _record_failure(conn, settings, message: dict, now: dt.datetime, error: ChannelError):
    last = not error.retryable or message["attempts"] >= settings.outreach_max_attempts
    retry_at = None if last else (now + backoff_delay(settings, message["attempts"])).isoformat()
    detail = f"{error}; " + ("no more retries" if last else f"retry after {retry_at}")
    with transaction(conn):
        conn.execute("UPDATE outreach_message SET status = 'failed', next_attempt_at = ?, "
                     "last_error = ?, updated_at = ? WHERE message_id = ?",
                     (retry_at, str(error), now.isoformat(), message["message_id"]))
        log_event(conn, message["message_id"], "failed", detail)


def _set(conn, message: dict, status: str, now: dt.datetime, detail: str = "",
         gateway_id: str | None = None) -> None:
    stamp = now.isoformat()
    with transaction(conn):
        if status == "sent":
            conn.execute("UPDATE outreach_message SET status = 'sent', sent_at = ?, "
                         "gateway_id = ?, last_error = NULL, updated_at = ? "
                         "WHERE message_id = ?", (stamp, gateway_id, stamp,
                                                  message["message_id"]))
        else:
            conn.execute("UPDATE outreach_message SET status = ?, last_error = ?, updated_at = ? "
                         "WHERE message_id = ?", (status, detail, stamp, message["message_id"]))
        log_event(conn, message["message_id"], status, detail)


def sync_statuses(conn: sqlite3.Connection, campaign_id: int, settings, *,
                  channel: Channel | None = None) -> dict[str, int]:
    """Ask the channel for delivery reports and replies; update messages; return counts."""
    init_store(conn)
    campaign = get_campaign(conn, campaign_id)
    channel = channel or open_channel(campaign["channel"], settings, conn)
    rows = conn.execute("SELECT message_id, idempotency_key, status FROM outreach_message "
                        "WHERE campaign_id = ? AND status IN ('sent', 'delivered')",
                        (campaign_id,)).fetchall()
    reports = channel.statuses([row["idempotency_key"] for row in rows])
    changed = {"delivered": 0, "failed": 0, "replied": 0}
    stamp = local_now(settings).isoformat()
    with transaction(conn):
        for row in rows:
            info = reports.get(row["idempotency_key"])
            if not info:
                continue
            if info.get("reply"):
                conn.execute("UPDATE outreach_message SET status = 'replied', reply_text = ?, "
                             "replied_at = ?, delivered_at = coalesce(delivered_at, ?), "
                             "updated_at = ? WHERE message_id = ?",
                             (info["reply"], stamp, stamp, stamp, row["message_id"]))
                log_event(conn, row["message_id"], "replied", info["reply"])
                changed["replied"] += 1
            elif info.get("status") == "delivered" and row["status"] == "sent":
                conn.execute("UPDATE outreach_message SET status = 'delivered', delivered_at = ?,"
                             " updated_at = ? WHERE message_id = ?",
                             (stamp, stamp, row["message_id"]))
                log_event(conn, row["message_id"], "delivered")
                changed["delivered"] += 1
            elif info.get("status") == "failed":
                error = info.get("error") or "gateway reports the message undeliverable"
                conn.execute("UPDATE outreach_message SET status = 'failed', last_error = ?, "
                             "next_attempt_at = NULL, updated_at = ? WHERE message_id = ?",
                             (error, stamp, row["message_id"]))
                log_event(conn, row["message_id"], "failed", error)
                changed["failed"] += 1
    return changed
