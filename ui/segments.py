"""Streamlit adapter of the Segments page: cached per-dataset inputs, scheme controls, label names.

Per-dataset work (profile inputs, the normalised value matrix, tier basis values, RFM scores,
clusters) is cached by fingerprint; a slider move only re-cuts integer codes and re-aggregates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import segments as seg
from crm_core.prepare import PreparedDataset
from ui.i18n import current_lang, money, t
from ui.widgets import translated_selectbox, weight_sliders

BASES = ("current", "3m", "6m", "12m")


@st.cache_resource(max_entries=4, show_spinner=False)
def _inputs(fingerprint: str, _prepared: PreparedDataset) -> seg.ProfileInputs:
    return seg.profile_inputs(_prepared)


@st.cache_resource(max_entries=8, show_spinner=False)
def _tier_values(fingerprint: str, basis: str, _prepared: PreparedDataset):
    return seg.tier_basis_values(_prepared.customers, seg.TierConfig(basis=basis))


@st.cache_resource(max_entries=8, show_spinner=False)
def _value_matrix(fingerprint: str, normalisation: str, _prepared: PreparedDataset) -> seg.ValueMatrix:
    return seg.value_matrix(_prepared, normalisation)


@st.cache_resource(max_entries=4, show_spinner=False)
def _rfm_scores(fingerprint: str, monetary: str, _prepared: PreparedDataset) -> pd.DataFrame:
    return seg.rfm_scores(_prepared, seg.RfmConfig(monetary=monetary))


@st.cache_resource(max_entries=8, show_spinner=True)
def _clusters(fingerprint: str, config: seg.ClusterConfig, _prepared: PreparedDataset) -> seg.ClusterResult:
    return seg.customer_clusters(_prepared, config)


@st.cache_data(max_entries=8, show_spinner=False)
def _silhouettes(fingerprint: str, features: tuple[str, ...], _prepared: PreparedDataset) -> pd.DataFrame:
    return seg.silhouette_scores(_prepared, seg.ClusterConfig(features=features))


@st.cache_resource(max_entries=4, show_spinner=False)
def _lifecycle(fingerprint: str, _prepared: PreparedDataset) -> seg.Segmentation:
    return seg.lifecycle_stages(_prepared, seg.LifecycleConfig())


def profile_inputs(prepared: PreparedDataset) -> seg.ProfileInputs:
    """Per-dataset profile inputs."""
    return _inputs(prepared.fingerprint, prepared)


def availability(prepared: PreparedDataset) -> pd.DataFrame:
    """Which schemes this dataset supports, and why not."""
    return seg.scheme_availability(prepared)


# --- tiers ------------------------------------------------------------------------------------


def _apply_preset() -> None:
    """Preset change callback: copy its thresholds (in 万) and labels into the editable inputs."""
    lang = current_lang()
    preset = seg.tier_preset(st.session_state["segments_tier_preset"], lang)
    st.session_state["segments_tier_count"] = len(preset.labels)
    for i, threshold in enumerate(preset.thresholds):
        st.session_state[f"segments_threshold_{i}"] = threshold / 1e4
    for i, label in enumerate(preset.labels):
        st.session_state[f"segments_label_{i}"] = label


def tier_controls() -> tuple[seg.TierConfig, seg.TierConfig] | str:
    """Preset, basis, tier count, thresholds (万) and labels. Returns (current, baseline) or an error."""
    if "segments_tier_preset" not in st.session_state:
        st.session_state["segments_tier_preset"] = "default"
        if "segments_tier_count" not in st.session_state:
            _apply_preset()
    preset_col, basis_col, count_col = st.columns(3)
    preset_col.selectbox(
        t("tier_preset"),
        seg.TIER_PRESETS,
        key="segments_tier_preset",
        on_change=_apply_preset,
        format_func=lambda name: t(f"preset_{name}"),
    )
    basis = translated_selectbox(basis_col, t("tier_basis"), BASES, "segments_tier_basis", lambda b: t(f"basis_{b}"))
    count = count_col.number_input(t("tier_count"), min_value=2, max_value=6, step=1, key="segments_tier_count")
    baseline = seg.tier_preset(st.session_state["segments_tier_preset"], current_lang(), basis)
    thresholds, labels = [], []
    columns = st.columns(int(count))
    for i in range(int(count)):
        default_label = baseline.labels[i] if i < len(baseline.labels) else f"tier {i + 1}"
        st.session_state.setdefault(f"segments_label_{i}", default_label)
        labels.append(columns[i].text_input(t("tier_label", n=i + 1), key=f"segments_label_{i}"))
        if i < count - 1:
            default = baseline.thresholds[i] / 1e4 if i < len(baseline.thresholds) else 1000.0 * (i + 1)
            st.session_state.setdefault(f"segments_threshold_{i}", default)
            value = columns[i].number_input(
                t("tier_upper", label=labels[-1] or "…"),
                min_value=0.01,
                step=1.0,
                format="%.2f",
                key=f"segments_threshold_{i}",
            )
            thresholds.append(float(value) * 1e4)
    try:
        current = seg.TierConfig(thresholds=tuple(thresholds), labels=tuple(labels), basis=basis)
    except ValueError as error:
        return t("tier_invalid", error=str(error))
    # The baseline keeps the current labels so migration shows moves, not renames.
    if len(baseline.thresholds) == len(current.thresholds):
        baseline = seg.TierConfig(thresholds=baseline.thresholds, labels=current.labels, basis=basis)
    else:
        baseline = current
    return current, baseline


def tier_segmentation(prepared: PreparedDataset, config: seg.TierConfig) -> seg.Segmentation:
    """Tiers from cached basis values: a threshold move is one ``searchsorted``."""
    values, notes = _tier_values(prepared.fingerprint, config.basis, prepared)
    return seg.Segmentation(seg.tier_codes_of(values, config.thresholds), config.labels, notes)


# --- value score ------------------------------------------------------------------------------


def value_controls(prepared: PreparedDataset) -> tuple[seg.ValueMatrix, seg.ValueConfig, seg.ValueConfig]:
    """Normalisation, class method and weight sliders that always sum to 100%."""
    norm_col, method_col = st.columns(2)
    normalisation = translated_selectbox(
        norm_col,
        t("normalisation"),
        ("percentile", "minmax"),
        "segments_value_normalisation",
        lambda m: t(f"norm_{m}"),
    )
    method = translated_selectbox(
        method_col, t("value_method"), ("cutoffs", "top_shares"), "segments_value_method", lambda m: t(f"method_{m}")
    )
    matrix = _value_matrix(prepared.fingerprint, normalisation, prepared)
    baseline = seg.ValueConfig(normalisation=normalisation, method=method)
    names = tuple(matrix.indicators)
    defaults = seg.weight_percentages({n: w for n, w in baseline.weights if n in names})
    chosen = weight_sliders(names, defaults, "segments_weight_", lambda name: t(f"indicator_{name}"))
    weights = tuple((name, float(value)) for name, value in chosen.items())
    return matrix, seg.ValueConfig(weights=weights, normalisation=normalisation, method=method), baseline


# --- labels -----------------------------------------------------------------------------------


def display_labels(scheme: str, labels: tuple[str, ...], clusters: seg.ClusterResult | None = None) -> tuple[str, ...]:
    """Group names in the session's language (tier labels are the user's own)."""
    lang = current_lang()
    if scheme == "value" or scheme == "rfm":
        return tuple(t(f"{scheme}_{label}") for label in labels)
    if scheme == "lifecycle":
        return tuple(seg.LIFECYCLE_NAMES.get(label, {}).get(lang, label) for label in labels)
    if scheme == "clusters" and clusters is not None:
        return tuple(f"{t('cluster_n', n=i + 1)}: {phrase}" for i, phrase in enumerate(clusters.descriptions[lang]))
    return labels


def rfm_segmentation(prepared: PreparedDataset, monetary: str) -> seg.Segmentation:
    """RFM segments from cached scores."""
    return seg.rfm_segments(_rfm_scores(prepared.fingerprint, monetary, prepared), seg.RfmConfig(monetary=monetary))


def cluster_result(prepared: PreparedDataset, features: tuple[str, ...], k: int) -> seg.ClusterResult:
    """Fitted clusters, cached per dataset, features and k."""
    return _clusters(prepared.fingerprint, seg.ClusterConfig(features=features, k=k), prepared)


def silhouettes(prepared: PreparedDataset, features: tuple[str, ...]) -> pd.DataFrame:
    """Silhouette score per k on a seeded sample, cached."""
    return _silhouettes(prepared.fingerprint, features, prepared)


def profile_display(profiles: pd.DataFrame, labels: tuple[str, ...]) -> pd.DataFrame:
    """The profile table with translated headers and suppressed groups shown as such."""
    shown = profiles.copy()
    names = dict(enumerate(labels))
    shown["group"] = [names.get(code, t("not_assigned")) for code in shown["code"]]
    shown["aum"] = [money(v) for v in shown["aum"]]
    for column in ("average_aum", "median_aum"):
        shown[column] = [money(v) if np.isfinite(v) else t("suppressed") for v in shown[column]]
    columns = ["group", "customers", "customer_share", "aum", "aum_share", *seg.PROFILE_MEASURES]
    indexes = [f"{m}_index" for m in seg.PROFILE_MEASURES if m not in ("average_aum", "median_aum")]
    return shown[columns + indexes].rename(columns={c: t(f"profile_{c}") for c in columns + indexes})


SHARE_COLUMNS = ("customer_share", "aum_share", "digital_active_share", "counter_trend", "churn_rate", "payroll_share")


def profile_column_config() -> dict:
    """Shares as percentages, indexes and counts as whole numbers."""
    config = {t(f"profile_{c}"): st.column_config.NumberColumn(format="percent") for c in SHARE_COLUMNS}
    config.update({t(f"profile_{m}_index"): st.column_config.NumberColumn(format="%.0f") for m in seg.PROFILE_MEASURES})
    config[t("profile_products_per_customer")] = st.column_config.NumberColumn(format="%.2f")
    config[t("profile_average_age")] = st.column_config.NumberColumn(format="%.1f")
    return config


GROUPINGS = ("tiers", "value", "lifecycle")


def session_tier_config(prepared: PreparedDataset) -> seg.TierConfig:
    """The tiers the manager set on the Segments page this session, else the default preset."""
    state = st.session_state
    count = int(state.get("segments_tier_count", 0) or 0)
    try:
        if count:
            thresholds = tuple(float(state[f"segments_threshold_{i}"]) * 1e4 for i in range(count - 1))
            labels = tuple(str(state[f"segments_label_{i}"]) for i in range(count))
            return seg.TierConfig(thresholds, labels, state.get("segments_tier_basis", "current"))
    except (KeyError, ValueError):
        pass
    return seg.tier_preset("default", current_lang())


def grouping(prepared: PreparedDataset, kind: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and display labels of a grouping other pages break their figures down by."""
    if kind == "value":
        matrix = _value_matrix(prepared.fingerprint, "percentile", prepared)
        segmentation = seg.value_segments(matrix, seg.ValueConfig())
    elif kind == "lifecycle":
        segmentation = _lifecycle(prepared.fingerprint, prepared)
    else:
        segmentation = tier_segmentation(prepared, session_tier_config(prepared))
    return segmentation.codes, display_labels(kind, segmentation.labels)


def grouping_select(key: str, container=st) -> str:
    """Which grouping to break down by (tiers follow the Segments page's settings)."""
    return translated_selectbox(container, t("group_by"), GROUPINGS, key, lambda g: t(f"scheme_{g}"))
