"""Knobs of the synthetic district: defect rates, size scaling, dates, and random streams."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import asdict, dataclass

import numpy as np

# Every export is a snapshot taken on this day; ages and "future" dates are relative to it.
SNAPSHOT = dt.date(2025, 6, 30)

# Linfen Road Sub-district, Jing'an, Shanghai (approximate centre).
CENTRE_LAT = 31.2745
CENTRE_LON = 121.4465

# Size of the district the defaults are modelled on.
REFERENCE_RESIDENTS = 83_000


@dataclass(frozen=True)
class DefectRates:
    """Probabilities of each injected defect, per *eligible* row (see docs/DATA.md).

    ID-number variants are mutually exclusive: one uniform draw per row is cut into
    consecutive intervals, so ``P(variant k | row eligible for k) == rate_k`` exactly.
    """

    id_missing: float = 0.03  # no ID number; the row keeps name + phone
    id_legacy15: float = 0.03  # old 15-digit form; only persons born before 1990
    id_lowercase_x: float = 0.30  # check digit written "x"; only IDs ending in X
    id_spaces: float = 0.03  # spaces inside the number
    id_fullwidth: float = 0.02  # full-width digits (０-９, Ｘ)
    name_typo: float = 0.02  # one character swapped for a homophone / look-alike
    address_variant: float = 0.08  # address written in another spelling than the file's house style
    bad_phone: float = 0.02  # malformed phone number
    missing_value: float = 0.03  # one optional cell blanked
    impossible_date: float = 0.005  # 2023-02-30 style dates, births in the future
    duplicate_row: float = 0.01  # row repeated right below itself
    booking_id_missing: float = 0.35  # program bookings made by phone carry no ID number
    not_at_registered_address: float = 0.08  # locals whose 户籍地址 is not where they live

    def as_dict(self) -> dict[str, float]:
        """Return the rates as a plain dict (for the manifest)."""
        return asdict(self)


@dataclass(frozen=True)
class Scale:
    """Entity counts derived linearly from the number of residents."""

    residents: int

    @property
    def factor(self) -> float:
        """Return residents relative to the 83,000-resident reference district."""
        return self.residents / REFERENCE_RESIDENTS

    def count(self, reference: int, minimum: int) -> int:
        """Scale a reference-district count, never below ``minimum``."""
        return max(minimum, int(round(reference * self.factor)))

    @property
    def areas(self) -> int:
        """Return the number of residential areas (居委会)."""
        return self.count(20, 2)

    @property
    def buildings(self) -> int:
        """Return the number of residential buildings."""
        return self.count(1_000, 6)

    @property
    def households(self) -> int:
        """Return the target number of households."""
        return self.count(35_000, 3)

    @property
    def organizations(self) -> int:
        """Return the number of organizations."""
        return self.count(150, 8)

    @property
    def venues(self) -> int:
        """Return the number of venues."""
        return self.count(300, 8)

    @property
    def volunteers(self) -> int:
        """Return the number of registered volunteers."""
        return self.count(2_000, 8)

    @property
    def service_points(self) -> int:
        """Return the number of public service points."""
        return self.count(60, 9)

    @property
    def extent_m(self) -> float:
        """Return the side of the square the district covers, in metres.

        The reference district fits in ~2 km; bigger ones grow with sqrt(area) so
        that density stays plausible.
        """
        return 2_000.0 * max(1.0, self.factor) ** 0.5


def stream(seed: int, name: str) -> np.random.Generator:
    """Return an independent random generator for one named purpose.

    Naming streams (instead of drawing from one shared generator) keeps each
    table's randomness stable when another table's generation changes.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Draw ``k`` distinct indices with probability proportional to ``weights``.

    Uses Efraimidis–Spirakis keys, which is vectorised and linear, unlike
    ``Generator.choice(replace=False, p=...)`` on a million items.
    """
    weights = np.asarray(weights, dtype=float)
    k = int(min(k, np.count_nonzero(weights > 0)))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    with np.errstate(divide="ignore"):
        keys = np.log(rng.random(len(weights))) / weights
    keys[weights <= 0] = -np.inf
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(chosen)


def lat_lon(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert metres east/north of the district centre to rounded WGS-84 degrees."""
    lat = CENTRE_LAT + y_m / 111_320.0
    lon = CENTRE_LON + x_m / (111_320.0 * np.cos(np.radians(CENTRE_LAT)))
    return np.round(lat, 6), np.round(lon, 6)
