"""The one writer of ingest results: batched ``UNWIND … MERGE`` of nodes and relationships.

Every write MERGEs on the schema's stable keys, so loading the same rows twice changes
nothing and a run killed half-way can simply be started again. ``skip_batches`` and
``on_batch`` let the pipeline resume a long step where its checkpoint says it stopped.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from graph import cypher, schema
from graph.errors import IngestError

OnBatch = Callable[[int, int], None]   # (index of the batch just written, rows in it)


def node_payload(label_name: str, rows: Iterable[dict[str, Any]]) -> list[dict]:
    """Turn node rows (the key and other properties) into ``$rows`` for merge_nodes.

    None values are left out, so a source that lacks a field never erases what another
    source said.

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
    return payload


def relationship_payload(rows: Iterable[tuple]) -> list[dict]:
    """Turn ``(start_key, end_key[, props])`` tuples into ``$rows`` for merge_relationships:
    one row per start node with its ends, in the order the starts first appear."""
    grouped: dict[Any, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(
            {"end": row[1], "props": dict(row[2]) if len(row) > 2 else {}})
    return [{"start": start, "ends": ends} for start, ends in grouped.items()]


def relationship_batches(payload: Sequence[dict], size: int) -> list[list[dict]]:
    """Cut grouped relationship rows into batches of about ``size`` relationships each."""
    result, current, count = [], [], 0
    for row in payload:
        current.append(row)
        count += len(row["ends"])
        if count >= size:
            result.append(current)
            current, count = [], 0
    if current:
        result.append(current)
    return result


def batches(payload: Sequence[dict], size: int) -> list[Sequence[dict]]:
    """Cut a payload into the batches the writer sends, one transaction each."""
    return [payload[i:i + size] for i in range(0, len(payload), size)]


def load_nodes(graph, label_name: str, rows: Iterable[dict[str, Any]], *,
               on_batch: OnBatch | None = None, skip_batches: int = 0) -> int:
    """Upsert nodes of one label; return the number of rows written."""
    query = cypher.merge_nodes(label_name)
    written = 0
    size = graph.settings.write_batch_size
    for index, batch in enumerate(batches(node_payload(label_name, rows), size)):
        if index < skip_batches:
            continue
        graph.write(query, {"rows": list(batch)})
        written += len(batch)
        if on_batch:
            on_batch(index, len(batch))
    return written


def load_relationships(graph, type_name: str, rows: Iterable[tuple], *,
                       on_batch: OnBatch | None = None, skip_batches: int = 0) -> int:
    """Upsert relationships of one type from ``(start_key, end_key[, props])`` tuples.

    Raises:
        IngestError: some rows name a start or end node that does not exist; nothing is
            dropped silently.
    """
    payload = relationship_payload(rows)
    has_properties = any(end["props"] for row in payload for end in row["ends"])
    query = (cypher.merge_relationships(type_name) if has_properties
             else cypher.add_missing_relationships(type_name))
    merged = 0
    size = graph.settings.write_batch_size
    for index, batch in enumerate(relationship_batches(payload, size)):
        if index < skip_batches:
            continue
        expected = sum(len(row["ends"]) for row in batch)
        done = graph.write(query, {"rows": batch}).single_value() or 0
        if done != expected:
            rel = schema.relationship(type_name)
            raise IngestError(
                f"{type_name}: {expected - done} of {expected} rows name a {rel.start} "
                f"or {rel.end} that is not in the graph (first rows: {batch[:3]!r})")
        merged += done
        if on_batch:
            on_batch(index, expected)
    return merged
