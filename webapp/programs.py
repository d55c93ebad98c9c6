"""Programs and their silent groups: the list, one program by area, one area's members."""

from __future__ import annotations

from flask import Blueprint, abort, request

from graph.errors import NotFound
from webapp.converters import bounded_int
from webapp.graph_handle import get_graph
from webapp.inbox import Section, register_section
from webapp.masking import mask_phone
from webapp.pages import page
from webapp.scope import current_scope, keep_in_scope, require_area

bp = Blueprint("programs", __name__)

PAGE_SIZE = 100
MAX_SKIP = 10_000_000  # far past any silent group; keeps skip within the graph's 64-bit integers


def _program(program_id: str):
    from queries.programs import load_programs

    program = load_programs().get(program_id)
    if program is None:
        raise NotFound(f"No program {program_id!r}")
    return program


def _scoped_summary(graph, program) -> dict:
    """The stored silent group's summary, cut to the user's areas (sizes re-added)."""
    from queries.programs import silent_group_summary

    summary = silent_group_summary(graph, program)
    if current_scope() is not None:
        summary["groups"] = keep_in_scope(summary["groups"])
        summary["size"] = sum(group["size"] for group in summary["groups"])
    return summary


@page(bp, "/programs", "programs.html")
def program_list():
    """List the programs with the size of their stored silent groups."""
    from queries.programs import load_programs

    graph = get_graph()
    rows = []
    for program in load_programs().values():
        summary = _scoped_summary(graph, program)
        rows.append({**program.to_json(), "silent_size": summary["size"],
                     "refreshed_at": summary["refreshed_at"]})
    return {"programs": rows}


@page(bp, "/programs/<program_id>", "program.html")
def program_detail(program_id):
    """Show one program's rule and its silent group by residential area and official."""
    return _scoped_summary(get_graph(), _program(program_id))


@page(bp, "/programs/<program_id>/areas/<area_id>", "program_area.html")
def program_area(program_id, area_id):
    """List one page of the silent group's members in one area, with reasons (phones masked)."""
    from queries.programs import silent_group_members

    program = _program(program_id)
    try:
        skip = bounded_int(request.args.get("skip", "0"), "skip", 0, MAX_SKIP)
    except ValueError as e:
        abort(400, str(e))
    graph = get_graph()
    area = None if area_id == "-" else area_id
    require_area(area)  # the gate checked the URL already; this keeps the view safe alone
    members = silent_group_members(graph, program, area, skip=skip, limit=PAGE_SIZE)
    summary = _scoped_summary(graph, program)
    group = next((g for g in summary["groups"] if g["area_id"] == area), None)
    for member in members:
        member["phone"] = mask_phone(member["phone"])
    return {"program": program.to_json(), "area_id": area_id, "group": group,
            "members": members, "skip": skip, "page_size": PAGE_SIZE,
            "next_skip": skip + PAGE_SIZE if len(members) == PAGE_SIZE else None}


# -- the official's inbox ---------------------------------------------------------------------

GROUPS_OF_OFFICIAL = """MATCH (:Official {official_id: $official_id})-[:RESPONSIBLE_FOR]->(a:ResidentialArea)
MATCH (g:SilentGroup)
WHERE g.area_id = a.area_id
RETURN g.program_id AS program_id, a.area_id AS area_id, a.name AS area_name, g.size AS size,
       g.refreshed_at AS refreshed_at"""


def _inbox_silent_groups(conn, official_id: str, status: str | None) -> list[dict]:
    """The stored silent groups in the official's areas: people to reach, program by program.

    They are work to do, not messages to acknowledge, so they show under "all" and "new".
    """
    from queries.programs import load_programs

    if status == "acknowledged":
        return []
    programs = load_programs()
    rows = keep_in_scope(get_graph().read(GROUPS_OF_OFFICIAL, {"official_id": official_id}).rows)
    return [row | {"program_name": programs[row["program_id"]].name}
            for row in sorted(rows, key=lambda r: (r["area_id"], r["program_id"]))
            if row["program_id"] in programs and row["size"]]


register_section(Section("silent_groups", "待联系人群 Silent groups", "inbox_silent_groups.html",
                         _inbox_silent_groups))
