"""``minqing serve``: run the web app under the waitress WSGI server."""

from __future__ import annotations

import signal
import sys

import click

from graph.cli import pass_app


@click.command()
@click.option("--host", default=None, help="Interface to listen on (setting web_host).")
@click.option("--port", default=None, type=int, help="Port to listen on (setting web_port).")
@click.option("--threads", default=8, show_default=True, help="Worker threads.")
@pass_app
def serve(app, host, port, threads):
    """Serve the web app with waitress until interrupted."""
    import waitress

    from webapp import create_app

    settings = app.settings
    host = host or settings.web_host
    port = port or settings.web_port
    flask_app = create_app()
    # Connect (and start the embedded server) now, so a broken graph is reported here and
    # not on the first page view.
    from webapp.graph_handle import GraphHandle

    handle: GraphHandle = flask_app.extensions["minqing_graph"]
    graph = handle.get()
    click.echo(f"Minqing is serving http://{host}:{port}/ (graph: {graph.engine} at {graph.uri})")
    waitress.serve(flask_app, host=host, port=port, threads=threads, ident="minqing")


@click.command()
@click.option("--host", default=None, help="Interface to listen on (setting web_host).")
@click.option("--port", default=None, type=int, help="Port to listen on (setting web_port).")
@click.option("--residents", default=83_000, show_default=True,
              help="Size of the synthetic district to build.")
@click.option("--fixture", is_flag=True, help="Load only the dozen-resident fixture graph.")
@click.option("--no-serve", is_flag=True, help="Build the demo graph, then exit.")
@pass_app
def demo(app, host, port, residents, fixture, no_serve):
    """Build the demo district (raw exports → ingest → graph), then serve the app."""
    from graph.schema import init_schema

    graph = app.graph
    init_schema(graph)
    if fixture:
        from ingest.fixture_graph import load_fixture_graph

        written = load_fixture_graph(graph)
        click.echo(f"Fixture graph ready on {graph.engine} ({sum(written.values())} nodes).")
        from ingest.synthetic.params import SNAPSHOT

        refresh_demo_silent_groups(graph, SNAPSHOT)
    else:
        build_demo_district(app.settings, graph, residents)
    if no_serve:
        return
    gateway = start_demo_gateway(app.settings)
    # SIGTERM (from a supervisor or `kill`) must unwind like Ctrl-C, so the gateway stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo("Login: none needed yet (it comes with access control); the app listens on "
               "127.0.0.1 only.")
    try:
        click.get_current_context().invoke(serve, host=host, port=port)
    finally:
        if gateway is not None:
            gateway.terminate()
            gateway.wait(timeout=10)


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


def refresh_demo_silent_groups(graph, as_of) -> None:
    """Store every program's silent group, so the programs pages open with numbers."""
    from tqdm import tqdm

    from queries.programs import load_programs, refresh_silent_groups

    programs = list(load_programs().values())
    total = 0
    for program in tqdm(programs, desc="silent groups", unit="program", leave=False):
        total += refresh_silent_groups(graph, [program], as_of)[program.program_id]
    click.echo(f"Silent groups stored for {len(programs)} programs ({total:,} memberships).")
