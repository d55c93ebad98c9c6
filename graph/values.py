"""Turn driver values (nodes, relationships, paths, temporal types) into plain JSON-able data."""

from __future__ import annotations

from typing import Any

from neo4j.graph import Node, Path, Relationship


def to_plain(value: Any) -> Any:
    """Convert one value returned by the driver into dicts, lists and scalars.

    Nodes become ``{"_id", "_labels", **properties}``, relationships
    ``{"_id", "_type", "_start", "_end", **properties}``, paths
    ``{"nodes": [...], "relationships": [...]}``; dates and times become ISO strings.
    """
    if isinstance(value, Node):
        return {"_id": value.element_id, "_labels": sorted(value.labels),
                **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_id": value.element_id, "_type": value.type,
                "_start": value.start_node.element_id if value.start_node else None,
                "_end": value.end_node.element_id if value.end_node else None,
                **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j.time Date, DateTime, Duration…
        return value.iso_format()
    return value
