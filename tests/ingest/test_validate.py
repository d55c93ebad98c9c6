"""Row validation: clean values, quarantine of bad required values, duplicates once."""

import datetime as dt

import pandas as pd

from ingest.mapping import parse_mapping
from ingest.validate import DUPLICATE, FIELD_DROPPED, ROW_QUARANTINED, validate_table

MAPPING = """\
source: visits
file: visits.csv
feeds: person
fields:
  name: {column: 姓名, type: name, required: true}
  visit_date: {column: 日期, type: date, required: true, not_after_as_of: true}
  phone: {column: 电话, type: phone}
"""


def test_each_row_is_loaded_quarantined_or_a_duplicate_once(tmp_path):
    path = tmp_path / "visits.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    table = pd.DataFrame({
        "姓名": ["张三", "李四", "李四", "王五", "赵六"],
        "日期": ["2024-03-01", "2023-02-30", "2023-02-30", "2024/5/6", "2030-01-01"],
        "电话": ["13812345678", "12345", "12345", "", "021-62345678"],
    }, dtype=str)
    result = validate_table(parse_mapping(path), table, "visits.csv", dt.date(2025, 6, 30))

    assert [r["_row"] for r in result.records] == [1, 4]
    assert result.records[0]["visit_date"] == dt.date(2024, 3, 1)
    assert result.records[1]["phone"] is None          # empty optional: no issue
    by_row = {(i.row, i.field): i for i in result.issues}
    assert by_row[(2, "visit_date")].action == ROW_QUARANTINED
    assert "not a real date" in by_row[(2, "visit_date")].reason
    assert by_row[(2, "phone")].action == FIELD_DROPPED
    assert by_row[(3, "")].action == DUPLICATE and by_row[(3, "")].reason == "same as row 2"
    assert not any(i.row == 3 and i.field for i in result.issues)  # recorded on row 2 only
    assert by_row[(5, "visit_date")].action == ROW_QUARANTINED  # after the as-of date
    assert len(result.records) + result.rows_quarantined + result.duplicates == 5
    assert result.duplicate_of == {3: 2}
