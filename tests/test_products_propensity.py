"""Propensity models, the suitability guardrail, lead lists, exports and figures."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core import catalog
from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.products import (
    LeadFilter,
    ModelConfig,
    PropensityModels,
    SuitabilityConfig,
    co_holding,
    customer_offers,
    formula_safe,
    gap_figure,
    holding_matrix,
    lead_list,
    lead_list_csv,
    lead_list_excel,
    lead_words,
    lift_heatmap,
    lift_matrix,
    model_quality_figure,
    next_best_products,
    opportunity_figure,
    opportunity_sizing,
    penetration_gaps,
    penetration_index,
    penetration_index_heatmap,
    propensity_features,
    propensity_models,
    risk_levels_of,
    segment_holdings,
    suitable_products,
    top_opportunities,
)

GUARDED = ("wealth_management", "funds", "credit_card", "insurance")


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(1, 5)),
            st.lists(st.floats(0, 1), min_size=4, max_size=4),
            st.lists(st.booleans(), min_size=4, max_size=4),
        ),
        min_size=1,
        max_size=25,
    ),
    wealth_level=st.integers(1, 5),
    funds_level=st.integers(1, 5),
)
def test_guardrail_never_recommends_unsuitable_or_held_products(rows, wealth_level, funds_level):
    risk = np.array([np.nan if r is None else r for r, _, _ in rows], dtype=float)
    propensity = np.array([p for _, p, _ in rows])
    held = np.array([h for _, _, h in rows], dtype=bool)
    config = SuitabilityConfig((("wealth_management", wealth_level), ("funds", funds_level)))
    best = next_best_products(propensity, held, GUARDED, risk, suitability=config)
    minimum = np.array([wealth_level, funds_level, 1, 1])
    level = np.where(np.isnan(risk), 1, risk)
    for i, code in enumerate(best.product_codes):
        allowed = ~held[i] & (level[i] >= minimum)
        if code < 0:
            assert not allowed.any()
        else:
            assert allowed[code], (risk[i], GUARDED[code])
            assert level[i] >= minimum[code]
            assert best.expected_value[i] == pytest.approx(best.conversion[i] * [1200, 800, 600, 1500][code])
            assert best.propensity[i] == propensity[i, code]


def test_missing_risk_level_is_most_cautious():
    assert suitable_products(np.array([np.nan, 2.0]), ["wealth_management", "funds"]).tolist() == [
        [False, False],
        [True, False],
    ]


def planted(n: int, seed: int, shuffled: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"signal": rng.normal(size=n), "noise": rng.normal(size=n), "age": rng.integers(20, 70, n)})
    y = X["signal"] + rng.normal(scale=0.7, size=n) > 0.5
    X["has_card"] = y.astype(float)  # its own flag: must be left out of its model
    if shuffled:
        y = pd.Series(rng.permutation(y.to_numpy()))
    return X, pd.DataFrame({"card": y.to_numpy()})


def test_planted_signal_found_and_shuffled_label_is_chance():
    X, Y = planted(8000, 1, shuffled=False)
    models = PropensityModels(random_state=0).fit(X, Y)
    quality = models.quality_.iloc[0]
    assert quality["auc"] > 0.8 and quality["top_decile_lift"] > 2
    assert models.coefficients_[models.features_.index("has_card"), 0] == 0.0
    assert models.coefficients_[models.features_.index("signal"), 0] > 0
    X, Y = planted(8000, 1, shuffled=True)
    assert abs(PropensityModels(random_state=0).fit(X, Y).quality_.iloc[0]["auc"] - 0.5) < 0.05


@pytest.fixture(scope="module")
def fitted(small_sample):
    dataset = Dataset("small", small_sample.customers, small_sample.activity, small_sample.holdings, "small")
    prepared = prepared_dataset(dataset)
    before = prepared.customers.copy()
    features = propensity_features(prepared)
    models = propensity_models(prepared, features, ModelConfig(random_state=1))
    pd.testing.assert_frame_equal(prepared.customers, before)
    return prepared, features, models


def test_models_exclude_derived_columns_and_report_quality(fitted):
    prepared, features, models = fitted
    assert models.design == "acquisition_out_of_time"  # the sample's holdings carry open dates
    assert "products_held" not in features.columns and "annual_contribution" not in features.columns
    assert "investment_balance" not in features.columns  # no year-ago value: not a feature of the acquisition models
    assert list(models.quality_["product"]) == list(prepared.products)
    wealth = prepared.products.index("wealth_management")
    assert models.coefficients_[models.features_.index("has_wealth_management"), wealth] == 0.0
    quality = models.quality_.set_index("product")
    assert quality.loc["wealth_management", "auc"] > 0.6
    assert (quality["learning_customers"] < int(prepared.customers["is_active"].sum())).all()


def test_look_alike_models_drop_derived_and_reconstructed_balances(small_sample):
    holdings = small_sample.holdings.drop(columns=["open_date"])
    prepared = prepared_dataset(Dataset("undated", small_sample.customers, small_sample.activity, holdings, "u"))
    models = propensity_models(prepared, propensity_features(prepared), ModelConfig(random_state=1))
    assert models.design == "holding_look_alike"
    wealth = prepared.products.index("wealth_management")
    for column in ("has_wealth_management", "investment_balance", "deposit_balance"):
        assert models.coefficients_[models.features_.index(column), wealth] == 0.0
    leaks = models.leaks_.query("product == 'wealth_management'").set_index("feature")["reason"].to_dict()
    assert leaks["investment_balance"] == "derived_from_product"
    assert leaks["deposit_balance"] == "reconstructs_balance"  # aum - deposit_balance = investment_balance


def test_lead_list_respects_guardrail_filters_and_reasons(fitted):
    prepared, features, models = fitted
    holdings = holding_matrix(prepared)
    propensity = models.predict_proba(features)
    risk = risk_levels_of(prepared)
    best = next_best_products(propensity, holdings.held, holdings.products, risk, eligible_customers=holdings.active)
    codes = best.product_codes
    assert (codes[~holdings.active] == -1).all()
    chosen = codes >= 0
    assert not holdings.held[np.flatnonzero(chosen), codes[chosen]].any()
    level = np.where(np.isnan(risk), 1, risk)
    for product, minimum in (("wealth_management", 2), ("funds", 3)):
        assert (level[codes == holdings.products.index(product)] >= minimum).all()
    branch = prepared.customers["branch"].iloc[0]
    leads = lead_words(lead_list(prepared, features, models, best, LeadFilter(branches=(branch,), max_rows=20)), "zh")
    assert 0 < len(leads) <= 20 and (leads["branch"] == branch).all()
    assert leads["expected_value"].is_monotonic_decreasing
    assert leads["reasons"].str.len().gt(0).all() and not leads["reasons"].str.contains("above").any()
    english = lead_words(lead_list(prepared, features, models, best, LeadFilter(max_rows=5, min_propensity=0.2)), "en")
    assert (english["propensity"] >= 0.2).all()
    assert english["reasons"].str.contains("average|holds|active|payroll").all()


def test_formula_escaping_in_csv_and_excel():
    leads = pd.DataFrame(
        {"customer_id": ["=HYPERLINK(1)", "+86", "@x", "\tx", "ok", "-2"], "expected_value": [-5.0, 1, 2, 3, 4, 5]}
    )
    before = leads.copy()
    safe = formula_safe(leads)
    pd.testing.assert_frame_equal(leads, before)
    assert safe["customer_id"].tolist() == ["'=HYPERLINK(1)", "'+86", "'@x", "'\tx", "ok", "'-2"]
    assert safe["expected_value"].tolist() == [-5.0, 1, 2, 3, 4, 5]
    data = lead_list_csv(leads)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n'=HYPERLINK(1),-5.0\r\n" in data
    sheet = openpyxl.load_workbook(io.BytesIO(lead_list_excel(leads))).active
    assert sheet["A2"].value == "'=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5


def test_compliance_note_in_both_languages():
    english, chinese = (catalog.text("products_compliance_note", lang) for lang in ("en", "zh"))
    assert "compliance review" in english and "use, not products merely opened" in english
    assert "合规审核" in chinese


def test_figures_carry_titles_and_traces(fitted):
    prepared, _, models = fitted
    holdings = holding_matrix(prepared)
    codes = (prepared.customers["aum"].to_numpy() > 5e4).astype(np.int8)
    index = penetration_index(segment_holdings(holdings, codes, ["mass", "affluent"]))
    heat = penetration_index_heatmap(index, "Index", {"funds": "Funds"})
    assert heat.layout.title.text == "Index" and "Funds" in heat.data[0].x
    gaps = penetration_gaps(holdings, codes, ["mass", "affluent"])
    gap = gap_figure(gaps, "mass", "Gap", "share", "penetration", "bank")
    assert [t.name for t in gap.data] == ["penetration", "bank"] and len(gap.data[0].y) == len(prepared.products)
    everyone = np.ones(holdings.held.shape, dtype=bool)
    aum = prepared.customers["aum"].to_numpy(dtype=float)
    offers = customer_offers(holdings.held, holdings.active, everyone, aum, holdings.products, holdings.products)
    ranked = top_opportunities(opportunity_sizing(gaps, offers, codes), 5)
    assert len(opportunity_figure(ranked, "Top", "CNY").data[0].y) == 5
    assert lift_heatmap(lift_matrix(co_holding(holdings)), "Lift").data[0].zmid == 1.0
    quality = model_quality_figure(models.quality_, "Models")
    flagged = int((~models.quality_["usable"].astype(bool)).any())  # flagged models get their own grey bars
    assert quality.layout.yaxis.title.text == "ROC AUC" and len(quality.data) == 2 + flagged


def test_next_best_is_the_same_scored_in_blocks_of_any_size(monkeypatch):
    from crm_core.products import propensity as module

    rng = np.random.default_rng(7)
    n, products = 1_003, ["credit_card", "wealth_management", "funds", "insurance"]
    scores = rng.random((n, len(products))).astype(np.float32)
    held = rng.random((n, len(products))) < 0.3
    levels = np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 6, n).astype(float))
    eligible = rng.random(n) < 0.9

    def scored(rows: int):
        monkeypatch.setattr(module, "NEXT_BEST_ROWS", rows)
        return module.next_best_products(scores, held, products, levels, eligible_customers=eligible)

    whole = scored(10**9)
    assert (whole.product_codes >= 0).any() and (whole.product_codes == -1).any()
    for rows in (1, 7, 256):
        blocks = scored(rows)
        np.testing.assert_array_equal(blocks.product_codes, whole.product_codes)
        for name in ("propensity", "conversion", "expected_value"):
            np.testing.assert_array_equal(getattr(blocks, name), getattr(whole, name))  # bit for bit


def test_lift_heatmap_of_one_product_is_an_empty_chart_not_an_error():
    """A file with one product flag (Churn_Modelling's HasCrCard) has no pair: the page says so, the builder copes."""
    empty = lift_matrix(pd.DataFrame(columns=["antecedent", "consequent", "lift"]))
    assert lift_heatmap(empty, "Lift").data[0].z.size == 0
