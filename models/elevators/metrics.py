"""Ranking and calibration metrics for the time split, refusing what the data cannot support.

Pure functions of arrays: labels ``y`` (1 = installed in the test window) and scores ``p``.
"""

from __future__ import annotations

import numpy as np

from graph.errors import MinqingError


class MetricsRefused(MinqingError):
    """A metric was asked for on data that cannot support it (no positives, no negatives)."""


def _check(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {p.shape}")
    if np.isnan(p).any():
        raise MetricsRefused(f"{int(np.isnan(p).sum())} scores are NaN; refusing to rank them")
    return y, p


def top_k(p, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores; ties broken by position, so results are stable.

    >>> top_k([0.1, 0.9, 0.5, 0.9], 2).tolist()
    [1, 3]
    """
    order = np.argsort(-np.asarray(p, dtype=float), kind="stable")
    return order[:k]


def precision_recall_at_k(y, p, k: int | None = None) -> dict:
    """Precision and recall of the top ``k`` (default: k = the number of positives).

    >>> precision_recall_at_k([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.2])
    {'k': 2, 'hits': 1, 'precision_at_k': 0.5, 'recall_at_k': 0.5}

    Raises:
        MetricsRefused: no positives (recall is undefined) or k < 1.
    """
    y, p = _check(y, p)
    positives = int(y.sum())
    if positives == 0:
        raise MetricsRefused("No positives in the evaluation window: precision@k and "
                             "recall@k are undefined. Choose an earlier cut-off date.")
    k = positives if k is None else int(k)
    if k < 1:
        raise MetricsRefused(f"k must be at least 1, got {k}")
    hits = int(y[top_k(p, k)].sum())
    return {"k": k, "hits": hits, "precision_at_k": hits / k, "recall_at_k": hits / positives}


def roc_auc(y, p) -> float:
    """Area under the ROC curve (ties count one half).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75

    Raises:
        MetricsRefused: only one class is present.
    """
    from sklearn.metrics import roc_auc_score

    y, p = _check(y, p)
    if y.min() == y.max():
        raise MetricsRefused("ROC AUC needs both installs and non-installs in the evaluation "
                             f"window; all {len(y)} labels are {int(y[0]) if len(y) else '—'}.")
    return float(roc_auc_score(y, p))


def brier(y, p) -> float:
    """Mean squared error of the probabilities (0 is perfect).

    >>> brier([0, 1], [0.0, 0.5])
    0.125
    """
    y, p = _check(y, p)
    if len(y) == 0:
        raise MetricsRefused("No buildings to score")
    return float(np.mean((p - y) ** 2))


def reliability_bins(y, p, bins: int = 10) -> list[dict]:
    """Calibration table: per equal-width probability bin, mean prediction vs observed rate.

    Empty bins are left out rather than reported as NaN.

    >>> reliability_bins([0, 1, 1], [0.05, 0.95, 0.9], bins=2)[1]
    {'bin': '0.5–1.0', 'n': 2, 'mean_predicted': 0.925, 'observed_rate': 1.0}
    """
    y, p = _check(y, p)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for i in range(bins):
        mask = which == i
        if mask.any():
            table.append({"bin": f"{edges[i]:.1f}–{edges[i + 1]:.1f}", "n": int(mask.sum()),
                          "mean_predicted": round(float(p[mask].mean()), 4),
                          "observed_rate": round(float(y[mask].mean()), 4)})
    return table


def evaluate(y, p, *, min_positives: int = 1) -> dict:
    """Every metric at once: precision@k, recall@k, ROC AUC, Brier and reliability bins.

    Raises:
        MetricsRefused: fewer than ``min_positives`` positives, or a single class.
    """
    y, p = _check(y, p)
    if int(y.sum()) < min_positives:
        raise MetricsRefused(
            f"Only {int(y.sum())} installs in the evaluation window (at least {min_positives} "
            "needed for metrics worth reporting; setting elevators_min_positives). Choose an "
            "earlier cut-off date.")
    return {**precision_recall_at_k(y, p), "roc_auc": roc_auc(y, p), "brier": brier(y, p),
            "reliability": reliability_bins(y, p), "positives": int(y.sum()), "n": len(y)}
