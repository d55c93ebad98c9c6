"""The shard simulation's router: ``ShardedGraph`` reads a district split by residential area
(``graph.shard_split``) through the same ``read(cypher, params)`` as ``Graph``.

How a read is routed (``ShardedGraph.route``):

1. anchored on a key — ``{area_id: $area_id}``, ``{building_id: $building_id}``,
   ``UNWIND $building_ids`` or a named query's declared key — go to the shard(s) holding
   it (a list of buildings is split by shard);
2. queries touching only replicated labels go to one shard;
3. everything else fans out to every shard at once and the rows are merged:
   concatenated, re-aggregated by a declared plan (counts are summed, replicated rows
   counted once), then re-sorted by the query's final ``ORDER BY`` and cut to its
   ``LIMIT``. A fan-out with an aggregate and no plan is refused, never merged wrongly.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from graph import cypher, schema
from graph.errors import QueryError
from graph.result import Result
from graph.shard_split import (FIRST_SHARD, REPLICATED_LABELS, REPLICATED_TYPES,
                               SHARDED_LABELS, ShardDirectory)

_AGGREGATE = re.compile(r"\b(count|sum|avg|min|max|collect|stdev|stdevp|percentileCont|"
                        r"percentileDisc)\s*\(", re.IGNORECASE)
_LABEL = re.compile(r":\s*`?([A-Za-z_][A-Za-z0-9_]*)")
_ALTERNATIVE = re.compile(r"\|\s*`?([A-Za-z_][A-Za-z0-9_]*)")
# A relationship with no type (``--``, ``-->``, ``-[r]-``) or a node with no label may reach
# sharded data from a replicated start.
_UNTYPED = re.compile(r"--|-\[[^\]:]*\]")
_BOUND = re.compile(r"\(\s*(\w+)\s*:\s*`?(\w+)")
_BARE_NODE = re.compile(r"(?<![\w)\]])\(\s*(\w*)\s*\)")
_RETURN = re.compile(r"\bRETURN\b", re.IGNORECASE)
_TAIL = re.compile(r"\bORDER\s+BY\s+(?P<order>.+?)(?:\s+SKIP\s+(?P<skip>\S+))?"
                   r"(?:\s+LIMIT\s+(?P<limit>\S+))?\s*$", re.IGNORECASE | re.DOTALL)
_LIMIT_ONLY = re.compile(r"(?:\bSKIP\s+(?P<skip>\S+)\s+)?\bLIMIT\s+(?P<limit>\S+)\s*$",
                         re.IGNORECASE)


# -- how rows from several shards are merged -------------------------------------------------


@dataclass(frozen=True)
class MergePlan:
    """How a query's rows from several shards become the single database's answer.

    Attributes:
        sum_by: re-aggregate: group rows by these columns and add up ``sums``.
        sums: the count columns to add up.
        replicated: for a row of replicated data (every shard has the same count), a
            predicate; such rows are counted once (the largest shard value) instead of summed.
        shard_local: the query aggregates, but only per resident or building, which lives
            on one shard: concatenating is exact.
        area_param: the parameter naming one residential area (by id or name); the query
            goes to that area's shard.
        note: why this plan is right, for docs/SCALING.md's table.
    """

    sum_by: tuple[str, ...] | None = None
    sums: tuple[str, ...] = ()
    replicated: Callable[[dict], bool] | None = None
    shard_local: bool = False
    area_param: str | None = None
    note: str = ""


def _label_is_replicated(column: str) -> Callable[[dict], bool]:
    return lambda row: row.get(column) in REPLICATED_LABELS


def _type_is_replicated(column: str) -> Callable[[dict], bool]:
    return lambda row: row.get(column) in REPLICATED_TYPES


NAMED_PLANS: dict[str, MergePlan] = {
    "counts_by_label": MergePlan(
        sum_by=("label",), sums=("nodes",), replicated=_label_is_replicated("label"),
        note="node counts summed over shards; replicated labels counted once"),
    "counts_by_relationship": MergePlan(
        sum_by=("relationship",), sums=("relationships",),
        replicated=_type_is_replicated("relationship"),
        note="relationship counts summed; types between replicated labels counted once; "
             "cut relationships are missing"),
    "emergency_vulnerable_residents": MergePlan(
        shard_local=True,
        note="collects per resident, who lives on one shard; building ids split by shard"),
    "emergency_area_buildings": MergePlan(
        area_param="area",
        note="the area (by id or name) routes to its shard, which holds all its buildings"),
}


def _builder_plans() -> dict[str, tuple[str, MergePlan]]:
    """Plans for Cypher the builders in graph/cypher.py produce, by text."""
    plans = {}
    for name in sorted(SHARDED_LABELS):
        plans[cypher.count_label(name)] = (f"count_label[{name}]", MergePlan(
            sum_by=(), sums=("n",), note="summed over shards"))
    return plans


def _normalise(text: str) -> str:
    return " ".join(text.split())


_PLANS_BY_TEXT: dict[str, tuple[str, MergePlan]] | None = None


def plan_for(cypher_text: str) -> tuple[str, MergePlan] | None:
    """Return ``(name, plan)`` when the text is a named query or builder query with a plan."""
    global _PLANS_BY_TEXT
    if _PLANS_BY_TEXT is None:
        from queries.registry import load_queries

        plans = {_normalise(text): entry for text, entry in _builder_plans().items()}
        for name, query in load_queries().items():
            if name in NAMED_PLANS:
                plans[_normalise(query.cypher)] = (name, NAMED_PLANS[name])
        _PLANS_BY_TEXT = plans
    return _PLANS_BY_TEXT.get(_normalise(cypher_text))


def labels_in(cypher_text: str) -> set[str]:
    """Return the schema node labels a query names.

    >>> sorted(labels_in("MATCH (t:Tag)<-[:HAS_TAG]-(r:Resident) RETURN r"))
    ['Resident', 'Tag']
    """
    declared = {lab.name for lab in schema.NODE_LABELS}
    return {name for name in _LABEL.findall(cypher_text) if name in declared}


def types_in(cypher_text: str) -> set[str]:
    """Return the schema relationship types a query names.

    >>> sorted(types_in("MATCH (t:Tag)<-[:HAS_TAG]-(r:Resident)-[:LIVES_IN|REGISTERED_AT]->(b)"))
    ['HAS_TAG', 'LIVES_IN', 'REGISTERED_AT']
    """
    declared = {rel.name for rel in schema.REL_TYPES}
    names = set(_LABEL.findall(cypher_text)) | set(_ALTERNATIVE.findall(cypher_text))
    return {name for name in names if name in declared}


def is_replicated_only(cypher_text: str) -> bool:
    """Return True when a query can only touch replicated data, so one shard answers it.

    Every node pattern it names must carry a replicated label, every relationship a type
    between replicated labels, and no relationship may be left untyped.

    >>> is_replicated_only("MATCH (a:ResidentialArea)<-[:RESPONSIBLE_FOR]-(o:Official) RETURN o")
    True
    >>> is_replicated_only("MATCH (p:Program)<-[:BOOKED]-(r) RETURN r")
    False
    """
    text = strip_comments(cypher_text)
    labels = labels_in(text)
    if not labels or not labels <= REPLICATED_LABELS or not types_in(text) <= REPLICATED_TYPES:
        return False
    if _UNTYPED.search(text):
        return False
    bound = dict(_BOUND.findall(text))
    # A node written without a label must be a variable bound to a replicated label.
    return all(bound.get(variable) in REPLICATED_LABELS
               for variable in _BARE_NODE.findall(text))


def strip_comments(cypher_text: str) -> str:
    """Drop ``//`` line comments (the named queries carry some inside their body)."""
    return "\n".join(line.split("//", 1)[0] for line in cypher_text.splitlines())


def has_aggregate(cypher_text: str) -> bool:
    """Return True when a query calls an aggregating function.

    >>> has_aggregate("MATCH (n) RETURN count(*) AS n"), has_aggregate("RETURN 1 AS one")
    (True, False)
    """
    return bool(_AGGREGATE.search(cypher_text))


@dataclass(frozen=True)
class Tail:
    """The final ``ORDER BY`` / ``SKIP`` / ``LIMIT`` of a query, re-applied after a merge."""

    order: tuple[tuple[str, bool], ...] = ()   # (column, descending)
    skip: str | None = None
    limit: str | None = None


def query_tail(cypher_text: str) -> Tail:
    """Parse the ORDER BY, SKIP and LIMIT after a query's last RETURN.

    >>> query_tail("MATCH (n) RETURN n.a AS a, n.b AS b ORDER BY a DESC, b LIMIT $limit")
    Tail(order=(('a', True), ('b', False)), skip=None, limit='$limit')
    """
    cypher_text = strip_comments(cypher_text)
    returns = list(_RETURN.finditer(cypher_text))
    tail = cypher_text[returns[-1].end():] if returns else ""
    match = _TAIL.search(tail)
    if match:
        order = []
        for item in _split_commas(match.group("order")):
            words = item.split()
            descending = len(words) > 1 and words[-1].upper() in ("DESC", "DESCENDING")
            if len(words) > 1 and words[-1].upper() in ("ASC", "ASCENDING", "DESC",
                                                          "DESCENDING"):
                words = words[:-1]
            order.append((" ".join(words), descending))
        return Tail(tuple(order), match.group("skip"), match.group("limit"))
    match = _LIMIT_ONLY.search(tail)
    if match:
        return Tail((), match.group("skip"), match.group("limit"))
    return Tail()


def _split_commas(text: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return items + [current.strip()] if current.strip() else items


def _sort_key(value):
    # Cypher puts nulls last in ascending order (first in descending, which reverse=True
    # gives from the same key) and never compares a number with a string.
    if value is None:
        return (1, 0, 0)
    if isinstance(value, bool):
        return (0, 0, value)
    if isinstance(value, (int, float)):
        return (0, 1, value)
    if isinstance(value, str):
        return (0, 2, value)
    return (0, 3, repr(value))


def sort_rows(rows: list[dict], order: Sequence[tuple[str, bool]]) -> list[dict]:
    """Sort rows as Cypher's ORDER BY on result columns would.

    >>> sort_rows([{"a": None}, {"a": 2}, {"a": 1}], [("a", False)])
    [{'a': 1}, {'a': 2}, {'a': None}]
    """
    rows = list(rows)
    for column, descending in reversed(order):
        rows.sort(key=lambda row: _sort_key(row.get(column)), reverse=descending)
    return rows


def resum(rows: list[dict], plan: MergePlan) -> list[dict]:
    """Re-aggregate counts from several shards: sum per group, replicated rows once."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row.get(column) for column in plan.sum_by or ())
        seen = groups.get(key)
        if seen is None:
            groups[key] = dict(row)
            continue
        once = plan.replicated is not None and plan.replicated(row)
        for column in plan.sums:
            a, b = seen.get(column) or 0, row.get(column) or 0
            seen[column] = max(a, b) if once else a + b
    return list(groups.values())


# -- the router ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Where one read goes and how its answers are merged."""

    shards: dict[int, dict[str, Any]]   # shard index -> the parameters it gets
    how: str                            # "key", "replicated", "fan-out"
    name: str | None = None             # the named query's name, when it has a plan
    plan: MergePlan | None = None


class ShardedGraph:
    """Reads several shard databases as one graph: ``read(cypher, params)`` like ``Graph``.

    Args:
        shards: open ``Graph`` objects, one per shard, in shard order.
        directory: which shard holds which area and building (from ``split_graph``).
    """

    def __init__(self, shards: Sequence, directory: ShardDirectory):
        if not shards:
            raise QueryError("a ShardedGraph needs at least one shard")
        self.shards = list(shards)
        self.directory = directory
        self.engine = self.shards[0].engine
        self.settings = self.shards[0].settings
        self.database = "+".join(g.database for g in self.shards)
        self._pool = ThreadPoolExecutor(max_workers=len(self.shards),
                                        thread_name_prefix="shard")

    def route(self, cypher_text: str, params: dict[str, Any] | None = None) -> Route:
        """Decide which shards a read goes to, with which parameters, and how to merge."""
        params = dict(params or {})
        named = plan_for(cypher_text)
        name, plan = named if named else (None, None)
        flat = _normalise(cypher_text)
        first = {FIRST_SHARD: params}
        if plan is not None and plan.area_param:
            shard = self.directory.area_shard(str(params.get(plan.area_param, "")))
            # An unknown area is on no shard: any one shard answers "none" as the whole would.
            return Route({FIRST_SHARD if shard is None else shard: params}, "key", name, plan)
        if "{area_id: $area_id}" in flat and isinstance(params.get("area_id"), str):
            shard = self.directory.areas.get(params["area_id"])
            return Route({FIRST_SHARD if shard is None else shard: params}, "key", name, plan)
        if "{building_id: $building_id}" in flat and isinstance(params.get("building_id"), str):
            shard = self.directory.buildings.get(params["building_id"])
            return Route({FIRST_SHARD if shard is None else shard: params}, "key", name, plan)
        if "UNWIND $building_ids AS" in flat and isinstance(params.get("building_ids"), list):
            by_shard: dict[int, list] = {}
            for building in params["building_ids"]:
                by_shard.setdefault(self.directory.buildings.get(building, FIRST_SHARD),
                                    []).append(building)
            return Route({shard: {**params, "building_ids": ids}
                          for shard, ids in sorted(by_shard.items())} or first,
                         "key", name, plan)
        if is_replicated_only(cypher_text):
            return Route(first, "replicated", name, plan)
        return Route({index: params for index in range(len(self.shards))}, "fan-out",
                     name, plan)

    def read(self, cypher_text: str, params: dict[str, Any] | None = None, *,
             max_rows: int | None = None, timeout_ms: int | None = None) -> Result:
        """Run a read on the shards that hold its answer and merge their rows.

        Raises:
            QueryError: a fan-out the router cannot merge exactly (an aggregate without a
                plan, or SKIP / an ORDER BY on something that is not a returned column).
            GraphUnavailable: a shard is down (the whole read fails: never a partial answer).
        """
        route = self.route(cypher_text, params)
        if len(route.shards) == 1:
            (index, shard_params), = route.shards.items()
            return self.shards[index].read(cypher_text, shard_params, max_rows=max_rows,
                                           timeout_ms=timeout_ms)
        plan = route.plan or MergePlan()
        if has_aggregate(cypher_text) and plan.sum_by is None and not plan.shard_local:
            raise QueryError(
                "This query aggregates across shards and the router has no merge plan for it "
                f"({route.name or 'unnamed query'}); add one to graph/router.py NAMED_PLANS "
                "or anchor the query on an area or building key.")
        tail = query_tail(cypher_text)
        if tail.skip is not None:
            raise QueryError("SKIP cannot be merged across shards: page with a key range "
                             "(as silent_group_members does) instead")
        futures = [self._pool.submit(self.shards[index].read, cypher_text, shard_params,
                                     max_rows=max_rows, timeout_ms=timeout_ms)
                   for index, shard_params in route.shards.items()]
        results = [future.result() for future in futures]
        rows = [row for result in results for row in result.rows]
        if plan.sum_by is not None:
            rows = resum(rows, plan)
        # A shard with no rows may report no columns (ArcadeDB does): take them from another.
        columns = max((result.columns for result in results), key=len, default=[])
        unknown = [column for column, _ in tail.order if columns and column not in columns]
        if unknown:
            raise QueryError(f"Cannot merge shard answers ordered by {', '.join(unknown)}: "
                             "order by returned columns only")
        rows = sort_rows(rows, tail.order)
        if tail.limit is not None:
            rows = rows[:_limit_value(tail.limit, params or {})]
        truncated = any(result.truncated for result in results)
        if max_rows is not None and len(rows) > max_rows:
            rows, truncated = rows[:max_rows], True
        return Result(columns=columns, rows=rows, truncated=truncated)

    def write(self, cypher_text: str, params: dict[str, Any] | None = None) -> Result:
        """Refuse: writes go to one district's shard (``shard_for_area``), never fan out."""
        raise QueryError("A ShardedGraph does not write; write to the area's shard: "
                         "graph.shard_for_area(area_id).write(...)")

    def shard_for_area(self, area_id: str):
        """Return the shard ``Graph`` holding a residential area.

        Raises:
            QueryError: the area is in no shard.
        """
        shard = self.directory.area_shard(area_id)
        if shard is None:
            raise QueryError(f"No shard holds residential area {area_id!r}")
        return self.shards[shard]

    def ping(self) -> None:
        """Check that every shard answers."""
        for graph in self.shards:
            graph.ping()

    def close(self) -> None:
        """Stop the fan-out threads (the shard graphs stay open: their owner closes them)."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> "ShardedGraph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _limit_value(limit: str, params: dict[str, Any]) -> int:
    if limit.startswith("$"):
        return int(params[limit[1:]])
    return int(limit)


def shard_safety() -> dict[str, str]:
    """Say, for every named query in queries/, how the router answers it across shards."""
    from queries.registry import load_queries

    out = {}
    for name, query in load_queries().items():
        text = _normalise(query.cypher)
        plan = NAMED_PLANS.get(name)
        if plan is not None:
            out[name] = plan.note
        elif "{area_id: $area_id}" in text:
            out[name] = "routed to the area's shard"
        elif "{building_id: $building_id}" in text:
            out[name] = "routed to the building's shard"
        elif is_replicated_only(query.cypher):
            out[name] = "replicated data only: any one shard"
        elif has_aggregate(query.cypher):
            out[name] = "NOT shard-safe: aggregates across shards without a plan"
        else:
            tail = query_tail(query.cypher)
            out[name] = "fan-out, rows concatenated" + (
                ", re-sorted" if tail.order else "") + (
                ", top LIMIT kept" if tail.limit else "")
    return out
