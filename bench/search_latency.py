"""Latency of a whole search on the demo district: parse + embed + retrieve + filter + match +
explain, p50 and p95, with the time of each stage.

Needs the demo district with embeddings (`make demo`). Baseline in the same process: the
parse alone. The embedder is the configured one (all-MiniLM-L6-v2 by default).

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings()
    graph = connect(settings)
    gazetteer = Gazetteer.from_graph(graph)
    warm_up(gazetteer)
    embedder = get_embedder(settings)
    embedder.encode(["warm up"])
    engine = graph.engine
    propose(graph, embedder, parse_demand(DEMANDS[0], today=TODAY, gazetteer=gazetteer))

    parse_ms, total_ms, encode_ms = [], [], []
    stages: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for text in DEMANDS:
            started = time.perf_counter()
            demand = parse_demand(text, today=TODAY, gazetteer=gazetteer)
            parse_ms.append((time.perf_counter() - started) * 1000)
            proposal = propose(graph, embedder, demand)
            total_ms.append((time.perf_counter() - started) * 1000)
            for stage, ms in proposal.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
            started = time.perf_counter()
            embedder.encode([demand.query_text() or text])
            encode_ms.append((time.perf_counter() - started) * 1000)
    n = len(total_ms)
    report("search_total_p50", percentile(total_ms, 50), "ms", n, engine, target="<= 50")
    report("search_total_p95", percentile(total_ms, 95), "ms", n, engine, target="<= 150")
    report("search_parse_p50_baseline", percentile(parse_ms, 50), "ms", n, engine)
    report("search_encode_query_p50", percentile(encode_ms, 50), "ms", n, engine)
    for stage, values in stages.items():
        report(f"search_stage_{stage}_p50", statistics.median(values), "ms", len(values), engine)
    report("search_total_to_parse_ratio", percentile(total_ms, 50) / percentile(parse_ms, 50),
           "ratio", n, engine)


if __name__ == "__main__":
    main()
