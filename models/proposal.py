"""One-click proposals: a parsed demand becomes a venue, volunteers, organizations and the
residents to invite, each with the reasons it was chosen.

For each resource type the hybrid retriever (``models.retrieve``: vector + full-text, fused
by reciprocal rank) runs with the demand's hard constraints inside the query — capacity,
distance, equipment, skills, availability — so a filter never empties a top-k list that was
cut before it. Opening hours are checked in Python on the whole filtered candidate set (the
district has hundreds of venues, not millions). The venue and volunteers are then chosen by
``models.matching.assign``, which solves several demands of a week jointly.

A constraint that leaves nothing is relaxed one step (a wider radius, no equipment) and the
proposal says so; what still cannot be met is listed with its reason.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Collection

from models.demand import Demand
from models.matching import Candidate, DemandSlot, assign
from models.mobilize import participation_features
from models.mobilize import reasons as participation_reasons
from models.mobilize import score as participation_score
from models.opening_hours import OpeningHoursError, is_open
from models.retrieve import hybrid_search
from models.siting.distances import haversine_m
from queries.programs.rules import birth_bounds

VENUE_POOL = 60  # candidates retrieved per demand before opening hours and matching
VOLUNTEER_POOL = 40
ORGANIZATIONS = 3
INVITES_DEFAULT = 30
OUTDOOR_TYPES = ("fitness_point", "school_ground")
TYPE_BONUS = 0.2  # a venue of the asked-for type ranks above a better-worded other type


@dataclass
class Match:
    """One proposed resource with the reasons it was chosen."""

    kind: str
    key: str
    name: str
    reasons: list[str]
    score: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the match as plain data."""
        return {"kind": self.kind, "key": self.key, "name": self.name, "score": self.score,
                "reasons": self.reasons, **self.details}


@dataclass
class Proposal:
    """What one click returns for one demand."""

    demand: Demand
    venue: Match | None = None
    alternatives: list[Match] = field(default_factory=list)
    volunteers: list[Match] = field(default_factory=list)
    organizations: list[Match] = field(default_factory=list)
    participants: list[Match] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the proposal as plain data (phones in full: the caller masks for screens)."""
        return {"demand": self.demand.to_json(),
                "venue": self.venue.to_json() if self.venue else None,
                "alternatives": [m.to_json() for m in self.alternatives],
                "volunteers": [m.to_json() for m in self.volunteers],
                "organizations": [m.to_json() for m in self.organizations],
                "participants": [m.to_json() for m in self.participants],
                "unmet": self.unmet, "notes": self.notes, "timings_ms": self.timings_ms}


def haversine_cypher(lat: str, lon: str) -> str:
    """Cypher for the metres between (lat, lon) properties and ($lat, $lon)."""
    return (f"2 * 6371008.8 * asin(sqrt(sin(radians({lat} - $lat) / 2) ^ 2 + "
            f"cos(radians($lat)) * cos(radians({lat})) * sin(radians({lon} - $lon) / 2) ^ 2))")


def metres(lat1, lon1, lat2, lon2) -> float | None:
    """Haversine metres between two points; None when one is unknown.

    >>> round(metres(31.27, 121.45, 31.28, 121.45))
    1112
    """
    if None in (lat1, lon1, lat2, lon2):
        return None
    return float(haversine_m(lat1, lon1, lat2, lon2))


def _query_text(demand: Demand) -> str:
    return demand.query_text() or demand.leftover or demand.text


def _ranks(hit) -> str:
    parts = [f"{name} rank {rank}" for name, rank in sorted(hit.ranks.items())]
    return "matched the words (" + ", ".join(parts) + ")"


# -- venues ------------------------------------------------------------------------------------

def venue_filter(demand: Demand, radius_m: float | None, with_equipment: bool
                 ) -> tuple[str, dict[str, Any]]:
    """The hard venue constraints as a Cypher condition on ``node`` and its parameters."""
    clauses, params = ["coalesce(node.capacity, 0) > 0"], {}
    outdoor = [t for t in OUTDOOR_TYPES if t not in demand.venue_types]
    if outdoor:  # "a room" means indoors unless a fitness point or ground was asked for
        clauses.append("NOT coalesce(node.venue_type, '') IN $outdoor")
        params["outdoor"] = outdoor
    if demand.head_count:
        clauses.append("node.capacity >= $seats")
        params["seats"] = demand.head_count
    if with_equipment and demand.equipment:
        clauses.append("all(e IN $equipment WHERE e IN coalesce(node.equipment, []))")
        params["equipment"] = list(demand.equipment)
    loc = demand.location
    if radius_m and loc and loc.lat is not None and loc.lon is not None:
        clauses.append("node.lat IS NOT NULL AND "
                       + haversine_cypher("node.lat", "node.lon") + " <= $radius_m")
        params.update(lat=loc.lat, lon=loc.lon, radius_m=float(radius_m))
    return " AND ".join(clauses), params


def _venue_candidates(graph, embedder, demand: Demand, notes: list[str]) -> list[Match]:
    loc = demand.location
    radius = loc.radius_m if loc and loc.lat is not None else None
    attempts = [(radius, True)]
    if radius:
        attempts.append((radius * 3, True))
    if demand.equipment:
        attempts.append((radius * 3 if radius else None, False))
    for step, (radius_m, with_equipment) in enumerate(attempts):
        where, params = venue_filter(demand, radius_m, with_equipment)
        hits = hybrid_search(graph, embedder, "Venue", _query_text(demand), VENUE_POOL,
                             where, params)
        venues = [_venue_match(hit, demand) for hit in hits]
        venues = [v for v in venues if v is not None]
        if venues:
            if step:
                what = (f"within {radius_m:.0f} m" if radius_m != radius else "") + \
                       ("" if with_equipment or not demand.equipment else
                        " without all the equipment asked for")
                notes.append(f"No venue met every constraint; widened the search{' ' + what.strip() if what.strip() else ''}.")
            return sorted(venues, key=lambda m: -m.score)
    return []


def _venue_match(hit, demand: Demand) -> Match | None:
    props = hit.props
    reasons = []
    window = demand.window
    if window and window.start and window.end:
        try:
            if not is_open(props.get("opening_hours"), window.start, window.end):
                return None
        except OpeningHoursError:
            return None  # unreadable hours: cannot promise the room is open
        reasons.append(f"open {props.get('opening_hours')} covers {window.phrase or 'the time'}")
    if demand.head_count:
        reasons.append(f"seats {props.get('capacity')} ≥ {demand.head_count}")
    loc = demand.location
    distance = metres(props.get("lat"), props.get("lon"), loc.lat, loc.lon) if loc else None
    if distance is not None:
        reasons.append(f"{distance:.0f} m from {loc.name}")
    if demand.equipment:
        have = [e for e in demand.equipment if e in (props.get("equipment") or [])]
        if have:
            reasons.append("has " + ", ".join(have))
    score = hit.score * 60  # RRF scores are ~1/60; bring them to ~[0, 1]
    if demand.venue_types and props.get("venue_type") in demand.venue_types:
        score += TYPE_BONUS
        reasons.append(f"is a {props.get('venue_type')}")
    reasons.append(_ranks(hit))
    return Match("venue", hit.key, props.get("name") or hit.key, reasons, round(score, 4),
                 {"capacity": props.get("capacity"), "venue_type": props.get("venue_type"),
                  "opening_hours": props.get("opening_hours"), "distance_m":
                  round(distance) if distance is not None else None, "lat": props.get("lat"),
                  "lon": props.get("lon")})


# -- volunteers --------------------------------------------------------------------------------

# A volunteer's record with the name, phone and home of the resident behind it: the details
# of the fused hits, read in the retrieval's own last round trip.
VOLUNTEER_DETAILS = """UNWIND $keys AS key
MATCH (node:Volunteer {volunteer_id: key})
OPTIONAL MATCH (node)<-[:IS_VOLUNTEER]-(r:Resident)
OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)
RETURN node.volunteer_id AS key,
       node{.*, embedding: null, home: {name: r.name, phone: r.phone, address: b.address,
                                        lat: b.lat, lon: b.lon}} AS props"""


def volunteer_filter(demand: Demand) -> tuple[str | None, dict[str, Any]]:
    """Skills (any of them) and availability (a slot of the window) as a condition on node."""
    clauses, params = [], {}
    if demand.skills:
        clauses.append("any(s IN $skills WHERE s IN coalesce(node.skills, []))")
        params["skills"] = list(demand.skills)
    slots = demand.window.slots() if demand.window else []
    if slots:
        clauses.append("any(s IN $slots WHERE s IN coalesce(node.availability, []))")
        params["slots"] = slots
    return (" AND ".join(clauses) or None), params


def _volunteer_candidates(graph, embedder, demand: Demand) -> list[Match]:
    where, params = volunteer_filter(demand)
    hits = hybrid_search(graph, embedder, "Volunteer", _query_text(demand), VOLUNTEER_POOL,
                         where, params, details=VOLUNTEER_DETAILS)
    loc = demand.location
    matches = []
    for hit in hits:
        props = hit.props
        home = props.get("home") or {}
        distance = metres(home.get("lat"), home.get("lon"), loc.lat, loc.lon) if loc else None
        reasons = []
        knows = [s for s in demand.skills if s in (props.get("skills") or [])]
        if knows:
            reasons.append("knows " + ", ".join(knows))
        slots = [s for s in (demand.window.slots() if demand.window else [])
                 if s in (props.get("availability") or [])]
        if slots:
            reasons.append("available " + "、".join(slots))
        if distance is not None:
            reasons.append(f"lives {distance:.0f} m away")
        if props.get("hours_served"):
            reasons.append(f"{props['hours_served']:.0f} h served")
        # Nearer first: 1 km costs as much as one list rank's worth of relevance.
        score = hit.score * 60 - (distance or 0) / 20_000
        matches.append(Match("volunteer", hit.key, home.get("name") or hit.key, reasons,
                             round(score, 4),
                             {"skills": props.get("skills"), "phone": home.get("phone"),
                              "address": home.get("address"), "distance_m":
                              round(distance) if distance is not None else None}))
    return sorted(matches, key=lambda m: -m.score)


# -- organizations and participants ------------------------------------------------------------

def _organizations(graph, embedder, demand: Demand) -> list[Match]:
    hits = hybrid_search(graph, embedder, "Organization", _query_text(demand), ORGANIZATIONS)
    out = []
    for hit in hits:
        p = hit.props
        reasons = [_ranks(hit)]
        if p.get("resources"):
            reasons.insert(0, "offers " + ", ".join(p["resources"]))
        if p.get("expertise"):
            reasons.insert(1, "expertise " + "、".join(p["expertise"]))
        out.append(Match("organization", hit.key, p.get("name") or hit.key, reasons,
                         round(hit.score * 60, 4), {"party_unit": p.get("party_unit"),
                                                    "address": p.get("address")}))
    return out


# Two steps: first the shortlist of candidates by past participation (three small columns,
# ordered and cut in the database: returning all 3,320 lone seniors of the demo cost 4× more
# than ordering them there), then the details of the few invited. Reading names, phones and
# every tag of 5,000 residents aged 80+ took a second; this takes a tenth of that.
PARTICIPANTS = """MATCH (r:Resident)
WHERE ($anchor IS NULL OR EXISTS { (r)-[:HAS_TAG]->(:Tag {tag_id: $anchor}) })
  AND ($buildings IS NULL OR r.building_id IN $buildings)
  AND ($born_latest IS NULL OR r.birth_date <= $born_latest)
  AND ($born_earliest IS NULL OR r.birth_date >= $born_earliest)
  AND all(t IN $tags WHERE EXISTS { (r)-[:HAS_TAG]->(:Tag {tag_id: t}) })
  AND ($areas IS NULL OR EXISTS {
        (r)-[:LIVES_IN]->(:Building)-[:IN_AREA]->(a:ResidentialArea) WHERE a.area_id IN $areas })
RETURN r.resident_id AS resident_id, coalesce(r.attended_count, 0) AS attended,
       coalesce(r.bookings_count, 0) AS booked
ORDER BY attended DESC, booked DESC, resident_id
LIMIT $shortlist"""

PARTICIPANTS_IN_BUILDINGS = PARTICIPANTS.replace(
    "MATCH (r:Resident)\nWHERE ($anchor IS NULL OR EXISTS { (r)-[:HAS_TAG]->(:Tag {tag_id: $anchor}) })",
    "MATCH (b0:Building)<-[:LIVES_IN]-(r:Resident)\nWHERE b0.building_id IN $buildings")

PARTICIPANTS_BY_TAG = PARTICIPANTS.replace(
    "MATCH (r:Resident)\nWHERE ($anchor IS NULL OR EXISTS { (r)-[:HAS_TAG]->(:Tag {tag_id: $anchor}) })",
    "MATCH (:Tag {tag_id: $anchor})<-[:HAS_TAG]-(r:Resident)\nWHERE true")

PARTICIPANT_DETAILS = """UNWIND $ids AS id
MATCH (r:Resident {resident_id: id})
OPTIONAL MATCH (r)-[:LIVES_IN]->(b:Building)
RETURN r.resident_id AS resident_id, r.name AS name, r.phone AS phone, r.room AS room,
       b.address AS address"""


def _participants(graph, demand: Demand, limit: int,
                  areas: Collection[str] | None = None) -> list[Match]:
    who = demand.participants
    if who.is_empty() or (areas is not None and not areas):
        return []
    tags = list(who.tags)
    buildings = list(who.location.ids) if who.location and who.location.ids else None
    earliest = latest = None
    if who.age_min is not None or who.age_max is not None:
        age = {k: v for k, v in (("gte", who.age_min), ("lte", who.age_max)) if v is not None}
        earliest, latest = birth_bounds(age, demand.today or dt.date.today(), "participants")
    if not tags and buildings is None and earliest is None and latest is None:
        return []
    # Anchor on the buildings, else on a tag: a label scan reads every resident's record.
    anchor = None
    if buildings is not None:
        query, rest = PARTICIPANTS_IN_BUILDINGS, tags
    elif tags:
        query, anchor, rest = PARTICIPANTS_BY_TAG, tags[0], tags[1:]
    else:
        query, rest = PARTICIPANTS, []
    # Those who took part before are likelier to come: a shortlist by past attendance, then
    # the participation score of social mobilization (models.mobilize: attendance, no-shows,
    # volunteering, co-participants, household) ranks it, with that score's reasons.
    rows = graph.read(query, {"anchor": anchor, "tags": rest, "buildings": buildings,
                              "born_latest": latest, "born_earliest": earliest,
                              "areas": sorted(areas) if areas is not None else None,
                              "shortlist": max(3 * limit, 60)}).rows
    shortlist = [row["resident_id"] for row in rows]
    features = participation_features(graph, shortlist)
    chosen = sorted(shortlist, key=lambda rid: (-participation_score(features[rid]), rid))[:limit]
    details = {row["resident_id"]: row for row in graph.read(
        PARTICIPANT_DETAILS, {"ids": chosen}).rows}
    out = []
    for rid in chosen:
        person = details.get(rid, {})
        reasons = [f"tag {t}" for t in tags]
        if who.location:
            reasons.append(f"lives in {who.location.name}")
        reasons += participation_reasons(features[rid])
        home = f"{person['address']}{person['room']}室" \
            if person.get("address") and person.get("room") else person.get("address")
        out.append(Match("resident", rid, person.get("name") or rid, reasons,
                         round(participation_score(features[rid]), 4),
                         {"phone": person.get("phone"), "address": home}))
    return out


# -- the proposal ------------------------------------------------------------------------------

def propose(graph, embedder, demand: Demand, *, invites: int | None = None,
            areas: Collection[str] | None = None) -> Proposal:
    """Return one proposal for ``demand`` (see ``propose_all`` for competing demands)."""
    return propose_all(graph, embedder, [demand], invites=invites, areas=areas)[0]


class _OnceEmbedder:
    """Encodes each distinct text once: the venue, volunteer and organization searches of a
    demand share its query text, and encoding is the slowest step of a search."""

    def __init__(self, embedder):
        self._embedder = embedder
        self._cache: dict[str, Any] = {}
        self.name, self.dimensions = embedder.name, embedder.dimensions

    def encode(self, texts: list[str]):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self._embedder.encode(missing)))
        return np.stack([self._cache[t] for t in texts])


def propose_all(graph, embedder, demands: list[Demand], *, invites: int | None = None,
                areas: Collection[str] | None = None) -> list[Proposal]:
    """Return a proposal per demand; venues and volunteers are assigned jointly, so demands
    at overlapping times never share a room or a person.

    ``areas`` limits the residents to invite to those living in these residential areas (an
    official's grid); an empty collection invites nobody (a party-building unit sees
    resources only); None means every area.
    """
    embedder = _OnceEmbedder(embedder)
    proposals, slots = [], []
    for index, demand in enumerate(demands):
        proposal = Proposal(demand)
        proposal.notes += [w.message for w in demand.warnings]
        if not (demand.text or "").strip() and not demand.query_text():
            proposal.notes.append("Type what you need, e.g. “a room for 40 people near Fenxi "
                                  "Road on Saturday afternoon, two volunteers who know first aid”.")
            proposals.append(proposal)
            slots.append(None)
            continue
        wants = set(demand.resource_types) or {"venue", "volunteer", "organization"}
        started = time.perf_counter()
        embedder.encode([_query_text(demand)])  # once, before the searches share it
        proposal.timings_ms["encode"] = _ms(started)
        # The four searches are independent round trips to the graph: run them at once.
        searches = {
            "venues": (lambda d=demand, p=proposal: _venue_candidates(
                graph, embedder, d, p.notes)) if "venue" in wants or demand.head_count else None,
            "volunteers": (lambda d=demand: _volunteer_candidates(graph, embedder, d))
            if "volunteer" in wants or demand.volunteers_wanted or demand.skills else None,
            "organizations": lambda d=demand: _organizations(graph, embedder, d),
            "participants": lambda d=demand: _participants(
                graph, d, invites or d.head_count or INVITES_DEFAULT, areas),
        }
        started = time.perf_counter()
        found = _run_concurrently(searches, proposal.timings_ms)
        proposal.timings_ms["searches_wall"] = _ms(started)
        venues, helpers = found["venues"] or [], found["volunteers"] or []
        proposal.organizations = found["organizations"]
        proposal.participants = found["participants"]
        if ("venue" in wants or demand.head_count) and not venues:
            proposal.unmet.append(_no_venue_reason(graph, demand))
        proposals.append(proposal)
        slots.append((venues, helpers, index))
    started = time.perf_counter()
    _match(proposals, slots)
    for proposal in proposals:
        proposal.timings_ms["matching"] = _ms(started)
    return proposals


_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="minqing-search")


def _run_concurrently(searches: dict, timings_ms: dict[str, float]) -> dict[str, Any]:
    """Run each non-None callable of ``searches`` on the shared pool; return their results
    by name (None for the skipped) and record each one's own time in ``timings_ms``."""
    def timed(name, call):
        started = time.perf_counter()
        try:
            return call()
        finally:
            timings_ms[name] = _ms(started)

    futures = {name: _SEARCHES.submit(timed, name, call)
               for name, call in searches.items() if call is not None}
    return {name: futures[name].result() if name in futures else None for name in searches}


def _match(proposals: list[Proposal], slots: list) -> None:
    windows, by_id = [], {}
    for proposal, slot in zip(proposals, slots):
        if slot is None:
            continue
        venues, helpers, index = slot
        demand = proposal.demand
        start, end = _window(demand)
        top = max([m.score for m in venues + helpers] or [1.0]) or 1.0
        wanted = demand.volunteers_wanted if demand.volunteers_wanted is not None else (
            max(1, len(demand.skills)) if demand.skills else 0)
        windows.append(DemandSlot(
            f"d{index}", start, end,
            venues=[Candidate(m.key, max(m.score, 0) / top) for m in venues],
            volunteers=[Candidate(m.key, max(m.score, 0) / top,
                                  frozenset(m.details.get("skills") or [])) for m in helpers],
            volunteers_wanted=wanted, skills_required=frozenset(demand.skills)))
        by_id[f"d{index}"] = (proposal, {m.key: m for m in venues}, {m.key: m for m in helpers})
    if not windows:
        return
    result = assign(windows)
    for demand_id, placement in result.placements.items():
        proposal, venues, helpers = by_id[demand_id]
        proposal.venue = venues.get(placement.venue) if placement.venue else None
        proposal.alternatives = [venues[k] for k in placement.alternatives]
        proposal.volunteers = [helpers[k] for k in placement.volunteers]
        proposal.unmet += [u for u in placement.unmet if not u.startswith("no venue fits")
                           or not proposal.unmet]


def _window(demand: Demand) -> tuple[dt.datetime, dt.datetime]:
    if demand.window and demand.window.start and demand.window.end:
        return demand.window.start, demand.window.end
    # No time given: the demand competes with every other one, which is the safe reading.
    day = dt.datetime.combine(demand.today or dt.date.today(), dt.time())
    return day, day + dt.timedelta(days=7)


def _no_venue_reason(graph, demand: Demand) -> str:
    largest = graph.read("MATCH (v:Venue) RETURN max(v.capacity) AS n").single_value() or 0
    if demand.head_count and demand.head_count > largest:
        return (f"no venue in the district seats {demand.head_count:,}; the largest seats "
                f"{largest:,} — split the event or ask a party-building unit for a hall")
    return "no venue fits the capacity, place, equipment and opening hours asked for"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
