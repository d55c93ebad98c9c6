"""The emergency rescue list page, its JSON twin, and the audited CSV and print exports.

The page (``/emergency``, a GET form) shows phones masked. The CSV download and the
print-ready document carry full phones, so they are POST forms with the CSRF token and each
one is written to the audit trail; a link prefetch or a crawler cannot trigger an export.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request

from graph.errors import QueryError
from queries.emergency import (EmergencyList, REASONS, SKILL_NAMES, area_names,
                               audit_export, emergency_list, to_csv_bytes)
from webapp.graph_handle import get_graph
from webapp.pages import page
from webapp.scope import buildings_in_scope, residents_in_scope

bp = Blueprint("emergency", __name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"


def list_from_args(graph, args, settings) -> EmergencyList | None:
    """Build the list from form fields (GET args or POST form); None when no scope is given.

    Fields: ``building`` (repeatable; or one field, one building per line or comma), ``area``,
    ``near`` ("lat,lon"), ``radius_m``, ``skills`` (comma-separated), ``as_of`` (YYYY-MM-DD).
    """
    buildings = [part.strip() for value in args.getlist("building")
                 for part in value.replace("，", ",").replace("\n", ",").split(",")
                 if part.strip()]
    area = (args.get("area") or "").strip()
    near = (args.get("near") or "").strip()
    radius = (args.get("radius_m") or "").strip()
    if not (buildings or area or near or radius):
        return None
    return scoped(graph, _unscoped_list(graph, args, settings, buildings, area, near, radius))


def scoped(graph, elist: EmergencyList) -> EmergencyList:
    """Cut the list to the user's areas: buildings, residents and volunteers living there
    (an official's list, page and export alike; shelters are places and stay)."""
    allowed = buildings_in_scope(graph)
    if allowed is None:
        return elist
    helpers = residents_in_scope(graph, (v.resident_id for v in elist.volunteers)) or set()
    residents = [dataclasses.replace(r, household=[m for m in r.household
                                                   if m.building_id in allowed])
                 for r in elist.residents if r.building_id in allowed]
    return dataclasses.replace(
        elist, buildings=[b for b in elist.buildings if b.building_id in allowed],
        residents=residents,
        volunteers=[v for v in elist.volunteers if v.resident_id in helpers])


def _unscoped_list(graph, args, settings, buildings, area, near, radius) -> EmergencyList:
    as_of = None
    if args.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(args["as_of"].strip())
        except ValueError:
            raise QueryError(f"as_of must be a date YYYY-MM-DD, got {args['as_of']!r}") from None
    return emergency_list(graph, buildings=buildings or None, area=area or None,
                          near=near or None, radius_m=radius or None,
                          skills=(args.get("skills") or "").strip()
                          or settings.emergency_volunteer_skills, as_of=as_of)


@page(bp, "/emergency", "emergency.html")
def emergency():
    """Show the rescue list for the scope in the query string, phones masked."""
    graph = get_graph()
    settings = current_app.config["MINQING_SETTINGS"]
    elist = list_from_args(graph, request.args, settings)
    return {
        "form": {key: request.args.get(key, "") for key in
                 ("area", "near", "radius_m", "skills", "as_of")}
        | {"building": "\n".join(request.args.getlist("building"))},
        "areas": area_names(graph),
        "default_skills": settings.emergency_volunteer_skills,
        "reasons": REASONS,
        "skill_names": SKILL_NAMES,
        "list": elist.to_json(mask=True) if elist else None,
    }


def _actor() -> str:
    return g.get("user_name", "anonymous")


def _required_list() -> EmergencyList:
    settings = current_app.config["MINQING_SETTINGS"]
    elist = list_from_args(get_graph(), request.form, settings)
    if elist is None:
        raise QueryError("Give exactly one of building, area or near (with radius_m)")
    return elist


@bp.post("/emergency.csv")
def emergency_csv():
    """Download the list as CSV (UTF-8 with BOM, full phones); the export is audited."""
    elist = _required_list()
    audit_export(current_app.config["MINQING_SETTINGS"], _actor(), "csv", elist)
    name = f"emergency_{elist.as_of.isoformat()}.csv"
    return Response(to_csv_bytes(elist), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/emergency/print")
def emergency_print():
    """Show the print-ready document with full phones; the export is audited."""
    elist = _required_list()
    audit_export(current_app.config["MINQING_SETTINGS"], _actor(), "print", elist)
    return Response(render_print_html(elist), mimetype="text/html")


def render_print_html(elist: EmergencyList, generated_at: dt.datetime | None = None) -> str:
    """Render the standalone print document (full phones) without a Flask app.

    The CLI writes the same document with ``--html``, so it uses a plain Jinja environment
    on this package's templates rather than Flask's ``render_template``.
    """
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("emergency_print.html").render(
        list=elist.to_json(mask=False), reasons=REASONS, skill_names=SKILL_NAMES,
        generated_at=(generated_at or dt.datetime.now()).replace(microsecond=0).isoformat(" "))

