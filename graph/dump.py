"""A canonical dump of a graph: counts per label and type, and a content hash.

Two graphs with the same dump hold the same nodes (by label and properties) and the same
relationships (by type, end-point keys and properties), whatever their internal ids. Used
to prove that a re-run or a killed-and-resumed ingest gives exactly the same graph.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from graph import cypher, schema


@dataclass(frozen=True)
class Dump:
    """Counts per label and relationship type, and one hash over all content."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    content_hash: str


def canonical_dump(graph) -> Dump:
    """Read the whole graph and summarise it canonically (for tests; reads everything)."""
    digest = hashlib.sha256()
    nodes: dict[str, int] = {}
    for lab in schema.NODE_LABELS:
        rows = graph.read(cypher.node_properties(lab.name), max_rows=None).rows
        lines = sorted(_canonical(row["p"]) for row in rows)
        nodes[lab.name] = len(lines)
        digest.update(lab.name.encode())
        for line in lines:
            digest.update(line.encode())
    relationships: dict[str, int] = {}
    for rel in schema.REL_TYPES:
        rows = graph.read(cypher.relationship_endpoints(rel.name), max_rows=None).rows
        lines = sorted(_canonical([row["a"], row["b"], row["p"]]) for row in rows)
        relationships[rel.name] = len(lines)
        digest.update(rel.name.encode())
        for line in lines:
            digest.update(line.encode())
    return Dump({k: v for k, v in nodes.items() if v},
                {k: v for k, v in relationships.items() if v}, digest.hexdigest())


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
