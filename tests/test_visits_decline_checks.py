"""The decline's honesty checks: Newey–West interval, curved alternative, halving range, separated ranking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.visits import (
    CURVED,
    NOT_TESTED,
    STRAIGHT,
    DeclineConfig,
    among_steepest,
    counter_decline,
    curvature_message,
    curved_halving_month,
    group_counter_sums,
    group_declines,
    newey_west_covariance,
    newey_west_lags,
    segment_declines,
    steepest_message,
    visit_cube,
)
from crm_core.visits.decline import _design
from tests.test_visits_decline import two_branch_dataset


def steepest_sentence(table, lang="en"):
    """The steepest-decline message worded in ``lang`` (None when nothing falls)."""
    message = steepest_message(table)
    return None if message is None else render(message, lang)


def curvature_sentence(fit, lang="en"):
    """The curvature message rendered as a page shows it (None stays None)."""
    message = curvature_message(fit)
    return None if message is None else render(message, lang)


MONTHS = pd.date_range("2023-11-01", periods=36, freq="MS")
YEARS = (np.arange(36) - 35) / 12.0  # years since the last month, as the fit counts them


def autocorrelated_log_series() -> np.ndarray:
    """log counter: -0.17 a year, a February peak and smooth (positively autocorrelated) deviations."""
    k = np.arange(36)
    return np.log(5000.0) - 0.17 * YEARS + 0.3 * (MONTHS.month == 2) + 0.05 * np.sin(0.7 * k) + 0.03 * np.cos(2.1 * k)


def test_newey_west_matches_a_hand_calculation():
    # x_t = (1, t), residuals (1, -1, -1, 1), one lag. Scores u_t = x_t e_t: (1,0), (-1,-1), (-1,-2), (1,3).
    # G0 = [[4, 6], [6, 14]]; G1 = sum u_t u_{t-1}' = [[-1, -1], [-2, -4]]; S = G0 + 1/2 (G1 + G1') = [[3, 4.5],
    # [4.5, 10]]; (X'X)^-1 = [[0.7, -0.3], [-0.3, 0.2]]; bread S bread = [[0.48, -0.195], [-0.195, 0.13]]; x 4/2.
    design = np.column_stack([np.ones(4), np.arange(4.0)])
    covariance = newey_west_covariance(design, np.array([1.0, -1.0, -1.0, 1.0]), 1)
    np.testing.assert_allclose(covariance, [[0.96, -0.39], [-0.39, 0.26]], rtol=1e-12)


def test_newey_west_matches_statsmodels_on_the_decline_design():
    # Reference: statsmodels 0.15 OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}),
    # X the decline design of these 36 months (intercept, years, 11 month dummies).
    design = _design(MONTHS, MONTHS[-1], tuple(sorted(set(MONTHS.month)))[1:])
    target = autocorrelated_log_series()
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coefficients
    expected = {0: 0.00889797014020066, 1: 0.011715339883511705, 3: 0.012955545866093597}
    for lags, slope_se in expected.items():
        covariance = newey_west_covariance(design, residuals, lags)
        assert math.sqrt(covariance[1, 1]) == pytest.approx(slope_se, rel=1e-9)
    assert newey_west_covariance(design, residuals, 3)[0, 1] == pytest.approx(0.0002444222062760632, rel=1e-9)


def test_newey_west_counts_lags_in_months_across_gaps():
    design = np.column_stack([np.ones(6), np.arange(6.0)])
    residuals = np.array([0.5, -0.2, 0.1, 0.4, -0.3, -0.5])
    white = newey_west_covariance(design, residuals, 0)
    # Rows three months apart: no pair is within two lags, so the lag terms vanish.
    np.testing.assert_allclose(newey_west_covariance(design, residuals, 2, np.arange(6) * 3), white, rtol=1e-12)
    assert not np.allclose(newey_west_covariance(design, residuals, 2), white)


def test_the_interval_uses_newey_west_when_months_are_autocorrelated():
    fit = counter_decline(np.exp(autocorrelated_log_series()), MONTHS)
    assert fit.lags == newey_west_lags(36) == 3
    assert fit.ols_standard_error == pytest.approx(0.008842032186392608, rel=1e-9)
    assert fit.newey_west_standard_error == pytest.approx(0.012955545866093597, rel=1e-9)
    half = stats.t.ppf(0.975, 23) * 0.012955545866093597
    assert fit.lower == pytest.approx(math.expm1(fit.slope - half), rel=1e-9)
    assert fit.upper == pytest.approx(math.expm1(fit.slope + half), rel=1e-9)
    # Curvature: the extra term's larger standard error (here Newey–West's) gives p = 0.948 (statsmodels).
    assert fit.curvature_verdict == STRAIGHT and fit.curvature_p == pytest.approx(0.9481413465033152, rel=1e-6)


def test_the_interval_is_never_narrower_than_the_classical_one():
    alternating = np.exp(-0.2 * YEARS + 0.03 * np.cos(2.8 * np.arange(36)))  # negatively autocorrelated months
    fit = counter_decline(alternating, MONTHS)
    assert fit.newey_west_standard_error < fit.ols_standard_error
    half = stats.t.ppf(0.975, fit.degrees_of_freedom) * fit.ols_standard_error
    assert fit.lower == pytest.approx(math.expm1(fit.slope - half), rel=1e-12)
    fixed = counter_decline(alternating, MONTHS, DeclineConfig(lags=0))
    assert fixed.lags == 0 and fixed.newey_west_standard_error != fit.newey_west_standard_error


def test_a_slowing_decline_is_called_curved_and_never_halves():
    wobble = np.exp(0.01 * np.sin(np.arange(36)))
    fit = counter_decline(1000 * np.exp(-0.15 * YEARS + 0.03 * YEARS**2) * wobble, MONTHS)
    assert fit.curvature_verdict == CURVED and fit.curvature_p < 0.001
    assert fit.curved_coefficients[-1] == pytest.approx(0.03, abs=0.005)
    # b t + c t^2 bottoms out at -b^2 / 4c = -0.19 > ln 0.5: the curve never halves.
    assert curved_halving_month(fit) is None
    assert curvature_sentence(fit) == (
        "Checked against a curved trend: the decline is slowing (p < 0.001), and at the curved trend the volume "
        "never halves; the halving dates assume a rate the data reject."
    )


def test_a_straight_decline_passes_the_check_and_its_curve_halves_too():
    wobble = np.exp(0.02 * np.sin(np.arange(36) * 2.5))
    fit = counter_decline(1000 * np.exp(-0.35 * YEARS) * wobble, MONTHS)
    assert fit.curvature_verdict == STRAIGHT and fit.curvature_p > 0.05
    assert curved_halving_month(fit) is not None
    assert curvature_sentence(fit).startswith("Checked against a curved trend: no significant curvature (p = ")
    assert curvature_sentence(fit).endswith("); a constant rate fits the data.")


def test_an_accelerating_decline_halves_sooner_on_its_curve():
    fit = counter_decline(1000 * np.exp(-0.2 * YEARS - 0.05 * YEARS**2 + 0.01 * np.sin(np.arange(36))), MONTHS)
    assert fit.curvature_verdict == CURVED
    # Roots of -0.05 t^2 - 0.2 t = ln 0.5 (close to the fitted curve): t = 2.14 years after October 2026.
    assert abs((curved_halving_month(fit) - pd.Timestamp("2028-12-01")).days) <= 62
    assert "speeding up" in curvature_sentence(fit) and "下降正在加速" in curvature_sentence(fit, "zh")


def test_fourteen_months_are_too_few_for_the_curvature_check():
    fit = counter_decline(1000 * np.exp(-0.2 * YEARS[-14:] + 0.01 * np.sin(np.arange(14))), MONTHS[-14:])
    assert fit.degrees_of_freedom == 1 and fit.curvature_verdict == NOT_TESTED and math.isnan(fit.curvature_p)
    assert curvature_sentence(fit) == "Too few months to check the trend against a curved one."


def rate_table(changes, lowers, uppers) -> pd.DataFrame:
    n = len(changes)
    return pd.DataFrame(
        {
            "group": [f"B{i}" for i in range(n)],
            "status": ["ok"] * n,
            "annual_change": changes,
            "lower": lowers,
            "upper": uppers,
        }
    )


def test_the_steepest_is_named_only_when_its_interval_stands_apart():
    apart = rate_table([-0.10, -0.30, -0.20], [-0.12, -0.35, -0.24], [-0.08, -0.25, -0.16])
    assert among_steepest(apart).tolist() == [False, True, False]
    assert steepest_sentence(apart) == (
        "B1 declines fastest (-30.0% a year): its interval does not overlap the next one (B2, -20.0%)."
    )
    assert steepest_sentence(apart, "zh") == "B1下降最快（每年-30.0%）：其置信区间与下一名（B2，-20.0%）不重叠。"


def test_overlapping_leaders_are_listed_not_ranked():
    three = rate_table([-0.30, -0.28, -0.27, -0.10], [-0.35, -0.31, -0.33, -0.12], [-0.25, -0.25, -0.21, -0.08])
    assert among_steepest(three).tolist() == [True, True, True, False]
    assert steepest_sentence(three) == (
        "B0, B1 and B2 decline fastest (-30.0% to -27.0% a year); all 3 intervals overlap the first one's, "
        "so none can be named the steepest."
    )
    assert steepest_sentence(three, "zh").startswith("B0、B1和B2下降最快（每年-30.0%至-27.0%）")
    five = rate_table([-0.3, -0.29, -0.28, -0.27, -0.26], [-0.4] * 5, [-0.2] * 5)
    assert steepest_sentence(five) == (
        "B0, B1, B2 and 2 others decline fastest (-30.0% to -26.0% a year); all 5 intervals overlap the first "
        "one's, so none can be named the steepest."
    )
    two = rate_table([-0.3, -0.29], [-0.4, -0.35], [-0.2, -0.2])
    assert steepest_sentence(two) == (
        "B0 and B1 decline fastest (-30.0% and -29.0% a year); their intervals overlap, so neither can be named "
        "the steepest."
    )


def test_without_intervals_nothing_stands_apart_and_rising_groups_are_left_out():
    unknown = rate_table([-0.3, -0.1, 0.05], [np.nan] * 3, [np.nan] * 3)
    assert among_steepest(unknown).tolist() == [True, True, False]
    assert steepest_sentence(rate_table([0.1], [0.05], [0.15])) is None
    only = rate_table([-0.1, 0.1], [-0.2, 0.05], [-0.01, 0.15])
    assert steepest_sentence(only) == "B0 is the only one whose counter transactions fall (-10.0% a year)."


def test_the_table_carries_the_range_the_verdict_and_the_leaders():
    months = MONTHS
    wobble = np.exp(0.03 * np.sin(np.arange(36) * 2.5))
    series = np.vstack([1000 * np.exp(-0.4 * YEARS) * wobble, 1000 * np.exp(-0.1 * YEARS) * wobble[::-1]])
    table, fits = group_declines(series, months, ["fast", "slow"])
    assert table["among_steepest"].tolist() == [True, False] and table["rank"].tolist() == [1, 2]
    assert table["curvature_verdict"].tolist() == [f.curvature_verdict for f in fits]
    assert table.loc[0, "halving_from"] <= table.loc[0, "halving_month"] <= table.loc[0, "halving_to"]
    assert table.loc[0, "halving_from"] < table.loc[0, "halving_to"]


def test_segments_can_change_month_by_month():
    cube = visit_cube(prepared_dataset(two_branch_dataset()))
    fixed = np.array([0, 1, -1])
    by_month = np.tile(fixed, (cube.n_months, 1))
    np.testing.assert_array_equal(group_counter_sums(cube, by_month, 2), group_counter_sums(cube, fixed, 2))
    by_month[18:, 1] = 0  # the second customer joins the first segment halfway
    sums = group_counter_sums(cube, by_month, 2)
    counter = cube.counter.astype(np.int64)
    np.testing.assert_array_equal(sums[0], counter[:, 0] + np.r_[np.zeros(18, int), counter[18:, 1]])
    np.testing.assert_array_equal(sums[1], np.r_[counter[:18, 1], np.zeros(18, int)])
    table, _ = segment_declines(cube, by_month, ["first", "second"])
    assert table["counter_12m"].tolist() == [int(counter[-12:, :2].sum()), 0]


def test_ranking_chart_darkens_what_cannot_be_ranked_and_the_forecast_shows_the_curve():
    from crm_core.charts import CHANNEL_COLOURS
    from crm_core.visits import counter_forecast, decline_ranking_figure, fitted_history, forecast_figure
    from crm_core.visits.charts import LATER_DECLINE_COLOUR, RISE_COLOUR

    table = rate_table([-0.30, -0.28, -0.10, 0.05], [-0.35, -0.31, -0.12, 0.02], [-0.25, -0.25, -0.08, 0.08])
    table["among_steepest"] = among_steepest(table)
    bar = decline_ranking_figure(table, "Decline", "% a year").data[0]
    assert list(bar.y) == ["B3", "B2", "B1", "B0"]  # steepest on top
    dark = CHANNEL_COLOURS["counter"]
    assert list(bar.marker.color) == [RISE_COLOUR, LATER_DECLINE_COLOUR, dark, dark]

    fit = counter_decline(np.exp(autocorrelated_log_series()), MONTHS)
    labels = {"title": "F", "y_title": "C", "actual": "A", "fitted": "T", "forecast": "F", "band": "B"}
    history, forecast = fitted_history(fit, np.exp(autocorrelated_log_series()), MONTHS), counter_forecast(fit)
    assert [t.name for t in forecast_figure(history, forecast, labels).data] == ["A", "T", None, "B", "F"]
    chart = forecast_figure(history, forecast, labels | {"curved": "K"})
    curve = chart.data[-1]
    assert curve.name == "K" and curve.line.dash == "dot" and len(curve.x) == 36 + 12
    np.testing.assert_allclose(curve.y[:36], history["curved"].to_numpy(), rtol=1e-12)


def test_a_slowing_decline_that_still_halves_warns_the_dates_may_come_early():
    wobble = np.exp(0.01 * np.sin(np.arange(36)))
    fit = counter_decline(1000 * np.exp(-0.5 * YEARS + 0.05 * YEARS**2) * wobble, MONTHS)
    # -b^2 / 4c = -1.25 < ln 0.5: the slowing curve still reaches half, later than the straight line.
    assert fit.curvature_verdict == CURVED and curved_halving_month(fit) > pd.Timestamp("2028-01-01")
    assert curvature_sentence(fit).endswith("the decline is slowing (p < 0.001); the halving dates may come too early.")
