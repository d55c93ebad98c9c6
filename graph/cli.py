"""The ``minqing`` command: one click group whose commands wrap library functions.

Sub-commands from other rooms (``query``, ``ingest``, ``serve``) are attached at the bottom.
Every MinqingError becomes a one-line message and exit status 1, never a traceback.
"""

from __future__ import annotations

import json

import click

from graph.errors import MinqingError
from graph.settings import load_settings


class FriendlyGroup(click.Group):
    """A click group that turns Minqing's own errors into clean CLI messages."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinqingError as e:
            raise click.ClickException(str(e)) from e


class AppContext:
    """Settings and a lazily opened graph shared by the commands of one invocation."""

    def __init__(self):
        self._settings = None
        self._graph = None

    @property
    def settings(self):
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def graph(self):
        if self._graph is None:
            from graph.backend import connect

            self._graph = connect(self.settings)
        return self._graph

    def close(self):
        if self._graph is not None:
            self._graph.close()


pass_app = click.make_pass_decorator(AppContext, ensure=True)


@click.group(cls=FriendlyGroup)
@click.pass_context
def main(ctx):
    """民情 Minqing: the community-governance graph. Settings come from MINQING_* variables."""
    app = ctx.ensure_object(AppContext)
    ctx.call_on_close(app.close)


@main.group(cls=FriendlyGroup)
def db():
    """Manage the graph database (embedded ArcadeDB unless graph_uri names a Neo4j)."""


@db.command("start")
@pass_app
def db_start(app):
    """Start the embedded ArcadeDB server (or check the Neo4j at graph_uri answers)."""
    graph = app.graph
    click.echo(f"Graph ready: {graph.engine} at {graph.uri}, database {graph.database}")


@db.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def db_status(app, as_json):
    """Show whether the graph server runs, where, and its node counts."""
    from graph.status import graph_status

    status = graph_status(app.settings)
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    for key, value in status.items():
        if key != "counts":
            click.echo(f"{key:>10}: {value}")
    for row in status.get("counts") or []:
        click.echo(f"{row['label']:>20}  {row['nodes']}")


@db.command("stop")
@pass_app
def db_stop(app):
    """Stop the embedded ArcadeDB server."""
    from graph import arcadedb_server

    if not app.settings.is_embedded:
        raise click.ClickException("graph_uri points at Neo4j; stop it with `docker compose stop`")
    if arcadedb_server.stop(app.settings):
        click.echo("Stopped the embedded ArcadeDB server.")
    else:
        click.echo("The embedded ArcadeDB server was not running.")


@db.command("init")
@pass_app
def db_init(app):
    """Create labels, constraints and indexes (safe to run again)."""
    from graph.schema import init_schema

    count = init_schema(app.graph)
    click.echo(f"Schema applied ({count} statements, {app.graph.engine}).")


@db.command("backup")
@click.option("--to", "to", type=click.Path(file_okay=False), default=None,
              help="Folder to create the backup set in (default <data_dir>/backups).")
@pass_app
def db_backup(app, to):
    """Back up the embedded graph and the workflow store into one timestamped set."""
    from graph import backup

    if not app.settings.is_embedded:
        click.echo(backup.neo4j_instructions())
        raise click.ClickException("graph_uri points at Neo4j, which `minqing db backup` "
                                   "cannot back up from here; run the commands above "
                                   "(docs/BACKUP.md).")
    click.echo(backup.describe_backup(backup.backup(app.settings, to)))


@db.command("restore")
@click.argument("path", type=click.Path())
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Data folder to restore into (default: data_dir); must hold no database.")
@click.option("--force", is_flag=True, help="Replace a database already in the data folder.")
@pass_app
def db_restore(app, path, data_dir, force):
    """Restore a backup set into an empty data folder, start the graph and check counts."""
    from graph import backup

    settings = app.settings.replace(data_dir=data_dir) if data_dir else app.settings
    click.echo(backup.describe_restore(backup.restore(path, settings, force=force)))


# (module, command) pairs attached to ``minqing``; each module keeps its own commands.
SUBCOMMANDS = (
    ("queries.cli", "query"),
    ("queries.cli", "queries"),
    ("ingest.cli", "ingest"),
    ("ingest.cli", "demo_data"),
    ("webapp.cli", "serve"),
    ("webapp.cli", "demo"),
    ("queries.alerts_cli", "alerts"),
    ("queries.programs.cli", "programs"),
    ("queries.emergency_cli", "emergency"),
    ("queries.outreach.cli", "campaign"),
    ("queries.notices.cli", "notices"),
    ("queries.parse_cli", "parse"),
    ("queries.search_cli", "search"),
    ("ingest.hsds.cli", "hsds"),
    ("ingest.embed_cli", "embed"),
    ("queries.siting_cli", "sites"),
    ("queries.siting_cli", "site_select"),
    ("queries.elevators_cli", "elevators"),
    ("queries.mobilize_cli", "mobilize"),
    ("queries.users_cli", "users"),
)


def _attach_subcommands():
    import importlib

    for module, name in SUBCOMMANDS:
        main.add_command(getattr(importlib.import_module(module), name))


_attach_subcommands()
