"""The counter-decline model: known rates recovered, seasonality unbiased, edge cases named."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.messages import Message, render
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample
from crm_core.visits import (
    NO_COUNTER_ACTIVITY,
    NOT_ENOUGH_HISTORY,
    DeclineConfig,
    bank_decline,
    branch_declines,
    counter_decline,
    counter_forecast,
    fitted_history,
    forecast_total,
    halving_message,
    halving_month,
    halving_range,
    segment_declines,
    visit_cube,
    window_rates,
)
from crm_core.visits.examples import monthly_dataset


def halving_sentence(fit, lang="en"):
    """The halving message rendered as a page shows it (None stays None)."""
    message = halving_message(fit)
    return None if message is None else render(message, lang)


MONTHS = pd.date_range("2023-11-01", periods=36, freq="MS")
SEASON = {1: 1.12, 2: 1.35, 10: 0.93, 12: 1.05}


def seasonal_series(months: pd.DatetimeIndex, annual: float = -0.2, level: float = 5_000.0) -> np.ndarray:
    """A series falling by ``annual`` a year with a Spring Festival peak."""
    t = np.arange(len(months)) / 12.0
    season = np.array([SEASON.get(m, 1.0) for m in months.month])
    return level * (1 + annual) ** t * season


def test_known_decline_with_noise_is_recovered_within_its_interval():
    rng = np.random.default_rng(20261128)
    series = seasonal_series(MONTHS) * np.exp(rng.normal(0, 0.04, len(MONTHS)))
    fit = counter_decline(series, MONTHS)
    assert fit.status == "ok"
    assert fit.lower < -0.2 < fit.upper
    assert abs(fit.annual_change + 0.2) < 0.03
    assert fit.lower < fit.annual_change < fit.upper
    assert fit.degrees_of_freedom == 36 - 13


def test_seasonality_does_not_bias_the_rate_even_over_uneven_years():
    # 16 months from November: two Decembers, Januaries and Februaries, one of every other month.
    months = MONTHS[:16]
    series = seasonal_series(months)
    fit = counter_decline(series, months)
    assert fit.annual_change == pytest.approx(-0.2, abs=1e-12)
    # A trend without month dummies is pulled by the unbalanced peaks: the dummies matter.
    naive = math.expm1(np.polyfit(np.arange(16) / 12.0, np.log(series), 1)[0])
    assert abs(naive + 0.2) > 0.02


def test_window_rates_match_hand_computation():
    series = np.r_[np.full(12, 100.0), np.full(12, 80.0), np.full(12, 64.0)]
    yoy, cagr = window_rates(series)
    assert yoy == pytest.approx(64 / 80 - 1)
    assert cagr == pytest.approx((64 / 100) ** 0.5 - 1)
    assert all(math.isnan(v) for v in window_rates(series[:23]))


def test_one_month_gives_not_enough_history():
    fit = counter_decline(np.array([120.0]), MONTHS[:1])
    assert fit.status == NOT_ENOUGH_HISTORY
    assert math.isnan(fit.annual_change) and math.isnan(fit.lower)
    assert render(fit.reason, "en") == "Not enough history: 1 months, at least 13 needed."
    assert render(fit.reason, "zh") == "历史数据不足：仅1个月，至少需要13个月。"
    assert halving_sentence(fit) is None
    assert counter_forecast(fit).empty


def test_thirteen_months_fit_without_interval():
    fit = counter_decline(seasonal_series(MONTHS[:13]), MONTHS[:13])
    assert fit.status == "ok" and fit.annual_change == pytest.approx(-0.2)
    assert math.isnan(fit.lower) and "degrees of freedom" in render(fit.reason, "en")


def test_rising_series_has_no_halving_sentence():
    fit = counter_decline(seasonal_series(MONTHS, annual=0.1), MONTHS)
    assert fit.annual_change == pytest.approx(0.1)
    assert halving_month(fit) is None and halving_sentence(fit, "zh") is None


def test_halving_month_and_sentences():
    fit = counter_decline(seasonal_series(MONTHS, annual=-0.5), MONTHS)  # halves in exactly one year
    assert halving_month(fit) == pd.Timestamp("2027-10-01")
    # A noiseless series has a zero-width interval: the range collapses to the point.
    assert halving_range(fit) == (pd.Timestamp("2027-10-01"), pd.Timestamp("2027-10-01"))
    assert halving_sentence(fit) == (
        "At the fitted rate (-50.0% a year, 95% interval -50.0% to -50.0%), counter transactions halve in 2027: "
        "1.0 to 1.0 years after October 2026."
    )
    assert halving_sentence(fit, "zh") == (
        "按拟合速度（每年-50.0%，95%置信区间-50.0%至-50.0%），柜面交易量将在2027年减半：即2026年10月之后1.0至1.0年。"
    )


def test_halving_range_comes_from_the_ends_of_the_interval():
    fit = replace(counter_decline(seasonal_series(MONTHS, annual=-0.2), MONTHS), lower=-0.5, upper=-0.05)
    # ln 0.5 / ln 0.5 = 1 year and ln 0.5 / ln 0.95 = 13.51 years (162 months) after October 2026.
    assert halving_range(fit) == (pd.Timestamp("2027-10-01"), pd.Timestamp("2040-04-01"))
    assert halving_sentence(fit).startswith("At the fitted rate (-20.0% a year, 95% interval -50.0% to -5.0%), ")
    assert halving_sentence(fit).endswith("halve between 2027 and 2040: 1.0 to 13.5 years after October 2026.")
    open_ended = replace(fit, upper=0.02)
    assert halving_range(open_ended) == (pd.Timestamp("2027-10-01"), None)
    assert halving_sentence(open_ended).endswith(
        "halve in 2027 at the earliest (1.0 years after October 2026); the interval reaches no decline, "
        "so they may never halve."
    )
    assert halving_sentence(replace(fit, lower=math.nan, upper=math.nan)) is None  # no interval, no date


def test_forecast_continues_the_trend_with_a_widening_band():
    rng = np.random.default_rng(5)
    series = seasonal_series(MONTHS) * np.exp(rng.normal(0, 0.03, len(MONTHS)))
    fit = counter_decline(series, MONTHS)
    forecast = counter_forecast(fit, 24)
    assert forecast["month"].tolist() == list(pd.date_range("2026-11-01", periods=24, freq="MS"))
    truth = seasonal_series(pd.date_range("2023-11-01", periods=60, freq="MS"))[36:]
    assert ((forecast["lower"] < forecast["forecast"]) & (forecast["forecast"] < forecast["upper"])).all()
    assert np.mean((forecast["lower"] < truth) & (truth < forecast["upper"])) >= 0.9
    assert forecast_total(fit, 24) == pytest.approx(forecast["forecast"].sum(), rel=1e-12)
    width = (forecast["upper"] - forecast["lower"]) / forecast["forecast"]
    assert width.iloc[12] > width.iloc[0]  # same month of the year, a year further out
    history = fitted_history(fit, series, MONTHS)
    assert list(history.columns) == ["month", "actual", "fitted", "curved"] and history["fitted"].notna().all()
    assert history["curved"].notna().all() and forecast["curved"].notna().all()


def two_branch_dataset() -> pd.DataFrame:
    """North: counter falling 20% a year with seasonality (two customers); South: mobile only."""
    customers = pd.DataFrame(
        {
            "customer_id": ["N1", "N2", "S1"],
            "aum": [1.0, 2.0, 3.0],
            "branch": ["North", "North", "South"],
            "city": ["Ningbo", "Ningbo", "Wenzhou"],
        }
    )
    noise = np.exp(np.random.default_rng(11).normal(0, 0.03, len(MONTHS)))
    north = np.rint(seasonal_series(MONTHS, level=2_000.0) * noise).astype(int)
    counts = {
        ("N1", "counter"): north,
        ("N2", "counter"): north // 2,
        ("S1", "mobile"): np.full(36, 7),
    }
    return monthly_dataset(customers, counts, first_month="2023-11")


def test_branch_table_names_a_branch_without_counter_activity():
    cube = visit_cube(prepared_dataset(two_branch_dataset()))
    table, fits = branch_declines(cube)
    north, south = table.iloc[0], table.iloc[1]
    assert north["group"] == "North" and north["city"] == "Ningbo" and north["status"] == "ok"
    assert north["lower"] < -0.2 < north["upper"] and abs(north["annual_change"] + 0.2) < 0.03
    assert north["rank"] == 1 and north["months_used"] == 36
    expected_south = pd.DataFrame(
        {
            "code": [1],
            "group": pd.array(["South"], dtype="string"),
            "city": pd.array(["Wenzhou"], dtype="string"),
            "status": pd.array([NO_COUNTER_ACTIVITY], dtype="string"),
            "annual_change": [np.nan],
            "lower": [np.nan],
            "upper": [np.nan],
            "yoy": [np.nan],
            "cagr": [np.nan],
            "counter_12m": [0],
            "months_used": [0],
            "halving_month": pd.to_datetime(pd.Series([None], dtype="object")),
            "halving_from": pd.to_datetime(pd.Series([None], dtype="object")),
            "halving_to": pd.to_datetime(pd.Series([None], dtype="object")),
            "curvature_verdict": pd.array(["not_tested"], dtype="string"),
            "curvature_p": [np.nan],
            "rank": [0],
            "among_steepest": [False],
            "reason": [Message("visits_reason_no_counter")],
        },
        index=[1],
    )
    pdt.assert_frame_equal(table.iloc[[1]], expected_south, check_dtype=False)
    assert south["status"] == fits[1].status


def test_segment_declines_use_codes_and_keep_the_unassigned_in_their_own_row():
    cube = visit_cube(prepared_dataset(two_branch_dataset()))
    table, _ = segment_declines(cube, np.array([0, -1, 1]), ["big", "mobile-only"])
    assert table["group"].tolist() == ["big", "mobile-only", "not_assigned"]  # rows add up to the bank
    assert table["status"].tolist()[:2] == ["ok", NO_COUNTER_ACTIVITY]
    assert table["counter_12m"].iloc[0] == int(cube.counter[-12:, 0].sum())
    assert table["counter_12m"].iloc[2] == int(cube.counter[-12:, 1].sum())


def test_minimum_history_is_a_config():
    fit = counter_decline(seasonal_series(MONTHS[:20]), MONTHS[:20], DeclineConfig(min_months=24))
    assert fit.status == NOT_ENOUGH_HISTORY and "24 needed" in render(fit.reason, "en")


def test_committed_sample_bank_declines_between_ten_and_twenty_five_percent():
    fit = bank_decline(visit_cube(prepared_dataset(read_sample())))
    assert -0.25 <= fit.annual_change <= -0.10
    assert fit.lower < fit.annual_change < fit.upper < 0
