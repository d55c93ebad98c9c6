"""Exports about places: housing registry, neighbourhood committees, venues, service points, elevators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .addresses import street_address
from .defects import AddressColumn, DateColumn, Table
from .formats import format_dates
from .phones import make_phones
from .places import dedupe
from .render import building_address
from .world import World

HOUSING = "housing_buildings.csv"
COMMITTEES = "neighbourhood_committees.csv"
OFFICIALS = "committee_officials.csv"
VENUES = "venues.csv"
POINTS = "service_points.csv"
ELEVATORS = "elevator_installations.csv"

_PLACE_KINDS = ("missing_value", "duplicate_row", "address_variant")


def housing(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 房屋 registry export: pinyin-abbreviation headers, one row per building."""
    b = world.buildings
    n = len(b)
    addr, addr_col = building_address(world, np.arange(n), "ZL", "canonical")
    frame = pd.DataFrame(
        {
            "LDBM": b["building_code"].to_numpy(),
            "ZL": addr,
            "JWH": world.areas["area_name"].to_numpy()[b["area"].to_numpy()],
            "CS": b["floors"].to_numpy(),
            "JCND": b["build_year"].to_numpy(),
            "DT": np.where(b["elevator"].to_numpy(), "有", "无"),
            "DYS": b["units"].to_numpy(),
            "HS": b["flats"].to_numpy(),
            "WD": b["lat"].to_numpy(),
            "JD": b["lon"].to_numpy(),
            "FWXZ": b["ownership"].to_numpy(),
        }
    ).astype({"CS": object, "JCND": object, "DYS": object, "HS": object, "WD": object, "JD": object})
    return [Table(HOUSING, frame, addresses=[addr_col], optional=["JCND", "DT", "DYS", "HS", "FWXZ", "CS"],
                  kinds=_PLACE_KINDS)]


def committees(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the neighbourhood-committee list and the officials roster (Chinese headers)."""
    a = world.areas
    p = world.persons
    area_of = world.buildings["area"].to_numpy()[p["building"].to_numpy()]
    bldg_area = world.buildings["area"].to_numpy()
    n = len(a)
    frame = pd.DataFrame(
        {
            "居委会编码": a["area_code"].to_numpy(),
            "居委会名称": a["area_name"].to_numpy(),
            "办公地址": [street_address(r, int(k)) for r, k in zip(a["road"].tolist(), rng.integers(1, 700, n))],
            "办公电话": make_phones(rng, np.ones(n)),
            "辖区楼栋数": np.bincount(bldg_area, minlength=n),
            "辖区户数": np.bincount(bldg_area[world.households["building"].to_numpy()], minlength=n),
            "辖区人口": np.bincount(area_of, minlength=n),
            "纬度": a["lat"].to_numpy(),
            "经度": a["lon"].to_numpy(),
        }
    )
    tables = [Table(COMMITTEES, frame, kinds=())]

    o = world.officials
    person = o["person"].to_numpy()
    roster = pd.DataFrame(
        {
            "工号": o["staff_id"].to_numpy(),
            "姓名": p["name"].to_numpy()[person],
            "身份证号": p["id_number"].to_numpy()[person],
            "手机": p["phone"].to_numpy()[person],
            "所属居委会": a["area_name"].to_numpy()[o["area"].to_numpy()],
            "职务": o["role"].to_numpy(),
        }
    )
    tables.append(Table(OFFICIALS, roster, person=person, id_column="身份证号", name_column="姓名", phone_column="手机",
                        optional=["手机"], kinds=("id_spaces", "id_lowercase_x", "name_typo", "bad_phone", "missing_value")))
    return tables


def venues(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the venue inventory: English headers, parseable opening hours, vacancy flag."""
    v = world.venues
    building = v["building"].to_numpy()
    lane_addr, _ = building_address(world, np.maximum(building, 0), "address", "canonical")
    street = np.array([street_address(r, s) for r, s in zip(v["road"].tolist(), v["street_no"].tolist())], dtype=object)
    address = np.where(building >= 0, lane_addr, street)
    owner_short = [o.removesuffix("居委会").removesuffix("有限公司") for o in v["owner"].tolist()]
    names = dedupe([f"{o}{k}" for o, k in zip(owner_short, v["kind"].tolist())])
    frame = pd.DataFrame(
        {
            "venue_id": v["venue_id"].to_numpy(),
            "venue_name": names,
            "venue_type": v["kind"].to_numpy(),
            "address": address,
            "capacity": v["capacity"].to_numpy(),
            "area_sqm": v["area_sqm"].to_numpy(),
            "equipment": v["equipment"].to_numpy(),
            "opening_hours": v["hours"].to_numpy(),
            "owner_org": v["owner"].to_numpy(),
            "lat": v["lat"].to_numpy(),
            "lon": v["lon"].to_numpy(),
            "available_for_new_facility": np.where(v["vacant"].to_numpy(), "Y", "N"),
        }
    ).astype({"capacity": object, "area_sqm": object})
    col = AddressColumn("address", building, None, "canonical", unmatched="street_front")
    return [Table(VENUES, frame, addresses=[col], optional=["equipment", "capacity", "area_sqm"], kinds=_PLACE_KINDS)]


def service_points(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the public-service-point list (English headers)."""
    s = world.service_points
    frame = pd.DataFrame(
        {
            "point_id": s["point_id"].to_numpy(),
            "type": s["kind"].to_numpy(),
            "name": s["name"].to_numpy(),
            "address": s["address"].to_numpy(),
            "capacity": np.where(s["capacity"].to_numpy() > 0, s["capacity"].to_numpy(), None),
            "service_radius_m": s["radius_m"].to_numpy(),
            "lat": s["lat"].to_numpy(),
            "lon": s["lon"].to_numpy(),
        }
    )
    return [Table(POINTS, frame, kinds=())]


def elevator_installations(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 加装电梯 project list: YYYYMMDD dates, building code and/or address."""
    r = world.elevator_records
    b = world.buildings
    building = r["building"].to_numpy()
    addr, addr_col = building_address(world, building, "地址", "spaced")
    frame = pd.DataFrame(
        {
            "项目编号": [f"DT{str(d)[:4]}{i + 1:04d}" for i, d in enumerate(r["apply_date"].to_numpy())],
            "楼栋编码": b["building_code"].to_numpy()[building],
            "地址": addr,
            "所属居委": world.areas["area_name"].to_numpy()[b["area"].to_numpy()[building]],
            "申请日期": format_dates(r["apply_date"].to_numpy(), "compact"),
            "竣工日期": format_dates(r["install_date"].to_numpy(), "compact"),
            "状态": r["status"].to_numpy(),
        }
    )
    return [Table(ELEVATORS, frame, addresses=[addr_col],
                  dates=[DateColumn("申请日期", "compact"), DateColumn("竣工日期", "compact")],
                  optional=["楼栋编码", "所属居委"], kinds=_PLACE_KINDS + ("impossible_date",))]

