"""The emergency rescue list: vulnerable residents of affected buildings, nearby help and shelter.

Given affected buildings, a residential area, or a point and radius, ``emergency_list``
returns who needs help first (living alone, disabled, bedridden, 80+, or mobility-limited on
an upper floor without an elevator), how to reach them and their families, the nearest
volunteers with rescue skills and the nearest venues that can shelter them. Every graph read
is a named query ``queries/emergency_*.cypher``; distances are haversine metres computed in
Cypher, so a radius search never pulls residents into Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

from graph.errors import NotFound, QueryError
from queries.registry import get_query, run_query

# Skill codes as the volunteer register writes them, with the Chinese names officials type.
SKILL_NAMES = {
    "first_aid": "急救",
    "elderly_companion": "助老陪伴",
    "counselling": "心理疏导",
    "sign_language": "手语",
    "health_talk": "健康讲座",
    "appliance_repair": "家电维修",
    "legal_advice": "法律咨询",
    "translation": "翻译",
    "it_help": "电脑手机帮助",
}
_SKILL_CODES = {name: code for code, name in SKILL_NAMES.items()}
DEFAULT_SKILLS = ("first_aid", "elderly_companion", "counselling", "sign_language")

# Why a resident is on the list, in the order a rescuer reads them.
REASONS = {
    "bedridden": "卧床/重度失能",
    "disabled": "残疾",
    "living_alone": "独居",
    "aged_80_plus": "80岁以上",
    "upper_floor_no_elevator": "高楼层无电梯",
}
UPPER_FLOOR_MIN = 4  # the tag catalogue's "upper floor" throughout
MAX_RADIUS_M = 5000  # the whole district fits in 2 km; more is a typo (km for m)
VOLUNTEERS_LIMIT = 10
SHELTERS_LIMIT = 5

_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass
class AffectedBuilding:
    """A building in the affected scope, with its distance from the point (0 for lists)."""

    building_id: str
    address: str | None
    area: str | None
    lat: float | None
    lon: float | None
    floors: int | None = None
    distance_m: float = 0.0


@dataclass
class HouseholdMember:
    """Someone registered in the same household, and where they actually live."""

    resident_id: str
    name: str | None
    relation: str | None
    phone: str | None
    building_id: str | None


@dataclass
class VulnerableResident:
    """One resident on the rescue list, why, and whom to call."""

    resident_id: str
    name: str | None
    sex: str | None
    age: int | None
    building_id: str
    address: str | None
    floor: int | None
    room: str | None
    phone: str | None
    reasons: list[str]
    emergency_contact: str | None = None
    emergency_phone: str | None = None
    disability_grade: int | None = None
    disability_type: str | None = None
    ltc_level: int | None = None
    care_mode: str | None = None
    household: list[HouseholdMember] = field(default_factory=list)

    @property
    def reasons_zh(self) -> list[str]:
        """The reasons in Chinese, for the printed list."""
        return [REASONS[reason] for reason in self.reasons]


@dataclass
class NearbyVolunteer:
    """A volunteer with at least one relevant skill and the distance from their home."""

    volunteer_id: str
    resident_id: str | None
    name: str | None
    phone: str | None
    skills: list[str]
    relevant_skills: list[str]
    address: str | None
    distance_m: float


@dataclass
class Shelter:
    """A venue with room for people, and its distance from the centre."""

    venue_id: str
    name: str | None
    venue_type: str | None
    capacity: int
    area: str | None
    opening_hours: str | None
    distance_m: float


@dataclass
class EmergencyList:
    """The rescue list for one scope; ``to_json`` masks phones unless told otherwise."""

    scope: dict[str, Any]
    as_of: dt.date
    centre: tuple[float, float] | None
    skills: list[str]
    buildings: list[AffectedBuilding]
    residents: list[VulnerableResident]
    volunteers: list[NearbyVolunteer]
    shelters: list[Shelter]

    @property
    def shelter_capacity(self) -> int:
        """Places in the listed shelters together."""
        return sum(shelter.capacity for shelter in self.shelters)

    @property
    def number_of_residents(self) -> int:
        return len(self.residents)

    def reason_counts(self) -> dict[str, int]:
        """How many listed residents carry each reason."""
        return {reason: sum(reason in r.reasons for r in self.residents) for reason in REASONS}

    def to_json(self, *, mask: bool = True) -> dict[str, Any]:
        """Return the list as JSON-able data; phones masked unless ``mask`` is False."""
        from webapp.masking import mask_phone

        hide = mask_phone if mask else (lambda phone: phone)
        residents = []
        for resident in self.residents:
            row = asdict(resident)
            row["phone"] = hide(resident.phone)
            row["emergency_phone"] = hide(resident.emergency_phone)
            row["reasons_zh"] = resident.reasons_zh
            for member in row["household"]:
                member["phone"] = hide(member["phone"])
            residents.append(row)
        volunteers = [asdict(v) | {"phone": hide(v.phone)} for v in self.volunteers]
        return {
            "scope": self.scope,
            "as_of": self.as_of.isoformat(),
            "centre": list(self.centre) if self.centre else None,
            "skills": self.skills,
            "phones_masked": mask,
            "number_of_residents": self.number_of_residents,
            "reason_counts": self.reason_counts(),
            "shelter_capacity": self.shelter_capacity,
            "buildings": [asdict(b) for b in self.buildings],
            "residents": residents,
            "volunteers": volunteers,
            "shelters": [asdict(s) for s in self.shelters],
        }


# -- parameters --------------------------------------------------------------------------


def parse_point(text: str) -> tuple[float, float]:
    """Parse "lat,lon" in WGS84 degrees.

    Raises:
        QueryError: not two numbers, or out of range (names ``near``).

    >>> parse_point("31.2745, 121.4465")
    (31.2745, 121.4465)
    """
    match = _POINT.match(text or "")
    if not match:
        raise QueryError(f"near must be 'lat,lon' in degrees, e.g. 31.2745,121.4465; "
                         f"got {text!r}")
    return check_point(float(match.group(1)), float(match.group(2)))


def check_point(lat: float, lon: float) -> tuple[float, float]:
    """Return (lat, lon) if both are finite and in range, else raise QueryError."""
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise QueryError(f"near: latitude {lat} is outside -90..90 (was it given as lon,lat?)")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise QueryError(f"near: longitude {lon} is outside -180..180")
    return lat, lon


def check_radius(radius_m: Any) -> float:
    """Return the radius in metres as a float, or raise QueryError naming ``radius_m``."""
    try:
        value = float(radius_m)
    except (TypeError, ValueError):
        raise QueryError(f"radius_m must be a number of metres, got {radius_m!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_RADIUS_M:
        raise QueryError(f"radius_m must be more than 0 and at most {MAX_RADIUS_M} metres, "
                         f"got {radius_m!r}")
    return value


def normalise_skills(skills: Iterable[str] | str | None) -> list[str]:
    """Return skill codes from codes, Chinese names or words ("first aid"); default set if None.

    >>> normalise_skills(["急救", "Sign Language"])
    ['first_aid', 'sign_language']
    """
    if skills is None:
        return list(DEFAULT_SKILLS)
    if isinstance(skills, str):
        skills = skills.split(",")
    codes = []
    for skill in skills:
        text = skill.strip()
        if not text:
            continue
        code = _SKILL_CODES.get(text) or re.sub(r"[\s-]+", "_", text.lower())
        if code not in codes:
            codes.append(code)
    if not codes:
        raise QueryError("skills is empty; name at least one, e.g. first_aid or 急救")
    return codes


def cutoff(as_of: dt.date, years: int) -> str:
    """Return the latest birth date (ISO) of someone aged ``years`` or more on ``as_of``.

    >>> cutoff(dt.date(2024, 2, 29), 80)
    '1944-02-29'
    >>> cutoff(dt.date(2025, 2, 28), 1)
    '2024-02-28'
    """
    try:
        return as_of.replace(year=as_of.year - years).isoformat()
    except ValueError:  # 29 February in a year that has none: turning N on 28 February
        return as_of.replace(year=as_of.year - years, day=28).isoformat()


def age_on(birth_date: str | None, as_of: dt.date) -> int | None:
    """Completed years on ``as_of`` of someone born on ``birth_date`` (ISO text)."""
    try:
        born = dt.date.fromisoformat(str(birth_date)[:10])
    except (TypeError, ValueError):
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


# -- the scope -----------------------------------------------------------------------------


def _run(graph, name: str, params: dict[str, Any]) -> list[dict]:
    return run_query(graph, get_query(name), params).rows


def _building(row: dict) -> AffectedBuilding:
    return AffectedBuilding(row["building_id"], row["address"], row["area"], row["lat"],
                            row["lon"], row["floors"], float(row["distance_m"] or 0.0))


def named_buildings(graph, refs: Sequence[str]) -> list[AffectedBuilding]:
    """Find buildings by id or address in any spelling, in the order given.

    Raises:
        NotFound: a reference matches no building (names it).
    """
    from ingest.address import address_key

    refs = [ref.strip() for ref in refs if ref and ref.strip()]
    if not refs:
        raise QueryError("buildings is empty; give a building id or an address")
    keys = {}
    for ref in refs:
        try:
            keys[ref] = address_key(ref)
        except Exception:  # noqa: BLE001 - not an address in any spelling: an id, or unknown
            keys[ref] = None
    wanted_keys = {key for key in keys.values() if key}
    ids_by_key = {}
    if wanted_keys:
        # Buildings without address_key (the fixture) are matched on the key of their address.
        for row in _run(graph, "emergency_buildings_without_key", {}):
            try:
                ids_by_key.setdefault(address_key(row["address"]), []).append(row["building_id"])
            except Exception:  # noqa: BLE001 - an address ingest cannot parse matches nothing
                continue
    extra_ids = [bid for key in wanted_keys for bid in ids_by_key.get(key, [])]
    rows = _run(graph, "emergency_buildings", {
        "building_ids": refs + extra_ids, "addresses": refs,
        "address_keys": sorted(wanted_keys)})
    for row in rows:
        if row["address_key"] is None and row["address"]:
            row["address_key"] = next((key for key, bids in ids_by_key.items()
                                       if row["building_id"] in bids), None)
    found, missing = [], []
    for ref in refs:
        match = [row for row in rows if ref in (row["building_id"], row["address"])
                 or (keys[ref] and row["address_key"] == keys[ref])]
        if not match:
            missing.append(ref)
        for row in match:
            if all(b.building_id != row["building_id"] for b in found):
                found.append(_building(row))
    if missing:
        raise NotFound(f"buildings: no building has the id or address "
                       f"{', '.join(repr(m) for m in missing)}")
    return found


def area_buildings(graph, area: str) -> tuple[str, list[AffectedBuilding]]:
    """Return the area's name and its buildings.

    Raises:
        NotFound: no area has that id or name (lists the known names).
    """
    area = (area or "").strip()
    if not area:
        raise QueryError("area is empty; give an area id or name")
    rows = _run(graph, "emergency_area_buildings", {"area": area})
    if not rows:
        names = area_names(graph)
        raise NotFound(f"area: no residential area is called {area!r}; known: "
                       f"{', '.join(str(n) for n in names)}")
    return rows[0]["area"], [_building(row) for row in rows if row["building_id"]]


def buildings_near(graph, point: tuple[float, float], radius_m: float) -> list[AffectedBuilding]:
    """Return the buildings within ``radius_m`` metres of ``point``, nearest first.

    Raises:
        NotFound: none lies that close (a mistyped point is likelier than an empty street).
    """
    lat, lon = check_point(*point)
    radius_m = check_radius(radius_m)
    rows = _run(graph, "emergency_buildings_near",
                {"lat": lat, "lon": lon, "radius_m": radius_m})
    if not rows:
        raise NotFound(f"near: no building lies within radius_m={radius_m:g} of "
                       f"({lat}, {lon}); check the point or widen the radius")
    return [_building(row) for row in rows]


def area_names(graph) -> list[str]:
    """Return every residential area's name, sorted."""
    return [row["name"] for row in _run(graph, "emergency_area_names", {})]


def centroid(buildings: Sequence[AffectedBuilding]) -> tuple[float, float] | None:
    """Mean latitude and longitude of the buildings that have coordinates.

    At district scale (a few km) the plain mean is within metres of the true centroid.
    """
    placed = [b for b in buildings if b.lat is not None and b.lon is not None]
    if not placed:
        return None
    return (sum(b.lat for b in placed) / len(placed), sum(b.lon for b in placed) / len(placed))


# -- the list ------------------------------------------------------------------------------


def vulnerable_residents(graph, building_ids: Sequence[str], as_of: dt.date
                         ) -> list[VulnerableResident]:
    """Return the vulnerable residents living in the buildings, with reasons and contacts."""
    rows = _run(graph, "emergency_vulnerable_residents", {
        "building_ids": list(building_ids), "born_by_80": cutoff(as_of, 80),
        "born_by_60": cutoff(as_of, 60), "upper_floor_min": UPPER_FLOOR_MIN})
    residents = []
    for row in rows:
        household = [HouseholdMember(m["resident_id"], m.get("name"), m.get("relation"),
                                     m.get("phone"), m.get("building_id"))
                     for m in sorted(row["household"] or [], key=lambda m: m["resident_id"])]
        residents.append(VulnerableResident(
            resident_id=row["resident_id"], name=row["name"], sex=row["sex"],
            age=age_on(row["birth_date"], as_of), building_id=row["building_id"],
            address=row["address"], floor=row["floor"], room=row["room"], phone=row["phone"],
            reasons=[reason for reason in REASONS if row[reason]],
            emergency_contact=row["emergency_contact"], emergency_phone=row["emergency_phone"],
            disability_grade=row["disability_grade"], disability_type=row["disability_type"],
            ltc_level=row["ltc_level"], care_mode=row["care_mode"], household=household))
    return residents


def nearest_volunteers(graph, centre: tuple[float, float], skills: Sequence[str],
                       limit: int = VOLUNTEERS_LIMIT) -> list[NearbyVolunteer]:
    """Return up to ``limit`` volunteers with one of ``skills``, nearest home first."""
    rows = _run(graph, "emergency_nearest_volunteers", {
        "lat": centre[0], "lon": centre[1], "skills": list(skills), "limit": limit})
    return [NearbyVolunteer(row["volunteer_id"], row["resident_id"], row["name"], row["phone"],
                            list(row["skills"] or []), list(row["relevant_skills"] or []),
                            row["address"], float(row["distance_m"])) for row in rows]


def nearest_shelters(graph, centre: tuple[float, float], limit: int = SHELTERS_LIMIT
                     ) -> list[Shelter]:
    """Return up to ``limit`` venues with capacity above zero, nearest first."""
    rows = _run(graph, "emergency_nearest_shelters",
                {"lat": centre[0], "lon": centre[1], "limit": limit})
    return [Shelter(row["venue_id"], row["name"], row["venue_type"], int(row["capacity"]),
                    row["area"], row["opening_hours"], float(row["distance_m"]))
            for row in rows]


def emergency_list(graph, *, buildings: Sequence[str] | None = None, area: str | None = None,
                   near: tuple[float, float] | str | None = None,
                   radius_m: float | None = None, skills: Iterable[str] | str | None = None,
                   as_of: dt.date | None = None, volunteers_limit: int = VOLUNTEERS_LIMIT,
                   shelters_limit: int = SHELTERS_LIMIT) -> EmergencyList:
    """Build the rescue list for affected buildings, an area, or a point and radius.

    Args:
        graph: an open ``Graph``.
        buildings: building ids or addresses (any spelling ingest.address understands).
        area: a residential area's id or name.
        near: ``(lat, lon)`` or "lat,lon"; needs ``radius_m``.
        radius_m: radius around ``near`` in metres, 0 < radius_m <= MAX_RADIUS_M.
        skills: volunteer skills that count (codes, Chinese names); None: DEFAULT_SKILLS.
        as_of: the date ages are computed on; default today.

    Returns:
        An EmergencyList; volunteers and shelters are ranked from the affected buildings'
        centroid, or from the point.

    Raises:
        QueryError: not exactly one scope, or a malformed point, radius or skill list.
        NotFound: an unknown building or area, or no building within the radius.
    """
    given = [name for name, value in (("buildings", buildings), ("area", area),
                                      ("near", near)) if value]
    if len(given) != 1:
        raise QueryError("Give exactly one of buildings, area or near (with radius_m); got "
                         + (", ".join(given) or "none"))
    if radius_m is not None and not near:
        raise QueryError("radius_m goes with near; buildings and area need no radius")
    as_of = as_of or dt.date.today()
    skill_codes = normalise_skills(skills)

    if buildings:
        affected = named_buildings(graph, [buildings] if isinstance(buildings, str)
                                   else list(buildings))
        scope = {"kind": "buildings", "buildings": [b.building_id for b in affected],
                 "label": "、".join(b.address or b.building_id for b in affected)}
        centre = centroid(affected)
    elif area:
        area_name, affected = area_buildings(graph, area)
        scope = {"kind": "area", "area": area_name, "label": area_name}
        centre = centroid(affected)
    else:
        if radius_m is None:
            raise QueryError("near needs radius_m (metres)")
        point = parse_point(near) if isinstance(near, str) else check_point(*map(float, near))
        radius = check_radius(radius_m)
        affected = buildings_near(graph, point, radius)
        scope = {"kind": "near", "near": list(point), "radius_m": radius,
                 "label": f"({point[0]}, {point[1]}) 半径 {radius:g} 米"}
        centre = point

    residents = vulnerable_residents(graph, [b.building_id for b in affected], as_of)
    volunteers = nearest_volunteers(graph, centre, skill_codes, volunteers_limit) \
        if centre else []
    shelters = nearest_shelters(graph, centre, shelters_limit) if centre else []
    return EmergencyList(scope=scope, as_of=as_of, centre=centre, skills=skill_codes,
                         buildings=affected, residents=residents, volunteers=volunteers,
                         shelters=shelters)


# -- exports -------------------------------------------------------------------------------

CSV_COLUMNS = ("楼栋地址", "楼栋编号", "楼层", "室号", "姓名", "性别", "年龄", "原因", "电话",
               "紧急联系人", "紧急联系人电话", "同户成员", "残疾等级", "残疾类别", "长护等级",
               "照护方式", "居民编号")


def csv_rows(elist: EmergencyList) -> list[list[Any]]:
    """One row per listed resident with full phones, in CSV_COLUMNS order."""
    rows = []
    for r in elist.residents:
        members = "；".join(
            f"{m.name or m.resident_id}({m.relation or '?'}) {m.phone or ''}".strip()
            + ("" if m.building_id == r.building_id else f" 不同住:{m.building_id or '?'}")
            for m in r.household)
        rows.append([r.address, r.building_id, r.floor, r.room, r.name, r.sex, r.age,
                     "、".join(r.reasons_zh), r.phone, r.emergency_contact, r.emergency_phone,
                     members, r.disability_grade, r.disability_type, r.ltc_level, r.care_mode,
                     r.resident_id])
    return rows


def to_csv_bytes(elist: EmergencyList) -> bytes:
    """Return the resident list as CSV in UTF-8 with a BOM, so Excel reads the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(["" if value is None else value for value in row]
                     for row in csv_rows(elist))
    return buffer.getvalue().encode("utf-8-sig")


def audit_export(settings, actor: str, export_format: str, elist: EmergencyList) -> None:
    """Record in the audit trail that ``actor`` took the unmasked list out as ``export_format``."""
    from queries import audit
    from queries.store import connect

    conn = connect(settings)
    try:
        audit.record(conn, actor, f"emergency_list.{export_format}", elist.scope["label"],
                     scope=elist.scope, as_of=elist.as_of.isoformat(),
                     residents=[r.resident_id for r in elist.residents],
                     volunteers=[v.volunteer_id for v in elist.volunteers])
    finally:
        conn.close()
