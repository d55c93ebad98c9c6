"""``minqing alerts``: check water readings, list, acknowledge and record absences."""

from __future__ import annotations

import json

import click

from graph.cli import FriendlyGroup, pass_app
from queries import alerts as lib


def _conn(app):
    from queries.store import connect

    return connect(app.settings)


@click.group(cls=FriendlyGroup)
def alerts():
    """Lone-senior early warning from smart water meters."""


@alerts.command("check")
@click.option("--readings", "readings_path", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="Parquet file of hourly readings (meter_id, household_no, ts, litres).")
@click.option("--at", "at", default=None, metavar="TIMESTAMP",
              help="Check time, e.g. 2025-06-30T08:00 (default: the hour after the last "
                   "reading in the file).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
@pass_app
def check_command(app, readings_path, at, as_json):
    """Raise new alerts from READINGS (each episode once), routed to responsible officials."""
    from models import water_alerts as wa

    if at is not None:
        at = lib._as_time(at)
    readings = wa.read_readings(readings_path, at=at)
    with _conn(app) as conn:
        summary = lib.check(conn, app.graph, readings, at=at)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Checked {summary.meters} meters at {summary.at}: {len(summary.raised)} new "
               f"alert(s), {summary.updated} already raised, {len(summary.suppressed)} "
               f"suppressed by a known absence.")
    if summary.unrouted:
        click.echo(f"Not routed (household not in the graph or area without an official): "
                   f"{', '.join(summary.unrouted)}", err=True)
    for row in summary.rejected[:20]:
        click.echo(f"Rejected row {row['row']}: {row['field']} {row['value']!r}: "
                   f"{row['reason']}", err=True)
    if len(summary.rejected) > 20:
        click.echo(f"... and {len(summary.rejected) - 20} more rejected rows "
                   f"(--json lists the first 20).", err=True)


@alerts.command("list")
@click.option("--official", default=None, help="Only alerts routed to this official id.")
@click.option("--status", default=None,
              type=click.Choice(["open", *lib.OUTCOMES]), help="Only alerts in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print alerts as JSON (audited export).")
@pass_app
def list_command(app, official, status, as_json):
    """List water alerts, newest first."""
    from queries import audit
    from webapp.masking import mask_phone

    with _conn(app) as conn:
        rows = lib.list_alerts(conn, official=official, status=status)
        if as_json:
            audit.record(conn, "cli", "water_alerts.export", official or "all",
                         alerts=[r["id"] for r in rows])
            click.echo(json.dumps({"alerts": rows, "false_alarms": lib.false_alarm_rate(conn)},
                                  ensure_ascii=False, indent=2, default=str))
            return
    for r in rows:
        who = ", ".join(o["official_id"] for o in r["officials"]) or "UNROUTED"
        click.echo(f"#{r['id']:<5} {r['severity']:<6} {r['rule']:<16} {r['status']:<11} "
                   f"{r['meter_id']} {r['resident_id'] or '-'} {r['resident_name'] or ''} "
                   f"{mask_phone(r['resident_phone']) or ''} since {r['episode_start']} → {who}")
    if not rows:
        click.echo("No water alerts.")


@alerts.command("ack")
@click.argument("alert_id", type=int)
@click.option("--outcome", required=True, type=click.Choice(lib.OUTCOMES))
@click.option("--until", default=None, metavar="DATE",
              help="With --outcome away: back on this date; alerts suppressed until then.")
@click.option("--note", default="", help="What the visit found.")
@click.option("--by", "by", required=True, metavar="NAME", help="Who acknowledges.")
@pass_app
def ack_command(app, alert_id, outcome, until, note, by):
    """Acknowledge alert ALERT_ID with its outcome."""
    with _conn(app) as conn:
        alert = lib.acknowledge(conn, alert_id, outcome, by, until=until, note=note)
    extra = f"; alerts for {alert['resident_id']} suppressed until {until}" \
        if outcome == "away" else ""
    click.echo(f"Alert #{alert_id}: {outcome}{extra}.")


@alerts.command("absence")
@click.argument("resident_id")
@click.option("--until", required=True, metavar="DATE", help="Last day of the absence.")
@click.option("--note", default="", help="e.g. staying with her daughter.")
@click.option("--by", "by", default="cli", show_default=True, metavar="NAME")
@pass_app
def absence_command(app, resident_id, until, note, by):
    """Record that RESIDENT_ID is away until DATE (inclusive): no alerts until then."""
    with _conn(app) as conn:
        lib.record_absence(conn, resident_id, until, by, note=note)
    click.echo(f"Alerts for {resident_id} are suppressed until {until} (inclusive).")
