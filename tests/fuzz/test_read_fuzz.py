"""Fuzzing ingest/read.py ``read_table``: any export file gives a text table or an IngestError.

Files are arbitrary bytes, or near-valid CSV: the mapping's own header (columns shuffled,
dropped or doubled) over rows of arbitrary cells, in the mapping's encoding or a wrong one.
A table that is read holds every column the mapping names, as text cells.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given, strategies as st

from graph.errors import IngestError
from ingest.mapping import load_mappings
from ingest.read import read_table
from tests.fuzz.common import FUZZ, any_text, outcome, payload

MAPPINGS = load_mappings()
CSV_MAPPINGS = [m for m in MAPPINGS if m.format == "csv"]


@st.composite
def csv_files(draw):
    """A CSV export for one mapping: its header, changed a little, and arbitrary rows."""
    mapping = draw(st.sampled_from(CSV_MAPPINGS))
    columns = list(dict.fromkeys(spec.column for spec in mapping.fields.values()))
    header = draw(st.permutations(columns))
    change = draw(st.sampled_from(["none", "none", "drop", "double", "rename"]))
    if change == "drop" and header:
        header = header[1:]
    elif change == "double" and header:
        header = header + header[:1]
    elif change == "rename" and header:
        header = [draw(any_text)] + header[1:]
    rows = draw(st.lists(st.lists(st.one_of(any_text, payload), min_size=len(header),
                                  max_size=len(header) + 1), max_size=4))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from([mapping.encoding, "utf-8", "gb18030", "utf-16"]))
    return mapping, out.getvalue().encode(encoding, errors="replace")


files = st.one_of(csv_files(), st.tuples(st.sampled_from(MAPPINGS), st.binary(max_size=300)))


@FUZZ
@given(files)
def test_any_export_file_reads_or_is_an_ingest_error(drawn):
    mapping, data = drawn
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / mapping.file.replace("*", "x")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        table = outcome(lambda m: read_table(m, Path(folder)), mapping, IngestError)
    if table is None:
        return
    for spec in mapping.fields.values():
        assert spec.column in table.columns
    for column in {spec.column for spec in mapping.fields.values()}:
        assert all(isinstance(cell, str) for cell in table[column].tolist())
