"""Strategy playbook: the data's argument for each customer group, along the four pillars and guarantee measures."""

from functools import partial

import streamlit as st

from crm_core import playbook as pb
from crm_core.exports import csv_bytes, excel_workbook
from ui import data, settings
from ui import playbook as ui_pb
from ui import scenarios as ui_sc
from ui.i18n import current_lang, money, say, t
from ui.notes import finding_note, step_notes
from ui.targets import targets_section
from ui.widgets import download_pair, md, page_header, with_gaps_named

page_header("playbook")
prepared = data.active_prepared()
lang = current_lang()
scenario = settings.active()
st.caption(t("playbook_scenario", name=md(ui_sc.display_name(scenario.name))))

st.subheader(t("executive_summary"))
found = ui_pb.findings(prepared, scenario)
for rank, finding in enumerate(found.items, start=1):
    with st.container(border=True):
        text_col, link_col = st.columns([5, 1], vertical_alignment="center")
        text_col.markdown(f"**{rank}. {md(say(finding.sentence))}**")
        text_col.caption(t("materiality", value=money(finding.materiality), rule=md(say(finding.rule))))
        link_col.page_link(
            ui_pb.VIEW_PAGES[finding.view], label=t(f"page_{finding.view}"), icon=":material/arrow_forward:"
        )
        note = scenario.meeting_notes.note(f"finding:{finding.key}")
        if note:
            text_col.info(md(note), icon=":material/edit_note:")
        finding_note(finding.key, link_col)
if found.skipped:
    with st.expander(t("findings_skipped", n=len(found.skipped))):
        for finding in found.skipped:
            st.markdown(f"- {md(say(finding.reason)) if finding.reason is not None else ''}")

st.subheader(t("plays_heading"))
for play in ui_pb.plays(prepared, scenario, lang):
    with st.expander(md(play.segment), expanded=play.code == 1):
        st.markdown(md(play.position))
        if play.suppressed or play.note:
            st.caption(md(play.note))
        recommendations = [r for r in (play.service, *play.products, *play.levers, *play.risks) if r is not None]
        for recommendation in recommendations:
            st.markdown(f"- **{t(f'play_{recommendation.kind}')}**: {md(recommendation.text)}")
            st.caption(md(ui_pb.trace(recommendation, lang)))

st.subheader(t("guarantees_heading"))
measured = ui_pb.guarantees(prepared, scenario)  # targets, owners, milestones: the scenario's
ui_pb.targets_editor(pb.guarantee_table_in(measured, lang))
met = measured["met"].fillna(False).astype(bool)
met_text = t("guarantees_met", met=int(met.sum()), total=int(measured["available"].sum()))
st.caption(f"{met_text} {t('guarantee_target_rule')}")
export = pb.guarantee_table_for_export(measured, lang)
st.dataframe(with_gaps_named(export, decimals=3), hide_index=True, key="playbook_guarantees_table")
download_pair(
    partial(csv_bytes, export), partial(excel_workbook, {"guarantees": export}), "guarantee_measures",
    "playbook_guarantees",
)  # fmt: skip

targets_section(prepared)
step_notes()
