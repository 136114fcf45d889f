"""AppTest of the Strategy playbook: five findings with links, plays per tier, editable guarantee targets."""

from dataclasses import replace
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.playbook import targets_edited

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_playbook() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception, at.exception
    return at


def findings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value[:3] in {f"**{n}" for n in range(1, 6)}]


def test_five_findings_read_as_before_and_a_language_switch_recomputes_none(monkeypatch):
    """The sample's five findings word for word in English, then 中文 after a switch that computes no finding."""
    import crm_core.playbook as pb
    from crm_core.text_safety import markdown_text
    from tests.test_playbook_findings import SAMPLE_SENTENCES
    from ui import playbook as ui_pb

    calls: list[str] = []
    original = pb.executive_findings

    def counted(*args, **kwargs):
        calls.append("executive_findings")
        return original(*args, **kwargs)

    monkeypatch.setattr(pb, "executive_findings", counted)
    ui_pb._findings.clear()  # another test's cached findings would hide the count
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = "EN"
    at.run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception, at.exception
    assert calls == ["executive_findings"]  # computed once for the page (the counter sees the page's call)
    expected = [f"**{rank}. {markdown_text(s)}**" for rank, (_, s, _) in enumerate(SAMPLE_SENTENCES["en"], start=1)]
    assert findings(at) == expected
    assert len(at.get("page_link")) >= 5
    calls.clear()
    at.segmented_control(key="lang").set_value("中文").run()
    assert not at.exception, at.exception
    expected = [f"**{rank}. {markdown_text(s)}**" for rank, (_, s, _) in enumerate(SAMPLE_SENTENCES["zh"], start=1)]
    assert findings(at) == expected
    assert calls == [], f"switching language recomputed the findings {len(calls)} times"


def test_findings_follow_the_scenario():
    at = open_playbook()
    before = findings(at)
    at.switch_page("pages/scenarios.py").run()
    at.selectbox(key="scenarios_selected__en").set_value("Proposed strategy")
    at.button(key="scenarios_load").click().run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    after = findings(at)
    assert after != before
    # a staff-ranking shift is not money at stake: it is never a finding (issue 18)
    assert not any("places or more" in f for f in after)


def test_guarantee_targets_are_editable():
    at = open_playbook()

    def met() -> tuple[int, int]:
        caption = next(c.value for c in at.caption if "measurable KPIs" in c.value)
        met, total = caption.split(" KPIs")[0].split(" of ")[0], caption.split(" of ")[1].split(" ")[0]
        return int(met), int(total)

    _, total = met()
    rows = len(next(d.value for d in at.dataframe if "Owner" in d.value.columns))
    from crm_core import playbook as pb
    from crm_core.prepare import prepared_dataset
    from crm_core.sample import read_sample

    kpis = list(pb.guarantee_measures(prepared_dataset(read_sample()), at.session_state["scenario_active"])["kpi"])
    edits = {i: {"target": 0.0, "owner": "Retail head"} for i in range(rows)}
    scenario = at.session_state["scenario_active"]
    # What the editor's change callback writes: the scenario holds the targets (so the deck has them too).
    at.session_state["scenario_active"] = replace(scenario, guarantees=targets_edited(scenario.guarantees, kpis, edits))
    at.run()
    assert not at.exception
    assert met() == (total, total)  # every measurable KPI meets a zero target
    assert rows == 8
    table = next(d.value for d in at.dataframe if "Owner" in d.value.columns)
    assert (table["Owner"] == "Retail head").all()


def test_guarantee_edits_become_the_scenarios_targets_owners_and_milestones():
    from crm_core.playbook.config import GuaranteeTargets

    edited = targets_edited(
        GuaranteeTargets(), ["retention", "rm_coverage"], {0: {"target": 0.95, "owner": "Retail head"},
                                                           1: {"milestone": "2027-Q2"}},
    )  # fmt: skip
    assert edited.target_map["retention"] == 0.95
    assert edited.owner_map == {"retention": "Retail head"}
    assert edited.milestone_map == {"rm_coverage": "2027-Q2"}
