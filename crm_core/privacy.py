"""Masking of customer identifiers for display and export: ids, names, phone and ID numbers.

Meeting mode (and, later, every view by default) shows ``C00****34`` instead of a customer
number, ``张*`` instead of a name, ``138****1234`` instead of a phone number and
``110101********1234`` instead of an ID number.
"""

from __future__ import annotations

import re

import pandas as pd

IDENTIFIER_COLUMNS: dict[str, str] = {
    "customer_id": "id",
    "name": "name",
    "customer_name": "name",
    "phone": "phone",
    "mobile": "phone",
    "id_number": "id_number",
}
"""Columns masked by ``masked_frame`` and how."""


def mask_id(value: str) -> str:
    """Keep the first three and last two characters of an identifier.

    Examples
    --------
    >>> mask_id("C0001234"), mask_id("AB1")
    ('C00****34', '***')
    """
    text = str(value)
    if len(text) <= 5:
        return "*" * len(text)
    return f"{text[:3]}****{text[-2:]}"


def mask_name(value: str) -> str:
    """Keep the first character of a name (the family name in Chinese).

    Examples
    --------
    >>> mask_name("张三丰"), mask_name("Li Lei")
    ('张*', 'L*')
    """
    text = str(value).strip()
    return f"{text[:1]}*" if text else text


def mask_phone(value: str) -> str:
    """Keep the first three and last four digits of a phone number.

    Examples
    --------
    >>> mask_phone("13812341234")
    '138****1234'
    """
    digits = re.sub(r"\D", "", str(value))
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "*" * len(digits)


def mask_id_number(value: str) -> str:
    """Keep the first six and last four characters of a national ID number.

    Examples
    --------
    >>> mask_id_number("110101199003071234")
    '110101********1234'
    """
    text = str(value)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}" if len(text) > 10 else "*" * len(text)


_MASKS = {"id": mask_id, "name": mask_name, "phone": mask_phone, "id_number": mask_id_number}


def masked_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with identifier columns (``IDENTIFIER_COLUMNS``) masked; other columns untouched."""
    result = frame.copy()
    for column in result.columns:
        kind = IDENTIFIER_COLUMNS.get(str(column).lower())
        if kind:
            result[column] = result[column].map(_MASKS[kind], na_action="ignore").astype("string")
    return result


def pseudonymised(frame: pd.DataFrame, key: bytes, column: str = "customer_id") -> pd.DataFrame:
    """Return a copy whose ``column`` holds a keyed hash (HMAC-SHA256, 16 hex) instead of the id.

    The same id and key always give the same pseudonym, so exports can be joined back by whoever
    holds the key, and by nobody else.

    Examples
    --------
    >>> pseudonymised(pd.DataFrame({"customer_id": ["C1", "C1"]}), b"k")["customer_id"].nunique()
    1
    """
    import hashlib
    import hmac

    result = frame.copy()
    if column in result.columns:
        result[column] = (
            result[column]
            .map(lambda v: "P" + hmac.new(key, str(v).encode(), hashlib.sha256).hexdigest()[:16], na_action="ignore")
            .astype("string")
        )
    return result
