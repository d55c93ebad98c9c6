"""Per-record unmasking for analysts: see one resident's ID number, phone and birth date in
full after giving a reason, which goes to the audit log with the analyst's name.

``/residents/<id>/unmask`` (GET) shows the record masked and the reason form (the view is
audited); the POST, with the CSRF token and a reason, shows it unmasked (audited again).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from werkzeug.exceptions import BadRequest

from graph import schema
from graph.errors import NotFound
from queries import audit
from webapp.graph_handle import get_graph
from webapp.masking import mask_personal
from webapp.workflow import workflow_store

bp = Blueprint("unmask", __name__)

MIN_REASON_CHARS = 5
MAX_REASON_CHARS = 500
RESIDENT_CYPHER = (
    f"MATCH (r:{schema.label('Resident')} {{{schema.key_of('Resident')}: $resident_id}}) "
    f"RETURN r.{schema.key_of('Resident')} AS resident_id, r.name AS name, r.sex AS sex, "
    f"r.birth_date AS birth_date, r.id_number AS id_number, r.phone AS phone")


def builder_queries() -> dict[str, str]:
    """The Cypher texts this page sends, by name (for the lint test)."""
    return {"unmask resident": RESIDENT_CYPHER}


def _resident(resident_id: str) -> dict:
    rows = get_graph().read(RESIDENT_CYPHER, {"resident_id": resident_id}).rows
    if not rows:
        raise NotFound(f"No resident {resident_id!r}")
    return {k: (str(v) if v is not None else None) for k, v in rows[0].items()}


@bp.get("/residents/<resident_id>/unmask")
def form(resident_id: str):
    """Show the resident's personal fields masked, with the form asking for a reason."""
    record = mask_personal(_resident(resident_id))
    with workflow_store() as conn:
        audit.record(conn, g.user_name, "view_resident", f"resident:{resident_id}",
                     masked=True)
    return render_template("unmask.html", record=record, unmasked=False, reason="")


@bp.post("/residents/<resident_id>/unmask")
def unmask(resident_id: str):
    """Show the fields in full; the reason and the analyst go to the audit log first."""
    reason = " ".join((request.form.get("reason") or "").split())
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        raise BadRequest(f"Give a reason of {MIN_REASON_CHARS} to {MAX_REASON_CHARS} "
                         f"characters for seeing this resident's personal data (field reason).")
    record = _resident(resident_id)
    with workflow_store() as conn:
        audit.record(conn, g.user_name, "unmask", f"resident:{resident_id}", reason=reason,
                     fields=["id_number", "phone", "birth_date"])
    return render_template("unmask.html", record=record, unmasked=True, reason=reason)
