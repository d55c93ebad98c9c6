"""Layer 1 of the console on its own: Neo4j's Cypher parser classifies each statement."""

from pathlib import Path

import pytest

from queries.console_guard import CypherClassifier, check_tree

ATTACKS = Path(__file__).with_name("console_attacks.txt")


def attack_corpus() -> list[str]:
    """Return the write/admin attempts kept in console_attacks.txt."""
    text = "\n".join(line for line in ATTACKS.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("## "))
    return [block.strip() for block in text.split("\n---\n") if block.strip()]


READS = [
    "MATCH (r:Resident) RETURN r LIMIT 5",
    "match (r:Resident)-[:LIVES_IN]->(b:Building) return b.building_id, count(r) AS n",
    "MATCH p = (a:Resident)-[*1..2]-(b) RETURN p LIMIT 3",
    "OPTIONAL MATCH (r:Resident {resident_id: $id}) RETURN r",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db.relationshipTypes()",
    "MATCH (n:`createClause`) // CREATE (x)\nRETURN n",
    "RETURN 'CREATE (n); DELETE n' AS text",
    "/* SET n.x = 1 */ MATCH (n) RETURN count(n) AS c",
    "MATCH (r:Resident) WHERE EXISTS { MATCH (r)-[:LIVES_IN]->() } RETURN count(r) AS c",
    "CALL () { MATCH (n) RETURN count(n) AS c } RETURN c",
    "MATCH (n) RETURN n ORDER BY n.name SKIP 2 LIMIT 3",
    "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN collect(x) AS xs",
    "RETURN date('2025-01-01') AS d, duration.between(date('2025-01-01'), date()) AS age",
    "RETURN point.distance(point({x: 1, y: 1}), point({x: 2, y: 2})) AS d",
    "MATCH (n) RETURN n.name AS name UNION MATCH (m) RETURN m.title AS name",
    "MATCH (n) RETURN n;",
]


@pytest.fixture(scope="module")
def classifier():
    classifier = CypherClassifier()
    yield classifier
    classifier.close()


def test_corpus_is_large_and_varied():
    corpus = attack_corpus()
    assert len(corpus) >= 50
    assert len(set(corpus)) == len(corpus)
    text = "\n".join(corpus).upper()
    for trick in ("//", "/*", "\\U", "`", "CALL {", "IN TRANSACTIONS", "LOAD CSV", "APOC.",
                  "CREATE INDEX", "SHOW", "USE ", ";", "FOREACH"):
        assert trick in text, trick


@pytest.mark.parametrize("statement", attack_corpus())
def test_every_attack_is_refused(classifier, statement):
    verdict = classifier.check(statement)
    assert not verdict.allowed
    assert all(reason.endswith(".") for reason in verdict.reasons)


@pytest.mark.parametrize("statement", READS)
def test_reads_pass(classifier, statement):
    verdict = classifier.check(statement)
    assert verdict.allowed, verdict.reasons


@pytest.mark.parametrize("statement, words", [
    ("MATCH (r) SET r.x = 1", "SET is refused"),
    ("RETURN 1; RETURN 2", "holds 2"),
    ("CALL apoc.cypher.runWrite('CREATE (n)', {})", "CALL apoc.cypher.runwrite"),
    ("CREATE INDEX i FOR (r:Resident) ON (r.name)", "Schema and administration"),
    ("MATCH (r) CALL (r) { RETURN 1 AS one } IN TRANSACTIONS RETURN one", "IN TRANSACTIONS"),
    ("C\\u0052EATE (n)", "Not valid Cypher"),
    ("EXPLAIN MATCH (n) RETURN n", "EXPLAIN prefix"),
    ("   ", "no statement"),
])
def test_messages_say_why(classifier, statement, words):
    assert words in " ".join(classifier.check(statement).reasons)


def test_a_token_spelled_like_a_rule_is_not_that_rule():
    tree = {"r": "statementsOrCommands", "c": [
        {"r": "statementOrCommand", "c": [{"r": "preparsedStatement", "c": [
            {"r": "statement", "c": [{"r": "queryWithLocalDefinitions", "c": [
                {"r": "clause", "c": [{"r": "returnClause", "c": [
                    {"t": "RETURN"}, {"t": "createClause"}]}]}]}]}]}]},
        {"t": "<EOF>"}]}
    assert check_tree(tree) == ([], [])


def test_error_nodes_are_refused():
    tree = {"r": "statementsOrCommands", "c": [
        {"r": "statementOrCommand", "c": [{"e": "CREATE"}]}, {"t": "<EOF>"}]}
    assert "Not valid Cypher" in check_tree(tree)[0][0]


def test_worker_restarts_after_it_died(classifier):
    assert classifier.check("RETURN 1 AS one").allowed
    classifier._process.kill()
    classifier._process.wait()
    assert classifier.check("RETURN 1 AS one").allowed
    assert not classifier.check("CREATE (n)").allowed
