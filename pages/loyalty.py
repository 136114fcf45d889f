"""Loyalty & value: who is slipping away, why, what they are worth, and what keeping them would bring."""

from functools import partial

import streamlit as st

from crm_core import loyalty as loy
from crm_core.products import relabelled
from ui import data, settings
from ui import loyalty as ui_loy
from ui import places as ui_places
from ui import segments as ui_seg
from ui.i18n import current_lang, say, t
from ui.widgets import chart, churn_tile_named, download_pair, exported, md, page_header, plot, table

page_header("loyalty")
prepared = data.active_prepared()
lang = current_lang()

definition = ui_loy.definition_controls()
risk = ui_loy.churn_risk(prepared, definition)
st.caption(say(risk.labels.description))
codes, keys, groups = ui_seg.grouping_names(prepared, ui_seg.grouping_select("loyalty_group_by"))

st.subheader(t("stickiness_heading"))
indicators = ui_loy.stickiness(prepared).indicators
if indicators:
    settings.weight_controls(("stickiness", "weights"), indicators, lambda n: t(f"stickiness_{n}"))
st.caption(say(loy.primacy_missing(prepared) or loy.primacy_rule(has_payroll=prepared.has("is_payroll"))))
view = ui_loy.view(prepared, codes, keys, settings.active())
ui_loy.kpi_tiles(churn_tile_named(view.tiles(), prepared))
ui_loy.hidden_note(view, groups)
stickiness_by_group = ui_loy.by_group(view.stickiness, view, groups)
if not indicators:  # no chart of nothing: say what stickiness is made of
    st.info(t("stickiness_no_indicators"), icon=":material/link_off:")
elif stickiness_by_group["mean"].notna().any():
    plot(
        chart(
            loy.stickiness_segment_figure,
            stickiness_by_group[stickiness_by_group["mean"].notna()],  # a group of nobody is no flat line at 0
            t("stickiness_title"),
            t("group"),
            t("stickiness_axis"),
        ),
        key="loyalty_stickiness_chart",
    )
else:
    st.info(t("stickiness_no_group"), icon=":material/info:")

st.subheader(t("model_heading"))
if not view.model_usable:
    st.warning(say(risk.fitted.reason), icon=":material/block:")
    st.stop()
ui_loy.model_quality(view)
for bullet in ui_loy.driver_bullets(risk, prepared):
    st.markdown(bullet)

st.subheader(t("risk_heading"))
branch_names = ui_places.names(prepared)
ui_loy.risk_charts(ui_loy.by_group(view.risk, view, groups, "group"), relabelled(view.risk_by_branch, branch_names))


@st.fragment
def value_panel() -> None:
    """Lifetime value, the retention what-if and the at-risk list: their controls rerun only this panel."""
    settings.keep_frame_current()
    st.subheader(t("clv_heading"))
    unpriced = loy.clv_missing(prepared, view.values)  # the values do not depend on the discount rate's slider
    if unpriced is not None:
        st.info(say(unpriced), icon=":material/money_off:")
    else:
        settings.control(st.slider, "clv_discount_rate", t("discount_rate"), 0.0, 20.0, step=0.5, format="%.1f%%")
        valued = ui_loy.view(prepared, codes, keys, settings.active())  # the discount rate just set
        plot(
            chart(
                loy.clv_quadrant_figure,
                valued.quadrants,
                [t(f"quadrant_{q}") for q in loy.QUADRANTS],
                t("clv_title"),
                t("clv_axis"),
                t("headroom_axis"),
            ),
            key="loyalty_clv_chart",
        )
        table(ui_loy.by_group(valued.clv, valued, groups), "loyalty_clv_table")

    st.subheader(t("retention_heading"))
    share_col, scope_col, band_col = st.columns(3)
    settings.control(share_col.slider, "retained_share", t("retained_share"), 0, 100, step=5, format="%d%%")
    settings.control(
        scope_col.multiselect, "retention_segments", t("what_if_segments"), range(len(keys)),
        format_func=lambda i: groups[keys[i]], placeholder=t("all_groups"),
    )  # fmt: skip
    settings.control(
        band_col.multiselect, "retention_bands", t("risk_bands"), loy.RISK_BANDS[::-1],
        format_func=lambda b: t(f"band_{b}"),
    )  # fmt: skip
    kept = ui_loy.view(prepared, codes, keys, settings.active())  # the what-if just set
    what_if = relabelled(kept.retention, groups, ("segment",))
    measure = data.active_dataset().value_measure
    st.markdown(f"**{md(say(loy.what_if_message(what_if, kept.settings.retention, measure)))}**")
    plot(
        chart(loy.what_if_figure, what_if, "aum", t("what_if_title"), t("group"), t("aum_kept")),
        key="loyalty_what_if_chart",
    )

    st.subheader(t("at_risk_heading"))
    branch = st.selectbox(
        t("branch"),
        [None, *kept.risk_by_branch["group"]],
        format_func=lambda b: t("all") if b is None else branch_names.get(b, b),
        key=f"loyalty_at_risk_branch@{lang}",  # labels redraw on a switch
    )
    at_risk = ui_loy.at_risk(prepared, kept, risk, branch, limit=ui_loy.AT_RISK_ROWS)
    at_risk = ui_loy.with_reasons_in_words(ui_places.named(at_risk, prepared))
    bands = {b: t(f"band_{b}") for b in loy.RISK_BANDS}
    at_risk = at_risk.assign(risk_band=at_risk["risk_band"].map(bands))
    table(at_risk.head(200), "loyalty_at_risk_table", customers=True)
    download_pair(
        partial(loy.csv_bytes, exported(at_risk)), partial(loy.excel_bytes, exported(at_risk)), "at_risk", "loyalty"
    )


value_panel()
