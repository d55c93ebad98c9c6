"""The HSDS 3.0 JSON schemas shipped beside this module, and validation against them.

The schemas (``schema/*.json``, CC BY-SA 4.0, see ``schema/LICENSE``) are copied unchanged
from openreferral/specification branch 3.0. They refer to each other by file name
(``"$ref": "phone.json"``), so all of them are put into one ``referencing`` registry.
Formats are checked too (HSDS ids must be UUIDs, emails must look like emails).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().with_name("schema")

# HSDS table name (as in the CSV layout and in Record.table) → schema file.
TABLE_SCHEMAS = {
    "organization": "organization.json",
    "service": "service.json",
    "location": "location.json",
    "service_at_location": "service_at_location.json",
    "taxonomy_term": "taxonomy_term.json",
    "taxonomy": "taxonomy.json",
}


@dataclass(frozen=True)
class SchemaProblem:
    """One way a document breaks its schema: the field path and what is wrong."""

    field: str
    message: str


@lru_cache(maxsize=None)
def _validator(schema_file: str, schema_dir: str):
    try:
        from jsonschema import Draft202012Validator, FormatChecker
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise ImportError("HSDS validation needs jsonschema: pip install jsonschema==4.26.0"
                          ) from e
    directory = Path(schema_dir)
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text()),
                                                    default_specification=DRAFT202012))
                 for path in sorted(directory.glob("*.json"))]
    registry = Registry().with_resources(resources)
    schema = json.loads((directory / schema_file).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def validate(table: str, document: dict, schema_dir: Path = SCHEMA_DIR) -> list[SchemaProblem]:
    """Return the ways ``document`` breaks the HSDS 3.0 schema of ``table`` (empty: valid).

    Args:
        table: an HSDS table name from TABLE_SCHEMAS ("service", "organization", ...).
        document: the JSON object.
        schema_dir: where the schema files are; tests pass the upstream copy.
    """
    validator = _validator(TABLE_SCHEMAS[table], str(schema_dir))
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(part) for part in error.absolute_path) or "(document)"
        problems.append(SchemaProblem(path, error.message[:300]))
    return problems


@lru_cache(maxsize=None)
def property_types(schema_file: str, schema_dir: Path = SCHEMA_DIR) -> dict[str, str]:
    """Return each property's JSON type in one schema file (to type CSV cells)."""
    schema = json.loads((Path(schema_dir) / schema_file).read_text())
    return {name: spec.get("type", "object") for name, spec in schema["properties"].items()}


def typed_cell(json_type: str, text: str):
    """Turn a CSV cell into the JSON value its schema wants; raise ValueError if it can't.

    >>> typed_cell("number", "12"), typed_cell("number", "1.5"), typed_cell("string", "x")
    (12, 1.5, 'x')
    """
    if json_type in ("number", "integer"):
        value = float(text)
        return int(value) if value.is_integer() else value
    if json_type == "boolean":
        if text.strip().lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text.strip().lower() == "true"
    return text
