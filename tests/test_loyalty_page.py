"""AppTest of the Loyalty & value page, by widget key, against crm_core."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import loyalty as loy
from crm_core import segments as seg
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample
from ui.widgets import md

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def prepared():
    return prepared_dataset(read_sample())


def open_loyalty() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/loyalty.py").run()
    assert not at.exception, at.exception
    return at


def test_retention_what_if_follows_crm_core(prepared):
    at = open_loyalty()
    at.slider(key="retention.retained_share").set_value(40).run()
    assert not at.exception
    risk = loy.churn_risk_model(prepared)
    bands = loy.risk_bands(risk.probabilities)
    tiers = seg.aum_tiers(prepared, seg.tier_preset("default"))
    values = loy.customer_value(prepared, risk.probabilities, tiers.codes, loy.ClvConfig(discount_rate=0.08))
    scenario = loy.RetentionScenario(0.4, (), ("high",))
    kept = loy.retention_what_if(
        risk.probabilities, bands, values, tiers.codes, tiers.labels, scenario, risk.fitted.evaluation.calibration_error
    )
    assert f"**{md(render(loy.what_if_message(kept, scenario), 'en'))}**" in [m.value for m in at.markdown]
    auc = next(m.value for m in at.metric if m.label == "ROC AUC")
    assert auc == f"{risk.fitted.evaluation.roc_auc:.3f}"


def test_stickiness_weights_sum_to_100_and_definition_switch_retrains():
    at = open_loyalty()
    at.slider(key="stickiness.weights.products_held").set_value(60).run()
    weights = dict(at.session_state["scenario_active"].stickiness.weights)
    assert sum(weights.values()) == 100 and weights["products_held"] == 60
    at.selectbox(key="churn.kind@en").set_value("inactive").run()
    assert not at.exception, at.exception
    assert any(c.value.lower().startswith("churned: no transaction") for c in at.caption)


def test_the_at_risk_list_is_built_once_and_follows_the_branch_and_the_language(prepared, monkeypatch):
    import crm_core.loyalty
    from ui import loyalty as ui_loy

    built = []
    original = crm_core.loyalty.at_risk_customers
    monkeypatch.setattr(crm_core.loyalty, "at_risk_customers", lambda *a, **k: built.append(k) or original(*a, **k))
    ui_loy._at_risk.clear()  # another test of this process may have built it
    at = open_loyalty()
    assert len(built) == 1
    at.slider(key="retention.retained_share").set_value(30).run()  # a what-if move: the list is not rebuilt
    assert len(built) == 1
    english = next(d.value for d in at.dataframe if "Churn probability" in d.value.columns)
    branch = at.selectbox(key="loyalty_at_risk_branch@en")
    branch.set_value(branch.options[1]).run()
    assert not at.exception and len(built) == 2 and built[-1]["branch"] == branch.options[1]
    at.session_state["lang"] = "中文"  # the sidebar's language switch
    at.run()
    assert not at.exception and len(built) == 2  # the language words the same list again
    chinese = next(d.value for d in at.dataframe if "流失概率" in d.value.columns)
    assert set(chinese["风险等级"]) <= {"高", "中", "低"} and len(english) >= len(chinese) > 0
