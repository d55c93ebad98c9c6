"""Source mapping files (``ingest/sources/*.yaml``): what a subsystem's export holds and feeds.

A mapping names the file and its format, maps the export's own column names to canonical
fields with a type each, and says what the rows feed: residents (``feeds: person``) or
another kind of node (``feeds: entity``). Adding a subsystem means adding one such file.
The full grammar is in ``docs/INGEST.md``; ``load_mappings`` checks every file up front
and names the file and key of any mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph import schema
from graph.errors import IngestError

SOURCES_DIR = Path(__file__).resolve().parent / "sources"

FIELD_TYPES = ("text", "int", "float", "bool", "id_number", "name", "sex", "date", "phone",
               "address", "enum", "list")
FEEDS = ("person", "entity", "timeseries")
# Canonical fields that identify a person; used by entity resolution.
IDENTITY_FIELDS = ("id_number", "name", "sex", "birth_date", "phone", "address")


@dataclass(frozen=True)
class FieldSpec:
    """How one canonical field is read from one column."""

    name: str
    column: str
    type: str = "text"
    required: bool = False
    values: dict[str, Any] | None = None   # enum / list: source spelling → canonical value
    separator: str = "、"                   # list
    formats: tuple[str, ...] | None = None  # date: strptime formats instead of the defaults
    not_after_as_of: bool = False           # date: reject dates after the as-of date
    outside_ok: bool = False                # address: an address outside the area is no defect


@dataclass(frozen=True)
class LinkSpec:
    """A relationship from this source's node to another node, found by a lookup."""

    type: str
    to: str
    field: str | None = None       # our field whose value identifies the target…
    match: str | None = None       # …by this property of the target (default: its key)
    via_building: bool = False     # target = the area of the building at our address
    nearest: bool = False          # fallback/alternative: the nearest target by lat/lon
    within_radius_field: str | None = None  # all targets within this many metres
    reverse: bool = False          # the relationship points from the target to us
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    """The node a row creates or updates: its label, key field and properties."""

    label: str
    key: str | None = None                  # field holding the key
    key_from_address: bool = False         # Building: key found from the address field
    properties: tuple[str, ...] = ()
    rename: dict[str, str] = field(default_factory=dict)   # field → property name
    links: tuple[LinkSpec, ...] = ()
    person_link: str | None = None          # relationship type from the resident to the node
    person_link_properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventSpec:
    """Each row is a dated event in a resident's life (an Event node)."""

    kind: str | None = None
    kind_field: str | None = None
    date: str = "date"
    id_fields: tuple[str, ...] = ()
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResidentSpec:
    """What a person row says about the resident it resolves to."""

    set: tuple[str, ...] = ()                 # scalar properties, the best source wins
    constants: dict[str, Any] = field(default_factory=dict)  # set on every resident here
    collect: dict[str, str] = field(default_factory=dict)    # list property ← field
    latest: dict[str, str] = field(default_factory=dict)     # keep the latest date
    latest_by: dict[str, tuple[str, str]] = field(default_factory=dict)  # dict: key → date
    count: tuple[str, ...] = ()              # count rows per resident into this property
    count_true: dict[str, str] = field(default_factory=dict)  # count rows whose field is True
    link_keys: tuple[str, ...] = ()          # fields that identify a person within a namespace


@dataclass(frozen=True)
class SourceMapping:
    """One subsystem export (or one sheet of it) and how it is read."""

    source: str
    title: str
    file: str
    format: str
    fields: dict[str, FieldSpec]
    feeds: str
    path: Path
    encoding: str = "utf-8-sig"
    sheet: str | None = None
    priority: int = 50
    resident: ResidentSpec = ResidentSpec()
    event: EventSpec | None = None
    entity: EntitySpec | None = None
    optional: bool = False

    @property
    def is_person(self) -> bool:
        return self.feeds == "person"


def _err(path: Path, message: str) -> IngestError:
    return IngestError(f"{path.name}: {message}")


def _tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _field(path: Path, name: str, spec: Any) -> FieldSpec:
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict) or "column" not in spec:
        raise _err(path, f"fields.{name} needs a column (e.g. `{name}: {{column: 姓名}}`)")
    unknown = set(spec) - {"column", "type", "required", "values", "separator", "formats",
                           "not_after_as_of", "outside_ok"}
    if unknown:
        raise _err(path, f"fields.{name} has unknown keys {sorted(unknown)}")
    type_ = spec.get("type", "text")
    if type_ not in FIELD_TYPES:
        raise _err(path, f"fields.{name}.type {type_!r} is not one of {', '.join(FIELD_TYPES)}")
    if type_ == "enum" and not spec.get("values"):
        raise _err(path, f"fields.{name} is an enum without values")
    return FieldSpec(name=name, column=str(spec["column"]), type=type_,
                     required=bool(spec.get("required", False)), values=spec.get("values"),
                     separator=spec.get("separator", "、"),
                     formats=_tuple(spec.get("formats")) or None,
                     not_after_as_of=bool(spec.get("not_after_as_of", False)),
                     outside_ok=bool(spec.get("outside_ok", False)))


def _check_fields(path: Path, where: str, names, fields: dict[str, FieldSpec]) -> None:
    for name in names:
        if name not in fields:
            raise _err(path, f"{where} names field {name!r}, which is not under fields")


def parse_mapping(path: Path) -> SourceMapping:
    """Read and check one mapping file.

    Raises:
        IngestError: invalid YAML, a missing or unknown key, a field named but not defined,
            a label or relationship type the schema does not declare.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise _err(path, f"cannot read: {e}") from e
    if not isinstance(data, dict):
        raise _err(path, "must be a mapping of keys to values")
    for key in ("source", "file", "fields", "feeds"):
        if key not in data:
            raise _err(path, f"missing required key {key!r}")
    known = {"source", "title", "file", "format", "encoding", "sheet", "priority", "fields",
             "feeds", "resident", "event", "entity", "optional", "description"}
    unknown = set(data) - known
    if unknown:
        raise _err(path, f"unknown keys {sorted(unknown)}")
    if data["feeds"] not in FEEDS:
        raise _err(path, f"feeds must be one of {', '.join(FEEDS)}")
    fmt = data.get("format") or Path(data["file"]).suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx", "parquet"):
        raise _err(path, f"format {fmt!r} is not csv, xlsx or parquet")
    fields = {name: _field(path, name, spec) for name, spec in (data["fields"] or {}).items()}

    resident = ResidentSpec()
    if data["feeds"] == "person":
        if "name" not in fields and "id_number" not in fields:
            raise _err(path, "a person source needs at least a name or an id_number field")
        r = data.get("resident") or {}
        latest_by = {k: tuple(v) for k, v in (r.get("latest_by") or {}).items()}
        resident = ResidentSpec(set=_tuple(r.get("set")), constants=dict(r.get("constants") or {}),
                                collect=dict(r.get("collect") or {}),
                                latest=dict(r.get("latest") or {}), latest_by=latest_by,
                                count=_tuple(r.get("count")),
                                count_true=dict(r.get("count_true") or {}),
                                link_keys=_tuple(r.get("link_keys")))
        _check_fields(path, "resident.set", resident.set, fields)
        _check_fields(path, "resident.collect", resident.collect.values(), fields)
        _check_fields(path, "resident.latest", resident.latest.values(), fields)
        _check_fields(path, "resident.count_true", resident.count_true.values(), fields)
        _check_fields(path, "resident.link_keys", resident.link_keys, fields)
        for prop, pair in latest_by.items():
            _check_fields(path, f"resident.latest_by.{prop}", pair, fields)

    event = None
    if data.get("event"):
        e = data["event"]
        event = EventSpec(kind=e.get("kind"), kind_field=e.get("kind_field"),
                          date=e.get("date", "date"), id_fields=_tuple(e.get("id")),
                          properties=_tuple(e.get("properties")))
        if not (event.kind or event.kind_field):
            raise _err(path, "event needs a kind or a kind_field")
        _check_fields(path, "event", [event.date, *event.id_fields, *event.properties,
                                      *_tuple(event.kind_field)], fields)

    entity = None
    if data.get("entity"):
        e = data["entity"]
        try:
            schema.label(e.get("label", ""))
        except schema.SchemaError as error:
            raise _err(path, f"entity.label: {error}") from error
        links = []
        for i, link in enumerate(e.get("links") or []):
            try:
                schema.rel_type(link.get("type", ""))
                schema.label(link.get("to", ""))
            except schema.SchemaError as error:
                raise _err(path, f"entity.links[{i}]: {error}") from error
            spec = LinkSpec(type=link["type"], to=link["to"], field=link.get("field"),
                            match=link.get("match"), via_building=bool(link.get("via_building")),
                            nearest=bool(link.get("nearest")),
                            within_radius_field=link.get("within_radius_field"),
                            reverse=bool(link.get("reverse")),
                            properties=_tuple(link.get("properties")))
            _check_fields(path, f"entity.links[{i}]",
                          [*_tuple(spec.field), *_tuple(spec.within_radius_field),
                           *spec.properties], fields)
            links.append(spec)
        entity = EntitySpec(label=e["label"], key=e.get("key"),
                            key_from_address=bool(e.get("key_from_address")),
                            properties=_tuple(e.get("properties")),
                            rename=dict(e.get("rename") or {}), links=tuple(links),
                            person_link=e.get("person_link"),
                            person_link_properties=_tuple(e.get("person_link_properties")))
        _check_fields(path, "entity", [*_tuple(entity.key), *entity.properties,
                                       *entity.person_link_properties], fields)
        if entity.person_link:
            try:
                schema.rel_type(entity.person_link)
            except schema.SchemaError as error:
                raise _err(path, f"entity.person_link: {error}") from error
        if not entity.key and not entity.key_from_address:
            raise _err(path, "entity needs a key field or key_from_address: true")
    elif data["feeds"] == "entity":
        raise _err(path, "feeds: entity needs an entity block")

    return SourceMapping(
        source=str(data["source"]), title=str(data.get("title", data["source"])),
        file=str(data["file"]), format=fmt, fields=fields, feeds=data["feeds"], path=path,
        encoding=data.get("encoding", "utf-8-sig"), sheet=data.get("sheet"),
        priority=int(data.get("priority", 50)), resident=resident, event=event, entity=entity,
        optional=bool(data.get("optional", False)))


def load_mappings(directory: Path | None = None) -> list[SourceMapping]:
    """Return every mapping in ``directory`` (default: ingest/sources), in processing order.

    Entity sources come first (places and organizations must exist before people link to
    them), then person sources by priority, then time series.
    """
    return list(_load(str(directory or SOURCES_DIR)))


@lru_cache(maxsize=8)
def _load(directory: str) -> tuple[SourceMapping, ...]:
    paths = sorted(Path(directory).glob("*.yaml"))
    if not paths:
        raise IngestError(f"No mapping files (*.yaml) in {directory}")
    mappings = [parse_mapping(p) for p in paths]
    seen: dict[str, Path] = {}
    for m in mappings:
        if m.source in seen:
            raise IngestError(f"{m.path.name}: source name {m.source!r} is also used by "
                              f"{seen[m.source].name}")
        seen[m.source] = m.path
    order = {"entity": 0, "person": 1, "timeseries": 2}
    return tuple(sorted(mappings, key=lambda m: (order[m.feeds], m.priority, m.source)))
