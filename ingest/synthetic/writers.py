"""Write tables as CSV or XLSX so that the same input always gives the same bytes.

The XLSX writer emits the few SpreadsheetML parts a workbook needs directly: openpyxl's
write-only mode spends ~50 µs per cell, which is minutes at a million residents, and
stamps the current time into the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

_FIXED_ZIP_TIME = (2025, 6, 30, 8, 0, 0)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CSV_CHUNK_ROWS = 100_000


def _cell_text(value) -> str:
    """Return the CSV text of one cell; None and NaN are empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value if isinstance(value, str) else str(value)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8", crlf: bool = False) -> None:
    """Write ``frame`` as CSV with the system's encoding and line ending."""
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(list(frame.columns))
        # Chunks bound the extra memory of the text copies at large district sizes.
        for lo in range(0, len(frame), _CSV_CHUNK_ROWS):
            part = frame.iloc[lo:lo + _CSV_CHUNK_ROWS]
            writer.writerows(zip(*[[_cell_text(v) for v in part[c].tolist()] for c in part.columns]))


def _column_letter(i: int) -> str:
    """Return the spreadsheet column name of 0-based column ``i``.

    >>> _column_letter(0), _column_letter(25), _column_letter(26)
    ('A', 'Z', 'AA')
    """
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _xml_cell(ref: str, value) -> str:
    """Return one <c> element: numbers as numbers, dates as styled serials, the rest inline text."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if hasattr(value, "item"):  # numpy scalar
        return _xml_cell(ref, value.item())
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _sheet_xml(frame: pd.DataFrame) -> str:
    """Return the worksheet part for one frame, header row first."""
    letters = [_column_letter(i) for i in range(len(frame.columns))]
    columns = [frame[c].tolist() for c in frame.columns]
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    header = "".join(_xml_cell(f"{c}1", str(h)) for c, h in zip(letters, frame.columns))
    lines.append(f'<row r="1">{header}</row>')
    for r, row in enumerate(zip(*columns), start=2):
        cells = "".join(_xml_cell(f"{c}{r}", v) for c, v in zip(letters, row))
        lines.append(f'<row r="{r}">{cells}</row>')
    lines.append("</sheetData></worksheet>")
    return "".join(lines)


def write_xlsx(path: Path, sheets: list[tuple[str, pd.DataFrame]]) -> None:
    """Write sheets into one workbook; date cells are real Excel dates (yyyy-mm-dd)."""
    ns = "http://schemas.openxmlformats.org/"
    n = len(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{ns}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(n)
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{ns}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (name, _) in enumerate(sheets))
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{ns}package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{ns}officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{ns}officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    # Style 1 = built-in number format 14 (the locale's short date), which readers turn into dates.
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{ns}spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels), ("xl/workbook.xml", workbook),
             ("xl/_rels/workbook.xml.rels", workbook_rels), ("xl/styles.xml", styles)]
    parts += [(f"xl/worksheets/sheet{i + 1}.xml", _sheet_xml(frame)) for i, (_, frame) in enumerate(sheets)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            # A fixed entry time keeps the archive byte-identical across runs.
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
