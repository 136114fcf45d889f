"""Rendering of the storyline (meeting mode) and the export buttons of the Scenarios page."""

from __future__ import annotations

import hashlib

import streamlit as st

from crm_core import report
from crm_core.scenarios import Scenario, scenario_json
from ui import report as ui_report
from ui.i18n import t
from ui.widgets import md

STEP_KEY = "meeting_step"


def _move(delta: int, count: int) -> None:
    st.session_state[STEP_KEY] = min(max(int(st.session_state.get(STEP_KEY, 0)) + delta, 0), count - 1)


def meeting_storyline(built: report.Report) -> None:
    """One storyline step at a time, large: positioning → tiers → stickiness → value → staff → guarantees."""
    count = len(built.steps)
    index = min(int(st.session_state.get(STEP_KEY, 0)), count - 1)
    step = built.steps[index]
    st.caption(t("meeting_progress", n=index + 1, total=count))
    st.header(md(step.title))
    st.markdown(f"### {md(step.headline)}")
    if step.numbers:
        for column, number in zip(st.columns(len(step.numbers)), step.numbers, strict=True):
            column.metric(number.label, number.text)
    if step.figure is not None:
        st.plotly_chart(step.figure, key=f"meeting_chart_{index}")
    back, _, forward = st.columns([1, 4, 1])
    back.button(t("meeting_back"), key="meeting_back", on_click=_move, args=(-1, count), disabled=index == 0)
    forward.button(t("meeting_next"), key="meeting_next", on_click=_move, args=(1, count), disabled=index == count - 1)
    with st.expander(t("speaker_notes")):
        st.text(step.notes)


def export_panel(built: report.Report, scenario: Scenario, dataset_name: str, fingerprint: str) -> None:
    """Deck, HTML report, Excel tables and a chart as PNG, all stamped with scenario, dataset and date."""
    stamp = ui_report.stamp_args(scenario, dataset_name, fingerprint)
    key = hashlib.sha256(f"{fingerprint}{scenario_json(scenario)}{built.lang}".encode()).hexdigest()
    template = st.file_uploader(t("deck_template"), type=["pptx"], key="export_template")
    deck_col, html_col, xlsx_col = st.columns(3)
    try:
        deck = ui_report.deck(built, stamp, template.getvalue() if template else None, key)
    except report.ExportError as error:
        st.error(md(str(error)))
        deck = None
    if deck is not None:
        deck_col.download_button(t("download_deck"), deck, f"strategy_{built.lang}.pptx",
                                 "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                 key="export_pptx")  # fmt: skip
    html_col.download_button(t("download_html"), report.report_html(built, **stamp), f"strategy_{built.lang}.html",
                             "text/html", key="export_html")  # fmt: skip
    xlsx_col.download_button(
        t("download_tables"), report.report_workbook(built), f"strategy_tables_{built.lang}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="export_xlsx",
    )  # fmt: skip
    charted = [step for step in built.steps if step.figure is not None]
    if not charted:
        return
    chart_col, png_col = st.columns([3, 1], vertical_alignment="bottom")
    chosen = chart_col.selectbox(t("png_chart"), range(len(charted)), format_func=lambda i: charted[i].title,
                                 key="export_png_step")  # fmt: skip
    if png_col.button(t("make_png"), key="export_make_png"):
        try:
            st.session_state["_export_png"] = (chosen, report.figure_png(charted[chosen].figure))
        except report.ExportError as error:
            st.error(md(str(error)))
    made = st.session_state.get("_export_png")
    if made and made[0] == chosen:
        png_col.download_button(t("download_png"), made[1], f"chart_{chosen + 1}.png", "image/png", key="export_png")
