"""Exports of the population registry (人口库), civil affairs (民政) and long-term care (长护险)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .addresses import spell_many
from .defects import AddressColumn, DateColumn, Table
from .formats import format_dates
from .names import make_names
from .phones import make_phones
from .render import home_address, random_days, sex_zh
from .world import World

POPULATION = "population_registry.csv"
CIVIL = "civil_affairs.xlsx"
LTC = "elderly_care_ltc.csv"

_GRADES = np.array(["", "一级", "二级", "三级", "四级"], dtype=object)
_DISABILITY_CODE = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}


def population_registry(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 人口库 export: one row per resident, Chinese headers, YYYYMMDD dates."""
    p = world.persons
    b = world.buildings
    n = len(p)
    idx = np.arange(n)
    hh = world.households
    actual, actual_col = home_address(world, idx, "实际居住地址", "district")
    reg_b = p["reg_building"].to_numpy()
    registered = p["registered_address"].to_numpy().copy()
    inside = np.flatnonzero(reg_b >= 0)
    # In-district registrations are written with the city prefix, like the 户籍 system does.
    registered[inside] = spell_many(b["road"].to_numpy()[reg_b[inside]], b["lane"].to_numpy()[reg_b[inside]],
                                    b["number"].to_numpy()[reg_b[inside]], p["reg_room"].to_numpy()[inside], "city")
    frame = pd.DataFrame(
        {
            "序号": idx + 1,
            "公民身份号码": p["id_number"].to_numpy(),
            "姓名": p["name"].to_numpy(),
            "性别": sex_zh(p["male"].to_numpy()),
            "出生日期": format_dates(p["birth"].to_numpy(), "compact"),
            "民族": np.where(rng.random(n) < 0.985, "汉族", rng.choice(["回族", "满族", "蒙古族", "朝鲜族"], n)),
            "联系电话": p["phone"].to_numpy(),
            "户号": hh["hukou_no"].to_numpy()[p["household"].to_numpy()],
            "与户主关系": p["relation"].to_numpy(),
            "户籍地址": registered,
            "实际居住地址": actual,
            "所属居委": world.areas["area_name"].to_numpy()[b["area"].to_numpy()[p["building"].to_numpy()]],
            "政治面貌": p["political"].to_numpy(),
            "就业状况": p["employment"].to_numpy(),
            "人口类型": np.where(p["migrant"].to_numpy(), "来沪人员", "户籍人口"),
        }
    )
    return [
        Table(
            POPULATION, frame, person=idx, id_column="公民身份号码", name_column="姓名", phone_column="联系电话",
            addresses=[AddressColumn("户籍地址", reg_b, p["reg_room"].to_numpy(), "city"), actual_col],
            dates=[DateColumn("出生日期", "compact", is_birth=True)],
            optional=["联系电话", "民族", "政治面貌", "就业状况", "实际居住地址"],
            # The 户籍 system always holds an ID number.
            kinds=("id_legacy15", "id_lowercase_x", "id_spaces", "id_fullwidth", "name_typo", "address_variant",
                   "bad_phone", "missing_value", "impossible_date", "duplicate_row"),
        )
    ]


def civil_affairs(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 民政 workbook: subsidies, disability register and lone-elderly register."""
    p = world.persons
    tables = []

    heads = world.households["head"].to_numpy()
    low = p["low_income"].to_numpy()
    sub = heads[low[heads] != ""]
    size = world.households["size"].to_numpy()[p["household"].to_numpy()[sub]]
    kind = low[sub]
    per_head = np.select([kind == "低保", kind == "特困"], [1510, 2265], 800)
    addr, addr_col = home_address(world, sub, "居住地址", "canonical")
    frame = pd.DataFrame(
        {
            "序号": np.arange(1, len(sub) + 1),
            "户主姓名": p["name"].to_numpy()[sub],
            "身份证号码": p["id_number"].to_numpy()[sub],
            "救助类别": kind,
            "家庭人口": size,
            "月救助金额(元)": per_head * size,
            "批准日期": format_dates(random_days(rng, len(sub), "2015-01-01", "2025-06-15"), "excel"),
            "居住地址": addr,
            "联系电话": p["phone"].to_numpy()[sub],
        }
    )
    tables.append(Table(CIVIL, frame, sheet="低保救助", person=sub, id_column="身份证号码", name_column="户主姓名",
                        phone_column="联系电话", addresses=[addr_col], dates=[DateColumn("批准日期", "excel")],
                        optional=["联系电话", "家庭人口", "居住地址"]))

    dis = np.flatnonzero(p["disabled"].to_numpy())
    grade = p["disability_grade"].to_numpy()[dis]
    dtype = p["disability_type"].to_numpy()[dis]
    addr, addr_col = home_address(world, dis, "居住地址", "canonical")
    # 残疾人证号 = ID number + type digit + grade digit (the national certificate format).
    cert = [f"{i}{_DISABILITY_CODE[t]}{g}" for i, t, g in zip(p["id_number"].to_numpy()[dis], dtype, grade)]
    frame = pd.DataFrame(
        {
            "姓名": p["name"].to_numpy()[dis],
            "身份证号码": p["id_number"].to_numpy()[dis],
            "性别": sex_zh(p["male"].to_numpy()[dis]),
            "残疾类别": dtype,
            "残疾等级": _GRADES[grade],
            "残疾人证号": cert,
            "发证日期": format_dates(random_days(rng, len(dis), "2008-01-01", "2025-06-15"), "excel"),
            "联系电话": p["phone"].to_numpy()[dis],
            "居住地址": addr,
        }
    )
    tables.append(Table(CIVIL, frame, sheet="残疾人", person=dis, id_column="身份证号码", name_column="姓名",
                        phone_column="联系电话", addresses=[addr_col], dates=[DateColumn("发证日期", "excel")],
                        optional=["联系电话", "残疾类别", "居住地址"]))

    # Most but not all lone seniors are on the register.
    lone = np.flatnonzero(p["lone_elderly"].to_numpy() & (rng.random(len(p)) < 0.95))
    addr, addr_col = home_address(world, lone, "居住地址", "canonical")
    contact_male = rng.random(len(lone)) < 0.5
    frame = pd.DataFrame(
        {
            "姓名": p["name"].to_numpy()[lone],
            "身份证号码": p["id_number"].to_numpy()[lone],
            "出生日期": format_dates(p["birth"].to_numpy()[lone], "excel"),
            "类别": np.where(p["guolao"].to_numpy()[lone], "孤老", "独居"),
            "居住地址": addr,
            "联系电话": p["phone"].to_numpy()[lone],
            "紧急联系人": make_names(rng, contact_male, rng.integers(1960, 1995, len(lone))),
            "紧急联系人电话": make_phones(rng, np.zeros(len(lone))),
            "登记日期": format_dates(random_days(rng, len(lone), "2016-01-01", "2025-06-15"), "excel"),
        }
    )
    frame.loc[p["guolao"].to_numpy()[lone], ["紧急联系人", "紧急联系人电话"]] = ""
    tables.append(Table(CIVIL, frame, sheet="独居孤老", person=lone, id_column="身份证号码", name_column="姓名",
                        phone_column="联系电话", addresses=[addr_col],
                        dates=[DateColumn("出生日期", "excel", is_birth=True), DateColumn("登记日期", "excel")],
                        optional=["联系电话", "紧急联系人电话", "居住地址"]))
    return tables


def elderly_care(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the long-term-care export: assessments and the home-care service each one granted."""
    p = world.persons
    cur = np.flatnonzero(p["ltc_level"].to_numpy() > 0)
    # A quarter were assessed before at one level lower; both assessments appear.
    prev = cur[rng.random(len(cur)) < 0.25]
    person = np.concatenate([cur, prev])
    level = np.concatenate([p["ltc_level"].to_numpy()[cur], np.maximum(1, p["ltc_level"].to_numpy()[prev] - 1)])
    when = np.concatenate([random_days(rng, len(cur), "2023-07-01", "2025-06-20"),
                           random_days(rng, len(prev), "2021-01-01", "2023-06-30")])
    order = np.lexsort((person, when))
    person, level, when = person[order], level[order], when[order]
    n = len(person)
    home = rng.random(n) < np.where(level >= 5, 0.55, 0.85)
    setting = np.where(home, "居家照护", np.where(level >= 5, "养老机构照护", "社区日间照护"))
    providers = world.service_points.loc[world.service_points["kind"].isin(["日间照料中心", "综合为老服务中心", "长者照护之家"]), "name"]
    provider_pool = providers.to_numpy() if len(providers) else world.service_points["name"].to_numpy()
    addr, addr_col = home_address(world, person, "居住地址", "lou")
    start = when + rng.integers(7, 45, n).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "评估编号": [f"LTC{d.astype('datetime64[Y]').astype(int) + 1970}{i + 1:06d}" for i, d in enumerate(when)],
            "姓名": p["name"].to_numpy()[person],
            "证件号码": p["id_number"].to_numpy()[person],
            "性别": sex_zh(p["male"].to_numpy()[person]),
            "年龄": p["age"].to_numpy()[person],
            "联系电话": p["phone"].to_numpy()[person],
            "居住地址": addr,
            "评估等级": np.array(["照护一级", "照护二级", "照护三级", "照护四级", "照护五级", "照护六级"])[level - 1],
            "评估日期": format_dates(when, "slash"),
            "服务形式": setting,
            "服务机构": provider_pool[rng.integers(0, len(provider_pool), n)],
            "每周服务时长(小时)": np.where(home, level + 2, 0),
            "服务开始日期": format_dates(start, "slash"),
        }
    )
    return [Table(LTC, frame, person=person, id_column="证件号码", name_column="姓名", phone_column="联系电话",
                  addresses=[addr_col],
                  dates=[DateColumn("评估日期", "slash"), DateColumn("服务开始日期", "slash")],
                  optional=["联系电话", "年龄", "服务机构", "居住地址"])]
