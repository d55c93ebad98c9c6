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
    return [{"key": row[key], "props": {k: v for k, v in row.items()
                                        if k != key and v is not None}}
            for row in _rows_with_keys(label_name, rows)]


def group_by_start(rows: Iterable[tuple]) -> list[tuple[Any, list[tuple]]]:
    """Group ``(start_key, end_key[, props])`` tuples by start node, in the order the
    starts first appear; the groups hold the caller's tuples, not copies."""
    grouped: dict[Any, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return list(grouped.items())


def relationship_payload(groups: Iterable[tuple[Any, list[tuple]]]) -> list[dict]:
    """Turn grouped tuples (``group_by_start``) into ``$rows`` for merge_relationships:
    ``{"start": key, "ends": [{"end": key, "props": {...}}, ...]}``."""
    return [{"start": start, "ends": [{"end": row[1], "props": dict(row[2]) if len(row) > 2
                                       else {}} for row in rows]}
            for start, rows in groups]


def relationship_batches(groups: Sequence[tuple[Any, list[tuple]]],
                         size: int) -> list[Sequence[tuple[Any, list[tuple]]]]:
    """Cut grouped relationship tuples into batches of about ``size`` relationships each
    (a start node's relationships stay in one batch)."""
    result, first, count = [], 0, 0
    for index, (_, rows) in enumerate(groups):
        count += len(rows)
        if count >= size:
            result.append(groups[first:index + 1])
            first, count = index + 1, 0
    if first < len(groups):
        result.append(groups[first:])
    return result


def batches(payload: Sequence[dict], size: int) -> list[Sequence[dict]]:
    """Cut a payload into the batches the writer sends, one transaction each."""
    return [payload[i:i + size] for i in range(0, len(payload), size)]


def load_nodes(graph, label_name: str, rows: Iterable[dict[str, Any]], *,
               on_batch: OnBatch | None = None, skip_batches: int = 0) -> int:
    """Upsert nodes of one label; return the number of rows written.

    Every row's key is checked before the first write; the ``$rows`` payload is built one
    batch at a time, so a million residents are never held twice.
    """
    query = cypher.merge_nodes(label_name)
    rows = _rows_with_keys(label_name, rows)
    written = 0
    size = graph.settings.write_batch_size
    for index, batch in enumerate(batches(rows, size)):
        if index < skip_batches:
            continue
        graph.write(query, {"rows": node_payload(label_name, batch)})
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
    groups = group_by_start(rows)
    has_properties = any(len(row) > 2 and row[2] for _, group in groups for row in group)
    query = (cypher.merge_relationships(type_name) if has_properties
             else cypher.add_missing_relationships(type_name))
    merged = 0
    size = graph.settings.write_batch_size
    for index, batch_groups in enumerate(relationship_batches(groups, size)):
        if index < skip_batches:
            continue
        batch = relationship_payload(batch_groups)
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


def _rows_with_keys(label_name: str, rows: Iterable[dict[str, Any]]) -> Sequence[dict]:
    """``rows`` as a sequence, after checking that each has its label's key.

    Raises:
        IngestError: a row has no value for the label's key (numbered from 1).
    """
    key = schema.key_of(label_name)
    rows = rows if isinstance(rows, Sequence) else list(rows)
    for number, row in enumerate(rows, start=1):
        if row.get(key) in (None, ""):
            raise IngestError(f"{label_name} row {number} has no {key}: {row!r}")
    return rows
