"""The one writer of ingest results: batched ``UNWIND … MERGE`` of nodes and relationships.

Every write MERGEs on the schema's stable keys, so loading the same rows twice changes
nothing and a run killed half-way can simply be started again.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from graph import cypher, schema
from graph.errors import IngestError


def load_nodes(graph, label_name: str, rows: Iterable[dict[str, Any]], *,
               on_batch: Callable[[int], None] | None = None) -> int:
    """Upsert nodes of one label; each row holds the label's key and other properties.

    None values are left out, so a source that lacks a field never erases what another
    source said. Returns the number of rows written.

    Raises:
        IngestError: a row has no value for the label's key.
    """
    key = schema.key_of(label_name)
    payload = []
    for number, row in enumerate(rows, start=1):
        if row.get(key) in (None, ""):
            raise IngestError(f"{label_name} row {number} has no {key}: {row!r}")
        payload.append({"key": row[key],
                        "props": {k: v for k, v in row.items() if k != key and v is not None}})
    return graph.write_batch(cypher.merge_nodes(label_name), payload, on_batch=on_batch)


def load_relationships(graph, type_name: str,
                       rows: Iterable[tuple[str, str] | tuple[str, str, dict[str, Any]]], *,
                       on_batch: Callable[[int], None] | None = None) -> int:
    """Upsert relationships of one type from ``(start_key, end_key[, props])`` tuples.

    Raises:
        IngestError: some rows name a start or end node that does not exist; nothing is
            dropped silently.
    """
    payload = [{"start": row[0], "end": row[1], "props": dict(row[2]) if len(row) > 2 else {}}
               for row in rows]
    query = cypher.merge_relationships(type_name)
    size = graph.settings.write_batch_size
    merged = 0
    for start in range(0, len(payload), size):
        batch = payload[start:start + size]
        done = graph.write(query, {"rows": batch}).single_value() or 0
        if done != len(batch):
            rel = schema.relationship(type_name)
            raise IngestError(
                f"{type_name}: {len(batch) - done} of {len(batch)} rows name a {rel.start} "
                f"or {rel.end} that is not in the graph (first rows: {batch[:3]!r})")
        merged += done
        if on_batch:
            on_batch(len(batch))
    return merged
