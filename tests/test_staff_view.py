"""The Staff KPIs view is one result: small units folded, computed once, read by every surface (issues 17, 18)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import staff
from crm_core.comparison import scenario_summary
from crm_core.dataset import Dataset
from crm_core.messages import Message, render
from crm_core.playbook import executive_findings
from crm_core.prepare import prepared_dataset
from crm_core.report.content import _staff
from crm_core.report.workbook import table_sheet
from crm_core.scenarios import Scenario, proposed_scenario
from tests.conftest import bank_fingerprint

ROOT = Path(__file__).resolve().parents[1]
EXACT = staff.ScorecardConfig(shrinkage=False, replicates=0)
"""Raw rates, no resampling: every figure below is worked out by hand."""


def bank(small: dict[str, tuple[int, int]], unassigned: int = 0) -> Dataset:
    """Three big branches and ``small`` ones, each (customers a year ago, of whom closed since), as of March 2026.

    A keeps all 40, B loses 4 of 50, C loses 12 of 60; ``unassigned`` more customers have no branch.
    """
    sizes = {"A": (40, 0), "B": (50, 4), "C": (60, 12), **small}
    rows = []
    for branch, (customers, closed) in sizes.items():
        for i in range(customers):
            rows.append((branch, pd.Timestamp("2025-10-01") if i < closed else pd.NaT))
    rows += [(None, pd.NaT)] * unassigned
    customers = pd.DataFrame(
        {
            "customer_id": pd.array([f"c{i}" for i in range(len(rows))], dtype="string"),
            "aum": 1000.0,
            "branch": pd.array([r[0] for r in rows], dtype="string"),
            "open_date": pd.Timestamp("2020-01-01"),
            "closed_date": pd.to_datetime([r[1] for r in rows]),
        }
    )
    return Dataset("hand-built", customers, None, None, fingerprint=bank_fingerprint("hand-built staff"))


SETTINGS = staff.StaffSettings(
    weights=(("retention", 100),), baseline="deposit_sales", proposed=(("retention", 100),), config=EXACT
)


def view_of(small: dict[str, tuple[int, int]], unassigned: int = 0) -> staff.StaffView:
    return staff.staff_view(prepared_dataset(bank(small, unassigned)), "branch", SETTINGS)


def test_small_units_fold_into_one_row_that_hides_its_figures_below_the_minimum():
    # D keeps 8 of 10, E all 12: 20 customers together, still under 30.
    view = view_of({"D": (10, 2), "E": (12, 0)}, unassigned=5)
    ranking = view.ranking
    assert view.units == ("A", "B", "C") and view.small_units == ("D", "E")
    assert ranking["row"].tolist() == [staff.UNIT] * 3 + [staff.SMALL_UNITS, staff.UNASSIGNED]
    assert ranking["unit"].tolist()[:3] == ["A", "B", "C"] and ranking["unit"].isna().tolist()[3:] == [True, True]
    # Retention 100%, 92%, 80% on 0.8–1.0: scores 100, 60, 0.
    np.testing.assert_allclose(ranking["score"].to_numpy(dtype=float)[:3], [100.0, 60.0, 0.0])
    assert ranking["rank"].tolist()[:3] == [1, 2, 3] and ranking["rank"].isna().tolist()[3:] == [True, True]
    fold = ranking.iloc[3]
    assert fold["customers"] == 20 and fold["small_unit"] and not fold["ranked"] and fold["rank_change"] == 0
    assert ranking.loc[3, list(staff.view.FIGURES)].isna().all()  # 20 < 30: no figure, not even together
    assert fold["note"] == Message("staff_small_units_hidden", minimum=30)
    assert ranking.iloc[4]["customers"] == 5 and ranking.loc[4, list(staff.view.FIGURES)].isna().all()
    # The rows add up to the bank's active customers: 40 + 46 + 48 + 20 + 5.
    assert int(ranking["customers"].sum()) == 159
    # No surface-facing frame holds a small unit's own figures.
    assert list(view.values.index) == list(view.status.index) == ["A", "B", "C"]
    assert view.guardrail["unit"].tolist() == ["A", "B", "C"]


def test_the_fold_shows_its_figures_once_it_reaches_the_minimum():
    # D keeps 12 of 15, E 19 of 20: 31 customers, 31 of 35 kept (88.6%): score (0.8857 − 0.8) / 0.2.
    view = view_of({"D": (15, 3), "E": (20, 1)})
    fold = view.ranking.set_index("row").loc[staff.SMALL_UNITS]
    assert fold["customers"] == 31 and fold["note"] is None
    assert fold["score"] == pytest.approx(100 * (31 / 35 - 0.8) / 0.2)
    assert fold["customer"] == pytest.approx(fold["score"]) and np.isnan(fold["financial"])
    assert staff.UNASSIGNED not in set(view.ranking["row"])  # every customer has a branch here
    assert int(view.ranking["customers"].sum()) == 40 + 46 + 48 + 31


def test_one_small_unit_alone_is_never_shown():
    view = view_of({"D": (29, 0)})
    fold = view.ranking.set_index("row").loc[staff.SMALL_UNITS]
    assert fold["customers"] == 29 and np.isnan(fold["score"])


def test_labels_and_the_rule_read_in_both_languages():
    view = view_of({"D": (10, 2), "E": (12, 0)}, unassigned=5)
    en = staff.labelled_ranking(view, {"A": "Alpha"}, lambda m: render(m, "en"))
    assert en["unit"].tolist() == [
        "Alpha",
        "B",
        "C",
        "Units under 30 customers (2 units, 20 customers)",
        "Customers without a branch",
    ]
    assert en["note"].tolist()[3] == "No figures: together still under 30 customers."
    zh = staff.labelled_ranking(view, {}, lambda m: render(m, "zh"))
    assert zh["unit"].tolist()[3:] == ["客户不足30名的单位（2个单位，20名客户）", "未归属网点的客户"]
    assert render(view.fold_rule, "en").endswith("so customers still add up to the bank's total. Folded: D, E.")
    assert render(view.fold_rule, "zh").endswith("合并的单位：D, E。")


def test_the_report_and_its_workbook_show_the_fold_not_the_small_units():
    prepared = prepared_dataset(bank({"D": (10, 2), "E": (12, 0)}, unassigned=5))
    step, ranking = _staff(prepared, Scenario(), lambda level: staff.staff_view(prepared, level, SETTINGS), {}, "en")
    assert ranking["unit"].tolist()[3:] == ["Units under 30 customers (2 units, 20 customers)",
                                            "Customers without a branch"]  # fmt: skip
    assert not {"D", "E"} & set(ranking["unit"]) and not {"D", "E"} & set(step.table.iloc[:, 0])
    assert not {"D", "E"} & set(step.chart.categories)
    sheet = table_sheet("ranking", ranking, "en").frame
    assert sheet["Customers"].sum() == 159
    assert any("Units with fewer than 30 active customers" in line for line in step.notes.split("\n"))


def test_the_view_is_language_free_and_names_units_at_the_edge():
    view = view_of({"D": (10, 2), "E": (12, 0)})
    messages = [view.movers, view.separation, *view.notes, *view.guardrail_notes, view.fold_rule]
    assert all(isinstance(m, Message) for m in messages if m is not None)
    shown = staff.named_view(view, {"A": "Alpha", "D": "Delta"})
    assert shown.units == ("Alpha", "B", "C") and shown.small_units == ("Delta", "E")
    assert shown.ranking["unit"].tolist()[:3] == ["Alpha", "B", "C"]
    assert "Alpha" in render(shown.separation, "en") and "Alpha" not in render(view.separation, "en")
    pd.testing.assert_frame_equal(shown.ranking.drop(columns="unit"), view.ranking.drop(columns="unit"))


def test_the_scenario_weights_equal_to_the_baseline_compare_the_proposed_ones():
    prepared = prepared_dataset(bank({}))
    baseline = staff.staff_view(prepared, "branch", replace(staff.StaffSettings.of(Scenario()), config=EXACT))
    assert baseline.fallback and baseline.current_label.key == "staff_proposed"
    proposed = staff.staff_view(prepared, "branch", replace(staff.StaffSettings.of(proposed_scenario()), config=EXACT))
    assert not proposed.fallback and proposed.current_label == staff.PRESET_TERMS["customer_centric"]
    assert proposed.scenario_weights == baseline.weights  # the proposed scenario's weights are the fallback's
    # The comparison ranks under the scenario's own weights: the baseline's, when it falls back.
    ranks = baseline.scenario_ranks.set_index("unit")["rank"]
    assert ranks.to_dict() == baseline.ranking.set_index("unit")["baseline_rank"].dropna().astype(int).to_dict()
    assert staff.StaffSettings.of(Scenario()).proposed == proposed_scenario().staff_weights  # one proposal


def test_every_surface_reads_the_view_it_is_given(small_sample):
    """Findings and comparison take the view as given: a doctored ranking shows in each."""
    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    scenario = proposed_scenario()
    view = staff.staff_view(prepared, "branch", staff.StaffSettings.of(scenario))
    reversed_ranks = view.ranking.assign(rank=view.ranking["rank"][::-1].to_numpy())
    doctored = replace(view, ranking=reversed_ranks)
    summary = scenario_summary(prepared, scenario, staff_views=lambda level: doctored)
    assert summary.ranking["rank"].tolist() == doctored.scenario_ranks["rank"].tolist()
    skipped = replace(view, units=())  # nothing rankable: the finding says so, the comparison has no ranks
    assert scenario_summary(prepared, scenario, staff_views=lambda level: skipped).ranking.empty
    findings = executive_findings(prepared, scenario, staff_views=lambda level: skipped)
    reason = next(f for f in findings.skipped if f.key == "staff_shift")
    assert render(reason.reason, "en") == "Too few branches or indicators to rank."


def test_the_staff_chain_is_assembled_once():
    """Only the view ranks, flags and words the movers; surfaces read it (``duplicates`` stays clean)."""
    chain = r"\b(ranking_table|guardrail_flags|rank_intervals|movers_message|separation_message|indicator_status)\("
    callers = set()
    for folder in ("crm_core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.parent.name == "staff" and path.parent.parent.name == "crm_core" and path.name != "view.py":
                continue  # the chain's own pieces
            body = re.sub(r"def \w+\(", "", path.read_text(encoding="utf-8"))
            if re.search(chain, body):
                callers.add(path.relative_to(ROOT).as_posix())
    assert callers == {"crm_core/staff/view.py"}, callers
    scorecards = set()
    for folder in ("crm_core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if re.search(r"\bstaff_scorecard\(", path.read_text(encoding="utf-8")) and path.name != "indicators.py":
                scorecards.add(path.relative_to(ROOT).as_posix())
    # Computed in one place, which reads an artefact's stored scorecard when it fits.
    assert scorecards == {"crm_core/stored_models.py"}, scorecards
    readers = {
        path.relative_to(ROOT).as_posix()
        for folder in ("crm_core", "ui", "pages")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\bscorecard_of\(", re.sub(r"def \w+\(", "", path.read_text(encoding="utf-8")))
    }
    assert readers == {"crm_core/staff/view.py", "ui/staff.py"}, readers


@pytest.mark.slow
def test_switching_language_recomputes_nothing_on_staff_kpis(monkeypatch):
    calls: list[str] = []
    for name in ("staff_view", "staff_scorecard"):
        original = getattr(staff, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(staff, name, counted)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "EN"
    at.run()
    at.switch_page("pages/staff_kpis.py").run()
    assert not at.exception, at.exception
    assert any("Units with fewer than 30 active customers" in c.value for c in at.caption)
    title = at.title[0].value
    calls.clear()
    at.segmented_control(key="lang").set_value("中文").run()
    assert not at.exception, at.exception
    assert at.title[0].value != title, "the page did not re-render in the other language"
    assert any("有效客户少于30名的单位不参与排名" in c.value for c in at.caption)
    assert calls == [], f"switching language recomputed {calls}"
