"""Check every row of a source against its mapping: clean values, or a reason to quarantine.

A bad value in a required field sends the whole row to quarantine; a bad value in an
optional field is dropped from the row (and recorded); exact duplicate rows are loaded
once and recorded. Nothing is dropped without an entry in the quarantine file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.fields import make_normaliser
from ingest.mapping import SourceMapping
from ingest.normalize import InvalidValueError, MissingValueError

ROW_QUARANTINED = "row quarantined"
FIELD_DROPPED = "field dropped, row loaded"
DUPLICATE = "duplicate row, loaded once"


@dataclass(frozen=True)
class Issue:
    """One entry of the quarantine file."""

    source: str
    file: str
    sheet: str
    row: int
    field: str
    column: str
    value: str
    reason: str
    action: str


@dataclass
class ValidatedSource:
    """The clean rows of one source and what was rejected on the way."""

    mapping: SourceMapping
    file: str
    records: list[dict]            # canonical fields; "_row" = the 1-based data row
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    duplicate_of: dict[int, int] = field(default_factory=dict)  # row → the row it repeats
    released: bool = False
    _kept: int = 0

    def rows(self) -> list[dict]:
        """The clean rows, one dict of canonical fields each."""
        if self.released:
            raise RuntimeError(f"{self.file}: rows were released after resolution")
        return self.records

    @property
    def rows_kept(self) -> int:
        """How many clean rows the source had (also after ``release_rows``)."""
        return self._kept if self.released else len(self.records)

    def release_rows(self) -> None:
        """Drop the clean rows once residents and entities are built from them (4 million
        dicts at 1 M residents); the counts and issues stay for the report."""
        self._kept, self.records, self.released = len(self.records), [], True

    @property
    def rows_quarantined(self) -> int:
        return len({i.row for i in self.issues if i.action == ROW_QUARANTINED})

    @property
    def duplicates(self) -> int:
        return sum(1 for i in self.issues if i.action == DUPLICATE)


def validate_table(mapping: SourceMapping, table: pd.DataFrame, file_name: str,
                   as_of: dt.date) -> ValidatedSource:
    """Normalise every mapped column of ``table``; return the clean rows and the issues.

    Each distinct raw value of a column is normalised once (exports repeat dates, names of
    areas and addresses thousands of times).
    """
    sheet = mapping.sheet or ""
    issues: list[Issue] = []
    columns: dict[str, list] = {"_row": list(range(1, len(table) + 1))}
    bad_rows: set[int] = set()
    duplicate_of: dict[int, int] = {}

    # Exact duplicates of an earlier row: loaded once, recorded, never written twice.
    mapped_columns = [spec.column for spec in mapping.fields.values()]
    duplicate_mask = table.duplicated(subset=mapped_columns, keep="first")
    if duplicate_mask.any():
        # Row-wise pandas .agg is ~100x slower than zipping the columns into tuples.
        first_of = list(zip(*(table[column].tolist() for column in mapped_columns)))
        first_row = {}
        for index, key in zip(table.index, first_of):
            first_row.setdefault(key, index + 1)
        for index in table.index[duplicate_mask]:
            duplicate_of[index + 1] = first_row[first_of[index]]
            issues.append(Issue(mapping.source, file_name, sheet, index + 1, "", "", "",
                                f"same as row {first_row[first_of[index]]}", DUPLICATE))

    # A duplicate's cells are its first row's: their issues are recorded there, once.
    duplicate_rows = {row - 1 for row in duplicate_of}
    for spec in mapping.fields.values():
        normalise = make_normaliser(spec, as_of)
        # A plain list: iterating pandas' Arrow-backed strings costs 2 µs a cell.
        column = table[spec.column].tolist()
        outcomes: dict = {}
        for raw in dict.fromkeys(column):
            try:
                outcomes[raw] = (True, normalise(raw))
            except MissingValueError:
                outcomes[raw] = (False, None if not spec.required else "missing required value")
            except InvalidValueError as e:
                outcomes[raw] = (False, e.reason)
        values = []
        for index, raw in enumerate(column):
            ok, value = outcomes[raw]
            if index in duplicate_rows:
                values.append(None)
                continue
            if ok:
                values.append(value)
                continue
            values.append(None)
            if value is None:  # an optional field left empty: not a defect
                continue
            action = ROW_QUARANTINED if spec.required else FIELD_DROPPED
            if spec.required:
                bad_rows.add(index)
            issues.append(Issue(mapping.source, file_name, sheet, index + 1, spec.name,
                                spec.column, str(raw)[:80], value, action))
        columns[spec.name] = values

    # Plain dicts, not a DataFrame: DataFrame.to_dict boxes every cell (5x slower) and
    # holding both forms doubles memory at a million residents.
    dropped = bad_rows | duplicate_rows
    names = list(columns)
    records = [dict(zip(names, values)) for index, values in enumerate(zip(*columns.values()))
               if index not in dropped]
    return ValidatedSource(mapping=mapping, file=file_name, records=records,
                           issues=issues, rows_read=len(table), duplicate_of=duplicate_of)


def write_quarantine(issues: list[Issue], path: Path) -> None:
    """Write every issue to a CSV file (UTF-8 with BOM so Excel opens it in Chinese)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame([vars(i) for i in issues],
                         columns=list(Issue.__dataclass_fields__))
    frame.to_csv(path, index=False, encoding="utf-8-sig")
