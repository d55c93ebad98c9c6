"""Turn one raw cell into the canonical value its field type asks for (or reject it)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from ingest.address import OutsideAreaError, parse_address
from ingest.mapping import FieldSpec
from ingest.normalize import (InvalidValueError, MissingValueError, is_missing,
                              normalize_bool, normalize_id_number, normalize_name,
                              normalize_phone, normalize_sex, parse_date, to_halfwidth)


def _text(raw: Any) -> str:
    if is_missing(raw):
        raise MissingValueError("missing value", raw)
    return to_halfwidth(str(raw)).strip()


def _int(raw: Any) -> int:
    text = _text(raw).replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise InvalidValueError(f"not a whole number: {text[:30]!r}", raw) from None
    # float() reads "inf", "nan" and "1e400" too; int() of those raises, so check first.
    if not math.isfinite(number) or number != int(number):
        raise InvalidValueError(f"not a whole number: {text[:30]!r}", raw)
    return int(number)


def _float(raw: Any) -> float:
    text = _text(raw).replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise InvalidValueError(f"not a number: {text[:30]!r}", raw) from None
    if not math.isfinite(number):  # "inf", "nan", "1e400": no coordinate or amount is
        raise InvalidValueError(f"not a finite number: {text[:30]!r}", raw)
    return number


def _enum(spec: FieldSpec, raw: Any) -> Any:
    text = _text(raw)
    if text in spec.values:
        return spec.values[text]
    raise InvalidValueError(
        f"{text[:30]!r} is not one of {', '.join(map(str, spec.values))}", raw)


def _list(spec: FieldSpec, raw: Any) -> list:
    text = _text(raw)
    items = [item.strip() for item in text.split(spec.separator) if item.strip()]
    if spec.values is None:
        return items
    unknown = [item for item in items if item not in spec.values]
    if unknown:
        raise InvalidValueError(f"unknown item(s) {', '.join(unknown)}; known: "
                                f"{', '.join(spec.values)}", raw)
    return [spec.values[item] for item in items]


def make_normaliser(spec: FieldSpec, as_of: dt.date) -> Callable[[Any], Any]:
    """Return a function raw cell → canonical value for this field, bound to the as-of date.

    The function raises MissingValueError for an empty cell and InvalidValueError (with a
    reason) for a bad one. An address becomes its parts (street, lane, number, room); an
    address outside the area becomes the marker OUTSIDE when the field allows it.
    """
    not_after = as_of if spec.not_after_as_of else None
    kind = spec.type
    if kind == "text":
        return _text
    if kind == "int":
        return _int
    if kind == "float":
        return _float
    if kind == "bool":
        return normalize_bool
    if kind == "id_number":
        return lambda raw: normalize_id_number(raw, today=as_of)
    if kind == "name":
        return normalize_name
    if kind == "sex":
        return normalize_sex
    if kind == "phone":
        return normalize_phone
    if kind == "date":
        return lambda raw: parse_date(raw, spec.formats, not_after=not_after)
    if kind == "enum":
        return lambda raw: _enum(spec, raw)
    if kind == "list":
        return lambda raw: _list(spec, raw)
    if kind == "address":
        def address(raw):
            try:
                return parse_address(raw)
            except OutsideAreaError:
                if spec.outside_ok:
                    return OUTSIDE
                raise
        return address
    raise ValueError(f"no normaliser for field type {kind!r}")  # mapping.py forbids this


class _Outside:
    """Marker for an address that is valid but outside the sub-district."""

    def __repr__(self) -> str:
        return "OUTSIDE"


OUTSIDE = _Outside()
