"""Centrality on the demo district's co-participation network (target ≤ 30 s), and the score.

Builds the co-participation network (residents sharing ≥ mobilize_min_shared_activities
programs) from the default (demo) graph, then PageRank, degree centrality and Louvain
communities. Baseline in the same process: reading the bookings alone. Also checks the
participation score: made from records before 2025-01-01, how well it ranks the residents of
one area who booked a program in 2025 (ROC AUC).
"""

from __future__ import annotations

import datetime as dt
import time

from harness import report

from graph.backend import connect
from graph.settings import load_settings
from models import mobilize

AREA = "秀苑居委会"
SPLIT = dt.date(2025, 1, 1)


def main() -> None:
    from sklearn.metrics import roc_auc_score

    settings = load_settings()
    graph = connect(settings)
    t0 = time.perf_counter()
    mobilize._read(graph, "mobilize_bookings", {"before": "9999-12-31"})
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    G = mobilize.resident_network(graph, ("activity",),
                                  min_shared=settings.mobilize_min_shared_activities)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    mobilize.centrality(G)
    found = mobilize.communities(G)
    analyse = time.perf_counter() - t1
    total = build + analyse
    report("mobilize_read_bookings_baseline_s", baseline, "s", 1, graph.engine)
    report("mobilize_coparticipation_centrality_s", total, "s", 1, graph.engine,
           residents=G.number_of_nodes(), ties=G.number_of_edges(), communities=len(found),
           build_s=round(build, 2), centrality_and_louvain_s=round(analyse, 2))
    ids = mobilize.scope_residents(graph, area=AREA)
    t2 = time.perf_counter()
    scores = mobilize.participation_scores(graph, ids, before=SPLIT)
    scoring = time.perf_counter() - t2
    later = {r["resident_id"] for r in graph.read(
        "MATCH (r:Resident)-[k:BOOKED]->(:Program) WHERE r.resident_id IN $ids AND "
        "k.booked_on >= $d RETURN DISTINCT r.resident_id AS resident_id",
        {"ids": ids, "d": SPLIT.isoformat()}).rows}
    auc = roc_auc_score([int(r in later) for r in scores], list(scores.values()))
    report("mobilize_participation_auc_2025", auc, "auc", len(ids), graph.engine,
           area=AREA, took_part=len(later), scoring_s=round(scoring, 2))
    print(f"\n{'figure':<44}{'value':>12}")
    print(f"{'read bookings (baseline)':<44}{baseline:>10.1f} s")
    print(f"{'co-participation network build':<44}{build:>10.1f} s")
    print(f"{'PageRank + degree + Louvain':<44}{analyse:>10.1f} s")
    print(f"{'total (target ≤ 30 s)':<44}{total:>10.1f} s  ({total / baseline:.1f}× baseline)")
    print(f"{'network':<44}{G.number_of_nodes():>7} residents, {G.number_of_edges()} ties, "
          f"{len(found)} communities")
    print(f"{'participation AUC (2025 bookings, ' + AREA + ')':<44}{auc:>12.3f}")
    graph.close()


if __name__ == "__main__":
    main()
