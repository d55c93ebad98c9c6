"""One row per resident with every fact the tag rules read (see ingest/tags.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from ingest.entities import Entities
from ingest.people import People, as_of_age

LIST_COLUMNS = ("chronic_conditions", "applications", "volunteer_skills")
FLAG_COLUMNS = ("migrant", "party_member", "disabled", "lone_elderly_register", "volunteer",
                "official")


def resident_table(people: People, entities: Entities, water: pd.DataFrame | None,
                   as_of: dt.date) -> pd.DataFrame:
    """Build the tag engine's input from resolved residents, their households and buildings."""
    household_size = Counter(h for (_, h) in people.relationships["MEMBER_OF"])
    household_of = {r: h for (r, h) in people.relationships["MEMBER_OF"]}
    volunteer_of = {r: v for (r, v) in people.relationships["IS_VOLUNTEER"]}
    volunteers = entities.nodes["Volunteer"]
    buildings = entities.nodes["Building"]
    no_use = {}
    if water is not None and len(water):
        no_use = dict(zip(water["household_id"], water["water_no_use_hours"]))

    rows = []
    for resident_id, r in sorted(people.residents.items()):
        household = household_of.get(resident_id)
        building = buildings.get(r.get("building_id") or "", {})
        volunteer = volunteers.get(volunteer_of.get(resident_id, ""), {})
        registered = r.get("registered_building_id")
        status = building.get("elevator_status")
        row = {
            "resident_id": resident_id,
            "name": r.get("name"), "sex": r.get("sex"), "birth_date": r.get("birth_date"),
            "age": as_of_age(r.get("birth_date"), as_of), "phone": r.get("phone"),
            "ethnicity": r.get("ethnicity"), "household_id": household,
            "relation": r.get("relation"),
            "household_size": household_size.get(household) if household else None,
            "lives_alone": household_size.get(household) == 1 if household else None,
            "building_id": r.get("building_id"), "floor": r.get("floor"),
            "area_id": entities.building_area.get(r.get("building_id") or ""),
            "registered_elsewhere": bool(r.get("registered_outside_district")) or (
                registered is not None and registered != r.get("building_id")),
            "registered_outside_district": bool(r.get("registered_outside_district")),
            "political_status": r.get("political_status"),
            "employment": r.get("employment"),
            "low_income_kind": r.get("low_income_kind"),
            "disability_grade": r.get("disability_grade"),
            "disability_type": r.get("disability_type"),
            "guolao": r.get("register_kind") == "childless",
            "chronic_conditions": list(r.get("chronic_conditions") or []),
            "family_doctor": r.get("contract_status") == "active",
            "ltc_level": r.get("ltc_level") or 0,
            "care_mode": r.get("care_mode"),
            "home_care_hours_week": r.get("home_care_hours_week"),
            "last_screening": dict(r.get("last_screening") or {}),
            "serious_illness_last_visit": r.get("serious_illness_last_visit"),
            "serious_illness_category": r.get("serious_illness_category"),
            "applications": list(r.get("applications") or []),
            "bookings_count": r.get("bookings_count", 0),
            "attended_count": r.get("attended_count", 0),
            "volunteer_skills": list(volunteer.get("skills") or []),
            "volunteer_hours": volunteer.get("hours_served"),
            "building_floors": building.get("floors"),
            "building_has_elevator": bool(building.get("elevator_as_built")) or
            status == "installed",
            "building_build_year": building.get("build_year"),
            "building_ownership": building.get("ownership"),
            "has_meter": household in no_use,
            "water_no_use_hours": no_use.get(household),
        }
        for flag in FLAG_COLUMNS:
            row[flag] = bool(r.get(flag))
        if r.get("political_status") == "party_member":
            row["party_member"] = True
        rows.append(row)
    return pd.DataFrame(rows)
