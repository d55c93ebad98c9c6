"""Demand parser latency (p50/p95 per demand) and how many date phrases dateparser reads alone.

    python bench/demand_parse.py [--repeat 100] [--fixture]

Parses the 51 demands of tests/models/test_demand.py ``repeat`` times each, in one process,
against the demo district's gazetteer (read from the running embedded ArcadeDB; ``--fixture``
uses the in-code fixture one). Baseline: ``str.split`` of the same texts, the cheapest
"parse" there is. The first parse (loading jieba's dictionary and dateparser) is timed
apart. Then each date phrase of PHRASES goes through dateparser 1.5 alone, to show which
phrase classes needed rules of our own.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import percentile, report  # noqa: E402

TODAY = date(2025, 6, 25)
# (phrase, language, expected start) — our rules' reading; dateparser must give the same day.
PHRASES = [
    ("today", "en", "2025-06-25"), ("tomorrow", "en", "2025-06-26"),
    ("this Saturday", "en", "2025-06-28"), ("Saturday afternoon", "en", "2025-06-28T13:00"),
    ("this Saturday afternoon", "en", "2025-06-28T13:00"), ("next Wednesday", "en", "2025-07-02"),
    ("next Monday morning", "en", "2025-06-30T08:00"), ("next week", "en", "2025-06-30"),
    ("July 5", "en", "2025-07-05"), ("5th of July 2025", "en", "2025-07-05"),
    ("in 3 days", "en", "2025-06-28"), ("tonight", "en", "2025-06-25T18:00"),
    ("今天", "zh", "2025-06-25"), ("明天", "zh", "2025-06-26"), ("后天", "zh", "2025-06-27"),
    ("周六", "zh", "2025-06-28"), ("星期六", "zh", "2025-06-28"), ("本周六", "zh", "2025-06-28"),
    ("这周六", "zh", "2025-06-28"), ("下周三", "zh", "2025-07-02"), ("下周", "zh", "2025-06-30"),
    ("周六下午", "zh", "2025-06-28T13:00"), ("本周六下午", "zh", "2025-06-28T13:00"),
    ("下周三上午", "zh", "2025-07-02T08:00"), ("7月5日", "zh", "2025-07-05"),
    ("2025年7月5日", "zh", "2025-07-05"), ("三天后", "zh", "2025-06-28"),
    ("今晚", "zh", "2025-06-25T18:00"), ("明天晚上", "zh", "2025-06-26T18:00"),
    ("周末", "zh", "2025-06-28"),
]


def _gazetteer(use_fixture: bool):
    from models.gazetteer import Gazetteer

    if use_fixture:
        return Gazetteer.from_fixture(), "fixture"
    from graph.backend import connect
    from graph.settings import load_settings

    graph = connect(load_settings())
    try:
        return Gazetteer.from_graph(graph), "demo"
    finally:
        graph.close()


def _dateparser_hits() -> tuple[int, int, list[str]]:
    """Return (phrases dateparser reads as our rules do, phrases with a time part, misses)."""
    import dateparser

    hits, misses = 0, []
    for phrase, language, expected in PHRASES:
        got = dateparser.parse(phrase, languages=[language], settings={
            "RELATIVE_BASE": datetime.combine(TODAY, clock(10)), "PREFER_DATES_FROM": "future"})
        want = datetime.fromisoformat(expected)
        # A day-only phrase counts when the day is right; a part of the day when dateparser
        # lands inside it (it reads "afternoon" as 15:00, our window is 13:00-17:00).
        ok = got is not None and got.date() == want.date() and (
            "T" not in expected or want <= got <= want.replace(hour=want.hour + 4))
        hits += ok
        if not ok:
            misses.append(f"{phrase} ({got:%Y-%m-%d %H:%M})" if got else phrase)
    return hits, len(PHRASES), misses


def main(argv=None) -> None:
    """Print the parse latency figures and the dateparser coverage as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--fixture", action="store_true", help="fixture gazetteer, no database")
    args = parser.parse_args(argv)

    from models.demand import parse_demand
    from tests.models.test_demand import CASES

    texts = [text for text, _ in CASES]
    gazetteer, where = _gazetteer(args.fixture)
    start = time.perf_counter()
    parse_demand(CASES[1][0], today=TODAY, gazetteer=gazetteer)
    first = time.perf_counter() - start

    parse_times, split_times = [], []
    for _ in range(args.repeat):
        for text in texts:
            t0 = time.perf_counter()
            parse_demand(text, today=TODAY, gazetteer=gazetteer)
            t1 = time.perf_counter()
            text.split()
            t2 = time.perf_counter()
            parse_times.append(t1 - t0)
            split_times.append(t2 - t1)
    n = len(parse_times)
    p50, p95 = percentile(parse_times, 50) * 1000, percentile(parse_times, 95) * 1000
    base = percentile(split_times, 50) * 1000
    report("demand_parse_first_call", first * 1000, "ms", 1, "none", gazetteer=where)
    report("demand_parse_p50", p50, "ms", n, "none", gazetteer=where)
    report("demand_parse_p95", p95, "ms", n, "none", gazetteer=where)
    report("demand_parse_max", max(parse_times) * 1000, "ms", n, "none", gazetteer=where)
    report("str_split_p50", base, "ms", n, "none")
    report("demand_parse_p50_over_split", p50 / base, "ratio", n, "none")
    hits, total, misses = _dateparser_hits()
    report("dateparser_alone_coverage", hits / total, "share", total, "none",
           hits=hits, misses=misses)


if __name__ == "__main__":
    main()
