"""The large-screen dashboard: KPIs and charts for the sub-district's wall display.

The page draws its charts with Chart.js (webapp/static/vendor) from the ``.json`` twin, which it
fetches again every ``dashboard_refresh_s`` seconds. The numbers (queries/dashboard.py) take
seconds to compute on the 83 k district, so they are kept for ``dashboard_cache_s``: a wall of
displays costs one computation per period, and while one request recomputes stale numbers the
others are served the previous ones instead of queueing behind it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from flask import Blueprint, current_app

from webapp.graph_handle import get_graph
from webapp.pages import page
from webapp.workflow import workflow_store

bp = Blueprint("dashboard", __name__)


class KpiCache:
    """Keep one computed value for ``ttl_s`` seconds; serve it stale while it is recomputed."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._value: Any = None
        self._at: float | None = None
        self._lock = threading.Lock()  # guards _value, _at, _refreshing
        self._compute_lock = threading.Lock()  # one computation at a time
        self._refreshing = False
        self.computations = 0

    def get(self, compute: Callable[[], Any]) -> tuple[Any, float]:
        """Return ``(value, age in s)``, calling ``compute`` when there is no fresh value."""
        with self._lock:
            now = self._clock()
            if self._at is not None and (now - self._at < self.ttl_s or self._refreshing):
                return self._value, now - self._at
            self._refreshing = self._at is not None
        try:
            with self._compute_lock:
                with self._lock:  # another request may have filled it while we waited
                    if self._at is not None and self._clock() - self._at < self.ttl_s:
                        return self._value, self._clock() - self._at
                value = compute()
                self.computations += 1
                with self._lock:
                    self._value, self._at = value, self._clock()
                return value, 0.0
        finally:
            with self._lock:
                self._refreshing = False


def _cache() -> KpiCache:
    cache = current_app.extensions.get("minqing_dashboard_cache")
    if cache is None:
        settings = current_app.config["MINQING_SETTINGS"]
        cache = current_app.extensions.setdefault("minqing_dashboard_cache",
                                                  KpiCache(settings.dashboard_cache_s))
    return cache


def _compute() -> dict[str, Any]:
    from queries.dashboard import dashboard_kpis

    with workflow_store() as conn:
        return dashboard_kpis(get_graph(), conn)


@page(bp, "/dashboard", "dashboard.html")
def dashboard():
    """Show the KPIs and charts; every number is in the ``.json`` twin."""
    settings = current_app.config["MINQING_SETTINGS"]
    kpis, age = _cache().get(_compute)
    return {**kpis, "age_s": round(age, 1), "refresh_s": settings.dashboard_refresh_s,
            "cache_s": settings.dashboard_cache_s}
