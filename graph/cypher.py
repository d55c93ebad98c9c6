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
    """Upsert relationships of one type from ``$rows`` of ``{"start", "end", "props"}``.

    Both ends are matched by their keys; a row whose end is missing creates nothing, which
    the loader detects by comparing counts.
    """
    rel = schema.relationship(type_name)
    start, end = schema.node_label(rel.start), schema.node_label(rel.end)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{start.name} {{{start.key}: row.start}})\n"
            f"MATCH (b:{end.name} {{{end.key}: row.end}})\n"
            f"MERGE (a)-[r:{rel.name}]->(b)\n"
            f"SET r += row.props\n"
            f"RETURN count(r) AS merged")


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


def all_builder_queries() -> dict[str, str]:
    """Every query the builders can produce, by a descriptive name; used by the Cypher lint."""
    queries = {}
    for lab in schema.NODE_LABELS:
        queries[f"merge_nodes[{lab.name}]"] = merge_nodes(lab.name)
        queries[f"create_nodes[{lab.name}]"] = create_nodes(lab.name)
        queries[f"count_label[{lab.name}]"] = count_label(lab.name)
    for rel in schema.REL_TYPES:
        queries[f"merge_relationships[{rel.name}]"] = merge_relationships(rel.name)
    return queries
