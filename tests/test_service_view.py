"""The Service quality view on a hand-built bank: exact frames, suppression, benchmark and the churn link."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from crm_core import service as svc
from crm_core.dataset import Dataset
from crm_core.messages import Count, Message, Share, render
from crm_core.prepare import prepared_dataset

Z = 1.959963984540054  # 95%


def wilson(k: float, n: float) -> tuple[float, float]:
    """Textbook Wilson interval (written out, not the module's)."""
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def garwood_per_100(k: int, n: int) -> tuple[float, float]:
    """Exact Poisson interval from the gamma distribution, per 100 customers."""
    low = stats.gamma.ppf(0.025, k) if k else 0.0
    return low * 100 / n, stats.gamma.ppf(0.975, k + 1) * 100 / n


def t_mean(values: list[float]) -> tuple[float, float]:
    """Student-t interval of a mean, clipped to the 1–5 scale."""
    half = stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values))
    return max(np.mean(values) - half, 1.0), min(np.mean(values) + half, 5.0)


def bank(closed_complaints=(1, 0)) -> Dataset:
    """Twelve customers on the books since 2020, as of February 2026 (the last closure).

    East: four active (complaints 0, 1, 2, 0; scores 5, 4, 2, blank) and two closed in the last
    12 months (complaints as given, no score). West: three active (no complaint; 5, 5, 4).
    North: one active (1 complaint; 3). South: two active (0, 1 complaint; 4, blank).
    """
    closed = pd.to_datetime([None] * 10 + ["2025-11-15", "2026-02-10"])
    return Dataset(
        name="service",
        customers=pd.DataFrame(
            {
                "customer_id": pd.array([f"C{i:02d}" for i in range(12)], dtype="string"),
                "aum": [1.0] * 10 + [0.0, 0.0],
                "branch": pd.array(["East"] * 4 + ["West"] * 3 + ["North"] + ["South"] * 2 + ["East"] * 2, "string"),
                "open_date": pd.to_datetime(["2020-01-01"] * 11 + ["2020-01-01"]),
                "closed_date": closed,
                "complaints_12m": pd.array([0, 1, 2, 0, 0, 0, 0, 1, 0, 1, *closed_complaints], dtype="Int64"),
                "satisfaction": [5, 4, 2, None, 5, 5, 4, 3, 4, None, None, None],
            }
        ),
        activity=None,
        holdings=None,
        fingerprint="service-bank",
    )


CODES = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, -1, -1])  # East and South: low; West and North: high
SETTINGS = svc.ServiceSettings(min_responses=3, min_group_customers=2)


@pytest.fixture(scope="module")
def view() -> svc.ServiceView:
    return svc.service_view(prepared_dataset(bank()), CODES, ("low", "high"), SETTINGS)


def expected_row(unit, customers, complaints, scores, rank_complaints, rank_satisfied, versus, rated=True):
    """One row of ``UNIT_COLUMNS`` written out from the unit's raw values."""
    answers = [s for s in scores if s is not None]
    satisfied = sum(s >= 4 for s in answers)
    complaints_low, complaints_high = garwood_per_100(complaints, customers)
    mean_low, mean_high = t_mean(answers) if rated else (math.nan, math.nan)
    share_low, share_high = wilson(satisfied, len(answers)) if rated else (math.nan, math.nan)
    return {
        "unit": unit,
        "customers": customers,
        "complaints": complaints,
        "complaints_per_100": complaints * 100 / customers,
        "complaints_low": complaints_low,
        "complaints_high": complaints_high,
        "complaints_rank": rank_complaints,
        "complaints_vs_bank": versus[0],
        "complaints_vs_benchmark": versus[1],
        "responses": len(answers),
        "response_rate": len(answers) / customers,
        "satisfaction": float(np.mean(answers)) if rated else math.nan,
        "satisfaction_low": mean_low,
        "satisfaction_high": mean_high,
        "satisfied_share": satisfied / len(answers) if rated else math.nan,
        "satisfied_low": share_low,
        "satisfied_high": share_high,
        "satisfied_rank": rank_satisfied,
        "satisfied_vs_bank": versus[2],
        "satisfied_vs_benchmark": versus[3],
    }


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(svc.UNIT_COLUMNS))
    for column in ("customers", "complaints", "responses", "complaints_rank", "satisfied_rank"):
        out[column] = out[column].astype("Int64")
    return out


def test_branches_are_exact_best_first_with_the_small_ones_suppressed(view):
    # North (1 customer) is under the minimum of 2; South (2) is hidden with it, or North would be the
    # bank's total minus the branches shown. Closed customers count in no branch figure.
    expected = frame(
        [
            # West: no complaint, 3 of 3 satisfied: the benchmark of both measures (compared with itself: level)
            expected_row("West", 3, 0, [5, 5, 4], 1, 1, ("level", "level", "level", "level")),
            # East: its intervals hold the bank's figures, but exclude West's 0 complaints and 100% satisfied
            expected_row("East", 4, 3, [5, 4, 2, None], 2, 2, ("level", "worse", "level", "worse")),
        ]
    )
    assert_frame_equal(view.branches, expected, check_exact=False, rtol=1e-9)
    assert view.hidden_branches == ("North", "South")
    assert (view.satisfaction_benchmark, view.complaints_benchmark) == ("West", "West")
    assert view.benchmark_row("satisfied")["satisfied_share"] == 1.0


def test_the_bank_row_counts_every_active_customer_hidden_ones_included(view):
    row = view.bank
    assert row["unit"] == "bank" and row["customers"] == 10 and row["complaints"] == 5
    assert row["complaints_per_100"] == 50.0 and row["responses"] == 8 and row["response_rate"] == 0.8
    assert row["satisfaction"] == 4.0 and row["satisfied_share"] == 0.75  # 32 / 8 and 6 of 8
    assert (row["satisfied_low"], row["satisfied_high"]) == pytest.approx(wilson(6, 8))
    assert pd.isna(row["complaints_rank"]) and pd.isna(row["satisfied_rank"])


def test_groups_are_exact_in_label_order_without_a_benchmark(view):
    expected = frame(
        [
            # low: East's four and South's two; 15 / 4 answers; a tie on share satisfied ranks both first
            expected_row("low", 6, 4, [5, 4, 2, None, 4, None], 2, 1, ("level", "", "level", "")),
            expected_row("high", 4, 1, [5, 5, 4, 3], 1, 1, ("level", "", "level", "")),
        ]
    )
    assert_frame_equal(view.groups, expected, check_exact=False, rtol=1e-9)
    assert view.hidden_groups == ()


def test_a_unit_under_the_minimum_answers_shows_no_satisfaction_and_is_not_ranked():
    settings = svc.ServiceSettings(min_responses=4, min_group_customers=2)
    view = svc.service_view(prepared_dataset(bank()), CODES, ("low", "high"), settings)
    east = view.branches.set_index("unit").loc["East"]
    assert math.isnan(east["satisfaction"]) and math.isnan(east["satisfied_low"]) and pd.isna(east["satisfied_rank"])
    assert east["complaints_per_100"] == 75.0 and east["complaints_rank"] == 1  # 4 customers: ranked on complaints
    assert east["satisfied_vs_bank"] == "" and view.satisfaction_benchmark is None
    assert view.branches["unit"].tolist() == ["East", "West"]  # West has 3 customers: not ranked on complaints


def test_the_link_is_computed_when_closed_customers_carry_complaints(view):
    link = view.link
    # base: all 12 on the books a year ago; complained 5 (1 closed), did not 7 (1 closed)
    assert (link.status, link.complained_base, link.complained_closed, link.others_base, link.others_closed) == (
        "computed", 5, 1, 7, 1,
    )  # fmt: skip
    se = math.sqrt(1 / 1 - 1 / 5 + 1 / 1 - 1 / 7)
    assert (link.ratio, link.ratio_low, link.ratio_high) == pytest.approx(
        (1.4, 1.4 * math.exp(-Z * se), 1.4 * math.exp(Z * se))
    )
    assert link.statement == Message(
        "service_note_link",
        ratio="1.4",
        low=f"{1.4 * math.exp(-Z * se):.1f}",
        high=f"{1.4 * math.exp(Z * se):.1f}",
        confidence=Share(0.95, 0),
        complained=Share(0.2),
        others=Share(1 / 7),
        customers=Count(5),
    )
    assert render(link.statement, "en").startswith("Customers who complained churned at 1.4 times the rate")


def cleared_bank() -> Dataset:
    """Twenty customers still open (half complained) and ten closed, none of whom carries a complaint."""
    n = 30
    return Dataset(
        name="cleared",
        customers=pd.DataFrame(
            {
                "customer_id": pd.array([f"C{i:02d}" for i in range(n)], dtype="string"),
                "aum": [1.0] * n,
                "branch": pd.array(["East"] * n, dtype="string"),
                "open_date": pd.to_datetime(["2020-01-01"] * n),
                "closed_date": pd.to_datetime([None] * 20 + ["2025-12-01"] * 10),
                "complaints_12m": pd.array([1] * 10 + [0] * 20, dtype="Int64"),
            }
        ),
        activity=None,
        holdings=None,
        fingerprint="cleared",
    )


def test_complaints_cleared_at_closure_are_not_read_as_a_link():
    # 0.5 ** 10 < 1%: had the closed complained like the others, at least one would show a complaint
    link = svc.churn_link(prepared_dataset(cleared_bank()))
    assert link.status == "cleared_at_closure" and math.isnan(link.ratio)
    assert link.statement == Message("service_note_link_cleared", closed=Count(10), share=Share(0.5))
    # two closed customers without a complaint are too few to tell: the (wide) link is computed
    assert svc.churn_link(prepared_dataset(bank(closed_complaints=(0, 0)))).status == "computed"


def test_the_link_says_what_the_data_lacks():
    base = bank()
    blank = base.customers.assign(complaints_12m=pd.array([0, 1, 2, 0, 0, 0, 0, 1, 0, 1, None, None], "Int64"))
    cases = {
        "not_recorded_for_closed": blank,
        "no_closures": base.customers.drop(columns="closed_date"),
        "no_complaints": base.customers.drop(columns="complaints_12m"),
    }
    for status, customers in cases.items():
        link = svc.churn_link(prepared_dataset(Dataset("x", customers, None, None, status)))
        assert link.status == status and link.statement == Message(f"service_note_link_{status}"), status


def test_by_channel_and_trend_name_the_fields_the_contract_lacks(view):
    assert view.needs == (Message("service_note_needs_by_channel"), Message("service_note_needs_trend"))
    for need in view.needs:
        assert "date" in render(need, "en") and "日期" in render(need, "zh")


def test_no_view_without_complaints_or_satisfaction():
    customers = bank().customers.drop(columns=["complaints_12m", "satisfaction"])
    prepared = prepared_dataset(Dataset("x", customers, None, None, "none"))
    assert svc.service_view(prepared, CODES, ("low", "high"), SETTINGS) is None


def test_the_view_does_not_modify_its_input():
    prepared = prepared_dataset(bank())
    before = prepared.customers.copy()
    svc.service_view(prepared, CODES, ("low", "high"), SETTINGS)
    assert_frame_equal(prepared.customers, before)


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError, match="min_responses"):
        svc.ServiceSettings(min_responses=0)
    with pytest.raises(ValueError, match="confidence"):
        svc.ServiceSettings(confidence=1.5)


def test_findings_name_only_branches_worse_beyond_their_interval(view):
    # on the hand-built bank every interval holds the bank's figures: nobody is named
    assert svc.service_findings(view) == (Message("service_note_even"),)
    # Haishu (68 complaints per 100, 24% satisfied) is worse on both; Yuyao (10 per 100, 30%) on satisfaction
    customers = pd.DataFrame(
        {
            "customer_id": pd.array([f"C{i:03d}" for i in range(300)], dtype="string"),
            "aum": [1.0] * 300,
            "branch": pd.array(["Haishu"] * 100 + ["Xihu"] * 100 + ["Yuyao"] * 100, dtype="string"),
            "complaints_12m": pd.array([1] * 68 + [0] * 32 + [0] * 190 + [1] * 10, dtype="Int64"),
            "satisfaction": [5.0] * 24 + [2.0] * 76 + [5.0] * 80 + [2.0] * 20 + [5.0] * 30 + [2.0] * 70,
        }
    )
    prepared = prepared_dataset(Dataset("x", customers, None, None, "worse"))
    worse = svc.service_view(prepared, np.zeros(300, dtype=np.int64), ("all",), SETTINGS)
    # bank: 78 complaints per 300 customers (26.0 per 100), 134 of 300 satisfied; Xihu is better on both
    assert svc.service_findings(worse, {"Haishu": "宁波海曙支行"}) == (
        Message(
            "service_note_worse_both",
            branch="宁波海曙支行",
            per_100="68.0",
            bank_per_100="26.0",
            share=Share(0.24),
            bank_share=Share(134 / 300),
        ),
        Message("service_note_worse_satisfied", branch="Yuyao", share=Share(0.3), bank_share=Share(134 / 300)),
    )
    assert svc.service_findings(worse, limit=1)[-1] == Message("service_note_worse_more", count=1)
