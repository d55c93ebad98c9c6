"""Mapping files: the shipped ones parse, and each kind of mistake is named precisely."""

from pathlib import Path

import pytest

from graph.errors import IngestError
from ingest.mapping import FIELD_TYPES, load_mappings, parse_mapping
from ingest.read import read_table

GOOD = """\
source: readers
file: readers.csv
feeds: person
fields:
  name: {column: 姓名, type: name, required: true}
  card: {column: 证号}
resident:
  set: [card]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_mappings_parse_in_processing_order():
    mappings = load_mappings()
    assert len(mappings) >= 20
    kinds = [m.feeds for m in mappings]
    assert kinds == sorted(kinds, key=["entity", "person", "timeseries"].index)
    registry = next(m for m in mappings if m.source == "population_registry")
    assert registry.encoding == "gb18030" and registry.priority == 1
    assert {spec.type for m in mappings for spec in m.fields.values()} <= set(FIELD_TYPES)


def test_a_good_mapping(tmp_path):
    mapping = parse_mapping(write(tmp_path, GOOD))
    assert mapping.is_person and mapping.format == "csv"
    assert mapping.fields["name"].required


@pytest.mark.parametrize("change, message", [
    (("type: name", "type: nickname"), "fields.name.type 'nickname' is not one of"),
    (("set: [card]", "set: [loans]"), "resident.set names field 'loans'"),
    (("feeds: person", "feeds: people"), "feeds must be one of"),
    (("card: {column: 证号}", "card: {colum: 证号}"), "fields.card needs a column"),
    (("source: readers\n", ""), "missing required key 'source'"),
])
def test_mistakes_are_named(tmp_path, change, message):
    with pytest.raises(IngestError, match=message) as error:
        parse_mapping(write(tmp_path, GOOD.replace(*change)))
    assert "m.yaml" in str(error.value)


def test_unknown_label_in_entity(tmp_path):
    text = GOOD + "entity:\n  label: Library\n  key: card\n"
    with pytest.raises(IngestError, match="entity.label: Unknown node label 'Library'"):
        parse_mapping(write(tmp_path, text))


def test_duplicate_source_names(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(IngestError, match="source name 'readers' is also used by a.yaml"):
        load_mappings(tmp_path)


def test_unreadable_export_is_named(tmp_path):
    mapping = parse_mapping(write(tmp_path, GOOD.replace("readers.csv", "readers.xlsx")))
    (tmp_path / "readers.xlsx").write_bytes(b"PK\x03\x04 this is no spreadsheet")
    with pytest.raises(IngestError, match="readers: cannot read readers.xlsx"):
        read_table(mapping, tmp_path)


def test_wrong_encoding_is_named(tmp_path):
    mapping = parse_mapping(write(tmp_path, GOOD))
    (tmp_path / "readers.csv").write_bytes("姓名,证号\n张三,1\n".encode("gb18030"))
    with pytest.raises(IngestError, match="readers: cannot read readers.csv"):
        read_table(mapping, tmp_path)
