"""Exports of community life: service-centre applications, volunteers, party building, program bookings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .defects import DateColumn, Table
from .formats import format_dates
from .names import make_names
from .params import DefectRates
from .phones import make_phones
from .render import home_address, office_times, random_days, sex_zh
from .world import World

APPLICATIONS = "service_centre_applications.csv"
VOLUNTEERS = "volunteers.csv"
PARTY = "party_building.xlsx"
BOOKINGS = "program_bookings.csv"

# 事项名称 and who applies for it.
MATTERS_ELDERLY = ["老年综合津贴申领", "敬老卡办理", "长护险评估申请", "居家养老服务申请", "社区助餐服务申请", "医保卡补办"]
MATTERS_ADULT = ["医保卡补办", "就业失业登记", "灵活就业社保补贴", "住房公积金提取证明", "生育登记", "少儿住院互助基金"]
STATUSES = ["已办结", "已办结", "已办结", "已办结", "办理中", "已受理", "不予受理", "退回补件"]

SKILLS = ["急救", "书法", "电脑辅导", "法律咨询", "心理疏导", "理发", "家电维修", "手语", "外语翻译",
          "文艺表演", "健康讲座", "垃圾分类指导", "助老陪伴", "绘画", "摄影"]
DAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
SLOTS = ["上午", "下午", "晚上"]

PROGRAMS = ["智能手机使用培训", "书法班", "健康讲座", "太极拳", "防诈骗讲座", "亲子阅读", "合唱团", "垃圾分类宣讲",
            "老年大学电脑班", "中医养生", "插花", "法律援助咨询日", "编织", "戏曲沙龙", "暑期少儿托管"]


def applications(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 社区事务受理服务中心 export: pinyin headers, UTF-8 with BOM, datetimes."""
    p = world.persons
    age = p["age"].to_numpy()
    rate = 0.35 * np.minimum(p["activity"].to_numpy(), 4.0) * np.where(age >= 60, 1.3, np.where(age >= 18, 1.0, 0.0))
    count = rng.poisson(rate)
    person = np.repeat(np.arange(len(p)), count)
    n = len(person)
    elderly = age[person] >= 60
    matter = np.where(elderly, rng.choice(MATTERS_ELDERLY, n), rng.choice(MATTERS_ADULT, n)).astype(object)
    # Some matters follow from the person's situation rather than chance.
    special = rng.random(n)
    matter[(special < 0.3) & p["disabled"].to_numpy()[person]] = "残疾人证办理"
    matter[(special < 0.4) & (p["low_income"].to_numpy()[person] != "")] = "最低生活保障申请"
    matter[(special < 0.5) & p["migrant"].to_numpy()[person] & ~elderly] = "居住证办理"
    applied = office_times(rng, random_days(rng, n, "2023-01-01", "2025-06-28"))
    order = np.argsort(applied, kind="stable")
    person, matter, applied = person[order], matter[order], applied[order]
    status = rng.choice(STATUSES, n)
    done = applied + (rng.integers(0, 20, n) * 86400 + rng.integers(0, 6 * 3600, n)).astype("timedelta64[s]")
    done = np.where(np.isin(status, ["已办结", "不予受理"]), done, np.datetime64("NaT"))
    frame = pd.DataFrame(
        {
            "SQBH": [f"JA{str(a)[:4]}{i + 1:07d}" for i, a in enumerate(applied)],
            "SQRXM": p["name"].to_numpy()[person],
            "ZJLX": "居民身份证",
            "ZJHM": p["id_number"].to_numpy()[person],
            "LXDH": p["phone"].to_numpy()[person],
            "SXMC": matter,
            "SQSJ": format_dates(applied, "iso_dt"),
            "BLZT": status,
            "BJSJ": format_dates(done, "iso_dt"),
        }
    )
    return [Table(APPLICATIONS, frame, person=person, id_column="ZJHM", name_column="SQRXM", phone_column="LXDH",
                  dates=[DateColumn("SQSJ", "iso_dt")], optional=["LXDH"])]


def _skills(rng: np.random.Generator, age: np.ndarray) -> list[str]:
    """Draw 1–3 skills per volunteer, joined with 、."""
    out = []
    for a in age.tolist():
        k = int(rng.integers(1, 4))
        pool = SKILLS if a < 60 else [s for s in SKILLS if s not in ("外语翻译", "电脑辅导")] + ["书法", "助老陪伴"]
        out.append("、".join(dict.fromkeys(rng.choice(pool, k).tolist())))
    return out


def _availability(rng: np.random.Generator, working: np.ndarray) -> list[str]:
    """Draw weekday/time slots: workers offer evenings and weekends, retirees weekdays."""
    out = []
    for w in working.tolist():
        if w:
            slots = [(int(rng.integers(0, 5)), 2), (int(rng.integers(5, 7)), int(rng.integers(0, 2)))]
        else:
            slots = [(int(rng.integers(0, 7)), int(rng.integers(0, 2))) for _ in range(int(rng.integers(1, 4)))]
        out.append("、".join(dict.fromkeys(f"{DAYS[d]}{SLOTS[s]}" for d, s in sorted(slots))))
    return out


def volunteers(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the volunteer-platform export: English headers, YYYY.MM.DD dates."""
    p = world.persons
    person = world.volunteers
    n = len(person)
    age = p["age"].to_numpy()[person]
    migrant = p["migrant"].to_numpy()[person]
    langs = []
    lang_u = rng.random((n, 4))
    for i in range(n):
        items = ["普通话"]
        if not migrant[i] and lang_u[i, 0] < 0.85:
            items.append("上海话")
        if lang_u[i, 1] < (0.5 if age[i] < 50 else 0.1):
            items.append("英语")
        if lang_u[i, 2] < 0.03:
            items.append("日语")
        if lang_u[i, 3] < 0.02:
            items.append("手语")
        langs.append("、".join(items))
    home, home_col = home_address(world, person, "home_building", "lou", with_room=False)
    working = np.isin(p["employment"].to_numpy()[person], ["在职", "灵活就业"])
    frame = pd.DataFrame(
        {
            "volunteer_no": [f"SHV{31_000_000 + i * 13:08d}" for i in range(n)],
            "name": p["name"].to_numpy()[person],
            "id_no": p["id_number"].to_numpy()[person],
            "gender": sex_zh(p["male"].to_numpy()[person]),
            "mobile": p["phone"].to_numpy()[person],
            "skills": _skills(rng, age),
            "languages": langs,
            "availability": _availability(rng, working),
            "hours_served": np.round(rng.gamma(1.2, 40, n) * np.minimum(p["activity"].to_numpy()[person], 3), 1),
            "home_building": home,
            "team": world.areas["area_name"].to_numpy()[world.buildings["area"].to_numpy()[p["building"].to_numpy()[person]]],
            "registered_on": format_dates(random_days(rng, n, "2014-01-01", "2025-06-20"), "dotted"),
        }
    )
    return [Table(VOLUNTEERS, frame, person=person, id_column="id_no", name_column="name", phone_column="mobile",
                  addresses=[home_col], dates=[DateColumn("registered_on", "dotted")],
                  optional=["mobile", "languages", "availability", "home_building", "gender"])]


def party_building(world: World, rng: np.random.Generator) -> list[Table]:
    """Build the 党建 workbook: member roll and the organizations (共建单位) with their resources."""
    p = world.persons
    orgs = world.organizations
    members = np.flatnonzero(p["party"].to_numpy())
    n = len(members)
    area = world.buildings["area"].to_numpy()[p["building"].to_numpy()[members]]
    area_names = world.areas["area_name"].to_numpy()
    working = np.isin(p["employment"].to_numpy()[members], ["在职", "灵活就业"])
    in_org = working & (rng.random(n) < 0.6)
    org_pick = rng.integers(0, len(orgs), n)
    branch_no = np.array(["第一", "第二", "第三"])[rng.integers(0, 3, n)]
    branch = np.where(
        in_org,
        np.char.add(orgs["org_name"].to_numpy()[org_pick].astype(str), "党支部"),
        np.char.add(np.char.add(np.char.replace(area_names[area].astype(str), "居委会", "居民区"), branch_no), "党支部"),
    )
    addr, addr_col = home_address(world, members, "居住地址", "canonical")
    frame = pd.DataFrame(
        {
            "序号": np.arange(1, n + 1),
            "姓名": p["name"].to_numpy()[members],
            "性别": sex_zh(p["male"].to_numpy()[members]),
            "身份证号": p["id_number"].to_numpy()[members],
            "出生年月": format_dates(p["birth"].to_numpy()[members], "ym"),
            "所在党支部": branch.astype(object),
            "入党日期": format_dates(p["party_join"].to_numpy()[members], "excel"),
            "联系电话": p["phone"].to_numpy()[members],
            "居住地址": addr,
            "党员类别": np.where(p["employment"].to_numpy()[members] == "退休", "退休党员", "在职党员"),
        }
    )
    tables = [Table(PARTY, frame, sheet="党员名册", person=members, id_column="身份证号", name_column="姓名",
                    phone_column="联系电话", addresses=[addr_col],
                    dates=[DateColumn("出生年月", "ym", is_birth=True), DateColumn("入党日期", "excel")],
                    optional=["联系电话", "居住地址", "出生年月"])]

    k = len(orgs)
    units = pd.DataFrame(
        {
            "单位名称": orgs["org_name"].to_numpy(),
            "统一社会信用代码": orgs["org_code"].to_numpy(),
            "单位类型": orgs["org_kind"].to_numpy(),
            "单位地址": orgs["address"].to_numpy(),
            "联系人": make_names(rng, rng.random(k) < 0.5, rng.integers(1965, 1998, k)),
            "联系电话": make_phones(rng, np.full(k, 0.3)),
            "区域化党建成员单位": np.where(orgs["party_unit"].to_numpy(), "是", "否"),
            "可提供资源": ["、".join(r) for r in orgs["resources"]],
            "场地座位数": orgs["room_seats"].to_numpy(),
            "志愿者人数": orgs["volunteer_slots"].to_numpy(),
            "资金支持(元/年)": orgs["funds_yuan"].to_numpy(),
            "专业服务": orgs["expertise"].to_numpy(),
            "职工人数": orgs["employees"].to_numpy(),
            "纬度": orgs["lat"].to_numpy(),
            "经度": orgs["lon"].to_numpy(),
        }
    )
    tables.append(Table(PARTY, units, sheet="共建单位", optional=["联系电话", "职工人数"],
                        kinds=("missing_value", "duplicate_row")))
    return tables


def bookings(world: World, rng: np.random.Generator, rates: DefectRates) -> list[Table]:
    """Build the program-booking export; phone bookings carry no ID number."""
    p = world.persons
    n_prog = world.scale.count(120, 10)
    prog_name = np.array(PROGRAMS, dtype=object)[rng.integers(0, len(PROGRAMS), n_prog)]
    prog_code = np.array([f"PG{2023 + i * 3 // n_prog}-{i + 1:03d}" for i in range(n_prog)], dtype=object)
    age = p["age"].to_numpy()
    w = p["activity"].to_numpy() * np.where(age >= 60, 1.6, np.where(age >= 18, 1.0, 0.0))
    count = rng.poisson(0.3 * w)
    person = np.repeat(np.arange(len(p)), count)
    n = len(person)
    prog = rng.integers(0, n_prog, n)
    year = np.array([int(c[2:6]) for c in prog_code])[prog]
    start = np.array([f"{y}-01-01" for y in year], dtype="datetime64[D]")
    span = np.where(year == 2025, 175, 360)
    booked = office_times(rng, start + (rng.random(n) * span).astype("timedelta64[D]"))
    booked = booked + rng.integers(-3600, 5 * 3600, n).astype("timedelta64[s]")  # 07:30–22:00: online, evenings too
    order = np.argsort(booked, kind="stable")
    person, prog, booked = person[order], prog[order], booked[order]
    frame = pd.DataFrame(
        {
            "预约编号": [f"YY{i + 1:08d}" for i in range(n)],
            "预约人": p["name"].to_numpy()[person],
            "手机号": p["phone"].to_numpy()[person],
            "证件号码": p["id_number"].to_numpy()[person],
            "活动编号": prog_code[prog],
            "活动名称": prog_name[prog],
            "预约时间": format_dates(booked, "slash_dt"),
            "是否签到": np.where(rng.random(n) < 0.82, "是", "否"),
        }
    )
    return [Table(BOOKINGS, frame, person=person, id_column="证件号码", name_column="预约人", phone_column="手机号",
                  dates=[DateColumn("预约时间", "slash_dt")], optional=["是否签到"],
                  id_missing_rate=rates.booking_id_missing)]
