"""Chinese mobile and Shanghai landline numbers, and the malformed ones forms collect."""

from __future__ import annotations

import numpy as np

MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
     166, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199]
)


def make_phones(rng: np.random.Generator, landline_share: np.ndarray) -> np.ndarray:
    """Return one phone per person: a mobile ``1[3-9]x`` number or a ``021-`` landline.

    Args:
        rng: random generator.
        landline_share: per-person probability of giving a landline (older people do).
    """
    n = len(landline_share)
    prefix = rng.choice(MOBILE_PREFIXES, n)
    rest = rng.integers(0, 10**8, n)
    # Jing'an landlines start with 5 or 6 after the area code.
    land = rng.integers(5 * 10**7, 7 * 10**7, n)
    is_land = rng.random(n) < landline_share
    return np.array(
        [f"021-{l}" if il else f"{p}{r:08d}" for p, r, l, il in
         zip(prefix.tolist(), rest.tolist(), land.tolist(), is_land.tolist())],
        dtype=object,
    )


def bad_phone(phone: str, pick: float) -> str:
    """Return a malformed version of ``phone``; ``pick`` in [0, 1) chooses the kind.

    >>> bad_phone("13812345678", 0.1)
    '1381234567'
    >>> bad_phone("13812345678", 0.3)
    '138123456788'
    """
    digits = phone.replace("-", "")
    kind = int(pick * 5)
    if kind == 0:
        return digits[:-1]  # a digit dropped
    if kind == 1:
        return digits + digits[-1]  # a digit doubled
    if kind == 2:
        return "1" + "2" + digits[2:] if len(digits) == 11 else digits[:4]  # impossible prefix / cut
    if kind == 3:
        return "00000000000"  # placeholder clerks type to pass validation
    return "无"  # "none"
