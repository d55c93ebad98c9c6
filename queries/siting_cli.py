"""``minqing sites coverage|locate|map`` (and ``minqing site-select``): service coverage and new sites."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from graph.cli import FriendlyGroup, pass_app
from graph.errors import QueryError

_MODELS = ("mclp", "pmedian", "lscp", "cpmedian", "clscp")


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"Cannot write {path}: {e.strerror or e}") from e


@click.group(cls=FriendlyGroup)
def sites():
    """Service points: coverage per service type, and new sites by location-allocation."""


@sites.command("coverage")
@click.argument("service_type")
@click.option("--group", help="Target group (seniors_80_plus, children_0_6, ..., tag:<id>); "
                              "default: the type's own.")
@click.option("--as-of", help="Date ages are computed on, YYYY-MM-DD; default today.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def coverage_command(app, service_type, group, as_of, as_json):
    """Show how well SERVICE_TYPE's points reach their target group (e.g. dining_hall)."""
    from models.siting.plan import coverage_for

    cov = coverage_for(app.graph, app.settings, service_type, group=group, as_of=_as_of(as_of))
    doc = cov.to_json()
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    per_place = doc["demand_per_place"]
    click.echo(f"{service_type}: {doc['covered_demand']:g} of {doc['total_demand']:g} "
               f"{doc['group_description']} within reach ({doc['share_covered']:.1%}); "
               f"capacity {doc['total_capacity']}, "
               f"{'—' if per_place is None else f'{per_place:.2f}'} per place")
    click.echo(f"{'point':<8} {'name':<24} {'radius':>6} {'capacity':>8} {'in scope':>8} "
               f"{'util.':>6} {'shared':>6}")
    for p in doc["points"]:
        util = "—" if p["utilisation"] is None else f"{p['utilisation']:.2f}"
        flag = "  mostly duplicated" if p["mostly_duplicated"] else ""
        click.echo(f"{p['point_id']:<8} {(p['name'] or '')[:24]:<24} "
                   f"{p['service_radius_m']:>6.0f} {p['capacity'] or '—':>8} "
                   f"{p['demand_in_scope']:>8g} {util:>6} {p['duplicated_share']:>6.0%}{flag}")
    click.echo(f"Uncovered buildings: {len(doc['uncovered'])}")
    for b in doc["uncovered"][:20]:
        click.echo(f"  {b['building_id']}  {b['address'] or ''}  {b['demand']:g}")


def _locate_options(command):
    for option in reversed([
        click.argument("service_type"),
        click.option("--model", type=click.Choice(_MODELS), default="mclp", show_default=True,
                     help="mclp, pmedian, lscp (set covering), cpmedian (capacitated "
                          "p-median), clscp (capacitated set covering)."),
        click.option("-p", "p", type=int, help="Number of new sites (mclp, pmedian, cpmedian)."),
        click.option("--radius-m", type=float,
                     help="Service distance in metres; default: the type's median radius."),
        click.option("--group", help="Target group weighting demand; default: the type's own."),
        click.option("--candidates", "candidates_file",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="CSV of candidate sites (site_id,lat,lon[,name,capacity]), added to "
                          "the graph's available venues and buildings."),
        click.option("--only-file-candidates", is_flag=True,
                     help="Use only the --candidates file, not the graph's candidates."),
        click.option("--distances", "distances_file",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="CSV distance matrix (demand_id,site_id,distance_m) instead of "
                          "haversine."),
        click.option("--new-capacity", type=int,
                     help="Capacity of a new site without one (capacitated models)."),
        click.option("--ignore-existing", is_flag=True,
                     help="Do not keep the type's existing points open (site from scratch)."),
        click.option("--as-of", help="Date ages are computed on, YYYY-MM-DD; default today."),
    ]):
        command = option(command)
    return command


def _run(app, service_type, model, p, radius_m, group, candidates_file, only_file_candidates,
         distances_file, new_capacity, ignore_existing, as_of):
    from models.siting.plan import locate_for

    if only_file_candidates and not candidates_file:
        raise click.UsageError("--only-file-candidates needs --candidates FILE")
    click.echo(f"Solving {model} for {service_type} …", err=True)
    return locate_for(app.graph, app.settings, service_type, model, p=p, radius_m=radius_m,
                      group=group, candidates_file=candidates_file,
                      graph_sites=not only_file_candidates, distances_file=distances_file,
                      new_capacity=new_capacity, keep_existing=not ignore_existing,
                      as_of=_as_of(as_of))


@sites.command("locate")
@_locate_options
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the proposal as JSON to this file.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the map with the proposal drawn as standalone HTML.")
@pass_app
def locate_command(app, as_json, out, map_file, **options):
    """Propose new sites for SERVICE_TYPE (e.g. dining_hall) and print the proposal."""
    run = _run(app, **options)
    doc = {"service_type": run.service_type, "group": run.group,
           "candidates": run.candidates, **run.proposal.to_json()}
    if out:
        _write(out, json.dumps(doc, ensure_ascii=False, indent=2))
        click.echo(f"Wrote the proposal to {out}", err=True)
    if map_file:
        _write_map(app, run.service_type, run.group, map_file, run)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _echo_proposal(doc)


def _write_map(app, service_type, group, path: Path, run=None, as_of=None) -> None:
    """Write the map and, beside it, the folder of Leaflet & co. it loads (no CDN)."""
    from models.map_assets import STANDALONE_DIR, copy_assets
    from models.siting.demand import building_demand
    from models.siting.mapping import coverage_map, map_html
    from models.siting.plan import coverage_for, detour_factor

    cov = coverage_for(app.graph, app.settings, service_type, group=group, as_of=as_of)
    demand = run.demand if run else building_demand(app.graph, cov.group, cov.as_of)
    fmap = coverage_map(cov, demand, proposal=run.proposal if run else None,
                        detour_factor=detour_factor(app.settings),
                        tiles=app.settings.map_tiles_url,
                        tiles_attribution=app.settings.map_tiles_attribution or None,
                        assets_url=STANDALONE_DIR)
    assets = path.parent / STANDALONE_DIR
    try:
        copy_assets(assets)
    except OSError as e:
        raise click.ClickException(f"Cannot write the map's assets to {assets}: "
                                   f"{e.strerror or e}") from e
    _write(path, map_html(fmap))
    click.echo(f"Wrote the map to {path} (it loads Leaflet from {assets})", err=True)


def _echo_proposal(doc: dict) -> None:
    before, after = doc["coverage_before"], doc["coverage_after"]
    click.echo(f"{doc['model']} for {doc['service_type']} ({doc['group']}): {doc['status']}; "
               f"{doc['objective_name']} = {doc['objective']:g} "
               f"({doc['solve_seconds']:.2f} s, {doc['candidates']} candidates)")
    if doc["service_radius_m"]:
        click.echo(f"Coverage within {doc['service_radius_m']:g} m: {before['share']:.1%} → "
                   f"{after['share']:.1%} of {doc['total_demand']:g}")
    if doc["mean_distance_before_m"] is not None:
        click.echo(f"Mean distance to the nearest site: {doc['mean_distance_before_m']:g} m → "
                   f"{doc['mean_distance_after_m']:g} m")
    click.echo("New sites:")
    for s in doc["new_sites"]:
        click.echo(f"  {s['site_id']:<10} {(s['name'] or '')[:28]:<28} assigned "
                   f"{s['assigned_demand']:g} in {s['assigned_buildings']} buildings"
                   + (f", capacity {s['capacity']}" if s["capacity"] else ""))
    for note in doc["notes"]:
        click.echo(f"Note: {note}")


@sites.command("map")
@click.argument("service_type")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The standalone HTML file to write.")
@click.option("--group", help="Target group; default: the type's own.")
@click.option("--as-of", help="Date ages are computed on, YYYY-MM-DD; default today.")
@pass_app
def map_command(app, service_type, out, group, as_of):
    """Write SERVICE_TYPE's map (points, service areas, demand, gaps, overlaps) as HTML."""
    _write_map(app, service_type, group, out, as_of=_as_of(as_of))


site_select = click.Command(
    "site-select", callback=locate_command.callback, params=locate_command.params,
    help="Propose new sites for SERVICE_TYPE (same as `minqing sites locate`).")
