"""minqing embed: writes text and vectors once, re-embeds only what changed, lint-clean."""

import json

import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.cypher_lint import lint_queries
from graph.schema import SchemaError
from ingest.embed import all_embed_queries, embed_graph
from ingest.fixture_graph import load_fixture_graph
from ingest.load import load_nodes
from models.embeddings import HashingEmbedder


@pytest.fixture
def graph(empty_graph):
    load_fixture_graph(empty_graph)
    load_nodes(empty_graph, "Venue", [
        {"venue_id": "V02", "name": "闻喜会议室", "venue_type": "meeting_room",
         "capacity": 60, "equipment": ["projector"]}])
    return empty_graph


def _stored(graph, key):
    return graph.read("MATCH (n:Venue {venue_id: $k}) RETURN n.search_text AS text, "
                      "n.embedding AS vector, n.embedding_model AS model", {"k": key}).first()


def test_embeds_once_then_nothing(graph):
    embedder = HashingEmbedder()
    first = embed_graph(graph, embedder)
    assert first.labels["Venue"].nodes == 2 and first.labels["Venue"].embedded == 2
    assert first.embedded == sum(r.nodes for r in first.labels.values())
    stored = _stored(graph, "V02")
    assert "会议室" in stored["text"] and "meeting room" in stored["text"]
    assert len(stored["vector"]) == embedder.dimensions
    assert stored["model"] == embedder.name
    assert embed_graph(graph, embedder).embedded == 0


def test_changed_text_is_re_embedded_alone(graph):
    embedder = HashingEmbedder()
    embed_graph(graph, embedder)
    before = _stored(graph, "V02")
    graph.write("MATCH (n:Venue {venue_id: 'V02'}) SET n.capacity = 120")
    again = embed_graph(graph, embedder)
    assert again.embedded == 1 and again.labels["Venue"].embedded == 1
    after = _stored(graph, "V02")
    assert "120" in after["text"] and after["vector"] != before["vector"]
    assert embed_graph(graph, embedder, force=True).embedded == first_total(graph)


def first_total(graph):
    return sum(graph.read(f"MATCH (n:{name}) RETURN count(n) AS n").single_value()
               for name in ("Organization", "Venue", "Volunteer", "ServicePoint", "Program"))


def test_a_model_swap_re_embeds(graph):
    embed_graph(graph, HashingEmbedder(), labels=["Venue"])
    swapped = HashingEmbedder()
    swapped.name = "another-model"
    assert embed_graph(graph, swapped, labels=["Venue"]).embedded == 2


def test_label_must_be_searchable(graph):
    with pytest.raises(SchemaError, match="not searchable"):
        embed_graph(graph, HashingEmbedder(), labels=["Resident"])


def test_cli_embeds_and_reports_json(graph, monkeypatch):
    for name, value in graph.settings.items():
        monkeypatch.setenv(f"MINQING_{name.upper()}", str(value))
    monkeypatch.setenv("MINQING_EMBEDDING_MODEL", "hashing")
    runner = CliRunner()
    result = runner.invoke(main, ["embed", "--label", "Venue", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["labels"]["Venue"] == {"nodes": 2, "embedded": 2}
    result = runner.invoke(main, ["embed", "--label", "Venue"])
    assert result.exit_code == 0 and "Embedded 0 node(s)" in result.output
    result = runner.invoke(main, ["embed", "--label", "Household"])
    assert result.exit_code == 1 and "not searchable" in result.output
    assert "Traceback" not in result.output


def test_embed_queries_pass_the_cypher_lint():
    results = lint_queries(all_embed_queries())
    assert {name: [str(e) for e in r.errors] for name, r in results.items() if r.errors} == {}
