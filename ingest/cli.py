"""``minqing ingest``: load data into the graph."""

from __future__ import annotations

import click

from graph.cli import _FriendlyGroup, pass_app


@click.group(cls=_FriendlyGroup)
def ingest():
    """Load data into the graph."""


@ingest.command("fixture")
@pass_app
def ingest_fixture(app):
    """Load the small fixture graph (a dozen residents) through the ingest writer."""
    from graph.schema import init_schema
    from ingest.fixture_graph import load_fixture_graph

    init_schema(app.graph)
    written = load_fixture_graph(app.graph)
    click.echo("Loaded the fixture graph: " +
               ", ".join(f"{n} {label}" for label, n in written.items()))
