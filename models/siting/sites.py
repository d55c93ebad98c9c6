"""Sites from the graph or a file: existing service points by type, and candidate sites.

Candidates in the graph are venues flagged ``available_for_new_facility`` (vacant premises and
a few others) and buildings carrying the same flag; a CSV file can add or replace them.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from graph.schema import key_of, label
from models.siting import SitingError



@dataclass(frozen=True)
class Site:
    """A place a facility is (``existing``) or could be; capacity in places, None if unknown."""

    site_id: str
    name: str | None
    lat: float
    lon: float
    capacity: int | None = None
    existing: bool = False
    kind: str = "venue"  # venue, building, file, service_point
    address: str | None = None
    service_radius_m: float | None = None
    type: str | None = None


def service_points_query() -> str:
    """Build the query for located service points, optionally of one type (``$type``)."""
    s = label("ServicePoint")
    return (f"MATCH (s:{s}) WHERE ($type IS NULL OR s.type = $type) "
            f"AND s.lat IS NOT NULL AND s.lon IS NOT NULL\n"
            f"RETURN s.{key_of(s)} AS site_id, s.name AS name, s.type AS type, "
            f"s.address AS address, s.capacity AS capacity, "
            f"s.service_radius_m AS service_radius_m, s.lat AS lat, s.lon AS lon\n"
            f"ORDER BY site_id")


def candidate_venues_query() -> str:
    """Build the query for venues flagged as available for a new facility."""
    v = label("Venue")
    return (f"MATCH (v:{v}) WHERE v.available_for_new_facility = true "
            f"AND v.lat IS NOT NULL AND v.lon IS NOT NULL\n"
            f"RETURN v.{key_of(v)} AS site_id, v.name AS name, v.address AS address, "
            f"v.capacity AS capacity, v.lat AS lat, v.lon AS lon\nORDER BY site_id")


def candidate_buildings_query() -> str:
    """Build the query for buildings flagged as available for a new facility."""
    b = label("Building")
    return (f"MATCH (b:{b}) WHERE b.available_for_new_facility = true "
            f"AND b.lat IS NOT NULL AND b.lon IS NOT NULL\n"
            f"RETURN b.{key_of(b)} AS site_id, b.address AS name, b.address AS address, "
            f"null AS capacity, b.lat AS lat, b.lon AS lon\nORDER BY site_id")


def _capacity(value) -> int | None:
    if value is None or value == "":
        return None
    number = int(float(value))
    return number if number > 0 else None  # vacant premises carry 0: unknown, not "none"


def service_points(graph, service_type: str | None = None) -> list[Site]:
    """Return the located service points, of ``service_type`` if given, as existing sites."""
    rows = graph.read(service_points_query(), {"type": service_type}).rows
    return [Site(r["site_id"], r["name"], float(r["lat"]), float(r["lon"]),
                 _capacity(r["capacity"]), True, "service_point", r["address"],
                 float(r["service_radius_m"]) if r["service_radius_m"] else None, r["type"])
            for r in rows]


def service_types(graph) -> list[str]:
    """Return the service types present in the graph, sorted."""
    return sorted({site.type for site in service_points(graph) if site.type})


def graph_candidates(graph) -> list[Site]:
    """Return the venues and buildings the graph flags as available for a new facility."""
    sites = []
    for query, kind in ((candidate_venues_query(), "venue"),
                        (candidate_buildings_query(), "building")):
        sites += [Site(r["site_id"], r["name"], float(r["lat"]), float(r["lon"]),
                       _capacity(r["capacity"]), False, kind, r["address"])
                  for r in graph.read(query).rows]
    return sites


def read_candidates(path: Path | str, *, id_column: str = "site_id", lat_column: str = "lat",
                    lon_column: str = "lon") -> list[Site]:
    """Read candidate sites from a CSV with site_id, lat, lon and optional name, capacity.

    The id and coordinate columns can be renamed for files written elsewhere.

    Raises:
        SitingError: the file is unreadable, lacks a column, repeats a site_id, or a row has
            a bad coordinate or capacity; the message names the file and row.
    """
    path = Path(path)
    sites: list[Site] = []
    seen: set[str] = set()
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            needed = (id_column, lat_column, lon_column)
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise SitingError(f"{path}: no column {', '.join(missing)}; candidate files "
                                  f"need {', '.join(needed)} (name, capacity optional)")
            for line, row in enumerate(reader, start=2):
                site_id = (row[id_column] or "").strip()
                if not site_id:
                    raise SitingError(f"{path} row {line}: site_id is empty")
                if site_id in seen:
                    raise SitingError(f"{path} row {line}: site_id {site_id} appears twice")
                seen.add(site_id)
                try:
                    lat, lon = float(row[lat_column]), float(row[lon_column])
                except (TypeError, ValueError):
                    raise SitingError(f"{path} row {line}: lat/lon must be numbers, got "
                                      f"{row[lat_column]!r}, {row[lon_column]!r}") from None
                if not (math.isfinite(lat) and math.isfinite(lon)
                        and -90 <= lat <= 90 and -180 <= lon <= 180):
                    raise SitingError(f"{path} row {line}: lat/lon {lat}, {lon} is not a "
                                      f"WGS84 position")
                try:
                    capacity = _capacity((row.get("capacity") or "").strip())
                except ValueError:
                    raise SitingError(f"{path} row {line}: capacity must be a number, got "
                                      f"{row.get('capacity')!r}") from None
                sites.append(Site(site_id, (row.get("name") or "").strip() or site_id,
                                  lat, lon, capacity, False, "file"))
    except OSError as e:
        raise SitingError(f"Cannot read the candidate file {path}: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise SitingError(f"{path} is not UTF-8 text: {e}") from e
    if not sites:
        raise SitingError(f"{path} lists no candidate site")
    return sites


def site_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the lint)."""
    return {"siting service points": service_points_query(),
            "siting candidate venues": candidate_venues_query(),
            "siting candidate buildings": candidate_buildings_query()}
