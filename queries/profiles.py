"""Resident and building profiles: one record's facts, its household, building, events, and its
1–2 hop neighbourhood in the graph (as nodes and edges, laid out by webapp/neighbourhood_svg.py).
"""

from __future__ import annotations

from typing import Any

from graph.errors import NotFound
from graph.schema import NODE_LABELS, key_of, label, rel_type

_R, _B, _A, _H = (label(n) for n in ("Resident", "Building", "ResidentialArea", "Household"))
_RID, _BID, _AID, _HID = (key_of(n) for n in (_R, _B, _A, _H))

# Nodes with hundreds or thousands of neighbours: shown, but not expanded to a second hop.
HUB_LABELS = ("Tag", "Program", "SilentGroup", "ResidentialArea", "Official", "Building")
EVENTS_SHOWN = 50

RESIDENT = (f"MATCH (r:{_R} {{{_RID}: $resident_id}})\n"
            f"OPTIONAL MATCH (r)-[:{rel_type('LIVES_IN')}]->(b:{_B})\n"
            f"OPTIONAL MATCH (b)-[:{rel_type('IN_AREA')}]->(a:{_A})\n"
            f"OPTIONAL MATCH (r)-[:{rel_type('MEMBER_OF')}]->(h:{_H})\n"
            f"RETURN properties(r) AS resident, b.{_BID} AS building_id, b.address AS address,\n"
            f"       a.{_AID} AS area_id, a.name AS area_name, h.{_HID} AS household_id\n"
            f"LIMIT 1")

RESIDENT_TAGS = (f"MATCH (:{_R} {{{_RID}: $resident_id}})-[:{rel_type('HAS_TAG')}]->"
                 f"(t:{label('Tag')})\n"
                 f"RETURN t.{key_of('Tag')} AS tag_id, t.description AS description, "
                 f"t.category AS category\nORDER BY tag_id")

HOUSEHOLD_MEMBERS = (f"MATCH (:{_R} {{{_RID}: $resident_id}})-[:{rel_type('MEMBER_OF')}]->"
                     f"(h:{_H})<-[:{rel_type('MEMBER_OF')}]-(m:{_R})\n"
                     f"OPTIONAL MATCH (m)-[:{rel_type('LIVES_IN')}]->(:{_B})-"
                     f"[:{rel_type('IN_AREA')}]->(a:{_A})\n"
                     f"RETURN m.{_RID} AS resident_id, m.name AS name, m.sex AS sex, "
                     f"m.birth_date AS birth_date, m.relation AS relation, a.{_AID} AS area_id\n"
                     f"ORDER BY birth_date")

RESIDENT_EVENTS = (f"MATCH (:{_R} {{{_RID}: $resident_id}})-[:{rel_type('HAD_EVENT')}]->"
                   f"(e:{label('Event')})\n"
                   f"RETURN e.{key_of('Event')} AS event_id, e.kind AS kind, e.date AS date, "
                   f"e.source AS source, e.matter AS matter\n"
                   f"ORDER BY date DESC LIMIT $limit")

RESIDENT_PROGRAMS = (f"MATCH (:{_R} {{{_RID}: $resident_id}})-[b:{rel_type('BOOKED')}]->"
                     f"(p:{label('Program')})\n"
                     f"RETURN p.{key_of('Program')} AS program_id, p.name AS name, "
                     f"b.booked_on AS booked_on\nORDER BY booked_on DESC")

RESIDENT_SILENT_GROUPS = (f"MATCH (:{_R} {{{_RID}: $resident_id}})-"
                          f"[:{rel_type('SILENT_FOR')}]->(g:{label('SilentGroup')})\n"
                          f"RETURN g.program_id AS program_id, g.as_of AS as_of\n"
                          f"ORDER BY program_id")

BUILDING = (f"MATCH (b:{_B} {{{_BID}: $building_id}})\n"
            f"OPTIONAL MATCH (b)-[:{rel_type('IN_AREA')}]->(a:{_A})\n"
            f"OPTIONAL MATCH (o:{label('Official')})-[:{rel_type('RESPONSIBLE_FOR')}]->(a)\n"
            f"RETURN properties(b) AS building, a.{_AID} AS area_id, a.name AS area_name,\n"
            f"       a.committee AS committee, collect(o.name) AS officials\n")

# Anchored on the building: written from the resident's side, ArcadeDB scanned every resident.
BUILDING_RESIDENTS = (f"MATCH (:{_B} {{{_BID}: $building_id}})<-[:{rel_type('LIVES_IN')}]-(r:{_R})\n"
                      f"OPTIONAL MATCH (r)-[:{rel_type('MEMBER_OF')}]->(h:{_H})\n"
                      f"RETURN r.{_RID} AS resident_id, r.name AS name, r.sex AS sex, "
                      f"r.birth_date AS birth_date, r.phone AS phone, r.room AS room, "
                      f"r.floor AS floor, h.{_HID} AS household_id\n"
                      f"ORDER BY floor, room, resident_id")

# One expression that names any node by its label's key, and one that gives it a caption.
_NODE_KEY = "coalesce(" + ", ".join(
    dict.fromkeys(f"n.{lab.key}" for lab in NODE_LABELS)) + ")"
_CAPTION = f"coalesce(n.name, n.address, n.kind + ' ' + n.date, {_NODE_KEY})"


def neighbourhood_queries(label_name: str) -> tuple[str, str]:
    """Build the one-hop and two-hop neighbourhood queries of a node of ``label_name``.

    Both take ``$key`` and ``$limit``; the two-hop query also ``$via`` (element ids of the
    first-hop nodes to go through) and ``$hubs`` (labels not to go through).
    """
    centre = f"(c:{label(label_name)} {{{key_of(label_name)}: $key}})"
    columns = (f"type(rel) AS type, labels(n)[0] AS label, {_NODE_KEY} AS key, "
               f"{_CAPTION} AS caption")
    # Non-residents first: a building's area and households before 600 of its residents.
    one = (f"MATCH {centre}-[rel]-(n)\n"
           f"RETURN elementId(n) AS node, startNode(rel) = c AS outgoing, {columns}\n"
           f"ORDER BY CASE WHEN labels(n)[0] = '{_R}' THEN 1 ELSE 0 END, label, key\n"
           f"LIMIT $limit")
    # Hubs are dropped before the second expansion: expanding a building first and
    # filtering afterwards read its 1,400 relationships for nothing.
    two = (f"MATCH {centre}-[]-(m)\n"
           f"WHERE NOT labels(m)[0] IN $hubs AND elementId(m) IN $via\n"
           f"WITH DISTINCT c, m\n"
           f"MATCH (m)-[rel]-(n)\n"
           f"WHERE n <> c\n"
           f"RETURN elementId(m) AS via, elementId(n) AS node, startNode(rel) = m AS outgoing, "
           f"{columns}\nLIMIT $limit")
    return one, two


def neighbourhood(graph, label_name: str, key: str, limit: int = 40) -> dict[str, Any]:
    """Return the 1–2 hop neighbourhood of one node as ``{"nodes": [...], "edges": [...]}``.

    Nodes are ``{"id": "Label:key", "label", "key", "caption", "hop"}``; edges
    ``{"source", "target", "type"}`` in the relationship's direction. At most ``limit``
    first-hop and ``limit`` second-hop relationships are read; hubs are not expanded.
    """
    one, two = neighbourhood_queries(label_name)
    centre_id = f"{label_name}:{key}"
    nodes = {centre_id: {"id": centre_id, "label": label_name, "key": key, "caption": None,
                         "hop": 0}}
    edges: dict[tuple[str, str, str], dict[str, str]] = {}
    by_element: dict[str, str] = {}

    def add(row, hop: int, anchor: str) -> None:
        node_id = f"{row['label']}:{row['key']}"
        by_element[row["node"]] = node_id
        nodes.setdefault(node_id, {"id": node_id, "label": row["label"], "key": row["key"],
                                   "caption": row["caption"], "hop": hop})
        source, target = (anchor, node_id) if row["outgoing"] else (node_id, anchor)
        edges.setdefault((source, target, row["type"]),
                         {"source": source, "target": target, "type": row["type"]})

    first = graph.read(one, {"key": key, "limit": limit}).rows
    for row in first:
        add(row, 1, centre_id)
    via = sorted({row["node"] for row in first if row["label"] not in HUB_LABELS})
    if via:
        for row in graph.read(two, {"key": key, "limit": limit, "via": via,
                                    "hubs": list(HUB_LABELS)}).rows:
            add(row, 2, by_element[row["via"]])
    return {"nodes": list(nodes.values()), "edges": list(edges.values()),
            "truncated": len(first) >= limit}


def resident_profile(graph, resident_id: str) -> dict[str, Any]:
    """Return a resident's facts, tags, household, building, programs and events.

    Raises:
        NotFound: no resident has this id.
    """
    row = graph.read(RESIDENT, {"resident_id": resident_id}).first()
    if row is None:
        raise NotFound(f"No resident {resident_id!r}; check the id in the link.")
    params = {"resident_id": resident_id}
    return {
        "resident": row["resident"],
        "building": {"building_id": row["building_id"], "address": row["address"]},
        "area": {"area_id": row["area_id"], "name": row["area_name"]},
        "household_id": row["household_id"],
        "tags": graph.read(RESIDENT_TAGS, params).rows,
        "household": [m for m in graph.read(HOUSEHOLD_MEMBERS, params).rows
                      if m["resident_id"] != resident_id],
        "programs": graph.read(RESIDENT_PROGRAMS, params).rows,
        "silent_groups": graph.read(RESIDENT_SILENT_GROUPS, params).rows,
        "events": graph.read(RESIDENT_EVENTS, {**params, "limit": EVENTS_SHOWN}).rows,
    }


def building_profile(graph, building_id: str) -> dict[str, Any]:
    """Return a building's facts, area and officials, elevator status and residents.

    Raises:
        NotFound: no building has this id.
    """
    row = graph.read(BUILDING, {"building_id": building_id}).first()
    if row is None:
        raise NotFound(f"No building {building_id!r}; check the id in the link.")
    building = row["building"]
    return {
        "building": building,
        "elevator": elevator_status(building),
        "area": {"area_id": row["area_id"], "name": row["area_name"],
                 "committee": row["committee"], "officials": sorted(row["officials"] or [])},
        "residents": graph.read(BUILDING_RESIDENTS, {"building_id": building_id},
                                max_rows=100_000).rows,
    }


def elevator_status(building: dict[str, Any]) -> str:
    """Say whether a building has an elevator, and since when or how far its retrofit is.

    >>> elevator_status({"elevator_as_built": True})
    'as built'
    >>> elevator_status({"elevator_as_built": False, "elevator_status": "installed",
    ...                  "elevator_installed_on": "2024-08-23"})
    'retrofitted (installed 2024-08-23)'
    >>> elevator_status({"elevator_as_built": False, "floors": 6})
    'none'
    """
    if building.get("elevator_as_built"):
        return "as built"
    status = building.get("elevator_status")
    if status == "installed":
        return f"retrofitted (installed {building.get('elevator_installed_on') or '?'})"
    if status:
        return f"retrofit {status} (applied {building.get('elevator_applied_on') or '?'})"
    return "none"


def all_queries() -> dict[str, str]:
    """Every Cypher string this module sends, by name, for the Cypher lint."""
    queries = {"profile_resident": RESIDENT, "profile_resident_tags": RESIDENT_TAGS,
               "profile_household_members": HOUSEHOLD_MEMBERS,
               "profile_resident_events": RESIDENT_EVENTS,
               "profile_resident_programs": RESIDENT_PROGRAMS,
               "profile_resident_silent_groups": RESIDENT_SILENT_GROUPS,
               "profile_building": BUILDING, "profile_building_residents": BUILDING_RESIDENTS}
    for name in ("Resident", "Building"):
        one, two = neighbourhood_queries(name)
        queries[f"profile_neighbourhood_{name.lower()}_1"] = one
        queries[f"profile_neighbourhood_{name.lower()}_2"] = two
    return queries
