"""``minqing serve``: run the web app under the waitress WSGI server."""

from __future__ import annotations

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
@click.option("--no-serve", is_flag=True, help="Build the demo graph, then exit.")
@pass_app
def demo(app, host, port, no_serve):
    """Build the demo graph on the configured engine, then serve the app and print its URL."""
    from graph.schema import init_schema
    from ingest.fixture_graph import load_fixture_graph

    graph = app.graph
    init_schema(graph)
    written = load_fixture_graph(graph)
    click.echo(f"Demo graph ready on {graph.engine} ({sum(written.values())} nodes written).")
    if no_serve:
        return
    click.echo("Login: none needed yet; the overview page shows counts only, no personal data.")
    click.get_current_context().invoke(serve, host=host, port=port)
