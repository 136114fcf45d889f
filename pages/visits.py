"""Visits & channels: how fast counter visits fall, where, for whom, what replaces them, what it means for staff."""

from dataclasses import replace
from functools import partial

import streamlit as st

from crm_core import visits as vis
from crm_core.formatting import format_share
from ui import data, settings
from ui import segments as ui_seg
from ui import visits as ui_vis
from ui.i18n import count, current_lang, t
from ui.widgets import download_pair, exported, md, page_header, table

page_header("visits")
prepared = data.active_prepared()
lang = current_lang()
ui_vis.require_activity(prepared)

cube = ui_vis.cube(prepared)
bank_fit, branch_table, branch_fits = ui_vis.fits(prepared)
rule = vis.SilentAttritionRule()
kpis = vis.visit_kpis(prepared, cube, bank_fit, rule, vis.OffCounterBenchmark()).set_index("metric")
tiles = st.columns(4)
off = kpis.loc["off_counter_rate"]
tiles[0].metric(
    t("visits_off_counter"),
    format_share(off["value"]),
    t("versus_benchmark", rate=format_share(off["reference"]), year=off["reference_year"]),
    delta_color="off",
    border=True,
)
decline = kpis.loc["counter_decline_per_year"]
tiles[1].metric(
    t("visits_decline"),
    format_share(decline["value"]),
    t("interval", low=format_share(decline["lower"]), high=format_share(decline["upper"])),
    delta_color="off",
    border=True,
)
tiles[2].metric(t("visits_mobile_active"), format_share(kpis.loc["mobile_active_share", "value"]), border=True)
tiles[3].metric(t("visits_silent"), count(kpis.loc["silent_attrition_customers", "value"]), border=True)
halving = vis.halving_sentence(bank_fit, lang)
if halving:
    st.markdown(f"**{md(halving)}**")

rates = vis.off_counter_rates(prepared, vis.OffCounterBenchmark())
chart_labels = {
    "title": t("channel_chart_title"),
    "y_title": t("transactions"),
    "rate_title": t("off_counter_axis"),
    "rate": t("off_counter_rate"),
    "benchmark": t("industry_benchmark"),
}
st.plotly_chart(
    vis.channel_benchmark_figure(vis.channel_trend(prepared, "bank"), rates, ui_vis.channel_labels(), chart_labels),
    key="visits_channel_chart",
)
st.caption(vis.OffCounterBenchmark().source)

st.subheader(t("forecast_heading"))
series = vis.bank_counter_series(cube)
forecast_labels = {
    "title": t("forecast_title"),
    "y_title": t("transactions"),
    "actual": t("actual"),
    "fitted": t("fitted_trend"),
    "forecast": t("forecast"),
    "band": t("forecast_band"),
}
st.plotly_chart(
    vis.forecast_figure(
        vis.fitted_history(bank_fit, series, cube.months), vis.counter_forecast(bank_fit, 12), forecast_labels
    ),
    key="visits_forecast_chart",
)

st.subheader(t("decline_by_branch"))
st.plotly_chart(
    vis.decline_ranking_figure(branch_table, t("decline_ranking_title"), t("change_per_year")),
    key="visits_branch_chart",
)

codes, labels = ui_seg.grouping(prepared, ui_seg.grouping_select("visits_group_by"))
segment_table, _ = vis.segment_declines(cube, codes, labels)
table(ui_vis.localised_reasons(segment_table, lang), "visits_segment_table")

st.subheader(t("substitution_heading"))
flows = vis.substitution_flows(cube, codes, labels, total_label=t("bank"))
sentence = vis.substitution_sentence(flows, lang)
if sentence:
    st.markdown(md(sentence))
st.plotly_chart(
    vis.substitution_figure(
        flows,
        {
            "title": t("substitution_title"),
            "x_title": t("transactions"),
            "moved": t("moved_to_digital"),
            "gone": t("gone"),
        },
    ),
    key="visits_substitution_chart",
)

base = vis.what_if_base(cube, codes, labels, branch_fits)  # once per grouping, not per what-if move


@st.fragment
def what_if_panel() -> None:
    """The what-if inputs and their result; moving one reruns only this panel (the per-branch base is fixed)."""
    settings.keep_frame_current()
    st.subheader(t("what_if_heading"))
    scope_col, pp_col, factor_col, teller_col = st.columns(4)
    scope = settings.control(
        scope_col.multiselect, "visits_segments", t("what_if_segments"), range(len(labels)),
        format_func=lambda i: labels[i], placeholder=t("all_groups"),
    )  # fmt: skip
    settings.control(pp_col.slider, "visits_adoption_pp", t("adoption_increase"), 0, 50, format="+%d pp")
    settings.control(factor_col.slider, "visits_substitution", t("substitution_factor"), 0.0, 1.0, step=0.05)
    settings.control(teller_col.number_input, "visits_per_teller", t("per_teller"), 100, 10_000, step=100)
    # No group chosen means every group.
    inputs = replace(settings.active().visits_what_if, segments=tuple(scope) or tuple(range(len(labels))))
    staffing = vis.what_if_staffing(base, inputs)
    st.markdown(md(vis.what_if_sentence(staffing, inputs, lang)))
    table(staffing, "visits_staffing_table")


what_if_panel()

st.subheader(t("silent_heading"))
st.caption(rule.text(lang))
at_risk = vis.silent_attrition(prepared, cube, rule)
table(at_risk.head(200), "visits_silent_table", customers=True)
download_pair(
    partial(vis.csv_bytes, exported(at_risk)), partial(vis.excel_bytes, exported(at_risk)), "silent_attrition",
    "visits_silent",
)  # fmt: skip
