"""Residents from person-bearing rows: resolve who is who, then gather what each source says.

Conflicts are settled by source priority (lower wins; the population registry is 1), then
by row order; within a source that dates its rows (``resident.latest``), the newest row
speaks for the resident.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ingest.address import AddressParts
from ingest.entities import Entities, plain
from ingest.fields import OUTSIDE
from ingest.resolve import PersonRecord, resolve
from ingest.validate import ValidatedSource

IDENTITY = ("name", "sex", "birth_date", "phone")


def _sex_of(id_number: str) -> str:
    """Sex stated by an already normalised 18-digit ID number (odd 17th digit: male)."""
    return "M" if int(id_number[16]) % 2 else "F"


def _birth_of(id_number: str) -> dt.date:
    """Birth date stated by an already normalised (so already checked) ID number."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


@dataclass
class People:
    """Residents and everything hanging off them, ready to write."""

    residents: dict[str, dict] = field(default_factory=dict)   # resident_id → properties
    households: dict[str, dict] = field(default_factory=dict)
    relationships: dict[str, dict[tuple, dict]] = field(
        default_factory=lambda: defaultdict(dict))
    events: dict[str, dict] = field(default_factory=dict)
    resolution: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    merged_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def build_people(sources: list[ValidatedSource], entities: Entities) -> People:
    """Resolve every person row to a resident and aggregate the residents' properties.

    ``sources`` are the validated person sources, in processing order (priority).
    Entity nodes described by person rows (volunteers, officials, programs) go into
    ``entities``.
    """
    people = People()
    rows: list[tuple[ValidatedSource, dict]] = []
    records: list[PersonRecord] = []
    for source in sources:
        link_fields = source.mapping.resident.link_keys
        for row in source.rows():
            index = len(rows)
            rows.append((source, row))
            records.append(PersonRecord(
                index=index, id_number=row.get("id_number"), name=row.get("name"),
                sex=row.get("sex") or (_sex_of(row["id_number"]) if row.get("id_number")
                                       else None),
                birth_date=row.get("birth_date") or (_birth_of(row["id_number"])
                                                     if row.get("id_number") else None),
                phone=row.get("phone"),
                building_id=entities.building_of(row.get("address")),
                link_keys=tuple(f"{f}:{row[f]}" for f in link_fields if row.get(f))))
    resident_ids = resolve(records)

    seen: set[str] = set()
    resident_of_row: dict[tuple[str, int], str] = {}
    for (source, row), resident_id in zip(rows, resident_ids):
        people.resolution.append((source.mapping.source, source.file, source.mapping.sheet or "",
                                  row["_row"], resident_id))
        resident_of_row[(source.mapping.source, row["_row"])] = resident_id
        if resident_id in seen:
            people.merged_rows[source.mapping.source] += 1
        seen.add(resident_id)
    # A duplicate row is the same person as the row it repeats (it is not loaded twice).
    for source in sources:
        for row, first in sorted(source.duplicate_of.items()):
            resident_id = resident_of_row.get((source.mapping.source, first))
            if resident_id:
                people.resolution.append((source.mapping.source, source.file,
                                          source.mapping.sheet or "", row, resident_id))

    by_source: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for (source, row), resident_id in zip(rows, resident_ids):
        by_source[source.mapping.source].append((row, resident_id))
    for source in sources:
        _gather(source, by_source[source.mapping.source], people, entities)
    _households(people, entities)
    return people


def _gather(source: ValidatedSource, rows: list[tuple[dict, str]], people: People,
            entities: Entities) -> None:
    mapping = source.mapping
    spec = mapping.resident
    latest_field = next(iter(spec.latest.values()), None)
    speaking: dict[str, dict] = {}   # the row that speaks for each resident in this source
    for row, resident_id in rows:
        resident = people.residents.setdefault(resident_id, {"resident_id": resident_id})
        _identity(resident, row, entities)
        current = speaking.get(resident_id)
        if current is None or (latest_field and row.get(latest_field) and
                               (current.get(latest_field) is None or
                                row[latest_field] > current[latest_field])):
            speaking[resident_id] = row
        for prop, value in spec.constants.items():
            resident[prop] = value
        for prop, field_name in spec.collect.items():
            value = row.get(field_name)
            if value is not None:
                items = resident.setdefault(prop, [])
                for item in (value if isinstance(value, list) else [value]):
                    if item not in items:
                        items.append(item)
        for prop, field_name in spec.latest.items():
            value = row.get(field_name)
            if value is not None and (resident.get(prop) is None or value > resident[prop]):
                resident[prop] = value
        for prop, (key_field, date_field) in spec.latest_by.items():
            key, value = row.get(key_field), row.get(date_field)
            if key is not None and value is not None:
                slot = resident.setdefault(prop, {})
                if key not in slot or value > slot[key]:
                    slot[key] = value
        for prop in spec.count:
            resident[prop] = resident.get(prop, 0) + 1
        for prop, field_name in spec.count_true.items():
            resident[prop] = resident.get(prop, 0) + (1 if row.get(field_name) is True else 0)
        if mapping.entity is not None:
            key = entities.add_row(mapping, row, source.file)
            if key is not None and mapping.entity.person_link:
                props = {p: plain(row.get(p)) for p in mapping.entity.person_link_properties
                         if row.get(p) is not None}
                people.relationships[mapping.entity.person_link][(resident_id, key)] = props
        if mapping.event is not None:
            _event(mapping, row, resident_id, people)
    for resident_id, row in speaking.items():
        resident = people.residents[resident_id]
        for name in spec.set:
            value = row.get(name)
            if value is not None and resident.get(name) is None:
                resident[name] = value
        if "household_id" in spec.set and row.get("household_id"):
            people.relationships["MEMBER_OF"][(resident_id, row["household_id"])] = {}
        registered = row.get("registered_address")
        if registered is not None and "registered_building_id" not in resident:
            resident["registered_building_id"] = entities.building_of(registered)
            resident["registered_outside_district"] = registered is OUTSIDE


def _identity(resident: dict, row: dict, entities: Entities) -> None:
    """Fill the identity fields the resident does not have yet from this row."""
    id_number = row.get("id_number")
    if id_number and not resident.get("id_number"):
        resident["id_number"] = id_number
        # The ID number states sex and birth date; it beats what a clerk typed.
        resident["sex"] = _sex_of(id_number)
        resident["birth_date"] = _birth_of(id_number)
    for name in IDENTITY:
        if resident.get(name) is None and row.get(name) is not None:
            resident[name] = row[name]
    parts = row.get("address")
    if resident.get("building_id") is None and isinstance(parts, AddressParts):
        building = entities.building_of(parts)
        if building:
            resident["building_id"] = building
            if parts.room and parts.room.isdigit() and len(parts.room) >= 3:
                resident["room"] = parts.room
                resident["floor"] = int(parts.room) // 100


def _event(mapping, row: dict, resident_id: str, people: People) -> None:
    spec = mapping.event
    date = row.get(spec.date)
    if date is None:
        return
    natural = "|".join(str(plain(row.get(f))) for f in spec.id_fields)
    digest = hashlib.sha1(f"{resident_id}|{date}|{natural}".encode()).hexdigest()[:16]
    event_id = f"{mapping.source}:{digest}"
    kind = spec.kind or row.get(spec.kind_field)
    props = {"kind": kind, "date": plain(date), "source": mapping.source}
    props.update({p: plain(row.get(p)) for p in spec.properties if row.get(p) is not None})
    people.events[event_id] = props
    people.relationships["HAD_EVENT"][(resident_id, event_id)] = {}


def _households(people: People, entities: Entities) -> None:
    """Households from MEMBER_OF: size, and the building most members live in."""
    members: dict[str, list[str]] = defaultdict(list)
    for resident_id, household_id in people.relationships["MEMBER_OF"]:
        members[household_id].append(resident_id)
    for household_id, residents in sorted(members.items()):
        buildings = [people.residents[r].get("building_id") for r in residents]
        buildings = [b for b in buildings if b]
        node = {"household_id": household_id, "size": len(residents)}
        if buildings:
            building = max(sorted(set(buildings)), key=buildings.count)
            node["building_id"] = building
            people.relationships["HOUSEHOLD_AT"][(household_id, building)] = {}
        people.households[household_id] = node
    for resident in people.residents.values():
        if resident.get("building_id"):
            people.relationships["LIVES_IN"][(resident["resident_id"],
                                              resident["building_id"])] = {}
        registered = resident.get("registered_building_id")
        if registered:
            people.relationships["REGISTERED_AT"][(resident["resident_id"], registered)] = {}


def resident_node(resident: dict) -> dict[str, Any]:
    """The Resident node's properties: dates as ISO text, dict properties flattened."""
    node = {}
    for key, value in resident.items():
        if isinstance(value, dict):
            for sub, sub_value in sorted(value.items()):
                node[f"{key}_{sub}"] = plain(sub_value)
        elif isinstance(value, list):
            node[key] = sorted(plain(v) for v in value)
        else:
            node[key] = plain(value)
    return node


def as_of_age(birth: dt.date | None, as_of: dt.date) -> int | None:
    """Completed years on ``as_of``.

    >>> as_of_age(dt.date(1950, 7, 1), dt.date(2025, 6, 30))
    74
    """
    if birth is None:
        return None
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
