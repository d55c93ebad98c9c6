"""One-click proposals on the fixture graph (embedded with the test-only hashing embedder):
venue, volunteers and invitees with reasons; impossible, empty and competing demands."""

import datetime as dt

import pytest

from graph.cypher_lint import lint_queries
from ingest.embed import embed_graph
from ingest.fixture_graph import load_fixture_graph
from models.demand import parse_demand
from models.embeddings import HashingEmbedder
from models.gazetteer import Gazetteer
from models.opening_hours import is_open
from models.proposal import (PARTICIPANT_DETAILS, PARTICIPANTS, PARTICIPANTS_BY_TAG,
                             PARTICIPANTS_IN_BUILDINGS,
                             VOLUNTEER_DETAILS, propose,
                             propose_all, venue_filter, volunteer_filter)

TODAY = dt.date(2025, 6, 30)  # a Monday; "Saturday" is 2025-07-05


@pytest.fixture
def world(empty_graph):
    load_fixture_graph(empty_graph)
    embedder = HashingEmbedder()
    embed_graph(empty_graph, embedder)
    return empty_graph, embedder, Gazetteer.from_graph(empty_graph)


def demand(world, text):
    return parse_demand(text, today=TODAY, gazetteer=world[2])


def test_a_whole_demand_gets_venue_volunteer_and_invitees_with_reasons(world):
    graph, embedder, _ = world
    proposal = propose(graph, embedder, demand(
        world, "a room for 30 people on Saturday afternoon for a diabetes talk, one volunteer "
               "who knows first aid, invite the lone seniors"))
    assert proposal.venue.key == "V01"
    assert "seats 40 ≥ 30" in proposal.venue.reasons
    assert any(r.startswith("open Mon-Sun 08:00-20:00") for r in proposal.venue.reasons)
    assert [v.key for v in proposal.volunteers] == ["L01"]
    assert "knows first_aid" in proposal.volunteers[0].reasons
    assert "available 周六下午" in proposal.volunteers[0].reasons
    assert [p.key for p in proposal.participants] == ["R01"]
    assert "tag lone_elderly" in proposal.participants[0].reasons
    assert proposal.unmet == []


def test_a_room_closed_at_that_time_is_not_proposed(world):
    graph, embedder, _ = world
    late = demand(world, "a room for 20 people on Saturday evening")
    late.window.start = dt.datetime(2025, 7, 5, 20, 30)  # V01 closes at 20:00
    late.window.end = dt.datetime(2025, 7, 5, 21, 30)
    proposal = propose(graph, embedder, late)
    assert proposal.venue is None
    assert proposal.unmet == ["no venue fits the capacity, place, equipment and opening "
                              "hours asked for"]


def test_impossible_head_count_says_why(world):
    graph, embedder, _ = world
    proposal = propose(graph, embedder, demand(world, "a room for 10000 people"))
    assert proposal.venue is None
    assert any("seats 10,000; the largest seats 40" in u for u in proposal.unmet)


def test_empty_demand_is_a_message_not_an_error(world):
    graph, embedder, _ = world
    proposal = propose(graph, embedder, demand(world, "   "))
    assert proposal.venue is None and proposal.volunteers == []
    assert any("Type what you need" in n for n in proposal.notes)


def test_two_demands_at_the_same_time_do_not_share_the_room_or_the_volunteer(world):
    graph, embedder, _ = world
    text = "a room for 20 people on Saturday afternoon, one volunteer who knows first aid"
    first, second = propose_all(graph, embedder, [demand(world, text), demand(world, text)])
    assert {first.venue.key if first.venue else None,
            second.venue.key if second.venue else None} == {"V01", None}
    loser = first if first.venue is None else second
    assert any("taken at the same time" in u for u in loser.unmet)
    assert any("volunteers missing: booked at the same time" in u for u in loser.unmet)


def test_opening_hours():
    sat = dt.datetime(2025, 7, 5, 13)
    assert is_open("Sat-Sun 09:00-18:00", sat, sat.replace(hour=17))
    assert not is_open("Mon-Fri 09:00-18:00", sat, sat.replace(hour=17))
    assert not is_open(None, sat, sat.replace(hour=17))


def test_proposal_queries_pass_neo4j_front_end(world):
    d = demand(world, "a room for 30 people near Linfen Road with a projector on Saturday "
                      "afternoon, a volunteer who knows first aid")
    where_v, _ = venue_filter(d, 500, True)
    where_l, _ = volunteer_filter(d)
    queries = {"participants": PARTICIPANTS, "participants by tag": PARTICIPANTS_BY_TAG,
               "participants in buildings": PARTICIPANTS_IN_BUILDINGS,
               "participant details": PARTICIPANT_DETAILS,
               "volunteer details": VOLUNTEER_DETAILS,
               "venue filter": f"MATCH (node:Venue) WHERE {where_v} RETURN node",
               "volunteer filter": f"MATCH (node:Volunteer) WHERE {where_l} RETURN node"}
    results = lint_queries(queries)
    assert {n: [e.message for e in r.errors] for n, r in results.items() if r.errors} == {}


def test_invitees_of_a_lane_are_found_from_its_buildings(world):
    graph, embedder, _ = world
    d = demand(world, "invite the residents of Lane 261 on Saturday afternoon")
    assert d.participants.location.ids == ["B01"] and d.participants.tags == []
    proposal = propose(graph, embedder, d)
    # Lane 261 of Linfen Road is building B01, home of R01–R04.
    assert sorted(p.key for p in proposal.participants) == ["R01", "R02", "R03", "R04"]
    assert all("lives in 临汾路261弄" in p.reasons for p in proposal.participants)


def test_invitees_are_ranked_by_the_participation_score_with_its_reasons(world):
    from ingest.load import load_relationships

    graph, embedder, _ = world
    # R03 took part in a program before and R04 (her son) volunteers; R01 and R02 have
    # no record, so the two invitations go to R04 and R03.
    load_relationships(graph, "BOOKED", [("R03", "P01", {"booked_on": "2025-03-01",
                                                         "attended": True})])
    proposal = propose(graph, embedder, demand(world, "invite the residents of Lane 261"),
                       invites=2)
    invited = {p.key: p for p in proposal.participants}
    assert set(invited) == {"R03", "R04"}
    assert "attended 1 of 1 programs booked" in invited["R03"].reasons
    assert any(r.startswith("volunteer (") for r in invited["R04"].reasons)
    assert proposal.participants[0].score >= proposal.participants[1].score


def test_invitees_stay_inside_the_given_areas(world):
    graph, embedder, _ = world
    # Women 50-74 who retired: R05 lives in A01 (B02), R11 in A02 (B03).
    d = demand(world, "invite the retired women aged 50 to 74")
    everyone = {p.key for p in propose(graph, embedder, d).participants}
    assert everyone >= {"R05", "R11"}
    assert {p.key for p in propose(graph, embedder, d, areas={"A02"}).participants} == {"R11"}
    assert propose(graph, embedder, d, areas=set()).participants == []  # resources only
