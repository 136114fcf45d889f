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
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crm_core import validation as check
from crm_core.configs import config_from_dict, config_to_dict
from crm_core.filters import Filters
from crm_core.loyalty.config import ChurnDefinition, ClvConfig, RetentionScenario, StickinessConfig
from crm_core.notes import MeetingNotes
from crm_core.playbook.config import GuaranteeTargets
from crm_core.products.config import MAX_PRODUCTS, BenchmarkConfig, SizingConfig
from crm_core.segments.config import (
    CLUSTER_FEATURE_CHOICES,
    MAX_TIER_THRESHOLD,
    ClusterConfig,
    LifecycleConfig,
    RfmConfig,
    SuppressionConfig,
    TierConfig,
    ValueConfig,
)
from crm_core.staff.config import CUSTOMER_CENTRIC, DEPOSIT_SALES, INDICATOR_BY_NAME, PRESET_BY_KEY
from crm_core.targets import KpiTargets
from crm_core.view_choices import ProductTargets, ViewChoices
from crm_core.visits.config import OffCounterBenchmark, WhatIfInputs

if TYPE_CHECKING:  # annotations only
    from crm_core.messages import Term

SCENARIO_VERSION = 2
"""Version written by this code. Version 1 (the first release) had no clusters, CLV or retention settings."""

SCENARIO_FORMAT = "bank-crm-scenario"
"""The ``format`` marker of a scenario file: anything else is a foreign JSON file."""

DEFAULT_OFFERED: tuple[str, ...] = ("credit_card", "wealth_management", "funds", "insurance", "payroll_service")
"""Products offered in sizing and lead lists by default (value-mining products)."""


MAX_SCENARIO_FILE_BYTES = 256 * 1024
"""Largest scenario file (bytes, or characters of text) read; a real one is about 7 KB."""

MAX_SCENARIO_BYTES = MAX_SCENARIO_FILE_BYTES
"""Largest scenario a link may inflate to: the same limit as a file."""

MAX_NAME_LENGTH = 120
"""Longest scenario name, in characters."""

MAX_NOTE_LENGTH = 2_000
"""Longest scenario note, in characters."""

_FINGERPRINT = re.compile(r"[0-9A-Za-z_.:-]*")

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
    product_targets : ProductTargets
        Cross-sell target and the share of the product gap expected to close.
    views : ViewChoices
        Segment scheme, groupings and staff level the views show.
    guarantees : GuaranteeTargets
        Targets, owners and milestones of the guarantee measures (playbook, deck).
    meeting_notes : MeetingNotes
        A comment per finding or deck step, printed in the deck.
    targets : KpiTargets
        Plans per KPI for the bank, a branch or a relationship manager (target, month, owner).
    filters : Filters
        Branch, city, relationship manager, tier and as-of month every view, export and the playbook show.
    suppression : SuppressionConfig
        Smallest group any surface shows (smaller groups are suppressed, with complementary ones).
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
    product_benchmark: BenchmarkConfig = field(default_factory=lambda: BenchmarkConfig(kind="best_branch"))
    sizing: SizingConfig = field(default_factory=SizingConfig)
    offered_products: tuple[str, ...] = DEFAULT_OFFERED
    staff_weights: tuple[tuple[str, int], ...] = DEPOSIT_SALES.weights
    staff_baseline: str = DEPOSIT_SALES.key
    product_targets: ProductTargets = field(default_factory=ProductTargets)
    views: ViewChoices = field(default_factory=ViewChoices)
    guarantees: GuaranteeTargets = field(default_factory=GuaranteeTargets)
    suppression: SuppressionConfig = field(default_factory=SuppressionConfig)
    filters: Filters = field(default_factory=Filters)
    targets: KpiTargets = field(default_factory=KpiTargets)
    meeting_notes: MeetingNotes = field(default_factory=MeetingNotes)
    version: int = SCENARIO_VERSION

    def __post_init__(self) -> None:
        try:
            check.assign(self, **_checked_settings(self))
        except ScenarioError:
            raise
        except ValueError as error:
            raise ScenarioError(str(error)) from None

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
    "product_targets": ProductTargets,
    "views": ViewChoices,
    "guarantees": GuaranteeTargets,
    "suppression": SuppressionConfig,
    "filters": Filters,
    "targets": KpiTargets,
    "meeting_notes": MeetingNotes,
}
"""Scenario fields that hold a config, with its class."""


def _checked_settings(scenario: Scenario) -> dict[str, Any]:
    """The scenario's own settings (its configs check themselves), canonical; ``ValueError`` names a bad one."""
    if isinstance(scenario.name, str) and not scenario.name.strip():
        raise ScenarioError("a scenario needs a name")
    for name, kind in CONFIG_FIELDS.items():
        value = getattr(scenario, name)
        if not isinstance(value, kind):
            raise ScenarioError(f"{name} must be a {kind.__name__}, got {check.shown(value)}")
    unknown = [f for f in scenario.clusters.features if f not in CLUSTER_FEATURE_CHOICES]
    if unknown:
        raise ScenarioError(
            f"clusters: features must come from {', '.join(CLUSTER_FEATURE_CHOICES)}; got {check.shown(unknown[0])}"
        )
    created = check.text(scenario.created, "created", 40)
    if created:
        try:
            datetime.fromisoformat(created)
        except ValueError:
            raise ScenarioError(f"created must be an ISO 8601 time or empty, got {check.shown(created)}") from None
    fingerprint = check.text(scenario.fingerprint, "fingerprint", 128)
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ScenarioError(f"fingerprint must be letters, digits and . _ : - only, got {check.shown(fingerprint)}")
    offered = check.items(scenario.offered_products, "offered_products", 0, MAX_PRODUCTS)
    offered = tuple(check.code(p, f"offered_products[{i}]") for i, p in enumerate(offered))
    check.distinct(offered, "offered_products")
    weights = []
    for i, pair in enumerate(check.items(scenario.staff_weights, "staff_weights", 1, len(INDICATOR_BY_NAME))):
        indicator, weight = check.items(pair, f"staff_weights[{i}] (indicator, weight)", 2, 2)
        indicator = check.choice(indicator, f"staff_weights[{i}] indicator", INDICATOR_BY_NAME)
        weights.append((indicator, check.whole(weight, f"staff_weights[{i}] ({indicator}) weight in %", 0, 100)))
    check.distinct((n for n, _ in weights), "staff_weights indicators")
    if sum(w for _, w in weights) != 100:
        raise ScenarioError(
            f"staff weights must be non-negative whole percentages summing to 100, got {sum(w for _, w in weights)}"
        )
    return {
        "name": check.text(scenario.name, "name", MAX_NAME_LENGTH, required=True),
        "note": check.text(scenario.note, "note", MAX_NOTE_LENGTH, multiline=True),
        "fingerprint": fingerprint,
        "created": created,
        "offered_products": offered,
        "staff_weights": tuple(weights),
        "staff_baseline": check.choice(scenario.staff_baseline, "staff_baseline", PRESET_BY_KEY),
        "version": check.whole(scenario.version, "version", SCENARIO_VERSION, SCENARIO_VERSION),
    }


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
    CLV or retention settings; those take today's defaults. Its values are checked here as a
    new scenario's are (``ValueError`` naming the setting), before they are converted.
    """
    version = check.whole(data.get("version", 1), "version", 1, 10**6)
    if version > SCENARIO_VERSION:
        raise ScenarioError(
            f"this scenario was saved by a newer release (version {version}); this one reads up to {SCENARIO_VERSION}"
        )
    data = dict(data)
    if version == 1:
        wan = data.pop("tier_thresholds_wan", None)
        labels = data.pop("tier_labels", None)
        if (wan is not None or labels is not None) and "tiers" in data:
            raise ScenarioError("a version 1 scenario has tier_thresholds_wan and tier_labels, not tiers")
        tiers: dict[str, Any] = {"type": "TierConfig"}
        if wan is not None:
            wan = check.items(wan, "tier_thresholds_wan", 1, 5)
            highest = MAX_TIER_THRESHOLD / 1e4
            tiers["thresholds"] = [
                check.number(v, f"tier_thresholds_wan[{i}] (万 yuan)", 0, highest, low_open=True, high_open=True) * 1e4
                for i, v in enumerate(wan)
            ]
        if labels is not None:
            tiers["labels"] = check.items(labels, "tier_labels", 2, 6)
        if len(tiers) > 1:
            data["tiers"] = tiers
        data["version"] = SCENARIO_VERSION
    return data


def _scenario_values(data: dict[str, Any]) -> dict[str, Any]:
    """The ``Scenario`` arguments of a migrated scenario dict (configs built and checked)."""
    known = {f.name for f in fields(Scenario)}
    unknown = sorted(check.shown(k) if not isinstance(k, str) else k for k in set(data) - known)
    if unknown:
        raise ScenarioError(f"unknown settings in the scenario: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in CONFIG_FIELDS:
            if not isinstance(value, dict):
                raise ScenarioError(f"{name} must be an object of settings, got {check.shown(value)}")
            try:
                values[name] = config_from_dict(CONFIG_FIELDS[name], value)
            except ValueError as error:
                raise ScenarioError(f"{name}: {error}") from None
        elif name in ("offered_products", "staff_weights"):
            entries = check.items(value, name, 0, MAX_PRODUCTS)
            values[name] = tuple(tuple(v) if isinstance(v, list) else v for v in entries)
        else:
            values[name] = value
    return values


def scenario_from_dict(data: Any) -> Scenario:
    """Return the scenario in ``data`` (from ``scenario_to_dict``), migrated and validated.

    Every setting is checked as when a scenario is built in code (type, finite, range, allowed
    values, displayable text), after migration. Nothing but ``ScenarioError`` leaves this
    function, whatever ``data`` holds.

    Raises
    ------
    ScenarioError
        Not a scenario, from a newer release, or a setting out of range; the message names the
        setting and what it allows.
    """
    if not isinstance(data, dict):
        raise ScenarioError("a scenario file holds one JSON object")
    if data.get("format") != SCENARIO_FORMAT:
        raise ScenarioError(f'this JSON is not a scenario of this dashboard (expected "format": "{SCENARIO_FORMAT}")')
    try:
        data = _migrated({k: v for k, v in data.items() if k != "format"})
        return Scenario(**_scenario_values(data))
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError("not a scenario: the JSON is nested too deeply") from None
    except ValueError as error:  # a check's message names the setting and what it allows
        raise ScenarioError(check.clipped(str(error))) from None
    except (TypeError, KeyError, IndexError, AttributeError, ArithmeticError) as error:  # a kind no check expected
        raise ScenarioError(f"the scenario has an invalid setting: {check.clipped(str(error))}") from None


def scenario_from_json(text: str | bytes) -> Scenario:
    """Return the scenario saved by ``scenario_json``; refuse anything else with a clear message.

    Files over ``MAX_SCENARIO_FILE_BYTES`` (UTF-8 bytes of text) are refused unread.
    """
    if not isinstance(text, str | bytes | bytearray):
        raise ScenarioError(f"a scenario file is text or bytes, got {type(text).__name__}")
    size = len(text)
    if isinstance(text, str) and size <= MAX_SCENARIO_FILE_BYTES:
        size = len(text.encode("utf-8", "surrogatepass"))  # at most 1 MB to encode: cheap
    if size > MAX_SCENARIO_FILE_BYTES:
        raise ScenarioError(
            f"the scenario file is too large (over {MAX_SCENARIO_FILE_BYTES // 1024} KB); a scenario is a few KB"
        )
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ScenarioError(f"not a JSON file ({check.clipped(str(error))})") from None
    except RecursionError:
        raise ScenarioError("not a scenario: the JSON is nested too deeply") from None
    return scenario_from_dict(data)


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
    if not isinstance(token, str):
        raise ScenarioError(f"a link's scenario is text, got {type(token).__name__}")
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


PRESET_NAMES: frozenset[str] = frozenset({baseline_scenario().name, proposed_scenario().name})
"""Names of the built-in scenarios: a linked or uploaded scenario never takes one of them."""


def _name_key(name: str) -> str:
    """How two names are compared: ``Baseline  (current practice)``, full-width brackets and case alike."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def is_preset_name(name: str) -> bool:
    """Whether ``name`` is (or looks like) a built-in scenario's name.

    Examples
    --------
    >>> is_preset_name("baseline  (Current practice)")
    True
    """
    return _name_key(name) in {_name_key(preset) for preset in PRESET_NAMES}


def unique_name(name: str, taken: Iterable[str] = (), origin: str = "") -> str:
    """Return ``name``, or a variant no preset and no name in ``taken`` has (compared as ``is_preset_name`` does).

    A clash first tries ``name (origin)`` (e.g. the UI's translated "shared link"), then adds
    ``(2)``, ``(3)``, …; the result is at most ``MAX_NAME_LENGTH`` characters (``name`` is
    shortened to make room). Use it before saving a scenario from a link or a file, so that it
    neither poses as the baseline nor replaces a preset or a saved scenario.

    Examples
    --------
    >>> unique_name("Baseline (current practice)", origin="shared link")
    'Baseline (current practice) (shared link)'
    >>> unique_name("Q3 plan", ["Q3 plan", "Q3 plan (2)"])
    'Q3 plan (3)'
    >>> unique_name("Q3 plan", ["Other"])
    'Q3 plan'
    """
    used = {_name_key(preset) for preset in PRESET_NAMES} | {_name_key(t) for t in taken}
    base = name.strip() or "Scenario"
    stems = [f" ({origin})"] if origin else []
    for number in range(2, len(used) + 3):
        stems.append(f" ({origin}) ({number})" if origin else f" ({number})")
    for stem in ("", *stems):
        candidate = base[: MAX_NAME_LENGTH - len(stem)].rstrip() + stem
        if _name_key(candidate) not in used:
            return candidate
    raise AssertionError("unreachable: more candidates than names taken")


def scenario_term(name: str) -> Term | str:
    """Return a scenario's name as data: the built-in scenarios' names as catalog terms, a manager's as typed.

    Examples
    --------
    >>> scenario_term(proposed_scenario().name)
    Term(key='scenario_name_proposed')
    >>> scenario_term("Ningbo pilot")
    'Ningbo pilot'
    """
    from crm_core.messages import Term

    keys = {baseline_scenario().name: "scenario_name_baseline", proposed_scenario().name: "scenario_name_proposed"}
    return Term(keys[name]) if name in keys else name


def scenario_label(name: str, lang: str = "en") -> str:
    """Return a scenario's name in ``lang`` (a renderer at the edge: ``scenario_term`` rendered).

    Examples
    --------
    >>> scenario_label(proposed_scenario().name, "zh") != proposed_scenario().name
    True
    >>> scenario_label("Ningbo pilot", "zh")
    'Ningbo pilot'
    """
    from crm_core.messages import shown

    return str(shown(scenario_term(name), lang))
