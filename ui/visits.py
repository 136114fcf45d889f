"""Streamlit adapter of the Visits & channels page: the per-dataset cube and fits, cached by fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import visits as vis
from crm_core.contract import CHANNELS
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario
from crm_core.templates import template_csv
from ui import segments as ui_seg
from ui.i18n import count, percent, say, t
from ui.widgets import chart, download_button, md, plot, table


@st.cache_resource(max_entries=2, show_spinner=False)
def _cube(fingerprint: str, _prepared: PreparedDataset) -> vis.VisitCube:
    return vis.visit_cube(_prepared)


@st.cache_resource(max_entries=4, show_spinner=False)
def _fits(fingerprint: str, _cube_value: vis.VisitCube) -> vis.VisitFits:
    return vis.visit_fits(_cube_value)


@st.cache_resource(max_entries=4, show_spinner=False)
def _grouped(
    fingerprint: str, grouping_key: str, settings_key: str, _prepared: PreparedDataset, _codes, _labels, _settings
) -> vis.VisitsView:
    cube_value = _cube(fingerprint, _prepared)  # no spinner here: the background warming calls this too
    return vis.visits_view(_prepared, _codes, _labels, _settings, cube=cube_value, fits=_fits(fingerprint, cube_value))


@st.cache_resource(max_entries=16, show_spinner=False)
def _view(
    fingerprint: str, grouping_key: str, settings_key: str, _prepared: PreparedDataset, _codes, _labels, _settings
) -> vis.VisitsView:
    # A what-if move recomputes only the staffing: the rest is kept per grouping, benchmark and rule.
    others = replace(_settings, what_if=vis.DEFAULT_WHAT_IF)
    others_key = hashlib.sha256(repr(others).encode()).hexdigest()
    grouped = _grouped(fingerprint, grouping_key, others_key, _prepared, _codes, _labels, others)
    return vis.with_what_if(grouped, _settings.what_if)


def cube(prepared: PreparedDataset) -> vis.VisitCube:
    """The per-dataset visit cube (reads the raw activity once)."""
    with st.spinner(t("building_cube")):
        return _cube(prepared.fingerprint, prepared)


def cube_of(prepared: PreparedDataset) -> vis.VisitCube:
    """``cube`` from the same cache without a spinner (for cached callers and the background warming)."""
    return _cube(prepared.fingerprint, prepared)


def view(prepared: PreparedDataset, codes: np.ndarray, labels: tuple[str, ...], scenario: Scenario) -> vis.VisitsView:
    """The Visits view of a grouping under the scenario's visit settings, computed once and shared.

    Keyed by the dataset fingerprint, the grouping (codes and language-free labels) and the visit
    settings: the page, the report and the playbook read the same object, in any language.
    """
    visit_settings = vis.VisitSettings.of(scenario)
    grouping_key = hashlib.sha256(np.ascontiguousarray(codes).tobytes() + repr(labels).encode()).hexdigest()
    settings_key = hashlib.sha256(repr(visit_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, grouping_key, settings_key, prepared, codes, tuple(labels), visit_settings)


def tier_view(prepared: PreparedDataset, scenario: Scenario) -> vis.VisitsView | None:
    """``view`` over the scenario's AUM tiers (what the report and playbook show); None without activity."""
    if prepared.monthly_channels is None:
        return None
    codes = ui_seg.tier_segmentation(prepared, scenario.tiers).codes
    return view(prepared, codes, tuple(scenario.tiers.labels), scenario)


def channel_labels() -> dict[str, str]:
    """Channel names in the session's language."""
    return {c: t(f"channel_{c}") for c in CHANNELS}


def localised_reasons(table: pd.DataFrame) -> pd.DataFrame:
    """The reason column (``Message`` values) in the session's language."""
    return table.assign(reason=[say(r) if r is not None else "" for r in table["reason"]])


@st.cache_resource(max_entries=4, show_spinner=False)
def _location_trend(fingerprint: str, config: vis.DeclineConfig, _located: pd.DataFrame) -> vis.LocationTrend:
    return vis.location_trend(_located, config)


def location_panel(prepared: PreparedDataset, scenario: Scenario) -> None:
    """A log without a channel but with a location: all transactions' fitted change a year by location, said so."""
    config = vis.VisitSettings.of(scenario).decline
    trend = _location_trend(prepared.dataset.fingerprint, config, prepared.dataset.location_activity)
    st.info(
        t("visits_location_only", transactions=count(trend.transactions), locations=count(len(trend.table))),
        icon=":material/location_on:",
    )
    st.subheader(t("location_decline_heading"))
    if trend.table["annual_change"].notna().any():
        plot(
            chart(vis.decline_ranking_figure, trend.table, t("location_decline_title"), t("change_per_year")),
            key="visits_location_chart",
        )
        st.caption(t("visits_interval_note", lags=trend.lags))
    else:
        reason = next((r for r in trend.table["reason"] if hasattr(r, "key")), None)  # a Message
        st.info(say(reason) if reason is not None else t("visits_no_location_rates"), icon=":material/info:")
    shown = trend.table[["group", "annual_change", "lower", "upper", "counter_12m"]]
    table(shown.rename(columns={"group": "location", "counter_12m": "transactions_12m"}), "visits_location_table")


def require_activity(prepared: PreparedDataset, scenario: Scenario | None = None) -> None:
    """Guard: without usable activity the page says why, offers the activity template and stops.

    A transaction log that says where but not through which channel (``Dataset.location_activity``) shows
    its trend by location first (``location_panel``).
    """
    availability = vis.visit_availability(prepared).set_index("view")
    if availability["available"].any() and prepared.monthly_channels is not None:
        return
    located = prepared.dataset.location_activity
    if scenario is not None and located is not None and len(located):
        location_panel(prepared, scenario)  # its note already says a channel column is needed
    else:
        reason = availability.iloc[0]["reason"]
        st.info(say(reason) if reason is not None else t("note_no_activity"), icon=":material/storefront:")
    download_button(
        st, t("template_button", table=t("table_activity"), language="EN"), partial(template_csv, "activity"),
        "activity_template.csv", "text/csv", key="visits_activity_template",
    )  # fmt: skip
    st.stop()


def kpi_tiles(kpis: pd.DataFrame) -> None:
    """The four headline tiles (``visit_kpis`` indexed by metric)."""
    tiles = st.columns(4)
    off, decline = kpis.loc["off_counter_rate"], kpis.loc["counter_decline_per_year"]
    benchmark = t("versus_benchmark", rate=percent(off["reference"]), year=off["reference_year"])
    interval = t("interval", low=percent(decline["lower"]), high=percent(decline["upper"]))
    tiles[0].metric(t("visits_off_counter"), percent(off["value"]), benchmark, delta_color="off", border=True)
    tiles[1].metric(t("visits_decline"), percent(decline["value"]), interval, delta_color="off", border=True)
    mobile = percent(kpis.loc["mobile_active_share", "value"])
    tiles[2].metric(t("visits_mobile_active"), mobile, help=t("visits_mobile_active_help"), border=True)
    tiles[3].metric(t("visits_silent"), count(kpis.loc["silent_attrition_customers", "value"]), border=True)


def decline_statements(view: vis.VisitsView) -> None:
    """When counter transactions halve (a range) and the check against a curved trend."""
    if view.halving is not None:
        st.markdown(f"**{md(say(view.halving))}**")
    if view.curvature is not None:
        st.markdown(md(say(view.curvature)))


def forecast_labels() -> dict[str, str]:
    """Trace and axis names of the forecast chart, the curved alternative included."""
    return {
        "title": t("forecast_title"),
        "y_title": t("transactions"),
        "actual": t("actual"),
        "fitted": t("fitted_trend"),
        "forecast": t("forecast"),
        "band": t("forecast_band"),
        "curved": t("curved_trend"),
    }


def _halving_cell(start, end) -> str:
    if pd.isna(start):
        return ""
    if pd.isna(end):
        return t("visits_halving_cell_open", start=start.year)
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"


def decline_display(table: pd.DataFrame) -> pd.DataFrame:
    """A decline table as shown: the halving as a range of years, the curvature verdict in words."""
    verdicts = {
        vis.STRAIGHT: t("curvature_straight"),
        vis.CURVED: t("curvature_curved"),
        vis.NOT_TESTED: t("curvature_not_tested"),
    }
    statuses = {vis.OK: t("decline_status_ok"), vis.NOT_ENOUGH_HISTORY: t("decline_status_not_enough_history"),
                vis.NO_COUNTER_ACTIVITY: t("decline_status_no_counter_activity")}  # fmt: skip
    shown = table.assign(
        status=table["status"].map(lambda s: statuses.get(s, s)),
        halving=[_halving_cell(a, b) for a, b in zip(table["halving_from"], table["halving_to"], strict=True)],
        curvature=table["curvature_verdict"].map(verdicts).where(table["status"] == vis.OK, ""),
    )
    hidden = {"halving_month", "halving_from", "halving_to", "curvature_verdict", "curvature_p", "among_steepest"}
    order = [c for c in table.columns if c not in hidden]
    order[order.index("months_used") + 1 : order.index("months_used") + 1] = ["halving", "curvature"]
    return localised_reasons(shown[order])


def benchmark_source(benchmark) -> str:
    """The off-counter benchmark's source: the built-in one in the session's language, a bank's own as typed."""
    return t("cba_source") if benchmark.source == vis.CBA_SOURCE else benchmark.source


def staffing_display(staffing: pd.DataFrame) -> pd.DataFrame:
    """The staffing what-if as shown: the forecast basis in words."""
    bases = {"trend": t("forecast_basis_trend"), "last_12m": t("forecast_basis_last_12m")}
    return staffing.assign(forecast_basis=staffing["forecast_basis"].map(lambda b: bases.get(b, b)))
