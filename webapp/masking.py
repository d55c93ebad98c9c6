"""Masking of personal data on screen: phones and ID numbers are shown partly hidden.

Pages list residents to officials who need to reach them, but a screen is easily seen by
others; full numbers go only into exports and messages, which are audited.
"""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """Hide the middle of a phone number.

    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("021-56781234")
    '021-****1234'
    >>> mask_phone(None) is None
    True
    """
    if not phone:
        return phone
    if len(phone) <= 4:
        return "*" * len(phone)
    head = phone[:4] if "-" in phone[:4] else phone[:3]
    return head + "****" + phone[-4:]


def mask_id_number(id_number: str | None) -> str | None:
    """Keep the region code and the last character of an ID number.

    >>> mask_id_number("31010619500312123X")
    '310106***********X'
    """
    if not id_number:
        return id_number
    return id_number[:6] + "*" * (len(id_number) - 7) + id_number[-1]


def mask_birth_date(birth_date: str | None) -> str | None:
    """Keep only the year of a birth date (the age band stays readable).

    >>> mask_birth_date("1944-03-02")
    '1944-**-**'
    """
    if not birth_date:
        return birth_date
    return str(birth_date)[:4] + "-**-**"


PERSONAL_FIELDS = {"phone": mask_phone, "id_number": mask_id_number,
                   "birth_date": mask_birth_date}


def mask_personal(record: dict) -> dict:
    """Return ``record`` with its phone, ID number and birth date masked (others as they are).

    >>> mask_personal({"name": "Li", "phone": "13812345678", "birth_date": "1944-03-02"})
    {'name': 'Li', 'phone': '138****5678', 'birth_date': '1944-**-**'}
    """
    return {k: PERSONAL_FIELDS[k](v) if k in PERSONAL_FIELDS and isinstance(v, str) else v
            for k, v in record.items()}
