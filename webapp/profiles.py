"""Resident and building profiles: facts, tags, household, building, events, and a
server-rendered SVG of the record's neighbourhood in the graph. Every view is audited.
"""

from __future__ import annotations

from flask import Blueprint, g

from queries import audit
from queries.profiles import building_profile, neighbourhood, resident_profile
from webapp.graph_handle import get_graph
from webapp.masking import mask_birth_date, mask_id_number, mask_phone
from webapp.neighbourhood_svg import lay_out, render_svg
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("profiles", __name__)
bp.add_app_template_global(render_svg, "neighbourhood_svg")


def _actor() -> str:
    return g.get("user_name", "anonymous")


def _resident_scope_filter(graph):
    """Return a function keeping only the residents the user may see (webapp.scope).

    Unrestricted when access control is not installed: there is then no user to restrict.
    """
    try:
        from webapp.scope import keep_residents
    except ImportError:
        return lambda rows, key="resident_id": rows
    return lambda rows, key="resident_id": keep_residents(graph, rows, key)


def _scoped_neighbourhood(graph, label_name: str, key: str) -> dict:
    """The neighbourhood without residents outside the user's areas (and their edges)."""
    shown = neighbourhood(graph, label_name, key)
    residents = [{"resident_id": n["key"]} for n in shown["nodes"]
                 if n["label"] == "Resident" and n["hop"] > 0]
    allowed = {r["resident_id"] for r in _resident_scope_filter(graph)(residents)}
    hidden = {f"Resident:{r['resident_id']}" for r in residents} - {
        f"Resident:{k}" for k in allowed}
    shown["nodes"] = [n for n in shown["nodes"] if n["id"] not in hidden]
    shown["edges"] = [e for e in shown["edges"]
                      if e["source"] not in hidden and e["target"] not in hidden]
    return lay_out(shown)


@page(bp, "/residents/<resident_id>", "resident.html")
def resident(resident_id: str):
    """Show one resident's record (phone, ID number and birth date masked); audited."""
    graph = get_graph()
    profile = resident_profile(graph, resident_id)
    person = dict(profile["resident"])
    person["phone"] = mask_phone(person.get("phone"))
    person["id_number"] = mask_id_number(person.get("id_number"))
    person["birth_date"] = mask_birth_date(person.get("birth_date"))
    keep = _resident_scope_filter(graph)
    household = keep(profile["household"])
    for member in household:
        member["birth_date"] = mask_birth_date(member.get("birth_date"))
    with workflow_store() as conn:
        audit.record(conn, _actor(), "view_resident", resident_id)
    return {**profile, "resident": person, "household": household,
            "neighbourhood": _scoped_neighbourhood(graph, "Resident", resident_id)}


@page(bp, "/buildings/<building_id>", "building.html")
def building(building_id: str):
    """Show one building: facts, elevator, area, residents (phones masked); audited."""
    graph = get_graph()
    profile = building_profile(graph, building_id)
    residents = _resident_scope_filter(graph)(profile["residents"])
    for person in residents:
        person["phone"] = mask_phone(person.get("phone"))
        person["birth_date"] = mask_birth_date(person.get("birth_date"))
    with workflow_store() as conn:
        audit.record(conn, _actor(), "view_building", building_id, residents=len(residents))
    return {**profile, "residents": residents,
            "neighbourhood": _scoped_neighbourhood(graph, "Building", building_id)}
