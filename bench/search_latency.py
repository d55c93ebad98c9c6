"""Latency of a search on the demo district, p50 and p95, with the time of each stage.

Two figures: the *search* the issue times — parse + embed + retrieve + filter + explain for
venues, volunteers and organizations — and the whole *proposal*, which adds the residents to
invite (with their participation scores) and the joint matching. Also the query encoder in
ONNX Runtime against torch, same model, same process (the ratio is the point).

Needs a district with embeddings (`make demo`; for ≥ 10,000 resources build a larger one with
`minqing demo --residents 350000 --no-serve` in another data directory and point
MINQING_DATA_DIR and the ports at it). Baseline in the same process: the parse alone.

    .venv/bin/python bench/search_latency.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from harness import percentile, report

from graph.backend import connect
from graph.settings import load_settings
from models.demand import parse_demand, warm_up
from graph.schema import searchable_labels
from models.demand import Demand
from models.embeddings import get_embedder
from models.gazetteer import Gazetteer
from models.proposal import propose

TODAY = dt.date(2025, 6, 30)
DEMANDS = [
    "周六下午在汾西路附近找一间能坐40人的活动室办糖尿病讲座，需要两名会急救的志愿者，邀请261弄的糖尿病老人",
    "a room for 40 people near Fenxi Road on Saturday afternoon for a diabetes talk, two "
    "volunteers who know first aid, and invite the diabetic seniors of Lane 261",
    "下周三上午需要一间会议室开居民议事会，30人，要有投影仪",
    "this Sunday morning a calligraphy class for 20 seniors, one volunteer who teaches calligraphy",
    "明天晚上在临汾路找场地放电影，100人",
    "two volunteers who know sign language for a hearing-impaired residents' meeting on Friday afternoon",
    "防诈骗讲座，邀请独居老人，周四下午，50人",
    "a venue with a piano for a choir rehearsal next Saturday afternoon, 25 people",
    "需要会电脑的志愿者教老人用智能手机，周二下午，邀请80岁以上老人",
    "legal advice session for low-income residents next week, one volunteer lawyer",
    "周日上午在阳曲路附近办健康义诊，需要医疗机构和三名志愿者",
    "a room for 10000 people tomorrow",
]


def _search_only(demand: Demand) -> Demand:
    """The demand without its invitees: what the issue's "whole search" covers."""
    import dataclasses

    return dataclasses.replace(demand, participants=dataclasses.replace(
        demand.participants, tags=[], location=None, age_min=None, age_max=None))


def _encoder_ratio(settings, texts: list[str], engine: str) -> None:
    timings = {}
    for runtime in ("onnx", "torch"):
        embedder = get_embedder(settings.replace(embedding_runtime=runtime))
        embedder.encode(["warm up"])
        ms = []
        for _ in range(3):
            for text in texts:
                started = time.perf_counter()
                embedder.encode([text])
                ms.append((time.perf_counter() - started) * 1000)
        timings[runtime] = statistics.median(ms)
        report(f"search_encode_query_{runtime}_p50", timings[runtime], "ms", len(ms), engine)
    report("search_encode_onnx_to_torch_ratio", timings["onnx"] / timings["torch"], "ratio",
           len(texts) * 3, engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings()
    graph = connect(settings)
    engine = graph.engine
    resources = sum(graph.read(f"MATCH (n:{name}) RETURN count(n) AS n").single_value()
                    for name in searchable_labels())
    report("search_resources", resources, "nodes", 1, engine, target=">= 10000")
    gazetteer = Gazetteer.from_graph(graph)
    warm_up(gazetteer)
    embedder = get_embedder(settings)
    embedder.encode(["warm up"])
    for text in DEMANDS:  # loads the vector copies and the program sizes once
        propose(graph, embedder, parse_demand(text, today=TODAY, gazetteer=gazetteer))

    parse_ms, search_ms, proposal_ms = [], [], []
    stages: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for text in DEMANDS:
            started = time.perf_counter()
            demand = parse_demand(text, today=TODAY, gazetteer=gazetteer)
            parse_ms.append((time.perf_counter() - started) * 1000)
            propose(graph, embedder, _search_only(demand))
            search_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            demand = parse_demand(text, today=TODAY, gazetteer=gazetteer)
            proposal = propose(graph, embedder, demand)
            proposal_ms.append((time.perf_counter() - started) * 1000)
            for stage, ms in proposal.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
    n = len(search_ms)
    report("search_p50", percentile(search_ms, 50), "ms", n, engine, target="<= 50")
    report("search_p95", percentile(search_ms, 95), "ms", n, engine, target="<= 150")
    report("proposal_p50", percentile(proposal_ms, 50), "ms", n, engine)
    report("proposal_p95", percentile(proposal_ms, 95), "ms", n, engine)
    report("search_parse_p50_baseline", percentile(parse_ms, 50), "ms", n, engine)
    for stage, values in stages.items():
        report(f"proposal_stage_{stage}_p50", statistics.median(values), "ms", len(values),
               engine)
    report("search_to_parse_ratio", percentile(search_ms, 50) / percentile(parse_ms, 50),
           "ratio", n, engine)
    _encoder_ratio(settings, DEMANDS, engine)


if __name__ == "__main__":
    main()
