"""The elevator-retrofit propensity model: time split, two scikit-learn models, ranking.

The evaluation counts success the way the Linfen cockpit was judged: pick a cut-off date,
train on what was known before it, rank the walk-ups still without an elevator at the
cut-off, and count how many of the ``k`` top-ranked buildings installed one in the
following window, ``k`` being the number that did (precision@k = recall@k then).

Windows (``horizon_days`` long, see docs/ELEVATORS.md)::

    train: features as of cutoff − horizon, label = installed in [cutoff − horizon, cutoff)
    test:  features as of cutoff,           label = installed in [cutoff, cutoff + horizon)
    rank:  the same model trained on the window ending at ``as_of``, applied as of ``as_of``

Two models are compared, a regularised (L2) logistic regression on standardised features and
scikit-learn's gradient boosting, next to a one-feature baseline (share of 70+ residents
upstairs, the "potential building" portrait) and, when the synthetic district's ground truth
is at hand, the oracle propensity of the generator's latent process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graph.errors import ConfigError, MinqingError
from models.elevators import explain, metrics
from models.elevators.features import (APPLICATION_FEATURE, FEATURES, RawDistrict,
                                       building_features, installed_before)

MODELS = ("logistic", "gbm")
BASELINE_FEATURE = "share_70_upper"
SEED = 20211


class NotEnoughHistory(MinqingError):
    """Too few installs (or none) in a window to train or to evaluate honestly."""


@dataclass(frozen=True)
class Options:
    """What one training run needs; defaults come from the ``elevators_*`` settings."""

    cutoff: dt.date
    horizon_days: int = 900
    radius_m: float = 250.0
    min_floors: int = 5
    min_positives: int = 10
    model: str = "logistic"
    with_applications: bool = True
    ground_truth: Path | None = None

    @classmethod
    def from_settings(cls, settings, **changes) -> "Options":
        """Options from settings; keyword arguments that are not None override them."""
        cutoff = changes.pop("cutoff", None) or settings.elevators_cutoff_date
        values = dict(
            cutoff=parse_date(cutoff, "elevators_cutoff_date"),
            horizon_days=settings.elevators_horizon_days,
            radius_m=float(settings.elevators_neighbour_radius_m),
            min_floors=settings.elevators_min_floors,
            min_positives=settings.elevators_min_positives,
            model=settings.elevators_model,
            ground_truth=ground_truth_path(settings))
        values.update({k: v for k, v in changes.items() if v is not None})
        if values["model"] not in MODELS:
            raise ConfigError(f"elevators_model must be one of {', '.join(MODELS)}, "
                              f"got {values['model']!r}")
        if values["horizon_days"] < 30:
            raise ConfigError("elevators_horizon_days must be at least 30, got "
                              f"{values['horizon_days']}")
        return cls(**values)

    @property
    def feature_names(self) -> list[str]:
        return [f for f in FEATURES if self.with_applications or f != APPLICATION_FEATURE]


def parse_date(value, what: str) -> dt.date:
    """Parse a YYYY-MM-DD date, naming ``what`` when it is malformed."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


def ground_truth_path(settings) -> Path | None:
    """The oracle file: elevators_ground_truth_csv, else the demo's, if it exists."""
    if settings.elevators_ground_truth_csv:
        path = Path(settings.elevators_ground_truth_csv)
        if not path.is_file():
            raise ConfigError(f"elevators_ground_truth_csv: no file {path}")
        return path
    path = settings.data_path / "demo" / "raw" / "ground_truth" / "elevator_propensity.csv"
    return path if path.is_file() else None


# -- which buildings are at risk --------------------------------------------------------------


def exclusions(raw: RawDistrict, as_of: dt.date, min_floors: int) -> pd.DataFrame:
    """Walk-ups that cannot be scored, each with the reason (missing floors or coordinates)."""
    b = raw.buildings
    candidate = (b["elevator_as_built"] != True) & ~installed_before(b, as_of)  # noqa: E712
    reasons = pd.Series("", index=b.index)
    floors = pd.to_numeric(b["floors"], errors="coerce")
    reasons[floors.isna()] += "floors missing; "
    lat, lon = (pd.to_numeric(b[c], errors="coerce") for c in ("lat", "lon"))
    reasons[lat.isna() | lon.isna()] += "coordinates missing; "
    reasons[b["elevator_as_built"].isna()] += "elevator_as_built missing; "
    reasons[pd.to_numeric(b["build_year"], errors="coerce").isna()] += "build_year missing; "
    # A building known to be too low is not a candidate whatever else is missing.
    keep = candidate & (reasons != "") & ~(floors < min_floors)
    return pd.DataFrame({"address": b["address"][keep],
                         "reason": reasons[keep].str.rstrip("; ")})


def at_risk(raw: RawDistrict, as_of: dt.date, min_floors: int) -> pd.Index:
    """Buildings that could install an elevator after ``as_of`` and can be scored."""
    b = raw.buildings
    floors = pd.to_numeric(b["floors"], errors="coerce")
    ok = ((b["elevator_as_built"] == False) & (floors >= min_floors)  # noqa: E712
          & ~installed_before(b, as_of))
    return b.index[ok].difference(exclusions(raw, as_of, min_floors).index)


def installed_between(raw: RawDistrict, start: dt.date, end: dt.date) -> pd.Series:
    """1 for buildings whose retrofit was completed in [start, end), else 0."""
    done = pd.to_datetime(raw.buildings["installed_on"], errors="coerce", format="ISO8601")
    return ((done >= pd.Timestamp(start)) & (done < pd.Timestamp(end))).astype(int)


@dataclass
class Window:
    """Design matrix and labels of buildings at risk at ``as_of``."""

    as_of: dt.date
    end: dt.date
    X: np.ndarray
    y: np.ndarray
    ids: pd.Index
    frame: pd.DataFrame = field(repr=False)


def window(raw: RawDistrict, as_of: dt.date, end: dt.date, opts: Options) -> Window:
    """The buildings at risk at ``as_of``, their features then and whether they installed by ``end``."""
    ids = at_risk(raw, as_of, opts.min_floors)
    frame = building_features(raw, as_of, opts.radius_m).loc[ids, opts.feature_names]
    bad = frame.columns[frame.isna().any()].tolist()
    if bad:  # at_risk has already refused buildings with missing inputs; this is a guard
        raise MinqingError(f"Features {bad} are missing for buildings "
                           f"{frame.index[frame.isna().any(axis=1)].tolist()[:5]}")
    y = installed_between(raw, as_of, end).loc[ids].to_numpy()
    return Window(as_of, end, frame.to_numpy(float), y, ids, frame)


# -- models ----------------------------------------------------------------------------------


def make_model(name: str):
    """An unfitted scikit-learn model: 'logistic' or 'gbm'."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "logistic":
        return Pipeline([("scale", StandardScaler()),
                         ("model", LogisticRegression(C=0.3, max_iter=5000))])
    if name == "gbm":
        return GradientBoostingClassifier(n_estimators=150, max_depth=2, learning_rate=0.05,
                                          subsample=0.8, min_samples_leaf=10,
                                          random_state=SEED)
    raise ConfigError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}")


def fit(name: str, train: Window, min_positives: int):
    """Fit model ``name`` on a training window, refusing one with too few installs."""
    positives = int(train.y.sum())
    if positives < min_positives or positives == len(train.y):
        raise NotEnoughHistory(
            f"The training window {train.as_of} – {train.end} has {positives} installs among "
            f"{len(train.y)} walk-ups; at least {min_positives} installs and some "
            "non-installs are needed (setting elevators_min_positives). Move the cut-off "
            "date later or lengthen elevators_horizon_days.")
    return make_model(name).fit(train.X, train.y)


def contributions(name: str, model, win: Window, reference: np.ndarray) -> np.ndarray:
    """Per-building, per-feature contributions to the score (see ``explain``)."""
    if name == "logistic":
        return explain.logistic_contributions(model, win.X)
    return explain.occlusion_contributions(model, win.X, reference)


def oracle_scores(path: Path | None, ids: pd.Index) -> pd.Series | None:
    """The generator's oracle propensity for ``ids`` (NaN where the file has no row)."""
    if path is None:
        return None
    truth = pd.read_csv(path, dtype={"building_code": str})
    return truth.set_index("building_code")["propensity"].reindex(ids)


def evaluate(raw: RawDistrict, opts: Options) -> dict:
    """Train on the window before the cut-off, score the one after; return every metric.

    Raises:
        NotEnoughHistory: too few installs to train on, or to evaluate.
    """
    horizon = dt.timedelta(days=opts.horizon_days)
    train = window(raw, opts.cutoff - horizon, opts.cutoff, opts)
    test = window(raw, opts.cutoff, opts.cutoff + horizon, opts)
    if test.y.sum() == 0:
        raise NotEnoughHistory(
            f"No walk-up installed an elevator between the cut-off {opts.cutoff} and "
            f"{test.end}: there is nothing to evaluate against. Choose an earlier cut-off.")
    try:
        scored = {"baseline_share_70_upper": test.frame[BASELINE_FEATURE].to_numpy(float)}
        fitted = {}
        for name in MODELS:
            fitted[name] = fit(name, train, opts.min_positives)
            scored[name] = fitted[name].predict_proba(test.X)[:, 1]
        report = {name: metrics.evaluate(test.y, p, min_positives=opts.min_positives)
                  for name, p in scored.items()}
    except metrics.MetricsRefused as e:
        raise NotEnoughHistory(str(e)) from e
    for name in scored:
        if name.startswith("baseline"):  # a share, not a probability: no calibration
            report[name].pop("brier")
            report[name].pop("reliability")
    oracle = oracle_scores(opts.ground_truth, test.ids)
    result = {
        "cutoff": opts.cutoff.isoformat(), "horizon_days": opts.horizon_days,
        "train_window": [train.as_of.isoformat(), train.end.isoformat()],
        "test_window": [test.as_of.isoformat(), test.end.isoformat()],
        "train_buildings": len(train.y), "train_installs": int(train.y.sum()),
        "test_buildings": len(test.y), "test_installs": int(test.y.sum()),
        "features": opts.feature_names, "with_applications": opts.with_applications,
        "models": report, "oracle": None,
        "excluded": exclusions(raw, opts.cutoff, opts.min_floors).reset_index().to_dict("records"),
    }
    if oracle is not None:
        known = oracle.notna().to_numpy()
        if known.sum() and len(set(test.y[known])) == 2:
            oracle_auc = metrics.roc_auc(test.y[known], oracle.to_numpy()[known])
            result["oracle"] = {
                "file": str(opts.ground_truth), "buildings": int(known.sum()),
                "roc_auc": oracle_auc,
                **{f"{name}_auc_ratio": metrics.roc_auc(test.y[known], scored[name][known])
                   / oracle_auc for name in MODELS},
                **{f"oracle_{k}": v for k, v in metrics.precision_recall_at_k(
                    test.y[known], oracle.to_numpy()[known]).items()}}
    return result


def rank(raw: RawDistrict, as_of: dt.date, opts: Options, top_features: int = 3) -> dict:
    """Train on the window ending at ``as_of`` and rank the walk-ups at risk on it.

    Returns a document with the ranked buildings (probability of installing within
    ``horizon_days``, rank, top contributing features), the buildings refused and why.
    """
    horizon = dt.timedelta(days=opts.horizon_days)
    train = window(raw, as_of - horizon, as_of, opts)
    model = fit(opts.model, train, opts.min_positives)
    now = window(raw, as_of, as_of + horizon, opts)
    if len(now.ids) == 0:
        raise NotEnoughHistory(f"No walk-up without an elevator is left to rank on {as_of}.")
    p = model.predict_proba(now.X)[:, 1]
    contrib = contributions(opts.model, model, now, np.median(train.X, axis=0))
    reasons = explain.top_reasons(contrib, now.X, opts.feature_names, top_features)
    b = raw.buildings.loc[now.ids]
    order = np.argsort(-p, kind="stable")
    buildings = []
    for position, i in enumerate(order, start=1):
        bid = now.ids[i]
        buildings.append({
            "rank": position, "building_id": bid, "address": b.at[bid, "address"],
            "area_id": b.at[bid, "area_id"], "area_name": b.at[bid, "area_name"],
            "lat": float(b.at[bid, "lat"]), "lon": float(b.at[bid, "lon"]),
            "probability": round(float(p[i]), 4),
            "status": b.at[bid, "status"] if isinstance(b.at[bid, "status"], str) else None,
            "reasons": reasons[i]})
    return {"as_of": as_of.isoformat(), "model": opts.model, "horizon_days": opts.horizon_days,
            "train_window": [train.as_of.isoformat(), train.end.isoformat()],
            "train_installs": int(train.y.sum()), "features": opts.feature_names,
            "contribution_unit": "log-odds" if opts.model == "logistic" else "probability",
            "buildings": buildings,
            "excluded": exclusions(raw, as_of, opts.min_floors).reset_index().to_dict("records")}
