"""Building the demo: the synthetic district, its stored silent groups, filled inboxes, and
the fake SMS/call gateway beside the app (``minqing demo``)."""

from __future__ import annotations

import click

DEMO_ALERT_DAYS = 14
DEMO_ALERT_EVERY_DAYS = 2

def start_demo_gateway(settings):
    """Start the fake SMS/call gateway for the webhook channel; None if its port is taken.

    A taken port usually means a gateway from an earlier demo still runs, which serves as
    well; the message says which setting to change otherwise.
    """
    import socket

    from queries.outreach.gateway import start_gateway

    port = settings.outreach_gateway_port
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            click.echo(f"Port {port} already answers; using it as the SMS/call gateway "
                       f"(setting outreach_gateway_port).")
            return None
    data = settings.data_path / "outreach" / "gateway.sqlite3"
    data.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        process = start_gateway(port, data)
    except RuntimeError as e:
        raise click.ClickException(f"The fake SMS/call gateway did not start: {e}") from e
    click.echo(f"Fake SMS/call gateway on http://127.0.0.1:{port}/ for campaigns sent with "
               f"--channel webhook (received messages: {data}).")
    return process


def build_demo_district(settings, graph, residents: int) -> None:
    """Generate the synthetic district's exports (once) and ingest them (checkpointed)."""
    import json

    from ingest.cli import _tqdm
    from ingest.pipeline import run_ingest
    from ingest.synthetic import generate_district
    from ingest.synthetic.params import SNAPSHOT

    raw = settings.data_path / "demo" / "raw"
    manifest = raw / "ground_truth" / "manifest.json"
    try:
        built_for = json.loads(manifest.read_text())["residents_requested"]
    except (OSError, ValueError, KeyError):
        built_for = None
    if built_for != residents:
        click.echo(f"Generating the raw exports of a {residents:,}-resident district in {raw} …")
        generate_district(raw, residents=residents, progress=True)
    click.echo("Ingesting them (validation, entity resolution, tags, graph writes) …")
    report = run_ingest(graph, raw, settings.data_path / "ingest", as_of=SNAPSHOT,
                        progress=_tqdm())
    click.echo(f"Demo district ready on {graph.engine}: {sum(report.nodes.values()):,} nodes, "
               f"{sum(report.relationships.values()):,} relationships "
               f"({report.seconds['total']:.0f} s; quarantine: {report.quarantine_file}).")
    refresh_demo_silent_groups(graph, SNAPSHOT)
    seed_demo_inboxes(settings, graph, raw, SNAPSHOT)
    from ingest.embed_cli import run_embed  # search: embeds only nodes whose text changed

    click.echo(f"Search: {run_embed(settings, graph).embedded:,} node(s) embedded.")
    train_demo_elevators(settings, graph, SNAPSHOT)


def train_demo_elevators(settings, graph, as_of) -> None:
    """Rank the demo's walk-ups for the /elevators page (what `minqing elevators train`
    does), unless a ranking is already stored."""
    from models.elevators import store
    from models.elevators.propensity import NotEnoughHistory, Options

    if store.ranking_path(settings).is_file():
        return
    try:
        _, ranking, _ = store.train_and_store(settings, graph, as_of,
                                              Options.from_settings(settings))
    except NotEnoughHistory as e:  # a small district has too few installs to learn from
        click.echo(f"Elevators: not ranked — {e}")
        return
    click.echo(f"Elevators: {len(ranking['buildings']):,} walk-ups ranked by retrofit "
               "propensity (/elevators).")


def seed_demo_inboxes(settings, graph, raw, as_of) -> None:
    """Fill the officials' inboxes as the schedule would have: notices for the last 30
    days' events and water alerts at the end of the meter series (both idempotent)."""
    import datetime as dt

    from models import water_alerts
    from queries import alerts, store
    from queries.notices.inbox import process_events

    conn = store.connect(settings)
    try:
        report = process_events(graph, conn, since=as_of - dt.timedelta(days=30), actor="demo")
        readings = water_alerts.read_readings(raw / "water_meter_readings.parquet")
        end = readings.time_of(readings.hours).to_pydatetime()
        raised = 0
        # The schedule checks every hour. For the demo, a morning check every other day of
        # the last two weeks (and one at the end of the series) shows that fortnight's
        # episodes, each raised once; every check reads only the weeks it needs.
        for days_back in range(DEMO_ALERT_DAYS, -1, -DEMO_ALERT_EVERY_DAYS):
            at = min(end, (end - dt.timedelta(days=days_back)).replace(hour=8))
            recent = _lookback(readings, at, water_alerts.LOOKBACK_DAYS)
            raised += len(alerts.check(conn, graph, recent, at=at, actor="demo").raised)
    finally:
        conn.close()
    click.echo(f"Inboxes: {report.notices_created:,} notices from the last 30 days' events, "
               f"{raised:,} water alerts from checks over the last {DEMO_ALERT_DAYS} days.")


def _lookback(readings, at, days: int):
    """The readings of the ``days`` before ``at`` (what one scheduled check would read)."""
    from dataclasses import replace

    first = max(0, readings.hour_of(at) - days * 24)
    return replace(readings, start=readings.time_of(first), litres=readings.litres[:, first:])


def refresh_demo_silent_groups(graph, as_of) -> None:
    """Store every program's silent group, so the programs pages open with numbers."""
    from tqdm import tqdm

    from queries.programs import load_programs, refresh_silent_groups

    programs = list(load_programs().values())
    total = 0
    for program in tqdm(programs, desc="silent groups", unit="program", leave=False):
        total += refresh_silent_groups(graph, [program], as_of)[program.program_id]
    click.echo(f"Silent groups stored for {len(programs)} programs ({total:,} memberships).")
