"""Masking of customer identifiers for display and export: ids, names, phone and ID numbers, e-mail.

Meeting mode (and, later, every view by default) shows ``C00****34`` instead of a customer
number, ``张*`` instead of a name, ``138****1234`` instead of a phone number and
``110101********1234`` instead of an ID number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

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

IDENTIFIER_HEADERS: dict[str, str] = {
    **IDENTIFIER_COLUMNS,
    **dict.fromkeys(("cust_id", "customer_no", "customer_number", "client_id", "client_no", "客户号", "客户编号",
                     "客户id", "客户代码", "客户号码", "客户编码", "客户账号"), "id"),
    **dict.fromkeys(("full_name", "client_name", "姓名", "客户姓名", "客户名称", "客户名", "名字", "户名"), "name"),
    **dict.fromkeys(("mobile_phone", "mobile_no", "phone_number", "phone_no", "tel", "telephone", "cell",
                     "手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "移动电话"), "phone"),
    **dict.fromkeys(("id_no", "id_card", "id_card_no", "national_id", "identity_number", "certificate_no",
                     "身份证", "身份证号", "身份证号码", "证件号", "证件号码", "证件号码(身份证)"), "id_number"),
    **dict.fromkeys(("email", "e_mail", "email_address", "mail", "邮箱", "电子邮箱", "电子邮件"), "email"),
}  # fmt: skip
"""File headers (lower case, spaces and hyphens as ``_``) recognised as customer identifiers, and their kind."""


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


def mask_email(value: str) -> str:
    """Keep the first character of the mailbox and the domain.

    Examples
    --------
    >>> mask_email("zhang.san@bank.example")
    'z***@bank.example'
    """
    mailbox, _, domain = str(value).partition("@")
    return f"{mailbox[:1]}***@{domain}"


_MASKS = {"id": mask_id, "name": mask_name, "phone": mask_phone, "id_number": mask_id_number, "email": mask_email}

# Identifier-looking values anywhere in a text, most specific first: e-mail addresses, national
# ID numbers (15 digits, or 17 and a digit or X), mobile numbers (+86 optional), landlines with an
# area code, other international numbers.
_IDENTIFIER_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "email"),
    (re.compile(r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15})(?![\dA-Za-z])"), "id_number"),
    (re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"), "phone"),
    (re.compile(r"(?<![\d+])0\d{2,3}[ -]\d{7,8}(?!\d)"), "phone"),
    (re.compile(r"\+\d{1,3}[ -]?\d(?:[ -]?\d){6,13}(?!\d)"), "phone"),
)


def identifier_kind(header: object, field: str | None = None) -> str | None:
    """Return how a file column is masked (``id``, ``name``, ``phone``, ``id_number``, ``email``) or None.

    A column mapped to ``customer_id`` is an id whatever its header; otherwise the header is
    looked up in ``IDENTIFIER_HEADERS``.

    Examples
    --------
    >>> identifier_kind("身份证号码"), identifier_kind("Mobile Phone"), identifier_kind("客户", "customer_id")
    ('id_number', 'phone', 'id')
    >>> identifier_kind("branch") is None
    True
    """
    if field == "customer_id":
        return "id"
    key = re.sub(r"[\s\-]+", "_", str(header).strip().lower())
    return IDENTIFIER_HEADERS.get(key)


def masked_text(text: object) -> str:
    """Return text with every value that looks like an identifier masked: e-mail addresses,
    15- or 18-digit ID numbers and phone numbers, wherever they stand.

    Examples
    --------
    >>> masked_text("C1,张三,13812341234,110101199003071234,li@bank.example,52000")
    'C1,张三,138****1234,110101********1234,l***@bank.example,52000'
    """
    result = str(text)
    for pattern, kind in _IDENTIFIER_PATTERNS:
        result = pattern.sub(lambda match, kind=kind: _MASKS[kind](match.group()), result)
    return result


def masked_value(value: object, kind: str | None = None) -> str:
    """Return one cell as shown with identifiers masked: by its column's ``kind`` when known, and
    by pattern (``masked_text``) in any case.

    Examples
    --------
    >>> masked_value("张三丰", "name"), masked_value("13812341234")
    ('张*', '138****1234')
    """
    text = str(value)
    if kind is not None and text.strip():
        return _MASKS[kind](text)
    return masked_text(text)


def masked_row_text(text: str, delimiter: str | None, kinds: Sequence[str | None]) -> str:
    """Return a raw row excerpt (cells joined by ``delimiter``) with identifier cells masked.

    ``kinds`` gives each file column's kind (``identifier_kind``) in file order; cells are
    split as CSV, masked by position and by pattern, and joined again.

    Examples
    --------
    >>> masked_row_text("C0001234;张三;52000", ";", ["id", "name", None])
    'C00****34;张*;52000'
    """
    separator = delimiter or ","
    try:
        cells = next(csv.reader([text], delimiter=separator), [])
    except csv.Error:
        return masked_text(text)
    return separator.join(masked_value(cell, kinds[i] if i < len(kinds) else None) for i, cell in enumerate(cells))


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
