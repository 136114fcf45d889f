"""Meeting notes (issue 20, item 7): entered in the app, kept in the scenario, checked on the way in."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import scenario_links as links
from crm_core import scenarios as sc
from crm_core.notes import MeetingNotes


def test_notes_are_checked_and_travel_in_files_and_links():
    notes = MeetingNotes((("finding:at_risk_tier", "Plan by June.\nOwner: 王经理"), ("step:staff", "Pilot in Ningbo")))
    scenario = sc.Scenario(meeting_notes=notes)
    assert sc.scenario_from_json(sc.scenario_json(scenario)) == scenario
    assert links.scenario_from_query(links.scenario_query(scenario)).meeting_notes == notes
    for bad in ((("slide 3", "x"),), (("step:staff", "x" * 1_001),), (("step:staff", "a\u202eb"),)):
        with pytest.raises(ValueError, match="meeting_notes"):
            MeetingNotes(bad)


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_a_note_written_on_the_playbook_is_kept_in_the_scenario(lang):
    from ui.settings import ACTIVE_KEY

    at = AppTest.from_file("../app.py", default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    finding_keys = [a.key for a in at.text_area if a.key.startswith("meeting_notes.finding:")]
    assert finding_keys, "every finding offers a note"
    at.text_area(key=finding_keys[0]).input("Ask the retail head for a plan").run()
    at.text_area(key="meeting_notes.step:staff").input("Pilot the scorecard in two branches").run()
    assert not at.exception
    notes = at.session_state[ACTIVE_KEY].meeting_notes
    assert notes.note(finding_keys[0].removeprefix("meeting_notes.")) == "Ask the retail head for a plan"
    assert notes.note("step:staff") == "Pilot the scorecard in two branches"
    assert any("Ask the retail head for a plan" in i.value for i in at.info)
