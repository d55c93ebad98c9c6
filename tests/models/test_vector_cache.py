"""Exact in-process vector ranking: same order as brute force, filters in Cypher lose
nothing, reloads after its TTL, and hands labels that are too large back to the index.
(Its Cypher is linted with the rest of retrieval's in test_retrieve.py.)"""

import numpy as np
import pytest

from ingest.embed import embed_graph
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes
from models.embeddings import HashingEmbedder
from models.retrieve import nearest, vector_search
from models.vector_cache import VectorCache

VENUES = [{"venue_id": f"V{i:03d}", "name": f"会议室{i}", "venue_type": "meeting_room",
           "capacity": 10 + 7 * i} for i in range(40)]


@pytest.fixture
def graph(empty_graph):
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "Venue", VENUES)
    embed_graph(empty_graph, HashingEmbedder())
    return empty_graph


def _brute_force(graph, vector, condition=lambda p: True):
    rows = graph.read("MATCH (n:Venue) RETURN n.venue_id AS key, n.embedding AS v, "
                      "n.capacity AS capacity").rows
    scored = [(r["key"], float(np.asarray(r["v"], dtype=np.float32) @ vector))
              for r in rows if condition(r)]
    return sorted(scored, key=lambda kv: -kv[1])


def test_ranking_equals_brute_force(graph):
    vector = HashingEmbedder().encode(["会议室 12 meeting room"])[0]
    found = VectorCache().search(graph, "Venue", vector, 10)
    expected = _brute_force(graph, vector)
    # Hashed vectors tie often, so compare scores: the ten found are the ten best, in order.
    assert np.allclose([s for _, s in found], [s for _, s in expected[:10]], atol=1e-5)
    by_key = dict(expected)
    assert all(abs(by_key[k] - s) < 1e-5 for k, s in found)


def test_a_selective_filter_keeps_the_best_that_pass(graph):
    # Five venues seat 250 or more, far down the similarity list for this query.
    vector = HashingEmbedder().encode(["会议室3"])[0]
    found = VectorCache().search(graph, "Venue", vector, 4, "node.capacity >= $seats",
                                 {"seats": 250})
    expected = _brute_force(graph, vector, lambda r: r["capacity"] >= 250)
    assert len(found) == 4 and {k for k, _ in found} < {k for k, _ in expected}
    assert np.allclose([s for _, s in found], [s for _, s in expected[:4]], atol=1e-5)
    # Asking for more than exist returns all that pass, not an error.
    assert len(VectorCache().search(graph, "Venue", vector, 10, "node.capacity >= $seats",
                                    {"seats": 250})) == 5


def test_the_copy_is_reloaded_after_its_ttl(graph, monkeypatch):
    cache = VectorCache(ttl_s=60)
    vector = HashingEmbedder().encode(["新的 piano hall"])[0]
    first = cache.search(graph, "Venue", vector, 1)
    load_nodes(graph, "Venue", [{"venue_id": "VNEW", "name": "新的 piano hall",
                                 "venue_type": "hall", "capacity": 80}])
    embed_graph(graph, HashingEmbedder())
    assert cache.search(graph, "Venue", vector, 1) == first  # within the TTL: the old copy
    import models.vector_cache as module

    later = module.time.monotonic() + 61
    monkeypatch.setattr(module.time, "monotonic", lambda: later)
    assert cache.search(graph, "Venue", vector, 1)[0][0] == "VNEW"


def test_a_label_too_large_goes_to_the_index(graph):
    cache = VectorCache(max_nodes=5)
    vector = HashingEmbedder().encode(["会议室 7"])[0]
    assert cache.search(graph, "Venue", vector, 3) is None
    via_index = vector_search(graph, "Venue", vector, 3)
    assert [h.key for h in nearest(graph, "Venue", vector, 3, cache=cache)] == \
        [h.key for h in via_index]

