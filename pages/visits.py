"""Visits & channels: how fast counter visits fall, where, for whom, what replaces them, what it means for staff."""

from functools import partial

import streamlit as st

from crm_core import segments as seg
from crm_core import visits as vis
from crm_core.products.view import relabelled
from ui import data, settings
from ui import places as ui_places
from ui import segments as ui_seg
from ui import visits as ui_vis
from ui.i18n import say, t
from ui.widgets import chart, download_pair, exported, md, page_header, plot, table

page_header("visits")
prepared = data.active_prepared()
ui_vis.require_activity(prepared, settings.active())

codes, keys, groups = ui_seg.grouping_names(prepared, ui_seg.grouping_select("visits_group_by"))
view = ui_vis.view(prepared, codes, keys, settings.active())
ui_vis.kpi_tiles(view.kpis.set_index("metric"))
ui_vis.decline_statements(view)

chart_labels = {
    "title": t("channel_chart_title"),
    "y_title": t("transactions"),
    "rate_title": t("off_counter_axis"),
    "rate": t("off_counter_rate"),
    "benchmark": t("industry_benchmark"),
}
plot(
    chart(vis.channel_benchmark_figure, view.channels, view.rates, ui_vis.channel_labels(), chart_labels),
    key="visits_channel_chart",
)
st.caption(ui_vis.benchmark_source(view.settings.benchmark))

st.subheader(t("forecast_heading"))
plot(chart(vis.forecast_figure, view.history, view.forecast, ui_vis.forecast_labels()), key="visits_forecast_chart")

st.subheader(t("decline_by_branch"))
shown_branches = ui_places.named(view.branches, prepared, {"group": "branch", "city": "city"})
steepest = vis.steepest_message(shown_branches)
if steepest is not None:
    st.markdown(md(say(steepest)))
if shown_branches["annual_change"].notna().any():
    plot(
        chart(vis.decline_ranking_figure, shown_branches, t("decline_ranking_title"), t("change_per_year")),
        key="visits_branch_chart",
    )
    st.caption(t("visits_interval_note", lags=view.bank_fit.lags))
else:  # no rate to rank: say why instead of an empty chart
    reason = next((r for r in shown_branches["reason"] if hasattr(r, "key")), None)  # a Message
    st.info(say(reason) if reason is not None else t("visits_no_branch_rates"), icon=":material/info:")

st.caption(t("visits_segments_latest", months=view.n_months))
shown_groups = {**groups, seg.NOT_ASSIGNED_LABEL: t("not_assigned")}
table(ui_vis.decline_display(relabelled(view.segments, shown_groups)), "visits_segment_table")

st.subheader(t("substitution_heading"))
if view.substitution is not None:
    st.markdown(md(say(view.substitution)))
plot(
    chart(
        vis.substitution_figure,
        relabelled(view.flows, {vis.BANK: t("bank"), **groups}),
        {
            "title": t("substitution_title"),
            "x_title": t("transactions"),
            "moved": t("moved_to_digital"),
            "gone": t("gone"),
        },
    ),
    key="visits_substitution_chart",
)


@st.fragment
def what_if_panel() -> None:
    """The what-if inputs and their result; moving one reruns only this panel (the cube and fits are cached)."""
    settings.keep_frame_current()
    st.subheader(t("what_if_heading"))
    scope_col, pp_col, factor_col, teller_col = st.columns(4)
    settings.control(
        scope_col.multiselect, "visits_segments", t("what_if_segments"), range(len(keys)),
        format_func=lambda i: groups[keys[i]], placeholder=t("all_groups"),
    )  # fmt: skip
    settings.control(pp_col.slider, "visits_adoption_pp", t("adoption_increase"), 0, 50, format="+%d pp")
    settings.control(factor_col.slider, "visits_substitution", t("substitution_factor"), 0.0, 1.0, step=0.05)
    settings.control(teller_col.number_input, "visits_per_teller", t("per_teller"), 100, 10_000, step=100)
    moved = ui_vis.view(prepared, codes, keys, settings.active())  # the inputs just set
    st.markdown(md(say(moved.what_if_result)))
    table(ui_vis.staffing_display(ui_places.named(moved.staffing, prepared)), "visits_staffing_table")


what_if_panel()

st.subheader(t("silent_heading"))
st.caption(say(view.settings.attrition.message()))
at_risk = ui_places.named(view.at_risk, prepared)
table(at_risk.head(200), "visits_silent_table", customers=True)
download_pair(
    partial(vis.csv_bytes, exported(at_risk)), partial(vis.excel_bytes, exported(at_risk)), "silent_attrition",
    "visits_silent",
)  # fmt: skip
