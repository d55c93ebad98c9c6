"""``minqing programs``: list programs, show and export silent groups, refresh the stored ones."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app
from graph.errors import NotFound

CSV_COLUMNS = ("area_name", "resident_id", "name", "phone", "sex", "age", "address",
               "official_names", "reasons")


def _program(program_id: str):
    from queries.programs import load_programs

    programs = load_programs()
    if program_id not in programs:
        raise NotFound(f"Unknown program {program_id!r}; `minqing programs list` shows them")
    return programs[program_id]


def _date(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD",
                                 param_hint="--as-of") from None


@click.group(cls=FriendlyGroup)
def programs():
    """Programs (benefits, screenings, courses) and their silent groups."""


@programs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_programs(as_json):
    """List the programs of the catalogue (queries/programs/catalogue.yaml)."""
    from queries.programs import load_programs

    found = load_programs()
    if as_json:
        click.echo(json.dumps([p.to_json() for p in found.values()], ensure_ascii=False,
                              indent=2))
        return
    for program in found.values():
        click.echo(f"{program.program_id:30}  {program.start} – {program.end}  {program.name}")


@programs.command("silent")
@click.argument("program_id")
@click.option("--as-of", help="Date of the answer (default today), YYYY-MM-DD.")
@click.option("--area", "area_id", help="Only this residential area (area id).")
@click.option("--json", "as_json", is_flag=True, help="The whole group as JSON.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the members to this CSV file (UTF-8 with BOM, for Excel).")
@click.option("--by", "actor", default="cli", show_default=True,
              help="Who is exporting (recorded in the audit trail).")
@pass_app
def silent(app, program_id, as_of, area_id, as_json, csv_file, actor):
    """Evaluate PROGRAM_ID's silent group live: eligible residents without a booking."""
    from queries import audit, store
    from queries.programs import silent_group

    group = silent_group(app.graph, _program(program_id), _date(as_of))
    if area_id:
        group.groups = [g for g in group.groups if g["area_id"] == area_id]
    if csv_file or as_json:
        with store.connect(app.settings) as conn:
            audit.record(conn, actor, "export_silent_group", program_id,
                         members=len(group.members), area=area_id,
                         to=str(csv_file) if csv_file else "stdout")
    if as_json:
        click.echo(json.dumps(group.to_json(), ensure_ascii=False, indent=2))
        return
    if csv_file:
        with csv_file.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for member in group.members:
                writer.writerow(member | {"official_names": "、".join(member["official_names"]),
                                          "reasons": "; ".join(member["reasons"])})
        click.echo(f"Wrote {len(group.members):,} members to {csv_file}")
        return
    click.echo(f"{group.program.name}: {len(group.members):,} eligible residents without a "
               f"booking")
    for g in group.groups:
        names = "、".join(o["name"] for o in g["officials"]) or "no official"
        click.echo(f"  {g['area_name']:<16} {g['size']:>6,}   officials: {names}")


@programs.command("refresh")
@click.argument("program_ids", nargs=-1)
@click.option("--as-of", help="Date of the answer (default today), YYYY-MM-DD.")
@pass_app
def refresh(app, program_ids, as_of):
    """Re-evaluate and store the silent groups (all programs, or the ones named)."""
    from queries.programs import load_programs, refresh_silent_groups

    chosen = [_program(p) for p in program_ids] or list(load_programs().values())
    sizes = refresh_silent_groups(app.graph, chosen, _date(as_of))
    for program_id, size in sizes.items():
        click.echo(f"{program_id:30} {size:>7,} in the silent group")
