"""``minqing notices ...``: thin commands over the notices library (docs/NOTICES.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app
from webapp.masking import mask_phone


def _store(app):
    from queries.notices.inbox import init_store
    from queries.store import connect

    return init_store(connect(app.settings))


@click.group(cls=FriendlyGroup)
def notices():
    """Event notices to the responsible officials: process, inbox, ack, post, rules."""


@notices.command("process")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Events dated on or after this day [default: today minus "
                   "notices_lookback_days].")
@click.option("--reprocess", is_flag=True,
              help="Look at already-processed events again (after adding a rule); "
                   "no notice is ever created twice.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def process(app, since, reprocess, as_json):
    """Turn events not yet processed into notices (run it from cron, see docs/NOTICES.md)."""
    from queries.notices.inbox import process_events

    report = process_events(app.graph, _store(app), since=since.date() if since else None,
                            reprocess=reprocess, actor="cli:notices process")
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Events since {report.since}: {report.events_seen} seen, {report.events_new} "
               f"new; {report.notices_created} notices created, {report.notices_existing} "
               f"already there.")
    for rule_id, count in sorted(report.by_rule.items()):
        click.echo(f"  {rule_id:<36}{count:>6}")
    if report.unrouted:
        click.echo(f"{len(report.unrouted)} events fit a rule but their resident's area has "
                   "no official (first ones):")
        for item in report.unrouted[:10]:
            click.echo(f"  {item['event_id']}  rule {item['rule_id']}  resident "
                       f"{item['resident_id']}  area {item['area_id'] or '(none)'}")


@notices.command("inbox")
@click.argument("official_id")
@click.option("--status", type=click.Choice(["new", "acknowledged"]), default=None,
              help="Only notices with this status [default: both].")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def inbox_command(app, official_id, status, as_json):
    """Show an official's notices (phones masked), new ones first."""
    from queries.notices.inbox import inbox

    items = [n | {"resident_phone": mask_phone(n["resident_phone"])}
             for n in inbox(_store(app), official_id, status=status)]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo(f"No notices for {official_id}.")
    for n in items:
        mark = "NEW" if n["status"] == "new" else f"ack by {n['acknowledged_by']}"
        click.echo(f"#{n['id']} [{mark}] {n['event_date']} {n['title']}\n"
                   f"    {n['resident_name']} {n['resident_phone'] or ''} {n['address']}\n"
                   f"    {n['message']}")


@notices.command("ack")
@click.argument("notice_id", type=int)
@click.option("--by", required=True, help="Who acknowledges (name).")
@click.option("--note", default=None, help="What was done.")
@pass_app
def ack(app, notice_id, by, note):
    """Acknowledge a notice (audited)."""
    from queries.notices.inbox import acknowledge

    notice = acknowledge(_store(app), notice_id, by, note)
    if notice["already"]:
        click.echo(f"Notice {notice_id} was already acknowledged by "
                   f"{notice['acknowledged_by']} at {notice['acknowledged_at']}.")
    else:
        click.echo(f"Acknowledged notice {notice_id} ({notice['title']}).")


@notices.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None,
              help="Intake endpoint [default: http://<web_host>:<web_port>/api/events].")
@click.option("--local", is_flag=True,
              help="Do not use HTTP: validate, store and notify in this process.")
@pass_app
def post(app, file, url, local):
    """Post the events in FILE.json (one object or a list) to the intake."""
    from queries.notices.intake import intake_token, receive_events

    try:
        body = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise click.ClickException(f"{file}: not a JSON file: {e}") from e
    if local:
        document = receive_events(app.graph, _store(app), body, actor="cli:notices post")
        document = document.to_json()
    else:
        import requests

        url = url or f"http://{app.settings.web_host}:{app.settings.web_port}/api/events"
        try:
            response = requests.post(url, json=body, timeout=60, headers={
                "Authorization": f"Bearer {intake_token(app.settings)}"})
        except requests.RequestException as e:
            raise click.ClickException(f"Cannot reach {url} ({e}); start the app with "
                                       f"`minqing serve`, or use --local") from e
        try:
            document = response.json()
        except ValueError:
            raise click.ClickException(f"{url} answered {response.status_code}: "
                                       f"{response.text[:200]}") from None
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    if document.get("problems"):
        raise SystemExit(1)


@notices.command("rules")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A rules file [default: queries/notices/rules.yaml].")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def rules(path, as_json):
    """Validate the notice rules and list them."""
    from queries.notices.rules import RULES_PATH, load_rules

    loaded = load_rules(path)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in loaded], ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(loaded)} rules in {path or RULES_PATH}, all valid:")
    for r in loaded:
        how = "all of" if r.notify_all else "first of"
        click.echo(f"  {r.rule_id:<34}{r.event_kind:<24}{how} {', '.join(r.roles)}")
