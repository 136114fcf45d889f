"""Scenarios in the session: the saved set, the active one, and the mapping to widget keys.

A scenario is applied by writing its settings into the pages' widget keys before any page
runs (``apply_pending`` in ``app.py``), and captured by reading those keys back, falling back
to the active scenario for pages the manager has not opened. Everything lives in this
session's state; nothing is shared between sessions.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from crm_core import scenarios as sc
from crm_core.loyalty.config import STICKINESS_INDICATORS, ChurnDefinition, RetentionScenario, StickinessConfig
from crm_core.products.config import BenchmarkConfig
from crm_core.segments import tier_labels, weight_percentages
from crm_core.segments.config import VALUE_INDICATORS, ClusterConfig, RfmConfig, TierConfig, ValueConfig
from crm_core.staff.config import INDICATORS
from crm_core.visits.config import WhatIfInputs
from ui.i18n import LANG_CODES, current_lang, t
from ui.widgets import md

STORE_KEY = "scenarios_saved"
ACTIVE_KEY = "scenario_active"
PENDING_KEY = "_scenario_to_apply"
LINK_PARAM = "scenario"
LINK_APPLIED_KEY = "_scenario_link_applied"

# Widgets whose option labels follow the language keep their value under the base key and
# render under ``key__<lang>`` (see ui.widgets.translated_selectbox).
TRANSLATED = (
    "segments_tier_basis",
    "segments_value_normalisation",
    "segments_value_method",
    "segments_rfm_monetary",
    "loyalty_churn_kind",
    "products_benchmark",
)


def saved() -> dict[str, sc.Scenario]:
    """This session's saved scenarios by name (the two presets are always there)."""
    store = st.session_state.setdefault(STORE_KEY, {})
    for preset in (sc.baseline_scenario(), sc.proposed_scenario()):
        store.setdefault(preset.name, preset)
    return store


def active() -> sc.Scenario:
    """The scenario last applied in this session (the baseline at first)."""
    return st.session_state.get(ACTIVE_KEY) or saved()[sc.baseline_scenario().name]


def _state(key: str, default):
    return st.session_state.get(key, default)


def _ordered(chosen: dict, base: tuple) -> tuple:
    """Weights in the base scenario's order; new indicators after them, zero ones only if the base had them."""
    names = [name for name, _ in base]
    kept = [(name, chosen[name]) for name in names if name in chosen]
    return tuple(kept + [(name, value) for name, value in chosen.items() if name not in names and value])


def captured(name: str | None = None, note: str | None = None) -> sc.Scenario:
    """The current settings of every page as a scenario (unvisited pages keep the active scenario's)."""
    base = active()
    state = st.session_state
    tiers = base.tiers
    count = int(_state("segments_tier_count", 0) or 0)
    if count:
        try:
            labels = tuple(str(state[f"segments_label_{i}"]) for i in range(count))
            if labels == tier_labels(base.tiers, current_lang()):
                labels = base.tiers.labels  # a preset's names shown in the session's language are still its names
            tiers = TierConfig(
                tuple(float(state[f"segments_threshold_{i}"]) * 1e4 for i in range(count - 1)),
                labels,
                _state("segments_tier_basis", base.tiers.basis),
            )
        except (KeyError, ValueError):
            tiers = base.tiers
    value_weights = {k.removeprefix("segments_weight_"): float(v) for k, v in state.items()
                     if isinstance(k, str) and k.startswith("segments_weight_")}  # fmt: skip
    value = ValueConfig(
        weights=_ordered(value_weights, base.value.weights) or base.value.weights,
        normalisation=_state("segments_value_normalisation", base.value.normalisation),
        method=_state("segments_value_method", base.value.method),
    )
    stickiness_weights = {k.removeprefix("loyalty_weight_"): float(v) for k, v in state.items()
                          if isinstance(k, str) and k.startswith("loyalty_weight_")}  # fmt: skip
    staff_weights = {k.removeprefix("staff_weight_"): int(v) for k, v in state.items()
                     if isinstance(k, str) and k.startswith("staff_weight_")}  # fmt: skip
    features = tuple(_state("segments_cluster_features", base.clusters.features))
    scenario = replace(
        base,
        tiers=tiers,
        value=value,
        rfm=RfmConfig(monetary=_state("segments_rfm_monetary", base.rfm.monetary), segments=base.rfm.segments),
        clusters=ClusterConfig(
            features=features if len(features) >= 2 else base.clusters.features,
            k=int(_state("segments_cluster_k", base.clusters.k)),
        ),
        stickiness=StickinessConfig(weights=_ordered(stickiness_weights, base.stickiness.weights))
        if stickiness_weights
        else base.stickiness,
        churn=ChurnDefinition(
            kind=_state("loyalty_churn_kind", base.churn.kind),
            inactive_months=int(_state("loyalty_inactive_months", base.churn.inactive_months)),
            aum_drop=_state("loyalty_aum_drop", base.churn.aum_drop * 100) / 100,
        ),
        clv=replace(base.clv, discount_rate=_state("loyalty_discount_rate", base.clv.discount_rate * 100) / 100),
        retention=RetentionScenario(
            _state("loyalty_retained_share", base.retention.retained_share * 100) / 100,
            tuple(_state("loyalty_what_if_segments", base.retention.segments)),
            tuple(_state("loyalty_what_if_bands", base.retention.bands)),
        ),
        visits_what_if=WhatIfInputs(
            tuple(_state("visits_what_if_segments", base.visits_what_if.segments)),
            float(_state("visits_adoption_pp", base.visits_what_if.adoption_increase_pp)),
            float(_state("visits_substitution_factor", base.visits_what_if.substitution_factor)),
            float(_state("visits_per_teller", base.visits_what_if.transactions_per_teller_month)),
        ),
        product_benchmark=BenchmarkConfig(kind=_state("products_benchmark", base.product_benchmark.kind)),
        sizing=_state("products_sizing", base.sizing),
        offered_products=tuple(_state("products_offered", base.offered_products)),
        staff_weights=_ordered(staff_weights, base.staff_weights)
        if sum(staff_weights.values()) == 100
        else base.staff_weights,
        staff_baseline=_state("staff_baseline", base.staff_baseline),
    )
    if name is not None:
        scenario = scenario.renamed(name, note)
    return scenario


def widget_values(scenario: sc.Scenario, lang: str = "en") -> dict[str, object]:
    """The widget keys and values that reproduce a scenario on every page.

    A preset's tier names are shown in the session's language (``crm_core.segments.tier_labels``).
    """
    values: dict[str, object] = {
        "segments_tier_count": len(scenario.tiers.labels),
        "segments_tier_basis": scenario.tiers.basis,
        "segments_value_normalisation": scenario.value.normalisation,
        "segments_value_method": scenario.value.method,
        "segments_rfm_monetary": scenario.rfm.monetary,
        "segments_cluster_features": list(scenario.clusters.features),
        "segments_cluster_k": scenario.clusters.k,
        "loyalty_churn_kind": scenario.churn.kind,
        "loyalty_inactive_months": scenario.churn.inactive_months,
        "loyalty_aum_drop": round(scenario.churn.aum_drop * 100),
        "loyalty_discount_rate": round(scenario.clv.discount_rate * 100),
        "loyalty_retained_share": round(scenario.retention.retained_share * 100),
        "loyalty_what_if_segments": list(scenario.retention.segments),
        "loyalty_what_if_bands": list(scenario.retention.bands),
        "visits_what_if_segments": list(scenario.visits_what_if.segments),
        "visits_adoption_pp": round(scenario.visits_what_if.adoption_increase_pp),
        "visits_substitution_factor": scenario.visits_what_if.substitution_factor,
        "visits_per_teller": round(scenario.visits_what_if.transactions_per_teller_month),
        "products_benchmark": scenario.product_benchmark.kind,
        "products_offered": list(scenario.offered_products),
        "products_sizing": scenario.sizing,
        "staff_baseline": scenario.staff_baseline,
    }
    for i, threshold in enumerate(scenario.tiers.thresholds):
        values[f"segments_threshold_{i}"] = threshold / 1e4
    for i, label in enumerate(tier_labels(scenario.tiers, lang)):
        values[f"segments_label_{i}"] = label
    # Every indicator gets a value (0 when the scenario does not weight it), so no slider falls back to a
    # page default and the weights always total 100.
    for prefix, names, weights in (
        ("segments_weight_", VALUE_INDICATORS, weight_percentages(dict(scenario.value.weights))),
        ("loyalty_weight_", STICKINESS_INDICATORS, weight_percentages(dict(scenario.stickiness.weights))),
        ("staff_weight_", tuple(i.name for i in INDICATORS), dict(scenario.staff_weights)),
    ):
        for name in names:
            values[f"{prefix}{name}"] = int(weights.get(name, 0))
    return values


def request(scenario: sc.Scenario) -> None:
    """Ask for a scenario to be applied at the start of the next run (safe from any callback)."""
    st.session_state[PENDING_KEY] = scenario


def apply_pending() -> None:
    """Apply a requested scenario, or one in the link (``?scenario=``), before any widget exists.

    Called by ``app.py`` before the sidebar widgets. Prefixed weight keys are cleared first so a
    scenario without an indicator does not inherit the previous slider.
    """
    token = st.query_params.get(LINK_PARAM)
    if token and st.session_state.get(LINK_APPLIED_KEY) != token:
        st.session_state[LINK_APPLIED_KEY] = token
        try:
            request(sc.scenario_from_token(token))
        except sc.ScenarioError as error:
            st.session_state["_scenario_link_error"] = str(error)
    scenario = st.session_state.pop(PENDING_KEY, None)
    if scenario is None:
        return
    state = st.session_state
    for key in [k for k in state if isinstance(k, str)]:
        if key.startswith(("segments_weight_", "loyalty_weight_", "staff_weight_", "segments_threshold_",
                           "segments_label_", "_segments_weight_", "_loyalty_weight_", "_staff_weight_",
                           "products_economics")):  # fmt: skip
            del state[key]
        if any(key == f"{base}__{lang}" for base in TRANSLATED for lang in LANG_CODES.values()):
            del state[key]
    for key, value in widget_values(scenario, current_lang()).items():
        state[key] = value
    state.pop("staff_preset", None)
    state[ACTIVE_KEY] = scenario
    saved().setdefault(scenario.name, scenario)


def seed_widgets() -> None:
    """Give every scenario widget the active scenario's value unless the manager has set it (each run)."""
    for key, value in widget_values(active(), current_lang()).items():
        st.session_state.setdefault(key, value)


def is_modified() -> bool:
    """Whether the current settings differ from the active scenario."""
    current, reference = captured(), active()
    return replace(current, created="", fingerprint="") != replace(reference, created="", fingerprint="")


def sidebar_panel() -> None:
    """The active scenario in the sidebar, on every page."""
    scenario = active()
    st.sidebar.markdown(f"**{t('scenario')}**")
    modified = t("scenario_modified") if is_modified() else ""
    st.sidebar.caption(f"{md(scenario.name)}{modified}")
    error = st.session_state.pop("_scenario_link_error", None)
    if error:
        st.sidebar.error(t("link_refused", error=error))


def save_current() -> None:
    """Button callback: save the current settings under the typed name."""
    from ui import data

    name = str(st.session_state.get("scenarios_new_name", "")).strip()
    if not name:
        st.session_state["_scenario_message"] = ("error", t("scenario_need_name"))
        return
    try:
        scenario = captured(name, st.session_state.get("scenarios_new_note", ""))
    except sc.ScenarioError as error:
        st.session_state["_scenario_message"] = ("error", str(error))
        return
    saved()[name] = scenario.stamped(data.active_dataset().fingerprint)
    st.session_state[ACTIVE_KEY] = saved()[name]
    st.session_state["scenarios_selected"] = name
    st.session_state["_scenario_message"] = ("success", t("scenario_saved", name=name))


def load_selected() -> None:
    """Button callback: apply the selected scenario on every page."""
    request(saved()[st.session_state["scenarios_selected"]])
    st.session_state["_scenario_message"] = (
        "success",
        t("scenario_loaded", name=st.session_state["scenarios_selected"]),
    )


def duplicate_selected() -> None:
    """Button callback: copy the selected scenario under a free name."""
    store, name = saved(), st.session_state["scenarios_selected"]
    copy, n = f"{name} ({t('copy')})", 2
    while copy in store:
        copy, n = f"{name} ({t('copy')} {n})", n + 1
    store[copy] = store[name].renamed(copy)
    st.session_state["scenarios_selected"] = copy


def rename_selected() -> None:
    """Button callback: rename the selected scenario."""
    store, name = saved(), st.session_state["scenarios_selected"]
    new = str(st.session_state.get("scenarios_rename_to", "")).strip()
    if not new or new in store:
        st.session_state["_scenario_message"] = ("error", t("scenario_bad_rename"))
        return
    store[new] = store.pop(name).renamed(new)
    if active().name == name:
        st.session_state[ACTIVE_KEY] = store[new]
    st.session_state["scenarios_selected"] = new


def delete_selected() -> None:
    """Button callback: delete the selected scenario (the presets come back on the next run)."""
    name = st.session_state["scenarios_selected"]
    saved().pop(name, None)
    st.session_state.pop("scenarios_selected", None)
    st.session_state["_scenario_message"] = ("success", t("scenario_deleted", name=name))


def add_uploaded(upload) -> str | None:
    """Validate an uploaded scenario JSON and add it; return the error message, if any."""
    try:
        scenario = sc.scenario_from_json(upload.getvalue())
    except sc.ScenarioError as error:
        return t("scenario_refused", name=upload.name, error=str(error))
    saved()[scenario.name] = scenario
    return None


def flash() -> None:
    """Show (once) the message a callback left."""
    message = st.session_state.pop("_scenario_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])


def share_link(scenario: sc.Scenario) -> str:
    """A link that reproduces the settings (never customer data): the app's address plus ``?scenario=``."""
    base = (st.context.url or "http://localhost:8501").split("?")[0]
    return f"{base}?{LINK_PARAM}={sc.scenario_token(scenario)}"
