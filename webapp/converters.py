"""Integers from URLs: ``<int:…>`` limited to what SQLite can store, and bounded query
parameters (``bounded_int``).

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


def bounded_int(text: str, name: str, lowest: int, highest: int) -> int:
    """Read query parameter ``name`` as a whole number from ``lowest`` to ``highest``.

    Only ASCII digits count (``'²'.isdigit()`` is true, and ``int()`` refuses it), and the
    length is checked before ``int()``, which refuses more than 4,300 digits. A number past
    64 bits would otherwise reach the graph driver and fail there (a 500; tests/fuzz).

    Raises:
        ValueError: the text is not such a number; the message names the parameter.

    >>> bounded_int(" 12 ", "page", 1, 100)
    12
    >>> bounded_int("9" * 5000, "page", 1, 100)
    Traceback (most recent call last):
    ValueError: page=999999999999… is more than 100
    """
    text = text.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{name}={text[:50]!r} is not a whole number from {lowest:,} "
                         f"to {highest:,}")
    if len(digits) > len(str(highest)) or int(text) > highest:
        shown = text if len(text) <= 12 else text[:12] + "…"
        raise ValueError(f"{name}={shown} is more than {highest:,}")
    value = int(text)
    if value < lowest:
        raise ValueError(f"{name}={value} is less than {lowest:,}")
    return value


def register(app) -> None:
    """Use StoreInteger for ``<int:…>``; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = StoreInteger
