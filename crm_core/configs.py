"""Configs as data: every frozen config of crm_core saves to canonical JSON and loads back validated.

A scenario stores its configs with ``config_to_dict``; caches key on ``config_hash``.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from crm_core.validation import clipped, shown

Config = TypeVar("Config")


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def config_to_dict(config: Any) -> dict:
    """Return a config as JSON-able built-in types, with its class name under ``type``."""
    return {"type": type(config).__name__, **_plain(config)}


def config_json(config: Any) -> str:
    """Return a config as canonical JSON (sorted keys), the form saved in scenarios.

    Examples
    --------
    >>> from crm_core.segments.config import LifecycleConfig
    >>> config_json(LifecycleConfig())[:40]
    '{"decline_activity_trend": -0.3, "declin'
    """
    return json.dumps(config_to_dict(config), sort_keys=True, ensure_ascii=False)


def _as_tuples(value: Any, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_as_tuples(v, args[0]) for v in value)
        return tuple(_as_tuples(v, a) for v, a in zip(value, args, strict=False))
    if origin in (typing.Union, types.UnionType) and isinstance(value, list):
        return tuple(_as_tuples(v, Any) for v in value)
    if annotation is Any and isinstance(value, list):
        return tuple(_as_tuples(v, Any) for v in value)
    return value


def config_from_dict(kind: type[Config], data: dict) -> Config:
    """Return the config of class ``kind`` from ``config_to_dict`` output (validated by its constructor).

    Unknown keys raise ``ValueError`` naming them, so a foreign file is refused, not half-read.
    """
    if not isinstance(data, dict):
        raise ValueError(f"a saved {kind.__name__} is an object of settings, got {shown(data)}")
    data = dict(data)
    saved = data.pop("type", kind.__name__)
    if saved != kind.__name__:
        raise ValueError(f"saved config is a {shown(saved)}, not a {kind.__name__}")
    hints = typing.get_type_hints(kind)
    unknown = sorted(shown(name) for name in set(data) - set(hints))
    if unknown:
        raise ValueError(f"{kind.__name__} has no setting {', '.join(unknown)}")
    try:
        return kind(**{name: _as_tuples(value, hints[name]) for name, value in data.items()})
    except TypeError as error:  # a required setting missing, or a value no check expected
        raise ValueError(f"{kind.__name__}: {clipped(str(error))}") from None


def config_from_json(kind: type[Config], text: str) -> Config:
    """Return the config of class ``kind`` saved by ``config_json`` (validated again).

    Examples
    --------
    >>> from crm_core.segments.config import TierConfig
    >>> config_from_json(TierConfig, config_json(TierConfig())) == TierConfig()
    True
    """
    return config_from_dict(kind, json.loads(text))


def config_hash(config: Any) -> str:
    """Return a short stable hash of a config (sha256 of its JSON, 16 hex digits)."""
    return hashlib.sha256(config_json(config).encode()).hexdigest()[:16]
