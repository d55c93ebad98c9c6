"""Demand per building from the graph: residents of a target group (80+, children 0-6, a tag).

Each target group is one aggregate Cypher query returning a count per building; buildings
come from a second query so that buildings with no demand still appear (coverage tables list
them, location models drop them). Ages are compared as ISO date strings, which the graph
stores for ``birth_date``, so the cut-offs are computed here and passed as ``$params``.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.schema import key_of, label, rel_type
from models.siting import SitingError

# Target groups by name: (youngest age, oldest age or None, description).
AGE_GROUPS: dict[str, tuple[int, int | None, str]] = {
    "seniors_80_plus": (80, None, "residents aged 80 and over"),
    "seniors_60_plus": (60, None, "residents aged 60 and over"),
    "children_0_6": (0, 6, "children aged 0 to 6"),
    "children_0_3": (0, 3, "children aged 0 to 3"),
    "children_3_6": (3, 6, "children aged 3 to 6"),
    "all_residents": (0, None, "every resident"),
}
TAG_PREFIX = "tag:"

# The target group a service type is meant for; types not listed serve everyone.
SERVICE_TARGETS: dict[str, str] = {
    "dining_hall": "seniors_80_plus",
    "meal_point": "seniors_80_plus",
    "elderly_day_care": "seniors_80_plus",
    "elderly_care_home": "seniors_80_plus",
    "elderly_service_centre": "seniors_60_plus",
    "kindergarten": "children_3_6",
    "nursery": "children_0_3",
    "clinic": "all_residents",
    "neighbourhood_centre": "all_residents",
}


@dataclass(frozen=True)
class DemandPoint:
    """One building and the number of residents of the target group living in it."""

    building_id: str
    address: str | None
    area_id: str | None
    area: str | None
    lat: float
    lon: float
    weight: float


def describe_group(group: str) -> str:
    """Say in words who a target group is, e.g. 'residents aged 80 and over'."""
    if group.startswith(TAG_PREFIX):
        return f"residents tagged {group[len(TAG_PREFIX):]}"
    return AGE_GROUPS[check_group(group)][2]


def check_group(group: str) -> str:
    """Return ``group`` if it names a target group, else raise SitingError listing them."""
    if group in AGE_GROUPS or (group.startswith(TAG_PREFIX) and len(group) > len(TAG_PREFIX)):
        return group
    raise SitingError(f"Unknown target group {group!r}; use one of {', '.join(AGE_GROUPS)} "
                      f"or {TAG_PREFIX}<tag_id> (e.g. {TAG_PREFIX}lone_elderly)")


def target_group_for(service_type: str) -> str:
    """Return the default target group of a service type (everyone for unknown types)."""
    return SERVICE_TARGETS.get(service_type, "all_residents")


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def buildings_query() -> tuple[str, dict[str, Any]]:
    """Build the query listing every located building with its residential area."""
    b, a = label("Building"), label("ResidentialArea")
    query = (f"MATCH (b:{b}) WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL\n"
             f"OPTIONAL MATCH (b)-[:{rel_type('IN_AREA')}]->(a:{a})\n"
             f"RETURN b.{key_of(b)} AS building_id, b.address AS address, "
             f"a.{key_of(a)} AS area_id, a.name AS area, b.lat AS lat, b.lon AS lon\n"
             f"ORDER BY building_id")
    return query, {}


def demand_query(group: str, as_of: dt.date) -> tuple[str, dict[str, Any]]:
    """Build the query counting the target group's residents per building.

    Args:
        group: a name from AGE_GROUPS or ``tag:<tag_id>``.
        as_of: the day ages are computed on.
    """
    r, b = label("Resident"), label("Building")
    lives_in = rel_type("LIVES_IN")
    returns = f"RETURN b.{key_of(b)} AS building_id, count(DISTINCT r) AS demand"
    if check_group(group).startswith(TAG_PREFIX):
        t = label("Tag")
        return (f"MATCH (t:{t} {{{key_of(t)}: $tag_id}})<-[:{rel_type('HAS_TAG')}]-(r:{r})"
                f"-[:{lives_in}]->(b:{b})\n{returns}",
                {"tag_id": group[len(TAG_PREFIX):]})
    youngest, oldest, _ = AGE_GROUPS[group]
    # Aged >= youngest: born on or before as_of - youngest years. Aged <= oldest: born after
    # as_of - (oldest + 1) years.
    params: dict[str, Any] = {"born_by": _years_before(as_of, youngest).isoformat()}
    where = "r.birth_date <= $born_by"
    if oldest is not None:
        params["born_after"] = _years_before(as_of, oldest + 1).isoformat()
        where += " AND r.birth_date > $born_after"
    return f"MATCH (r:{r})-[:{lives_in}]->(b:{b})\nWHERE {where}\n{returns}", params


def tag_exists_query() -> str:
    """Build the query counting tags with id ``$tag_id`` (0 or 1)."""
    t = label("Tag")
    return f"MATCH (t:{t} {{{key_of(t)}: $tag_id}}) RETURN count(t) AS n"


def building_demand(graph, group: str, as_of: dt.date | None = None) -> list[DemandPoint]:
    """Return every located building with its demand for ``group`` (zero included).

    Raises:
        SitingError: an unknown group, a tag the graph does not hold, or no located building.
    """
    as_of = as_of or dt.date.today()
    query, params = demand_query(group, as_of)
    if group.startswith(TAG_PREFIX):
        known = graph.read(tag_exists_query(), params).single_value()
        if not known:
            raise SitingError(f"No tag {params['tag_id']!r} in the graph; `minqing query "
                              f"tagged_residents` lists residents by tag id")
    counts = {row["building_id"]: int(row["demand"])
              for row in graph.read(query, params).rows}
    buildings = graph.read(*buildings_query()).rows
    if not buildings:
        raise SitingError("The graph holds no building with lat/lon; load the district first "
                          "(`minqing ingest run` or `minqing demo`)")
    return [DemandPoint(row["building_id"], row["address"], row["area_id"], row["area"],
                        float(row["lat"]), float(row["lon"]), counts.get(row["building_id"], 0))
            for row in buildings]


def demand_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the lint)."""
    day = dt.date(2025, 6, 30)
    queries = {"siting buildings": buildings_query()[0],
               "siting tag exists": tag_exists_query()}
    for group in (*AGE_GROUPS, "tag:lone_elderly"):
        queries[f"siting demand {group}"] = demand_query(group, day)[0]
    return queries


def read_demand_file(path: Path | str, *, id_column: str = "building_id",
                     weight_column: str = "demand", lat_column: str = "lat",
                     lon_column: str = "lon") -> list[DemandPoint]:
    """Read demand points (id, weight, lat, lon) from a CSV, e.g. census tracts.

    Raises:
        SitingError: the file is unreadable, lacks a column, repeats an id, or a row has a
            weight or coordinate that is not a number, or a negative weight.
    """
    path = Path(path)
    points: list[DemandPoint] = []
    seen: set[str] = set()
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            needed = (id_column, weight_column, lat_column, lon_column)
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise SitingError(f"{path}: no column {', '.join(missing)}; demand files need "
                                  f"{', '.join(needed)}")
            for line, row in enumerate(reader, start=2):
                point_id = (row[id_column] or "").strip()
                if not point_id or point_id in seen:
                    raise SitingError(f"{path} row {line}: {id_column} is empty or repeated "
                                      f"({point_id!r})")
                seen.add(point_id)
                try:
                    weight = float(row[weight_column])
                    lat, lon = float(row[lat_column]), float(row[lon_column])
                except (TypeError, ValueError):
                    raise SitingError(f"{path} row {line}: {weight_column}, {lat_column} and "
                                      f"{lon_column} must be numbers") from None
                if not math.isfinite(weight) or weight < 0:
                    raise SitingError(f"{path} row {line}: {weight_column} must be 0 or more, "
                                      f"got {row[weight_column]!r}")
                points.append(DemandPoint(point_id, None, None, None, lat, lon, weight))
    except OSError as e:
        raise SitingError(f"Cannot read the demand file {path}: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise SitingError(f"{path} is not UTF-8 text: {e}") from e
    return points
