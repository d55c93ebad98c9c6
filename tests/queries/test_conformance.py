"""Every query Minqing sends is valid Neo4j 5 Cypher, checked by Neo4j's own front-end."""

import pytest

from graph import cypher, schema
from graph.cypher_lint import lint_queries
from queries.registry import load_queries


def all_project_queries() -> dict[str, str]:
    """Every query text the project can send to a Neo4j server, by a descriptive name."""
    queries = {f"queries/{q.name}.cypher": q.cypher for q in load_queries().values()}
    queries.update({f"builder {name}": text for name, text in cypher.all_builder_queries().items()})
    queries.update({f"schema DDL {i}": text for i, text in enumerate(schema.neo4j_ddl())})
    return queries


@pytest.fixture(scope="module")
def lint_results():
    return lint_queries(all_project_queries())


def test_every_query_is_linted(lint_results):
    assert set(lint_results) == set(all_project_queries())
    assert len(lint_results) > 50


def test_no_query_has_a_lint_error(lint_results):
    failures = {name: [f"{e.line}:{e.column} {e.message}" for e in result.errors]
                for name, result in lint_results.items() if result.errors}
    assert failures == {}


def test_named_queries_have_no_lint_warning(lint_results):
    warnings = {name: [w.message for w in result.warnings]
                for name, result in lint_results.items()
                if name.startswith("queries/") and result.warnings}
    assert warnings == {}
