"""The shard simulation's split: a district copied by residential area into several databases.

What lives where (docs/SCALING.md explains why):
* replicated on every shard — reference data small next to the residents and read by almost
  every query: residential areas, officials, organizations, venues, service points,
  programs, tags and the HSDS directory (services, locations, taxonomy terms);
* sharded, on the shard of a residential area — the area's buildings, the households and
  residents living there (``LIVES_IN``; a resident with no home building and a building
  with no area go to the first shard), their events and volunteer records, and the area's
  stored silent groups.

A relationship is kept on the shards holding both its ends; one whose ends live on two
different shards (a resident living in one area with a household or registered address
in another) is *cut* and counted, as a Neo4j composite database cannot hold it either.

``split_graph`` reads the source graph once and writes each shard through the ingest's own
writer; ``graph.router.ShardedGraph`` then reads the shards as one graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from graph import cypher, schema
from graph.backend import batch_timeout_ms
from graph.errors import QueryError

REPLICATED_LABELS = frozenset({
    "ResidentialArea", "Official", "Organization", "Venue", "ServicePoint", "Program", "Tag",
    "Service", "Location", "TaxonomyTerm"})
SHARDED_LABELS = frozenset(lab.name for lab in schema.NODE_LABELS) - REPLICATED_LABELS
REPLICATED_TYPES = frozenset(rel.name for rel in schema.REL_TYPES
                             if rel.start in REPLICATED_LABELS and rel.end in REPLICATED_LABELS)
FIRST_SHARD = 0


# -- which shard holds what ------------------------------------------------------------------


def assign_areas(residents_by_area: dict[str, int], shards: int) -> dict[str, int]:
    """Place residential areas on ``shards`` shards, biggest first on the least-loaded one.

    >>> assign_areas({"A1": 50, "A2": 30, "A3": 20, "A4": 10}, 2)
    {'A1': 0, 'A2': 1, 'A3': 1, 'A4': 0}
    """
    if shards < 1:
        raise QueryError(f"shards must be at least 1, got {shards}")
    load = [0] * shards
    placed = {}
    for area in sorted(residents_by_area, key=lambda a: (-residents_by_area[a], a)):
        target = min(range(shards), key=lambda s: (load[s], s))
        placed[area] = target
        load[target] += residents_by_area[area]
    return dict(sorted(placed.items()))


@dataclass
class ShardDirectory:
    """Which shard holds each residential area and building; a small table every router
    keeps (in a city: the area → sub-district table)."""

    areas: dict[str, int] = field(default_factory=dict)
    buildings: dict[str, int] = field(default_factory=dict)
    area_aliases: dict[str, int] = field(default_factory=dict)  # ids, names, committee names

    def area_shard(self, ref: str) -> int | None:
        """Return the shard of an area given by id, name or committee name, if known."""
        return self.areas.get(ref, self.area_aliases.get(ref))


@dataclass
class SplitReport:
    """What a split wrote: node and relationship counts per shard, and the cut relationships."""

    directory: ShardDirectory
    nodes: list[dict[str, int]]
    relationships: list[dict[str, int]]
    cut: dict[str, int]
    seconds: float = 0.0


def _home_shards(nodes: dict[str, list[dict]], rels: dict[str, list[dict]],
                 area_shard: dict[str, int]) -> dict[str, dict[Any, int]]:
    """The home shard of every sharded node, by label and key."""
    def ends(type_name: str) -> dict[Any, Any]:
        return {row["a"]: row["b"] for row in rels.get(type_name, [])}

    in_area, lives_in = ends("IN_AREA"), ends("LIVES_IN")
    household_at = ends("HOUSEHOLD_AT")
    home: dict[str, dict[Any, int]] = {name: {} for name in SHARDED_LABELS}
    for b in nodes.get("Building", []):
        key = b["building_id"]
        home["Building"][key] = area_shard.get(in_area.get(key), FIRST_SHARD)
    for h in nodes.get("Household", []):
        key = h["household_id"]
        home["Household"][key] = home["Building"].get(household_at.get(key), FIRST_SHARD)
    for r in nodes.get("Resident", []):
        key = r["resident_id"]
        home["Resident"][key] = home["Building"].get(lives_in.get(key), FIRST_SHARD)
    person = home["Resident"]
    for label, type_name in (("Event", "HAD_EVENT"), ("Volunteer", "IS_VOLUNTEER")):
        owner = {row["b"]: row["a"] for row in rels.get(type_name, [])}
        key = schema.key_of(label)
        for node in nodes.get(label, []):
            home[label][node[key]] = person.get(owner.get(node[key]), FIRST_SHARD)
    for g in nodes.get("SilentGroup", []):
        home["SilentGroup"][g["group_id"]] = area_shard.get(g.get("area_id"), FIRST_SHARD)
    return home


@dataclass
class SplitPlan:
    """Each shard's rows, planned from a whole graph before anything is written."""

    directory: ShardDirectory
    nodes: list[dict[str, list[dict]]]          # per shard: label -> property maps
    relationships: list[dict[str, list[tuple]]]  # per shard: type -> (start, end, props)
    cut: dict[str, int]


def read_graph(source) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Read every node (property maps by label) and relationship (``a``, ``b``, ``p`` rows
    by type) of ``source``; this reads the whole graph."""
    # Whole-label reads of a big district outlast the interactive query_time_limit_ms.
    limit = {"max_rows": None, "timeout_ms": batch_timeout_ms(source.settings)}
    nodes = {lab.name: [row["p"] for row in source.read(
        cypher.node_properties(lab.name), **limit).rows] for lab in schema.NODE_LABELS}
    rels = {rel.name: source.read(cypher.relationship_endpoints(rel.name), **limit).rows
            for rel in schema.REL_TYPES}
    return nodes, rels


def plan_split(nodes: dict[str, list[dict]], rels: dict[str, list[dict]],
               shard_count: int) -> SplitPlan:
    """Place areas on ``shard_count`` shards and every node and relationship with them.

    Pure: takes ``read_graph``'s output and returns what each shard gets, the directory
    and the relationships cut because their ends are on different shards.
    """
    in_area = {row["a"]: row["b"] for row in rels.get("IN_AREA", [])}
    residents_by_area = {a["area_id"]: 0 for a in nodes.get("ResidentialArea", [])}
    for row in rels.get("LIVES_IN", []):
        area = in_area.get(row["b"])
        if area in residents_by_area:
            residents_by_area[area] += 1
    area_shard = assign_areas(residents_by_area, shard_count)
    home = _home_shards(nodes, rels, area_shard)
    every = set(range(shard_count))

    def holders(label: str, key) -> set[int]:
        if label in REPLICATED_LABELS:
            return every
        shard = home[label].get(key)
        return set() if shard is None else {shard}

    plan = SplitPlan(_directory(nodes, in_area, area_shard, home),
                     [{} for _ in every], [{} for _ in every], {})
    for lab in schema.NODE_LABELS:
        for node in nodes.get(lab.name, []):
            for index in holders(lab.name, node[lab.key]):
                plan.nodes[index].setdefault(lab.name, []).append(node)
    for rel in schema.REL_TYPES:
        for row in rels.get(rel.name, []):
            on = holders(rel.start, row["a"]) & holders(rel.end, row["b"])
            if not on:
                plan.cut[rel.name] = plan.cut.get(rel.name, 0) + 1
            for index in on:
                plan.relationships[index].setdefault(rel.name, []).append(
                    (row["a"], row["b"], row["p"] or {}))
    return plan


def split_graph(source, shards: Sequence, *, on_progress: Callable[[str], None] | None = None
                ) -> SplitReport:
    """Copy ``source`` into the (empty, schema-initialised) ``shards``, split by area.

    Reads every node and relationship of ``source`` and writes each shard's part through
    the ingest writer (``load_nodes`` / ``load_relationships``), so the shards are built by
    the same MERGE path as a district ingest. Returns the directory the router needs.
    """
    import time

    from ingest.load import load_nodes, load_relationships

    start = time.perf_counter()
    plan = plan_split(*read_graph(source), len(shards))
    report = SplitReport(plan.directory, [{} for _ in shards], [{} for _ in shards],
                         dict(plan.cut))
    # Every node first, so that each relationship finds both its ends on its shard.
    for lab in schema.NODE_LABELS:
        for index, graph in enumerate(shards):
            rows = plan.nodes[index].get(lab.name)
            if rows:
                report.nodes[index][lab.name] = load_nodes(graph, lab.name, rows)
        if on_progress:
            on_progress(lab.name)
    for rel in schema.REL_TYPES:
        for index, graph in enumerate(shards):
            rows = plan.relationships[index].get(rel.name)
            if rows:
                report.relationships[index][rel.name] = load_relationships(
                    graph, rel.name, rows)
        if on_progress:
            on_progress(rel.name)
    report.seconds = time.perf_counter() - start
    return report


def _directory(nodes, in_area, area_shard, home) -> ShardDirectory:
    aliases = {}
    for area in nodes["ResidentialArea"]:
        shard = area_shard[area["area_id"]]
        for name in (area.get("name"), area.get("committee")):
            if name:
                aliases[name] = shard
                # emergency_area_buildings also accepts a name without its 居委会 suffix
                aliases[name.removesuffix("居委会")] = shard
    return ShardDirectory(areas=dict(area_shard), buildings=dict(home["Building"]),
                          area_aliases=aliases)
