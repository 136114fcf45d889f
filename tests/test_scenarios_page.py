"""AppTest: save, load, upload and link scenarios; compare; meeting mode masks identifiers."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from crm_core.scenarios import proposed_scenario, scenario_json, scenario_token

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str = "pages/scenarios.py", **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_save_then_reload_a_scenario():
    at = open_page()
    at.text_input(key="scenarios_new_name").set_value("Branch push")
    at.button(key="scenarios_save").click().run()
    assert "Branch push" in at.selectbox(key="scenarios_selected__en").options
    assert any("Saved “Branch push”" in s.value for s in at.success)
    at.selectbox(key="scenarios_selected__en").set_value("Proposed strategy")
    at.button(key="scenarios_load").click().run()
    assert not at.exception
    assert at.session_state["scenario_active"].name == "Proposed strategy"
    assert at.session_state["scenario_active"] == proposed_scenario()
    at.switch_page("pages/segments.py").run()
    assert at.selectbox(key="tiers.basis@en").value == "3m"
    at.switch_page("pages/staff_kpis.py").run()
    assert at.slider(key="staff_weights.retention").value == dict(proposed_scenario().staff_weights)["retention"]


def test_comparison_shows_sentences_for_the_two_presets():
    at = open_page()
    bullets = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any("Proposed strategy" in b for b in bullets)


def test_corrupt_upload_is_refused_and_a_valid_one_added():
    at = open_page()
    at.file_uploader(key="scenarios_upload").set_value(("bad.json", b'{"format": "x"}', "application/json")).run()
    assert at.error and "not a scenario of this dashboard" in at.error[0].value
    good = scenario_json(proposed_scenario().renamed("From file")).encode()
    at.file_uploader(key="scenarios_upload").set_value(("good.json", good, "application/json")).run()
    assert "From file" in at.selectbox(key="scenarios_selected__en").options


def test_link_reproduces_the_view():
    at = open_page("pages/segments.py", scenario=scenario_token(proposed_scenario()))
    # A linked scenario keeps its settings under a name of its own: the preset is not replaced.
    assert at.session_state["scenario_active"].name == "Proposed strategy (shared link)"
    assert at.session_state["scenarios_saved"]["Proposed strategy"] == proposed_scenario()
    assert at.selectbox(key="tiers.basis@en").value == "3m"


def test_short_link_opens_the_preset_with_its_changes():
    at = open_page("pages/segments.py", s="proposed", tiers="10,50,600", kpi="customer_centric")
    scenario = at.session_state["scenario_active"]
    assert scenario.tiers.thresholds == (1e5, 5e5, 6e6) and scenario.tiers.basis == "3m"
    assert at.number_input(key="tiers.thresholds.0@en").value == 100.0  # ¥K in English
    assert "tiers" not in at.query_params  # the address bar no longer claims settings that may change


def test_damaged_link_says_so():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["scenario"] = "damaged"
    at.run()
    assert not at.exception
    assert any("not applied" in e.value for e in at.sidebar.error)
    assert at.session_state["scenario_active"] == proposed_scenario().__class__()  # nothing was applied


def test_identifiers_are_masked_unless_explicitly_shown_and_always_in_meeting_mode():
    at = open_page("pages/loyalty.py")

    def ids():
        return next(d.value for d in at.dataframe if "Customer" in d.value.columns)["Customer"]

    assert ids().str.fullmatch(r"C00\*{4}\d\d").all()  # masked by default
    at.toggle(key="show_identifiers").set_value(True).run()
    assert not ids().str.contains(r"\*").any()
    at.toggle(key="meeting_mode").set_value(True).run()
    assert not at.exception
    assert ids().str.fullmatch(r"C00\*{4}\d\d").all()


def test_exports_are_masked_by_default_and_pseudonymised_with_a_key():
    import pandas as pd

    from crm_core.privacy import pseudonymised

    frame = pd.DataFrame({"customer_id": ["C0001234"], "aum": [1.0]})
    assert pseudonymised(frame, b"k")["customer_id"].iloc[0].startswith("P")
    assert pseudonymised(frame, b"k")["customer_id"].iloc[0] != pseudonymised(frame, b"j")["customer_id"].iloc[0]
    at = open_page("pages/products.py")
    csv = at.get("download_button")
    assert csv, "the lead list download is offered"


def test_export_buttons_and_meeting_storyline():
    at = open_page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"PowerPoint deck", "HTML report (offline)", "Excel tables"} <= set(labels)
    at.toggle(key="meeting_mode").set_value(True).run()
    assert not at.exception
    assert any(c.value == "Step 1 of 11" for c in at.caption)
    first = at.header[0].value
    at.button(key="meeting_next").click().run()
    assert any(c.value == "Step 2 of 11" for c in at.caption)
    assert at.header[0].value != first
    assert not at.get("download_button"), "meeting mode shows the storyline, not the controls"


def test_untouched_settings_are_not_reported_as_modified_in_either_language():
    for lang, name in (("EN", "Baseline \\(current practice\\)"), ("中文", "基准（现行做法）")):
        at = AppTest.from_file(APP, default_timeout=180)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page("pages/playbook.py").run()
        assert not at.exception
        assert at.sidebar.caption[-1].value == name


def test_the_png_chart_picker_builds_the_storyline_only_when_opened(monkeypatch):
    import crm_core.report
    from ui import report as ui_report

    built = []
    original = crm_core.report.report_content
    monkeypatch.setattr(crm_core.report, "report_content", lambda *a, **k: built.append(1) or original(*a, **k))
    ui_report._content.clear()  # another test of this process may have built it
    at = open_page()
    assert not built, "visiting the page builds no storyline"
    assert "Download PNG" not in [b.proto.label for b in at.get("download_button")]
    at.toggle(key="export_png_open").set_value(True).run()
    assert not at.exception
    assert built
    picker = at.selectbox(key="export_png_step@en")
    assert len(picker.options) >= 5
    assert "Download PNG" in [b.proto.label for b in at.get("download_button")]
