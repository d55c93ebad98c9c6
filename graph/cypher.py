"""Pure builders of the Cypher that Minqing generates at run time: ``(query, params)`` or text.

Identifiers come only from the schema module; values only travel as ``$parameters``.
"""

from __future__ import annotations

from graph import schema


def merge_nodes(label_name: str) -> str:
    """Upsert nodes of one label from ``$rows`` of ``{"key": ..., "props": {...}}``.

    MERGE on the label's key makes a re-run change nothing; ``SET +=`` keeps properties that
    a row does not mention.

    >>> print(merge_nodes("Building"))
    UNWIND $rows AS row
    MERGE (n:Building {building_id: row.key})
    SET n += row.props
    """
    lab = schema.node_label(label_name)
    return (f"UNWIND $rows AS row\n"
            f"MERGE (n:{lab.name} {{{lab.key}: row.key}})\n"
            f"SET n += row.props")


def merge_relationships(type_name: str) -> str:
    """Upsert relationships of one type from ``$rows`` of
    ``{"start": key, "ends": [{"end": key, "props": {...}}, ...]}``.

    Rows are grouped by start node, so the start is looked up once for all its
    relationships (twice the rate of one row per relationship on ArcadeDB). Both ends are
    matched by their keys; a missing end creates nothing, which the loader detects by
    comparing the returned count with the number of ends sent.

    >>> print(merge_relationships("LIVES_IN"))
    UNWIND $rows AS row
    MATCH (a:Resident {resident_id: row.start})
    UNWIND row.ends AS e
    MATCH (b:Building {building_id: e.end})
    MERGE (a)-[r:LIVES_IN]->(b)
    SET r += e.props
    RETURN count(r) AS merged
    """
    rel = schema.relationship(type_name)
    start, end = schema.node_label(rel.start), schema.node_label(rel.end)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{start.name} {{{start.key}: row.start}})\n"
            f"UNWIND row.ends AS e\n"
            f"MATCH (b:{end.name} {{{end.key}: e.end}})\n"
            f"MERGE (a)-[r:{rel.name}]->(b)\n"
            f"SET r += e.props\n"
            f"RETURN count(r) AS merged")


def add_missing_relationships(type_name: str) -> str:
    """Create the relationships from ``$rows`` (grouped like merge_relationships) that do
    not exist yet; for relationship types without properties.

    Same effect as MERGE, but reads each start node's existing relationships of the type
    once and compares keys: ArcadeDB's MERGE may check existence from the end node, which
    for a tag held by 80,000 residents is ~1,000x slower. Returns how many ends were found
    (existing or created), for the loader's check that no end was missing.

    >>> print(add_missing_relationships("HAS_TAG"))
    UNWIND $rows AS row
    MATCH (a:Resident {resident_id: row.start})
    OPTIONAL MATCH (a)-[:HAS_TAG]->(have:Tag)
    WITH a, row, collect(have.tag_id) AS existing
    UNWIND row.ends AS e
    MATCH (b:Tag {tag_id: e.end})
    FOREACH (_ IN CASE WHEN e.end IN existing THEN [] ELSE [1] END |
      CREATE (a)-[:HAS_TAG]->(b))
    RETURN count(b) AS merged
    """
    rel = schema.relationship(type_name)
    start, end = schema.node_label(rel.start), schema.node_label(rel.end)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{start.name} {{{start.key}: row.start}})\n"
            f"OPTIONAL MATCH (a)-[:{rel.name}]->(have:{end.name})\n"
            f"WITH a, row, collect(have.{end.key}) AS existing\n"
            f"UNWIND row.ends AS e\n"
            f"MATCH (b:{end.name} {{{end.key}: e.end}})\n"
            f"FOREACH (_ IN CASE WHEN e.end IN existing THEN [] ELSE [1] END |\n"
            f"  CREATE (a)-[:{rel.name}]->(b))\n"
            f"RETURN count(b) AS merged")


def create_nodes(label_name: str) -> str:
    """Create nodes of one label from ``$rows`` of ``{"key", "props"}`` without MERGE.

    Only for the baseline benchmark: the engine's raw insert rate.
    """
    lab = schema.node_label(label_name)
    return (f"UNWIND $rows AS row\n"
            f"CREATE (n:{lab.name} {{{lab.key}: row.key}})\n"
            f"SET n += row.props")


def count_label(label_name: str) -> str:
    """Count nodes of one label."""
    return f"MATCH (n:{schema.label(label_name)}) RETURN count(n) AS n"


def node_properties(label_name: str) -> str:
    """Every node of one label as its property map (for canonical dumps)."""
    return f"MATCH (n:{schema.label(label_name)}) RETURN properties(n) AS p"


def relationship_endpoints(type_name: str) -> str:
    """Every relationship of one type as (start key, end key, properties)."""
    rel = schema.relationship(type_name)
    start, end = schema.node_label(rel.start), schema.node_label(rel.end)
    return (f"MATCH (a:{start.name})-[r:{rel.name}]->(b:{end.name}) "
            f"RETURN a.{start.key} AS a, b.{end.key} AS b, properties(r) AS p")


def all_builder_queries() -> dict[str, str]:
    """Every query the builders can produce, by a descriptive name; used by the Cypher lint."""
    queries = {}
    for lab in schema.NODE_LABELS:
        queries[f"merge_nodes[{lab.name}]"] = merge_nodes(lab.name)
        queries[f"create_nodes[{lab.name}]"] = create_nodes(lab.name)
        queries[f"count_label[{lab.name}]"] = count_label(lab.name)
        queries[f"node_properties[{lab.name}]"] = node_properties(lab.name)
    for rel in schema.REL_TYPES:
        queries[f"merge_relationships[{rel.name}]"] = merge_relationships(rel.name)
        queries[f"add_missing_relationships[{rel.name}]"] = add_missing_relationships(rel.name)
        queries[f"relationship_endpoints[{rel.name}]"] = relationship_endpoints(rel.name)
    return queries
