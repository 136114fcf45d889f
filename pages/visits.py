"""Visits & channels: how fast counter visits fall, where, for whom, what replaces them, what it means for staff."""

from dataclasses import replace
from functools import partial

import streamlit as st

from crm_core import visits as vis
from ui import data, settings
from ui import places as ui_places
from ui import segments as ui_seg
from ui import visits as ui_vis
from ui.i18n import current_lang, t
from ui.widgets import download_pair, exported, md, page_header, plot, table

page_header("visits")
prepared = data.active_prepared()
lang = current_lang()
ui_vis.require_activity(prepared)

cube = ui_vis.cube(prepared)
bank_fit, branch_table, branch_fits = ui_vis.fits(prepared)
rule = vis.SilentAttritionRule()
ui_vis.kpi_tiles(vis.visit_kpis(prepared, cube, bank_fit, rule, vis.OffCounterBenchmark()).set_index("metric"))
ui_vis.decline_statements(bank_fit, lang)

rates = vis.off_counter_rates(prepared, vis.OffCounterBenchmark())
chart_labels = {
    "title": t("channel_chart_title"),
    "y_title": t("transactions"),
    "rate_title": t("off_counter_axis"),
    "rate": t("off_counter_rate"),
    "benchmark": t("industry_benchmark"),
}
plot(
    vis.channel_benchmark_figure(vis.channel_trend(prepared, "bank"), rates, ui_vis.channel_labels(), chart_labels),
    key="visits_channel_chart",
)
st.caption(ui_vis.benchmark_source(settings.active().off_counter_benchmark))

st.subheader(t("forecast_heading"))
history = vis.fitted_history(bank_fit, vis.bank_counter_series(cube), cube.months)
forecast = vis.counter_forecast(bank_fit, 12)
plot(vis.forecast_figure(history, forecast, ui_vis.forecast_labels()), key="visits_forecast_chart")

st.subheader(t("decline_by_branch"))
shown_branches = ui_places.named(branch_table, prepared, {"group": "branch", "city": "city"})
steepest = vis.steepest_sentence(shown_branches, lang)
if steepest:
    st.markdown(md(steepest))
plot(
    vis.decline_ranking_figure(shown_branches, t("decline_ranking_title"), t("change_per_year")),
    key="visits_branch_chart",
)
st.caption(t("visits_interval_note", lags=bank_fit.lags))

codes, labels = ui_seg.grouping(prepared, ui_seg.grouping_select("visits_group_by"))
segment_table, _ = vis.segment_declines(cube, codes, labels)  # the data hold no monthly segment history
st.caption(t("visits_segments_latest", months=cube.n_months))
table(ui_vis.decline_display(segment_table, lang), "visits_segment_table")

st.subheader(t("substitution_heading"))
flows = vis.substitution_flows(cube, codes, labels, total_label=t("bank"))
sentence = vis.substitution_sentence(flows, lang)
if sentence:
    st.markdown(md(sentence))
plot(
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
    table(ui_vis.staffing_display(ui_places.named(staffing, prepared)), "visits_staffing_table")


what_if_panel()

st.subheader(t("silent_heading"))
st.caption(rule.text(lang))
at_risk = ui_places.named(vis.silent_attrition(prepared, cube, rule), prepared)
table(at_risk.head(200), "visits_silent_table", customers=True)
download_pair(
    partial(vis.csv_bytes, exported(at_risk)), partial(vis.excel_bytes, exported(at_risk)), "silent_attrition",
    "visits_silent",
)  # fmt: skip
