"""The currency of an extract's amounts, detected from its headers and sample values.

A euro or rupee file must not be shown in ¥ and cut at 5万 / 50万 / 600万. Symbols and ISO codes in
the headers (``Balance (EUR)``, ``余额（元）``) and in the sampled text values (``€1,200``) vote; the
most frequent wins, CNY when nothing says otherwise. The user can override it (``ViewChoices.currency``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

MARKERS: tuple[tuple[str, str], ...] = (
    ("€", "EUR"),
    ("₹", "INR"),
    ("£", "GBP"),
    ("HK$", "HKD"),
    ("US$", "USD"),
    ("$", "USD"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("元", "CNY"),
    ("人民币", "CNY"),
)
"""Symbols and words, longest first within a family, with the currency they mean."""

CODES: tuple[str, ...] = ("EUR", "USD", "INR", "GBP", "HKD", "CNY", "RMB")
_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(CODES) + r")(?![A-Za-z])")


def _votes(text: str) -> list[str]:
    found = [("CNY" if code == "RMB" else code) for code in _CODE.findall(text.upper())]
    rest = text
    for marker, code in MARKERS:
        if marker in rest:
            found += [code] * rest.count(marker)
            rest = rest.replace(marker, " ")
    return found


def detected_currency(headers: Iterable[str], samples: Iterable[pd.DataFrame] = ()) -> str:
    """Return the ISO code the amounts are most likely in (CNY when nothing in the file says).

    Examples
    --------
    >>> detected_currency(["customer_id", "Balance (EUR)"])
    'EUR'
    >>> detected_currency(["客户号", "余额（元）"])
    'CNY'
    >>> detected_currency(["id", "balance"], [pd.DataFrame({"balance": ["₹1,200", "₹80"]})])
    'INR'
    >>> detected_currency(["id", "aum"])
    'CNY'
    """
    votes: Counter[str] = Counter()
    for header in headers:
        votes.update(_votes(str(header)))
    for sample in samples:
        for column in sample.columns:
            values = sample[column].dropna().astype(str).head(50)
            for value in values:
                votes.update(_votes(value))
    return votes.most_common(1)[0][0] if votes else "CNY"
