"""``minqing serve``: run the web app under the waitress WSGI server."""

from __future__ import annotations

import signal
import sys

import click

from graph.cli import pass_app
from webapp.demo import build_demo_district, refresh_demo_silent_groups, start_demo_gateway


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
    from webapp.demo_logins import LOGINS_FILE, ensure_demo_logins

    click.echo(f"Logins (also in {app.settings.data_path / LOGINS_FILE}, private; more with "
               f"`minqing users add`):")
    for login in ensure_demo_logins(app.settings, graph):
        areas = f" areas {','.join(login['areas'])}" if login["areas"] else ""
        click.echo(f"  {login['role']:<9} {login['name']:<14} password {login['password']}{areas}")
    try:
        click.get_current_context().invoke(serve, host=host, port=port)
    finally:
        if gateway is not None:
            gateway.terminate()
            gateway.wait(timeout=10)
