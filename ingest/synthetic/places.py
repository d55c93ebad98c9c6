"""The district's fixed places: residential areas, buildings, organizations, venues, service points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .addresses import ROADS, street_address
from .params import Scale, lat_lon

AREA_NAMES = list(
    "秀苑 乐业 岭南 闻喜 汾西 阳曲 临汾 保德 锦苑 新梅 康乐 和源 延峰 共和 广中 华苑 星光 嘉园 景凤 三泉 "
    "泗塘 永和 灵石 馨苑 宝华".split()
)
AREA_SUFFIX = ["", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

ORG_KINDS = ["机关事业单位", "企业", "学校", "社会组织", "医疗机构"]
ORG_KIND_WEIGHTS = [0.12, 0.55, 0.10, 0.16, 0.07]
_ENTERPRISE_WORDS = list("华 兴 宏 达 鑫 恒 瑞 安 泰 汇 信 盛 康 捷 新 中 联 申 沪 嘉".split())
_INDUSTRIES = ["物业管理", "贸易", "信息技术", "餐饮管理", "建筑装饰", "文化传媒", "医药", "物流", "电子科技", "咨询"]
_SCHOOLS = ["小学", "中学", "幼儿园", "职业技术学校"]
_NGOS = ["社工服务社", "公益促进会", "邻里互助中心", "为老服务社", "青少年事务社", "文化艺术团"]
_PUBLIC = ["街道办事处", "社区事务受理服务中心", "市场监督管理所", "派出所", "房管办事处", "文化活动中心", "社区党建服务中心"]
_CLINICS = ["社区卫生服务中心", "中医门诊部", "口腔诊所", "康复医院"]
USCC_CHARS = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
RESOURCE_KINDS = ["场地", "志愿者", "资金", "专业服务"]
EXPERTISE = ["法律咨询", "义诊", "电脑维修", "心理疏导", "财务咨询", "文艺培训", "家电维修", "防诈骗宣传"]

# Service-point categories: (Chinese type, service radius in metres, capacity range).
POINT_TYPES = [
    ("长者食堂", 800, (60, 200)),
    ("社区助餐点", 500, (20, 60)),
    ("幼儿园", 1000, (90, 360)),
    ("托育点", 800, (20, 60)),
    ("社区卫生服务站", 1000, (0, 0)),
    ("日间照料中心", 800, (20, 50)),
    ("综合为老服务中心", 1500, (50, 150)),
    ("长者照护之家", 1500, (20, 49)),
    ("邻里汇", 1000, (50, 300)),
]
POINT_WEIGHTS = np.array([0.14, 0.18, 0.13, 0.07, 0.12, 0.12, 0.05, 0.07, 0.12])

VENUE_TYPES = ["居民区活动室", "党群服务站", "会议室", "多功能厅", "学校操场", "图书室", "健身点", "空置用房"]
EQUIPMENT = ["投影仪", "音响", "空调", "桌椅", "厨房", "无障碍通道", "电脑", "乒乓球桌", "钢琴", "大屏幕"]
OPENING_HOURS = [
    "Mon-Fri 09:00-17:00",
    "Mon-Fri 09:00-17:00; Sat 09:00-12:00",
    "Mon-Sun 08:00-20:00",
    "Tue-Sat 13:00-21:00",
    "Mon-Fri 18:00-21:00; Sat-Sun 09:00-21:00",
    "Sat-Sun 08:30-16:30",
    "Mon-Fri 08:30-11:30; Mon-Fri 13:30-16:30",
    "Mon, Wed, Fri 14:00-17:00",
]


def dedupe(names: list[str]) -> list[str]:
    """Number repeated names, as real registrations distinguish branches.

    >>> dedupe(["甲", "乙", "甲"])
    ['甲', '乙', '甲(第2分部)']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}(第{seen[name]}分部)")
    return out


def make_areas(rng: np.random.Generator, scale: Scale) -> pd.DataFrame:
    """Place residential areas (居委会) on a jittered grid around the centre."""
    n = scale.areas
    side = int(np.ceil(np.sqrt(n)))
    cell = scale.extent_m / side
    slots = rng.permutation(side * side)[:n]
    x = (slots % side + 0.5) * cell - scale.extent_m / 2 + rng.normal(0, cell * 0.15, n)
    y = (slots // side + 0.5) * cell - scale.extent_m / 2 + rng.normal(0, cell * 0.15, n)
    lat, lon = lat_lon(x, y)
    names = [
        AREA_NAMES[i % len(AREA_NAMES)] + AREA_SUFFIX[(i // len(AREA_NAMES)) % len(AREA_SUFFIX)]
        + (str(i // (len(AREA_NAMES) * len(AREA_SUFFIX)) + 1) if i >= len(AREA_NAMES) * len(AREA_SUFFIX) else "")
        + "居委会"
        for i in range(n)
    ]
    return pd.DataFrame(
        {
            "area_code": [f"310106012{i + 1:03d}" for i in range(n)],
            "area_name": names,
            "road": np.arange(n) % len(ROADS),
            "x": x, "y": y, "lat": lat, "lon": lon,
        }
    )


def make_buildings(rng: np.random.Generator, scale: Scale, areas: pd.DataFrame, households: int) -> pd.DataFrame:
    """Place residential buildings around their area's centre, with enough flats for ``households``."""
    n = scale.buildings
    n_areas = len(areas)
    # Each area gets at least one building; the rest spread unevenly, as real areas differ.
    shares = rng.dirichlet(np.full(n_areas, 8.0))
    extra = rng.multinomial(n - n_areas, shares)
    area = np.repeat(np.arange(n_areas), extra + 1)
    tower = rng.random(n) < 0.15
    # Tiny districts still need both kinds of building.
    tower[0], tower[-1] = True, False
    floors = np.where(tower, rng.integers(11, 31, n), rng.choice([5, 6, 7], n, p=[0.3, 0.5, 0.2]))
    build_year = np.where(tower, rng.integers(1995, 2016, n), rng.integers(1980, 2000, n))
    units = np.where(tower, rng.choice([1, 2], n, p=[0.7, 0.3]), 1)
    per_floor = np.where(tower, rng.integers(4, 9, n), rng.choice([2, 3, 4], n, p=[0.35, 0.45, 0.2]))
    # Small districts draw too few flats by chance; widen floors until everyone fits with some vacancy.
    while (floors * units * per_floor).sum() < households * 1.08:
        per_floor = per_floor + 1
    ownership = np.where(
        tower,
        rng.choice(["商品房", "动迁安置房"], n, p=[0.8, 0.2]),
        rng.choice(["售后公房", "公房(租赁)", "动迁安置房", "商品房"], n, p=[0.68, 0.15, 0.12, 0.05]),
    )
    cell = scale.extent_m / int(np.ceil(np.sqrt(n_areas)))
    x = areas["x"].to_numpy()[area] + np.clip(rng.normal(0, cell * 0.18, n), -cell * 0.45, cell * 0.45)
    y = areas["y"].to_numpy()[area] + np.clip(rng.normal(0, cell * 0.18, n), -cell * 0.45, cell * 0.45)
    lat, lon = lat_lon(x, y)
    seq = np.zeros(n, dtype=np.int64)
    lane = np.zeros(n, dtype=np.int64)
    number = np.zeros(n, dtype=np.int64)
    road = areas["road"].to_numpy()[area]
    next_lane = {r: 11 + 50 * int(rng.integers(0, 6)) for r in range(len(ROADS))}
    for a in range(n_areas):
        idx = np.flatnonzero(area == a)
        seq[idx] = np.arange(1, len(idx) + 1)
        # An area spans one to three lanes (弄) of its road, numbered upwards along the road.
        n_lanes = min(len(idx), int(rng.integers(1, 4)))
        split = np.array_split(idx, n_lanes)
        r = int(road[idx[0]])
        for part in split:
            lane[part] = next_lane[r]
            number[part] = np.arange(1, len(part) + 1)
            next_lane[r] += int(rng.integers(2, 40)) * 2
    codes = [f"LF{a + 1:03d}{s:03d}" for a, s in zip(area.tolist(), seq.tolist())]
    return pd.DataFrame(
        {
            "building_code": codes, "area": area, "road": road, "lane": lane, "number": number,
            "floors": floors, "build_year": build_year, "elevator": tower, "units": units,
            "per_floor": per_floor, "flats": floors * units * per_floor, "ownership": ownership,
            "x": x, "y": y, "lat": lat, "lon": lon,
        }
    )


def _uscc(rng: np.random.Generator, kind: np.ndarray) -> list[str]:
    """Return unified social credit codes with plausible authority/type prefixes."""
    prefix = {"机关事业单位": "12", "企业": "91", "学校": "52", "社会组织": "52", "医疗机构": "12"}
    body = USCC_CHARS[rng.integers(0, len(USCC_CHARS), (len(kind), 10))]
    return [prefix[k] + "310106" + "".join(b) for k, b in zip(kind.tolist(), body)]


def make_organizations(rng: np.random.Generator, scale: Scale, areas: pd.DataFrame) -> pd.DataFrame:
    """Create organizations (units, enterprises, schools, NGOs) with the resources they offer."""
    n = scale.organizations
    kind = rng.choice(ORG_KINDS, n, p=ORG_KIND_WEIGHTS)
    names = []
    for i, k in enumerate(kind.tolist()):
        w = "".join(rng.choice(_ENTERPRISE_WORDS, 2))
        road = ROADS[int(rng.integers(0, len(ROADS)))][0]
        if k == "企业":
            names.append(f"上海{w}{rng.choice(_INDUSTRIES)}有限公司")
        elif k == "学校":
            names.append(f"静安区{road.removesuffix('路')}{rng.choice(_SCHOOLS)}")
        elif k == "社会组织":
            names.append(f"静安区{w}{rng.choice(_NGOS)}")
        elif k == "医疗机构":
            names.append(f"静安区{road.removesuffix('路')}{rng.choice(_CLINICS)}")
        else:
            names.append(f"临汾路街道{_PUBLIC[i % len(_PUBLIC)]}" if i < len(_PUBLIC) else f"静安区{w}{rng.choice(_PUBLIC)}")
    names = dedupe(names)
    area = rng.integers(0, len(areas), n)
    x = areas["x"].to_numpy()[area] + rng.normal(0, 150, n)
    y = areas["y"].to_numpy()[area] + rng.normal(0, 150, n)
    lat, lon = lat_lon(x, y)
    road = rng.integers(0, len(ROADS), n)
    street_no = rng.integers(1, 700, n)
    member = rng.random(n) < 0.7
    offers = []
    for m in member.tolist():
        chosen = [r for r in RESOURCE_KINDS if m and rng.random() < 0.45]
        offers.append(chosen if chosen or not m else [RESOURCE_KINDS[int(rng.integers(0, 4))]])
    return pd.DataFrame(
        {
            "org_code": _uscc(rng, kind), "org_name": names, "org_kind": kind, "area": area,
            "address": [street_address(r, s) for r, s in zip(road.tolist(), street_no.tolist())],
            "employees": np.where(kind == "企业", rng.integers(5, 400, n), rng.integers(8, 120, n)),
            "party_unit": member, "resources": offers,
            "room_seats": np.where([("场地" in o) for o in offers], rng.integers(20, 200, n), 0),
            "volunteer_slots": np.where([("志愿者" in o) for o in offers], rng.integers(3, 40, n), 0),
            "funds_yuan": np.where([("资金" in o) for o in offers], rng.integers(1, 50, n) * 1000, 0),
            "expertise": [str(rng.choice(EXPERTISE)) if "专业服务" in o else "" for o in offers],
            "lat": lat, "lon": lon,
        }
    )


def make_venues(
    rng: np.random.Generator, scale: Scale, areas: pd.DataFrame, buildings: pd.DataFrame, orgs: pd.DataFrame
) -> pd.DataFrame:
    """Create venues: rooms, halls and vacant premises, owned by committees or organizations."""
    n = scale.venues
    kind = rng.choice(VENUE_TYPES, n, p=[0.25, 0.08, 0.2, 0.1, 0.05, 0.07, 0.1, 0.15])
    in_lane = rng.random(n) < 0.5
    bldg = rng.integers(0, len(buildings), n)
    org = rng.integers(0, len(orgs), n)
    by_committee = np.isin(kind, ["居民区活动室", "党群服务站", "健身点"]) | (in_lane & (rng.random(n) < 0.5))
    area = np.where(in_lane, buildings["area"].to_numpy()[bldg], orgs["area"].to_numpy()[org])
    owner = np.where(by_committee, areas["area_name"].to_numpy()[area], orgs["org_name"].to_numpy()[org])
    x = np.where(in_lane, buildings["x"].to_numpy()[bldg], areas["x"].to_numpy()[area] + rng.normal(0, 120, n))
    y = np.where(in_lane, buildings["y"].to_numpy()[bldg], areas["y"].to_numpy()[area] + rng.normal(0, 120, n))
    lat, lon = lat_lon(x, y)
    vacant = kind == "空置用房"
    road = rng.integers(0, len(ROADS), n)
    street_no = rng.integers(1, 700, n)
    equipment = [
        "" if v else "、".join(sorted(set(rng.choice(EQUIPMENT, int(rng.integers(1, 5))).tolist()), key=EQUIPMENT.index))
        for v in vacant.tolist()
    ]
    hours = ["" if v else OPENING_HOURS[int(rng.integers(0, len(OPENING_HOURS)))] for v in vacant.tolist()]
    return pd.DataFrame(
        {
            "venue_id": [f"VN{i + 1:05d}" for i in range(n)],
            "kind": kind, "area": area, "in_lane": in_lane, "building": np.where(in_lane, bldg, -1),
            "road": road, "street_no": street_no, "owner": owner,
            "capacity": np.where(vacant, 0, rng.integers(10, 300, n)),
            "area_sqm": rng.integers(20, 600, n), "equipment": equipment, "hours": hours,
            "vacant": vacant | (rng.random(n) < 0.03), "lat": lat, "lon": lon,
        }
    )


def make_service_points(rng: np.random.Generator, scale: Scale, areas: pd.DataFrame) -> pd.DataFrame:
    """Create public service points (dining halls, kindergartens, clinics, day care…)."""
    n = scale.service_points
    # Every type occurs at least once, the rest follow the weights.
    kind = np.concatenate([np.arange(len(POINT_TYPES)), rng.choice(len(POINT_TYPES), n - len(POINT_TYPES), p=POINT_WEIGHTS)])
    kind = rng.permutation(kind)
    area = rng.integers(0, len(areas), n)
    x = areas["x"].to_numpy()[area] + rng.normal(0, 150, n)
    y = areas["y"].to_numpy()[area] + rng.normal(0, 150, n)
    lat, lon = lat_lon(x, y)
    road = areas["road"].to_numpy()[area]
    street_no = rng.integers(1, 700, n)
    type_name = [POINT_TYPES[k][0] for k in kind.tolist()]
    capacity = [int(rng.integers(lo, hi + 1)) if hi else 0 for lo, hi in (POINT_TYPES[k][2] for k in kind.tolist())]
    names = dedupe([f"{areas['area_name'].iat[a].removesuffix('居委会')}{t}" for a, t in zip(area.tolist(), type_name)])
    return pd.DataFrame(
        {
            "point_id": [f"SP{i + 1:04d}" for i in range(n)], "kind": type_name, "name": names, "area": area,
            "address": [street_address(r, s) for r, s in zip(road.tolist(), street_no.tolist())],
            "capacity": capacity, "radius_m": [POINT_TYPES[k][1] for k in kind.tolist()],
            "lat": lat, "lon": lon,
        }
    )
