"""Fuzzing the HSDS readers (ingest/hsds): JSON documents and Ohana's time strings.

A document — valid, valid with one nested value replaced by arbitrary JSON, or arbitrary
JSON — is read into records and problems; each problem names its file, row (JSON path)
and field with a message. Nothing else may escape but IngestError for a file that is not
JSON at all.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path

from hypothesis import example, given, strategies as st

from graph.errors import IngestError
from ingest.hsds.importer import read_hsds
from ingest.hsds.ohana import parse_time
from tests.fuzz.common import FUZZ, any_text, json_values, mutated, outcome, payload

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "hsds-3.0"
EXAMPLES = [json.loads((DATASETS / name).read_text()) for name in
            ("example_service_full.json", "example_organization_full.json",
             "example_service_list.json")]



def _paths(value, path=()):
    """Every path to a nested value of a JSON document."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, path + (index,))


@st.composite
def near_valid_documents(draw):
    """An upstream example with one nested value replaced, removed or doubled."""
    document = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "text"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "text" and isinstance(parent[path[-1]], str):
            parent[path[-1]] = draw(mutated(st.just(parent[path[-1]])))
        else:
            parent[path[-1]] = draw(json_values)
    return document


def _read(document) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        directory = read_hsds(path)
    for problem in directory.problems:
        assert problem.file == "directory.json"
        assert problem.row and problem.field and problem.message.strip(), problem
    for record in directory.records:
        assert isinstance(record.doc, dict) and record.doc.get("id")


@FUZZ
@given(st.one_of(near_valid_documents(), json_values))
# Found while writing this target (the quick profile does not draw them): nested lists of
# non-objects, or text where a list belongs, ended the import with a TypeError/ValueError.
@example({"id": "s1", "name": "x", "status": "active", "attributes": "not a list"})
@example({"id": "s1", "name": "x", "status": "active", "service_at_locations": ["a"]})
@example({"id": "o1", "name": "x", "services": [1], "locations": "here"})
def test_any_json_document_gives_records_and_named_problems(document):
    _read(document)


@FUZZ
@given(st.binary(max_size=200))
def test_a_file_that_is_not_json_is_an_ingest_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.json"
        path.write_bytes(data)
        outcome(read_hsds, path, IngestError)


TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:00")


@FUZZ
@given(st.one_of(any_text, payload, mutated(st.sampled_from(
    ["08:00", "4:00 PM", "3pm", "12 a.m.", "23:59:59", "noon", "9:30am"]))))
def test_ohana_times(text):
    value = parse_time(text)
    assert value is None or TIME.fullmatch(value)
    assert value is None or parse_time(value) == value
