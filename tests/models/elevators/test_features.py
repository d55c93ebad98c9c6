"""Building features read from the fixture graph, and every query linted by Neo4j's front-end."""

import datetime as dt

import pytest

from graph.cypher_lint import lint_queries
from models import mobilize
from models.elevators.features import FEATURES, QUERIES, building_features, load_raw
from models.elevators.propensity import at_risk, exclusions

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def features(small_graph):
    return building_features(load_raw(small_graph, until=AS_OF), AS_OF, 250.0)


def test_every_feature_is_documented_and_none_is_nan(features):
    assert list(features.columns) == list(FEATURES)
    assert sorted(features.index) == ["B01", "B02", "B03"]
    assert not features.isna().any().any()


def test_residents_ages_and_floors(features):
    b01, b03 = features.loc["B01"], features.loc["B03"]
    # B01: R01 (81, 5th floor), R02 69, R03 68, R04 44 — one 70+ upstairs out of four.
    assert b01["residents"] == 4 and b01["residents_70_upper"] == 1
    assert b01["share_70_upper"] == pytest.approx(0.25)
    assert b01["share_age_80_plus"] == pytest.approx(0.25)
    assert b01["share_age_60_69"] == pytest.approx(0.5)
    # B03: R10 (88, 3rd floor) and R11; R12 is registered there but lives in B02.
    assert b03["residents"] == 2 and b03["residents_70_upper"] == 1
    assert b03["households"] == 2 and b03["floors"] == 5 and b03["build_year"] == 1992


def test_ages_move_with_the_date(small_graph):
    raw = load_raw(small_graph, until=AS_OF)
    later = building_features(raw, dt.date(2025, 7, 20), 250.0)
    assert later.loc["B01", "share_age_70_79"] == pytest.approx(0.25)  # R02 turned 70


def test_activity_and_elevators(small_graph, features):
    assert features.loc["B01", "volunteer_share"] == pytest.approx(0.25)  # R04
    assert features.loc["B01", "volunteer_hours_per_resident"] == pytest.approx(30.0)
    assert features.loc["B02", "bookings_per_resident"] == 0  # R05's booking is dated 2026
    later = building_features(load_raw(small_graph, until=dt.date(2026, 12, 31)), AS_OF, 250.0)
    assert later.loc["B02", "bookings_per_resident"] == pytest.approx(1 / 6)
    assert features.loc["B02", "elevator_present"] == 1
    assert features.loc[["B01", "B03"], "elevator_present"].tolist() == [0, 0]
    assert features["neighbours_installed"].sum() == 0


def test_walkups_at_risk(small_graph):
    raw = load_raw(small_graph, until=AS_OF)
    assert sorted(at_risk(raw, AS_OF, 5)) == ["B01", "B03"]
    assert sorted(at_risk(raw, AS_OF, 6)) == ["B01"]
    assert exclusions(raw, AS_OF, 5).empty


def test_queries_pass_the_cypher_front_end():
    queries = {f"elevators {k}": v for k, v in QUERIES.items()}
    queries.update({f"mobilize {k}": v for k, v in mobilize.QUERIES.items()})
    results = lint_queries(queries)
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
