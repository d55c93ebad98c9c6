"""``minqing query`` and ``minqing queries``: run and list the named queries."""

from __future__ import annotations

import csv
import json
import sys

import click

from graph.cli import pass_app
from queries.registry import get_query, load_queries, run_query


@click.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter; repeat for several.")
@click.option("--json", "as_json", is_flag=True, help="Print rows as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print rows as CSV.")
@pass_app
def query(app, name, params, as_json, as_csv):
    """Run the named query NAME (see `minqing queries`)."""
    raw = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="-p")
        raw[key.strip()] = value
    named = get_query(name)
    result = run_query(app.graph, named, raw, max_rows=app.settings.max_returned_rows)
    if as_json:
        click.echo(json.dumps({"query": name, "columns": result.columns, "rows": result.rows,
                               "truncated": result.truncated}, ensure_ascii=False, indent=2,
                              default=str))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=result.columns)
        writer.writeheader()
        for row in result.rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list))
                             else v for k, v in row.items()})
    else:
        click.echo("\t".join(result.columns))
        for row in result.rows:
            click.echo("\t".join(str(row[c]) for c in result.columns))
    if result.truncated:
        click.echo(f"(cut at max_returned_rows={app.settings.max_returned_rows}; raise "
                   "MINQING_MAX_RETURNED_ROWS or add a LIMIT)", err=True)


@click.command()
def queries():
    """List the named queries with their parameters."""
    for named in load_queries().values():
        params = ", ".join(f"{p.name}:{p.type}" + ("" if p.required else f"={p.default}")
                           for p in named.params)
        click.echo(f"{named.name}  ({params or 'no parameters'})\n    {named.title}")
