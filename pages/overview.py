"""Overview: the bank's retail customer base in nine numbers and one chart."""

import streamlit as st

from crm_core.charts import channel_mix_figure, channel_trend_figure
from crm_core.contract import CHANNELS
from crm_core.overview import channel_mix_from_counts, off_counter_rate
from ui import data
from ui.i18n import month_label, percent, t
from ui.trends import trends_section
from ui.widgets import chart, churn_tile_named, kpi_tile, page_header, plot

dataset = data.active_dataset()
page_header("overview", data.dataset_label(dataset))

prepared = data.active_prepared()
kpis, totals, notes = data.overview_figures(prepared)
st.caption(t("as_of", month=month_label(prepared.as_of)) if prepared.dated else t("as_of_unknown"))
kpis = churn_tile_named(kpis, prepared)

for start in range(0, len(kpis), 3):
    for column, (_, row) in zip(st.columns(3), kpis.iloc[start : start + 3].iterrows(), strict=False):
        with column:
            kpi_tile(row)

if not totals.empty:
    labels = {channel: t(f"channel_{channel}") for channel in CHANNELS}
    figure = chart(channel_trend_figure, totals, labels, t("channel_chart_title"), t("transactions"))
    plot(figure, key="overview_channel_chart")
    rate = off_counter_rate(totals)
    if len(rate) > 12:
        st.caption(
            t(
                "off_counter_now",
                now=percent(rate.iloc[-1]),
                month=month_label(rate.index[-1]),
                before=percent(rate.iloc[-13]),
            )
        )

mix = channel_mix_from_counts(prepared)  # an extract with one count per channel and no dated activity
if totals.empty and not mix.empty:
    labels = {channel: t(f"channel_{channel}") for channel in CHANNELS}
    plot(chart(channel_mix_figure, mix, labels, t("channel_mix_title")), key="overview_channel_mix")
    off_counter = 1 - mix.loc[mix["channel"] == "counter", "share"].sum()
    st.caption(t("channel_mix_undated", rate=percent(off_counter)))

trends_section(data.kpi_trends(prepared))

st.subheader(t("data_quality"))
holdings = prepared.dataset.holdings
if holdings is not None and "open_date" in holdings.columns and "close_date" not in holdings.columns:
    notes = [*notes, ("note_no_close_dates", {})]
for key, params in notes or [("note_none", {})]:
    st.caption(t(key, **params))
