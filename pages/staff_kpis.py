"""Staff KPIs: how branch and relationship-manager rankings change when assessment rewards customers."""

import streamlit as st

from crm_core import staff
from ui import data, settings
from ui import staff as ui_staff
from ui.filters import drill_from
from ui.i18n import say, t
from ui.widgets import chart, md, number_formats, page_header, plot, with_gaps_named

page_header("staff_kpis")
prepared = data.active_prepared()

level = settings.control(
    st.segmented_control, "staff_level", t("staff_level"), ["branch", "relationship_manager"], required=True,
    format_func=lambda v: t(f"level_{v}"),
)  # fmt: skip
shown = ui_staff.shown_view(prepared, level)
for note in shown.notes:
    st.caption(f"ⓘ {say(note)}")
if not shown.rankable:  # say which of the two a ranking lacks: indicators, or units large enough
    st.info(t("staff_no_indicators") if not shown.indicators else t("staff_too_few", minimum=shown.minimum))
    st.stop()

preset_col, baseline_col = st.columns(2)
ui_staff.preset_control(shown, preset_col)
settings.control(
    baseline_col.selectbox, "staff_baseline", t("staff_baseline"), [p.key for p in staff.PRESETS],
    format_func=ui_staff.preset_name,
)  # fmt: skip
with st.expander(t("staff_weights"), expanded=True):
    shown_weights = settings.weight_controls(ui_staff.WEIGHTS_PATH, shown.indicators, ui_staff.indicator_name)
    by_perspective = staff.perspective_weights(shown_weights)
    st.caption(" · ".join(f"{t(staff.PERSPECTIVE_TERMS[p].key)} {w:.0f}%" for p, w in by_perspective.items()))

baseline_name, current_name = ui_staff.label(shown.baseline_label), ui_staff.label(shown.current_label)
if shown.fallback:
    st.info(t("staff_showing_proposed"), icon=":material/compare_arrows:")
st.markdown(ui_staff.movers_markdown(shown.movers))
if shown.separation is not None:
    st.info(md(say(shown.separation)), icon=":material/straighten:")
ranking = with_gaps_named(ui_staff.ranking_frame(shown))
st.dataframe(ranking, hide_index=True, key="staff_ranking_table", column_config=number_formats(ranking))
st.caption(md(say(shown.fold_rule)))
st.caption(t("staff_method_note", replicates=shown.settings.config.replicates))

units = staff.selected_units(shown.ranking[shown.ranking["row"] == staff.UNIT], 30)
picked = plot(
    chart(ui_staff.interval_figure, shown, units),
    key="staff_interval_chart",
    on_select="rerun",
    selection_mode="points",
)
drill_from(picked, level, "staff_interval_chart", axis="y")  # a click opens the unit on every page
plot(
    chart(staff.rank_slope_figure, shown.ranking, t("slope_title"), baseline_name, current_name, t("rank"), units),
    key="staff_slope_chart",
)

st.subheader(t("scorecard_heading"))
picked = plot(
    chart(ui_staff.heat_figure, shown, units), key="staff_scorecard_chart", on_select="rerun", selection_mode="points"
)
drill_from(picked, level, "staff_scorecard_chart", axis="y")
st.caption(t("drill_hint_unit"))

st.subheader(t("guardrail_heading"))
for note in shown.guardrail_notes:
    st.warning(md(say(note)), icon=":material/report:")
if not shown.guardrail_notes:
    st.success(t("guardrail_none"))
plot(chart(ui_staff.guardrail_figure, shown), key="staff_guardrail_chart")
st.caption(t("wells_fargo"))
