"""The first-visit shortcuts at 5M give what the plain computations gave.

Each shortcut (a column order applied a block at a time, the top lead rows sorted alone, a scatter
sample drawn by position) is compared with the plain computation it replaces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.loyalty.stickiness import StickinessMatrix, active_means
from crm_core.loyalty.value import quadrant_sample
from crm_core.loyalty.view import _group_means, indicator_gaps
from crm_core.products import propensity as propensity_module
from crm_core.products.propensity import next_best_products
from crm_core.ranking import top_rows

PRODUCTS = ("funds", "credit_card", "insurance", "wealth_management")


def test_next_best_reads_the_propensity_columns_it_is_told(monkeypatch):
    """A stored matrix in the models' column order gives the recommendations of the matrix reordered first."""
    monkeypatch.setattr(propensity_module, "NEXT_BEST_ROWS", 7)  # several blocks, the last one short
    rng = np.random.default_rng(3)
    n = 40
    stored = rng.random((n, 5))  # the models score five products, in their own order
    order = [4, 0, 2, 1]  # the column of each of PRODUCTS
    held = rng.random((n, 4)) < 0.3
    risk = rng.choice([1.0, 3.0, 5.0, np.nan], n)
    active = rng.random(n) < 0.9
    plain = next_best_products(stored[:, order], held, PRODUCTS, risk, eligible_customers=active)
    read = next_best_products(stored, held, PRODUCTS, risk, eligible_customers=active, columns=order)
    assert (plain.product_codes >= 0).sum() > 10
    for name in ("product_codes", "propensity", "conversion", "expected_value"):
        np.testing.assert_array_equal(getattr(read, name), getattr(plain, name))


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 1.0, 2.5, 2.5, 7.0, np.nan]), min_size=0, max_size=30),
    keep=st.lists(st.booleans(), min_size=30, max_size=30),
    limit=st.integers(1, 35),
)
def test_top_rows_are_the_first_of_the_whole_stable_sort(values, keep, limit):
    """Leads, customers at risk and the largest customers: the rows a stable sort of every row puts first."""
    expected_value = np.array(values, dtype=float)
    rows = np.flatnonzero(np.array(keep[: len(values)], dtype=bool))
    whole = rows[np.argsort(-expected_value[rows], kind="stable")][:limit]
    np.testing.assert_array_equal(top_rows(rows, expected_value, limit), whole)


def test_quadrant_sample_draws_only_active_customers_the_same_way_each_time():
    rng = np.random.default_rng(0)
    n = 20_000
    values = pd.DataFrame(
        {
            "clv": np.arange(n, dtype=float),
            "headroom": rng.random(n),
            "aum": rng.random(n),
            "potential_aum": rng.random(n),
            "quadrant": np.where(np.arange(n) % 4 == 0, -1, np.arange(n) % 4).astype(np.int8),
        }
    )
    sample = quadrant_sample(values, max_points=500)
    assert list(sample.columns) == ["clv", "headroom", "aum", "potential_aum", "quadrant"]
    assert len(sample) == 500 and sample["clv"].is_unique
    assert (sample["quadrant"] >= 0).all()
    rows = sample["clv"].astype(int).to_numpy()  # clv is the row number: every column is the same row's
    np.testing.assert_array_equal(sample["headroom"].to_numpy(), values["headroom"].to_numpy()[rows])
    pd.testing.assert_frame_equal(quadrant_sample(values, max_points=500), sample)
    small = quadrant_sample(values.iloc[:8])
    assert small["clv"].tolist() == [1.0, 2.0, 3.0, 5.0, 6.0, 7.0]  # all active rows, in order, when few


def test_indicator_gaps_in_one_pass_are_the_group_means_minus_the_bank():
    """The sparse one-pass sums give each group's mean exactly as a per-indicator mean does, NaN skipped."""
    rng = np.random.default_rng(11)
    n = 5_000
    values = rng.random((n, 3))
    values[rng.random(n) < 0.05, 2] = np.nan  # a hand-built matrix may hold missing values
    active = rng.random(n) < 0.8
    codes = rng.integers(-1, 4, n)
    names = ("products_held", "tenure_months", "digital_share_12m")
    labels = ["a", "b", "c", "d"]
    built = StickinessMatrix(values, names, {}, active)
    gaps = indicator_gaps(built, codes, labels, active)
    grouped = active & (codes >= 0)
    for position, name in enumerate(names):
        column = values[:, position]
        bank = np.ascontiguousarray(column)[active].mean()
        per_indicator = _group_means(column, codes, 4, grouped) - bank  # a bincount per indicator, as before
        np.testing.assert_array_equal(gaps[name].to_numpy(), per_indicator)
        for code in range(4):  # pandas skips NaN in a group (it sums pairwise: equal to rounding)
            assert gaps.loc[code, name] == pytest.approx(pd.Series(column[active & (codes == code)]).mean() - bank,
                                                         rel=1e-12, nan_ok=True)  # fmt: skip
    assert gaps["digital_share_12m"].isna().all()  # the bank's mean over active customers is itself missing
    stored = StickinessMatrix(values, names, {}, active, active_means=active_means(built))
    pd.testing.assert_frame_equal(indicator_gaps(stored, codes, labels, active), gaps, check_exact=True)
    fewer = active & (codes != 0)  # other customers than the matrix's active ones: the stored means do not apply
    pd.testing.assert_frame_equal(
        indicator_gaps(stored, codes, labels, fewer), indicator_gaps(built, codes, labels, fewer), check_exact=True
    )
