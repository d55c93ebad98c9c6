"""Resident networks, backbones and participation scores on the fixture graph."""

import datetime as dt

import pytest

from graph.errors import QueryError
from models import mobilize


def test_household_ties_become_edges(small_graph):
    G = mobilize.resident_network(small_graph, ("household",))
    assert G.number_of_nodes() == 12
    # H02 (R02, R03, R04), H03 (R05, R06), H04 (R07–R09), H06 (R11, R12): 3 + 1 + 3 + 1 edges
    assert G.number_of_edges() == 8
    assert G["R02"]["R04"] == {"weight": 1, "kinds": "household"}
    assert G.degree("R01") == 0


def test_restricting_to_residents_and_unknown_kinds(small_graph):
    G = mobilize.resident_network(small_graph, ("household", "neighbours"),
                                  residents=["R02", "R03", "R01"])
    assert set(G) == {"R01", "R02", "R03"}
    assert G["R02"]["R03"]["kinds"] == "household,neighbours"  # same flat: 4th floor of B01
    with pytest.raises(QueryError, match="Unknown tie kind"):
        mobilize.resident_network(small_graph, ("friends",))


def test_centrality_communities_and_backbones(small_graph):
    G = mobilize.resident_network(small_graph, ("household", "neighbours"))
    central = mobilize.centrality(G)
    assert central["R04"]["pagerank"] > central["R01"]["pagerank"]
    found = mobilize.communities(G)
    assert {"R02", "R03", "R04"} <= found[0] or any({"R02", "R03", "R04"} <= c for c in found)
    assert all("R01" not in c for c in found)
    backbones = mobilize.backbones(G, per_community=1, min_size=2)
    assert backbones and all(b["ties"] >= 1 for b in backbones)


def test_participation_scores_follow_past_participation(small_graph):
    ids = ["R04", "R05", "R06", "R07"]
    later = dt.date(2026, 12, 31)
    scores = mobilize.participation_scores(small_graph, ids, before=later)
    assert scores["R04"] > scores["R07"]  # a volunteer
    assert scores["R05"] > scores["R07"]  # booked P01 in March 2026
    assert scores["R06"] > scores["R07"]  # R05, in his household, takes part
    reasons = mobilize.participation_reasons(small_graph, ids, before=later)
    assert reasons["R04"] == ["volunteer (120 h served)"]
    assert reasons["R05"] == ["attended 0 of 1 programs booked"]
    assert reasons["R06"] == ["1 household member takes part"]
    assert reasons["R07"] == ["no participation on record"]
    before = mobilize.participation_scores(small_graph, ["R05"], before=dt.date(2026, 1, 1))
    assert before["R05"] == scores["R07"]  # the booking is not known yet


def test_invite_list_ranks_with_contact_and_scope_errors(small_graph):
    ids = mobilize.scope_residents(small_graph, buildings=["B01"])
    assert sorted(ids) == ["R01", "R02", "R03", "R04"]
    invites = mobilize.invite_list(small_graph, ids, limit=2)
    assert [i["resident_id"] for i in invites][0] == "R04"
    assert len(invites) == 2 and invites[0]["phone"].isdigit()  # full: callers mask
    with pytest.raises(QueryError, match="Nobody lives"):
        mobilize.scope_residents(small_graph, area="Atlantis")
    with pytest.raises(QueryError, match="exactly one"):
        mobilize.scope_residents(small_graph)
