"""Embedding rate of the real model, and vector / full-text query latency on the demo's resources.

Reads the demo district's searchable nodes (read only), copies them into a scratch database
on the same server, embeds them there with all-MiniLM-L6-v2 (`minqing embed`'s code path),
then times single queries. Run: ``python bench/embed_rate.py [--queries 200]``.
"""

from __future__ import annotations

import argparse
import time

from harness import median, percentile, report, scratch_graph, timed

from graph.backend import connect
from graph.schema import EMBEDDING_PROPERTY, SEARCH_TEXT_PROPERTY, searchable_labels
from graph.settings import load_settings
from ingest.embed import embed_graph
from ingest.load import load_nodes
from models.embeddings import MINILM, get_embedder
from models.retrieve import fulltext_search, vector_search

QUERIES = [
    "a room for 40 people with a projector", "会议室 40人 投影仪", "volunteer who knows first aid",
    "急救 志愿者 周六下午", "party-building unit offering rooms", "长者食堂", "legal advice",
    "心理疏导", "multi purpose hall with sound system", "老年大学电脑班", "clinic near 汾西路",
    "sign language volunteer", "夏季 少儿 托管", "health talk about diabetes", "书法班",
]


def copy_demo_resources(demo, scratch) -> int:
    """Copy the demo's searchable nodes (without text and vectors) into ``scratch``."""
    copied = 0
    for name in searchable_labels():
        rows = demo.read(f"MATCH (n:{name}) RETURN n{{.*, {EMBEDDING_PROPERTY}: null, "
                         f"{SEARCH_TEXT_PROPERTY}: null}} AS p", timeout_ms=600_000).rows
        props = [{k: v for k, v in r["p"].items() if v is not None} for r in rows]
        copied += load_nodes(scratch, name, props)
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=150, help="timed queries per kind")
    args = parser.parse_args()
    settings = load_settings()
    embedder = get_embedder(settings.replace(embedding_model=MINILM))
    embedder.encode(["warm up"])  # model load is not part of the rate
    import torch

    texts = [f"{q} {i}" for i in range(20) for q in QUERIES]
    rates = []
    for _ in range(3):
        seconds, _ = timed(embedder.encode, texts)
        rates.append(len(texts) / seconds)
    report("embed_texts_per_s_short", median(rates), "texts/s", 3, "torch",
           threads=torch.get_num_threads(), batch_size=embedder.batch_size)

    with connect(settings) as demo, scratch_graph("embed_rate") as graph:
        copied = copy_demo_resources(demo, graph)
        seconds, result = timed(embed_graph, graph, embedder)
        report("embed_demo_resources_s", seconds, "s", 1, graph.engine, nodes=copied,
               embedded=result.embedded)
        report("embed_demo_resources_rate", result.embedded / seconds, "nodes/s", 1,
               graph.engine)
        seconds, again = timed(embed_graph, graph, embedder)
        report("embed_second_run_s", seconds, "s", 1, graph.engine, embedded=again.embedded)

        encode_ms, vector_ms, text_ms, filtered_ms = [], [], [], []
        for i in range(args.queries):
            query = QUERIES[i % len(QUERIES)]
            label_name = ("Venue", "Volunteer", "Organization")[i % 3]
            t0 = time.perf_counter()
            vector = embedder.encode([query])[0]
            t1 = time.perf_counter()
            vector_search(graph, label_name, vector, 10)
            t2 = time.perf_counter()
            fulltext_search(graph, label_name, query, 10)
            t3 = time.perf_counter()
            vector_search(graph, "Venue", vector, 10, "node.capacity >= $seats",
                          {"seats": 150})
            t4 = time.perf_counter()
            encode_ms.append((t1 - t0) * 1000)
            vector_ms.append((t2 - t1) * 1000)
            text_ms.append((t3 - t2) * 1000)
            filtered_ms.append((t4 - t3) * 1000)
        for name, values in (("encode_query", encode_ms), ("vector_search", vector_ms),
                             ("fulltext_search", text_ms),
                             ("vector_search_capacity_filter", filtered_ms)):
            report(f"{name}_p50", percentile(values, 50), "ms", len(values), graph.engine)
            report(f"{name}_p95", percentile(values, 95), "ms", len(values), graph.engine)


if __name__ == "__main__":
    main()
