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
            table = pd.read_excel(path, sheet_name=mapping.sheet or 0, dtype=str,
                                  keep_default_na=False)
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
