"""Road names and the many ways one building's address gets written down."""

from __future__ import annotations

import numpy as np

# Roads of the Linfen Road area, with the spelling English-language forms use.
ROADS = [
    ("临汾路", "Linfen Rd"), ("阳曲路", "Yangqu Rd"), ("汾西路", "Fenxi Rd"), ("保德路", "Baode Rd"),
    ("闻喜路", "Wenxi Rd"), ("岭南路", "Lingnan Rd"), ("广中西路", "Guangzhong Rd W"),
    ("场中路", "Changzhong Rd"), ("共和新路", "Gonghexin Rd"), ("平型关路", "Pingxingguan Rd"),
    ("灵石路", "Lingshi Rd"), ("洛川东路", "Luochuan Rd E"), ("泗塘路", "Sitang Rd"),
    ("永和路", "Yonghe Rd"), ("三泉路", "Sanquan Rd"), ("延长中路", "Yanchang Rd M"),
]

# How each style writes road R, lane L, number N (and room), e.g. for 临汾路/261/12.
STYLES = (
    "canonical",  # 临汾路261弄12号
    "spaced",  # 临汾路 261 弄 12号
    "lou",  # 临汾路261弄12号楼
    "hanzi",  # 临汾路二六一弄十二号
    "english",  # Linfen Rd Lane 261 No.12
    "city",  # 上海市静安区临汾路261弄12号
    "district",  # 静安区临汾路261弄12号
    "fullwidth",  # 临汾路２６１弄１２号
)

_DIGITS = "〇一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Registered addresses elsewhere in Shanghai (人户分离): district → roads.
ELSEWHERE_SHANGHAI = {
    "黄浦区": ["福州路", "西藏南路", "河南南路"], "徐汇区": ["漕溪北路", "天钥桥路", "零陵路"],
    "长宁区": ["愚园路", "定西路", "天山路"], "普陀区": ["曹杨路", "真如路", "兰溪路"],
    "虹口区": ["四川北路", "曲阳路", "凉城路"], "杨浦区": ["控江路", "国权路", "鞍山路"],
    "宝山区": ["牡丹江路", "友谊路", "呼兰路"], "浦东新区": ["浦东南路", "崂山路", "潍坊路"],
    "静安区": ["康定路", "胶州路", "余姚路"],
}
PROVINCE_ROADS = ["人民路", "解放路", "建设路", "中山路", "和平路", "新华路", "胜利路"]


def hanzi_number(n: int) -> str:
    """Write a house or lane number in Chinese numerals.

    Numbers below 100 are read as cardinals, longer ones digit by digit, as people
    say them aloud.

    >>> hanzi_number(12), hanzi_number(20), hanzi_number(261)
    ('十二', '二十', '二六一')
    """
    if n >= 100:
        return "".join(_DIGITS[int(c)] for c in str(n))
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def spell(road: int, lane: int, number: int, room: int, style: str) -> str:
    """Write one building address (with room number when ``room`` > 0) in ``style``.

    >>> spell(0, 261, 12, 0, "spaced")
    '临汾路 261 弄 12号'
    >>> spell(0, 261, 12, 301, "hanzi")
    '临汾路二六一弄十二号三〇一室'
    >>> spell(0, 261, 12, 0, "english")
    'Linfen Rd Lane 261 No.12'
    """
    zh, en = ROADS[road]
    if style == "english":
        text = f"{en} Lane {lane} No.{number}"
        return f"{text} Rm {room}" if room else text
    if style == "hanzi":
        text = f"{zh}{hanzi_number(lane)}弄{hanzi_number(number)}号"
        return text + ("".join(_DIGITS[int(c)] for c in str(room)) + "室" if room else "")
    if style == "spaced":
        text = f"{zh} {lane} 弄 {number}号"
        return f"{text} {room}室" if room else text
    if style == "lou":
        text = f"{zh}{lane}弄{number}号楼"
        return f"{text}{room}室" if room else text
    text = f"{zh}{lane}弄{number}号" + (f"{room}室" if room else "")
    if style == "city":
        return "上海市静安区" + text
    if style == "district":
        return "静安区" + text
    if style == "fullwidth":
        return text.translate(_FULLWIDTH)
    return text


def spell_many(
    road: np.ndarray, lane: np.ndarray, number: np.ndarray, room: np.ndarray | None, style: str | np.ndarray
) -> np.ndarray:
    """Vector form of :func:`spell`; ``style`` may be one style or one per row."""
    n = len(road)
    rooms = np.zeros(n, dtype=np.int64) if room is None else room
    styles = np.full(n, style, dtype=object) if isinstance(style, str) else style
    return np.array(
        [spell(r, l, b, m, s) for r, l, b, m, s in
         zip(road.tolist(), lane.tolist(), number.tolist(), rooms.tolist(), styles.tolist())],
        dtype=object,
    )


def street_address(road: int, number: int, english: bool = False) -> str:
    """Write a street-front address (no lane), used by venues and service points.

    >>> street_address(0, 375), street_address(0, 375, english=True)
    ('临汾路375号', 'No.375 Linfen Rd')
    """
    zh, en = ROADS[road]
    return f"No.{number} {en}" if english else f"{zh}{number}号"


def elsewhere_shanghai(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` registered addresses in other parts of Shanghai."""
    districts = list(ELSEWHERE_SHANGHAI)
    d = rng.integers(0, len(districts), n)
    r = rng.integers(0, 3, n)
    lane = rng.integers(1, 900, n)
    no = rng.integers(1, 60, n)
    room = rng.integers(1, 7, n) * 100 + rng.integers(1, 5, n)
    return np.array(
        [f"上海市{districts[a]}{ELSEWHERE_SHANGHAI[districts[a]][b]}{c}弄{e}号{f}室"
         for a, b, c, e, f in zip(d.tolist(), r.tolist(), lane.tolist(), no.tolist(), room.tolist())],
        dtype=object,
    )


def in_province(rng: np.random.Generator, prefixes: np.ndarray) -> np.ndarray:
    """Return registered addresses in migrants' home provinces, one per given prefix."""
    n = len(prefixes)
    road = rng.integers(0, len(PROVINCE_ROADS), n)
    no = rng.integers(1, 400, n)
    return np.array(
        [f"{p}{PROVINCE_ROADS[r]}{k}号" for p, r, k in zip(prefixes.tolist(), road.tolist(), no.tolist())],
        dtype=object,
    )
