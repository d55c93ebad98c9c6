"""Silent groups: residents eligible for a program who have not taken it up.

Two ways to ask:

* ``silent_group(graph, program, as_of)`` evaluates the compiled rule live over the whole
  district and returns every member with the reasons they qualify. This is exact at the
  moment it runs; on the 83 k district it takes a second or two (see docs/BENCHMARKS.md),
  which is fine for building a campaign.
* ``refresh_silent_groups`` stores that answer in the graph — one ``SilentGroup`` node per
  program and residential area, with ``SILENT_FOR`` relationships from its members — so the
  pages officials open every day read a few nodes and one page of members instead of
  re-scanning tens of thousands of residents (``silent_group_summary`` and
  ``silent_group_members``). The refresh runs after each ingest and on a schedule.

Residents are placed where they actually live (LIVES_IN), with the phone they gave, so
people registered at another address are still reached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.backend import batch_timeout_ms
from graph.errors import NotFound, QueryError
from queries.programs.catalogue import Program, booking_text, known_tag_ids
from queries.programs.rules import compile_rule, screening_property

# Time limit of a whole-district evaluation (a refresh or an export), not an interactive read.
NO_AREA = "(no address in the district)"

_MEMBER_COLUMNS = """r.resident_id AS resident_id, r.name AS name, r.phone AS phone,
       r.sex AS sex, r.birth_date AS birth_date, r.room AS room, r.floor AS floor,
       b.building_id AS building_id, a.area_id AS area_id,
       r.registered_building_id AS registered_building_id,
       r.registered_outside_district AS registered_outside_district"""


def member_columns(program: Program) -> str:
    """The RETURN columns of a member row: only what the reasons for ``program`` read.

    Every value crossing Bolt costs; returning 19 columns instead of 11 doubled the time of
    a 24,000-member group. Addresses and area names come from small lookups instead.
    """
    kinds = {item["screened"]["kind"] for item in program.eligibility.get("exclude", [])
             if "screened" in item}
    if "screening" in program.booking:
        kinds.add(program.booking["screening"])
    extra = "".join(f",\n       r.{screening_property(k, '')} AS {screening_property(k, '')}"
                    for k in sorted(kinds))
    return _MEMBER_COLUMNS + extra


@dataclass
class SilentGroup:
    """A program's silent group, grouped by residential area with its officials."""

    program: Program
    as_of: dt.date
    groups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def members(self) -> list[dict[str, Any]]:
        """Every member, area by area."""
        return [m for group in self.groups for m in group["members"]]

    def to_json(self) -> dict[str, Any]:
        """Return the silent group as plain JSON-able data."""
        return {"program": self.program.to_json(), "as_of": self.as_of.isoformat(),
                "size": len(self.members), "groups": self.groups}


def booked_predicate(program: Program, params: dict[str, Any]) -> str:
    """Return a Cypher predicate on ``r`` that is true when ``r`` took the program up."""
    kind, value = next(iter(program.booking.items()))
    params["booked_since"] = program.start.isoformat()
    if kind == "screening":
        prop = screening_property(value, program.program_id)
        return f"coalesce(r.{prop} >= $booked_since, false)"
    if kind == "application":
        params["booked_matter"] = value
        return "$booked_matter IN coalesce(r.applications, [])"
    params["booked_programs"] = list(value)
    return ("EXISTS { MATCH (r)-[b:BOOKED]->(p:Program) WHERE p.name IN $booked_programs "
            "AND b.booked_on >= $booked_since }")


def silent_group_query(program: Program, as_of: dt.date, *, known_tags=None,
                       ids_only: bool = False) -> tuple[str, dict[str, Any]]:
    """Build the live silent-group query for ``program``: eligible on the period start and
    without a booking between the period start and ``as_of``.

    Unordered on purpose: ArcadeDB took 10 s to sort 24,000 member rows that Python sorts
    in milliseconds (``group_members`` orders them).

    ``ids_only`` returns just resident and area ids, for the refresh.
    """
    compiled = compile_rule(program.eligibility, reference=program.start,
                            known_tags=known_tags or known_tag_ids(),
                            where=f"program {program.program_id}")
    params = dict(compiled.params)
    booked = booked_predicate(program, params)
    varying = [tag for tag in compiled.tags if tag not in common_tags(program)]
    if ids_only:
        columns = "r.resident_id AS resident_id, b.building_id AS building_id, a.area_id AS area_id"
    elif varying:
        # Only tags that differ between members are read back; reading every member's
        # HAS_TAG list costs more than the rest of the row.
        params["reason_tags"] = varying
        columns = (member_columns(program) + ",\n       [(r)-[:HAS_TAG]->(t:Tag) WHERE "
                   "t.tag_id IN $reason_tags | t.tag_id] AS tags")
    else:
        columns = member_columns(program) + ", [] AS tags"
    query = (f"{compiled.anchor}\n"
             f"WHERE {compiled.where}\n"
             f"  AND NOT {booked}\n"
             f"OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)-[:IN_AREA]->(a:ResidentialArea)\n"
             f"RETURN {columns}")
    return query, params


def booking_dates_query(program: Program) -> tuple[str, dict[str, Any]]:
    """Build the query for each resident's first booking of ``program`` in its period."""
    kind, value = next(iter(program.booking.items()))
    params: dict[str, Any] = {"since": program.start.isoformat()}
    if kind == "screening":
        prop = screening_property(value, program.program_id)
        query = (f"MATCH (r:Resident) WHERE r.{prop} >= $since "
                 f"RETURN r.resident_id AS resident_id, r.{prop} AS booked_on")
    elif kind == "application":
        params["matter"] = value
        query = ("MATCH (r:Resident)-[:HAD_EVENT]->(e:Event {kind: 'application'}) "
                 "WHERE e.matter = $matter "
                 "RETURN r.resident_id AS resident_id, min(e.date) AS booked_on")
    else:
        params["names"] = list(value)
        query = ("MATCH (r:Resident)-[b:BOOKED]->(p:Program) "
                 "WHERE p.name IN $names AND b.booked_on >= $since "
                 "RETURN r.resident_id AS resident_id, min(b.booked_on) AS booked_on")
    return query, params


def booking_dates(graph, program: Program) -> dict[str, str]:
    """Return each resident's first booking date (ISO) of ``program``."""
    query, params = booking_dates_query(program)
    rows = graph.read(query, params, max_rows=10_000_000).rows
    return {row["resident_id"]: str(row["booked_on"])[:10] for row in rows}


AREAS_QUERY = """MATCH (a:ResidentialArea)
OPTIONAL MATCH (o:Official)-[:RESPONSIBLE_FOR]->(a)
RETURN a.area_id AS area_id, a.name AS area_name, a.office_phone AS office_phone,
       o.official_id AS official_id, o.name AS name, o.phone AS phone, o.role AS role"""

ADDRESSES_QUERY = "MATCH (b:Building) RETURN b.building_id AS building_id, b.address AS address"


def officials_by_area(graph) -> dict[str, dict[str, Any]]:
    """Return each residential area's name, office phone and responsible officials."""
    areas: dict[str, dict[str, Any]] = {}
    rows = graph.read(AREAS_QUERY, max_rows=1_000_000).rows
    for row in sorted(rows, key=lambda r: (r["area_id"], r["official_id"] or "")):
        area = areas.setdefault(row["area_id"], {"area_name": row["area_name"],
                                                 "office_phone": row["office_phone"],
                                                 "officials": []})
        if row["official_id"] is not None:
            area["officials"].append({"official_id": row["official_id"], "name": row["name"],
                                      "phone": row["phone"], "role": row["role"]})
    return areas


def building_addresses(graph) -> dict[str, str]:
    """Return every building's address by building id."""
    rows = graph.read(ADDRESSES_QUERY, max_rows=10_000_000).rows
    return {row["building_id"]: row["address"] for row in rows}


def age_on(birth_date: str | None, day: dt.date) -> int | None:
    """Completed years on ``day`` for an ISO birth date.

    >>> age_on("1950-07-01", dt.date(2025, 6, 30))
    74
    """
    if not birth_date:
        return None
    born = dt.date.fromisoformat(str(birth_date)[:10])
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def reasons(member: dict[str, Any], program: Program) -> list[str]:
    """Say, for one member, why they are in the program's silent group."""
    rule = program.eligibility
    out = []
    if "sex" in rule:
        out.append("woman" if member.get("sex") == "F" else "man")
    age = age_on(member.get("birth_date"), program.start)
    if "age" in rule or "any" in rule:
        out.append(f"aged {age} on {program.start.isoformat()}")
    out += [f"tag {tag}" for tag in member.get("tags") or []]
    for item in rule.get("exclude", []):
        if "screened" in item:
            kind = item["screened"]["kind"]
            last = member.get(screening_property(kind, ""))
            out.append(f"no {kind} screening in the last {item['screened']['within_days']} days"
                       f" (last: {last or 'never'})")
        elif "applied" in item:
            out.append(f"no application for {item['applied']}")
    if "migrant" in rule:
        out.append("Shanghai household registration" if not rule["migrant"] else "migrant")
    out.append(f"no {booking_text(program)}")
    if member.get("registered_outside_district") or (
            member.get("registered_building_id") and member.get("building_id")
            and member["registered_building_id"] != member["building_id"]):
        out.append("lives away from the registered address: reach at the actual home")
    return out


def _member(row: dict[str, Any], program: Program, areas: dict[str, dict[str, Any]],
            addresses: dict[str, str]) -> dict[str, Any]:
    home = addresses.get(row.get("building_id") or "")
    if home and row.get("room"):
        home = f"{home}{row['room']}室"
    area_name = areas.get(row.get("area_id") or "", {}).get("area_name")
    return {"resident_id": row["resident_id"], "name": row["name"], "phone": row["phone"],
            "sex": row["sex"], "age": age_on(row.get("birth_date"), program.start),
            "address": home, "building_id": row.get("building_id"), "floor": row.get("floor"),
            "area_id": row.get("area_id"), "area_name": area_name,
            "reasons": reasons(row, program)}


def group_members(rows: list[dict[str, Any]], program: Program,
                  areas: dict[str, dict[str, Any]],
                  addresses: dict[str, str]) -> list[dict[str, Any]]:
    """Group member rows by residential area and attach the area's officials."""
    by_area: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.get("building_id") or "", r["resident_id"])):
        by_area[row.get("area_id")].append(row)
    groups = []
    for area_id in sorted(by_area, key=lambda a: (a is None, a or "")):
        area = areas.get(area_id or "", {})
        officials = area.get("officials", [])
        # The social worker makes the calls where there is one; otherwise the first listed.
        caller = next((o for o in officials if o["role"] == "social_worker"),
                      officials[0] if officials else None)
        members = [_member(row, program, areas, addresses) | {
            "official_ids": [o["official_id"] for o in officials],
            "official_names": [o["name"] for o in officials],
            "official": caller["name"] if caller else "",
            "office_phone": area.get("office_phone") or ""} for row in by_area[area_id]]
        groups.append({"area_id": area_id, "area_name": area.get("area_name") or NO_AREA,
                       "office_phone": area.get("office_phone"), "officials": officials,
                       "size": len(members), "members": members})
    return groups


def silent_group(graph, program: Program, as_of: dt.date) -> SilentGroup:
    """Evaluate ``program``'s silent group live; members grouped by area, with reasons."""
    query, params = silent_group_query(program, as_of)
    rows = graph.read(query, params, max_rows=10_000_000,
                      timeout_ms=batch_timeout_ms(graph.settings)).rows
    shared = common_tags(program)
    for row in rows:
        row["tags"] = shared + list(row["tags"] or [])
    return SilentGroup(program, as_of, group_members(rows, program, officials_by_area(graph),
                                                     building_addresses(graph)))


# -- the stored silent groups ----------------------------------------------------------------

SUMMARY_QUERY = """MATCH (g:SilentGroup)
WHERE g.program_id = $program_id
RETURN g.area_id AS area_id, g.size AS size, g.as_of AS as_of, g.refreshed_at AS refreshed_at
ORDER BY area_id"""

# A page is a range of the positions the refresh gave the members (building by building),
# so ArcadeDB reads the group's relationships but loads only the page's residents: 15 ms for
# a page of a 3,400-member group, against 30 ms for ORDER BY … SKIP over the residents.
_MEMBERS_PAGE = """MATCH (g:SilentGroup {group_id: $group_id})<-[s:SILENT_FOR]-(r:Resident)
WHERE s.position >= $skip AND s.position < $skip + $limit
OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)-[:IN_AREA]->(a:ResidentialArea)
RETURN s.position AS position, """

ADD_MEMBERS = """UNWIND $rows AS row
MATCH (g:SilentGroup {group_id: row.group_id})
MATCH (r:Resident {resident_id: row.resident_id})
CREATE (r)-[:SILENT_FOR {position: row.position}]->(g)
RETURN count(*) AS created"""


def members_query(program: Program, varying_tags: list[str]) -> str:
    """The page query; it reads tags only when the rule has tags some members lack."""
    page = _MEMBERS_PAGE + member_columns(program)
    if not varying_tags:
        return page + ", [] AS tags\nORDER BY position"
    return (page + ",\n       [(r)-[:HAS_TAG]->(t:Tag) WHERE t.tag_id IN $reason_tags "
            "| t.tag_id] AS tags\nORDER BY position")


DROP_GROUPS = "MATCH (g:SilentGroup) WHERE g.program_id = $program_id DETACH DELETE g"


def common_tags(program: Program) -> list[str]:
    """Tags every member of the program's silent group carries (the rule's tags.all)."""
    tags = program.eligibility.get("tags")
    return list(tags.get("all", [])) if isinstance(tags, dict) else []


def group_id(program_id: str, area_id: str | None) -> str:
    """Return the key of the stored group of ``program_id`` in ``area_id``."""
    return f"{program_id}|{area_id or '-'}"


def refresh_silent_groups(graph, programs: list[Program], as_of: dt.date) -> dict[str, int]:
    """Re-evaluate each program's silent group and store it in the graph; return sizes.

    The old groups of a program are removed first, in the same run, so a resident who
    booked since the last refresh leaves the group.
    """
    from ingest.load import batches, load_nodes

    refreshed_at = dt.datetime.now().replace(microsecond=0).isoformat()
    sizes = {}
    for program in programs:
        query, params = silent_group_query(program, as_of, ids_only=True)
        rows = graph.read(query, params, max_rows=10_000_000,
                          timeout_ms=batch_timeout_ms(graph.settings)).rows
        by_area: dict[str | None, list[dict]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: (r["building_id"] or "", r["resident_id"])):
            by_area[row["area_id"]].append(row)
        graph.write(DROP_GROUPS, {"program_id": program.program_id})
        load_nodes(graph, "SilentGroup", [
            {"group_id": group_id(program.program_id, area), "program_id": program.program_id,
             "area_id": area, "size": len(members), "as_of": as_of.isoformat(),
             "refreshed_at": refreshed_at} for area, members in sorted(
                by_area.items(), key=lambda item: item[0] or "")])
        # The groups were just created, so CREATE is exact and avoids MERGE's existence
        # check from the group's side (slow on ArcadeDB for a node with thousands of edges).
        members = [{"group_id": group_id(program.program_id, area),
                    "resident_id": row["resident_id"], "position": position}
                   for area, area_rows in by_area.items()
                   for position, row in enumerate(area_rows)]
        created = 0
        for batch in batches(members, graph.settings.write_batch_size):
            created += graph.write(ADD_MEMBERS, {"rows": list(batch)}).single_value()
        if created != len(members):
            raise QueryError(f"Stored {created} of {len(members)} members of "
                             f"{program.program_id}'s silent group; run the refresh again")
        sizes[program.program_id] = len(rows)
    return sizes


def silent_group_summary(graph, program: Program) -> dict[str, Any]:
    """Return the stored silent group of ``program``: size per area, with its officials."""
    rows = graph.read(SUMMARY_QUERY, {"program_id": program.program_id}).rows
    areas = officials_by_area(graph)
    groups = [{**row, "area_name": areas.get(row["area_id"] or "", {}).get("area_name", NO_AREA),
               "officials": areas.get(row["area_id"] or "", {}).get("officials", [])}
              for row in rows]
    return {"program": program.to_json(), "refreshed": bool(rows),
            "as_of": rows[0]["as_of"] if rows else None,
            "refreshed_at": rows[0]["refreshed_at"] if rows else None,
            "size": sum(row["size"] for row in rows), "groups": groups}


def silent_group_members(graph, program: Program, area_id: str | None, *, skip: int = 0,
                         limit: int = 100) -> list[dict[str, Any]]:
    """Return one page of the stored silent group of ``program`` in ``area_id``.

    Raises:
        NotFound: the program has no stored group for that area.
    """
    compiled = compile_rule(program.eligibility, reference=program.start,
                            known_tags=known_tag_ids(), where=program.program_id)
    shared = common_tags(program)
    varying = [tag for tag in compiled.tags if tag not in shared]
    params = {"group_id": group_id(program.program_id, area_id), "skip": skip, "limit": limit}
    if varying:
        params["reason_tags"] = varying
    rows = graph.read(members_query(program, varying), params).rows
    for row in rows:
        row["tags"] = shared + list(row["tags"] or [])
    if not rows and skip == 0:
        exists = graph.read("MATCH (g:SilentGroup {group_id: $group_id}) RETURN count(g) AS n",
                            {"group_id": params["group_id"]}).single_value()
        if not exists:
            raise NotFound(f"No stored silent group of {program.program_id} in area "
                           f"{area_id!r}; run `minqing programs refresh` first")
    # Addresses of the page's buildings only: a page spans a few buildings, not 1,000.
    buildings = sorted({row["building_id"] for row in rows if row.get("building_id")})
    addresses = {row["building_id"]: row["address"] for row in graph.read(
        "MATCH (b:Building) WHERE b.building_id IN $ids "
        "RETURN b.building_id AS building_id, b.address AS address", {"ids": buildings}).rows}
    areas = officials_by_area(graph)
    return [_member(row, program, areas, addresses) for row in rows]
