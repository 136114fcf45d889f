"""Loyalty & value: who is slipping away, why, what they are worth, and what keeping them would bring."""

from dataclasses import replace
from functools import partial

import streamlit as st

from crm_core import loyalty as loy
from ui import data, settings
from ui import loyalty as ui_loy
from ui import places as ui_places
from ui import segments as ui_seg
from ui.i18n import current_lang, t
from ui.widgets import download_pair, exported, md, page_header, plot, table

page_header("loyalty")
prepared = data.active_prepared()
lang = current_lang()
aum = prepared.customers["aum"].to_numpy(dtype=float)

definition = ui_loy.definition_controls()
risk = ui_loy.churn_risk(prepared, definition)
st.caption(risk.labels.description[lang])
codes, labels = ui_seg.grouping(prepared, ui_seg.grouping_select("loyalty_group_by"))

st.subheader(t("stickiness_heading"))
matrix = ui_loy.stickiness(prepared)
percentages = settings.weight_controls(("stickiness", "weights"), matrix.indicators, lambda n: t(f"stickiness_{n}"))
config = loy.StickinessConfig(weights=tuple((name, float(w)) for name, w in percentages.items()))
scores = loy.stickiness_scores(matrix, config)
primacy = loy.primacy_flags(prepared)
st.caption(loy.primacy_rule_text(lang=lang, has_payroll=prepared.has("is_payroll")))

probabilities = risk.probabilities if risk.usable else None
bands = loy.risk_bands(risk.probabilities) if risk.usable else None
ui_loy.kpi_tiles(loy.loyalty_kpis(prepared, risk, scores, primacy))
by_segment = ui_loy.shown_groups(loy.stickiness_by_segment(scores, primacy, codes, labels), "customers")
plot(
    loy.stickiness_segment_figure(by_segment, t("stickiness_title"), t("group"), t("stickiness_axis")),
    key="loyalty_stickiness_chart",
)

st.subheader(t("model_heading"))
if not risk.usable:
    st.warning(risk.fitted.reason[lang], icon=":material/block:")
    st.stop()
evaluation = ui_loy.model_quality(risk)
for sentence in ui_loy.driver_sentences(risk, prepared, lang):
    st.markdown(f"- {md(sentence)}")

st.subheader(t("risk_heading"))
risk_by_segment = ui_loy.shown_groups(loy.risk_by_group(probabilities, bands, aum, codes, labels), "scored")
branch_codes, branch_labels = loy.group_codes(prepared, "branch")
branch_names = ui_places.names(prepared)
ui_loy.risk_charts(
    risk_by_segment,
    loy.risk_by_group(probabilities, bands, aum, branch_codes, [branch_names.get(b, b) for b in branch_labels]),
)


@st.fragment
def value_panel() -> None:
    """Lifetime value, the retention what-if and the at-risk list: their controls rerun only this panel."""
    settings.keep_frame_current()
    st.subheader(t("clv_heading"))
    settings.control(st.slider, "clv_discount_rate", t("discount_rate"), 0.0, 20.0, step=0.5, format="%.1f%%")
    values = ui_loy.customer_value(prepared, definition, codes, settings.active().clv)
    plot(
        loy.clv_quadrant_figure(
            loy.quadrant_sample(values),
            [loy.QUADRANT_NAMES[q][lang == "zh"] for q in loy.QUADRANTS],
            t("clv_title"),
            t("clv_axis"),
            t("headroom_axis"),
        ),
        key="loyalty_clv_chart",
    )
    clv = loy.clv_by_segment(values, codes, labels, prepared.customers["is_active"].to_numpy())
    table(ui_loy.shown_groups(clv, "customers", note=False), "loyalty_clv_table")

    st.subheader(t("retention_heading"))
    share_col, scope_col, band_col = st.columns(3)
    settings.control(share_col.slider, "retained_share", t("retained_share"), 0, 100, step=5, format="%d%%")
    scope = settings.control(
        scope_col.multiselect, "retention_segments", t("what_if_segments"), range(len(labels)),
        format_func=lambda i: labels[i], placeholder=t("all_groups"),
    )  # fmt: skip
    settings.control(
        band_col.multiselect, "retention_bands", t("risk_bands"), ("high", "medium", "low"),
        format_func=lambda b: t(f"band_{b}"),
    )  # fmt: skip
    scenario = replace(settings.active().retention, segments=tuple(scope))
    kept = loy.retention_what_if(probabilities, bands, values, codes, labels, scenario, evaluation.calibration_error)
    st.markdown(f"**{md(loy.what_if_sentence(kept, scenario, lang))}**")
    plot(loy.what_if_figure(kept, "aum", t("what_if_title"), t("group"), t("aum_kept")), key="loyalty_what_if_chart")

    st.subheader(t("at_risk_heading"))
    branch = st.selectbox(
        t("branch"),
        [None, *branch_labels],
        format_func=lambda b: t("all") if b is None else branch_names.get(b, b),
        key="loyalty_at_risk_branch",
    )
    at_risk = loy.at_risk_customers(prepared, risk, bands, values, branch=branch, lang=lang, limit=2_000)
    at_risk = ui_places.named(at_risk, prepared).assign(risk_band=[t(f"band_{b}") for b in at_risk["risk_band"]])
    table(at_risk.head(200), "loyalty_at_risk_table", customers=True)
    download_pair(
        partial(loy.csv_bytes, exported(at_risk)), partial(loy.excel_bytes, exported(at_risk)), "at_risk", "loyalty"
    )


value_panel()
