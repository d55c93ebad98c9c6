"""Exact nearest neighbours from an in-process copy of a label's embeddings.

The resources search ranks (venues, volunteers, organizations, services: thousands, not
millions) fit in a few megabytes, and a matrix product over all of them takes well under a
millisecond. Ranking them here, exactly, replaces the vector index's approximate top-k and,
with a filter, its over-fetch loop: on the embedded engine a filtered index search that had to
widen to every volunteer cost more than the rest of a search together (docs/BENCHMARKS.md).
The graph filter still runs in Cypher: one scan of the label returns the keys of every node
that passes (as one list, not one row each), and the ranking keeps those — so a filter never
loses a match and one filter language serves both paths. Measured on the demo district, a
scan of 2,000 volunteers costs less than looking up 480 of them by key.

The copy is reloaded after ``ttl_s`` seconds (and can be dropped with ``invalidate``): a
resource embedded a moment ago is found by full-text search at once and by vector search
within the TTL. Labels with more than ``max_nodes`` embedded nodes are left to the index.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from graph.schema import EMBEDDING_PROPERTY, key_of, label

DEFAULT_TTL_S = 300.0
DEFAULT_MAX_NODES = 50_000  # 50,000 × 384 float32 = 77 MB


@dataclass(frozen=True)
class _Matrix:
    keys: np.ndarray  # object array of node keys, row-aligned with vectors
    vectors: np.ndarray  # (n, dims) float32, rows of length 1
    loaded_at: float


def load_query(label_name: str) -> str:
    """Cypher returning every embedded node of ``label_name``: its key and its vector."""
    key = key_of(label(label_name))
    return (f"MATCH (n:{label_name}) WHERE n.{EMBEDDING_PROPERTY} IS NOT NULL "
            f"RETURN n.{key} AS key, n.{EMBEDDING_PROPERTY} AS vector")


def filter_query(label_name: str, where: str) -> str:
    """Cypher returning, as one list, the keys of the nodes that pass ``where`` (a condition
    on ``node``)."""
    key = key_of(label(label_name))
    return (f"MATCH (node:{label_name}) WHERE {where} "
            f"RETURN collect(node.{key}) AS keys")


class VectorCache:
    """Per-graph, per-label embedding matrices, loaded on first use and after ``ttl_s``."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S, max_nodes: int = DEFAULT_MAX_NODES):
        self.ttl_s = ttl_s
        self.max_nodes = max_nodes
        self._matrices: dict[tuple[str, str, str], _Matrix | None] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget every loaded matrix (after re-embedding in this process)."""
        with self._lock:
            self._matrices.clear()

    def matrix(self, graph, label_name: str) -> _Matrix | None:
        """The label's matrix, or None when it has more than ``max_nodes`` embedded nodes."""
        cache_key = (getattr(graph, "uri", ""), getattr(graph, "database", ""), label_name)
        with self._lock:
            entry = self._matrices.get(cache_key, False)
            fresh = entry is not False and (
                entry is None or time.monotonic() - entry.loaded_at < self.ttl_s)
            if fresh:
                return entry
            # Loading under the lock: concurrent searches of one label wait for one load
            # rather than each reading every vector.
            result = graph.read(load_query(label_name), max_rows=self.max_nodes + 1)
            if result.truncated:
                entry = None
            else:
                rows = [r for r in result.rows if r["vector"] is not None]
                keys = np.array([r["key"] for r in rows], dtype=object)
                vectors = (np.asarray([r["vector"] for r in rows], dtype=np.float32)
                           if rows else np.zeros((0, 0), dtype=np.float32))
                if len(vectors):
                    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                    vectors = vectors / np.where(norms == 0, 1, norms)
                entry = _Matrix(keys, vectors, time.monotonic())
            self._matrices[cache_key] = entry
            return entry

    def search(self, graph, label_name: str, vector, k: int, where: str | None = None,
               params: Mapping[str, Any] | None = None) -> list[tuple[str, float]] | None:
        """The ``k`` (key, cosine) pairs nearest to ``vector`` that pass ``where``, best
        first; None when the label is too large for the cache (use the index then)."""
        matrix = self.matrix(graph, label_name)
        if matrix is None:
            return None
        if k < 1 or not len(matrix.keys):
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if matrix.vectors.shape[1] != query.shape[0]:
            from graph.errors import QueryError

            raise QueryError(f"a {query.shape[0]}-dimensional query vector for {label_name} "
                             f"embeddings of {matrix.vectors.shape[1]} dimensions; re-embed "
                             "with `minqing embed --all`")
        scores = matrix.vectors @ query
        if where:
            passing = set(graph.read(filter_query(label_name, where),
                                     dict(params or {})).single_value() or [])
            rows = np.flatnonzero([key in passing for key in matrix.keys])
        else:
            rows = np.arange(len(matrix.keys))
        # Best first; ties in key order, so a search repeats itself exactly.
        best = sorted(rows, key=lambda i: (-scores[i], matrix.keys[i]))[:k] \
            if len(rows) <= 4 * k else _top(rows, scores, matrix.keys, k)
        return [(matrix.keys[i], float(scores[i])) for i in best]


def _top(rows: np.ndarray, scores: np.ndarray, keys: np.ndarray, k: int) -> list[int]:
    # argpartition finds the k best in linear time; only those are sorted.
    part = rows[np.argpartition(-scores[rows], k - 1)[:k]]
    return sorted(part, key=lambda i: (-scores[i], keys[i]))


VECTORS = VectorCache()
