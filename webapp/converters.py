"""URL converters: ``<int:…>`` limited to what SQLite can store.

Werkzeug's ``int`` converter takes any number of digits; an id of 4,000 digits then reached
SQLite and failed with an OverflowError (a 500 found by tests/fuzz). Ids of the workflow
store (alerts, campaigns, notices) are SQLite INTEGERs, so a larger number names nothing:
it now matches no route, a 404.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

SQLITE_MAX_INTEGER = 2**63 - 1


class StoreInteger(IntegerConverter):
    """``int`` path segments from 0 to SQLite's largest INTEGER."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=SQLITE_MAX_INTEGER if max is None else max, signed=signed)


def register(app) -> None:
    """Use StoreInteger for ``<int:…>``; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = StoreInteger
