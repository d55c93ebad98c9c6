"""Per-building explanations: which features push a building's score up, and by how much.

Two methods, both exact for what they claim and free of extra dependencies:

- logistic regression: coefficient × standardised value, in log-odds (the linear model's own
  decomposition of its score);
- any other model (gradient boosting): occlusion — the drop in predicted probability when one
  feature is set to its training median, in probability points.
"""

from __future__ import annotations

import numpy as np


def logistic_contributions(pipeline, X: np.ndarray) -> np.ndarray:
    """Log-odds contribution of each feature for each row of a scaler + logistic pipeline."""
    scaler = pipeline.named_steps["scale"]
    model = pipeline.named_steps["model"]
    return scaler.transform(X) * model.coef_[0]


def occlusion_contributions(model, X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """p(x) − p(x with feature j set to ``reference[j]``), for every row and feature."""
    base = model.predict_proba(X)[:, 1]
    out = np.zeros_like(X, dtype=float)
    for j in range(X.shape[1]):
        changed = X.copy()
        changed[:, j] = reference[j]
        out[:, j] = base - model.predict_proba(changed)[:, 1]
    return out


def top_reasons(contributions: np.ndarray, X: np.ndarray, names: list[str],
                top: int = 3) -> list[list[dict]]:
    """The ``top`` features with the largest positive contribution, per row.

    >>> top_reasons(np.array([[0.5, -1.0, 2.0]]), np.array([[1, 2, 3]]), ["a", "b", "c"], 2)
    [[{'feature': 'c', 'value': 3.0, 'contribution': 2.0}, {'feature': 'a', 'value': 1.0, 'contribution': 0.5}]]
    """
    reasons = []
    for row, values in zip(contributions, X):
        order = np.argsort(-row, kind="stable")[:top]
        reasons.append([{"feature": names[j], "value": round(float(values[j]), 4),
                         "contribution": round(float(row[j]), 4)}
                        for j in order if row[j] > 0])
    return reasons
