"""AppTest of the Strategy playbook: five findings with links, plays per tier, editable guarantee targets."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_playbook() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception, at.exception
    return at


def findings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value[:3] in {f"**{n}" for n in range(1, 6)}]


def test_five_findings_with_numbers_and_links():
    at = open_playbook()
    shown = findings(at)
    assert len(shown) == 5
    assert all(any(ch.isdigit() for ch in f) for f in shown)
    assert len(at.get("page_link")) >= 5


def test_findings_follow_the_scenario():
    at = open_playbook()
    before = findings(at)
    at.switch_page("pages/scenarios.py").run()
    at.selectbox(key="scenarios_selected").set_value("Proposed strategy")
    at.button(key="scenarios_load").click().run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    after = findings(at)
    assert after != before
    assert any("branches" in f for f in after)  # the staff-ranking shift appears under the proposed strategy


def test_guarantee_targets_are_editable():
    at = open_playbook()

    def met() -> tuple[int, int]:
        caption = next(c.value for c in at.caption if "measurable KPIs" in c.value)
        met, total = caption.split(" KPIs")[0].split(" of ")[0], caption.split(" of ")[1].split(" ")[0]
        return int(met), int(total)

    _, total = met()
    rows = len(next(d.value for d in at.dataframe if "Owner" in d.value.columns))
    at.session_state["playbook_targets"] = {
        "edited_rows": {i: {"target": 0.0, "owner": "Retail head"} for i in range(rows)},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert met() == (total, total)  # every measurable KPI meets a zero target
    assert rows == 8
    table = next(d.value for d in at.dataframe if "Owner" in d.value.columns)
    assert (table["Owner"] == "Retail head").all()
