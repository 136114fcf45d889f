"""Sentences as data: the core returns ``Message(key, params)``, the edges render it in a language.

``crm_core`` never writes a sentence in a language. A function that has something to say returns a
:class:`Message`: a catalog key (``locales/<code>.json``) and its parameters. Parameters are plain
values or typed ones (:class:`Money`, :class:`Count`, :class:`Share`, :class:`Month`, :class:`Term`,
or another :class:`Message`) so the renderer formats each in the reader's language and units:
money as 万/亿 or K/M, months as "2030年5月" or "May 2030", a term (a product, a tier, a status) by
its own catalog key.

Examples
--------
>>> note = Message("report_stamp_scenario")
>>> render(note, "zh")
'情景'
>>> render(Message("dataset_size", customers=Count(20000), activity=Count(1200), mb=3), "en")
'20,000 customers · 1,200 activity rows · 3 MB'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crm_core import catalog, formatting


@dataclass(frozen=True)
class Money:
    """An amount in the data's currency, shown in the reader's units (``currency=""``: the bare amount)."""

    value: float | None
    currency: str | None = None


@dataclass(frozen=True)
class Count:
    """A whole count, grouped in the reader's style."""

    value: float | None


@dataclass(frozen=True)
class Share:
    """A fraction (0.125) shown as a percentage ("12.5%")."""

    value: float | None
    digits: int = 1


@dataclass(frozen=True)
class Month:
    """A month, shown as "May 2030" or "2030年5月"."""

    value: Any


@dataclass(frozen=True)
class Term:
    """A word the catalog names: a product, a tier, a status (its catalog key)."""

    key: str


class Message:
    """A catalog key and its parameters; frozen, hashable, comparable.

    Parameters
    ----------
    key : str
        The catalog key (a string in every ``locales/<code>.json``).
    **params
        The key's ``str.format`` fields: plain values or :class:`Money`, :class:`Count`,
        :class:`Share`, :class:`Month`, :class:`Term`, :class:`Message`.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: object) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Message is frozen")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, self.params))

    def __reduce__(self) -> tuple:
        # Picklable (the models an artefact stores carry their reasons): rebuilt through __init__.
        return (_message, (self.key, self.params))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.params)
        return f"Message({self.key!r}{', ' if shown else ''}{shown})"


def _message(key: str, params: tuple) -> Message:
    """A pickled ``Message`` rebuilt."""
    return Message(key, **dict(params))


def shown(value: object, lang: str) -> object:
    """Return one parameter as the reader sees it: a typed value formatted, a term or message in ``lang``.

    Plain values come back as they are (a bank's own tier name, a branch code).

    Examples
    --------
    >>> shown(Term("tiername_default_0"), "zh"), shown("Tier A", "zh")
    ('大众客户', 'Tier A')
    """
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, Money):
        return formatting.format_money(value.value, lang, currency=value.currency)
    if isinstance(value, Count):
        return formatting.format_count(value.value, lang)
    if isinstance(value, Share):
        return formatting.format_share(value.value, value.digits, lang)
    if isinstance(value, Month):
        return formatting.format_month(pd.Timestamp(value.value), lang)
    if isinstance(value, Term):
        return catalog.text(value.key, lang)
    return value


def render(message: Message | Term | str, lang: str) -> str:
    """Return ``message`` as a sentence in ``lang`` (a term or a plain string: a catalog key)."""
    if isinstance(message, Term):
        return catalog.text(message.key, lang)
    if isinstance(message, str):
        return catalog.text(message, lang)
    return catalog.text(message.key, lang, **{name: shown(value, lang) for name, value in message.params})


def names(values, lang: str) -> tuple[str, ...]:
    """Return each of ``values`` (terms, messages or plain names) as a string in ``lang``.

    Examples
    --------
    >>> names((Term("tiername_cmb_2"), "own tier"), "zh")
    ('金葵花客户', 'own tier')
    """
    return tuple(str(shown(value, lang)) for value in values)


def joined(messages, lang: str) -> str:
    """Return several messages as one text in ``lang``, separated as the language lists them ("; " / "；").

    Examples
    --------
    >>> joined((Term("tiername_default_0"), Term("tiername_default_1")), "zh")
    '大众客户；富裕客户'
    """
    return catalog.text("report_list_separator", lang).join(render(m, lang) for m in messages)
