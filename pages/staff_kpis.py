"""Staff KPIs: how branch and relationship-manager rankings change when assessment rewards customers."""

import streamlit as st

from crm_core import staff
from ui import data, settings
from ui import staff as ui_staff
from ui.i18n import current_lang, t
from ui.widgets import md, page_header, plot

page_header("staff_kpis")
prepared = data.active_prepared()
lang = current_lang()

level = settings.control(
    st.segmented_control, "staff_level", t("staff_level"), ["branch", "relationship_manager"], required=True,
    format_func=lambda v: t(f"level_{v}"),
)  # fmt: skip
card = ui_staff.shown_scorecard(prepared, level)
for note in staff.scorecard_notes(card, lang):
    st.caption(f"ⓘ {note}")
if len(card.units) < 2:
    st.info(t("staff_too_few"))
    st.stop()

preset_col, baseline_col = st.columns(2)
ui_staff.preset_control(card, preset_col)
settings.control(
    baseline_col.selectbox, "staff_baseline", t("staff_baseline"), [p.key for p in staff.PRESETS],
    format_func=ui_staff.preset_name,
)  # fmt: skip
with st.expander(t("staff_weights"), expanded=True):
    shown_weights = settings.weight_controls(ui_staff.WEIGHTS_PATH, card.indicators, ui_staff.indicator_name)
    by_perspective = staff.perspective_weights(shown_weights)
    st.caption(" · ".join(f"{staff.PERSPECTIVE_NAMES[p][lang == 'zh']} {w:.0f}%" for p, w in by_perspective.items()))

baseline_name, baseline, current_name, weights, fallback = ui_staff.compared(card)
if fallback:
    st.info(t("staff_showing_proposed"), icon=":material/compare_arrows:")
table = staff.ranking_table(card, weights, baseline, lang)
st.markdown(f"**{md(staff.movers_sentence(table, baseline_name, current_name, lang))}**")
if separation := ui_staff.separation(card, weights):
    st.info(md(separation), icon=":material/straighten:")
st.dataframe(ui_staff.ranking_frame(card, table), hide_index=True, key="staff_ranking_table")
if not_ranked := ui_staff.not_ranked_note(card):
    st.caption(md(not_ranked))
st.caption(t("staff_method_note", replicates=card.config.replicates))

units = staff.selected_units(table[table["ranked"]], 30)
plot(ui_staff.interval_figure(card, table, units), key="staff_interval_chart")
plot(
    staff.rank_slope_figure(table, t("slope_title"), baseline_name, current_name, t("rank"), units),
    key="staff_slope_chart",
)

st.subheader(t("scorecard_heading"))
status = staff.indicator_status(card).loc[units]
cell_text = staff.scorecard_text(card, lang).loc[units]
plot(
    staff.scorecard_heat_figure(
        status,
        cell_text,
        {n: ui_staff.indicator_name(n) for n in card.indicators},
        {s: t(f"status_{s}") for s in ("green", "amber", "red", "none")},
        t("scorecard_title"),
    ),
    key="staff_scorecard_chart",
)

st.subheader(t("guardrail_heading"))
flags = staff.guardrail_flags(card, lang=lang)
for sentence in flags.loc[flags["flagged"], "sentence"]:
    st.warning(md(sentence), icon=":material/report:")
if not flags["flagged"].any():
    st.success(t("guardrail_none"))
plot(
    staff.guardrail_figure(
        flags, t("guardrail_title"), t("sales_score"), t("customer_score"), t("flagged"), t("not_flagged")
    ),
    key="staff_guardrail_chart",
)
st.caption(t("wells_fargo"))
