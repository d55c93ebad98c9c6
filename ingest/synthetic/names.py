"""Chinese personal names by sex and generation, and the homophone typos clerks make."""

from __future__ import annotations

import numpy as np

# Common surnames in Shanghai, most frequent first; weights fall off geometrically.
SURNAMES = list(
    "王张陈李徐朱沈陆顾周吴杨黄刘钱孙胡金蒋施姚汪唐许曹马郁高林叶邵严范程宋夏俞袁潘戴"
    "倪龚卢葛丁方毛蔡杜冯邱谢薛钟汤韩秦孔庄虞奚瞿褚浦"
)
SURNAME_WEIGHTS = 0.96 ** np.arange(len(SURNAMES))
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()

# Given-name characters by (sex, generation); the generation cut-offs are birth years.
GIVEN = {
    ("M", "old"): "国建华明伟强勇平军志忠德荣根林福海宝金祥兴生龙庆文",  # born before 1960
    ("F", "old"): "秀英珍兰凤芳琴妹娣美玉华梅红萍丽霞月桂素彩云宝金",
    ("M", "mid"): "伟军勇斌峰杰涛磊刚辉亮俊华明强健敏晨鹏斌浩",  # born 1960-1989
    ("F", "mid"): "丽敏静燕芳红娟霞萍琳洁慧玲婷雯佳倩颖蓉莉",
    ("M", "young"): "浩宇子轩博文俊杰晨睿泽昊天一铭嘉辰逸皓",  # born 1990 or later
    ("F", "young"): "欣怡子涵雨萱婷佳诗梦琪思雯瑶悦馨佳慧嘉玥",
}

# Characters a clerk may type instead (same pinyin or similar shape). Keys cover most
# pool characters so that the configured typo rate is met.
HOMOPHONES = {
    "王": "汪", "张": "章", "陈": "程", "徐": "许", "沈": "申", "陆": "卢", "顾": "古",
    "杨": "阳", "黄": "王", "刘": "柳", "孙": "荪", "胡": "湖", "金": "今", "姚": "尧",
    "朱": "竹", "周": "舟", "吴": "伍", "李": "黎", "施": "石", "唐": "汤", "钱": "乾",
    "国": "果", "建": "健", "华": "桦", "明": "铭", "伟": "玮", "强": "蔷", "勇": "永",
    "平": "萍", "军": "君", "志": "智", "忠": "中", "德": "得", "荣": "蓉", "根": "跟",
    "林": "琳", "福": "富", "海": "亥", "宝": "保", "祥": "翔", "兴": "星", "生": "升",
    "龙": "隆", "庆": "青", "文": "雯", "秀": "绣", "英": "瑛", "珍": "祯", "兰": "岚",
    "凤": "风", "芳": "方", "琴": "芹", "妹": "梅", "娣": "弟", "美": "梅", "玉": "钰",
    "梅": "玫", "红": "宏", "萍": "平", "丽": "莉", "霞": "侠", "月": "悦", "桂": "贵",
    "素": "苏", "彩": "采", "云": "芸", "斌": "彬", "峰": "锋", "杰": "洁", "涛": "滔",
    "磊": "垒", "刚": "钢", "辉": "晖", "亮": "量", "俊": "骏", "健": "建", "敏": "闵",
    "晨": "辰", "鹏": "朋", "浩": "皓", "静": "靖", "燕": "艳", "娟": "鹃", "琳": "林",
    "洁": "杰", "慧": "惠", "玲": "铃", "婷": "庭", "雯": "文", "佳": "嘉", "倩": "茜",
    "颖": "莹", "蓉": "荣", "莉": "丽", "宇": "雨", "子": "紫", "轩": "萱", "博": "波",
    "睿": "瑞", "泽": "择", "昊": "浩", "天": "添", "一": "逸", "铭": "明", "嘉": "佳",
    "辰": "晨", "逸": "一", "皓": "浩", "欣": "馨", "怡": "宜", "涵": "寒", "雨": "宇",
    "萱": "轩", "诗": "师", "梦": "孟", "琪": "琦", "思": "斯", "瑶": "遥", "悦": "月",
    "馨": "欣", "玥": "月",
}


def generation(birth_year: np.ndarray) -> np.ndarray:
    """Return the name-pool generation label for each birth year."""
    return np.where(birth_year < 1960, "old", np.where(birth_year < 1990, "mid", "young"))


def make_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Return one full name (surname + 1–2 given characters) per person."""
    n = len(male)
    surname = np.array(SURNAMES, dtype=object)[rng.choice(len(SURNAMES), n, p=SURNAME_WEIGHTS)]
    gen = generation(birth_year)
    two_chars = rng.random(n) < np.where(gen == "old", 0.55, 0.75)
    first = rng.random(n)
    second = rng.random(n)
    names = np.empty(n, dtype=object)
    for sex_label, sex_mask in (("M", male), ("F", ~male)):
        for gen_label in ("old", "mid", "young"):
            idx = np.flatnonzero(sex_mask & (gen == gen_label))
            pool = GIVEN[(sex_label, gen_label)]
            a = (first[idx] * len(pool)).astype(int)
            b = (second[idx] * len(pool)).astype(int)
            for i, ia, ib, two in zip(idx.tolist(), a.tolist(), b.tolist(), two_chars[idx].tolist()):
                names[i] = surname[i] + pool[ia] + (pool[ib] if two else "")
    return names


def typo(name: str, pick: float) -> str | None:
    """Swap one character of ``name`` for a homophone; None if no character has one.

    ``pick`` in [0, 1) chooses which replaceable character is swapped.

    >>> typo("王秀英", 0.0)
    '汪秀英'
    """
    positions = [i for i, c in enumerate(name) if c in HOMOPHONES]
    if not positions:
        return None
    i = positions[int(pick * len(positions))]
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
