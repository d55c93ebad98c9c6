"""``minqing emergency``: the rescue list for buildings, an area, or a point and radius."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

import click

from graph.cli import pass_app
from graph.errors import QueryError
from queries.emergency import emergency_list, audit_export, to_csv_bytes


@click.command()
@click.option("--building", "buildings", multiple=True, metavar="ID_OR_ADDRESS",
              help="An affected building's id or address; repeat for several.")
@click.option("--area", help="A residential area's id or name (e.g. 秀苑居委会).")
@click.option("--near", metavar="LAT,LON", help="A point in WGS84 degrees; needs --radius-m.")
@click.option("--radius-m", type=float, help="Radius around --near, in metres.")
@click.option("--skill", "skills", multiple=True,
              help="A volunteer skill that counts (code or Chinese name); repeat for several. "
                   "Default: the emergency_volunteer_skills setting.")
@click.option("--as-of", help="Date ages are computed on, YYYY-MM-DD; default today.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the resident list here as CSV (UTF-8 with BOM, full phones; audited).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a standalone print-ready HTML document here (full phones; audited).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (phones masked).")
@pass_app
def emergency(app, buildings, area, near, radius_m, skills, as_of, csv_file, html_file,
              as_json):
    """Print the emergency rescue list: vulnerable residents, nearest volunteers and shelters."""
    as_of_date = None
    if as_of:
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise QueryError(f"--as-of must be a date YYYY-MM-DD, got {as_of!r}") from None
    elist = emergency_list(app.graph, buildings=list(buildings) or None, area=area,
                           near=near, radius_m=radius_m,
                           skills=list(skills) or app.settings.emergency_volunteer_skills,
                           as_of=as_of_date)
    actor = f"cli:{getpass.getuser()}"
    if csv_file:
        _write(csv_file, to_csv_bytes(elist))
        audit_export(app.settings, actor, "csv", elist)
        click.echo(f"Wrote {elist.number_of_residents} residents to {csv_file}", err=True)
    if html_file:
        from webapp.emergency import render_print_html

        _write(html_file, render_print_html(elist).encode("utf-8"))
        audit_export(app.settings, actor, "html", elist)
        click.echo(f"Wrote the print-ready list to {html_file}", err=True)
    if as_json:
        click.echo(json.dumps(elist.to_json(mask=True), ensure_ascii=False, indent=2))
    elif not (csv_file or html_file):
        _echo_text(elist.to_json(mask=True))


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as e:
        raise click.ClickException(f"Cannot write {path}: {e.strerror or e}") from e
    path.chmod(0o600)  # it holds full phone numbers


def _echo_text(document: dict) -> None:
    scope = document["scope"]["label"]
    click.echo(f"Emergency list for {scope} (ages as of {document['as_of']}): "
               f"{document['number_of_residents']} vulnerable residents in "
               f"{len(document['buildings'])} buildings")
    for r in document["residents"]:
        contact = " ".join(x for x in (r["emergency_contact"], r["emergency_phone"]) if x)
        click.echo(f"  {r['address'] or r['building_id']} {r['floor'] or '?'}F "
                   f"{r['room'] or ''}\t{r['name']}\t{r['age'] if r['age'] is not None else '?'}"
                   f"\t{'、'.join(r['reasons_zh'])}\t{r['phone'] or '—'}"
                   + (f"\t紧急联系人 {contact}" if contact else ""))
    click.echo("Nearest volunteers:")
    for v in document["volunteers"]:
        click.echo(f"  {v['distance_m']:6.0f} m  {v['name']}\t{v['phone'] or '—'}\t"
                   f"{', '.join(v['relevant_skills'])}\t{v['address'] or ''}")
    click.echo(f"Nearest shelters (capacity {document['shelter_capacity']} for "
               f"{document['number_of_residents']} residents):")
    for s in document["shelters"]:
        click.echo(f"  {s['distance_m']:6.0f} m  {s['name']}\t{s['capacity']} places\t"
                   f"{s['venue_type'] or ''}")
