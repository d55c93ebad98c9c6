"""The time split, both models, refusals and the ranking, on a tiny synthetic history."""

import datetime as dt

import numpy as np
import pytest

from models.elevators import metrics
from models.elevators.propensity import NotEnoughHistory, Options, evaluate, rank
from tests.models.elevators.history import tiny_history


def options(**changes):
    values = dict(cutoff=dt.date(2022, 6, 1), horizon_days=900, min_positives=5)
    values.update(changes)
    return Options(**values)


def test_metrics_on_a_known_ranking():
    y = [1, 1, 0, 0, 1, 0]
    p = [0.9, 0.2, 0.8, 0.1, 0.7, 0.3]
    pr = metrics.precision_recall_at_k(y, p)
    assert pr == {"k": 3, "hits": 2, "precision_at_k": 2 / 3, "recall_at_k": 2 / 3}
    # 9 positive-negative pairs; ordered correctly: 0.9>all 3, 0.7>0.3,0.1 (not 0.8), 0.2>0.1
    assert metrics.roc_auc(y, p) == pytest.approx(6 / 9)
    assert metrics.brier([1, 0], [0.75, 0.25]) == pytest.approx(0.0625)
    bins = metrics.reliability_bins(y, p, bins=2)
    assert [b["n"] for b in bins] == [3, 3]


def test_metrics_refuse_what_they_cannot_support():
    with pytest.raises(metrics.MetricsRefused, match="No positives"):
        metrics.precision_recall_at_k([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(metrics.MetricsRefused, match="both installs and non-installs"):
        metrics.roc_auc([1, 1], [0.1, 0.2])
    with pytest.raises(metrics.MetricsRefused, match="NaN"):
        metrics.roc_auc([0, 1], [0.1, float("nan")])
    with pytest.raises(metrics.MetricsRefused, match="Only 1 installs"):
        metrics.evaluate([1, 0, 0], [0.3, 0.2, 0.1], min_positives=2)


def test_time_split_trains_before_and_scores_after_the_cutoff():
    raw = tiny_history()
    result = evaluate(raw, options())
    installed = raw.buildings["installed_on"].dropna()
    after = ((installed >= "2022-06-01") & (installed < "2024-11-17")).sum()
    assert result["test_installs"] == after > 0
    assert result["train_installs"] == ((installed >= "2019-12-14") & (installed < "2022-06-01")).sum()
    for name in ("logistic", "gbm"):
        m = result["models"][name]
        assert m["k"] == after and 0 <= m["hits"] <= after
        assert m["precision_at_k"] == m["recall_at_k"]
        assert 0 <= m["brier"] <= 1 and sum(b["n"] for b in m["reliability"]) == result["test_buildings"]
    # The history is driven by the 70+-upstairs and party shares: the models must beat chance.
    assert result["models"]["logistic"]["roc_auc"] > 0.6
    assert result["oracle"] is None


def test_too_few_positives_and_no_later_installs_are_refused():
    with pytest.raises(NotEnoughHistory, match="elevators_min_positives"):
        evaluate(tiny_history(), options(min_positives=40))
    with pytest.raises(NotEnoughHistory, match="No walk-up installed an elevator"):
        evaluate(tiny_history(), options(cutoff=dt.date(2025, 6, 1)))
    with pytest.raises(NotEnoughHistory):
        rank(tiny_history(installs=False), dt.date(2025, 6, 30), options())


def test_ranking_has_reasons_and_refuses_buildings_with_missing_data():
    raw = tiny_history()
    raw.buildings.loc["T001", "installed_on"] = None
    raw.buildings.loc["T001", "floors"] = np.nan
    raw.buildings.loc["T003", "installed_on"] = None
    raw.buildings.loc["T003", "lat"] = np.nan
    ranking = rank(raw, dt.date(2022, 6, 1), options())
    excluded = {e["building_id"]: e["reason"] for e in ranking["excluded"]}
    assert excluded == {"T001": "floors missing", "T003": "coordinates missing"}
    ids = [b["building_id"] for b in ranking["buildings"]]
    assert "T001" not in ids and "T003" not in ids
    probabilities = [b["probability"] for b in ranking["buildings"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 < p < 1 for p in probabilities)
    top = ranking["buildings"][0]
    assert top["rank"] == 1 and top["reasons"]
    assert all(r["contribution"] > 0 for r in top["reasons"])
    gbm = rank(raw, dt.date(2022, 6, 1), options(model="gbm"))
    assert gbm["contribution_unit"] == "probability" and gbm["buildings"][0]["reasons"]
