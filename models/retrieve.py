"""Retrieval primitives over the graph's indexes: vector search, full-text search, RRF fusion.

Both searches run the Neo4j 5 index procedures (``db.index.vector.queryNodes``,
``db.index.fulltext.queryNodes``), which the embedded ArcadeDB answers too, on the indexes
``graph.schema`` names. Graph filters go *inside* retrieval through ``where``: a Cypher
boolean expression over the variable ``node`` (properties from graph.schema, values as
``$params``), applied to the candidates before the top-k cut.

Recall trade-off of filters (see docs/SEARCH.md): a vector index returns only its ``fetch``
nearest candidates, so a selective filter can leave fewer than ``k`` of them. ``vector_search``
therefore over-fetches (``fetch = max(k * overfetch, 50)``) and, while fewer than ``k``
candidates pass, fetches four times as many again, up to every node of the label — exact
recall at the cost of latency for very selective filters. ``hybrid_search`` avoids that
cost: it ranks a label's vectors exactly in process (``models.vector_cache``) and runs the
filter in Cypher on the candidates in that order; only labels too large for the cache go
to the index. Full-text search returns every match, so its filter never loses a hit.

Chinese in full-text search: ArcadeDB's (and Neo4j's standard) analyzer indexes each Han
character as its own token and ignores phrase adjacency, so "会议室" also matches "议会 室内".
``lucene_query`` segments Chinese with jieba and asks for all the characters of each word
(``(会 AND 议 AND 室)``), words OR-ed with each other and with the Latin words.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from graph.schema import (EMBEDDING_PROPERTY, fulltext_index_name, key_of, label,
                          vector_index_name)
from models.vector_cache import VECTORS, VectorCache, filter_query, load_query

# Parameters the search queries use themselves; a filter's own $params must not clash.
RESERVED_PARAMS = {"index", "fetch", "vector", "q", "k", "keys"}
MAX_QUERY_TERMS = 48
_STOP_WORDS = {
    "a", "an", "the", "for", "of", "to", "in", "on", "at", "and", "or", "not", "with", "by",
    "near", "need", "needs", "we", "our", "us", "is", "are", "be", "who", "that", "some",
    "please", "i", "my", "it", "as", "from", "can",
}
_CHINESE_STOP = set("的了和与及在是我们要请把给个位一名吗呢啊找需")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_TERMS = re.compile(r"[\u4e00-\u9fff]+|[^\W_]+")


@dataclass(frozen=True)
class Hit:
    """One node found by one retriever: its key, raw score, 1-based rank and properties."""

    label: str
    key: str
    score: float
    rank: int
    props: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class FusedHit:
    """A node after fusion: its RRF score and its rank in each list that found it."""

    label: str
    key: str
    score: float
    ranks: dict[str, int]
    props: dict[str, Any] = field(default_factory=dict, compare=False)


def escape_lucene(term: str) -> str:
    r"""Backslash-escape Lucene's query-syntax characters in ``term``.

    >>> escape_lucene("first aid (CPR)")
    'first aid \\(CPR\\)'
    """
    return _LUCENE_SPECIAL.sub(r"\\\1", term)


def _segment(run: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(run) if w.strip()]


def lucene_query(text: str) -> str | None:
    """Turn free text into a safe Lucene query (OR of words); None when no word is left.

    Latin words are lower-cased (so AND/OR/NOT stay words) and stop words dropped; Chinese
    runs are segmented with jieba and each word asks for all of its characters.

    >>> lucene_query("Room for 40 people AND projector")
    'room OR 40 OR people OR projector'
    >>> lucene_query("会议室") == "(会 AND 议 AND 室)"
    True
    >>> lucene_query("  ") is None
    True
    """
    terms: list[str] = []
    for run in _TERMS.findall(text or ""):
        if re.match(r"[\u4e00-\u9fff]", run):
            for word in _segment(run):
                chars = [c for c in word if c not in _CHINESE_STOP]
                if len(word) == 1 and not chars:
                    continue
                if chars:
                    terms.append(chars[0] if len(chars) == 1
                                 else "(" + " AND ".join(chars) + ")")
        else:
            word = run.lower()
            if word not in _STOP_WORDS:
                terms.append(escape_lucene(word))
    unique = list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]
    return " OR ".join(unique) or None


# Blank the vector in returned properties: callers explain hits, they need no floats.
_PROPS = f"node{{.*, {EMBEDDING_PROPERTY}: null}}"


def _return_clause(label_name: str, with_props: bool = True) -> str:
    key = key_of(label_name)
    props = _PROPS if with_props else "null"
    return (f"RETURN node.{key} AS key, score, {props} AS props "
            "ORDER BY score DESC LIMIT $k")


def vector_query(label_name: str, where: str | None = None) -> str:
    """Cypher for the vector search on ``label_name``'s index, with an optional filter."""
    label(label_name)
    filter_clause = f"WHERE {where} " if where else ""
    return ("CALL db.index.vector.queryNodes($index, $fetch, $vector) YIELD node, score "
            f"{filter_clause}{_return_clause(label_name)}")


def fulltext_query(label_name: str, where: str | None = None, with_props: bool = True) -> str:
    """Cypher for the full-text search on ``label_name``'s index, with an optional filter."""
    label(label_name)
    filter_clause = f"WHERE {where} " if where else ""
    return ("CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
            f"{filter_clause}{_return_clause(label_name, with_props)}")


def details_query(label_name: str) -> str:
    """Cypher returning the properties of the nodes whose keys are ``$keys``."""
    key = key_of(label(label_name))
    return (f"UNWIND $keys AS key MATCH (node:{label_name} {{{key}: key}}) "
            f"RETURN node.{key} AS key, {_PROPS} AS props")


def _check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    params = dict(params or {})
    clash = RESERVED_PARAMS & set(params)
    if clash:
        raise ValueError(f"filter parameters {sorted(clash)} clash with the search's own "
                         f"({', '.join(sorted(RESERVED_PARAMS))}); rename them")
    return params


def _hits(label_name: str, rows: list[dict]) -> list[Hit]:
    return [Hit(label_name, row["key"], float(row["score"]), rank, row["props"] or {})
            for rank, row in enumerate(rows, start=1)]


def vector_search(graph, label_name: str, vector, k: int, where: str | None = None,
                  params: Mapping[str, Any] | None = None, *, overfetch: int = 10
                  ) -> list[Hit]:
    """Return the ``k`` nodes of ``label_name`` nearest to ``vector`` that pass ``where``.

    Args:
        vector: a query embedding of the schema's dimensions (list or numpy array).
        where: Cypher boolean over ``node``, e.g. ``"node.capacity >= $seats"``.
        params: values for the filter's ``$params``.
        overfetch: candidates fetched per wanted hit before filtering; grown ×4 while too
            few pass, up to all nodes of the label.

    Raises:
        QueryError: the engine refused the query (e.g. wrong vector size, bad filter).
    """
    params = _check_params(params)
    if k < 1:
        return []
    vector = [float(x) for x in vector]
    query = vector_query(label_name, where)
    fetch = max(k * overfetch, 50) if where else k
    total = None
    while True:
        rows = graph.read(query, {**params, "index": vector_index_name(label_name),
                                  "fetch": fetch, "vector": vector, "k": k}).rows
        if len(rows) >= k or not where:
            return _hits(label_name, rows)
        if total is None:
            total = graph.read(f"MATCH (n:{label(label_name)}) RETURN count(n) AS n"
                               ).single_value()
        if fetch >= total:
            return _hits(label_name, rows)
        fetch = min(fetch * 4, total)


def fulltext_search(graph, label_name: str, text: str, k: int, where: str | None = None,
                    params: Mapping[str, Any] | None = None, *, with_props: bool = True
                    ) -> list[Hit]:
    """Return the ``k`` best full-text matches of free ``text`` that pass ``where``.

    The text goes through ``lucene_query`` first, so no user input reaches the Lucene
    parser unescaped; text with no searchable word returns no hits.

    Raises:
        QueryError: the engine refused the query (e.g. a bad filter).
    """
    params = _check_params(params)
    q = lucene_query(text)
    if q is None or k < 1:
        return []
    rows = graph.read(fulltext_query(label_name, where, with_props),
                      {**params, "index": fulltext_index_name(label_name), "q": q,
                       "k": k}).rows
    return _hits(label_name, rows)


def rrf(ranked_lists: Mapping[str, Sequence[Hit]], k: int = 60) -> list[FusedHit]:
    """Fuse ranked lists by reciprocal rank: score = sum over lists of 1 / (k + rank).

    Each fused hit keeps its rank in every list that found it (for explanations). Ties are
    broken by key so the order is deterministic.

    >>> a = [Hit("Venue", "V1", 0.9, 1), Hit("Venue", "V2", 0.8, 2)]
    >>> b = [Hit("Venue", "V2", 7.0, 1)]
    >>> [(h.key, h.ranks) for h in rrf({"vector": a, "fulltext": b})]
    [('V2', {'vector': 2, 'fulltext': 1}), ('V1', {'vector': 1})]
    """
    fused: dict[tuple[str, str], FusedHit] = {}
    for list_name, hits in ranked_lists.items():
        for hit in hits:
            entry = fused.setdefault((hit.label, hit.key),
                                     FusedHit(hit.label, hit.key, 0.0, {}, dict(hit.props)))
            if list_name in entry.ranks:
                continue  # a list naming a node twice counts it once, at its best rank
            entry.ranks[list_name] = hit.rank
            entry.score += 1.0 / (k + hit.rank)
    return sorted(fused.values(), key=lambda h: (-h.score, h.key))


def nearest(graph, label_name: str, vector, k: int, where: str | None = None,
            params: Mapping[str, Any] | None = None, *, cache: VectorCache = VECTORS
            ) -> list[Hit]:
    """The ``k`` nodes nearest to ``vector`` that pass ``where``, without their properties:
    ranked exactly in process when the label fits the cache, else by the vector index."""
    params = _check_params(params)
    found = cache.search(graph, label_name, vector, k, where, params)
    if found is None:
        return vector_search(graph, label_name, vector, k, where, params)
    return [Hit(label_name, key, score, rank) for rank, (key, score) in enumerate(found, 1)]


def hybrid_search(graph, embedder, label_name: str, text: str, k: int,
                  where: str | None = None, params: Mapping[str, Any] | None = None, *,
                  fetch_each: int | None = None, rrf_k: int = 60,
                  details: str | None = None) -> list[FusedHit]:
    """Vector and full-text search for ``text`` on one label, fused by RRF; top ``k``.

    Both lists return keys only; the properties of the ``k`` fused hits are read in one
    query afterwards — ``details`` (Cypher over ``$keys`` returning ``key`` and ``props``)
    when the caller needs more than the node's own properties, e.g. a volunteer's home.
    """
    each = fetch_each or max(k * 3, 20)
    vector = embedder.encode([text or ""])[0]
    lists = {"vector": nearest(graph, label_name, vector, each, where, params),
             "fulltext": fulltext_search(graph, label_name, text, each, where, params,
                                         with_props=False)}
    fused = rrf(lists, k=rrf_k)[:k]
    if fused:
        rows = graph.read(details or details_query(label_name),
                          {"keys": [hit.key for hit in fused]}).rows
        props = {row["key"]: row["props"] or {} for row in rows}
        for hit in fused:
            hit.props = props.get(hit.key, {})
    return fused


def all_retrieve_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name, with a sample filter (for the lint)."""
    from graph.schema import searchable_labels

    queries = {}
    for name in searchable_labels():
        queries[f"retrieve vector {name}"] = vector_query(name)
        queries[f"retrieve fulltext {name}"] = fulltext_query(name)
        queries[f"retrieve fulltext keys {name}"] = fulltext_query(name, with_props=False)
        queries[f"retrieve details {name}"] = details_query(name)
        queries[f"retrieve vector cache load {name}"] = load_query(name)
    queries["retrieve vector filtered"] = vector_query("Venue", "node.capacity >= $seats")
    queries["retrieve fulltext filtered"] = fulltext_query("Venue", "node.capacity >= $seats")
    queries["retrieve vector cache filter"] = filter_query("Venue", "node.capacity >= $seats")
    queries["retrieve count"] = "MATCH (n:Venue) RETURN count(n) AS n"
    return queries
