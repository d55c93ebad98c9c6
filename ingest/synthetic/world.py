"""The latent district — the truth every export is rendered from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import elevators, people, places, traits
from .params import DefectRates, Scale, stream


@dataclass
class World:
    """Everything that is true about the synthetic district before any export is made."""

    seed: int
    scale: Scale
    areas: pd.DataFrame
    buildings: pd.DataFrame
    households: pd.DataFrame
    persons: pd.DataFrame
    organizations: pd.DataFrame
    venues: pd.DataFrame
    service_points: pd.DataFrame
    officials: pd.DataFrame
    volunteers: np.ndarray  # person indices
    elevator_records: pd.DataFrame
    elevator_propensity: pd.DataFrame

    @property
    def birth_year(self) -> np.ndarray:
        """Return each person's birth year (for ID-variant eligibility)."""
        return self.persons["birth_ymd"].to_numpy() // 10000


def build_world(seed: int, residents: int, rates: DefectRates) -> World:
    """Draw the whole latent district from ``seed``."""
    scale = Scale(residents)
    areas = places.make_areas(stream(seed, "areas"), scale)
    plan = people.plan_households(scale)
    members, kinds = people.make_members(stream(seed, "members"), plan)
    buildings = places.make_buildings(stream(seed, "buildings"), scale, areas, len(kinds))
    flats = people.assign_flats(stream(seed, "flats"), buildings, len(kinds))
    persons, households = people.make_people(stream(seed, "people"), members, kinds, flats, buildings, rates)
    persons = traits.add_traits(stream(seed, "traits"), persons, households)
    orgs = places.make_organizations(stream(seed, "organizations"), scale, areas)
    venues = places.make_venues(stream(seed, "venues"), scale, areas, buildings, orgs)
    points = places.make_service_points(stream(seed, "service_points"), scale, areas)
    officials = traits.pick_officials(stream(seed, "officials"), persons, areas)
    volunteers = traits.pick_volunteers(stream(seed, "volunteers"), persons, scale.volunteers)
    records, propensity = elevators.simulate_installations(stream(seed, "elevators"), buildings, persons)
    return World(seed, scale, areas, buildings, households, persons, orgs, venues, points, officials,
                 volunteers, records, propensity)
