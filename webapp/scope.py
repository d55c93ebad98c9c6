"""Grid-level isolation: which residential areas the logged-in user may see residents of.

``current_scope()`` is None for admins and analysts (every area), the official's set of area
ids, or an empty set for partners (no residents at all). Pages pass the scope into their
queries or filter their rows with the helpers below *before* rendering, so both the HTML
page and its ``.json`` twin (and every export) carry only in-scope residents.
"""

from __future__ import annotations

from typing import Iterable

from flask import g, has_request_context

from graph import schema
from graph.errors import NotFound

_R, _B, _A = schema.label("Resident"), schema.label("Building"), schema.label("ResidentialArea")
_O = schema.label("Official")
_LIVES, _IN = schema.rel_type("LIVES_IN"), schema.rel_type("IN_AREA")
_RESP = schema.rel_type("RESPONSIBLE_FOR")

RESIDENTS_IN_AREAS = (
    f"MATCH (r:{_R})-[:{_LIVES}]->(b:{_B})-[:{_IN}]->(a:{_A}) "
    f"WHERE r.{schema.key_of('Resident')} IN $resident_ids AND a.{schema.key_of('ResidentialArea')}"
    f" IN $area_ids RETURN r.{schema.key_of('Resident')} AS resident_id")
BUILDINGS_IN_AREAS = (
    f"MATCH (b:{_B})-[:{_IN}]->(a:{_A}) WHERE a.{schema.key_of('ResidentialArea')} IN $area_ids "
    f"RETURN b.{schema.key_of('Building')} AS building_id")
AREAS_OF_OFFICIAL = (
    f"MATCH (o:{_O} {{{schema.key_of('Official')}: $official_id}})-[:{_RESP}]->(a:{_A}) "
    f"RETURN a.{schema.key_of('ResidentialArea')} AS area_id")


def builder_queries() -> dict[str, str]:
    """The Cypher texts this module sends, by name (for the lint test)."""
    return {"scope residents in areas": RESIDENTS_IN_AREAS,
            "scope buildings in areas": BUILDINGS_IN_AREAS,
            "scope areas of official": AREAS_OF_OFFICIAL}


def current_scope() -> frozenset[str] | None:
    """Return the area ids the user may see residents of; None means every area.

    Outside a request (the CLI, the scheduler) there is no user and no restriction.
    """
    if not has_request_context():
        return None
    return g.get("scope", frozenset())


def is_restricted() -> bool:
    """True when the current user sees only some areas (an official or a partner)."""
    return current_scope() is not None


def area_allowed(area_id: str | None) -> bool:
    """True when a resident of ``area_id`` may be shown to the current user."""
    scope = current_scope()
    return scope is None or (area_id is not None and area_id in scope)


def keep_in_scope(rows: Iterable[dict], key: str = "area_id") -> list[dict]:
    """Keep the rows whose ``key`` (an area id) is in scope."""
    scope = current_scope()
    rows = list(rows)
    return rows if scope is None else [r for r in rows if r.get(key) in scope]


def residents_in_scope(graph, resident_ids: Iterable[str]) -> set[str] | None:
    """Return which of ``resident_ids`` live in the user's areas; None when unrestricted."""
    scope = current_scope()
    if scope is None:
        return None
    ids = sorted({i for i in resident_ids if i})
    if not ids or not scope:
        return set()
    return {row["resident_id"] for row in graph.read(
        RESIDENTS_IN_AREAS, {"resident_ids": ids, "area_ids": sorted(scope)}).rows}


def keep_residents(graph, rows: list[dict], key: str = "resident_id") -> list[dict]:
    """Keep the rows whose resident (``key``) lives in the user's areas."""
    allowed = residents_in_scope(graph, (r.get(key) for r in rows))
    return rows if allowed is None else [r for r in rows if r.get(key) in allowed]


def buildings_in_scope(graph) -> set[str] | None:
    """Return the building ids of the user's areas (cached for the request); None: all."""
    scope = current_scope()
    if scope is None:
        return None
    if "scope_buildings" not in g:
        g.scope_buildings = {row["building_id"] for row in graph.read(
            BUILDINGS_IN_AREAS, {"area_ids": sorted(scope)}).rows} if scope else set()
    return g.scope_buildings


def require_resident(graph, resident_id: str) -> None:
    """Refuse a resident outside the user's areas as if it did not exist (no leak)."""
    allowed = residents_in_scope(graph, [resident_id])
    if allowed is not None and resident_id not in allowed:
        raise NotFound(f"No resident {resident_id!r} in your areas")


def require_area(area_id: str | None) -> None:
    """Refuse an area outside the user's areas as if it did not exist."""
    if not area_allowed(area_id):
        raise NotFound(f"No residential area {area_id!r} in your areas")


def require_building(graph, building_id: str) -> None:
    """Refuse a building outside the user's areas as if it did not exist."""
    allowed = buildings_in_scope(graph)
    if allowed is not None and building_id not in allowed:
        raise NotFound(f"No building {building_id!r} in your areas")


def require_official(graph, official_id: str) -> None:
    """Refuse an official none of whose areas is the user's."""
    scope = current_scope()
    if scope is None:
        return
    areas = {row["area_id"] for row in graph.read(AREAS_OF_OFFICIAL,
                                                  {"official_id": official_id}).rows}
    if not areas & scope:
        raise NotFound(f"No official {official_id!r} for your areas")


def check_url_ids(graph, view_args: dict | None) -> None:
    """Check ids in the URL (a tampered link, another area's id typed by hand) against scope.

    Runs in the gate for every page, so a new page with ``<resident_id>`` in its rule is
    isolated even before it filters its own rows.
    """
    if current_scope() is None or not view_args:
        return
    if "resident_id" in view_args:
        require_resident(graph, view_args["resident_id"])
    if "building_id" in view_args:
        require_building(graph, view_args["building_id"])
    if "area_id" in view_args:
        require_area(view_args["area_id"])
    if "official_id" in view_args:
        require_official(graph, view_args["official_id"])
