"""Social mobilization: resident networks in networkx, backbones, participation scores, invites.

``resident_network`` is the one function that turns the graph into a ``networkx.Graph`` of
residents, linked by ties of the kinds in ``TIE_KINDS``. Centrality (PageRank, degree) and
communities (Louvain) are plain networkx calls on it; ``backbones`` picks the most central
residents of each community. ``participation_scores`` and ``participation_reasons`` score
any residents from their past participation and their position among co-participants, with
reasons a person can read; the search proposal's invite list takes them as they are.
See docs/MOBILIZE.md.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from itertools import combinations

import numpy as np

from graph.errors import QueryError

TIE_KINDS = {
    "household": "members of the same household (family ties)",
    "activity": "booked at least mobilize_min_shared_activities of the same community programs",
    "volunteer_team": "registered volunteers of the same team",
    "neighbours": "live on the same floor of the same building",
}
DEFAULT_KINDS = ("household", "activity", "volunteer_team")
SEED = 20211

QUERIES = {
    "mobilize_households": """
MATCH (r:Resident)-[:MEMBER_OF]->(h:Household)
RETURN r.resident_id AS resident_id, h.household_id AS group_id""",
    "mobilize_bookings": """
MATCH (r:Resident)-[k:BOOKED]->(p:Program)
WHERE k.booked_on IS NULL OR k.booked_on < $before
RETURN r.resident_id AS resident_id, p.program_id AS group_id""",
    "mobilize_teams": """
MATCH (r:Resident)-[:IS_VOLUNTEER]->(v:Volunteer)
WHERE v.team IS NOT NULL
RETURN r.resident_id AS resident_id, v.team AS group_id""",
    "mobilize_neighbours": """
MATCH (r:Resident)-[:LIVES_IN]->(b:Building)
WHERE r.floor IS NOT NULL
RETURN r.resident_id AS resident_id, b.building_id + ':' + toString(r.floor) AS group_id""",
    "mobilize_scope": """
MATCH (r:Resident)-[:LIVES_IN]->(b:Building)
OPTIONAL MATCH (b)-[:IN_AREA]->(a:ResidentialArea)
WITH r, b, a
WHERE ($area IS NULL OR a.area_id = $area OR a.name = $area)
  AND ($buildings IS NULL OR b.building_id IN $buildings OR b.address IN $buildings)
RETURN r.resident_id AS resident_id""",
    # UNWIND + key lookups: ArcadeDB scans every resident for `resident_id IN $ids`
    # (measured 626 ms for 160 ids on the demo district, 20x the lookups).
    "mobilize_participation": """
UNWIND $ids AS id
MATCH (r:Resident {resident_id: id})
OPTIONAL MATCH (r)-[k:BOOKED]->(:Program)
WHERE k.booked_on IS NULL OR k.booked_on < $before
WITH r, count(k) AS booked, sum(CASE WHEN k.attended THEN 1 ELSE 0 END) AS attended
OPTIONAL MATCH (r)-[:IS_VOLUNTEER]->(v:Volunteer)
RETURN r.resident_id AS resident_id, booked, attended, count(v) AS volunteer,
       sum(coalesce(v.hours_served, 0)) AS volunteer_hours""",
    "mobilize_program_sizes": """
MATCH (:Resident)-[k:BOOKED]->(p:Program)
WHERE k.booked_on IS NULL OR k.booked_on < $before
RETURN p.program_id AS program_id, count(k) AS bookings""",
    "mobilize_programs_booked": """
UNWIND $ids AS id
MATCH (r:Resident {resident_id: id})-[k:BOOKED]->(p:Program)
WHERE k.booked_on IS NULL OR k.booked_on < $before
RETURN r.resident_id AS resident_id, collect(p.program_id) AS programs""",
    "mobilize_household_participants": """
UNWIND $ids AS id
MATCH (r:Resident {resident_id: id})-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(o:Resident)
      -[k:BOOKED]->(:Program)
WHERE o.resident_id <> r.resident_id AND (k.booked_on IS NULL OR k.booked_on < $before)
RETURN r.resident_id AS resident_id, count(DISTINCT o) AS household_participants""",
    "mobilize_invitee_details": """
MATCH (r:Resident)
WHERE r.resident_id IN $ids
OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)
RETURN r.resident_id AS resident_id, r.name AS name, r.phone AS phone,
       r.birth_date AS birth_date, b.building_id AS building_id, b.address AS address""",
}

# Log-odds weights of the participation score (docs/MOBILIZE.md); fixed, not fitted, so a
# score means the same in every area. bench/mobilize_centrality.py checks that scores made
# from records before a date rank who takes part after it (ROC AUC).
WEIGHTS = {"intercept": -3.0, "attended": 0.9, "no_shows": 0.2, "volunteer": 1.2,
           "volunteer_hours": 0.3, "co_participants": 0.4, "household_participants": 0.4}


def _read(graph, name: str, params: dict) -> list[dict]:
    return graph.read(QUERIES[name], params,
                      timeout_ms=max(graph.settings.query_time_limit_ms, 120_000)).rows


def _before(before: dt.date | None) -> str:
    return (before or dt.date.today() + dt.timedelta(days=1)).isoformat()


# -- the network -----------------------------------------------------------------------------


def _memberships(graph, kind: str, before: str) -> list[dict]:
    name = {"household": "mobilize_households", "activity": "mobilize_bookings",
            "volunteer_team": "mobilize_teams", "neighbours": "mobilize_neighbours"}[kind]
    return _read(graph, name, {"before": before} if kind == "activity" else {})


def _clique_edges(rows: list[dict], keep: set | None):
    groups: dict = {}
    for row in rows:
        if keep is None or row["resident_id"] in keep:
            groups.setdefault(row["group_id"], set()).add(row["resident_id"])
    for members in groups.values():
        yield from combinations(sorted(members), 2)


def _shared_group_edges(rows: list[dict], keep: set | None, min_shared: int):
    """Pairs of residents sharing at least ``min_shared`` groups, with the count.

    A sparse product (residents × programs)·(programs × residents) counts shared programs
    for every pair at once; a program with hundreds of bookings would otherwise make a
    clique of tens of thousands of edges.
    """
    from scipy import sparse

    rows = [r for r in rows if keep is None or r["resident_id"] in keep]
    if not rows:
        return
    people = sorted({r["resident_id"] for r in rows})
    groups = sorted({r["group_id"] for r in rows})
    pi = {p: i for i, p in enumerate(people)}
    gi = {g: i for i, g in enumerate(groups)}
    pairs = {(pi[r["resident_id"]], gi[r["group_id"]]) for r in rows}
    i, j = zip(*pairs)
    m = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(len(people), len(groups)))
    shared = sparse.triu(m @ m.T, k=1).tocoo()
    for a, b, w in zip(shared.row, shared.col, shared.data):
        if w >= min_shared:
            yield people[a], people[b], int(w)


def resident_network(graph, kinds=DEFAULT_KINDS, *, residents=None, min_shared: int = 2,
                     before: dt.date | None = None):
    """Build the resident network as a ``networkx.Graph``.

    Args:
        kinds: tie kinds to include, from ``TIE_KINDS``.
        residents: restrict to these resident ids (an area's, say); None: everyone.
        min_shared: programs two residents must share for an ``activity`` tie.
        before: count bookings dated before this day only (default: all).

    Returns:
        A graph whose nodes are resident ids and whose edges carry ``weight`` (number of
        ties) and ``kinds`` (the tie kinds, comma-separated).

    Raises:
        QueryError: an unknown tie kind.
    """
    import networkx as nx

    unknown = set(kinds) - set(TIE_KINDS)
    if unknown:
        raise QueryError(f"Unknown tie kind(s) {sorted(unknown)}; known: {', '.join(TIE_KINDS)}")
    keep = set(residents) if residents is not None else None
    G = nx.Graph()
    if keep is not None:
        G.add_nodes_from(keep)
    for kind in kinds:
        rows = _memberships(graph, kind, _before(before))
        if keep is None:
            G.add_nodes_from(r["resident_id"] for r in rows)
        edges = (_shared_group_edges(rows, keep, min_shared) if kind == "activity"
                 else ((a, b, 1) for a, b in _clique_edges(rows, keep)))
        for a, b, w in edges:
            if G.has_edge(a, b):
                G[a][b]["weight"] += w
                G[a][b]["kinds"] += "," + kind
            else:
                G.add_edge(a, b, weight=w, kinds=kind)
    return G


def centrality(G) -> dict[str, dict[str, float]]:
    """PageRank (weighted) and degree centrality of every resident."""
    import networkx as nx

    if G.number_of_nodes() == 0:
        return {}
    pagerank = nx.pagerank(G, weight="weight")
    degree = nx.degree_centrality(G)
    return {n: {"pagerank": pagerank[n], "degree": degree[n]} for n in G}


def communities(G) -> list[set]:
    """Louvain communities (weighted, fixed seed), largest first; isolated residents left out."""
    import networkx as nx

    H = G.subgraph(n for n in G if G.degree(n) > 0)
    if H.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(H, weight="weight", seed=SEED)
    return sorted(found, key=len, reverse=True)


def backbones(G, per_community: int = 3, min_size: int = 5) -> list[dict]:
    """The most central residents of each community of at least ``min_size``."""
    central = centrality(G)
    result = []
    for number, members in enumerate(communities(G), start=1):
        if len(members) < min_size:
            continue
        top = sorted(members, key=lambda n: (-central[n]["pagerank"], n))[:per_community]
        for n in top:
            result.append({"resident_id": n, "community": number,
                           "community_size": len(members),
                           "pagerank": round(central[n]["pagerank"], 6),
                           "ties": G.degree(n),
                           "tie_kinds": sorted({k for _, _, d in G.edges(n, data=True)
                                                for k in d["kinds"].split(",")})})
    return result


# -- participation ---------------------------------------------------------------------------


def participation_features(graph, resident_ids, before: dt.date | None = None) -> dict:
    """Past participation and local network position of each resident, before ``before``."""
    ids = sorted(set(resident_ids))
    params = {"ids": ids, "before": _before(before)}
    feats = {rid: {"booked": 0, "attended": 0, "volunteer": 0, "volunteer_hours": 0.0,
                   "co_participants": 0, "household_participants": 0} for rid in ids}
    if not ids:
        return feats
    # Co-participants are counted per booking (program size − 1, summed): one cheap query
    # for the sizes instead of a distinct count over every pair of bookings.
    sizes = _program_sizes(graph, params["before"])
    for row in _read(graph, "mobilize_programs_booked", params):
        feats[row["resident_id"]]["co_participants"] = sum(
            max(sizes.get(p, 1) - 1, 0) for p in row["programs"])
    for name in ("mobilize_participation", "mobilize_household_participants"):
        for row in _read(graph, name, params):
            rid = row.pop("resident_id")
            feats[rid].update({k: v or 0 for k, v in row.items()})
    return feats


_SIZES_TTL_S = 300.0
_sizes_cache: dict[tuple, tuple[float, dict]] = {}
_sizes_lock = threading.Lock()


def _program_sizes(graph, before: str) -> dict[str, int]:
    # Bookings per program, district-wide: one aggregate over every booking (~0.2 s on the
    # demo), the same for every search of the next minutes, so kept for _SIZES_TTL_S.
    key = (getattr(graph, "uri", ""), getattr(graph, "database", ""), before)
    with _sizes_lock:
        hit = _sizes_cache.get(key)
        if hit and time.monotonic() - hit[0] < _SIZES_TTL_S:
            return hit[1]
        sizes = {r["program_id"]: r["bookings"]
                 for r in _read(graph, "mobilize_program_sizes", {"before": before})}
        _sizes_cache[key] = (time.monotonic(), sizes)
        return sizes


def score(f: dict) -> float:
    """Participation likelihood in (0, 1) from one resident's features (WEIGHTS).

    >>> round(score({"booked": 0, "attended": 0, "volunteer": 0, "volunteer_hours": 0,
    ...              "co_participants": 0, "household_participants": 0}), 3)
    0.047
    """
    no_shows = max(f["booked"] - f["attended"], 0)
    z = (WEIGHTS["intercept"] + WEIGHTS["attended"] * math.log1p(f["attended"])
         + WEIGHTS["no_shows"] * math.log1p(no_shows)
         + WEIGHTS["volunteer"] * min(f["volunteer"], 1)
         + WEIGHTS["volunteer_hours"] * math.log1p(f["volunteer_hours"] / 10)
         + WEIGHTS["co_participants"] * math.log1p(f["co_participants"] / 10)
         + WEIGHTS["household_participants"] * math.log1p(f["household_participants"]))
    return 1 / (1 + math.exp(-z))


def reasons(f: dict) -> list[str]:
    """Readable reasons behind a score, strongest first.

    >>> reasons({"booked": 3, "attended": 2, "volunteer": 1, "volunteer_hours": 40.0,
    ...          "co_participants": 12, "household_participants": 1})
    ['volunteer (40 h served)', 'attended 2 of 3 programs booked', 'shared programs with 12 co-participants', '1 household member takes part']
    """
    out = []
    if f["volunteer"]:
        out.append(f"volunteer ({f['volunteer_hours']:g} h served)")
    if f["booked"]:
        out.append(f"attended {f['attended']} of {f['booked']} programs booked")
    if f["co_participants"]:
        out.append(f"shared programs with {f['co_participants']} co-participants")
    if f["household_participants"]:
        n = f["household_participants"]
        out.append(f"{n} household member{'s' if n > 1 else ''} take{'' if n > 1 else 's'} part")
    return out or ["no participation on record"]


def participation_scores(graph, resident_ids, before: dt.date | None = None) -> dict[str, float]:
    """Likelihood that each resident takes part in a campaign, from records before ``before``."""
    return {rid: round(score(f), 4)
            for rid, f in participation_features(graph, resident_ids, before).items()}


def participation_reasons(graph, resident_ids,
                          before: dt.date | None = None) -> dict[str, list[str]]:
    """The reasons behind ``participation_scores``, per resident."""
    return {rid: reasons(f)
            for rid, f in participation_features(graph, resident_ids, before).items()}


def scope_residents(graph, area: str | None = None, buildings=None) -> list[str]:
    """Residents living in an area (id or name) or in buildings (ids or addresses).

    Raises:
        QueryError: neither or both given, or nobody lives there.
    """
    if bool(area) == bool(buildings):
        raise QueryError("Give exactly one of an area (--area) or buildings (--building).")
    rows = _read(graph, "mobilize_scope", {"area": area or None,
                                           "buildings": list(buildings) if buildings else None})
    if not rows:
        where = f"area {area!r}" if area else f"buildings {', '.join(buildings)}"
        raise QueryError(f"Nobody lives in {where}; check the id, name or address.")
    return [r["resident_id"] for r in rows]


def invite_list(graph, resident_ids, limit: int = 50,
                before: dt.date | None = None) -> list[dict]:
    """Rank residents by participation likelihood; the top ``limit`` with reasons and contact.

    Phones are full: callers mask them for screens (webapp.masking) and audit exports.
    """
    feats = participation_features(graph, resident_ids, before)
    ranked = sorted(feats, key=lambda rid: (-score(feats[rid]), rid))[:limit]
    details = {r["resident_id"]: r for r in _read(graph, "mobilize_invitee_details",
                                                  {"ids": ranked})}
    out = []
    for position, rid in enumerate(ranked, start=1):
        d = details.get(rid, {})
        out.append({"rank": position, "resident_id": rid, "name": d.get("name"),
                    "phone": d.get("phone"),
                    "building_id": d.get("building_id"), "address": d.get("address"),
                    "score": round(score(feats[rid]), 4), "reasons": reasons(feats[rid])})
    return out
