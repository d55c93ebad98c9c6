"""Elevator propensity on the demo district: feature extraction + training time, and quality.

Reads the default (demo) graph only. Prints a table and one JSON line per figure: the time
to read the features and train both models (target ≤ 30 s), precision@k / recall@k / ROC
AUC per model at two cut-offs, with and without the buildings' own applications, and the
AUC as a ratio to the oracle AUC of the generator's latent process (target ≥ 0.95).
Baseline in the same process: ranking by the share of 70+ residents upstairs.
"""

from __future__ import annotations

import datetime as dt
import time

from harness import report

from graph.backend import connect
from graph.settings import load_settings
from models.elevators.features import load_raw
from models.elevators.propensity import Options, evaluate

AS_OF = dt.date(2025, 6, 30)


def main() -> None:
    settings = load_settings()
    graph = connect(settings)
    start = time.perf_counter()
    raw = load_raw(graph, until=AS_OF)
    first = evaluate(raw, Options.from_settings(settings))
    seconds = time.perf_counter() - start
    report("elevator_features_and_training_s", seconds, "s", 1, graph.engine,
           buildings=len(raw.buildings))
    rows = []
    for cutoff in ("2023-01-01", "2021-06-30"):
        for with_apps in (True, False):
            result = first if (cutoff == "2023-01-01" and with_apps) else evaluate(
                raw, Options.from_settings(settings, cutoff=cutoff, with_applications=with_apps))
            tag = f"{cutoff}{'' if with_apps else '_no_applications'}"
            for name, m in result["models"].items():
                ratio = (result["oracle"] or {}).get(f"{name}_auc_ratio")
                rows.append((tag, name, m["hits"], m["k"], m["precision_at_k"], m["recall_at_k"],
                             m["roc_auc"], ratio))
                report(f"elevator_{name}_{tag}_recall_at_k", m["recall_at_k"], "share", 1,
                       graph.engine, k=m["k"], hits=m["hits"], auc=round(m["roc_auc"], 4),
                       oracle_ratio=None if ratio is None else round(ratio, 4))
            if result["oracle"]:
                o = result["oracle"]
                rows.append((tag, "oracle", o["oracle_hits"], o["oracle_k"],
                             o["oracle_precision_at_k"], o["oracle_recall_at_k"], o["roc_auc"], 1.0))
    print(f"\nfeatures + training: {seconds:.1f} s ({len(raw.buildings)} buildings)")
    print(f"{'split':<30}{'model':<26}{'hits/k':>9}{'prec@k':>8}{'rec@k':>8}{'AUC':>7}{'/oracle':>9}")
    for tag, name, hits, k, prec, rec, auc, ratio in rows:
        r = "—" if ratio is None else f"{ratio:.3f}"
        print(f"{tag:<30}{name:<26}{hits:>4}/{k:<4}{prec:>8.2f}{rec:>8.2f}{auc:>7.3f}{r:>9}")
    graph.close()


if __name__ == "__main__":
    main()
