"""The district's place names and tag labels, read once from the graph for the demand parser.

A :class:`Gazetteer` knows the roads (Chinese, English and pinyin spellings from
``ingest/streets.yaml``), the residential areas, the lanes of each road, the buildings by
address key ("临汾路|261|12"), named points (venues and service points) and the tags with
their Chinese labels. :meth:`Gazetteer.from_graph` reads it from any graph in five queries
(:func:`gazetteer_queries`, linted in the tests); :meth:`Gazetteer.from_fixture` builds the
same thing in code from ``ingest/fixture_graph.py`` for fast unit tests. Coordinates of roads,
lanes and areas without their own are the centroid of their buildings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from graph.schema import key_of, label, rel_type
from ingest.address import address_key, load_streets
from ingest.normalize import InvalidValueError, MissingValueError

TAG_CATALOGUE = Path(__file__).resolve().parent.parent / "ingest" / "tag_catalogue.yaml"
# Committee and estate suffixes: "秀苑居委会" is also called "秀苑小区" or just "秀苑".
_AREA_SUFFIXES = ("居委会", "居民区", "小区", "新村", "社区")


@dataclass(frozen=True)
class Place:
    """A named place: a road, lane, area, building or point, with what it stands for.

    ``ids`` are graph keys: the area id, the building ids of a lane or road, the building id,
    or the venue/service point id. ``lat``/``lon`` are None when nothing is known.
    """

    kind: str  # road / lane / area / building / point
    name: str
    ids: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    road: str | None = None  # the Chinese road name, for lanes and buildings


def _centroid(points: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    points = [(a, b) for a, b in points if a is not None and b is not None]
    if not points:
        return None, None
    return (round(sum(a for a, _ in points) / len(points), 6),
            round(sum(b for _, b in points) / len(points), 6))


@dataclass
class Gazetteer:
    """Places and tags of one district; build with from_graph or from_fixture."""

    roads: dict[str, Place] = field(default_factory=dict)  # Chinese road name → road
    road_spellings: dict[str, str] = field(default_factory=dict)  # spelling → Chinese name
    areas: dict[str, Place] = field(default_factory=dict)  # area id → area
    area_names: dict[str, str] = field(default_factory=dict)  # name or alias → area id
    lanes: dict[tuple[str, int], Place] = field(default_factory=dict)  # (road, lane) → lane
    buildings: dict[str, Place] = field(default_factory=dict)  # address key → building
    points: dict[str, Place] = field(default_factory=dict)  # name → venue / service point
    tags: dict[str, str] = field(default_factory=dict)  # tag id → Chinese label

    @classmethod
    def build(cls, *, areas: list[dict], buildings: list[dict], points: list[dict],
              tags: list[dict]) -> "Gazetteer":
        """Build from plain rows (the shapes :func:`gazetteer_queries` return).

        Args:
            areas: ``{area_id, name, lat, lon}``.
            buildings: ``{building_id, address, address_key, area_id, lat, lon}``;
                ``address_key`` is computed from ``address`` when missing.
            points: ``{point_id, name, lat, lon}`` for venues and service points.
            tags: ``{tag_id, label_zh}``; a missing label comes from the tag catalogue.
        """
        gaz = cls()
        streets = load_streets()
        for spelling, name in streets.chinese.items():
            gaz.road_spellings[spelling] = name
        for entry in _street_entries():
            for spelling in [entry.get("en") or "", *(entry.get("aliases") or ())]:
                if spelling:
                    gaz.road_spellings[str(spelling)] = entry["name"]
        by_road: dict[str, list[dict]] = defaultdict(list)
        by_lane: dict[tuple[str, int], list[dict]] = defaultdict(list)
        by_area: dict[str, list[dict]] = defaultdict(list)
        for row in buildings:
            key = row.get("address_key") or _key(row.get("address"))
            if not key:
                continue
            road, lane, number = key.split("|")
            gaz.buildings[key] = Place("building", row.get("address") or key,
                                       (row["building_id"],), row.get("lat"), row.get("lon"),
                                       road=road)
            by_road[road].append(row)
            if lane:
                by_lane[(road, int(lane))].append(row)
            if row.get("area_id"):
                by_area[row["area_id"]].append(row)
        for road in streets.names:
            rows = by_road.get(road, [])
            gaz.roads[road] = Place("road", road, tuple(r["building_id"] for r in rows),
                                    *_centroid([(r.get("lat"), r.get("lon")) for r in rows]))
        for (road, lane), rows in by_lane.items():
            gaz.lanes[(road, lane)] = Place(
                "lane", f"{road}{lane}弄", tuple(r["building_id"] for r in rows),
                *_centroid([(r.get("lat"), r.get("lon")) for r in rows]), road=road)
        for row in areas:
            lat, lon = row.get("lat"), row.get("lon")
            if lat is None or lon is None:
                lat, lon = _centroid([(r.get("lat"), r.get("lon"))
                                      for r in by_area.get(row["area_id"], [])])
            gaz.areas[row["area_id"]] = Place("area", row["name"], (row["area_id"],), lat, lon)
            for alias in _area_aliases(row["name"]):
                gaz.area_names.setdefault(alias, row["area_id"])
        for row in points:
            if row.get("name"):
                gaz.points[row["name"]] = Place("point", row["name"], (row["point_id"],),
                                                row.get("lat"), row.get("lon"))
        catalogue = _catalogue_labels()
        for row in tags:
            gaz.tags[row["tag_id"]] = row.get("label_zh") or catalogue.get(row["tag_id"], "")
        return gaz

    @classmethod
    def from_graph(cls, graph) -> "Gazetteer":
        """Read the gazetteer from ``graph`` (a graph.backend.Graph) in five queries."""
        rows = {name: graph.read(query).rows for name, query in gazetteer_queries().items()}
        return cls.build(areas=rows["areas"], buildings=rows["buildings"],
                         points=rows["venues"] + rows["service_points"], tags=rows["tags"])

    @classmethod
    def from_fixture(cls) -> "Gazetteer":
        """Build the fixture graph's gazetteer in code (ingest/fixture_graph.py), no database."""
        from ingest import fixture_graph as fx

        return cls.build(
            areas=[{"area_id": a["area_id"], "name": a["name"]} for a in fx.AREAS],
            buildings=[dict(b) for b in fx.BUILDINGS],
            points=[{"point_id": v["venue_id"], "name": v["name"], "lat": v.get("lat"),
                     "lon": v.get("lon")} for v in fx.VENUES],
            tags=[{"tag_id": t["tag_id"]} for t in fx.TAGS])

    def tag_labels(self) -> dict[str, str]:
        """Return tag id → Chinese label, the catalogue's labels for tags the graph lacks.

        The parser recognises every catalogue tag, so a demand can name a tag that no
        resident carries yet (the matcher then reports an empty invite list).
        """
        return {**_catalogue_labels(), **{k: v for k, v in self.tags.items() if v}}


def _key(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return address_key(address)
    except (InvalidValueError, MissingValueError):
        return None


def _area_aliases(name: str) -> list[str]:
    """Return the spellings of an area name: itself and its stem without a committee suffix.

    >>> _area_aliases("秀苑居委会")
    ['秀苑居委会', '秀苑', '秀苑居民区', '秀苑小区', '秀苑新村', '秀苑社区']
    """
    aliases = [name]
    for suffix in _AREA_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            aliases += [stem] + [stem + s for s in _AREA_SUFFIXES if stem + s != name]
            break
    return list(dict.fromkeys(aliases))


@lru_cache(maxsize=1)
def _street_entries() -> tuple[dict, ...]:
    from ingest.address import STREETS_FILE

    with open(STREETS_FILE, encoding="utf-8") as f:
        return tuple((yaml.safe_load(f) or {}).get("streets") or ())


@lru_cache(maxsize=1)
def _catalogue_labels() -> dict[str, str]:
    with open(TAG_CATALOGUE, encoding="utf-8") as f:
        return {t["id"]: t.get("label_zh") or "" for t in (yaml.safe_load(f) or {})["tags"]}


def gazetteer_queries() -> dict[str, str]:
    """Return the read queries :meth:`Gazetteer.from_graph` sends, by name."""
    area, building, venue, point, tag = (label(n) for n in (
        "ResidentialArea", "Building", "Venue", "ServicePoint", "Tag"))
    in_area = rel_type("IN_AREA")
    return {
        "areas": f"MATCH (a:{area}) RETURN a.{key_of(area)} AS area_id, a.name AS name, "
                 "a.lat AS lat, a.lon AS lon",
        "buildings": f"MATCH (b:{building}) OPTIONAL MATCH (b)-[:{in_area}]->(a:{area}) "
                     f"RETURN b.{key_of(building)} AS building_id, b.address AS address, "
                     f"b.address_key AS address_key, a.{key_of(area)} AS area_id, "
                     "b.lat AS lat, b.lon AS lon",
        "venues": f"MATCH (v:{venue}) RETURN v.{key_of(venue)} AS point_id, v.name AS name, "
                  "v.lat AS lat, v.lon AS lon",
        "service_points": f"MATCH (p:{point}) RETURN p.{key_of(point)} AS point_id, "
                          "p.name AS name, p.lat AS lat, p.lon AS lon",
        "tags": f"MATCH (t:{tag}) RETURN t.{key_of(tag)} AS tag_id, t.label_zh AS label_zh",
    }
