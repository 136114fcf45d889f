"""Short, readable scenario links: a preset plus only the settings that differ from it.

``?s=proposed&tiers=10,50,600&kpi=customer_centric`` opens the "Proposed strategy" with tier
thresholds of 10万 / 50万 / 600万 and the customer-centric KPI weights. Every other setting is
named by its path in the scenario (``clv.discount_rate=0.1``). A link never carries customer
data, and what it carries is validated exactly as a scenario file is (``scenario_from_dict``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from crm_core.scenarios import (
    Scenario,
    ScenarioError,
    baseline_scenario,
    proposed_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from crm_core.staff.config import PRESETS as STAFF_PRESETS

PRESETS: dict[str, Callable[[], Scenario]] = {"baseline": baseline_scenario, "proposed": proposed_scenario}
"""Link keys of the built-in scenarios a link starts from."""

PRESET_PARAM = "s"
NOT_SETTINGS = frozenset({"lang", "embed", "embed_options"})
"""Query parameters of the app itself (the language, Streamlit's embedding options)."""

RESERVED = frozenset({PRESET_PARAM, "scenario"} | NOT_SETTINGS)
"""Query parameters that are not settings (``scenario`` is the old long form)."""

MAX_LINK_CHARACTERS = 4_096
"""Longest set of link parameters accepted (a typical what-if is under 300 characters)."""

_SKIPPED = frozenset({"format", "version", "created", "fingerprint"})
_ALIASES = {"tiers.thresholds": "tiers", "staff_weights": "kpi"}
_PATHS = {alias: path for path, alias in _ALIASES.items()}
_WAN = 1e4


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten a scenario dict into dotted paths (configs are descended; lists are leaves)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in _SKIPPED or (prefix and name == "type"):
            continue
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_leaves(value, f"{path}."))
        else:
            out[path] = value
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _encoded(path: str, value: Any) -> str:
    if path == "tiers.thresholds":
        return ",".join(_number(v / _WAN) for v in value)
    if path == "staff_weights":
        for preset in STAFF_PRESETS:
            if [list(p) for p in preset.weights] == [list(v) for v in value]:
                return preset.key
    if isinstance(value, list):
        if all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in value) and value:
            if all(":" not in v[0] and "," not in v[0] and isinstance(v[1], int | float) for v in value):
                return ",".join(f"{v[0]}:{_number(v[1])}" for v in value if v[1])  # unweighted = left out
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return ",".join(_number(v) for v in value)
        elif all(isinstance(v, str) and v and not set(v) & set(",[{") for v in value):
            return ",".join(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


def _nearest_preset(scenario: Scenario) -> tuple[str, dict[str, Any]]:
    leaves = _leaves(scenario_to_dict(scenario))
    best = None
    for key, make in PRESETS.items():
        base = _leaves(scenario_to_dict(make()))
        differing = {p: v for p, v in leaves.items() if base.get(p) != v}
        if best is None or len(differing) < len(best[1]):
            best = (key, differing)
    assert best is not None
    return best


def scenario_query(scenario: Scenario) -> dict[str, str]:
    """The link parameters of a scenario: its nearest preset and the settings that differ from it.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from crm_core.segments.config import TierConfig
    >>> scenario_query(replace(proposed_scenario(), tiers=TierConfig((1e5, 5e5, 6e6), basis="3m")))
    {'s': 'proposed', 'tiers': '10,50,600'}
    """
    key, differing = _nearest_preset(scenario)
    query = {PRESET_PARAM: key}
    for path, value in differing.items():
        query[_ALIASES.get(path, path)] = _encoded(path, value)
    return query


def _parsed_item(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        return text == "true"
    if isinstance(like, int | float) or like is None:
        try:
            number = float(text)
        except ValueError:
            if like is None:
                return text
            raise ScenarioError(f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise ScenarioError(f"{text!r} is not a finite number")
        return int(number) if isinstance(like, int) and number.is_integer() else number
    return text


def _parsed(path: str, text: str, like: Any) -> Any:
    if path == "tiers.thresholds":
        return [_parsed_item(v, 0.0) * _WAN for v in text.split(",") if v.strip()]
    if path == "staff_weights":
        for preset in STAFF_PRESETS:
            if text == preset.key:
                return [list(p) for p in preset.weights]
    if text[:1] in "[{" and isinstance(like, list):
        try:
            return json.loads(text)
        except ValueError as error:
            raise ScenarioError(f"setting {path} in the link is damaged ({error})") from None
    if isinstance(like, list):
        items = [v for v in text.split(",") if v != ""]
        if (like and isinstance(like[0], list)) or (path.endswith("weights") and any(":" in v for v in items)):
            pairs = []
            for item in items:
                name, _, number = item.partition(":")
                pairs.append([name, _parsed_item(number, 0)])
            return pairs
        sample = like[0] if like else None
        return [_parsed_item(v, sample) for v in items]
    return _parsed_item(text, like)


def scenario_from_query(params: Mapping[str, str]) -> Scenario:
    """The scenario of short link parameters (``scenario_query``), validated as a scenario file is.

    Raises
    ------
    ScenarioError
        An unknown preset or setting, a value of the wrong kind, or a setting out of range.
    """
    if sum(len(str(k)) + len(str(v)) for k, v in params.items()) > MAX_LINK_CHARACTERS:
        raise ScenarioError("the link's settings are too long to be one of ours")
    key = str(params.get(PRESET_PARAM, "baseline"))
    if key not in PRESETS:
        raise ScenarioError(f"unknown scenario {key!r} in the link; use {', '.join(PRESETS)}")
    data = scenario_to_dict(PRESETS[key]())
    base = _leaves(data)
    try:
        for name, text in params.items():
            if name in RESERVED:
                continue
            path = _PATHS.get(name, name)
            if path not in base:
                raise ScenarioError(f"unknown setting {name!r} in the link")
            node = data
            *parents, leaf = path.split(".")
            for parent in parents:
                node = node[parent]
            node[leaf] = _parsed(path, str(text), base[path])
        return scenario_from_dict(data)
    except ScenarioError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError) as error:
        raise ScenarioError(f"the link has an invalid setting: {error}") from None
