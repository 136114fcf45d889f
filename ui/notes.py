"""Meeting notes in the app: a comment per finding or deck step, a view of ``Scenario.meeting_notes``."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from crm_core.notes import MAX_NOTE, NOTE_STEPS
from ui import settings
from ui.i18n import t


def _commit(anchor: str, key: str) -> None:
    text = st.session_state.get(key) or ""
    settings.commit(lambda s: replace(s, meeting_notes=s.meeting_notes.with_note(anchor, text)))


def note_input(anchor: str, label: str, container=None) -> None:
    """A text area showing the scenario's note on ``anchor``; editing it writes the scenario."""
    key = f"meeting_notes.{anchor}"
    st.session_state[key] = settings.active().meeting_notes.note(anchor)
    (container or st).text_area(label, key=key, on_change=_commit, args=(anchor, key), max_chars=MAX_NOTE, height=90)


def finding_note(finding_key: str, container) -> None:
    """A popover to write the note on one playbook finding (its label says whether one exists)."""
    anchor = f"finding:{finding_key}"
    has_note = bool(settings.active().meeting_notes.note(anchor))
    with container.popover(t("note_edit") if has_note else t("note_add"), icon=":material/edit_note:"):
        note_input(anchor, t("note_label"))


def step_notes() -> None:
    """One note per deck step, in an expander (printed on the slide and in its speaker notes)."""
    notes = settings.active().meeting_notes
    written = sum(1 for step in NOTE_STEPS if notes.note(f"step:{step}"))
    with st.expander(t("step_notes_heading", n=written), icon=":material/edit_note:"):
        st.caption(t("step_notes_help"))
        for step in NOTE_STEPS:
            note_input(f"step:{step}", t(f"report_step_{step}"))
