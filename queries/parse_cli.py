"""``minqing parse``: show how the demand parser reads a demand (the fields, where they came from)."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from graph.cli import pass_app

_FIELD_NAMES = [
    ("head_count", "head count"), ("volunteers_wanted", "volunteers"), ("skills", "skills"),
    ("resource_types", "wanted"), ("venue_types", "venue types"), ("equipment", "equipment"),
    ("topic_words", "topic words"), ("leftover", "not parsed"),
]


def _gazetteer(app, no_graph: bool):
    from models.gazetteer import Gazetteer

    if no_graph:
        # Roads (streets.yaml) and tags (the catalogue) need no database; areas, lanes and
        # buildings do.
        return Gazetteer.build(areas=[], buildings=[], points=[], tags=[])
    return Gazetteer.from_graph(app.graph)


def _place(location) -> str:
    where = f"{location.kind} {location.name}"
    if location.lat is not None:
        where += f" ({location.lat:.5f}, {location.lon:.5f}, radius {location.radius_m} m)"
    if location.ids:
        shown = ", ".join(location.ids[:5]) + (" …" if len(location.ids) > 5 else "")
        where += f" [{len(location.ids)}: {shown}]"
    return where


def _echo_demand(demand) -> None:
    if demand.window is not None:
        click.echo(f"{'window':>14}: {demand.window.start:%a %Y-%m-%d %H:%M} – "
                   f"{demand.window.end:%a %Y-%m-%d %H:%M}  \"{demand.window.phrase}\"")
    if demand.location is not None:
        click.echo(f"{'location':>14}: {_place(demand.location)}")
    for name, title in _FIELD_NAMES:
        value = getattr(demand, name)
        if value not in (None, "", []):
            click.echo(f"{title:>14}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    p = demand.participants
    if not p.is_empty():
        ages = "" if p.age_min is None and p.age_max is None else \
            f" aged {p.age_min if p.age_min is not None else ''}–{p.age_max if p.age_max is not None else ''}"
        click.echo(f"{'invite':>14}: {', '.join(p.tags) or 'residents'}{ages}"
                   + (f" in {_place(p.location)}" if p.location else ""))
    for warning in demand.warnings:
        click.echo(f"{'warning':>14}: {warning.message}")


@click.command("parse")
@click.argument("text")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day relative dates count from, e.g. 2025-06-25 (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the Demand as JSON (with spans).")
@click.option("--no-graph", is_flag=True,
              help="Do not read places from the graph: roads and tags only.")
@pass_app
def parse(app, text, today, as_json, no_graph):
    """Show how TEXT (a demand in Chinese or English; "-" reads standard input) is understood."""
    from models.demand import parse_demand

    if text == "-":
        text = sys.stdin.read()
    day = today.date() if today is not None else date.today()
    demand = parse_demand(text, today=day, gazetteer=_gazetteer(app, no_graph))
    if as_json:
        click.echo(json.dumps(demand.to_json(), ensure_ascii=False, indent=2))
    else:
        _echo_demand(demand)
