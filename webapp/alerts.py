"""Water alerts for officials: the list with evidence plots, one alert, and acknowledgement."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, request, url_for

from werkzeug.exceptions import BadRequest

from graph.errors import MinqingError, NotFound
from queries import alerts as lib
from queries.store import connect
from webapp.workflow import store_target
from webapp.inbox import Section, register_section
from webapp.masking import mask_phone
from webapp.pages import page
from webapp.scope import area_allowed, keep_in_scope

bp = Blueprint("alerts", __name__)


def _conn():
    return connect(store_target())


def _in_scope(alert: dict) -> dict:
    """Refuse an alert about a senior outside the user's areas as if it did not exist."""
    if not area_allowed(alert.get("area_id")):
        raise NotFound(f"No water alert {alert.get('id')} in your areas")
    return alert


def _for_screen(alert: dict) -> dict:
    """Mask the senior's phone; the evidence series stays in the JSON for charts."""
    return {**alert, "resident_phone": mask_phone(alert.get("resident_phone"))}


@page(bp, "/alerts", "alerts.html")
def alert_list():
    """List water alerts, newest first; ``?official=`` and ``?status=`` filter."""
    official = request.args.get("official") or None
    status = request.args.get("status") or None
    if status is not None and status not in ("open", *lib.OUTCOMES):
        raise BadRequest(f"Unknown status {status!r}; use open or one of "
                         f"{', '.join(lib.OUTCOMES)}.")
    conn = _conn()
    try:
        alerts = [_for_screen(a) for a in keep_in_scope(lib.list_alerts(conn, official,
                                                                          status))]
        rate = lib.false_alarm_rate(conn)
    finally:
        conn.close()
    return {"alerts": alerts, "official": official, "status": status,
            "false_alarms": rate, "outcomes": lib.OUTCOMES}


@page(bp, "/alerts/<int:alert_id>", "alert.html")
def alert_detail(alert_id: int):
    """Show one alert: the senior, the rule and its numbers, the plot, the outcomes so far."""
    conn = _conn()
    try:
        alert = _for_screen(_in_scope(lib.get_alert(conn, alert_id)))
    finally:
        conn.close()
    return {"alert": alert, "outcomes": lib.OUTCOMES}


@bp.route("/alerts/<int:alert_id>/plot.svg")
def alert_plot(alert_id: int):
    """The evidence plot: the last days' hourly readings, the rule's window shaded."""
    conn = _conn()
    try:
        alert = _in_scope(lib.get_alert(conn, alert_id))
    finally:
        conn.close()
    return Response(lib.evidence_svg(alert), mimetype="image/svg+xml")


@bp.route("/alerts/<int:alert_id>/ack", methods=["POST"])
def alert_ack(alert_id: int):
    """Record an outcome from the form, then show the alert again."""
    conn = _conn()
    try:
        _in_scope(lib.get_alert(conn, alert_id))
        lib.acknowledge(conn, alert_id, request.form.get("outcome", ""),
                        g.user_name, until=request.form.get("until") or None,
                        note=request.form.get("note", ""))
    except MinqingError as e:
        if "No water alert" in str(e):
            raise
        flash(str(e), "error")
    finally:
        conn.close()
    return redirect(url_for("alerts.alert_detail", alert_id=alert_id))


# -- the official's inbox ---------------------------------------------------------------------

def _inbox_alerts(conn, official_id: str, status: str | None) -> list[dict]:
    """Alerts routed to ``official_id``: open ones are "new", closed ones "acknowledged"."""
    alerts = lib.list_alerts(conn, official=official_id,
                             status="open" if status == "new" else None)
    if status == "acknowledged":
        alerts = [a for a in alerts if a["status"] != "open"]
    return [_for_screen(a) for a in keep_in_scope(alerts)]


register_section(Section("alerts", "用水预警 Water alerts", "inbox_alerts.html", _inbox_alerts))
