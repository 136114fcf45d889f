"""Service quality: complaints and satisfaction by branch and tier, against the bank and the best branch."""

import streamlit as st

from crm_core.service import service_findings
from crm_core.service.charts import unit_interval_figure
from ui import data, settings
from ui import places as ui_places
from ui import service as ui_service
from ui.filters import drill_from
from ui.i18n import say, t
from ui.widgets import chart, md, page_header, plot

page_header("service")
prepared = data.active_prepared()
scenario = settings.active()
view = ui_service.tier_view(prepared, scenario)
if view is None:
    st.info(t("service_missing"), icon=":material/support_agent:")
    st.stop()
bank, minimum = view.bank, view.settings.min_responses

ui_service.bank_tiles(view)
if not view.has_complaints:
    st.caption(t("service_no_complaints"))
if not view.has_satisfaction:
    st.caption(t("service_no_satisfaction"))

st.subheader(t("service_heading_branches"))
branch_names = ui_places.names(prepared)
for finding in service_findings(view, branch_names):
    st.markdown(f"- {md(say(finding))}")
satisfied_best, complaints_best = view.benchmark_row("satisfied"), view.benchmark_row("complaints")
if satisfied_best is not None or complaints_best is not None:
    st.caption(t(
        "service_benchmark_rule",
        branch=md(branch_names.get(view.satisfaction_benchmark, view.satisfaction_benchmark or "")),
        share=ui_service.share(satisfied_best["satisfied_share"] if satisfied_best is not None else None),
        complaints_branch=md(branch_names.get(view.complaints_benchmark, view.complaints_benchmark or "")),
        per_100=ui_service.number(complaints_best["complaints_per_100"] if complaints_best is not None else None),
        minimum=minimum,
    ))  # fmt: skip
satisfied_chart, complaints_chart = st.columns(2)
for container, measure, column, benchmark, title, axis in (
    (satisfied_chart, "satisfied", "satisfied_share", satisfied_best, t("service_chart_satisfied"),
     t("service_axis_satisfied")),
    (complaints_chart, "complaints", "complaints_per_100", complaints_best, t("service_chart_complaints"),
     t("service_axis_complaints")),
):  # fmt: skip
    references = [(t("bank"), bank[column])]
    if benchmark is not None:
        references.append((t("benchmark"), benchmark[column]))
    figure = chart(unit_interval_figure, view.branches, measure, title, axis, branch_names, references)
    key = f"service_{measure}_chart"
    event = plot(figure, key=key, container=container, on_select="rerun", selection_mode="points")
    drill_from(event, "branch", key, axis="y", names=branch_names)  # a click opens the branch on every page
st.caption(t("drill_hint") + " " + t("service_chart_rule", confidence=ui_service.confidence(view), minimum=minimum,
             customers=view.settings.min_group_customers))  # fmt: skip
if view.hidden_branches:
    st.caption(t("service_hidden", units=md(ui_service.listed(branch_names.get(b, b) for b in view.hidden_branches))))

st.subheader(t("service_heading_groups"))
groups = ui_service.tier_names(tuple(scenario.tiers.labels))
groups_table = ui_service.unit_table(view.groups, groups)
st.dataframe(groups_table, hide_index=True, key="service_groups_table")
if view.hidden_groups:
    st.caption(t("service_hidden", units=md(ui_service.listed(groups.get(g, g) for g in view.hidden_groups))))

st.subheader(t("service_heading_link"))
link_shown = st.info if view.link.status == "computed" else st.warning
link_shown(say(view.link.statement), icon=":material/link:")

st.subheader(t("service_heading_missing"))
for need in view.needs:
    st.caption(say(need))
