"""``minqing mobilize``: resident networks, backbones and ranked invite lists (docs/MOBILIZE.md)."""

from __future__ import annotations

import csv
import getpass
import io
import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app


@click.group(cls=FriendlyGroup)
def mobilize():
    """Find backbones and the residents most likely to take part in a campaign."""


def _scope(app, area, buildings):
    from models.mobilize import scope_residents

    if not area and not buildings:
        return None
    return scope_residents(app.graph, area=area, buildings=list(buildings) or None)


@mobilize.command("backbones")
@click.option("--area", help="A residential area's id or name; default the whole district.")
@click.option("--building", "buildings", multiple=True, help="A building id or address.")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["household", "activity", "volunteer_team", "neighbours"]),
              help="Tie kinds to include (repeat); default household, activity, volunteer_team.")
@click.option("--per-community", type=int, default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def backbones_command(app, area, buildings, kinds, per_community, as_json):
    """Build the resident network and list each community's most central residents."""
    from models.mobilize import DEFAULT_KINDS, backbones, resident_network

    G = resident_network(app.graph, kinds or DEFAULT_KINDS,
                         residents=_scope(app, area, buildings),
                         min_shared=app.settings.mobilize_min_shared_activities)
    found = backbones(G, per_community=per_community)
    if as_json:
        click.echo(json.dumps({"residents": G.number_of_nodes(), "ties": G.number_of_edges(),
                               "backbones": found}, ensure_ascii=False, indent=2))
        return
    click.echo(f"Network: {G.number_of_nodes()} residents, {G.number_of_edges()} ties "
               f"({', '.join(kinds or DEFAULT_KINDS)}).")
    for b in found:
        click.echo(f"  community {b['community']:>3} ({b['community_size']:>5})  "
                   f"{b['resident_id']}  pagerank {b['pagerank']:.5f}  {b['ties']} ties "
                   f"({', '.join(b['tie_kinds'])})")


@mobilize.command("invite")
@click.option("--area", help="A residential area's id or name.")
@click.option("--building", "buildings", multiple=True, help="A building id or address; repeat.")
@click.option("--limit", type=int, help="Residents to list (default: mobilize_invite_limit).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the list with full phone numbers here (0600; audited).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (phones masked).")
@pass_app
def invite(app, area, buildings, limit, csv_file, as_json):
    """Rank the residents of an area or buildings by participation likelihood, with reasons."""
    from models.mobilize import invite_list
    from webapp.masking import mask_phone

    if not area and not buildings:
        raise click.UsageError("Give --area or --building.")
    ids = _scope(app, area, buildings)
    limit = limit or app.settings.mobilize_invite_limit
    rows = invite_list(app.graph, ids, limit)
    if csv_file:
        _write_csv(csv_file, rows)
        _audit(app.settings, area or ",".join(buildings), rows)
        click.echo(f"Wrote {len(rows)} invitees to {csv_file}", err=True)
    rows = [{**r, "phone": mask_phone(r["phone"])} for r in rows]  # the screen and --json
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not csv_file:
        for r in rows:
            click.echo(f"{r['rank']:>4}. {r['score']:.2f}  {r['name'] or r['resident_id']}  "
                       f"{r['phone'] or '—'}  {r['address'] or ''}  {'; '.join(r['reasons'])}")


def _write_csv(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["rank", "resident_id", "name", "phone", "address", "score", "reasons"])
    for r in rows:
        writer.writerow([r["rank"], r["resident_id"], r["name"], r["phone"], r["address"],
                         r["score"], "; ".join(r["reasons"])])
    try:
        path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    except OSError as e:
        raise click.ClickException(f"Cannot write {path}: {e.strerror or e}") from e
    path.chmod(0o600)  # full phone numbers


def _audit(settings, scope: str, rows: list[dict]) -> None:
    from queries import audit
    from queries.store import connect

    conn = connect(settings)
    try:
        audit.record(conn, f"cli:{getpass.getuser()}", "mobilize_invites.csv", scope,
                     residents=[r["resident_id"] for r in rows])
    finally:
        conn.close()
