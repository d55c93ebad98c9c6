"""Outreach campaign pages: the list with take-up per campaign, and one campaign's messages."""

from __future__ import annotations

import contextlib

from flask import Blueprint, abort, current_app, redirect, request, url_for

from graph.errors import GraphUnavailable, QueryError
from queries.outreach import campaigns as outreach
from queries.store import connect
from webapp.masking import mask_phone
from webapp.pages import page

bp = Blueprint("campaigns", __name__)
# The page lists at most this many messages; the CLI's export-csv has them all.
MESSAGES_SHOWN = 500


@contextlib.contextmanager
def _store():
    conn = connect(current_app.config["MINQING_SETTINGS"])
    try:
        outreach.init_store(conn)
        yield conn
    finally:
        conn.close()


def _bookings(program_id: str | None) -> dict | None:
    """Return the program's first booking per resident, or None when it cannot be known."""
    if not program_id:
        return None
    try:
        from queries.programs import booking_dates, load_programs
    except ImportError:  # silent groups land separately; take-up shows as unknown until then
        return None
    program = load_programs().get(program_id)
    if program is None:
        return None
    from webapp.graph_handle import get_graph

    try:
        return booking_dates(get_graph(), program)
    except (GraphUnavailable, QueryError):
        return None


def _take_up(conn, campaign: dict) -> dict | None:
    bookings = _bookings(campaign["program_id"])
    return None if bookings is None else outreach.take_up(conn, campaign["campaign_id"],
                                                          bookings)


@page(bp, "/campaigns", "campaigns.html")
def campaign_list():
    """List campaigns with message counts by status and take-up."""
    with _store() as conn:
        rows = outreach.list_campaigns(conn)
        for campaign in rows:
            campaign["take_up"] = _take_up(conn, campaign)
    return {"campaigns": rows, "statuses": list(outreach.STATUSES)}


@page(bp, "/campaigns/<int:campaign_id>", "campaign.html")
def campaign_detail(campaign_id: int):
    """Show one campaign: counts by status, take-up, and its messages with masked phones."""
    with _store() as conn:
        campaign = outreach.get_campaign(conn, campaign_id)
        counts = outreach.status_counts(conn, campaign_id)
        rows = outreach.messages(conn, campaign_id, limit=MESSAGES_SHOWN)
        take_up = _take_up(conn, campaign)
    shown = ("message_id", "resident_id", "name", "area_name", "status", "attempts",
             "next_attempt_at", "last_error", "sent_at", "delivered_at", "reply_text")
    return {
        "campaign": campaign,
        "counts": counts,
        "take_up": take_up,
        "messages": [{**{k: m[k] for k in shown}, "phone": mask_phone(m["phone"])}
                     for m in rows],
        "messages_truncated": sum(counts.values()) > len(rows),
    }


@bp.post("/campaigns/<int:campaign_id>/optout")
def optout(campaign_id: int):
    """Put a resident of this campaign on the do-not-contact list (form post, CSRF-checked)."""
    resident_id = (request.form.get("resident_id") or "").strip()
    if not resident_id:
        abort(400, "Give the resident_id to opt out.")
    with _store() as conn:
        outreach.get_campaign(conn, campaign_id)
        outreach.opt_out(conn, resident_id, reason=request.form.get("reason") or
                         "asked not to be contacted", actor="web")
    return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign_id))
