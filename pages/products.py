"""Product gap: who lacks which products, what closing the gap is worth, and whom to call first."""

from functools import partial

import streamlit as st

from crm_core import products as prod
from crm_core.products.charts import (
    gap_figure,
    lift_heatmap,
    model_quality_figure,
    penetration_index_heatmap,
)
from ui import data, settings
from ui import places as ui_places
from ui import products as ui_prod
from ui import segments as ui_seg
from ui.i18n import current_lang, say, t
from ui.widgets import chart, download_pair, exported, md, page_header, plot, table, translated_choice

page_header("products")
prepared = data.active_prepared()
if not prepared.products:
    st.info(t("products_missing"), icon=":material/inventory_2:")
    st.stop()
lang = current_lang()

group_col, benchmark_col, target_col = st.columns(3)
codes, keys, groups = ui_seg.grouping_names(prepared, ui_seg.grouping_select("products_group_by", group_col))
kind = settings.control(
    benchmark_col.selectbox, "product_benchmark", t("benchmark"), ("bank", "next_tier", "best_branch"),
    format_func=lambda k: t(f"benchmark_{k}"),
)  # fmt: skip
target = settings.control(target_col.number_input, "cross_sell_target", t("cross_sell_target"), 1.0, 10.0, step=0.1)
view = ui_prod.view(prepared, codes, keys, settings.active())
names = ui_prod.product_labels(view.products)
branch_names = ui_places.names(prepared)
sources = {**branch_names, "bank": t("benchmark_bank"), "target": t("benchmark_target"), **groups}

index, ratios = ui_prod.group_tables(view, groups, target)
plot(chart(penetration_index_heatmap, index, t("penetration_title"), names, t("index_axis")), key="products_heatmap")
ui_prod.cross_sell_table(ratios, key="products_cross_sell_table")

st.subheader(t("gap_heading"))
gaps = prod.relabelled(view.gaps, sources, ("group", "benchmark_source"))
populated = {label for label, n in zip(view.holdings.labels, view.holdings.customers, strict=True) if n > 0}
shown = [k for k in keys if k not in view.hidden and k in populated]  # no empty chart of a group of nobody
if shown:
    gap_group = groups.get(
        translated_choice(st.selectbox, t("drilldown_group"), shown, "products_gap_group", groups.get)
    )
    plot(
        chart(
            gap_figure,
            gaps,
            gap_group,
            t("gap_title", group=gap_group),
            t("share_of_customers"),
            t("penetration"),
            t(f"benchmark_{kind}"),
            names,
        ),
        key="products_gap_chart",
    )
else:
    st.info(t("products_no_group_shown", n=view.settings.min_group_customers))

st.subheader(t("coholding_heading"))
for sentence in prod.co_holding_messages(view.pairs, top=4):
    st.markdown(f"- {md(say(sentence))}")
if len(view.pairs):
    plot(chart(lift_heatmap, prod.lift_matrix(view.pairs), t("lift_title"), names), key="products_lift_chart")
else:  # one product (a single flag such as HasCrCard): nothing is held together
    st.info(t("coholding_needs_two", products=len(view.products)))


@st.fragment
def value_panel() -> None:
    """Sizing what-if, next-best product and lead lists: their controls rerun only this panel."""
    settings.keep_frame_current()
    st.subheader(t("opportunity_heading"))
    settings.control(st.multiselect, "offered_products", t("offered_products"), view.products, format_func=names.get)
    ui_prod.economics_editor(view.products)
    closure_col, moved_col = st.columns(2)
    closure = settings.control(closure_col.slider, "closure_share", t("closure"), 10, 100, step=10, format="%d%%")
    settings.control(moved_col.slider, "cannibalisation_share", t("cannibalisation"), 0, 100, step=5, format="%d%%")
    scenario = settings.active()
    sized = ui_prod.view(prepared, codes, keys, scenario)  # the offered products and economics just set
    ui_prod.sizing_panel(sized, groups, names, closure / 100)
    offered, sizing = scenario.offered_products, scenario.sizing

    st.subheader(t("next_best_heading"))
    _, fitted, _ = ui_prod.next_best(prepared, sizing, offered)
    plot(
        chart(
            model_quality_figure,
            fitted.quality_,
            t("model_quality_title"),
            lift_label=t("model_lift"),
            product_labels=names,
            flagged_label=t("model_flagged"),
        ),
        key="products_quality_chart",
    )
    ui_prod.model_notes(fitted, names)
    branch_col, manager_col = st.columns(2)
    branches = branch_col.multiselect(
        t("branch"),
        ui_prod.choices(prepared, "branch"),
        format_func=lambda b: branch_names.get(b, b),
        placeholder=t("filter_all"),
        key=f"products_lead_branches@{lang}",  # branch names redraw on a switch
    )
    managers = manager_col.multiselect(
        t("relationship_manager"), ui_prod.choices(prepared, "relationship_manager"),
        placeholder=t("filter_all"), key="products_lead_rms",
    )  # fmt: skip
    lead_filter = prod.LeadFilter(branches=tuple(branches), managers=tuple(managers), max_rows=ui_prod.LEAD_ROWS)
    leads = ui_prod.leads(prepared, sizing, offered, lead_filter)
    leads = ui_places.named(prod.lead_words(leads, lang), prepared)
    table(leads, "products_leads_table", customers=True)
    download_pair(
        partial(prod.lead_list_csv, exported(leads)), partial(prod.lead_list_excel, exported(leads)), "leads",
        "products_leads",
    )  # fmt: skip
    st.caption(t("products_compliance_note"))


value_panel()
