"""Outreach campaign pages: the list with take-up per campaign, and one campaign's messages."""

from __future__ import annotations

import contextlib

from flask import Blueprint, abort, g, redirect, request, url_for

from graph.errors import GraphUnavailable, QueryError
from queries.outreach import campaigns as outreach
from queries.store import connect
from webapp.workflow import store_target
from webapp.inbox import Section, register_section
from webapp.masking import mask_phone
from webapp.pages import page
from webapp.scope import current_scope, require_resident

bp = Blueprint("campaigns", __name__)
# The page lists at most this many messages; the CLI's export-csv has them all.
MESSAGES_SHOWN = 500


@contextlib.contextmanager
def _store():
    conn = connect(store_target())
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
        # An official sees the messages to their own areas only, cut in the query so the
        # first page is theirs (the counts stay the campaign's: numbers, not people).
        rows = outreach.messages(conn, campaign_id, limit=MESSAGES_SHOWN + 1,
                                 area_ids=current_scope())
        take_up = _take_up(conn, campaign)
    shown = ("message_id", "resident_id", "name", "area_name", "status", "attempts",
             "next_attempt_at", "last_error", "sent_at", "delivered_at", "reply_text")
    return {
        "campaign": campaign,
        "counts": counts,
        "take_up": take_up,
        "messages": [{**{k: m[k] for k in shown}, "phone": mask_phone(m["phone"])}
                     for m in rows[:MESSAGES_SHOWN]],
        "messages_truncated": len(rows) > MESSAGES_SHOWN,
    }


@bp.post("/campaigns/<int:campaign_id>/optout")
def optout(campaign_id: int):
    """Put a resident of this campaign on the do-not-contact list (form post, CSRF-checked)."""
    resident_id = (request.form.get("resident_id") or "").strip()
    if not resident_id:
        abort(400, "Give the resident_id to opt out.")
    from webapp.graph_handle import get_graph

    if current_scope() is not None:
        require_resident(get_graph(), resident_id)
    with _store() as conn:
        outreach.get_campaign(conn, campaign_id)
        outreach.opt_out(conn, resident_id, reason=request.form.get("reason") or
                         "asked not to be contacted", actor=g.user_name)
    return redirect(url_for("campaigns.campaign_detail", campaign_id=campaign_id))


# -- the official's inbox ---------------------------------------------------------------------

AREAS_OF_OFFICIAL = ("MATCH (:Official {official_id: $official_id})-[:RESPONSIBLE_FOR]->"
                     "(a:ResidentialArea) RETURN a.area_id AS area_id")


def _inbox_campaigns(conn, official_id: str, status: str | None) -> list[dict]:
    """Campaigns with messages to the official's areas: counts by status, and the replies
    that wait for a call back ("new") or have been followed up by a booking."""
    from webapp.graph_handle import get_graph

    areas = [row["area_id"] for row in get_graph().read(
        AREAS_OF_OFFICIAL, {"official_id": official_id}).rows]
    scope = current_scope()
    areas = [a for a in areas if scope is None or a in scope]
    if not areas:
        return []
    outreach.init_store(conn)
    marks = ",".join("?" * len(areas))
    items = []
    for campaign in conn.execute(
            f"SELECT DISTINCT c.* FROM outreach_campaign c JOIN outreach_message m USING "
            f"(campaign_id) WHERE m.area_id IN ({marks}) ORDER BY c.campaign_id DESC", areas):
        counts = dict(conn.execute(
            f"SELECT status, count(*) FROM outreach_message WHERE campaign_id = ? AND "
            f"area_id IN ({marks}) GROUP BY status", (campaign["campaign_id"], *areas)).fetchall())
        wanted = {"new": ("replied",), "acknowledged": ("booked",)}.get(status,
                                                                        ("replied", "booked"))
        replies = [dict(r) | {"phone": mask_phone(r["phone"])} for r in conn.execute(
            f"SELECT message_id, resident_id, name, phone, area_name, status, reply_text, "
            f"replied_at FROM outreach_message WHERE campaign_id = ? AND area_id IN ({marks}) "
            f"AND status IN ({','.join('?' * len(wanted))}) ORDER BY replied_at",
            (campaign["campaign_id"], *areas, *wanted))]
        items.append({"campaign_id": campaign["campaign_id"], "name": campaign["name"],
                      "program_name": campaign["program_name"], "channel": campaign["channel"],
                      "counts": counts, "messages": sum(counts.values()), "replies": replies})
    return items


register_section(Section("campaigns", "外呼与短信 Campaigns", "inbox_campaigns.html",
                         _inbox_campaigns))
