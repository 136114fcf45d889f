"""A value measure that is not AUM is never priced at the AUM margin; primacy is not shown as 0% when the data lacks it.

Issue 19: a stand-in for AUM (credit limit, income, spend) was priced at the 1% AUM margin in lifetime value and in
the playbook's money at stake, and primacy read as 0% on files without payroll or usage data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_core import loyalty as loy
from crm_core.loading import load_dataset
from crm_core.messages import Message, Term, render
from crm_core.playbook.findings import executive_findings
from crm_core.prepare import prepared_dataset
from crm_core.scenarios import Scenario
from tests.conftest import app_on, tiny_dataset

EXTRACTS = Path(__file__).resolve().parent / "fixtures" / "extracts"
MARGIN_FINDINGS = ("at_risk_affluent", "concentration", "churn_loss", "silent_attrition")


def churners():
    return load_dataset([("bank_churners.csv", (EXTRACTS / "bank_churners.csv").read_bytes())])[0]


@pytest.mark.parametrize("measure", ["credit_limit", "annual_income", "annual_spend"])
def test_a_stand_in_measure_has_no_contribution_or_lifetime_value(measure):
    prepared = prepared_dataset(replace(tiny_dataset(), value_measure=measure))
    values = loy.customer_value(prepared, None)
    active = prepared.customers["is_active"].to_numpy(dtype=bool)
    assert values["contribution"].isna().all()
    assert values.loc[active, "clv"].isna().all()
    assert (values.loc[~active, "clv"] == 0).all()  # closed customers are worth nothing, priced or not
    assert (values["quadrant"] == -1).all()
    assert loy.clv_missing(prepared, values) == Message("clv_not_priced", measure=Term(f"measure_{measure}"))
    by_group = loy.clv_by_segment(values, np.zeros(len(values), int), ["all"], active)
    assert by_group["total_clv"].isna().all() and by_group["total_contribution"].isna().all()  # n/a, not 0


@pytest.mark.parametrize("measure", ["aum", "deposit_balance", "investment_balance"])
def test_aum_and_its_parts_are_priced_at_the_margin(measure):
    prepared = prepared_dataset(replace(tiny_dataset(), value_measure=measure))
    values = loy.customer_value(prepared, None, config=loy.ClvConfig(aum_margin=0.01))
    assert values["contribution"].tolist() == [1.0, 3.0, 0.0, 0.0]
    assert loy.clv_missing(prepared, values) is None


def test_a_given_contribution_prices_a_stand_in():
    dataset = tiny_dataset()
    customers = dataset.customers.assign(annual_contribution=[5.0, np.nan, 1.0, 1.0])
    prepared = prepared_dataset(replace(dataset, customers=customers, value_measure="credit_limit"))
    values = loy.customer_value(prepared, None)
    assert values["contribution"].tolist()[0] == 5.0 and np.isnan(values["contribution"].tolist()[1])
    assert values["quadrant"].tolist()[:2] == [0, -1]  # the priced active customer is placed; B is not
    assert loy.clv_missing(prepared, values) is None


def test_a_customer_without_a_value_is_not_priced_at_zero():
    dataset = tiny_dataset()
    customers = dataset.customers.assign(aum=[100.0, np.nan, 0.0, 0.0])
    values = loy.customer_value(prepared_dataset(replace(dataset, customers=customers)), None)
    assert values["contribution"].tolist()[0] == pytest.approx(1.0)
    assert np.isnan(values["contribution"].tolist()[1]) and np.isnan(values["clv"].tolist()[1])


def test_the_what_if_keeps_the_measure_and_says_contribution_is_not_priced():
    frame = pd.DataFrame(
        {"code": [-1], "customers_kept": [12.0], "aum_kept": [1e6], "aum_kept_low": [8e5], "aum_kept_high": [1.2e6],
         "contribution_kept": [np.nan], "clv_kept": [np.nan]}
    )  # fmt: skip
    said = render(loy.what_if_message(frame, loy.RetentionScenario(retained_share=0.2), "credit_limit"), "en")
    assert said.startswith("Retaining 20% of the would-be churners")
    assert "of credit limit (range" in said and "contribution and lifetime value are not priced" in said
    assert "nan" not in said.lower()


def test_the_playbook_does_not_price_a_credit_limit_at_the_aum_margin():
    prepared = prepared_dataset(churners())
    assert prepared.dataset.value_measure == "credit_limit"
    found = executive_findings(prepared, Scenario())
    skipped = {f.key: f.reason for f in found.skipped}
    reason = Message("finding_not_priced", measure=Term("measure_credit_limit"))
    assert {key: skipped.get(key) for key in MARGIN_FINDINGS} == dict.fromkeys(MARGIN_FINDINGS, reason)
    assert not [f.key for f in found.ranked if f.key in MARGIN_FINDINGS]
    assert render(reason, "zh").startswith("无法定价：价值指标为信用额度")


def test_primacy_is_not_measured_without_its_inputs():
    frame = pd.DataFrame({"customer_id": ["a"], "age": [30]})
    assert loy.primacy_missing(frame) == Message(
        "primacy_missing",
        needs=Message(
            "primacy_needs_both", first=Message("primacy_needs_payroll"), second=Message("primacy_needs_usage")
        ),
    )
    assert loy.primacy_missing(frame.assign(products_held=[2])) == Message(
        "primacy_missing", needs=Message("primacy_needs_usage")
    )
    assert loy.primacy_missing(frame.assign(products_held=[2], mobile_active=[True])) is None
    assert loy.primacy_missing(frame.assign(products_held=[2], mobile_active=[pd.NA])) is not None  # all missing
    cards = frame.assign(is_payroll=[True], has_debit_card=[True], atm_txn_12m=[4])
    assert loy.primacy_missing(cards) is None
    assert loy.primacy_missing(frame, loy.PrimacyConfig(require_payroll=False, require_usage=False)) is None


def test_the_loyalty_view_shows_no_primacy_share_it_cannot_measure():
    prepared = prepared_dataset(churners())
    view = loy.loyalty_view(
        prepared, np.zeros(len(prepared.customers), int), ["all"], loy.LoyaltySettings.of(Scenario())
    )
    assert np.isnan(view.primacy_share)
    assert view.stickiness["primacy_share"].isna().all()
    assert np.isnan(view.tiles().set_index("metric").loc["primacy_share", "value"])


def churners_file(rows: int = 400, seed: int = 3) -> bytes:
    """A BankChurners-shaped file large enough to train the churn model (inactivity drives attrition)."""
    rng = np.random.default_rng(seed)
    inactive = rng.integers(0, 7, rows)
    trans = rng.integers(10, 140, rows)
    attrited = rng.random(rows) < 1 / (1 + np.exp(-(inactive - 3.5) - (60 - trans) / 25))
    frame = pd.DataFrame(
        {
            "CLIENTNUM": 700_000_000 + np.arange(rows),
            "Attrition_Flag": np.where(attrited, "Attrited Customer", "Existing Customer"),
            "Customer_Age": rng.integers(25, 70, rows),
            "Months_on_book": rng.integers(12, 60, rows),
            "Total_Relationship_Count": rng.integers(1, 7, rows),
            "Months_Inactive_12_mon": inactive,
            "Contacts_Count_12_mon": rng.integers(0, 6, rows),
            "Credit_Limit": rng.uniform(1_500, 35_000, rows).round(1),
            "Total_Trans_Ct": trans,
        }
    )
    return frame.to_csv(index=False).encode()


def test_the_loyalty_page_says_why_it_shows_no_lifetime_value_or_primacy():
    dataset = load_dataset([("churners.csv", churners_file())])[0]
    at = app_on(dataset, "EN", "loyalty", timeout=300)
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]  # the model is usable: the value panel is reached
    chart = next(c for c in at.get("plotly_chart") if "Stickiness by group" in c.proto.spec)
    assert json.loads(chart.proto.spec)["data"][0]["x"] == ["mass"]  # the empty tiers are no flat lines at 0
    infos = [i.value for i in at.info]
    assert any(i.startswith("Lifetime value is not shown: the value measure is credit limit") for i in infos), infos
    assert "Main bank: not measured. The file lacks what the rule needs" in " ".join(c.value for c in at.caption)
    assert not [s for s in at.slider if "clv_discount_rate" in str(s.key)]  # no control over a figure not shown
    assert not [m for m in at.metric if m.label == "Primacy share" and m.value not in ("n/a", "—")]
