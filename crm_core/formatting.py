"""Number formatting for people: 万/亿 in Chinese, K/M/B in English.

Pure functions of a number and a language code, so pages, charts and exports agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd

from crm_core import catalog

LANGUAGES = ("en", "zh")


def _trim(number: float, digits: int) -> str:
    text = f"{number:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


CURRENCY_SYMBOLS: dict[str, str] = {"CNY": "¥", "EUR": "€", "USD": "$", "GBP": "£", "INR": "₹", "HKD": "HK$"}
"""Currencies the app shows money in, by ISO 4217 code, with their symbol."""

_CURRENCY: ContextVar[str] = ContextVar("currency", default="CNY")


def currency_symbol(code: str | None = None) -> str:
    """The symbol of ``code`` (the currency in force when None).

    Examples
    --------
    >>> currency_symbol("EUR"), currency_symbol()
    ('€', '¥')
    """
    return CURRENCY_SYMBOLS.get(code or _CURRENCY.get(), "¥")


@contextmanager
def priced_in(code: str | None) -> Iterator[None]:
    """Format every amount inside the block in ``code`` (``format_money`` without an explicit currency).

    The setting lives in a context variable, so it holds only for the code run inside the block
    (one report, one page run), never for another session.

    Examples
    --------
    >>> with priced_in("EUR"):
    ...     format_money(2_500_000, "en")
    '€2.5M'
    >>> format_money(2_500_000, "en")
    '¥2.5M'
    """
    token = _CURRENCY.set(code if code in CURRENCY_SYMBOLS else "CNY")
    try:
        yield
    finally:
        _CURRENCY.reset(token)


def use_currency(code: str | None) -> None:
    """Set the currency in force for the rest of this thread's run (a Streamlit fragment's rerun)."""
    _CURRENCY.set(code if code in CURRENCY_SYMBOLS else "CNY")


def format_money(value: float | None, lang: str = "en", currency: str | None = None, digits: int | None = None) -> str:
    """Return a compact money string.

    Parameters
    ----------
    value : float or None
        Amount in yuan. None, NaN and infinities give "n/a" (暂无 in Chinese: ``not_available``).
    lang : {"en", "zh"}
        ``zh`` uses 万 (1e4) and 亿 (1e8); ``en`` uses K, M and B.
    currency : str, optional
        Prefix; by default the symbol of the currency in force (``priced_in``; ``¥`` outside one).
    digits : int, optional
        Decimals kept before trailing zeros are trimmed; by default as many as keep about four
        significant figures (2 below 100, 1 below 1,000, none above), so tiles stay short.

    Examples
    --------
    >>> format_money(125_000, "zh")
    '¥12.5万'
    >>> format_money(320_000_000, "zh")
    '¥3.2亿'
    >>> format_money(125_000, "en")
    '¥125K'
    >>> format_money(-2_500_000, "en")
    '-¥2.5M'
    >>> format_money(23_004_512, "zh"), format_money(320_130_000, "en")
    ('¥2,300万', '¥320.1M')
    """
    if value is None or not math.isfinite(value):
        return catalog.text("not_available", lang)
    currency = currency_symbol() if currency is None else currency
    sign = "-" if value < 0 else ""
    size = abs(value)
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for scale, suffix in steps:
        if size >= scale:
            scaled = size / scale
            places = digits if digits is not None else (2 if scaled < 100 else 1 if scaled < 1000 else 0)
            return f"{sign}{currency}{_trim(scaled, places)}{suffix}"
    return f"{sign}{currency}{_trim(size, 0)}"


def format_count(value: float | None, lang: str = "en") -> str:
    """Return a whole count with separators; 万 above 100,000 in Chinese.

    Examples
    --------
    >>> format_count(18_234)
    '18,234'
    >>> format_count(1_234_567, "zh")
    '123.46万'
    """
    if value is None or not math.isfinite(value):
        return catalog.text("not_available", lang)
    if lang == "zh" and abs(value) >= 1e5:
        return f"{_trim(value / 1e4, 2)}万"
    return f"{value:,.0f}"


def format_share(value: float | None, digits: int = 1, lang: str = "en") -> str:
    """Return a share (0.123) as a percentage ('12.3%'); "n/a" (暂无) without one."""
    if value is None or not math.isfinite(value):
        return catalog.text("not_available", lang)
    return f"{value * 100:.{digits}f}%"


def format_delta(value: float | None, kind: str, lang: str = "en") -> str:
    """Return a signed change: ``relative`` as %, ``points`` as pp (百分点 in Chinese), ``absolute`` plain."""
    if value is None or not math.isfinite(value) or abs(value) > 1e6:
        return ""  # no change or an absurd one (implausible input values) is not shown
    if kind == "relative":
        return f"{value * 100:+.1f}%"
    if kind == "points":
        return f"{value * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    return f"{value:+.2f}"


def format_month(when, lang: str = "en") -> str:
    """Return a month as a manager writes it: ``May 2030`` / ``2030年5月``.

    Examples
    --------
    >>> format_month(pd.Timestamp("2030-05-17"), "en"), format_month(pd.Timestamp("2030-05-17"), "zh")
    ('May 2030', '2030年5月')
    """
    from crm_core.catalog import text

    when = pd.Timestamp(when)
    return text("xlsx_month", lang, month_name=_month_name(when, lang), year=when.year)


def format_day(when, lang: str = "en") -> str:
    """Return a date as a manager writes it: ``17 May 2030`` / ``2030年5月17日``.

    Examples
    --------
    >>> format_day(pd.Timestamp("2030-05-17"), "en"), format_day(pd.Timestamp("2030-05-17"), "zh")
    ('17 May 2030', '2030年5月17日')
    """
    from crm_core.catalog import text

    when = pd.Timestamp(when)
    return text("xlsx_day", lang, day=when.day, month_name=_month_name(when, lang), year=when.year)


def _month_name(when: pd.Timestamp, lang: str) -> str:
    from crm_core.catalog import text

    return text("xlsx_month_names", lang).split()[when.month - 1]
