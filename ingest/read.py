"""Read one source export (CSV, XLSX sheet or Parquet) as text cells, exactly as written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from graph.errors import IngestError
from ingest.mapping import SourceMapping


def source_path(mapping: SourceMapping, raw_dir: Path) -> Path:
    """Return the export file a mapping names inside ``raw_dir`` (a glob picks the last)."""
    matches = sorted(raw_dir.glob(mapping.file))
    return matches[-1] if matches else raw_dir / mapping.file


def read_table(mapping: SourceMapping, raw_dir: Path) -> pd.DataFrame:
    """Return the export's rows as a DataFrame of strings ('' for an empty cell).

    Every cell is read as text, so IDs, phones and codes keep their leading zeros and no
    number becomes a float. Data row N of the file is index N-1.

    Raises:
        IngestError: the file is missing, unreadable, or lacks a column the mapping names.
    """
    path = source_path(mapping, raw_dir)
    if not path.exists():
        raise IngestError(f"{mapping.source}: file {path} not found (mapping "
                          f"{mapping.path.name}, file: {mapping.file})")
    try:
        if mapping.format == "csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False,
                                encoding=mapping.encoding)
        elif mapping.format == "xlsx":
            sheets = _workbook(path)
            name = mapping.sheet or next(iter(sheets))
            if name not in sheets:
                raise IngestError(f"{mapping.source}: {path.name} has no sheet {name!r}; it "
                                  f"has: {', '.join(sheets)}")
            table = sheets[name]
        else:
            table = pd.read_parquet(path)
    except (OSError, ValueError, UnicodeDecodeError, KeyError, zipfile.BadZipFile) as e:
        raise IngestError(f"{mapping.source}: cannot read {path.name}"
                          f"{' sheet ' + mapping.sheet if mapping.sheet else ''}: {e}") from e
    columns = {spec.column for spec in mapping.fields.values()}
    missing = sorted(columns - set(table.columns))
    if missing:
        raise IngestError(f"{mapping.source}: {path.name} has no column(s) "
                          f"{', '.join(missing)} named in {mapping.path.name}; it has: "
                          f"{', '.join(map(str, table.columns))}")
    return table.reset_index(drop=True)


def _workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as text; parsed once per file version, since several
    sources (civil affairs has three) read sheets of the same workbook."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _WORKBOOKS:
        if len(_WORKBOOKS) >= _WORKBOOKS_KEPT:
            _WORKBOOKS.pop(next(iter(_WORKBOOKS)))
        _WORKBOOKS[key] = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    return {name: frame.copy() for name, frame in _WORKBOOKS[key].items()}


_WORKBOOKS: dict[tuple, dict[str, pd.DataFrame]] = {}
_WORKBOOKS_KEPT = 4  # the exports have two workbooks; a few more cost little memory
