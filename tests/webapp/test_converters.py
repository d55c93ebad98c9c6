"""Integers from URLs: bounded query parameters refuse what the graph or int() cannot take."""

import re

import pytest

from webapp.converters import bounded_int


@pytest.mark.parametrize("text,value", [("0", 0), (" 7 ", 7), ("10000000", 10_000_000)])
def test_whole_numbers_in_range_are_read(text, value):
    assert bounded_int(text, "skip", 0, 10_000_000) == value


@pytest.mark.parametrize("text,words", [
    ("10000001", "skip=10000001 is more than 10,000,000"),
    ("9" * 4301, "skip=999999999999… is more than"),     # past int()'s 4,300-digit limit
    ("2" * 20, "is more than"),                          # past 64 bits
    ("-1", "skip=-1 is less than 0"),
    ("²", "is not a whole number from 0 to 10,000,000"),  # '²'.isdigit() is true
    ("٣", "is not a whole number"),                      # int() reads it; a URL should not
    ("1.5", "is not a whole number"), ("", "is not a whole number"),
])
def test_anything_else_is_refused_naming_the_parameter(text, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        bounded_int(text, "skip", 0, 10_000_000)
