"""Synthetic sub-district generator: raw subsystem exports with known defects, plus ground truth.

Library part of ``minqing demo-data``; see docs/DATA.md for every file it writes.
"""

from .generate import DistrictSummary, generate_district
from .params import DefectRates

__all__ = ["DefectRates", "DistrictSummary", "generate_district"]
