"""``minqing campaign ...``: thin commands over the outreach library."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app
from webapp.masking import mask_phone


def _store(app):
    from queries.outreach.campaigns import init_store
    from queries.store import connect

    conn = connect(app.settings)
    init_store(conn)
    return conn


def _sync(conn, campaign_id: int, settings) -> tuple[dict, str | None]:
    """Poll delivery reports; return (changes, why not) — a gateway that does not answer
    leaves the stored statuses, which are still worth showing."""
    from queries.outreach.channels import ChannelError
    from queries.outreach.sending import sync_statuses

    try:
        return sync_statuses(conn, campaign_id, settings), None
    except ChannelError as e:
        return {}, f"Delivery reports not refreshed: {e}"


@click.group(cls=FriendlyGroup)
def campaign():
    """Outreach campaigns by SMS and outbound call (see docs/OUTREACH.md)."""


@campaign.command("create")
@click.option("--program", "program_id", required=True, help="Program id, e.g. P01.")
@click.option("--name", required=True, help="Campaign name (unique; re-running adds no one twice).")
@click.option("--template", "template_text",
              help="Message text / call script (Jinja2); default: the program's own.")
@click.option("--template-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the template from this file.")
@click.option("--kind", type=click.Choice(["sms", "call"]), default="sms", show_default=True)
@click.option("--channel", type=click.Choice(["outbox", "webhook", "csv"]), default="outbox",
              show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Date of the silent group.")
@pass_app
def create(app, program_id, name, template_text, template_file, kind, channel, as_of):
    """Create a campaign for a program's silent group."""
    from queries.outreach.campaigns import campaign_from_program

    if template_text and template_file:
        raise click.UsageError("Give at most one of --template and --template-file.")
    if template_file:
        template = template_file.read_text(encoding="utf-8")
    else:
        template = template_text or _program_template(program_id, kind)
    result = campaign_from_program(_store(app), app.graph, program_id, name, template,
                                   kind=kind, channel=channel,
                                   as_of=as_of.date() if as_of else None)
    verb = "Created" if result.created else "Updated"
    click.echo(f"{verb} campaign {result.campaign_id}: {result.messages_added} messages added "
               f"({result.unreachable} unreachable), {result.messages_existing} already there.")


def _program_template(program_id: str, kind: str) -> str:
    """The program's own SMS text or call script from the catalogue."""
    from queries.programs import load_programs

    program = load_programs().get(program_id)
    template = program and (program.sms_template if kind == "sms" else program.call_script)
    if not template:
        raise click.UsageError(f"Program {program_id!r} has no {kind} template in the "
                               f"catalogue; give --template or --template-file.")
    return template


@campaign.command("send")
@click.argument("campaign_id", type=int, required=False)
@click.option("--all", "send_all", is_flag=True,
              help="Every campaign with messages still to send (for cron).")
@click.option("--limit", type=int, help="Most messages to try per campaign in this run.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def send(app, campaign_id, send_all, limit, as_json):
    """Send a campaign's due messages (safe to re-run after a crash)."""
    from queries.outreach.campaigns import list_campaigns
    from queries.outreach.sending import send_campaign

    if (campaign_id is None) == (not send_all):
        raise click.UsageError("Give a CAMPAIGN_ID or --all.")
    conn = _store(app)
    if send_all:
        pending = ("queued", "sending", "failed")
        chosen = [c["campaign_id"] for c in list_campaigns(conn)
                  if any(c["counts"].get(s) for s in pending)]
    else:
        chosen = [campaign_id]
    for one in sorted(chosen):
        report = send_campaign(conn, one, app.settings, limit=limit)
        synced, sync_error = _sync(conn, one, app.settings)
        if as_json:
            click.echo(json.dumps({"campaign_id": one, **report.as_dict(), "synced": synced,
                                   "sync_error": sync_error}, ensure_ascii=False))
            continue
        click.echo(f"Campaign {one}: {report.sent} sent, {report.failed} failed, "
                   f"{report.suppressed} suppressed (do-not-contact), {report.recovered} "
                   f"recovered from an interrupted run.")
        for error in report.errors[:10]:
            click.echo(f"  {error}")
        if report.stopped:
            click.echo(f"Stopped: {report.stopped}.")
        if sync_error:
            click.echo(sync_error)
    if send_all and not chosen and not as_json:
        click.echo("No campaign has messages to send.")


@campaign.command("status")
@click.argument("campaign_id", type=int)
@click.option("--sync/--no-sync", default=True, help="Poll the channel for delivery first.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def status(app, campaign_id, sync, as_json):
    """Show a campaign's message counts by status and its failed messages."""
    from queries.outreach.campaigns import get_campaign, messages, status_counts

    conn = _store(app)
    info = get_campaign(conn, campaign_id)
    sync_error = None
    if sync and info["channel"] == "webhook":
        sync_error = _sync(conn, campaign_id, app.settings)[1]
    counts = status_counts(conn, campaign_id)
    failed = [m for m in messages(conn, campaign_id) if m["status"] == "failed"]
    if as_json:
        click.echo(json.dumps({"campaign": info, "counts": counts, "failed": [
            {"resident_id": m["resident_id"], "attempts": m["attempts"],
             "next_attempt_at": m["next_attempt_at"], "last_error": m["last_error"]}
            for m in failed], "sync_error": sync_error}, ensure_ascii=False))
        return
    if sync_error:
        click.echo(sync_error)
    click.echo(f"Campaign {campaign_id} {info['name']!r} ({info['kind']} via {info['channel']})")
    for name, n in counts.items():
        click.echo(f"{name:>12}  {n}")
    for m in failed[:20]:
        retry = f"retry after {m['next_attempt_at']}" if m["next_attempt_at"] else "no retry"
        click.echo(f"  failed {m['resident_id']} {mask_phone(m['phone'])}: {m['last_error']} "
                   f"({m['attempts']} tries, {retry})")


@campaign.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_command(app, as_json):
    """List campaigns with their message counts."""
    from queries.outreach.campaigns import list_campaigns

    campaigns = list_campaigns(_store(app))
    if as_json:
        click.echo(json.dumps(campaigns, ensure_ascii=False))
        return
    if not campaigns:
        click.echo("No campaigns yet; `minqing campaign create --help` starts one.")
    for c in campaigns:
        counts = ", ".join(f"{k} {v}" for k, v in c["counts"].items() if v)
        click.echo(f"{c['campaign_id']:>4}  {c['name']}  [{c['kind']}/{c['channel']}] "
                   f"program {c['program_id'] or '-'}: {counts or 'no messages'}")


@campaign.command("optout")
@click.argument("resident_id")
@click.option("--reason", default="asked not to be contacted", show_default=True)
@click.option("--remove", is_flag=True, help="Take the resident off the list again.")
@pass_app
def optout(app, resident_id, reason, remove):
    """Put a resident on the do-not-contact list (or take them off with --remove)."""
    from queries.outreach.campaigns import opt_in, opt_out

    conn = _store(app)
    if remove:
        changed = opt_in(conn, resident_id)
        click.echo(f"{resident_id} " + ("may be contacted again." if changed
                                        else "was not on the do-not-contact list."))
    else:
        changed = opt_out(conn, resident_id, reason)
        click.echo(f"{resident_id} " + ("is on the do-not-contact list." if changed
                                        else "was already on the do-not-contact list."))


@campaign.command("export-csv")
@click.argument("campaign_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV file to write (full phone numbers: it is created owner-only).")
@pass_app
def export_csv(app, campaign_id, out):
    """Export a campaign's messages with full phones and statuses (audited)."""
    from queries import audit
    from queries.outreach.campaigns import get_campaign, messages

    conn = _store(app)
    get_campaign(conn, campaign_id)
    rows = messages(conn, campaign_id)
    columns = ["message_id", "resident_id", "name", "phone", "area_name", "status", "attempts",
               "sent_at", "delivered_at", "reply_text", "last_error", "body"]
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    except OSError as e:
        raise click.ClickException(f"Cannot write {out}: {e}") from e
    audit.record(conn, "cli", "campaign.export_csv", f"campaign:{campaign_id}",
                 file=str(out), rows=len(rows))
    click.echo(f"Wrote {len(rows)} messages to {out}.")


@campaign.command("gateway")
@click.option("--port", type=int, help="Port (default: outreach_gateway_port).")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file of received messages (default: <data_dir>/outreach/gateway.sqlite3).")
@click.option("--mode", type=click.Choice(["ok", "500", "slow"]), default="ok",
              show_default=True)
@click.option("--fail-rate", type=float, default=0.0, show_default=True)
@click.option("--delay-ms", type=int, default=0, show_default=True)
@click.option("--reply-rate", type=float, default=0.0, show_default=True)
@pass_app
def gateway(app, port, data, mode, fail_rate, delay_ms, reply_rate):
    """Run the fake SMS/call gateway in the foreground (Ctrl-C stops it)."""
    from queries.outreach.gateway import serve

    data = data or app.settings.data_path / "outreach" / "gateway.sqlite3"
    data.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    serve(port or app.settings.outreach_gateway_port, data, mode=mode, fail_rate=fail_rate,
          delay_ms=delay_ms, reply_rate=reply_rate)
