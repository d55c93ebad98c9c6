"""Tests for graph.cypher_lint, the Neo4j Cypher front-end linter (needs `npm ci`)."""

import pytest

from graph import cypher_lint
from graph.cypher_lint import CypherLintUnavailable, LintResult, lint_queries

QUERIES = {
    "valid": (
        "MATCH (r:Resident)-[:LIVES_IN]->(b:Building) WHERE r.age >= $min_age "
        "RETURN b.building_id, count(r) AS n"
    ),
    "syntax_error": "MATCH (n RETURN n",
    "vector_search": (
        "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score "
        "RETURN node, score"
    ),
    "fulltext_search": (
        "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score RETURN node"
    ),
    "neo4j4_exists": "MATCH (n) WHERE exists(n.prop) RETURN n",
    "merge_rows": (
        "UNWIND $rows AS row MERGE (r:Resident {resident_id: row.resident_id}) "
        "SET r += row.props"
    ),
    "deprecated_id": "MATCH (n) RETURN id(n)",
    "wrong_yield": (
        "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD nodes RETURN nodes"
    ),
    "other_procedure": "CALL db.labels() YIELD label RETURN label",
    "multiline": "MATCH (n)\nRETURN m",
}


@pytest.fixture(scope="module")
def results() -> dict[str, LintResult]:
    # One call, so Node and the front-end load once for the whole module.
    return lint_queries(QUERIES)


def test_every_query_gets_a_result(results):
    assert set(results) == set(QUERIES)


@pytest.mark.parametrize(
    "name", ["valid", "vector_search", "fulltext_search", "merge_rows"]
)
def test_valid_neo4j5_queries_have_no_errors(results, name):
    # Also covers: unknown labels and $parameters are not errors without a database.
    assert results[name].errors == []
    assert results[name].ok


def test_syntax_error_is_reported_with_position(results):
    errors = results["syntax_error"].errors
    assert errors
    assert errors[0].message
    # 1-based: "RETURN" starts at the 10th character.
    assert (errors[0].line, errors[0].column) == (1, 10)


def test_removed_neo4j4_exists_syntax_is_an_error(results):
    errors = results["neo4j4_exists"].errors
    assert any("IS NOT NULL" in e.message for e in errors)


def test_deprecation_is_a_warning_not_an_error(results):
    result = results["deprecated_id"]
    assert result.errors == []
    assert any("deprecated" in w.message for w in result.warnings)


def test_known_procedure_signature_is_checked(results):
    errors = results["wrong_yield"].errors
    assert any("nodes" in e.message for e in errors)


def test_procedure_without_signature_is_only_a_warning(results):
    result = results["other_procedure"]
    assert result.errors == []
    assert any("db.labels" in w.message for w in result.warnings)


def test_positions_are_reported_on_the_right_line(results):
    (error,) = results["multiline"].errors
    assert "`m`" in error.message
    assert (error.line, error.column) == (2, 8)


def test_no_queries_needs_no_node():
    assert lint_queries({}) == {}


def test_missing_node_raises_unavailable(monkeypatch):
    monkeypatch.setattr(cypher_lint.shutil, "which", lambda _name: None)
    with pytest.raises(CypherLintUnavailable, match="node"):
        lint_queries({"q": "RETURN 1"})


def test_missing_package_raises_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(cypher_lint, "_PACKAGE_DIR", tmp_path / "absent")
    with pytest.raises(CypherLintUnavailable, match="npm ci"):
        lint_queries({"q": "RETURN 1"})
