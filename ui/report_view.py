"""Rendering of the storyline (meeting mode) and the export buttons of the Scenarios page."""

from __future__ import annotations

import streamlit as st

from crm_core import report
from crm_core.scenarios import Scenario
from ui import report as ui_report
from ui.i18n import t
from ui.settings import settings_of
from ui.widgets import XLSX, download_button, md, plot

STEP_KEY = "meeting_step"


def _move(delta: int, count: int) -> None:
    st.session_state[STEP_KEY] = min(max(int(st.session_state.get(STEP_KEY, 0)) + delta, 0), count - 1)


def meeting_storyline(built: report.Report) -> None:
    """One storyline step at a time, large: the deck's steps, their tables where a step has no chart, notes."""
    count = len(built.steps)
    index = min(int(st.session_state.get(STEP_KEY, 0)), count - 1)
    step = built.steps[index]
    st.caption(t("meeting_progress", n=index + 1, total=count))
    st.header(md(step.title))
    st.markdown(f"### {md(step.headline)}")
    if step.numbers:
        for column, number in zip(st.columns(len(step.numbers)), step.numbers, strict=True):
            column.metric(number.label, number.text)
    if step.figure is not None and not step.wide_table:
        plot(step.figure, key=f"meeting_chart_{index}")
    if step.table is not None and len(step.table) and (step.figure is None or step.wide_table):
        st.dataframe(step.table, hide_index=True, key=f"meeting_table_{index}")  # strategy, findings, decisions
    if step.meeting_note:
        st.info(md(step.meeting_note), icon=":material/edit_note:")
    if built.scope:
        st.caption(md(" ".join(built.scope)))
    back, _, forward = st.columns([1, 4, 1])
    back.button(t("meeting_back"), key="meeting_back", on_click=_move, args=(-1, count), disabled=index == 0)
    forward.button(t("meeting_next"), key="meeting_next", on_click=_move, args=(1, count), disabled=index == count - 1)
    with st.expander(t("speaker_notes")):
        st.text(step.notes)


def export_panel(prepared, scenario: Scenario, lang: str, dataset_name: str, fingerprint: str) -> None:
    """Deck, HTML report, Excel tables and a chart as PNG, stamped with scenario, dataset and date.

    Every file is built when its button is clicked (a download callable), never on a rerun; the
    storyline they share is computed once per dataset, scenario and language. The chart picker for
    a PNG needs the storyline's steps, so it opens behind a toggle: visiting the page builds nothing.
    """
    stamp = ui_report.stamp_args(scenario, dataset_name, fingerprint)
    template = st.file_uploader(t("deck_template"), type=["pptx"], key="export_template")
    template_bytes = template.getvalue() if template else None
    if template_bytes is not None:
        try:
            report.check_template(template_bytes)
        except report.ExportError as error:
            st.error(md(str(error)))
            template_bytes = None
    deck_col, html_col, xlsx_col = st.columns(3)

    def storyline() -> report.Report:
        return ui_report.content(prepared, scenario, lang)

    def deck() -> bytes:
        return report.deck_pptx(storyline(), template=template_bytes, **stamp)

    download_button(deck_col, t("download_deck"), deck, f"strategy_{lang}.pptx",
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    key="export_pptx")  # fmt: skip
    download_button(html_col, t("download_html"), lambda: report.report_html(storyline(), **stamp),
                    f"strategy_{lang}.html", "text/html", key="export_html")  # fmt: skip

    def tables() -> bytes:
        return report.report_workbook(storyline(), **stamp, as_of=prepared.as_of)

    download_button(xlsx_col, t("download_tables"), tables, f"strategy_tables_{lang}.xlsx", XLSX, key="export_xlsx")
    # Listing the charts builds the whole storyline (about a second at 1M customers): only when asked.
    if not st.toggle(t("png_open"), key="export_png_open"):
        return
    chart_col, png_col = st.columns([3, 1], vertical_alignment="bottom")
    # The charts depend on the settings, not on the scenario's name: saving under a new name reuses them.
    built = ui_report.content(prepared, settings_of(scenario), lang)
    charted = [step for step in built.steps if step.chart is not None]  # figures drawn only for the PNG asked for
    if not charted:
        return
    chosen = chart_col.selectbox(
        t("png_chart"), range(len(charted)), format_func=lambda i: charted[i].title, key=f"export_png_step@{lang}"
    )  # fmt: skip (labels redraw on a switch)
    download_button(png_col, t("download_png"), lambda: report.figure_png(charted[chosen].figure),
                    f"chart_{chosen + 1}.png", "image/png", key="export_png")  # fmt: skip
