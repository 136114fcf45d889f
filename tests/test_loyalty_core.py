"""Loyalty core on hand-built data: stickiness, primacy, CLV, what-if, lists, exports, KPIs and charts."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from crm_core.dataset import Dataset
from crm_core.definitions import churn_rate
from crm_core.loyalty import (
    ChurnDefinition,
    ClvConfig,
    PrimacyConfig,
    RetentionScenario,
    StickinessConfig,
    calibration_figure,
    churn_labels,
    churn_risk_model,
    clv_by_segment,
    clv_quadrant_figure,
    config_from_json,
    config_json,
    csv_bytes,
    customer_value,
    excel_bytes,
    expected_discounted_years,
    lift_figure,
    loyalty_kpis,
    primacy_flags,
    primacy_rule,
    quadrant_sample,
    retention_what_if,
    risk_by_group,
    risk_group_figure,
    stickiness_by_segment,
    stickiness_matrix,
    stickiness_scores,
    stickiness_segment_figure,
    what_if_figure,
    what_if_message,
)
from crm_core.loyalty.value import lookalike_attributes
from crm_core.messages import Message, Share, render
from crm_core.prepare import prepared_dataset
from tests.conftest import tiny_dataset

MINMAX = (0.0, 1.0)


def customers_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "is_active": [True, True, True, False],
            "products_held": [1, 3, 5, 2],
            "is_payroll": pd.array([True, False, True, pd.NA], dtype="boolean"),
            "mobile_active": [True, True, False, False],
            "tenure_months": [0.0, 60.0, 120.0, 10.0],
            "aum_trend": [-0.5, np.nan, 0.5, -1.0],
            "has_debit_card": [True, True, False, True],
            "has_credit_card": [True, False, False, False],
            "counter_txn_12m": [0, 20, 3, 0],
        }
    )


def test_stickiness_matrix_and_scores_are_exact():
    frame = customers_frame()
    before = frame.copy()
    config = StickinessConfig(clip_quantiles=MINMAX)
    matrix = stickiness_matrix(frame, config)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert matrix.indicators == (
        "products_held", "is_payroll", "mobile_active", "tenure_months", "aum_trend", "card_use",
    )  # fmt: skip
    expected = pd.DataFrame(
        {
            "products_held": [0.0, 0.5, 1.0, 0.25],
            "is_payroll": [1.0, 0.0, 1.0, 1.0],  # D unknown -> median of active customers
            "mobile_active": [1.0, 1.0, 0.0, 0.0],
            "tenure_months": [0.0, 0.5, 1.0, 10 / 120],
            # bounds from active customers (-0.5..0.5); B missing -> median of active (0.5); D clipped to 0
            "aum_trend": [0.0, 0.5, 1.0, 0.0],
            "card_use": [1.0, 0.5, 0.0, 0.5],
        }
    )
    pd.testing.assert_frame_equal(pd.DataFrame(matrix.matrix, columns=list(matrix.indicators)), expected)
    scores = stickiness_scores(matrix, config)
    weights = np.array([30, 20, 20, 0, 20, 10]) / 100  # tenure carries no signal: no default weight
    np.testing.assert_allclose(scores[:3], (expected.to_numpy() @ weights * 100)[:3])
    assert np.isnan(scores[3])  # closed customer


def test_weights_are_renormalised_over_present_indicators():
    frame = customers_frame()[["products_held", "is_payroll", "is_active"]]
    config = StickinessConfig(
        weights=(("products_held", 3), ("is_payroll", 1), ("mobile_active", 6)), clip_quantiles=MINMAX
    )
    scores = stickiness_scores(stickiness_matrix(frame, config), config)
    np.testing.assert_allclose(scores[:3], [25.0, 37.5, 100.0])


def test_primacy_flags_and_rule_text():
    frame = customers_frame()
    flags = primacy_flags(frame, PrimacyConfig(min_transactions_12m=3))
    # A payroll+mobile; B no payroll; C payroll, no mobile, no card; D closed
    assert flags.tolist() == [True, False, False, False]
    frame["has_debit_card"] = True
    # C's 3 transactions are at the counter: a card held is not card use (issue 18)
    assert primacy_flags(frame, PrimacyConfig(min_transactions_12m=3)).tolist() == [True, False, False, False]
    frame["atm_txn_12m"] = [0, 0, 3, 0]  # three card transactions at an ATM make C a card user
    assert primacy_flags(frame, PrimacyConfig(min_transactions_12m=3)).tolist() == [True, False, True, False]
    no_payroll = frame.drop(columns="is_payroll")
    assert primacy_flags(no_payroll, PrimacyConfig(min_transactions_12m=3, fallback_min_products=3)).tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert render(primacy_rule(), "en") == (
        "Main bank: salary paid through the bank; and mobile banking used in the last 3 months, or a card held "
        "with at least 12 card (ATM) transactions in 12 months."
    )
    assert render(primacy_rule(), "zh") == (
        "主办行客户：工资由本行代发，且近 3 个月使用手机银行，或持卡且近 12 个月 ATM 用卡交易不少于 12 笔。"
    )
    rule = primacy_rule(PrimacyConfig(fallback_min_products=3), has_payroll=False)
    assert rule.key == "primacy_rule" and "3 products" in render(rule, "en")
    assert render(primacy_rule(PrimacyConfig(require_payroll=False, require_usage=False)), "zh") == (
        "主办行客户：所有有效客户。"
    )


def test_stickiness_by_segment_exact():
    scores = np.array([10.0, 30.0, 50.0, np.nan, 70.0])
    primacy = np.array([False, True, True, False, False])
    codes = np.array([0, 0, 1, 1, -1])
    result = stickiness_by_segment(scores, primacy, codes, ["mass", "affluent", "private"])
    expected = pd.DataFrame(
        {
            "code": [0, 1, 2],
            "segment": ["mass", "affluent", "private"],
            "customers": [2, 1, 0],
            "mean": [20.0, 50.0, np.nan],
            "p25": [15.0, 50.0, np.nan],
            "median": [20.0, 50.0, np.nan],
            "p75": [25.0, 50.0, np.nan],
            "primacy_share": [0.5, 1.0, np.nan],
        }
    )
    pd.testing.assert_frame_equal(result, expected)


def test_configs_round_trip_through_json():
    for config in (
        StickinessConfig(),
        PrimacyConfig(),
        ChurnDefinition("inactive", 3),
        ClvConfig(),
        RetentionScenario(),
    ):
        assert config_from_json(type(config), config_json(config)) == config
    with pytest.raises(ValueError):
        ChurnDefinition("sometimes")


def test_churn_labels_of_each_definition_on_tiny():
    prepared = prepared_dataset(tiny_dataset())
    flag = churn_labels(prepared, ChurnDefinition("flag"))
    assert flag.labels.tolist() == [False, False, True, False]
    assert flag.eligible.tolist() == [True, False, True, False]  # B opened < 12 months ago, D closed before
    assert flag.description == Message("churn_def_flag_dates")
    assert "12" in render(flag.description, "en") and "销户" in render(flag.description, "zh")
    drop = churn_labels(prepared, ChurnDefinition("aum_drop", aum_drop=0.5))
    assert drop.labels.tolist() == [False, False, True, False]
    inactive = churn_labels(prepared, ChurnDefinition("inactive", inactive_months=1))
    assert inactive.eligible.tolist() == [True, False, False, False]  # only A transacted 12-23 months ago (and alive)


def test_customer_value_exact_on_tiny():
    prepared = prepared_dataset(tiny_dataset())
    config = ClvConfig(discount_rate=0.0, horizon_years=2, aum_margin=0.01)
    # no model: the bank's own churn rate, C closed of A and C on the books a year ago = 50%
    assert churn_rate(prepared.customers).value == 0.5
    values = customer_value(prepared, None, config=config)
    expected = pd.DataFrame(
        {
            "contribution": [1.0, 3.0, 0.0, 0.0],
            "contribution_from_aum": [True] * 4,
            "churn_source": np.array([1, 1, 1, 1], dtype=np.int8),  # the bank's rate
            "retention": [0.5] * 4,
            "expected_years": [0.5 + 0.25] * 4,  # r + r², year 1 weighted by retention too
            "clv": [0.75, 2.25, 0.0, 0.0],
            "aum": [100.0, 300.0, 0.0, 0.0],
            # look-alike groups under 10 customers fall back to the bank: 75th percentile of [100, 300]
            "potential_aum": [250.0] * 4,
            "headroom": [150.0, 0.0, 250.0, 250.0],
            "quadrant": np.array([2, 1, -1, -1], dtype=np.int8),
        }
    )
    pd.testing.assert_frame_equal(values, expected)
    by_segment = clv_by_segment(values, np.zeros(4, dtype=int), ["all"], prepared.customers["is_active"].to_numpy())
    assert by_segment[["customers", "total_clv", "total_contribution"]].iloc[0].tolist() == pytest.approx([2, 3.0, 4.0])
    assert len(quadrant_sample(values, max_points=1)) == 1


def test_customer_value_uses_the_model_where_it_scored():
    prepared = prepared_dataset(tiny_dataset())
    config = ClvConfig(discount_rate=0.0, horizon_years=1)
    values = customer_value(prepared, np.array([0.25, np.nan, 0.9, np.nan]), config=config)
    assert values["churn_source"].tolist() == [0, 1, 0, 1]
    assert values["retention"].tolist() == [0.75, 0.5, pytest.approx(0.1), 0.5]
    assert values["clv"].tolist() == [0.75, 1.5, 0.0, 0.0]  # one year: contribution × retention


def test_an_assumed_churn_rate_only_when_the_data_records_no_closures():
    dataset = tiny_dataset()
    prepared = prepared_dataset(replace(dataset, customers=dataset.customers.drop(columns="closed_date")))
    assert np.isnan(churn_rate(prepared.customers).value)
    values = customer_value(prepared, None, config=ClvConfig(assumed_churn_rate=0.2))
    assert values["churn_source"].tolist() == [2, 2, 2, 2]
    assert values["retention"].tolist() == [0.8] * 4


def test_expected_years_follow_the_formula():
    r, d, horizon = 0.8, 0.05, 4
    manual = sum(r**t / (1 + d) ** t for t in range(1, horizon + 1))
    assert expected_discounted_years(np.array([r]), d, horizon)[0] == pytest.approx(manual)
    # a 25% churn risk keeps 75% of year 1: the old r^(t-1) counted it in full (+33%)
    high_risk = expected_discounted_years(np.array([0.75]), 0.08, 5)[0]
    assert high_risk == pytest.approx(sum(0.75**t / 1.08**t for t in range(1, 6)))
    assert expected_discounted_years(np.array([0.0]), 0.08, 5)[0] == 0.0


def test_potential_comes_from_lookalikes_on_income_not_from_the_segment():
    """Twelve active customers: six on a low income, six on a high one, AUM unrelated to the segment."""
    customers = pd.DataFrame(
        {
            "customer_id": pd.array([f"C{i}" for i in range(12)], dtype="string"),
            "aum": [10.0, 20, 30, 40, 50, 60, 100, 200, 300, 400, 500, 600],
            "annual_income": [1e4] * 6 + [1e6] * 6,
            "age": pd.array([40] * 12, dtype="Int64"),
            "open_date": pd.to_datetime(["2020-01-01"] * 12),
        }
    )
    prepared = prepared_dataset(Dataset("alike", customers, None, None, fingerprint="alike"))
    config = ClvConfig(lookalike_min_group=6, potential_quantile=0.5)
    values = customer_value(prepared, None, config=config)
    assert values["potential_aum"].tolist() == [35.0] * 6 + [350.0] * 6  # median of each income group
    segment = np.array([0, 1] * 6)
    pd.testing.assert_frame_equal(customer_value(prepared, None, segment, config), values)  # segment ignored


def test_lookalike_attributes_are_not_aum():
    frame = pd.DataFrame(
        {
            "is_active": [True, True, True, False],
            "annual_income": [1.0, 2.0, None, 100.0],
            "age_band": ["30-39", "60-69", "30-39", None],
            "products_held": [0.0, 7.0, 2.0, 1.0],
            "digital_active": pd.array([True, False, None, False], dtype="boolean"),
            "aum": [1e9, 0.0, 5.0, 1.0],
        }
    )
    codes = lookalike_attributes(frame)
    assert codes["income_band"].tolist() == [0, 4, 5, 4]  # quintiles of active incomes; missing apart
    assert codes["age_band"].tolist() == [1, 2, 1, 0]
    assert codes["products"].tolist() == [0, 4, 2, 1]
    assert codes["channel"].tolist() == [1, 0, 2, 0]


def test_lookalike_groups_are_the_same_from_a_category_or_from_text():
    ages = ["30-39", "60-69", "30-39", None, "18-29"]
    as_text = lookalike_attributes(pd.DataFrame({"age_band": ages}))["age_band"]
    as_category = lookalike_attributes(pd.DataFrame({"age_band": pd.Categorical(ages)}))["age_band"]
    # The codes may differ; the groups they make may not (look-alikes need the codes' identity only).
    pairs = set(zip(as_text.tolist(), as_category.tolist(), strict=True))
    assert len(pairs) == len(set(as_text.tolist())) == len(set(as_category.tolist())) == 4


def test_group_quantiles_are_the_same_for_small_and_large_keys():
    from crm_core.loyalty.value import _group_quantiles

    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, 5_000)
    aum = rng.lognormal(10, 1, 5_000)
    aum[::17] = np.nan
    active = rng.random(5_000) < 0.8
    config = ClvConfig(lookalike_min_group=100)
    small = _group_quantiles(keys, active, aum, config)  # radix sort and a lookup table
    large = _group_quantiles(keys + 2**40, active, aum, config)  # quicksort and a binary search
    np.testing.assert_array_equal(small, large)
    assert np.isnan(small).any() and not np.isnan(small).all()  # some groups too small, others not


def test_annual_contribution_is_used_when_present():
    dataset = tiny_dataset()
    dataset.customers["annual_contribution"] = [10.0, np.nan, 0.0, 0.0]
    values = customer_value(prepared_dataset(dataset), None, np.zeros(4, dtype=int), ClvConfig(aum_margin=0.01))
    assert values["contribution"].tolist() == [10.0, 3.0, 0.0, 0.0]
    assert values["contribution_from_aum"].tolist() == [False, True, False, False]


def test_retention_what_if_exact_and_with_calibration_band():
    probabilities = np.array([0.5, 0.4, 0.1, np.nan])
    bands = np.array([2, 2, 0, -1])
    values = pd.DataFrame({"aum": [100.0, 50.0, 10.0, 0.0], "contribution": [1.0, 1.0, 1.0, 0.0], "clv": [5.0] * 4})
    codes = np.array([0, 1, 0, 1])
    frame = retention_what_if(probabilities, bands, values, codes, ["a", "b"], RetentionScenario(0.5, (0,)))
    assert frame["segment"].tolist() == ["a", "total"]
    assert frame["targeted"].tolist() == [1, 1]
    assert frame["aum_kept"].tolist() == [25.0, 25.0]
    assert frame["clv_kept"].tolist() == [1.25, 1.25]
    banded = retention_what_if(probabilities, bands, values, codes, ["a", "b"], RetentionScenario(0.5), 0.1)
    total = banded.iloc[-1]
    assert total["aum_kept"] == pytest.approx(0.5 * (0.5 * 100 + 0.4 * 50))
    assert total["aum_kept_low"] < total["aum_kept"] < total["aum_kept_high"]
    message = what_if_message(banded, RetentionScenario(0.5))
    assert message.key == "retention_what_if_sentence" and dict(message.params)["share"] == Share(0.5, 0)
    assert "estimate" in render(message, "en") and "模型估计" in render(message, "zh")


def test_risk_by_group_and_kpis():
    frame = risk_by_group(
        np.array([0.5, 0.1, 0.2, np.nan]), np.array([2, 0, 1, -1]), np.array([10.0, 20, 30, 40]),
        np.array([0, 0, 1, 1]), ["North", "South"],
    )  # fmt: skip
    assert frame["scored"].tolist() == [2, 1]
    assert frame["expected_aum_loss"].tolist() == pytest.approx([7.0, 6.0])


def test_loyalty_tiles_show_the_bank_churn_rate_whatever_the_model_definition(tiny):
    prepared = prepared_dataset(tiny)
    inactive = churn_risk_model(prepared, ChurnDefinition("inactive", inactive_months=3))
    risk = replace(inactive, probabilities=np.array([0.9, 0.01, np.nan, np.nan]),
                   fitted=replace(inactive.fitted, usable=True))  # fmt: skip
    scores, primacy = np.array([40.0, 60.0, 0.0, 0.0]), np.array([True, False, False, False])
    kpis = dict(zip(*loyalty_kpis(prepared, risk, scores, primacy)[["metric", "value"]].T.to_numpy(), strict=True))
    # C closed in December 2025 of A and C on the books a year earlier; D closed before the window.
    assert kpis["churn_rate"] == churn_rate(prepared.customers).value == 0.5
    assert (kpis["high_risk_customers"], kpis["at_risk_aum"]) == (1.0, 100.0)
    # the expected loss weighs each customer's AUM by their churn probability: 0.9 × 100 + 0.01 × 300
    assert kpis["expected_aum_loss"] == pytest.approx(93.0)
    assert (kpis["mean_stickiness"], kpis["primacy_share"]) == (50.0, 0.5)
    unusable = loyalty_kpis(prepared, replace(risk, fitted=replace(risk.fitted, usable=False)), scores, primacy)
    shown = unusable.set_index("metric").loc[["high_risk_customers", "at_risk_aum", "expected_aum_loss"], "value"]
    assert shown.isna().all()


def test_exports_are_formula_safe_and_keep_numbers():
    frame = pd.DataFrame({"customer": ["=HYPERLINK(1)", "+86", "@me", "\tx", "Zhang 张"], "aum": [-5.0, 1, 2, 3, 4]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK(1),-5.0" in text and "'+86" in text and "'@me" in text and "Zhang 张,4.0" in text
    sheet = load_workbook(io.BytesIO(excel_bytes(frame))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("customer", "aum")
    assert rows[1] == ("'=HYPERLINK(1)", -5)
    assert rows[4] == ("'\tx", 3)


def test_figures_carry_titles_and_traces():
    segment = stickiness_by_segment(np.array([10.0, 30.0]), np.array([True, False]), np.array([0, 1]), ["a", "b"])
    figure = stickiness_segment_figure(segment, "Stickiness", "Segment", "Index")
    assert figure.layout.title.text == "Stickiness" and figure.layout.xaxis.title.text == "Segment"
    calibration = pd.DataFrame({"mean_predicted": [0.1, 0.5], "observed_rate": [0.12, 0.45]})
    assert len(calibration_figure(calibration, "Calibration", "Predicted", "Observed", "Ideal").data) == 2
    lift = pd.DataFrame({"decile": [1, 2], "lift": [3.0, 0.5]})
    assert list(lift_figure(lift, "Lift", "Decile", "Lift").data[0].y) == [3.0, 0.5]
    groups = risk_by_group(np.array([0.5, 0.1]), np.array([2, 0]), np.ones(2), np.array([0, 1]), ["N", "S"])
    assert list(risk_group_figure(groups, "Risk", "Branch", "High-risk share").data[0].x) == ["N", "S"]
    sample = pd.DataFrame({"clv": [1.0, 2.0], "headroom": [3.0, 1.0], "quadrant": [0, 3]})
    assert len(clv_quadrant_figure(sample, ["d", "p", "g", "m"], "CLV", "CLV", "Headroom").data) == 4
    what_if = retention_what_if(np.array([0.5]), np.array([2]), pd.DataFrame({"aum": [1.0], "contribution": [1.0],
                                "clv": [1.0]}), np.array([0]), ["a"], RetentionScenario())  # fmt: skip
    assert what_if_figure(what_if, "aum", "Kept", "Segment", "AUM").layout.yaxis.title.text == "AUM"
