"""The searchable text of each searchable node, in Chinese and English words both.

The graph stores codes (``first_aid``, ``meeting_room``); officials type 急救 or "first aid".
So each code is written out as its English words and its Chinese name, the latter read back
from the ingest mapping files (``ingest/sources/*.yaml`` map 急救 → first_aid; we invert
them), so a new code in a mapping file is searchable without touching this module.

``search_text(label, properties)`` is pure; labels without a builder of their own (such as
the ones HSDS import adds) get a generic text from their string properties.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from graph.schema import EMBEDDING_PROPERTY, SEARCH_TEXT_PROPERTY, key_of, node_label

# Properties never put in search text: identifiers, coordinates, personal contact details
# and what this module itself writes.
SKIPPED = {EMBEDDING_PROPERTY, SEARCH_TEXT_PROPERTY, "embedding_model", "lat", "lon",
           "phone", "contact", "id_number", "email", "hsds_id", "registered_on",
           "hours_served"}  # hours served changes weekly and would re-embed for nothing

# Names the mapping files do not give (expertise is free text there, days are Chinese).
EXTRA_NAMES = {
    "party_unit": "区域化党建成员单位 party-building unit",
    "expertise": "professional services",
    "电脑维修": "computer repair", "义诊": "free medical consultation",
    "财务咨询": "financial advice", "法律咨询": "legal advice",
    "家电维修": "appliance repair", "文艺培训": "arts training",
    "防诈骗宣传": "anti-fraud awareness", "心理疏导": "counselling",
}
_DAYS = {"周一": "Monday", "周二": "Tuesday", "周三": "Wednesday", "周四": "Thursday",
         "周五": "Friday", "周六": "Saturday", "周日": "Sunday"}
_PARTS = {"上午": "morning", "下午": "afternoon", "晚上": "evening"}


@lru_cache(maxsize=1)
def chinese_names() -> dict[str, dict[str, dict[str, str]]]:
    """Return ``{label: {property: {code: Chinese name}}}`` from the ingest mapping files."""
    from ingest.mapping import load_mappings

    names: dict[str, dict[str, dict[str, str]]] = {}
    for mapping in load_mappings():
        if mapping.entity is None:
            continue
        for field_name, spec in mapping.fields.items():
            if not spec.values:
                continue
            prop = mapping.entity.rename.get(field_name, field_name)
            by_code = names.setdefault(mapping.entity.label, {}).setdefault(prop, {})
            for chinese, code in spec.values.items():
                by_code.setdefault(str(code), str(chinese))
    return names


def english_words(code: str) -> str:
    """Spell a code as English words.

    >>> english_words("first_aid")
    'first aid'
    """
    return re.sub(r"[_\-]+", " ", str(code)).strip()


def describe_code(label: str, prop: str, code: Any) -> str:
    """Return a code as English words plus its Chinese name when one is known.

    >>> describe_code("Volunteer", "skills", "first_aid")
    'first aid 急救'
    """
    chinese = chinese_names().get(label, {}).get(prop, {}).get(str(code))
    words = english_words(code)
    if chinese is None:
        chinese = EXTRA_NAMES.get(str(code))
        if chinese is not None and not _has_han(str(code)):
            return f"{words} {chinese}"
        return f"{code} {chinese}" if chinese else words
    return f"{words} {chinese}"


def describe_slot(slot: str) -> str:
    """Add English words to an availability slot such as 周四晚上.

    >>> describe_slot("周四晚上")
    '周四晚上 Thursday evening'
    """
    english = [word for zh, word in {**_DAYS, **_PARTS}.items() if zh in slot]
    return f"{slot} {' '.join(english)}".strip()


def _has_han(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _codes(label: str, props: dict, prop: str) -> str:
    return ", ".join(describe_code(label, prop, v) for v in _as_list(props.get(prop)) if v)


def _join(parts: list[str]) -> str:
    return ". ".join(p.strip() for p in parts if p and p.strip())


def _venue(p: dict) -> str:
    capacity = p.get("capacity")
    return _join([
        p.get("name", ""), "venue 场地 " + _codes("Venue", p, "venue_type"),
        f"capacity {capacity} people 可容纳{capacity}人" if capacity else "",
        "equipment 设施: " + _codes("Venue", p, "equipment") if p.get("equipment") else "",
        f"opening hours 开放时间 {p['opening_hours']}" if p.get("opening_hours") else "",
        f"run by 管理单位 {p['owner']}" if p.get("owner") else "",
        f"address 地址 {p['address']}" if p.get("address") else "",
    ])


def _volunteer(p: dict) -> str:
    slots = ", ".join(describe_slot(s) for s in _as_list(p.get("availability")))
    return _join([
        "volunteer 志愿者",
        "skills 技能: " + _codes("Volunteer", p, "skills") if p.get("skills") else "",
        "languages 语言: " + _codes("Volunteer", p, "languages") if p.get("languages") else "",
        f"available 可服务时间 {slots}" if slots else "",
        f"team 所属团队 {p['team']}" if p.get("team") else "",
    ])


def _organization(p: dict) -> str:
    expertise = ", ".join(describe_code("Organization", "expertise", e)
                          for e in _as_list(p.get("expertise")))
    return _join([
        p.get("name", ""), "organization 单位 " + _codes("Organization", p, "kind"),
        EXTRA_NAMES["party_unit"] if p.get("party_unit") else "",
        "offers 可提供资源: " + _codes("Organization", p, "resources")
        if p.get("resources") else "",
        f"{p['seats_offered']} seats 座位" if p.get("seats_offered") else "",
        f"{p['volunteers_offered']} volunteers 志愿者" if p.get("volunteers_offered") else "",
        f"expertise 专业服务: {expertise}" if expertise else "",
        f"address 地址 {p['address']}" if p.get("address") else "",
    ])


def _service_point(p: dict) -> str:
    capacity = p.get("capacity")
    return _join([
        p.get("name", ""), "public service 公共服务点 " + _codes("ServicePoint", p, "type"),
        f"capacity {capacity} 容量{capacity}" if capacity else "",
        f"address 地址 {p['address']}" if p.get("address") else "",
    ])


def _program(p: dict) -> str:
    return _join([p.get("name", ""), "program 项目 活动", p.get("description", "")])


# Each builder and the properties it reads itself; any other property is added generically,
# so a property a later import adds is still searchable. A volunteer's name is personal data
# (it lives on the Resident), so it is "handled" by leaving it out.
BUILDERS: dict[str, tuple[Callable[[dict], str], set[str]]] = {
    "Venue": (_venue, {"name", "venue_type", "capacity", "equipment", "opening_hours",
                       "owner", "address", "area_sqm", "available_for_new_facility"}),
    "Volunteer": (_volunteer, {"name", "skills", "languages", "availability", "team"}),
    "Organization": (_organization, {"name", "kind", "party_unit", "resources",
                                     "seats_offered", "volunteers_offered", "expertise",
                                     "address", "funds_per_year", "employees"}),
    "ServicePoint": (_service_point, {"name", "type", "capacity", "address",
                                      "service_radius_m"}),
    "Program": (_program, {"name", "description"}),
}


def generic_text(label: str, props: dict, skip: set[str] = frozenset()) -> str:
    """Build text from a node's string, number and list properties (codes written out)."""
    key = key_of(label)
    parts = []
    for prop in sorted(props):
        value = props[prop]
        if prop in SKIPPED or prop in skip or prop == key or prop.endswith("_id"):
            continue
        values = [v for v in _as_list(value) if isinstance(v, (str, int, float))
                  and not isinstance(v, bool) and str(v).strip()]
        if not values:
            continue
        shown = ", ".join(describe_code(label, prop, v) if _is_code(v) else str(v)
                          for v in values)
        parts.append(f"{english_words(prop)}: {shown}")
    return _join(parts)


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value) \
        is not None


def search_text(label: str, props: dict[str, Any]) -> str:
    """Return the searchable text of a node of ``label`` with ``props``.

    Raises:
        SchemaError: ``label`` is not a declared label.
    """
    node_label(label)  # fails loudly on an undeclared label
    builder, handled = BUILDERS.get(label, (lambda p: str(p.get("name") or ""), {"name"}))
    text = _join([builder(props), generic_text(label, props, skip=handled)])
    return re.sub(r"\s+", " ", text).strip()
