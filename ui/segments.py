"""Streamlit adapter of the Segments page: cached per-dataset inputs, scheme controls, label names.

Per-dataset work (profile inputs, the normalised value matrix, tier basis values, RFM scores,
clusters) is cached by fingerprint; a slider move only re-cuts integer codes and re-aggregates.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import formatting
from crm_core import scenarios as sc
from crm_core import segments as seg
from crm_core.messages import Message
from crm_core.messages import names as names_in
from crm_core.prepare import PreparedDataset
from crm_core.segments.charts import migration_heatmap, profile_index_figure, silhouette_figure
from crm_core.view_choices import GROUPINGS
from ui import data, settings
from ui.i18n import count, current_lang, money, percent, say, t, translate
from ui.widgets import chart, md, plot, with_gaps_named

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
def _lifecycle(fingerprint: str, config: seg.LifecycleConfig, _prepared: PreparedDataset) -> seg.Segmentation:
    return seg.lifecycle_stages(_prepared, config)


def sources(prepared: PreparedDataset) -> seg.SegmentSources:
    """The view's per-dataset inputs from this module's caches (a threshold move re-cuts codes only)."""
    fp = prepared.fingerprint
    return seg.SegmentSources(
        inputs=lambda: _inputs(fp, prepared),
        tier_values=lambda basis: _tier_values(fp, basis, prepared),
        value_matrix=lambda normalisation: _value_matrix(fp, normalisation, prepared),
        rfm_scores=lambda monetary: _rfm_scores(fp, monetary, prepared),
        clusters=lambda config: _clusters(fp, config, prepared),
        silhouettes=lambda features: _silhouettes(fp, features, prepared),
        lifecycle=lambda config: _lifecycle(fp, config, prepared),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _view(fingerprint: str, settings_key: str, _prepared: PreparedDataset, _settings) -> seg.SegmentsView | None:
    return seg.segments_view(_prepared, _settings, sources(_prepared))


def view(prepared: PreparedDataset, scenario: sc.Scenario) -> seg.SegmentsView | None:
    """The Segments view under the scenario's segmentation settings, computed once per (dataset, settings).

    The page reads it as is, in any language: switching language recomputes nothing.
    """
    segment_settings = seg.SegmentSettings.of(scenario)
    key = hashlib.sha256(repr(segment_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, key, prepared, segment_settings)


def tier_view(prepared: PreparedDataset, scenario: sc.Scenario) -> seg.SegmentsView | None:
    """The Segments view of the scenario's tiers (what the deck reports), whatever scheme the page shows."""
    segment_settings = seg.SegmentSettings.of(scenario).with_scheme("tiers")
    key = hashlib.sha256(repr(segment_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, key, prepared, segment_settings)


def profile_inputs(prepared: PreparedDataset) -> seg.ProfileInputs:
    """Per-dataset profile inputs."""
    return _inputs(prepared.fingerprint, prepared)


def availability(prepared: PreparedDataset) -> pd.DataFrame:
    """Which schemes this dataset supports, and why not."""
    return seg.scheme_availability(prepared)


# --- tiers ------------------------------------------------------------------------------------


THRESHOLD_SCALES = {"en": 1e-3, "zh": 1e-4}
"""A tier bound is typed in thousands of yuan in English (¥K) and in 万 in Chinese."""


def _threshold_setting(i: int) -> settings.Setting:
    """The lower bound of tier ``i + 1``, shown in ¥K (English) or 万 (Chinese); the key carries the language."""
    return settings.Setting(
        ("tiers", "thresholds", i), scale=THRESHOLD_SCALES[current_lang()], shown=float, translated=True
    )


def _tiers_resized(tiers: seg.TierConfig, count: int) -> seg.TierConfig:
    """Tiers with ``count`` groups: extra ones start at ten times the last bound, removed ones drop off the top."""
    thresholds, labels = list(tiers.thresholds), list(tiers.labels)
    while len(labels) < count:
        thresholds.append(thresholds[-1] * 10)
        labels.append(f"tier {len(labels) + 1}")
    return seg.TierConfig(tuple(thresholds[: count - 1]), tuple(labels[:count]), tiers.basis)


def _commit_preset(key: str) -> None:
    name = st.session_state[key]
    if name in seg.TIER_PRESETS:
        settings.commit(lambda s: replace(s, tiers=seg.tier_preset(name, s.tiers.basis)))


def _commit_count(key: str) -> None:
    settings.commit(lambda s: replace(s, tiers=_tiers_resized(s.tiers, int(st.session_state[key]))))


def _commit_label(i: int, key: str) -> None:
    def change(scenario):
        labels = list(names_in(seg.tier_terms(scenario.tiers), current_lang()))
        labels[i] = str(st.session_state[key]).strip()
        # A preset's names typed back in either language stay the preset's names.
        canonical = seg.canonical_tier_labels(tuple(labels))
        return replace(scenario, tiers=replace(scenario.tiers, labels=canonical))

    settings.commit(change)


def tier_controls() -> None:
    """Preset, basis, tier count, names and lower bounds (万), as views of the scenario's tiers."""
    lang = current_lang()
    preset_col, basis_col, count_col = st.columns(3)
    tiers = settings.active().tiers
    preset_key = f"tiers.preset@{lang}"
    st.session_state[preset_key] = seg.matching_tier_preset(tiers) or "custom"
    preset_col.selectbox(
        t("tier_preset"), (*seg.TIER_PRESETS, "custom"), key=preset_key, on_change=_commit_preset,
        args=(preset_key,), format_func=lambda name: translate(f"preset_{name}", lang),
    )  # fmt: skip
    settings.control(basis_col.selectbox, "tier_basis", t("tier_basis"), BASES, format_func=lambda b: t(f"basis_{b}"))
    st.session_state["tiers.count"] = len(tiers.labels)
    count_col.number_input(
        t("tier_count"), min_value=2, max_value=6, step=1, key="tiers.count", on_change=_commit_count,
        args=("tiers.count",),
    )  # fmt: skip
    labels = names_in(seg.tier_terms(tiers), lang)
    symbol = formatting.currency_symbol(data.currency())  # bounds in the data's currency: ¥K, €K, ₹K
    columns = st.columns(len(labels))
    for i, column in enumerate(columns):
        key = f"tiers.labels.{i}@{lang}"
        st.session_state[key] = labels[i]
        column.text_input(t("tier_label", n=i + 1), key=key, on_change=_commit_label, args=(i, key), max_chars=40)
        if i:  # the bound that starts this tier sits under its name
            settings.control(
                column.number_input, _threshold_setting(i - 1), t("tier_from", label=md(labels[i]), symbol=symbol),
                min_value=0.01, step=10.0 if lang == "en" else 1.0, format="%.2f",
            )  # fmt: skip


def tier_segmentation(prepared: PreparedDataset, config: seg.TierConfig) -> seg.Segmentation:
    """Tiers from cached basis values: a threshold move is one ``searchsorted``."""
    values, notes = _tier_values(prepared.fingerprint, config.basis, prepared)
    return seg.Segmentation(seg.tier_codes_of(values, config.thresholds), config.labels, notes)


# --- value score ------------------------------------------------------------------------------


def value_controls(prepared: PreparedDataset) -> None:
    """Normalisation, class method and weight sliders that always sum to 100%, as views of the scenario."""
    norm_col, method_col = st.columns(2)
    settings.control(
        norm_col.selectbox, "value_normalisation", t("normalisation"), ("percentile", "minmax"),
        format_func=lambda m: t(f"norm_{m}"),
    )  # fmt: skip
    settings.control(
        method_col.selectbox, "value_method", t("value_method"), ("cutoffs", "top_shares"),
        format_func=lambda m: t(f"method_{m}"),
    )  # fmt: skip
    matrix = value_matrix(prepared)
    names = tuple(matrix.indicators)
    settings.weight_controls(("value", "weights"), names, lambda name: t(f"indicator_{name}"))


def value_matrix(prepared: PreparedDataset) -> seg.ValueMatrix:
    """The normalised value indicators under the scenario's normalisation, cached per dataset."""
    return _value_matrix(prepared.fingerprint, settings.active().value.normalisation, prepared)


# --- labels -----------------------------------------------------------------------------------


def display_labels(scheme: str, labels: tuple[str, ...], clusters: seg.ClusterResult | None = None) -> tuple[str, ...]:
    """Group names in the session's language (tier labels are the user's own)."""
    lang = current_lang()
    if scheme == "value" or scheme == "rfm":
        return tuple(t(f"{scheme}_{label}") for label in labels)
    if scheme == "lifecycle":
        stages = {
            "prospect": t("lifecycle_prospect"),
            "formation": t("lifecycle_formation"),
            "stable": t("lifecycle_stable"),
            "decline": t("lifecycle_decline"),
        }
        return tuple(stages.get(label, label) for label in labels)
    if scheme == "clusters" and clusters is not None and clusters.structured:
        return tuple(f"{t('cluster_n', n=i + 1)}: {say(phrase)}" for i, phrase in enumerate(clusters.descriptions))
    if scheme == "clusters":  # no strong natural groups: numbered, not named
        return tuple(t("cluster_n", n=i + 1) for i in range(len(labels)))
    return names_in(seg.tier_terms(labels), lang)


def rfm_segmentation(prepared: PreparedDataset, monetary: str) -> seg.Segmentation:
    """RFM segments from cached scores."""
    return seg.rfm_segments(_rfm_scores(prepared.fingerprint, monetary, prepared), seg.RfmConfig(monetary=monetary))


def cluster_result(prepared: PreparedDataset, features: tuple[str, ...], k: int) -> seg.ClusterResult:
    """Fitted clusters, cached per dataset, features and k."""
    return _clusters(prepared.fingerprint, seg.ClusterConfig(features=features, k=k), prepared)


def silhouettes(prepared: PreparedDataset, features: tuple[str, ...]) -> pd.DataFrame:
    """Silhouette score per k on a seeded sample, cached."""
    return _silhouettes(prepared.fingerprint, features, prepared)


def profile_display(profiles: pd.DataFrame) -> pd.DataFrame:
    """The profile table with translated headers; the suppressed row shows only its customers and AUM."""
    shown = profiles.copy()
    shown["aum"] = [money(v) for v in shown["aum"]]
    for column in ("average_aum", "median_aum"):
        shown[column] = [money(v) if np.isfinite(v) else "" for v in shown[column]]
    columns = ["group", "customers", "customer_share", "aum", "aum_share", *seg.PROFILE_MEASURES]
    indexes = [f"{m}_index" for m in seg.PROFILE_MEASURES if m not in ("average_aum", "median_aum")]
    money_columns = ("average_aum", "median_aum")
    numbers = ["customer_share", "aum_share", *(m for m in seg.PROFILE_MEASURES if m not in money_columns), *indexes]
    for column in numbers:
        shown[column] = pd.to_numeric(shown[column], errors="coerce").astype("float64")
    shown = with_gaps_named(shown, PROFILE_DECIMALS, SHARE_COLUMNS)  # the grid shows a missing number as "None"
    return shown[columns + indexes].rename(columns={c: t(f"profile_{c}") for c in columns + indexes})


SHARE_COLUMNS = ("customer_share", "aum_share", "digital_active_share", "counter_trend", "churn_rate", "payroll_share")
PROFILE_DECIMALS = {"products_per_customer": 2, "average_age": 1}
"""Decimals of the profile measures that are neither shares nor money (indexes are whole numbers)."""


def profile_column_config() -> dict:
    """Shares as percentages, indexes and counts as whole numbers."""
    config = {t(f"profile_{c}"): st.column_config.NumberColumn(format="percent") for c in SHARE_COLUMNS}
    config.update({t(f"profile_{m}_index"): st.column_config.NumberColumn(format="%.0f") for m in seg.PROFILE_MEASURES})
    config[t("profile_products_per_customer")] = st.column_config.NumberColumn(format="%.2f")
    config[t("profile_average_age")] = st.column_config.NumberColumn(format="%.1f")
    return config


# --- page sections ----------------------------------------------------------------------------


def _use_data_bounds(bounds: tuple[float, ...]) -> None:
    def change(scenario):
        labels = seg.tier_preset("default").labels[: len(bounds) + 1]
        return replace(scenario, tiers=seg.TierConfig(bounds, labels, scenario.tiers.basis))

    settings.commit(change)


def data_following_bounds(view: seg.SegmentsView) -> None:
    """When the tiers put almost everyone in one tier (another currency, a stand-in measure), offer data bounds."""
    if not view.data_bounds:
        return
    shown = " / ".join(money(b) for b in view.data_bounds)
    st.warning(
        t("tiers_concentrated", share=percent(view.largest_tier_share), bounds=shown), icon=":material/equalizer:"
    )
    st.button(
        t("tiers_use_percentiles"), key="tiers.use_percentiles", on_click=_use_data_bounds, args=(view.data_bounds,)
    )


def scheme_controls(prepared: PreparedDataset, scheme: str) -> None:
    """The chosen scheme's controls, each a view of the scenario's section (the view reads the scenario)."""
    if scheme == "tiers":
        tier_controls()
    elif scheme == "value":
        value_controls(prepared)
    elif scheme == "rfm":
        settings.control(
            st.selectbox, "rfm_monetary", t("rfm_monetary"), ("aum", "annual_contribution"),
            format_func=lambda m: t(f"indicator_{m}"),
        )  # fmt: skip
        st.caption(t("rfm_explained"))
    elif scheme == "lifecycle":
        for _, rule in seg.lifecycle_rules(settings.active().lifecycle):
            st.caption(say(rule))
    else:
        settings.control(
            st.multiselect, "cluster_features", t("cluster_features"), seg.CLUSTER_FEATURE_CHOICES,
            format_func=lambda f: t(f"indicator_{f}"),
        )  # fmt: skip
        settings.control(st.slider, "cluster_k", t("cluster_k"), 2, 8)
    settings.control(st.number_input, "min_group_customers", t("min_group_customers"), 1, 1000, step=1)


def scheme_notes(view: seg.SegmentsView | None) -> None:
    """What the scheme's result says about itself: data-following bounds, cluster structure."""
    if view is None:
        st.warning(t("cluster_need_two"))
        return
    data_following_bounds(view)
    clusters = view.clusters
    if clusters is None:
        return
    k = view.settings.clusters.k
    plot(
        chart(silhouette_figure, view.silhouettes, t("silhouette_title"), "k", t("silhouette"), k),
        key="segments_silhouette_chart",
    )
    score = f"{clusters.silhouette:.2f}"
    if clusters.structured:
        st.caption(t("clusters_structure", score=score, k=k))
    else:
        st.info(t("clusters_no_structure", score=score, k=k), icon=":material/scatter_plot:")


def row_names(view: seg.SegmentsView, labels: tuple[str, ...]) -> dict[str, str]:
    """The view's language-free row labels → names shown (groups, not assigned, suppressed)."""
    names = dict(zip(view.segmentation.labels, labels, strict=True))
    return {**names, seg.NOT_ASSIGNED_LABEL: t("not_assigned"), seg.SUPPRESSED_LABEL: t("profiles_suppressed_row")}


def profile_section(view: seg.SegmentsView, labels: tuple[str, ...]) -> None:
    """Profiles with small groups folded into the suppressed row, their totals, table and index chart."""
    profiles = view.profiles.assign(group=[row_names(view, labels).get(g, g) for g in view.profiles["group"]])
    for note in view.segmentation.notes:
        st.caption(f"ⓘ {t(note)}")  # core notes are English; known ones have a translation
    st.caption(
        t(
            "profiles_totals", groups=len(labels), customers=count(profiles["customers"].sum()),
            share=percent(profiles["customer_share"].sum()), aum_share=percent(profiles["aum_share"].sum(min_count=1)),
        )
    )  # fmt: skip
    if (profiles["code"] == seg.SUPPRESSED_CODE).any():
        names = [labels[code] for code in view.hidden]
        if not (profiles["code"] == -1).any():
            names.append(t("not_assigned"))
        minimum = view.settings.min_group_customers
        st.caption(t("profiles_suppressed_note", minimum=minimum, groups=", ".join(names)))
    st.dataframe(
        profile_display(profiles), hide_index=True, key="segments_profile_table", column_config=profile_column_config()
    )
    # AUM measures are what tiers are cut on (indexes in the thousands); the chart compares behaviour.
    measure_labels = {m: t(f"profile_{m}") for m in seg.PROFILE_MEASURES if not m.endswith("_aum")}
    indexes = profiles[[f"{m}_index" for m in measure_labels]].to_numpy(dtype=float)
    if np.isfinite(indexes[profiles["code"].to_numpy() >= 0]).any():
        plot(
            chart(profile_index_figure, profiles, measure_labels, t("profile_chart"), t("index_axis")),
            key="segments_profile_chart",
        )
    else:  # no group with a measure to compare: no empty chart
        st.info(t("profiles_no_index"), icon=":material/info:")


def migration_section(view: seg.SegmentsView, labels: tuple[str, ...]) -> None:
    """Who moves from the baseline to the chosen groups, in one sentence and a heatmap (schemes with a baseline)."""
    if view.migration_counts is None:
        return
    st.subheader(t("migration"))
    names = row_names(view, labels)
    counts = view.migration_counts.rename(index=names, columns=names)
    if view.moved == 0:
        st.caption(t("migration_none"))
    else:
        if view.scheme == "tiers":  # the phrase names tiers as this language shows them
            before, after = replace(view.baseline, labels=labels), replace(view.settings.tiers, labels=labels)
            change = seg.tier_change_message(before, after)
        else:
            change = Message("value_change")
        moved = view.migration_aum.rename(index=names, columns=names)
        st.markdown(md(say(seg.migration_message(counts, moved, change))))
    plot(
        chart(migration_heatmap, counts, t("migration_title"), t("migration_to"), t("migration_from")),
        key="segments_migration_chart",
    )


def _segmentation(prepared: PreparedDataset, kind: str) -> seg.Segmentation:
    scenario = settings.active()
    if kind == "value":
        return seg.value_segments(value_matrix(prepared), scenario.value)
    if kind == "lifecycle":
        return _lifecycle(prepared.fingerprint, scenario.lifecycle, prepared)
    return tier_segmentation(prepared, scenario.tiers)


def named_products(drill) -> pd.DataFrame:
    """A drill-down's product rows with product names in the session's language."""
    from crm_core.products import product_name

    lang = current_lang()
    return drill.products.assign(name=[product_name(str(p), lang) for p in drill.products["name"]])


def grouping(prepared: PreparedDataset, kind: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and display labels of a grouping other pages break their figures down by (the scenario's settings)."""
    segmentation = _segmentation(prepared, kind)
    return segmentation.codes, display_labels(kind, segmentation.labels)


def grouping_names(prepared: PreparedDataset, kind: str) -> tuple[np.ndarray, tuple[str, ...], dict[str, str]]:
    """Codes, language-free labels (for cached results) and label → display name of a grouping."""
    segmentation = _segmentation(prepared, kind)
    names = display_labels(kind, segmentation.labels)
    return segmentation.codes, tuple(segmentation.labels), dict(zip(segmentation.labels, names, strict=True))


def grouping_select(name: str, container=st) -> str:
    """Which grouping a page breaks down by (``name``: the page's grouping setting, e.g. ``visits_group_by``)."""
    return settings.control(container.selectbox, name, t("group_by"), GROUPINGS, format_func=lambda g: t(f"scheme_{g}"))
