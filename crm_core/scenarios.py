"""Scenarios: one frozen, versioned object holding every parameter a manager can set.

A scenario is what a strategy meeting compares: tier scheme and thresholds, value and
stickiness weights, RFM map, lifecycle rules, cluster settings, churn definition, what-if
inputs, KPI weights and benchmarks, plus a name, a note, the fingerprint of the dataset it was
made on and a timestamp. It saves to JSON (``scenario_json``) and loads back validated
(``scenario_from_json``), migrating older versions; a malformed or foreign file is refused with
a ``ScenarioError`` that says what is wrong.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from crm_core.configs import config_from_dict, config_to_dict
from crm_core.loyalty.config import ChurnDefinition, ClvConfig, RetentionScenario, StickinessConfig
from crm_core.products.config import BenchmarkConfig, SizingConfig
from crm_core.segments.config import ClusterConfig, LifecycleConfig, RfmConfig, TierConfig, ValueConfig
from crm_core.staff.config import CUSTOMER_CENTRIC, DEPOSIT_SALES, PRESET_BY_KEY
from crm_core.visits.config import OffCounterBenchmark, WhatIfInputs

SCENARIO_VERSION = 2
"""Version written by this code. Version 1 (the first release) had no clusters, CLV or retention settings."""

SCENARIO_FORMAT = "bank-crm-scenario"
"""The ``format`` marker of a scenario file: anything else is a foreign JSON file."""

DEFAULT_OFFERED: tuple[str, ...] = ("credit_card", "wealth_management", "funds", "insurance", "payroll_service")
"""Products offered in sizing and lead lists by default (value-mining products)."""


MAX_SCENARIO_BYTES = 256 * 1024
"""Largest scenario a link may inflate to (a real one is about 7 KB)."""

MAX_TOKEN_CHARACTERS = 16 * 1024
"""Longest link token accepted (a real one is about 2 KB)."""


class ScenarioError(ValueError):
    """A scenario file or link that cannot be used; the message says why."""


@dataclass(frozen=True)
class Scenario:
    """Every setting of the dashboard, with a name, a note and where it comes from.

    Parameters
    ----------
    name, note : str
        What the manager calls it and why.
    fingerprint : str
        sha256 of the dataset it was made on ("" when not tied to one).
    created : str
        ISO 8601 UTC timestamp.
    tiers, value, rfm, lifecycle, clusters : segment configs
    stickiness, churn, clv, retention : loyalty configs
    visits_what_if, off_counter_benchmark : visit configs
    product_benchmark, sizing : product configs
    offered_products : tuple of str
        Products sized and offered in lead lists.
    staff_weights : tuple of (str, int)
        KPI weights in whole percentages summing to 100.
    staff_baseline : str
        Preset the staff ranking is compared with.
    version : int
        Format version (``SCENARIO_VERSION``).
    """

    name: str = "Baseline (current practice)"
    note: str = ""
    fingerprint: str = ""
    created: str = ""
    tiers: TierConfig = field(default_factory=TierConfig)
    value: ValueConfig = field(default_factory=ValueConfig)
    rfm: RfmConfig = field(default_factory=RfmConfig)
    lifecycle: LifecycleConfig = field(default_factory=LifecycleConfig)
    clusters: ClusterConfig = field(default_factory=ClusterConfig)
    stickiness: StickinessConfig = field(default_factory=StickinessConfig)
    churn: ChurnDefinition = field(default_factory=ChurnDefinition)
    clv: ClvConfig = field(default_factory=ClvConfig)
    retention: RetentionScenario = field(default_factory=RetentionScenario)
    visits_what_if: WhatIfInputs = field(default_factory=WhatIfInputs)
    off_counter_benchmark: OffCounterBenchmark = field(default_factory=OffCounterBenchmark)
    product_benchmark: BenchmarkConfig = field(default_factory=lambda: BenchmarkConfig(kind="next_tier"))
    sizing: SizingConfig = field(default_factory=SizingConfig)
    offered_products: tuple[str, ...] = DEFAULT_OFFERED
    staff_weights: tuple[tuple[str, int], ...] = DEPOSIT_SALES.weights
    staff_baseline: str = DEPOSIT_SALES.key
    version: int = SCENARIO_VERSION

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ScenarioError("a scenario needs a name")
        if len(self.name) > 120 or len(self.note) > 2_000:
            raise ScenarioError("name (120) or note (2,000 characters) too long")
        if self.staff_baseline not in PRESET_BY_KEY:
            raise ScenarioError(f"unknown staff baseline {self.staff_baseline!r}; use {', '.join(PRESET_BY_KEY)}")
        weights = tuple((str(n), int(w)) for n, w in self.staff_weights)
        if any(w < 0 for _, w in weights) or sum(w for _, w in weights) != 100:
            raise ScenarioError("staff weights must be non-negative whole percentages summing to 100")
        object.__setattr__(self, "staff_weights", weights)
        object.__setattr__(self, "offered_products", tuple(str(p) for p in self.offered_products))

    def renamed(self, name: str, note: str | None = None) -> Scenario:
        """A copy with a new name (and note)."""
        return replace(self, name=name, note=self.note if note is None else note)

    def stamped(self, fingerprint: str, now: datetime | None = None) -> Scenario:
        """A copy stamped with the dataset fingerprint and the time (UTC)."""
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return replace(self, fingerprint=fingerprint, created=moment.isoformat())


CONFIG_FIELDS: dict[str, type] = {
    "tiers": TierConfig,
    "value": ValueConfig,
    "rfm": RfmConfig,
    "lifecycle": LifecycleConfig,
    "clusters": ClusterConfig,
    "stickiness": StickinessConfig,
    "churn": ChurnDefinition,
    "clv": ClvConfig,
    "retention": RetentionScenario,
    "visits_what_if": WhatIfInputs,
    "off_counter_benchmark": OffCounterBenchmark,
    "product_benchmark": BenchmarkConfig,
    "sizing": SizingConfig,
}
"""Scenario fields that hold a config, with its class."""


def baseline_scenario() -> Scenario:
    """ "Baseline (current practice)": default tiers on current AUM, deposit & sales oriented KPIs."""
    return Scenario()


def proposed_scenario() -> Scenario:
    """ "Proposed strategy": tiers on 3-month average AUM (no flipping at a boundary), customer-centric
    balanced scorecard, a retention push on high and medium risk, +15 pp digital adoption."""
    return Scenario(
        name="Proposed strategy",
        note="Customer-centric assessment, stable tiers, retention and digital migration targets.",
        tiers=TierConfig(basis="3m"),
        retention=RetentionScenario(retained_share=0.3, bands=("high", "medium")),
        visits_what_if=WhatIfInputs(adoption_increase_pp=15.0),
        staff_weights=CUSTOMER_CENTRIC.weights,
        staff_baseline=DEPOSIT_SALES.key,
    )


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario as JSON-able built-in types, marked with the format and version."""
    data: dict[str, Any] = {"format": SCENARIO_FORMAT}
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        if f.name in CONFIG_FIELDS:
            data[f.name] = config_to_dict(value)
        elif isinstance(value, tuple):
            data[f.name] = [list(v) if isinstance(v, tuple) else v for v in value]
        else:
            data[f.name] = value
    return data


def scenario_json(scenario: Scenario) -> str:
    """Return the scenario as indented JSON (UTF-8 text; Chinese kept readable)."""
    return json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=2, sort_keys=True)


def _migrated(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older scenario up to ``SCENARIO_VERSION``.

    Version 1 stored the tier thresholds in 万 (``tier_thresholds_wan``) and had no clusters,
    CLV or retention settings; those take today's defaults.
    """
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise ScenarioError(f"version must be a positive whole number, got {version!r}")
    if version > SCENARIO_VERSION:
        raise ScenarioError(
            f"this scenario was saved by a newer release (version {version}); this one reads up to {SCENARIO_VERSION}"
        )
    data = dict(data)
    if version == 1:
        wan = data.pop("tier_thresholds_wan", None)
        labels = data.pop("tier_labels", None)
        if wan is not None:
            tiers = {"type": "TierConfig", "thresholds": [float(v) * 1e4 for v in wan]}
            if labels is not None:
                tiers["labels"] = labels
            data["tiers"] = tiers
        data["version"] = 2
    return data


def scenario_from_dict(data: Any) -> Scenario:
    """Return the scenario in ``data`` (from ``scenario_to_dict``), migrated and validated.

    Raises
    ------
    ScenarioError
        Not a scenario, from a newer release, or a setting out of range; the message names it.
    """
    if not isinstance(data, dict):
        raise ScenarioError("a scenario file holds one JSON object")
    if data.get("format") != SCENARIO_FORMAT:
        raise ScenarioError(f'this JSON is not a scenario of this dashboard (expected "format": "{SCENARIO_FORMAT}")')
    data = _migrated({k: v for k, v in data.items() if k != "format"})
    known = {f.name for f in fields(Scenario)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ScenarioError(f"unknown settings in the scenario: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    try:
        for name, value in data.items():
            if name in CONFIG_FIELDS:
                if not isinstance(value, dict):
                    raise ScenarioError(f"{name} must be an object")
                values[name] = config_from_dict(CONFIG_FIELDS[name], value)
            elif name in ("offered_products", "staff_weights"):
                if not isinstance(value, list):
                    raise ScenarioError(f"{name} must be a list")
                values[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            else:
                values[name] = value
        return Scenario(**values)
    except ScenarioError:
        raise
    except (TypeError, ValueError, KeyError) as error:
        raise ScenarioError(f"the scenario has an invalid setting: {error}") from None


def scenario_from_json(text: str | bytes) -> Scenario:
    """Return the scenario saved by ``scenario_json``; refuse anything else with a clear message."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ScenarioError(f"not a JSON file ({error})") from None
    except RecursionError:
        raise ScenarioError("not a scenario: the JSON is nested too deeply") from None
    try:
        return scenario_from_dict(data)
    except RecursionError:
        raise ScenarioError("not a scenario: the JSON is nested too deeply") from None


def scenario_token(scenario: Scenario) -> str:
    """Return the scenario as a compact URL-safe token for a shareable link (settings only, never customer data).

    Examples
    --------
    >>> scenario_from_token(scenario_token(proposed_scenario())) == proposed_scenario()
    True
    """
    packed = zlib.compress(json.dumps(scenario_to_dict(scenario), separators=(",", ":")).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def scenario_from_token(token: str) -> Scenario:
    """Return the scenario of a link token; ``ScenarioError`` when it is damaged."""
    if len(token) > MAX_TOKEN_CHARACTERS:
        raise ScenarioError("the link's scenario is too long to be one of ours")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_SCENARIO_BYTES)
        if inflater.unconsumed_tail:
            raise ScenarioError("the link's scenario is too large to be one of ours")
    except (ValueError, zlib.error) as error:
        raise ScenarioError(f"the link's scenario is damaged ({error})") from None
    return scenario_from_json(text)
