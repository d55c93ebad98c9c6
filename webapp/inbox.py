"""Officials' inboxes: ``/inbox`` lists officials, ``/inbox/<official_id>`` their notices.

Phones are masked on screen (webapp.masking). Acknowledging is a POST form with the CSRF
token and is audited.

Other page families add their own section to an official's inbox (alerts, campaigns) with
``register_section``: a loader returning the section's items and the template that shows
them. The notices section below is registered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, abort, g, redirect, request, url_for

from graph import schema
from graph.errors import NotFound
from queries.notices.inbox import (acknowledge, counts_by_official, get_notice, inbox,
                                   init_store)
from queries.store import connect
from webapp.workflow import store_target
from webapp.graph_handle import get_graph
from webapp.masking import mask_phone
from webapp.pages import page
from webapp.scope import current_scope, keep_in_scope

bp = Blueprint("inbox", __name__)

_O, _A = schema.label("Official"), schema.label("ResidentialArea")
OFFICIALS_CYPHER = (
    f"MATCH (o:{_O}) OPTIONAL MATCH (o)-[:{schema.rel_type('RESPONSIBLE_FOR')}]->(a:{_A}) "
    f"RETURN o.official_id AS official_id, o.name AS name, o.role AS role, "
    f"collect(a.name) AS areas, collect(a.{schema.key_of('ResidentialArea')}) AS area_ids "
    f"ORDER BY official_id")
OFFICIAL_CYPHER = (
    f"MATCH (o:{_O} {{{schema.key_of('Official')}: $official_id}}) "
    f"OPTIONAL MATCH (o)-[:{schema.rel_type('RESPONSIBLE_FOR')}]->(a:{_A}) "
    f"RETURN o.official_id AS official_id, o.name AS name, o.role AS role, "
    f"collect(a.name) AS areas")


def builder_queries() -> dict[str, str]:
    """The Cypher texts this page sends, by name (for the lint test)."""
    return {"inbox officials": OFFICIALS_CYPHER, "inbox official": OFFICIAL_CYPHER}


def open_store():
    """Open the app's workflow store (``WORKFLOW_STORE`` in the app config, for tests, or
    the one in data_dir) with the notice tables in place."""
    return init_store(connect(store_target()))


@dataclass(frozen=True)
class Section:
    """One part of an official's inbox: ``load(conn, official_id, status)`` returns the
    items (plain data, phones masked) that ``template`` shows under ``title``."""

    name: str
    title: str
    template: str
    load: Callable[[Any, str, str | None], list[dict]]


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    """Add a section to every official's inbox page (and its JSON twin), once."""
    if all(s.name != section.name for s in SECTIONS):
        SECTIONS.append(section)


def _notices(conn, official_id: str, status: str | None) -> list[dict]:
    return [n | {"resident_phone": mask_phone(n["resident_phone"])}
            for n in keep_in_scope(inbox(conn, official_id, status=status))]


register_section(Section("notices", "事件提醒 Event notices", "inbox_notices.html", _notices))
# Alerts and campaigns add their sections here, e.g.:
# register_section(Section("alerts", "预警 Alerts", "inbox_alerts.html", load_alerts))


@page(bp, "/inbox", "inbox_list.html")
def officials():
    """List the officials with their areas and how many new notices wait for each."""
    rows = get_graph().read(OFFICIALS_CYPHER).rows
    scope = current_scope()
    if scope is not None:  # an official sees the inboxes of their own areas only
        rows = [row for row in rows if set(row["area_ids"]) & scope]
    conn = open_store()
    try:
        counts = counts_by_official(conn)
    finally:
        conn.close()
    for row in rows:
        row.update(counts.get(row["official_id"], {"new": 0, "acknowledged": 0}))
    return {"officials": rows}


@page(bp, "/inbox/<official_id>", "inbox.html")
def official_inbox(official_id: str):
    """Show one official's inbox: every section, new items first."""
    status = request.args.get("status") or None
    if status not in (None, "new", "acknowledged"):
        abort(400, "status is new or acknowledged")
    official = get_graph().read(OFFICIAL_CYPHER, {"official_id": official_id}).rows
    if not official:
        raise NotFound(f"No official {official_id!r}; /inbox lists them")
    conn = open_store()
    try:
        sections = [{"name": s.name, "title": s.title, "template": s.template,
                     "items": s.load(conn, official_id, status)} for s in SECTIONS]
    finally:
        conn.close()
    return {"official": official[0], "status": status, "sections": sections}


@bp.post("/inbox/<official_id>/notices/<int:notice_id>/ack")
def acknowledge_notice(official_id: str, notice_id: int):
    """Acknowledge a notice (form field ``note``) as the logged-in user; audited; back to
    the inbox."""
    conn = open_store()
    try:
        notice = get_notice(conn, notice_id)
        if notice["official_id"] != official_id or not keep_in_scope([notice]):
            raise NotFound(f"Notice {notice_id} is not in {official_id}'s inbox")
        acknowledge(conn, notice_id, g.user_name, request.form.get("note"))
    finally:
        conn.close()
    return redirect(url_for("inbox.official_inbox", official_id=official_id) +
                    f"#notice-{notice_id}")
