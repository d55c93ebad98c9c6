"""``minqing search`` on the fixture graph embedded with the test-only hashing embedder."""

import json

from click.testing import CliRunner

from graph.cli import main
from ingest.embed import embed_graph
from ingest.fixture_graph import load_fixture_graph
from models.embeddings import HashingEmbedder
from tests.conftest import settings_env


def test_search_prints_a_proposal_with_masked_phones(settings, empty_graph):
    load_fixture_graph(empty_graph)
    embed_graph(empty_graph, HashingEmbedder())
    env = settings_env(settings)
    env.update(MINQING_GRAPH_DATABASE=empty_graph.database, MINQING_EMBEDDING_MODEL="hashing")
    args = ["search", "a room for 30 people on Saturday afternoon, one volunteer who knows "
            "first aid, invite the lone seniors", "--today", "2025-06-30"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Venue: Linfen Garden Activity Room — " in result.output
    assert "Zhang Qiang 139****0004 — knows first_aid" in result.output
    assert "13900000004" not in result.output
    document = json.loads(CliRunner().invoke(main, [*args, "--json"], env=env).output)
    assert document["venue"]["key"] == "V01"
    assert [p["key"] for p in document["participants"]] == ["R01"]
    assert document["participants"][0]["phone"] == "139****0001"


def test_a_file_of_demands_is_assigned_jointly(settings, empty_graph, tmp_path):
    load_fixture_graph(empty_graph)
    embed_graph(empty_graph, HashingEmbedder())
    env = settings_env(settings)
    env.update(MINQING_GRAPH_DATABASE=empty_graph.database, MINQING_EMBEDDING_MODEL="hashing")
    week = tmp_path / "week.txt"
    week.write_text("a room for 20 people on Saturday afternoon\n\n"
                    "a room for 25 people on Saturday afternoon\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["search", "--file", str(week), "--today", "2025-06-30",
                                       "--json"], env=env)
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.output)
    assert sorted([bool(first["venue"]), bool(second["venue"])]) == [False, True]
