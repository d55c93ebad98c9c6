"""``minqing search``: a demand in plain words → one proposal (venue, volunteers,
organizations, residents to invite), each with its reasons."""

from __future__ import annotations

import json
from datetime import date

import click

from graph.cli import pass_app
from queries.parse_cli import _echo_demand


def _masked(proposal_json: dict) -> dict:
    from webapp.masking import mask_phone

    for group in ("volunteers", "participants"):
        for match in proposal_json[group]:
            match["phone"] = mask_phone(match.get("phone"))
    return proposal_json


@click.command("search")
@click.argument("text", nargs=-1)
@click.option("--file", "demands_file", type=click.File(encoding="utf-8"),
              help="Several demands, one per line (a week's), assigned jointly.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="Read 'Saturday', 'next week' from this day (default: today).")
@click.option("--invites", type=int, help="Most residents to invite (default: the head count).")
@click.option("--json", "as_json", is_flag=True, help="The parse and the proposal as JSON.")
@pass_app
def search(app, text, demands_file, today, invites, as_json):
    """Propose a venue, volunteers, organizations and invitees for a demand in plain words."""
    from models.demand import parse_demand
    from models.embeddings import get_embedder
    from models.gazetteer import Gazetteer
    from models.proposal import propose_all

    lines = [line for line in demands_file if line.strip()] if demands_file else \
        [" ".join(text)]
    places = Gazetteer.from_graph(app.graph)
    day = today.date() if today else date.today()
    demands = [parse_demand(line, today=day, gazetteer=places) for line in lines]
    proposals = [_masked(p.to_json()) for p in propose_all(
        app.graph, get_embedder(app.settings), demands, invites=invites)]
    if as_json:
        document = proposals[0] if not demands_file else proposals
        click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))
        return
    for index, (demand, proposal) in enumerate(zip(demands, proposals)):
        if demands_file:
            click.echo(f"\n=== Demand {index + 1}: {demand.text.strip()}")
        _echo_proposal(demand, proposal)


def _echo_proposal(demand, proposal: dict) -> None:
    _echo_demand(demand)
    venue = proposal["venue"]
    click.echo("\nVenue: " + (f"{venue['name']} — {'; '.join(venue['reasons'])}" if venue
                              else "none"))
    for alt in proposal["alternatives"]:
        click.echo(f"  or {alt['name']} — {'; '.join(alt['reasons'][:3])}")
    for title, group in (("Volunteers", "volunteers"), ("Organizations", "organizations"),
                         ("Invite", "participants")):
        if proposal[group]:
            click.echo(f"{title}:")
            for m in proposal[group]:
                phone = f" {m['phone']}" if m.get("phone") else ""
                click.echo(f"  {m['name']}{phone} — {'; '.join(m['reasons'])}")
    for line in proposal["unmet"]:
        click.echo(f"Not met: {line}")
    for line in proposal["notes"]:
        click.echo(f"Note: {line}")
