"""Checks that the frozen configs run in ``__post_init__``: one definition of "a valid setting".

A config is built in code, by a widget, or from a scenario file or link (JSON, where anything
can arrive: text for a number, ``NaN``, ``1e400`` read as infinity, a 400-digit integer, a lone
surrogate in a name). Every check either returns the value in its canonical form (a float, an
int, a tuple) or raises ``ValueError`` with a message that names the setting, says what is
allowed and shows (briefly) what was given, e.g. ``adoption_increase_pp must be a number from 0
to 100, got nan``. ``crm_core.scenarios`` turns these into ``ScenarioError`` at the door.

Examples
--------
>>> number(15, "adoption_increase_pp", 0, 100)
15.0
>>> number(float("nan"), "adoption_increase_pp", 0, 100)
Traceback (most recent call last):
ValueError: adoption_increase_pp must be a number from 0 to 100, got nan
>>> text("Q3 plan", "name", 120, required=True)
'Q3 plan'
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
from collections.abc import Iterable
from typing import Any

_SINGLE_LINE_FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""Control characters, line and paragraph separators, bidirectional controls and lone surrogates."""

_MULTILINE_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""As above, but tab, line feed and carriage return are allowed (a note has paragraphs)."""

_CODE = re.compile(r"[^\W_](?:\w{0,98}[^\W_])?|\*")
"""A product or column code as the loader makes them: word characters, no edge underscore; ``*`` = any."""


def shown(value: Any, limit: int = 40) -> str:
    """A short, printable rendering of a rejected value for an error message.

    Examples
    --------
    >>> shown("x" * 100)[-5:]
    "xxx…'"
    >>> shown(float("inf"))
    'inf'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"a {len(str(abs(value)))}-digit number"
    if isinstance(value, str | list | tuple | dict) and len(value) > 1_000:
        value = value[:1_000] if not isinstance(value, dict) else dict(list(value.items())[:10])
    text = ascii(value) if isinstance(value, str) else repr(value)
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


def clipped(message: str, limit: int = 300) -> str:
    """An error message shortened to ``limit`` characters, with unprintable characters escaped.

    Examples
    --------
    >>> clipped("x" * 400)[-2:], len(clipped("x" * 400))
    ('x…', 300)
    """
    safe = "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode() for c in message)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _amount(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e16:
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return f"{value:g}"


def range_text(low: float | None, high: float | None, *, low_open: bool = False, high_open: bool = False) -> str:
    """Words for an allowed range: ``from 0 to 100``, ``above 0 and at most 100,000``, ….

    Examples
    --------
    >>> range_text(0, 1, high_open=True)
    'from 0 to below 1'
    >>> range_text(0, None, low_open=True)
    'above 0'
    """
    if low is not None and high is not None:
        start = f"above {_amount(low)} and" if low_open else f"from {_amount(low)}"
        end = (f"below {_amount(high)}" if low_open else f"to below {_amount(high)}") if high_open else None
        if end is None:
            end = f"at most {_amount(high)}" if low_open else f"to {_amount(high)}"
        return f"{start} {end}"
    if low is not None:
        return f"above {_amount(low)}" if low_open else f"of at least {_amount(low)}"
    if high is not None:
        return f"below {_amount(high)}" if high_open else f"up to {_amount(high)}"
    return "finite"


def _real(value: Any) -> bool:
    # Plain ints and floats first: the abstract-class check is slow and configs are built often.
    return type(value) in (float, int) or (isinstance(value, numbers.Real) and not isinstance(value, bool))


def number(
    value: Any,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite float within the range, else raise ``ValueError`` naming ``name``.

    Text, booleans, ``None``, NaN, infinities and integers too large for a float are refused.
    """
    result = math.nan
    if _real(value):
        with contextlib.suppress(OverflowError):  # an integer beyond float range
            result = float(value)
    too_low = low is not None and (result <= low if low_open else result < low)
    too_high = high is not None and (result >= high if high_open else result > high)
    if math.isfinite(result) and not too_low and not too_high:
        return result
    positive = low == 0 and low_open
    bounds = range_text(None if positive else low, high, low_open=low_open, high_open=high_open)
    kind = "positive number" if positive else "number" if bounds != "finite" else "finite number"
    message = f"{name} must be a {kind}" + ("" if bounds == "finite" else f" {bounds}")
    raise ValueError(f"{message}, got {shown(value)}")


def whole(value: Any, name: str, low: int, high: int) -> int:
    """Return ``value`` as an int in ``[low, high]`` (a whole float such as ``3.0`` is accepted)."""
    if type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        if low <= value <= high:
            return int(value)
    elif _real(value) and math.isfinite(value) and float(value).is_integer() and low <= value <= high:
        return int(value)
    raise ValueError(f"{name} must be a whole number from {_amount(low)} to {_amount(high)}, got {shown(value)}")


def flag(value: Any, name: str) -> bool:
    """Return ``value`` if it is a boolean (``true`` / ``false``; numpy booleans accepted)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise ValueError(f"{name} must be true or false, got {shown(value)}")


def choice(value: Any, name: str, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value in allowed:
        return value
    listed = ", ".join(allowed) if len(allowed) <= 16 else ", ".join(allowed[:16]) + ", …"
    raise ValueError(f"{name} must be one of {listed}; got {shown(value)}")


def text(value: Any, name: str, max_length: int, *, required: bool = False, multiline: bool = False) -> str:
    """Return ``value`` if it is text of at most ``max_length`` characters that displays safely.

    Refused: control characters (tab and line breaks allowed when ``multiline``), line and
    paragraph separators, bidirectional controls (they reverse text on screen) and lone
    surrogates (they cannot be encoded, so a page showing them fails); blank when ``required``.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {shown(value)}")
    if len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length:,} characters, got {len(value):,}")
    forbidden = (_MULTILINE_FORBIDDEN if multiline else _SINGLE_LINE_FORBIDDEN).search(value)
    if forbidden:
        raise ValueError(
            f"{name} must not contain control, direction-changing or unpaired surrogate characters, "
            f"got {shown(forbidden.group())} at position {forbidden.start()}"
        )
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def code(value: Any, name: str, *, any_allowed: bool = False) -> str:
    """Return ``value`` if it is a product or column code (letters, digits, inner underscores, ≤ 100).

    ``any_allowed`` accepts ``*`` (the fallback entry of a table of products).
    """
    if isinstance(value, str) and _CODE.fullmatch(value) and (any_allowed or value != "*"):
        return value
    raise ValueError(
        f"{name} must be a code of letters, digits and inner underscores (at most 100 characters), got {shown(value)}"
    )


def items(value: Any, name: str, min_count: int = 0, max_count: int = 100) -> tuple:
    """Return ``value`` (a tuple or list) as a tuple of ``min_count`` to ``max_count`` entries."""
    if not isinstance(value, tuple | list):
        raise ValueError(f"{name} must be a list, got {shown(value)}")
    if not min_count <= len(value) <= max_count:
        count = f"{min_count} to {max_count}" if min_count != max_count else f"exactly {min_count}"
        raise ValueError(f"{name} must hold {count} entries, got {len(value)}")
    return tuple(value)


def distinct(values: Iterable[Any], name: str) -> None:
    """Raise ``ValueError`` if ``values`` repeat one."""
    seen: set = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{name} must be distinct; {shown(value)} appears twice")
        seen.add(value)


def weights(
    value: Any, name: str, allowed: Iterable[str], high: float = 100.0, *, max_count: int | None = None
) -> tuple[tuple[str, float], ...]:
    """Return ``(indicator, weight)`` pairs: indicators from ``allowed`` (once each), weights in [0, high]."""
    allowed = tuple(allowed)
    pairs = items(value, name, 0, max_count or len(allowed))
    checked = []
    for i, pair in enumerate(pairs):
        indicator, weight = items(pair, f"{name}[{i}]", 2, 2)
        indicator = choice(indicator, f"{name}[{i}] indicator", allowed)
        try:
            checked.append((indicator, number(weight, name, 0, high)))
        except ValueError:
            message = f"{name}[{i}] ({indicator}) must be a non-negative number up to {_amount(high)}"
            raise ValueError(f"{message}, got {shown(weight)}") from None
    distinct((n for n, _ in checked), f"{name} indicators")
    return tuple(checked)


def assign(config: Any, **values: Any) -> None:
    """Store canonical values on a frozen dataclass from its ``__post_init__``."""
    for field_name, field_value in values.items():
        object.__setattr__(config, field_name, field_value)
