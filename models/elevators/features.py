"""Per-building features for elevator-retrofit propensity: Cypher aggregates, then pandas.

The graph is read once (``load_raw``: a handful of aggregate queries, one row per building
each, so that 83 k residents never cross the wire one by one); ``building_features`` then
turns the raw frames into the features of ``FEATURES`` *as of a date* — ages, the elevators
already installed nearby and the applications on record all depend on it, which is what a
time split needs. Every feature is documented in ``FEATURES``; none is ever NaN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.backend import batch_timeout_ms
from graph.errors import MinqingError

# Tags that mean a resident climbs stairs with difficulty (ingest/tag_catalogue.yaml).
MOBILITY_TAGS = ("disability_limb", "ltc_moderate", "ltc_severe", "disability_severe")
# Event matters that are complaints or consultations about elevators (a 12345 hotline or
# committee export would carry them; the synthetic district has none yet).
ELEVATOR_MATTERS = ("elevator", "elevator_retrofit", "加装电梯")
OWNERSHIPS = ("sold_public", "public_rental", "resettlement", "commercial")

FEATURES: dict[str, str] = {
    "floors": "Storeys above ground (Building.floors).",
    "build_year": "Year of construction (Building.build_year).",
    "elevator_present": "1 if the building has an elevator as built or installed before the "
                        "date, else 0 (always 0 for the buildings that are ranked).",
    "households": "Households registered at the building (HOUSEHOLD_AT).",
    "residents": "Residents who live in the building (LIVES_IN).",
    "share_age_0_17": "Share of residents aged 0–17 on the date.",
    "share_age_18_59": "Share of residents aged 18–59 on the date.",
    "share_age_60_69": "Share of residents aged 60–69 on the date.",
    "share_age_70_79": "Share of residents aged 70–79 on the date.",
    "share_age_80_plus": "Share of residents aged 80 or more on the date.",
    "residents_70_upper": "Residents aged 70+ living on floor 3 or above (count).",
    "share_70_upper": "residents_70_upper divided by residents: who climbs stairs daily.",
    "mobility_impaired": "Residents tagged with a limb or severe disability or a moderate/"
                         "severe long-term-care level (MOBILITY_TAGS).",
    "party_share": "Party members among adult residents (political_status = party_member).",
    "bookings_per_resident": "Community-program bookings (BOOKED) per resident.",
    "participant_share": "Share of residents who booked at least one community program.",
    "volunteer_share": "Share of residents who are registered volunteers (IS_VOLUNTEER).",
    "volunteer_hours_per_resident": "Volunteer hours served per resident.",
    "service_use_per_resident": "Service-centre applications (Event kind 'application') per "
                                "resident: use of public services.",
    "elevator_complaints": "Complaints or consultations about elevators (Events whose matter "
                           "is in ELEVATOR_MATTERS) dated before the date.",
    "ownership_sold_public": "1 if the flats are sold former public housing (售后公房).",
    "ownership_public_rental": "1 if public rental housing (公租/直管公房).",
    "ownership_resettlement": "1 if resettlement housing (动迁房).",
    "ownership_commercial": "1 if commercial housing (商品房).",
    "neighbours_installed": "Buildings within elevators_neighbour_radius_m that installed an "
                            "elevator before the date (spill-over in space and time).",
    "area_installed_share": "Share of the residential area's walk-ups (other than this one) "
                            "that installed an elevator before the date.",
    "application_on_record": "1 if the building's own retrofit application (consultation, "
                             "approval, construction) is dated before the date and not yet "
                             "finished: a consultation (意见征询) about an elevator on "
                             "record. Left out by --without-applications.",
}
APPLICATION_FEATURE = "application_on_record"

QUERIES: dict[str, str] = {
    "elevator_buildings": """
MATCH (b:Building)
OPTIONAL MATCH (b)-[:IN_AREA]->(a:ResidentialArea)
RETURN b.building_id AS building_id, b.address AS address, a.area_id AS area_id,
       a.name AS area_name, b.floors AS floors, b.build_year AS build_year,
       b.elevator_as_built AS elevator_as_built, b.lat AS lat, b.lon AS lon,
       b.ownership AS ownership, b.elevator_applied_on AS applied_on,
       b.elevator_installed_on AS installed_on, b.elevator_status AS status""",
    "elevator_composition": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)
WHERE r.birth_date IS NULL OR r.birth_date <= $as_of
WITH b.building_id AS building_id, r.birth_date AS born, r.floor AS floor,
     r.political_status AS political_status
RETURN building_id, count(*) AS residents,
       sum(CASE WHEN born > $born_18 THEN 1 ELSE 0 END) AS age_0_17,
       sum(CASE WHEN born <= $born_18 AND born > $born_60 THEN 1 ELSE 0 END) AS age_18_59,
       sum(CASE WHEN born <= $born_60 AND born > $born_70 THEN 1 ELSE 0 END) AS age_60_69,
       sum(CASE WHEN born <= $born_70 AND born > $born_80 THEN 1 ELSE 0 END) AS age_70_79,
       sum(CASE WHEN born <= $born_80 THEN 1 ELSE 0 END) AS age_80_plus,
       sum(CASE WHEN born <= $born_70 AND floor >= 3 THEN 1 ELSE 0 END) AS residents_70_upper,
       sum(CASE WHEN born <= $born_18 THEN 1 ELSE 0 END) AS adults,
       sum(CASE WHEN born <= $born_18 AND political_status = 'party_member' THEN 1 ELSE 0 END)
         AS adult_party_members""",
    "elevator_households": """
MATCH (b:Building)<-[:HOUSEHOLD_AT]-(h:Household)
RETURN b.building_id AS building_id, count(h) AS households""",
    "elevator_mobility": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)-[:HAS_TAG]->(t:Tag)
WHERE t.tag_id IN $tags
RETURN b.building_id AS building_id, count(DISTINCT r) AS mobility_impaired""",
    "elevator_bookings": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)-[k:BOOKED]->(:Program)
WHERE k.booked_on IS NULL OR k.booked_on <= $until
RETURN b.building_id AS building_id, count(k) AS bookings, count(DISTINCT r) AS participants""",
    "elevator_volunteers": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)-[:IS_VOLUNTEER]->(v:Volunteer)
RETURN b.building_id AS building_id, count(DISTINCT r) AS volunteers,
       sum(coalesce(v.hours_served, 0)) AS volunteer_hours""",
    "elevator_service_use": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)-[:HAD_EVENT]->(e:Event)
WHERE e.kind = 'application' AND e.date <= $until
RETURN b.building_id AS building_id, count(e) AS applications""",
    "elevator_complaints": """
MATCH (b:Building)<-[:LIVES_IN]-(r:Resident)-[:HAD_EVENT]->(e:Event)
WHERE e.matter IN $matters
RETURN b.building_id AS building_id, e.date AS date""",
}


class FeatureError(MinqingError):
    """The graph lacks what the building features need (no buildings, no residents)."""


@dataclass
class RawDistrict:
    """What the graph says about buildings, read once; features are derived per date."""

    buildings: pd.DataFrame      # one row per building, index building_id
    composition_by_date: dict    # date -> per-building age/floor/party counts
    counts: pd.DataFrame         # date-free counts: households, mobility, activity
    complaints: pd.DataFrame     # building_id, date
    until: dt.date
    graph: object = None         # kept to read compositions for further dates

    def composition(self, as_of: dt.date) -> pd.DataFrame:
        """Residents by age band, 70+ upstairs and party members, as of ``as_of``."""
        if as_of not in self.composition_by_date:
            self.composition_by_date[as_of] = _read_composition(self.graph, as_of)
        return self.composition_by_date[as_of]


def _frame(graph, name: str, params: dict | None = None) -> pd.DataFrame:
    rows = graph.read(QUERIES[name], params or {},
                      timeout_ms=batch_timeout_ms(graph.settings)).rows
    return pd.DataFrame(rows)


def _years_before(day: dt.date, years: int) -> str:
    """The ISO date ``years`` before ``day`` (29 February falls back to the 28th).

    >>> _years_before(dt.date(2024, 2, 29), 70)
    '1954-02-28'
    """
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def _read_composition(graph, as_of: dt.date) -> pd.DataFrame:
    params = {"as_of": as_of.isoformat(), **{f"born_{n}": _years_before(as_of, n)
                                             for n in (18, 60, 70, 80)}}
    frame = _frame(graph, "elevator_composition", params)
    return frame.set_index("building_id") if len(frame) else frame


def load_raw(graph, until: dt.date, dates: tuple[dt.date, ...] = ()) -> RawDistrict:
    """Read buildings and their residents' aggregates from the graph.

    Args:
        until: records dated after it (bookings, applications) are not counted.
        dates: dates whose age composition to read now (more are read on demand).

    Raises:
        FeatureError: the graph holds no buildings.
    """
    buildings = _frame(graph, "elevator_buildings")
    if buildings.empty:
        raise FeatureError("The graph holds no buildings; ingest the housing export first "
                           "(`minqing ingest run`).")
    buildings = buildings.drop_duplicates("building_id").set_index("building_id")
    counts = pd.DataFrame(index=buildings.index)
    for name, params in (("elevator_households", {}),
                         ("elevator_mobility", {"tags": list(MOBILITY_TAGS)}),
                         ("elevator_bookings", {"until": until.isoformat()}),
                         ("elevator_volunteers", {}),
                         ("elevator_service_use", {"until": until.isoformat()})):
        part = _frame(graph, name, params)
        if len(part):
            counts = counts.join(part.set_index("building_id"))
    complaints = _frame(graph, "elevator_complaints", {"matters": list(ELEVATOR_MATTERS)})
    raw = RawDistrict(buildings, {}, counts, complaints, until, graph)
    for day in dates:
        raw.composition(day)
    return raw


def _dates(column: pd.Series) -> pd.Series:
    """Parse an ISO date column; missing or malformed values become NaT."""
    return pd.to_datetime(column, errors="coerce", format="ISO8601")


def installed_before(buildings: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """True for buildings whose retrofit was completed before ``as_of``."""
    return _dates(buildings["installed_on"]) < pd.Timestamp(as_of)


def _haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances in metres."""
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def spill_over(buildings: pd.DataFrame, as_of: dt.date, radius_m: float) -> pd.DataFrame:
    """Installed elevators near each building and in its area before ``as_of``.

    Buildings without coordinates get 0 neighbours; they are excluded from ranking anyway
    (see ``propensity.exclusions``), so the 0 never reaches a score.
    """
    done = installed_before(buildings, as_of).to_numpy()
    lat = pd.to_numeric(buildings["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(buildings["lon"], errors="coerce").to_numpy(float)
    located = ~(np.isnan(lat) | np.isnan(lon))
    near = np.zeros(len(buildings))
    if located.any():
        d = _haversine_m(lat[located], lon[located])
        close = (d <= radius_m) & (d > 0)
        near[located] = close @ done[located].astype(float)
    walkup = (buildings["elevator_as_built"] != True).to_numpy()  # noqa: E712 - None too
    area = buildings["area_id"].fillna("").to_numpy()
    frame = pd.DataFrame({"area": area, "walkup": walkup, "done": done & walkup})
    per_area = frame.groupby("area")[["walkup", "done"]].transform("sum")
    # This building is left out of its own area's share: its own install is the label.
    others = (per_area["walkup"] - frame["walkup"]).to_numpy(float)
    done_others = (per_area["done"] - frame["done"]).to_numpy(float)
    share = np.divide(done_others, others, out=np.zeros(len(frame)), where=others > 0)
    return pd.DataFrame({"neighbours_installed": near, "area_installed_share": share},
                        index=buildings.index)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, 0 where the denominator is 0 (a building with no residents)."""
    num = numerator.astype(float).to_numpy()
    den = denominator.astype(float).to_numpy()
    return pd.Series(np.divide(num, den, out=np.zeros(len(num)), where=den > 0),
                     index=numerator.index)


def building_features(raw: RawDistrict, as_of: dt.date, radius_m: float) -> pd.DataFrame:
    """Return one row per building with every feature of ``FEATURES`` as of ``as_of``.

    Counts missing from the graph (no bookings, no volunteers) are 0, shares of a building
    without residents are 0; floors, build year and coordinates stay as the graph has them
    (NaN when missing) so that ``propensity.exclusions`` can refuse those buildings by name.
    """
    b = raw.buildings
    comp = raw.composition(as_of).reindex(b.index).fillna(0)
    counts = raw.counts.reindex(b.index)
    count = {c: counts[c].fillna(0).astype(float) if c in counts else pd.Series(0.0, b.index)
             for c in ("households", "mobility_impaired", "bookings", "participants",
                       "volunteers", "volunteer_hours", "applications")}
    residents = comp["residents"].astype(float) if "residents" in comp else pd.Series(0.0, b.index)

    def band(column):
        return _ratio(comp[column], residents) if column in comp else pd.Series(0.0, b.index)

    out = pd.DataFrame(index=b.index)
    out["floors"] = pd.to_numeric(b["floors"], errors="coerce")
    out["build_year"] = pd.to_numeric(b["build_year"], errors="coerce")
    done = installed_before(b, as_of)
    out["elevator_present"] = ((b["elevator_as_built"] == True) | done).astype(int)  # noqa: E712
    out["households"] = count["households"]
    out["residents"] = residents
    for column in ("age_0_17", "age_18_59", "age_60_69", "age_70_79", "age_80_plus"):
        out[f"share_{column}"] = band(column)
    out["residents_70_upper"] = comp.get("residents_70_upper", pd.Series(0.0, b.index)).astype(float)
    out["share_70_upper"] = band("residents_70_upper")
    out["mobility_impaired"] = count["mobility_impaired"]
    out["party_share"] = (_ratio(comp["adult_party_members"], comp["adults"])
                          if "adults" in comp else pd.Series(0.0, b.index))
    out["bookings_per_resident"] = _ratio(count["bookings"], residents)
    out["participant_share"] = _ratio(count["participants"], residents)
    out["volunteer_share"] = _ratio(count["volunteers"], residents)
    out["volunteer_hours_per_resident"] = _ratio(count["volunteer_hours"], residents)
    out["service_use_per_resident"] = _ratio(count["applications"], residents)
    complaints = raw.complaints
    if len(complaints):
        dated = complaints[_dates(complaints["date"]) < pd.Timestamp(as_of)]
        out["elevator_complaints"] = dated.groupby("building_id").size().reindex(
            b.index).fillna(0).astype(float)
    else:
        out["elevator_complaints"] = 0.0
    for kind in OWNERSHIPS:
        out[f"ownership_{kind}"] = (b["ownership"] == kind).astype(int)
    out = out.join(spill_over(b, as_of, radius_m))
    applied = _dates(b["applied_on"]) < pd.Timestamp(as_of)
    out[APPLICATION_FEATURE] = (applied & ~done).astype(int)
    missing = set(FEATURES) - set(out.columns)
    assert not missing, f"features not computed: {sorted(missing)}"
    return out[list(FEATURES)]
