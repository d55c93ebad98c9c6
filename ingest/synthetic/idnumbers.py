"""PRC resident ID numbers (GB 11643-1999): generation, check digits, and the variants real exports carry."""

from __future__ import annotations

import numpy as np

# ISO 7064 MOD 11-2 weights for the 17 body digits (2**(17-i) mod 11).
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"

JINGAN = "310106"
FORMER_ZHABEI = "310108"
# Other Shanghai districts: 黄浦, 徐汇, 长宁, 普陀, 虹口, 杨浦, 闵行, 宝山, 浦东.
OTHER_SHANGHAI = ["310101", "310104", "310105", "310107", "310109", "310110", "310112", "310113", "310115"]
# Capital-city districts of the provinces most migrants come from.
PROVINCES = {
    "320102": "江苏省南京市玄武区",
    "320583": "江苏省昆山市",
    "330102": "浙江省杭州市上城区",
    "340102": "安徽省合肥市瑶海区",
    "341202": "安徽省阜阳市颍州区",
    "360102": "江西省南昌市东湖区",
    "370102": "山东省济南市历下区",
    "410102": "河南省郑州市中原区",
    "420102": "湖北省武汉市江岸区",
    "430102": "湖南省长沙市芙蓉区",
    "510104": "四川省成都市锦江区",
    "350102": "福建省福州市鼓楼区",
}

_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check_digit(body17: str) -> str:
    """Return the MOD 11-2 check character for a 17-digit body.

    >>> check_digit("11010519491231002")
    'X'
    """
    total = sum(int(c) * int(w) for c, w in zip(body17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def is_valid_id18(value: str) -> bool:
    """Return True if ``value`` is a well-formed 18-digit ID with a correct check digit.

    >>> is_valid_id18("11010519491231002X")
    True
    >>> is_valid_id18("11010519491231002x")
    False
    """
    if len(value) != 18 or not value[:17].isdigit() or not value[:17].isascii():
        return False
    return check_digit(value[:17]) == value[17]


def _check_chars(region: np.ndarray, ymd: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Compute check characters for many bodies at once from their integer parts."""
    body = region.astype(np.int64) * 10**11 + ymd.astype(np.int64) * 1000 + seq.astype(np.int64)
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    index = (digits * WEIGHTS).sum(axis=1) % 11
    return np.array(list(CHECK_CHARS))[index]


def make_id_numbers(
    rng: np.random.Generator, region: np.ndarray, ymd: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """Return unique valid 18-digit ID numbers.

    Args:
        rng: random generator for the sequence numbers.
        region: 6-digit region codes as ints.
        ymd: birth dates as ints ``YYYYMMDD``.
        male: booleans; the sequence number is odd for men, even for women.

    Returns:
        An object array of ID strings, unique across the input.

    Raises:
        ValueError: if a (region, birthday, sex) group has more than 500 people.
    """
    n = len(region)
    seq = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    # Re-draw sequence numbers of colliding (region, birthday, seq) triples until none remain.
    for _ in range(200):
        if not len(todo):
            break
        draw = rng.integers(0, 500, len(todo)) * 2 + male[todo].astype(np.int64)
        seq[todo] = draw
        key = region.astype(np.int64) * 10**11 + ymd.astype(np.int64) * 1000 + seq
        _, first = np.unique(key, return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        todo = np.flatnonzero(duplicate)
    if len(todo):
        raise ValueError("More than 500 people of one sex share a region and birthday; spread birth dates out.")
    check = _check_chars(region, ymd, seq)
    return np.array(
        [f"{r:06d}{d:08d}{s:03d}{c}" for r, d, s, c in zip(region.tolist(), ymd.tolist(), seq.tolist(), check)],
        dtype=object,
    )


def legacy15(id18: str) -> str:
    """Return the pre-1999 15-digit form: no century digits, no check digit.

    >>> legacy15("11010519491231002X")
    '110105491231002'
    """
    return id18[:6] + id18[8:17]


def lowercase_x(id18: str) -> str:
    """Return the ID with a lower-case ``x`` check digit."""
    return id18.lower()


def fullwidth(id18: str) -> str:
    """Return the ID written in full-width digits, as IME input often produces.

    >>> fullwidth("310106195003121234")
    '３１０１０６１９５００３１２１２３４'
    """
    return id18.translate(_FULLWIDTH)


def with_spaces(id18: str, pattern: int) -> str:
    """Return the ID with spaces inside (pattern 0: 6-8-4 grouping, 1: 6-4-4-4).

    >>> with_spaces("310106195003121234", 0)
    '310106 19500312 1234'
    """
    if pattern == 0:
        return f"{id18[:6]} {id18[6:14]} {id18[14:]}"
    return f"{id18[:6]} {id18[6:10]} {id18[10:14]} {id18[14:]}"
