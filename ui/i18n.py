"""The session's language and its texts: ``t(key, **params)`` on every screen.

The strings live in one catalog per language, ``locales/en.json`` and ``locales/zh.json``
(read by ``crm_core.catalog``, which the report renderers share); add a string there, in
both files. ``translate`` is pure (testable without Streamlit); ``t`` reads the session's language.
"""

from __future__ import annotations

from types import MappingProxyType

import streamlit as st

from crm_core import catalog, formatting

LANG_KEY = "lang"
LANG_CODES = MappingProxyType({"EN": "en", "中文": "zh"})
"""What the switch shows (and what ``?lang=`` carries in a shared link) and the language code behind it."""

TEXT = MappingProxyType(
    {key: tuple(catalog.text(key, lang) for lang in ("en", "zh")) for key in catalog.CATALOGS["en"]}
)
"""Read-only view key → (English, Chinese) of the catalogs; add strings to ``locales/en.json``
and ``locales/zh.json``, never here."""


def translate(key: str, lang: str, /, **params: object) -> str:
    """Return the text for ``key`` in ``lang`` (``en`` or ``zh``), with ``params`` filled in.

    An unknown key returns the key itself, so a missing translation is visible, not fatal.
    """
    return catalog.text(key, lang, **params)


def current_lang() -> str:
    """The session's language code."""
    choice = st.session_state.get(LANG_KEY)
    return LANG_CODES.get(choice, choice if choice in LANG_CODES.values() else "en")


def t(key: str, /, **params: object) -> str:
    """Translate ``key`` into the session's language."""
    return translate(key, current_lang(), **params)


def money(value: float | None) -> str:
    """Money in the session's language: 万/亿 in Chinese, K/M/B in English."""
    return formatting.format_money(value, current_lang())  # in the currency in force (ui.frame, priced_in)


def count(value: float | None) -> str:
    """A whole count in the session's language."""
    return formatting.format_count(value, current_lang())


def percent(value: float | None, digits: int = 1) -> str:
    """A share (0.123) as "12.3%", or n/a / 暂无 without one."""
    return formatting.format_share(value, digits, current_lang())


def month_label(timestamp) -> str:
    """A month as 'Oct 2026' or '2026年10月'."""
    return formatting.format_month(timestamp, current_lang())


def say(message) -> str:
    """Render a core ``Message`` (or a catalog key) in the session's language."""
    from crm_core.messages import render

    return render(message, current_lang())


def named_axes(frame):
    """A small result whose index and columns hold terms (preset tiers, built-in names), named for the reader."""
    from crm_core.messages import shown

    lang = current_lang()
    return frame.rename(index=lambda v: str(shown(v, lang)), columns=lambda v: str(shown(v, lang)))
