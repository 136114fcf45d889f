"""Scenarios & export: save and compare what-ifs, share them as a link, take them into the meeting."""

from functools import partial

import pandas as pd
import streamlit as st

from crm_core import scenarios as sc
from crm_core.comparison import scenario_comparison
from crm_core.formatting import format_money
from crm_core.segments.charts import migration_heatmap
from ui import comparison as ui_cmp
from ui import data, settings
from ui import places as ui_places
from ui import report as ui_report
from ui import report_view as ui_report_view
from ui import scenarios as ui_sc
from ui.i18n import count, current_lang, named_axes, say, t
from ui.widgets import chart, download_button, md, meeting_mode, page_header, plot, table, translated_choice

page_header("scenarios")
prepared = data.active_prepared()
dataset = data.active_dataset()
lang = current_lang()
store = ui_sc.saved()
active = settings.active()
if meeting_mode():
    ui_report_view.meeting_storyline(ui_report.content(prepared, active, lang))
    st.stop()
ui_sc.flash()
modified = t("scenario_modified") if settings.is_modified() else ""
st.caption(t("scenario_active", name=md(ui_sc.display_name(active.name))) + modified)

st.subheader(t("scenario_save_heading"))
name_col, note_col = st.columns([1, 2])
name_col.text_input(t("scenario_name"), key="scenarios_new_name", max_chars=120)
note_col.text_input(t("scenario_note"), key="scenarios_new_note", max_chars=2000)
st.button(t("scenario_save"), key="scenarios_save", type="primary", on_click=ui_sc.save_current)

st.file_uploader(
    t("scenario_upload"), type=["json"], key=ui_sc.UPLOAD_KEY, accept_multiple_files=True, on_change=ui_sc.add_uploaded
)


st.subheader(t("scenario_saved_heading"))
st.dataframe(
    pd.DataFrame(
        [
            {
                t("scenario_name"): ui_sc.display_name(s.name),
                t("scenario_created"): s.created or "–",
                t("fingerprint_col"): s.fingerprint[:12] or "–",
                t("scenario_note"): ui_sc.display_note(s),
            }
            for s in store.values()
        ]
    ),
    hide_index=True,
    key="scenarios_table",
)
if st.session_state.get("scenarios_selected") not in store:
    st.session_state["scenarios_selected"] = active.name if active.name in store else next(iter(store))
selected = translated_choice(st.selectbox, t("scenario_select"), list(store), "scenarios_selected", ui_sc.display_name)
load_col, copy_col, delete_col, download_col = st.columns(4)
load_col.button(t("scenario_load"), key="scenarios_load", on_click=ui_sc.load_selected)
copy_col.button(t("scenario_duplicate"), key="scenarios_duplicate", on_click=ui_sc.duplicate_selected)
delete_col.button(t("scenario_delete"), key="scenarios_delete", on_click=ui_sc.delete_selected)
download_button(
    download_col,
    t("scenario_download"),
    partial(sc.scenario_json, store[selected]),
    file_name=f"{selected}.scenario.json",
    mime="application/json",
    key="scenarios_download",
)
rename_col, rename_button_col = st.columns([3, 1], vertical_alignment="bottom")
rename_col.text_input(t("scenario_rename_to"), key="scenarios_rename_to")
rename_button_col.button(t("scenario_rename"), key="scenarios_rename", on_click=ui_sc.rename_selected)
st.subheader(t("export_heading"))
ui_report_view.export_panel(prepared, active, lang, data.dataset_label(dataset), dataset.fingerprint)

st.subheader(t("scenario_link_heading"))
st.caption(t("scenario_link_note"))
st.code(ui_sc.share_link(active), language=None, wrap_lines=True)

st.subheader(t("compare_heading"))
defaults = [s for s in (sc.baseline_scenario().name, sc.proposed_scenario().name) if s in store]
chosen = st.multiselect(
    t("compare_pick"), list(store), default=defaults, max_selections=4, key=f"scenarios_compare@{lang}",
    placeholder=t("choose_options"),
    format_func=ui_sc.display_name,
)  # fmt: skip
if len(chosen) < 2:
    st.info(t("compare_need_two"))
    st.stop()
summaries = [ui_cmp.summary(prepared, store[name]) for name in chosen]
comparison = scenario_comparison(prepared, summaries, unit_names=ui_places.names(prepared, "branch"))
for sentence in comparison.sentences:
    st.markdown(f"- {md(say(sentence))}")
headline = comparison.headline.assign(scenario=lambda f: f["scenario"].map(ui_sc.display_name))
money_columns = [c for c in headline.columns if c != "scenario"]
headline[money_columns] = headline[money_columns].map(lambda v: format_money(v, lang))
st.dataframe(headline.rename(columns=lambda c: t(f"compare_{c}")), hide_index=True, key="scenarios_headline_table")
tiers = ui_sc.tier_rows(comparison.tiers).pivot_table(index="group", columns="scenario", values="customers", sort=False)
tiers = tiers.rename_axis(index=t("compare_tier"), columns=None).map(count)
st.dataframe(tiers, key="scenarios_tiers_table")
for name, (counts, _) in comparison.migrations.items():
    shown_name, reference = ui_sc.display_name(name), ui_sc.display_name(chosen[0])
    plot(
        chart(migration_heatmap, named_axes(counts), t("compare_migration", name=shown_name), shown_name, reference),
        key=f"scenarios_migration_{chosen.index(name)}",
    )
ranks = comparison.rank_changes
ranks = ui_places.named(ranks, prepared, {"unit": "branch"}) if len(ranks) else ranks
table(ranks.assign(scenario=ranks["scenario"].map(ui_sc.display_name)) if len(ranks) else ranks, "scenarios_rank_table")
