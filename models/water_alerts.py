"""Early-warning rules over lone seniors' hourly water readings: pure detection, no storage.

The readings become a dense matrix (meters × hours, NaN where a meter sent nothing), and
every rule is evaluated at every check hour ``h`` with cumulative sums, using only the
readings before ``h``. One check (``detect``) and a 90-day replay (``replay``) therefore run
the same code. A *check at hour h* sees the readings whose hour starts before ``h``.

Rules (thresholds below, each with its reason):

- ``no_use_24h`` (high): no water at all for 24 h, with at least 20 of the 24 hourly
  readings present. The pilots' "24 小时未用水" rule.
- ``low_use_12h`` (medium): less than ``min(10 L, 0.3 × the person's own lowest 12-hour
  use in the last 28 days)`` in the last 12 h, with at least 11 readings present. 10 L is the pilots'
  "12 小时用水量低于 0.01 立方米"; the per-person baseline keeps a senior whose normal use
  is low from alarming every night (for her the threshold drops, down to 0 = rule off, and
  the 24-hour rule still watches).
- ``continuous_flow`` (medium): water flows at least 1 L in every hour for 24 h, night
  included — a leak, or a tap left running after a fall.
- ``spike`` (medium): one hour above ``max(80 L, 3 × the person's 99.9th percentile hourly
  use)`` — a burst pipe or a bath left running.
- ``meter_offline`` (low, a notice): no reading for 6 h. Missing rows are *not* zero use:
  the inactivity rules above count only hours that have a reading.

A rule keeps firing hour after hour while its condition holds; consecutive firing hours of
one family (inactivity = the two no/low-use rules; flow; spike; offline), with gaps shorter
than EPISODE_GAP_HOURS, form one *episode*, identified by its first firing hour. A store
raises one alert per episode.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.errors import IngestError

PILOT_LOW_USE_12H_L = 10.0  # 0.01 m³ in 12 h: the Chinese smart-meter pilots' threshold
LOW_USE_HOURS = 12
LOW_USE_MIN_READINGS = 11  # of 12: one missing hour may hide a little use, more may hide a lot
NO_USE_HOURS = 24
NO_USE_MIN_READINGS = 20  # of 24: a meter offline for hours is not a senior without water
BASELINE_DAYS = 28  # four weeks of habits; shorter ones let one quiet fortnight lower the bar
BASELINE_MIN_DAYS = 7  # with less history the person's own level is unknown: low-use rule waits
BASELINE_QUANTILE = 0.0  # the person's quietest 12-hour window in the baseline
BASELINE_FACTOR = 0.3  # alarm well below it: at 0.5 ordinary quiet nights alarmed ~0.6/1,000 days
LONG_QUIET_HOURS = 24  # zero runs this long (absences, past incidents) are left out of the baseline
FLOW_HOURS = 24
FLOW_MIN_L = 1.0  # a person does not draw water in every hour of a night; a leak does
SPIKE_FLOOR_L = 80.0  # a full bath is ~100–150 L but drawn over more than one meter hour
SPIKE_FACTOR = 3.0
SPIKE_QUANTILE = 0.999
OFFLINE_HOURS = 6  # meters report hourly; six silent hours is a fault, not a delay
EPISODE_GAP_HOURS = 6  # a rule that stops for a few hours (e.g. meter gap) continues its episode
LOOKBACK_DAYS = 42  # what one check reads: the baseline plus two weeks for long episodes
EVIDENCE_DAYS = 7  # the plot sent with an alert shows the last week of hourly readings

RULES = {  # rule → (family, severity)
    "no_use_24h": ("inactivity", "high"),
    "low_use_12h": ("inactivity", "medium"),
    "continuous_flow": ("flow", "medium"),
    "spike": ("spike", "medium"),
    "meter_offline": ("offline", "low"),
}
FAMILIES = ("inactivity", "flow", "spike", "offline")
REQUIRED_COLUMNS = ("meter_id", "household_no", "ts", "litres")


@dataclass
class Readings:
    """Hourly readings as a dense matrix: ``litres[i, h]`` for meter i in hour ``start + h``."""

    meter_ids: np.ndarray
    household_nos: np.ndarray
    start: pd.Timestamp
    litres: np.ndarray  # float64, NaN where the meter sent nothing
    rejected: list[dict] = field(default_factory=list)  # rows that could not be used, with why

    @property
    def hours(self) -> int:
        return self.litres.shape[1]

    def hour_of(self, at) -> int:
        """Return the check position of time ``at``: readings of hours before it are complete."""
        delta = pd.Timestamp(at).floor("h") - self.start
        return int(delta / pd.Timedelta(hours=1))

    def time_of(self, h: int) -> pd.Timestamp:
        """Return the clock time of check position ``h``."""
        return self.start + pd.Timedelta(hours=int(h))


@dataclass(frozen=True)
class Alert:
    """One rule firing for one meter at a check, with the numbers behind it."""

    meter_id: str
    household_no: str
    rule: str
    family: str
    severity: str
    episode_start: str  # ISO time of the episode's first firing check
    window_start: str
    window_end: str
    evidence: dict


def readings_from_frame(frame: pd.DataFrame, source: str = "readings") -> Readings:
    """Validate a frame of hourly readings and build the dense matrix.

    Rows with a blank meter or household, an unreadable time, or a negative, missing or
    non-numeric amount are rejected and listed (1-based data row, field, reason), never
    silently dropped; a second, different reading for the same meter and hour is rejected
    the same way (the first is kept). Identical repeats are collapsed.

    Raises:
        IngestError: a required column is missing, or no row is usable.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise IngestError(f"{source}: missing column(s) {', '.join(missing)}; "
                          f"readings need {', '.join(REQUIRED_COLUMNS)}.")
    frame = frame[list(REQUIRED_COLUMNS)].reset_index(drop=True)
    rows = pd.Series(np.arange(1, len(frame) + 1))
    meter = _clean_text(frame["meter_id"])
    household = _clean_text(frame["household_no"])
    ts = frame["ts"] if pd.api.types.is_datetime64_any_dtype(frame["ts"]) \
        else pd.to_datetime(frame["ts"], errors="coerce", format="mixed")
    litres = frame["litres"] if pd.api.types.is_float_dtype(frame["litres"]) \
        else pd.to_numeric(frame["litres"], errors="coerce")
    litres = litres.astype(float)
    problems = [
        (meter.isna(), "meter_id", "blank meter id"),
        (household.isna(), "household_no", "blank household number"),
        (ts.isna(), "ts", "not a time"),
        (litres.isna() | ~np.isfinite(litres), "litres", "not a number"),
        (litres < 0, "litres", "negative amount"),
    ]
    rejected: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    for mask, column, reason in problems:
        mask = mask.fillna(True).to_numpy(dtype=bool) & ~bad
        for i in np.flatnonzero(mask):
            rejected.append({"row": int(rows[i]), "field": column, "reason": reason,
                             "value": str(frame[column].iloc[i])})
        bad |= mask
    good = pd.DataFrame({"row": rows, "meter_id": meter, "household_no": household,
                         "hour": ts.dt.floor("h"), "litres": litres})[~bad]
    good = good.drop_duplicates(["meter_id", "hour", "litres"])
    clash = good.duplicated(["meter_id", "hour"], keep="first").to_numpy()
    for r in good[clash].itertuples():
        rejected.append({"row": int(r.row), "field": "ts", "value": str(r.hour),
                         "reason": f"a second, different reading for meter {r.meter_id} in "
                                   f"this hour (the first is kept)"})
    good = good[~clash]
    if good.empty:
        raise IngestError(f"{source}: no usable reading ({len(rejected)} rows rejected"
                          + (f", first: row {rejected[0]['row']} {rejected[0]['field']}: "
                             f"{rejected[0]['reason']}" if rejected else "") + ").")
    codes, meter_ids = pd.factorize(good["meter_id"], sort=True)
    start = good["hour"].min()
    hour = ((good["hour"] - start) / pd.Timedelta(hours=1)).to_numpy().astype(np.int64)
    matrix = np.full((len(meter_ids), int(hour.max()) + 1), np.nan)
    matrix[codes, hour] = good["litres"].to_numpy()
    # The household of a meter is the one its latest reading names (a meter can be moved).
    latest = good.assign(code=codes).sort_values("hour").groupby("code")["household_no"].last()
    rejected.sort(key=lambda r: r["row"])
    return Readings(np.asarray(meter_ids, dtype=object), latest.to_numpy(dtype=object),
                    start, matrix, rejected)


def _clean_text(column: pd.Series) -> pd.Series:
    """Strip a text column, blanks as NA, as a categorical (each distinct value handled once)."""
    cat = column.astype("category")
    stripped = np.asarray(cat.cat.categories.astype(str).str.strip(), dtype=object)
    kept = np.unique(stripped[stripped != ""]) if len(stripped) else np.array([], dtype=object)
    lookup = {value: code for code, value in enumerate(kept)}
    recode = np.array([lookup.get(v, -1) for v in stripped] + [-1], dtype=np.int64)
    codes = recode[cat.cat.codes.to_numpy()]  # code -1 (missing) picks the appended -1
    return pd.Series(pd.Categorical.from_codes(codes, categories=kept))


def read_readings(path, at=None, lookback_days: int = LOOKBACK_DAYS) -> Readings:
    """Read a readings Parquet file: the ``lookback_days`` before ``at`` (default: all).

    Raises:
        IngestError: the file cannot be read or lacks a column (the message names it).
    """
    import pyarrow.parquet as pq

    filters = None
    if at is not None:
        at = pd.Timestamp(at)
        filters = [("ts", ">=", (at - pd.Timedelta(days=lookback_days)).to_pydatetime()),
                   ("ts", "<", at.to_pydatetime())]
    try:
        names = pq.read_schema(path).names
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise IngestError(f"{path}: missing column(s) {', '.join(missing)}; readings "
                              f"need {', '.join(REQUIRED_COLUMNS)}.")
        frame = pq.read_table(path, columns=list(REQUIRED_COLUMNS), filters=filters,
                              read_dictionary=["meter_id", "household_no"]).to_pandas()
    except (OSError, ValueError, TypeError) as e:
        raise IngestError(f"Cannot read readings file {path}: {e}") from e
    return readings_from_frame(frame, source=str(path))


def _window(cum: np.ndarray, h: np.ndarray, k: int) -> np.ndarray:
    """Sum over the k hours before each position in ``h`` (cum has a leading zero column)."""
    lo = np.maximum(h - k, 0)
    return cum[:, h] - cum[:, lo]


def _cumsum(a: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)


def _quiet_run_length(used: np.ndarray) -> np.ndarray:
    """Length of the run of hours without use that each hour belongs to (0 where used)."""
    m, n = used.shape
    flat = np.concatenate([used, np.ones((m, 1), dtype=bool)], axis=1).ravel()
    run_id = np.cumsum(flat)
    lengths = np.bincount(run_id, weights=~flat)
    return np.where(flat, 0, lengths[run_id]).reshape(m, n + 1)[:, :n]


def baselines(readings: Readings) -> dict[str, np.ndarray]:
    """Per meter and day, the person's own levels from the BASELINE_DAYS full days before.

    Returns ``low_12h`` (the BASELINE_QUANTILE of 12-hour sums, leaving out windows inside
    zero runs of LONG_QUIET_HOURS or more, which are absences or incidents, not habits) and
    ``spike_hour`` (the SPIKE_QUANTILE hourly amount); arrays of meters × days, NaN where
    fewer than BASELINE_MIN_DAYS days of history exist.
    """
    v = readings.litres
    m, n = v.shape
    days = (n + 23) // 24 + 1
    present = ~np.isnan(v)
    z = np.nan_to_num(v)
    used = z > 0
    c, p = _cumsum(z), _cumsum(present)
    ends = np.arange(n + 1)
    sums = _window(c, ends, LOW_USE_HOURS)
    covered = _window(p, ends, LOW_USE_HOURS) >= LOW_USE_MIN_READINGS
    runs = _quiet_run_length(used)
    long_quiet = np.zeros((m, n + 1), dtype=bool)
    long_quiet[:, 1:] = runs >= LONG_QUIET_HOURS  # window ending at h: its last hour h-1
    sums = np.where(covered & ~long_quiet & (ends >= LOW_USE_HOURS), sums, np.nan)
    hourly = np.where(present, v, np.nan)
    low = np.full((m, days), np.nan)
    spike = np.full((m, days), np.nan)
    for d in range(BASELINE_MIN_DAYS, days):
        lo, hi = max(0, d - BASELINE_DAYS) * 24, min(d * 24, n)
        if hi - lo < BASELINE_MIN_DAYS * 24:
            continue
        low[:, d] = _row_quantile(sums[:, lo + LOW_USE_HOURS:hi + 1], BASELINE_QUANTILE)
        spike[:, d] = _row_quantile(hourly[:, lo:hi], SPIKE_QUANTILE)
    return {"low_12h": low, "spike_hour": spike}


def _row_quantile(a: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of each row ignoring NaN (lower value; NaN for an all-NaN row).

    Sorting puts NaN last, so the k valid values are the first k: ~20x faster than
    ``np.nanquantile`` row by row.
    """
    ordered = np.sort(a, axis=1)
    valid = (~np.isnan(a)).sum(axis=1)
    index = np.floor(q * np.maximum(valid - 1, 0)).astype(np.int64)
    out = np.take_along_axis(ordered, index[:, None], axis=1)[:, 0]
    return np.where(valid > 0, out, np.nan)


class _quiet_nan_warnings:
    """Silence numpy's all-NaN slice warning: a meter offline for two weeks has no baseline."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)


def evaluate(readings: Readings, until: int | None = None) -> dict[str, np.ndarray]:
    """Evaluate every rule at every check position 0..until (default: one past the data).

    Returns arrays of meters × positions: a boolean per rule, plus the numbers alerts quote
    (``sum_12h``, ``threshold_12h``, ``baseline_12h``, ``readings_12h``, ``readings_24h``,
    ``min_hour_24h``, ``last_hour``, ``spike_threshold``, ``hours_since_reading``,
    ``hours_since_use``).
    """
    n = readings.hours
    until = n if until is None else until
    v = readings.litres
    if until > n:  # a check after the data ends: the meters have been silent since
        v = np.concatenate([v, np.full((v.shape[0], until - n), np.nan)], axis=1)
    else:
        v = v[:, :until]
    m = v.shape[0]
    h = np.arange(until + 1)
    present = ~np.isnan(v)
    z = np.nan_to_num(v)
    c, p = _cumsum(z), _cumsum(present)
    u = _cumsum(z > 0)
    under = _cumsum(present & (z < FLOW_MIN_L))
    base = baselines(Readings(readings.meter_ids, readings.household_nos, readings.start, v))
    day = np.maximum(h - LOW_USE_HOURS, 0) // 24  # the day the 12-hour window starts in
    baseline_12h = base["low_12h"][:, day]
    threshold = np.where(np.isnan(baseline_12h), np.nan,
                         np.minimum(PILOT_LOW_USE_12H_L, BASELINE_FACTOR * baseline_12h))
    sum_12h = _window(c, h, LOW_USE_HOURS)
    readings_12h = _window(p, h, LOW_USE_HOURS)
    readings_24h = _window(p, h, NO_USE_HOURS)
    use_hours_24h = _window(u, h, NO_USE_HOURS)
    full_12, full_24 = h >= LOW_USE_HOURS, h >= NO_USE_HOURS
    spike_base = base["spike_hour"][:, np.maximum(h - 1, 0) // 24]
    spike_threshold = np.where(np.isnan(spike_base), np.inf,
                               np.maximum(SPIKE_FLOOR_L, SPIKE_FACTOR * spike_base))
    last_hour = np.concatenate([np.full((m, 1), np.nan), v], axis=1)
    # Hours since the last reading / the last use, at each position (forward fill of index).
    idx = np.where(np.concatenate([np.zeros((m, 1), bool), present], axis=1), h, -1)
    last_reading = np.maximum.accumulate(idx, axis=1)
    idx_use = np.where(np.concatenate([np.zeros((m, 1), bool), z > 0], axis=1), h, -1)
    last_use = np.maximum.accumulate(idx_use, axis=1)
    with np.errstate(invalid="ignore"):
        return {
            "no_use_24h": full_24 & (readings_24h >= NO_USE_MIN_READINGS) & (use_hours_24h == 0),
            "low_use_12h": full_12 & (readings_12h >= LOW_USE_MIN_READINGS)
            & (sum_12h < threshold),
            "continuous_flow": full_24 & (readings_24h >= NO_USE_MIN_READINGS)
            & (_window(under, h, FLOW_HOURS) == 0),
            "spike": last_hour > spike_threshold,
            "meter_offline": (last_reading >= 0) & (h - last_reading >= OFFLINE_HOURS),
            "sum_12h": sum_12h, "threshold_12h": threshold, "baseline_12h": baseline_12h,
            "readings_12h": readings_12h, "readings_24h": readings_24h,
            "min_hour_24h": _sliding_min(v, h, FLOW_HOURS), "last_hour": last_hour,
            "spike_threshold": spike_threshold,
            "hours_since_reading": np.where(last_reading >= 0, h - last_reading, -1),
            "hours_since_use": np.where(last_use >= 0, h - last_use, -1),
        }


def _sliding_min(v: np.ndarray, h: np.ndarray, k: int) -> np.ndarray:
    """Smallest reading in the k hours before each position (NaN if none), for evidence."""
    from numpy.lib.stride_tricks import sliding_window_view

    padded = np.concatenate([np.full((v.shape[0], k), np.nan), v], axis=1)
    with np.errstate(all="ignore"), _quiet_nan_warnings():
        mins = np.nanmin(sliding_window_view(padded, k, axis=1), axis=2)
    return mins[:, h]


def family_firing(rules: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Combine rule arrays into one boolean array per family.

    An inactivity episode lasts until water is used again: once a rule fired, the family
    stays on while no hour shows use, even when the 12-hour rule's threshold or the meter's
    coverage would switch it off for a while (one absence, one alert).
    """
    out = {f: None for f in FAMILIES}
    for rule, (family, _) in RULES.items():
        out[family] = rules[rule] if out[family] is None else (out[family] | rules[rule])
    fired = out["inactivity"]
    pos = np.arange(fired.shape[1])
    last_fired = np.maximum.accumulate(np.where(fired, pos, -1), axis=1)
    last_use = pos - rules["hours_since_use"]  # position just after the last hour with use
    out["inactivity"] = fired | ((last_fired >= 0) & (last_use <= last_fired)
                                 & (rules["hours_since_use"] >= 0))
    return out


def episode_starts(firing: np.ndarray) -> np.ndarray:
    """For each position, the first position of the episode it belongs to (-1 if not firing).

    Firing positions separated by fewer than EPISODE_GAP_HOURS quiet ones are one episode.

    >>> episode_starts(np.array([[0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]], bool)).tolist()
    [[-1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 11]]
    """
    m, n = firing.shape
    pos = np.arange(n)
    last_fire = np.maximum.accumulate(np.where(firing, pos, -10 ** 9), axis=1)
    prev_fire = np.concatenate([np.full((m, 1), -10 ** 9), last_fire[:, :-1]], axis=1)
    opens = firing & (pos - prev_fire > EPISODE_GAP_HOURS)
    start = np.maximum.accumulate(np.where(opens, pos, -1), axis=1)
    return np.where(firing, start, -1)


def _strongest_rule(rules: dict[str, np.ndarray], family: str, i: int, h: int) -> str:
    order = {"high": 0, "medium": 1, "low": 2}
    candidates = [r for r, (f, _) in RULES.items() if f == family and rules[r][i, h]]
    if not candidates:  # an inactivity episode carried on while no rule fires (see above)
        return "no_use_24h" if rules["hours_since_use"][i, h] >= NO_USE_HOURS else "low_use_12h"
    return min(candidates, key=lambda r: order[RULES[r][1]])


def _evidence(readings: Readings, rules: dict, rule: str, i: int, h: int) -> dict:
    def num(key):
        value = rules[key][i, h]
        return None if not np.isfinite(value) else round(float(value), 1)

    evidence = {"hours_since_use": int(rules["hours_since_use"][i, h]),
                "hours_since_reading": int(rules["hours_since_reading"][i, h])}
    if rule in ("no_use_24h", "low_use_12h"):
        evidence.update(litres_12h=num("sum_12h"), readings_12h=int(rules["readings_12h"][i, h]),
                        readings_24h=int(rules["readings_24h"][i, h]),
                        threshold_12h_l=num("threshold_12h"), baseline_12h_l=num("baseline_12h"),
                        pilot_threshold_12h_l=PILOT_LOW_USE_12H_L)
    elif rule == "continuous_flow":
        evidence.update(min_hour_24h_l=num("min_hour_24h"),
                        readings_24h=int(rules["readings_24h"][i, h]), flow_min_l=FLOW_MIN_L)
    elif rule == "spike":
        evidence.update(last_hour_l=num("last_hour"), spike_threshold_l=num("spike_threshold"))
    start = max(0, h - EVIDENCE_DAYS * 24)
    series = readings.litres[i, start:min(h, readings.hours)]
    series = np.concatenate([series, np.full(h - start - len(series), np.nan)])
    evidence["series_start"] = readings.time_of(start).isoformat()
    evidence["series_litres"] = [None if np.isnan(x) else round(float(x), 1) for x in series]
    return evidence


def _window_of(rule: str, h: int) -> int:
    return {"no_use_24h": NO_USE_HOURS, "low_use_12h": LOW_USE_HOURS,
            "continuous_flow": FLOW_HOURS, "spike": 1, "meter_offline": OFFLINE_HOURS}[rule]


def detect(readings: Readings, at) -> list[Alert]:
    """Return the alerts firing at time ``at`` (one per meter and family), with evidence.

    Only readings of hours before ``at`` count. Each alert names its strongest firing rule,
    the window that rule looked at, and the start of its episode.
    """
    h = readings.hour_of(at)
    if h < 0:
        return []
    rules = evaluate(readings, until=h)
    families = family_firing(rules)
    alerts = []
    for family in FAMILIES:
        starts = episode_starts(families[family])[:, h]
        for i in np.flatnonzero(families[family][:, h]):
            rule = _strongest_rule(rules, family, i, h)
            family_, severity = RULES[rule]
            alerts.append(Alert(
                meter_id=str(readings.meter_ids[i]), household_no=str(readings.household_nos[i]),
                rule=rule, family=family_, severity=severity,
                episode_start=readings.time_of(starts[i]).isoformat(),
                window_start=readings.time_of(h - _window_of(rule, h)).isoformat(),
                window_end=readings.time_of(h).isoformat(),
                evidence=_evidence(readings, rules, rule, i, h)))
    return alerts


REPLAY_CHUNK_METERS = 500  # keeps the replay's arrays (meters × hours × ~20) within ~500 MB


def replay(readings: Readings) -> pd.DataFrame:
    """Run the rules as hourly checks over the whole series; return one row per episode.

    Columns: meter_id, household_no, family, rule (strongest at the first firing), start
    and end (check positions, end inclusive), start_time.
    """
    parts = []
    for lo in range(0, len(readings.meter_ids), REPLAY_CHUNK_METERS):
        sl = slice(lo, lo + REPLAY_CHUNK_METERS)
        parts.append(_replay(Readings(readings.meter_ids[sl], readings.household_nos[sl],
                                      readings.start, readings.litres[sl])))
    return pd.concat(parts, ignore_index=True)


def _replay(readings: Readings) -> pd.DataFrame:
    rules = evaluate(readings)
    families = family_firing(rules)
    rows = []
    for family in FAMILIES:
        fire = families[family]
        starts = episode_starts(fire)
        meters, positions = np.nonzero(fire)
        if not len(meters):
            continue
        frame = pd.DataFrame({"i": meters, "h": positions, "start": starts[meters, positions]})
        grouped = frame.groupby(["i", "start"])["h"].max().reset_index()
        for r in grouped.itertuples():
            rows.append({"meter_id": readings.meter_ids[r.i],
                         "household_no": readings.household_nos[r.i], "family": family,
                         "rule": _strongest_rule(rules, family, r.i, r.start),
                         "start": int(r.start), "end": int(r.h),
                         "start_time": readings.time_of(r.start)})
    return pd.DataFrame(rows, columns=["meter_id", "household_no", "family", "rule", "start",
                                       "end", "start_time"])


def is_suppressed(until: dt.date | str | None, at) -> bool:
    """True when a known absence lasting ``until`` (inclusive) covers the check at ``at``.

    >>> is_suppressed("2025-06-10", "2025-06-10T23:00:00"), is_suppressed("2025-06-10", "2025-06-11")
    (True, False)
    """
    if until is None or until == "":
        return False
    until = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until)[:10])
    return pd.Timestamp(at).date() <= until
