"""The Bank A sample shows the thesis' problems in plausible numbers, and the generator is stable."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.overview import monthly_channel_totals, off_counter_rate, overview_kpis, top_share
from crm_core.prepare import prepared_dataset
from crm_core.sample import (
    BRANCHES,
    CUSTOMER_CENTRIC_BRANCH,
    DEPOSIT_PUSH_BRANCH,
    SAMPLE_DIR,
    TIER_BOUNDS,
    SampleConfig,
    read_sample,
    sample_tables,
)
from tests.frames import assert_frame_equal


@pytest.fixture(scope="module")
def committed():
    return prepared_dataset(read_sample())


def test_committed_sample_size_and_shape(committed):
    customers = committed.customers
    assert len(customers) >= 20_000
    assert committed.monthly_channels["month"].nunique() == 36
    assert customers["branch"].nunique() >= 20
    assert 3 <= customers["city"].nunique() <= 4
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir() if p.is_file()) <= 10e6


def test_committed_sample_is_what_the_seeded_generator_makes():
    committed = read_sample()
    generated = sample_tables(SampleConfig())
    pdt.assert_frame_equal(committed.customers, generated.customers)
    assert_frame_equal(committed.activity, generated.activity)
    pdt.assert_frame_equal(committed.holdings, generated.holdings)


def test_seed_is_stable_and_matters():
    a = sample_tables(SampleConfig(n_customers=400, seed=3))
    b = sample_tables(SampleConfig(n_customers=400, seed=3))
    c = sample_tables(SampleConfig(n_customers=400, seed=4))
    pdt.assert_frame_equal(a.customers, b.customers)
    assert_frame_equal(a.activity, b.activity)
    assert not a.customers["aum"].equals(c.customers["aum"])


def test_aum_is_concentrated_and_tiers_have_plausible_sizes(committed):
    aum = committed.customers.loc[committed.customers["is_active"], "aum"].to_numpy()
    assert top_share(aum, 0.02) >= 0.60
    tiers = np.bincount(np.searchsorted(TIER_BOUNDS, aum, side="right"), minlength=4) / len(aum)
    assert 0.75 <= tiers[0] <= 0.85  # mass
    assert 0.15 <= tiers[1] <= 0.20  # affluent
    assert 0.015 <= tiers[2] <= 0.03  # high net worth
    assert 0.001 <= tiers[3] <= 0.003  # private


def test_counter_declines_while_off_counter_rate_rises(committed):
    kpis = overview_kpis(committed).set_index("metric")
    assert -0.25 <= kpis.loc["counter_txn_yoy", "value"] <= -0.10
    assert -0.25 <= kpis.loc["counter_txn_yoy", "previous"] <= -0.10
    totals = monthly_channel_totals(committed)
    rate = off_counter_rate(totals)
    assert 0.83 <= rate.iloc[:3].mean() <= 0.87
    assert 0.91 <= rate.iloc[-3:].mean() <= 0.94
    counter = totals[totals["channel"] == "counter"].set_index("month")["transactions"]
    mobile = totals[totals["channel"] == "mobile"].set_index("month")["transactions"]
    assert mobile.iloc[-12:].sum() > 1.3 * mobile.iloc[:12].sum()  # mobile up about 20% a year
    # Spring Festival month (Feb 2026) is above both neighbours' average.
    feb, jan, mar = (counter[pd.Timestamp(m)] for m in ("2026-02-01", "2026-01-01", "2026-03-01"))
    assert feb > 1.15 * (jan + mar) / 2


def test_older_customers_and_suburban_branches_decline_faster(committed):
    c = committed.customers[committed.customers["counter_txn_prev_12m"] > 0]
    suburban = {name for _, name, is_suburban, _ in BRANCHES if is_suburban}

    def decline(mask):
        return c.loc[mask, "counter_txn_12m"].sum() / c.loc[mask, "counter_txn_prev_12m"].sum() - 1

    assert decline(c["age"] >= 60) < decline(c["age"] < 45) - 0.05
    assert decline(c["branch"].isin(suburban)) < decline(~c["branch"].isin(suburban)) - 0.03


def test_products_and_the_wealth_management_gap(committed):
    active = committed.customers[committed.customers["is_active"]]
    assert 2.0 <= active["products_held"].mean() <= 3.0
    assert len(committed.products) == 10
    tier = np.searchsorted(TIER_BOUNDS, active["aum"], side="right")
    wm = active["has_wealth_management"].groupby(tier).mean()
    assert wm[2] >= 2.5 * wm[1]  # affluent clearly under-penetrated against high net worth


def test_churn_rate_and_its_drivers(committed):
    c = committed.customers
    kpis = overview_kpis(committed).set_index("metric")
    assert 0.08 <= kpis.loc["churn_rate", "value"] <= 0.12
    base = c[c["alive_12m_ago"]]
    assert base.loc[base["is_payroll"].astype(bool), "closed_last_12m"].mean() < base["closed_last_12m"].mean()
    thin = base["products_held"] <= 2
    assert base.loc[thin, "closed_last_12m"].mean() > 1.3 * base.loc[~thin, "closed_last_12m"].mean()


def test_branch_contrasts_for_staff_assessment(committed):
    c = committed.customers
    by_branch = c.groupby("branch").agg(
        aum=("aum", "sum"),
        aum_before=("aum_12m_ago", "sum"),
        complaints=("complaints_12m", "mean"),
        churn=("closed_last_12m", "mean"),
        products=("products_held", "mean"),
    )
    growth = by_branch["aum"] / by_branch["aum_before"] - 1
    assert growth.idxmax() == DEPOSIT_PUSH_BRANCH
    assert by_branch["complaints"].idxmax() == DEPOSIT_PUSH_BRANCH
    assert by_branch["churn"].idxmin() == CUSTOMER_CENTRIC_BRANCH
    assert by_branch["products"].idxmax() == CUSTOMER_CENTRIC_BRANCH
