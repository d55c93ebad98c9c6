"""Nodes that are not residents (areas, buildings, organizations, venues, service points,
officials, volunteers, programs) and the links between them, built from validated rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph import schema
from ingest.address import AddressParts
from ingest.fields import OUTSIDE
from ingest.mapping import EntitySpec, LinkSpec, SourceMapping
from ingest.validate import Issue

LINK_SKIPPED = "link skipped"
ROW_SKIPPED = "row skipped"


def canonical_address(parts: AddressParts) -> str:
    """Render address parts in the house style 临汾路261弄12号 (no room)."""
    lane = f"{parts.lane}弄" if parts.lane is not None else ""
    return f"{parts.street}{lane}{parts.number}号"


def plain(value: Any) -> Any:
    """Make a validated value storable as a graph property (dates → ISO text)."""
    if isinstance(value, AddressParts):
        return canonical_address(value)
    if value is OUTSIDE:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass
class Entities:
    """Every non-resident node by label and key, the pending links, and what went wrong."""

    nodes: dict[str, dict[str, dict]] = field(default_factory=lambda: defaultdict(dict))
    relationships: dict[str, dict[tuple, dict]] = field(
        default_factory=lambda: defaultdict(dict))
    address_index: dict[str, str] = field(default_factory=dict)  # address key → building
    building_area: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    _pending: list[tuple] = field(default_factory=list)

    def building_of(self, value: Any) -> str | None:
        """Return the building id at an address (AddressParts), or None."""
        if isinstance(value, AddressParts):
            return self.address_index.get(value.key())
        return None

    def add_row(self, mapping: SourceMapping, record: dict, file: str) -> str | None:
        """Create or update the node a row describes; return its key (None if skipped)."""
        spec: EntitySpec = mapping.entity
        key = record.get(spec.key) if spec.key else None
        label_nodes = self.nodes[spec.label]
        if spec.key_from_address and (key is None or key not in label_nodes):
            # A blank or unknown code: the address may still name a known building.
            key = self.building_of(record.get("address")) or key
        if key is None:
            self._issue(mapping, record, file, "address", "no known building at this address",
                        ROW_SKIPPED)
            return None
        key = str(key)
        is_update = spec.key_from_address and spec.label == "Building"
        if is_update and key not in label_nodes:
            self._issue(mapping, record, file, spec.key or "address",
                        f"building {key} is not in the housing registry", ROW_SKIPPED)
            return None
        node = label_nodes.setdefault(key, {})
        for name in spec.properties:
            value = plain(record.get(name))
            prop = spec.rename.get(name, name)
            if value is not None and node.get(prop) is None:
                node[prop] = value
        if spec.label == "Building" and not is_update:
            parts = record.get("address")
            if isinstance(parts, AddressParts):
                self.address_index.setdefault(parts.key(), key)
                node.setdefault("address_key", parts.key())
        for link in spec.links:
            self._pending.append((mapping, link, spec.label, key, record, file))
        return key

    def resolve_links(self) -> None:
        """Turn the pending links into relationships now that every node exists."""
        indexes: dict[tuple[str, str], dict] = {}
        # Buildings first: other links go "via the building's area".
        ordered = sorted(self._pending, key=lambda p: p[2] != "Building")
        for mapping, link, label, key, record, file in ordered:
            targets = self._targets(link, label, key, record, indexes)
            if not targets:
                what = record.get(link.field) if link.field else record.get("address")
                self._issue(mapping, record, file, link.field or "address",
                            f"no {link.to} found for {plain(what)!r} ({link.type})",
                            LINK_SKIPPED)
                continue
            props = {p: plain(record.get(p)) for p in link.properties
                     if record.get(p) is not None}
            for target in targets:
                start, end = (target, key) if link.reverse else (key, target)
                self.relationships[link.type][(start, end)] = props
                if link.type == "IN_AREA" and label == "Building":
                    self.building_area[key] = target
        self._pending.clear()

    def _targets(self, link: LinkSpec, label: str, key: str, record: dict, indexes) -> list[str]:
        candidates = self.nodes[link.to]
        if link.field:
            value = plain(record.get(link.field))
            if value is None:
                return []
            if link.match:
                index = indexes.get((link.to, link.match))
                if index is None:
                    index = {props.get(link.match): k for k, props in candidates.items()}
                    indexes[(link.to, link.match)] = index
                found = index.get(value)
            else:
                found = str(value) if str(value) in candidates else None
            return [found] if found else []
        node = self.nodes[label][key]
        if link.via_building:
            building = self.building_of(record.get("address"))
            if building and building in self.building_area:
                return [self.building_area[building]]
        if link.within_radius_field:
            radius = record.get(link.within_radius_field)
            return sorted(k for k, t in candidates.items()
                          if radius and _distance_m(node, t) <= radius)
        if link.nearest:
            scored = sorted((_distance_m(node, t), k) for k, t in candidates.items()
                            if t.get("lat") is not None)
            return [scored[0][1]] if scored and node.get("lat") is not None else []
        return []

    def _issue(self, mapping, record, file, field_name, reason, action) -> None:
        spec = mapping.fields.get(field_name)
        self.issues.append(Issue(mapping.source, file, mapping.sheet or "", record["_row"],
                                 field_name, spec.column if spec else "",
                                 str(plain(record.get(field_name)))[:80], reason, action))

    def node_rows(self, label: str) -> list[dict]:
        """Rows for ingest.load.load_nodes, sorted by key."""
        key = schema.key_of(label)
        return [{key: k, **props} for k, props in sorted(self.nodes[label].items())]

    def relationship_rows(self, type_name: str) -> list[tuple]:
        """Rows for ingest.load.load_relationships, sorted."""
        return [(s, e, p) for (s, e), p in sorted(self.relationships[type_name].items())]


def _distance_m(a: dict, b: dict) -> float:
    """Great-circle distance in metres between two nodes with lat/lon."""
    if a.get("lat") is None or b.get("lat") is None:
        return math.inf
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(h))
