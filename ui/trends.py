"""The Overview's trend section: headline KPIs by month or quarter, with their period-on-period changes."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from crm_core import formatting
from crm_core.trends import KpiTrends, period_deltas, period_lines, trend_figure
from ui import settings
from ui.i18n import count, current_lang, month_label, percent, t
from ui.widgets import chart, plot, table


def period_label(period: pd.Timestamp, frequency: str) -> str:
    """A month ("June 2026") or a quarter ("Q2 2026" / "2026年第2季度")."""
    if frequency == "month":
        return month_label(period)
    return t("period_quarter", quarter=(period.month - 1) // 3 + 1, year=period.year)


def _change(value: float, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return t("not_available")
    return formatting.format_delta(value, "points" if unit == "share" else "relative", current_lang())


def _value(value: float, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return t("not_available")
    return percent(value) if unit == "share" else count(value)


def trends_section(trends: KpiTrends) -> None:
    """Lines of the dated KPIs and a table of the latest period against the one before and a year before."""
    st.subheader(t("trends_heading"))
    if not trends.metrics:
        st.caption(t("trends_none"))
        return
    names = {f: t(f"frequency_{f}") for f in ("quarter", "month")}
    frequency = settings.control(
        st.radio, "trend_frequency", t("trend_frequency"), list(names), format_func=names.get, horizontal=True
    )
    titles = {m: t(f"trend_{m}") for m in trends.metrics}
    lines = period_lines(trends, frequency)
    if lines.empty:
        st.caption(t("trends_no_complete_period"))
        return
    plot(chart(trend_figure, lines, trends.metrics, titles, ("off_counter_rate",)), key="overview_trends")
    deltas = period_deltas(trends, frequency)
    shown = pd.DataFrame(
        {
            t("trend_col_metric"): [titles[m] for m in deltas["metric"]],
            period_label(deltas["period"].iloc[0], frequency): [
                _value(v, u) for v, u in zip(deltas["value"], deltas["unit"], strict=True)
            ],
            t(f"trend_col_previous_{frequency}"): [
                _change(v, u) for v, u in zip(deltas["change"], deltas["unit"], strict=True)
            ],
            t("trend_col_yoy"): [_change(v, u) for v, u in zip(deltas["yoy"], deltas["unit"], strict=True)],
        }
    )
    table(shown, key="overview_trend_table")
    notes = [t("trends_aum_snapshot")]
    if trends.undated:
        notes.append(t("trends_undated", metrics=", ".join(t(f"trend_{m}") for m in trends.undated)))
    st.caption(" ".join(notes))
