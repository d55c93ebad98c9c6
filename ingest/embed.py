"""Write search text and embeddings onto the graph's searchable nodes, only where they changed.

For each node of a searchable label the search text is rebuilt from its properties
(models.search_text); a node is embedded again only when that text differs from the stored
``search_text``, when it has no ``embedding``, or when its ``embedding_model`` is not the
current embedder's — so a second run embeds nothing, and swapping the model re-embeds all.

Indexes: ``graph.schema`` declares a full-text and a vector (ArcadeDB ``LSM_VECTOR``) index
on every searchable label. Both take writes made after they were created (checked in
tests/models/test_retrieve.py), so nothing is rebuilt here; ``embed_graph`` only applies the
schema first (idempotent) so the indexes exist before the first vector is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from graph.backend import batch_timeout_ms
from graph.schema import (EMBEDDING_PROPERTY, SEARCH_TEXT_PROPERTY, SchemaError, init_schema,
                          key_of, label, searchable_labels)
from models.embeddings import Embedder
from models.search_text import search_text


@dataclass
class LabelReport:
    """What one label's pass found and did."""

    nodes: int = 0
    embedded: int = 0


@dataclass
class EmbedReport:
    """Per-label counts of one ``embed_graph`` run."""

    model: str
    labels: dict[str, LabelReport] = field(default_factory=dict)

    @property
    def embedded(self) -> int:
        return sum(r.embedded for r in self.labels.values())

    def as_dict(self) -> dict:
        return {"model": self.model, "embedded": self.embedded,
                "labels": {name: vars(r) for name, r in self.labels.items()}}


def read_nodes_query(label_name: str) -> str:
    """Cypher returning each node's key, its properties (without the vector) and its model."""
    lab, key = label(label_name), key_of(label_name)
    # The map projection blanks the vector: 384 floats a node are not worth the round trip.
    return (f"MATCH (n:{lab}) RETURN n.{key} AS key, n{{.*, {EMBEDDING_PROPERTY}: null}} AS "
            f"props, n.{EMBEDDING_PROPERTY} IS NULL AS missing, n.embedding_model AS model")


def write_embeddings_query(label_name: str) -> str:
    """Cypher setting search text, vector and model name on nodes from ``$rows``."""
    lab, key = label(label_name), key_of(label_name)
    return (f"UNWIND $rows AS row MATCH (n:{lab} {{{key}: row.key}}) "
            f"SET n.{SEARCH_TEXT_PROPERTY} = row.text, n.{EMBEDDING_PROPERTY} = row.embedding, "
            "n.embedding_model = row.model")


def stale_nodes(rows: Iterable[dict], label_name: str, model: str, *,
                force: bool = False) -> list[dict]:
    """Return ``{key, text}`` for the rows whose text, vector or model is out of date (pure)."""
    stale = []
    for row in rows:
        props = row["props"] or {}
        text = search_text(label_name, props)
        if force or row["missing"] or row["model"] != model \
                or props.get(SEARCH_TEXT_PROPERTY) != text:
            stale.append({"key": row["key"], "text": text})
    return stale


def embed_graph(graph, embedder: Embedder, labels: Iterable[str] | None = None, *,
                force: bool = False, batch_size: int | None = None,
                progress: Callable[[str, int], Callable[[int], None]] | None = None
                ) -> EmbedReport:
    """Embed the searchable nodes whose search text changed; return what was done.

    Args:
        labels: searchable labels to visit (default: all of them).
        force: re-embed every node even when nothing changed.
        batch_size: nodes per embed-and-write batch (default: embedding_batch_size).
        progress: ``progress(label, total)`` returns a callback taking the batch size done.

    Raises:
        SchemaError: a label is not declared or not searchable.
    """
    wanted = list(labels) if labels else searchable_labels()
    for name in wanted:
        if label(name) not in searchable_labels():
            raise SchemaError(f"{name} is not searchable; searchable labels: "
                             f"{', '.join(searchable_labels())}")
    init_schema(graph)
    size = batch_size or int(graph.settings.embedding_batch_size)
    report = EmbedReport(model=embedder.name)
    for name in wanted:
        rows = graph.read(read_nodes_query(name),
                          timeout_ms=batch_timeout_ms(graph.settings)).rows
        stale = stale_nodes(rows, name, embedder.name, force=force)
        report.labels[name] = LabelReport(nodes=len(rows), embedded=len(stale))
        tick = progress(name, len(stale)) if progress and stale else None
        query = write_embeddings_query(name)
        for start in range(0, len(stale), size):
            batch = stale[start:start + size]
            vectors = embedder.encode([row["text"] for row in batch])
            graph.write(query, {"rows": [
                {"key": row["key"], "text": row["text"], "embedding": vector.tolist(),
                 "model": embedder.name} for row, vector in zip(batch, vectors)]})
            if tick:
                tick(len(batch))
    return report


def all_embed_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the Cypher lint test)."""
    queries = {}
    for name in searchable_labels():
        queries[f"embed read {name}"] = read_nodes_query(name)
        queries[f"embed write {name}"] = write_embeddings_query(name)
    return queries
