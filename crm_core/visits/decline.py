"""How fast counter transactions fall: a log-linear trend with month-of-year seasonality, checked.

The model, fitted by ordinary least squares on one monthly series of counter transactions::

    log(counter_t) = a + b * years_t + sum_m s_m * [month_of_year_t = m] + e_t

``b`` is the trend per year once the calendar (Spring Festival, holidays) is taken out;
``exp(b) - 1`` is the "% change per year". Its interval allows for autocorrelated months:
the standard error is the larger of the classical one and the Newey–West one (Bartlett
weights, ``floor(4 (n / 100) ** (2 / 9))`` lags), because Newey–West alone is biased downward
in a 36-month series carrying 13 coefficients and would otherwise narrow the interval.

The straight trend is checked against a curved alternative (the same model plus
``c * years_t ** 2``): a t-test of ``c = 0`` gives the verdict, and the curve's own
projection says whether a slowing decline the data cannot rule out would ever halve the
volume. The halving is stated as a range of dates, from the two ends of the rate interval.
Months without counter transactions are left out of the fit (their logarithm is undefined).
The same fit gives the forecast and its prediction interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crm_core.mapped import read_once
from crm_core.messages import Message, Month
from crm_core.visits.config import DEFAULT_DECLINE, DeclineConfig
from crm_core.visits.cube import VisitCube, group_counter_sums

OK = "ok"
NOT_ENOUGH_HISTORY = "not_enough_history"
NO_COUNTER_ACTIVITY = "no_counter_activity"

STRAIGHT = "straight"
"""Curvature verdict: the curved alternative's extra term is not significant."""
CURVED = "curved"
"""Curvature verdict: the data reject a constant rate (the decline speeds up or slows down)."""
NOT_TESTED = "not_tested"
"""Curvature verdict: too few months to fit the curved alternative with residual degrees of freedom."""

DECLINE_COLUMNS = (
    "code",
    "group",
    "status",
    "annual_change",
    "lower",
    "upper",
    "yoy",
    "cagr",
    "counter_12m",
    "months_used",
    "halving_month",
    "halving_from",
    "halving_to",
    "curvature_verdict",
    "curvature_p",
    "rank",
    "among_steepest",
    "reason",
)


@dataclass(frozen=True, eq=False)
class DeclineFit:
    """The fitted trend of one monthly counter series, with its checks.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"not_enough_history"`` or ``"no_counter_activity"``.
    annual_change, lower, upper : float
        ``exp(b) - 1`` and its confidence interval (NaN unless ``status == "ok"``; the
        interval is NaN too when the fit leaves no residual degrees of freedom). The interval
        uses the larger of ``ols_standard_error`` and ``newey_west_standard_error``.
    yoy : float
        Last 12 months against the 12 before, minus one (NaN with less than 24 months).
    cagr : float
        Compound annual rate between the first and the last 12 months of the window.
    months_used : int
        Months in the fit (months with counter transactions).
    reason : Message or None
        Why there are no numbers, or a caveat; None otherwise.
    coefficients, covariance : numpy.ndarray
        OLS coefficients (intercept, years, month dummies) and the covariance behind the interval.
    residual_variance : float
    degrees_of_freedom : int
    seasonal_months : tuple of int
        Month-of-year of each dummy column (the first month of year present is the baseline).
    last_month : pandas.Timestamp
        The series' last month (``years = 0`` there).
    confidence : float
    lags : int
        Newey–West lags (0 without residual degrees of freedom).
    ols_standard_error, newey_west_standard_error : float
        Standard errors of ``b``: classical (independent errors) and autocorrelation-robust.
    curvature_verdict : str
        ``"straight"``, ``"curved"`` or ``"not_tested"`` (see the module docstring).
    curvature_p : float
        Two-sided p-value of the curvature term (NaN when not tested).
    curved_coefficients : numpy.ndarray or None
        Coefficients of the curved alternative (those of ``coefficients`` then ``c``).
    """

    status: str
    annual_change: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    yoy: float = math.nan
    cagr: float = math.nan
    months_used: int = 0
    reason: Message | None = None
    coefficients: np.ndarray | None = None
    covariance: np.ndarray | None = None
    residual_variance: float = math.nan
    degrees_of_freedom: int = 0
    seasonal_months: tuple[int, ...] = ()
    last_month: pd.Timestamp | None = None
    confidence: float = 0.95
    lags: int = 0
    ols_standard_error: float = math.nan
    newey_west_standard_error: float = math.nan
    curvature_verdict: str = NOT_TESTED
    curvature_p: float = math.nan
    curved_coefficients: np.ndarray | None = None

    @property
    def slope(self) -> float:
        """Log change per year, ``b``."""
        return float(self.coefficients[1]) if self.coefficients is not None else math.nan

    @property
    def declining(self) -> bool:
        """Whether the fitted trend falls."""
        return self.status == OK and self.annual_change < 0


def _design(months: pd.DatetimeIndex, last_month: pd.Timestamp, seasonal_months: Sequence[int]) -> np.ndarray:
    """Columns: intercept, years since ``last_month`` (negative in the past), one dummy per seasonal month."""
    index = months.year * 12 + months.month - (last_month.year * 12 + last_month.month)
    columns = [np.ones(len(months)), np.asarray(index, dtype=float) / 12.0]
    columns += [np.asarray(months.month == m, dtype=float) for m in seasonal_months]
    return np.column_stack(columns)


def _curved(design: np.ndarray) -> np.ndarray:
    """The design of the curved alternative: ``design`` plus the squared years column."""
    return np.column_stack([design, design[:, 1] ** 2])


def newey_west_lags(n_observations: int) -> int:
    """Return the Newey–West (1994) rule-of-thumb lag count, ``floor(4 (n / 100) ** (2 / 9))``.

    Examples
    --------
    >>> newey_west_lags(36), newey_west_lags(100), newey_west_lags(13)
    (3, 4, 2)
    """
    return math.floor(4 * (n_observations / 100) ** (2 / 9))


def newey_west_covariance(
    design: np.ndarray, residuals: np.ndarray, lags: int, positions: np.ndarray | None = None
) -> np.ndarray:
    """Return the Newey–West (HAC) covariance of OLS coefficients, with Bartlett weights.

    ``(X'X)^-1 S (X'X)^-1 * n / (n - k)`` with ``S = G_0 + sum_{l=1..L} (1 - l / (L + 1)) (G_l + G_l')``
    and ``G_l = sum_t x_t e_t e_{t-l} x_{t-l}'``, as statsmodels'
    ``OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})``.

    Parameters
    ----------
    design : numpy.ndarray
        ``(n, k)`` regressors.
    residuals : numpy.ndarray
        ``(n,)`` OLS residuals.
    lags : int
        ``L``; 0 gives the heteroskedasticity-robust (White) covariance.
    positions : numpy.ndarray, optional
        Time index of each row (month numbers) when some periods are missing: lags are then
        counted in periods, a missing period contributing nothing. Consecutive by default.

    Returns
    -------
    numpy.ndarray
        ``(k, k)``.

    Examples
    --------
    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> e = np.array([1.0, -1.0, -1.0, 1.0])
    >>> newey_west_covariance(x, e, 1).round(4).tolist()
    [[0.96, -0.39], [-0.39, 0.26]]
    """
    design = np.asarray(design, dtype=float)
    n, k = design.shape
    scores = design * np.asarray(residuals, dtype=float)[:, None]
    if positions is not None:
        positions = np.asarray(positions, dtype=np.int64) - int(np.min(positions))
        spread = np.zeros((int(positions.max()) + 1, k))
        spread[positions] = scores
        scores = spread
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        cross = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (cross + cross.T)
    bread = np.linalg.pinv(design.T @ design)
    return bread @ meat @ bread * (n / (n - k))


def _ols(design: np.ndarray, target: np.ndarray, lags: int, positions: np.ndarray):
    """Coefficients, residual variance, degrees of freedom, classical and Newey–West covariances."""
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coefficients
    df = len(target) - design.shape[1]
    variance = float(residuals @ residuals / df) if df > 0 else math.nan
    classical = variance * np.linalg.pinv(design.T @ design)
    robust = newey_west_covariance(design, residuals, lags, positions) if df > 0 else classical
    return coefficients, variance, df, classical, robust


def window_rates(series: np.ndarray) -> tuple[float, float]:
    """Return (year-on-year, compound annual) rates of a monthly series; NaN with less than 24 months.

    Examples
    --------
    >>> yoy, cagr = window_rates(np.r_[np.full(12, 100.0), np.full(12, 80.0), np.full(12, 64.0)])
    >>> round(yoy, 6), round(cagr, 6)
    (-0.2, -0.2)
    """
    series = np.asarray(series, dtype=float)
    n = len(series)
    if n < 24:
        return math.nan, math.nan
    last, previous, first = series[-12:].sum(), series[-24:-12].sum(), series[:12].sum()
    yoy = last / previous - 1 if previous > 0 else math.nan
    cagr = (last / first) ** (12.0 / (n - 12)) - 1 if first > 0 else math.nan
    return float(yoy), float(cagr)


def counter_decline(
    series: np.ndarray, months: pd.DatetimeIndex, config: DeclineConfig = DEFAULT_DECLINE
) -> DeclineFit:
    """Return the fitted counter trend of one monthly series, its interval and its curvature check.

    Parameters
    ----------
    series : numpy.ndarray
        Counter transactions per month, aligned with ``months``.
    months : pandas.DatetimeIndex
        Consecutive month starts.
    config : DeclineConfig
        Minimum history, confidence level and Newey–West lags.

    Returns
    -------
    DeclineFit

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> series = 1000 * 0.8 ** (np.arange(36) / 12) * np.where(months.month == 2, 1.3, 1.0)
    >>> round(counter_decline(series, months).annual_change, 6)
    -0.2
    >>> counter_decline(series[:1], months[:1]).status
    'not_enough_history'
    """
    series = np.asarray(series, dtype=float)
    yoy, cagr = window_rates(series)
    n = len(series)
    if n < config.min_months:
        return DeclineFit(
            status=NOT_ENOUGH_HISTORY,
            yoy=yoy,
            cagr=cagr,
            reason=Message("visits_reason_short_history", months=n, needed=config.min_months),
            confidence=config.confidence,
        )
    if not np.nansum(series) > 0:
        return DeclineFit(
            status=NO_COUNTER_ACTIVITY,
            reason=Message("visits_reason_no_counter"),
            confidence=config.confidence,
        )
    used = series > 0
    if used.sum() < config.min_months:
        return DeclineFit(
            status=NOT_ENOUGH_HISTORY,
            yoy=yoy,
            cagr=cagr,
            months_used=int(used.sum()),
            reason=Message("visits_reason_few_counter_months", months=int(used.sum()), needed=config.min_months),
            confidence=config.confidence,
        )
    fit_months = months[used]
    seasonal = tuple(sorted(set(fit_months.month)))[1:]
    last_month = pd.Timestamp(months[-1])
    design = _design(fit_months, last_month, seasonal)
    target = np.log(series[used])
    positions = np.flatnonzero(used)
    lags = config.lags if config.lags is not None else newey_west_lags(len(target))
    coefficients, variance, df, classical, robust = _ols(design, target, lags, positions)
    slope = float(coefficients[1])
    ols_se = math.sqrt(max(classical[1, 1], 0.0)) if df > 0 else math.nan
    robust_se = math.sqrt(max(robust[1, 1], 0.0)) if df > 0 else math.nan
    covariance = robust if robust_se > ols_se else classical
    lower = upper = math.nan
    reasons: list[Message] = []
    if df > 0:
        half = stats.t.ppf(0.5 + config.confidence / 2, df) * max(ols_se, robust_se)
        lower, upper = math.expm1(slope - half), math.expm1(slope + half)
    else:
        reasons.append(Message("visits_reason_no_interval"))
    verdict, p_value, curved_coefficients = NOT_TESTED, math.nan, None
    if df > 1:  # the curved alternative spends one more degree of freedom
        curved_coefficients, _, curved_df, curved_classical, curved_robust = _ols(
            _curved(design), target, lags, positions
        )
        spread = math.sqrt(max(curved_classical[-1, -1], curved_robust[-1, -1], 0.0))
        statistic = float(curved_coefficients[-1]) / spread if spread > 0 else 0.0
        p_value = float(2 * stats.t.sf(abs(statistic), curved_df))
        verdict = CURVED if p_value < 1 - config.confidence else STRAIGHT
    if not used.all():
        reasons.append(Message("visits_reason_months_left_out", months=int((~used).sum())))
    return DeclineFit(
        status=OK,
        annual_change=math.expm1(slope),
        lower=lower,
        upper=upper,
        yoy=yoy,
        cagr=cagr,
        months_used=int(used.sum()),
        reason=Message("visits_reasons", first=reasons[0], second=reasons[1])
        if len(reasons) == 2
        else (reasons[0] if reasons else None),
        coefficients=coefficients,
        covariance=covariance,
        residual_variance=variance,
        degrees_of_freedom=int(df),
        seasonal_months=seasonal,
        last_month=last_month,
        confidence=config.confidence,
        lags=lags if df > 0 else 0,
        ols_standard_error=ols_se,
        newey_west_standard_error=robust_se,
        curvature_verdict=verdict,
        curvature_p=p_value,
        curved_coefficients=curved_coefficients,
    )


def _years_to_halve(log_rate: float) -> float:
    """Years until a trend falling by ``log_rate`` a year halves (NaN unless falling)."""
    return math.log(0.5) / log_rate if log_rate < 0 else math.nan


HALVING_HORIZON_YEARS = 200
"""A halving further away than this is no halving to state (and past pandas' last date near a flat trend)."""


def _month_after(last_month: pd.Timestamp, years: float) -> pd.Timestamp | None:
    """The month ``years`` after ``last_month``; None beyond ``HALVING_HORIZON_YEARS`` (a nearly flat trend).

    Examples
    --------
    >>> _month_after(pd.Timestamp("2026-01-01"), 1.5), _month_after(pd.Timestamp("2026-01-01"), 6.9e8)
    (Timestamp('2027-07-01 00:00:00'), None)
    """
    if not math.isfinite(years) or years > HALVING_HORIZON_YEARS:
        return None
    return (last_month + pd.DateOffset(months=round(12 * years))).normalize()


def halving_month(fit: DeclineFit) -> pd.Timestamp | None:
    """Return the month by which the trend level halves at the fitted rate; None unless declining.

    The point estimate only: state ``halving_range`` to people.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> halving_month(counter_decline(1000 * 0.5 ** (np.arange(36) / 24), months))
    Timestamp('2028-12-01 00:00:00')
    """
    if not fit.declining or fit.last_month is None:
        return None
    return _month_after(fit.last_month, _years_to_halve(fit.slope))


def halving_range(fit: DeclineFit) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Return the earliest and latest month by which the trend level halves, from the ends of the rate interval.

    Returns
    -------
    tuple
        ``(from, to)``: ``from`` at the interval's steepest rate, ``to`` at its shallowest;
        ``to`` is None when the interval reaches no decline (the volume may never halve).
        ``(None, None)`` unless declining with an interval.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> wobble = np.exp(0.08 * np.sin(np.arange(36) * 2.5))
    >>> halving_range(counter_decline(1000 * 0.5 ** (np.arange(36) / 24) * wobble, months))
    (Timestamp('2028-10-01 00:00:00'), Timestamp('2029-02-01 00:00:00'))
    """
    if not fit.declining or not math.isfinite(fit.lower) or fit.last_month is None:
        return None, None
    earliest = _month_after(fit.last_month, _years_to_halve(math.log1p(fit.lower)))
    slowest = math.log1p(fit.upper)
    return earliest, (_month_after(fit.last_month, _years_to_halve(slowest)) if slowest < 0 else None)


def curved_halving_month(fit: DeclineFit) -> pd.Timestamp | None:
    """Return the month by which the curved alternative's trend halves; None if it never does (or no curve).

    The curve ``b t + c t**2`` (years ``t`` after the last month) halves where it reaches
    ``log(0.5)``: a decline that slows (``c > 0``) may level off before.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> years = (np.arange(36) - 35) / 12
    >>> slowing = 1000 * np.exp(-0.15 * years + 0.03 * years**2)
    >>> curved_halving_month(counter_decline(slowing, months)) is None
    True
    """
    if fit.status != OK or fit.curved_coefficients is None or fit.last_month is None:
        return None
    b, c = float(fit.curved_coefficients[1]), float(fit.curved_coefficients[-1])
    target = math.log(0.5)
    if abs(c) < 1e-12:
        years = _years_to_halve(b)
        return _month_after(fit.last_month, years) if math.isfinite(years) else None
    discriminant = b * b + 4 * c * target
    if discriminant < 0:
        return None
    roots = [(-b + sign * math.sqrt(discriminant)) / (2 * c) for sign in (-1, 1)]
    ahead = [r for r in roots if r > 0]
    return _month_after(fit.last_month, min(ahead)) if ahead else None


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def _p_value(value: float) -> str:
    """``= 0.36``, ``= 0.004`` or ``< 0.001``: the comparison travels with the number."""
    return "< 0.001" if value < 0.001 else f"= {value:.3f}" if value < 0.01 else f"= {value:.2f}"


def halving_message(fit: DeclineFit) -> Message | None:
    """Return when counter transactions halve at the fitted rate, as a range of years; None unless declining.

    None also without an interval (13 months): a single date would claim a precision the fit lacks.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> wobble = np.exp(0.08 * np.sin(np.arange(36) * 2.5))
    >>> fit = counter_decline(1000 * 0.5 ** (np.arange(36) / 24) * wobble, months)
    >>> print(render(halving_message(fit), "en"))  # doctest: +NORMALIZE_WHITESPACE
    At the fitted rate (-29.6% a year, 95% interval -31.4% to -27.8%), counter transactions halve in 2028 or 2029:
    1.8 to 2.1 years after December 2026.
    """
    earliest, latest = halving_range(fit)
    if earliest is None:
        return None
    fields = {
        "rate": _share(fit.annual_change),
        "level": f"{fit.confidence * 100:.0f}%",
        "low": _share(fit.lower),
        "high": _share(fit.upper),
        "start": earliest.year,
        "month": Month(fit.last_month),
        "years_low": f"{_years_to_halve(math.log1p(fit.lower)):.1f}",
    }
    if latest is None:
        return Message("visits_halving_open", **fields)
    fields |= {"end": latest.year, "years_high": f"{_years_to_halve(math.log1p(fit.upper)):.1f}"}
    if latest.year == earliest.year:
        return Message("visits_halving_within_year", **fields)
    if latest.year == earliest.year + 1:
        return Message("visits_halving_two_years", **fields)
    return Message("visits_halving_range", **fields)


def curvature_message(fit: DeclineFit) -> Message | None:
    """Return the verdict of the check against a curved trend; None without a fit.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> years = (np.arange(36) - 35) / 12
    >>> wobble = np.exp(0.01 * np.sin(np.arange(36)))
    >>> render(curvature_message(counter_decline(1000 * np.exp(-0.2 * years - 0.05 * years**2) * wobble, months)), "en")
    'Checked against a curved trend: the decline is speeding up (p < 0.001); the halving dates may come too late.'
    """
    if fit.status != OK:
        return None
    if fit.curvature_verdict == NOT_TESTED:
        return Message("visits_curvature_not_tested")
    p = _p_value(fit.curvature_p)
    never = curved_halving_month(fit) is None
    if fit.curvature_verdict == STRAIGHT:
        if fit.declining and never:
            return Message("visits_curvature_straight_never_halves", p=p)
        return Message("visits_curvature_straight", p=p)
    if not fit.declining:
        return Message("visits_curvature_changing", p=p)
    if fit.curved_coefficients[-1] <= 0:
        return Message("visits_curvature_faster", p=p)
    if never:
        return Message("visits_curvature_slowing_never_halves", p=p)
    return Message("visits_curvature_slowing", p=p)


def counter_forecast(fit: DeclineFit, horizon_months: int = 12) -> pd.DataFrame:
    """Return the next months' counter transactions with a prediction interval, and the curved alternative.

    Parameters
    ----------
    fit : DeclineFit
        From ``counter_decline``; empty frame unless ``status == "ok"``.
    horizon_months : int

    Returns
    -------
    pandas.DataFrame
        ``month``, ``forecast`` (the median: exp of the predicted log), ``lower``, ``upper``
        (prediction interval at the fit's confidence; NaN without residual degrees of freedom),
        ``curved`` (the curved alternative's median; NaN when not tested).
    """
    columns = {"month": pd.Series(dtype="datetime64[ns]")} | {
        c: pd.Series(dtype=float) for c in ("forecast", "lower", "upper", "curved")
    }
    if fit.status != OK or horizon_months <= 0:
        return pd.DataFrame(columns)
    months = pd.date_range(fit.last_month, periods=horizon_months + 1, freq="MS")[1:]
    design = _design(months, fit.last_month, fit.seasonal_months)
    mean = design @ fit.coefficients
    if fit.degrees_of_freedom > 0:
        spread = np.sqrt(fit.residual_variance + np.einsum("ij,jk,ik->i", design, fit.covariance, design))
        half = stats.t.ppf(0.5 + fit.confidence / 2, fit.degrees_of_freedom) * spread
    else:
        half = np.full(len(months), np.nan)
    return pd.DataFrame(
        {
            "month": months,
            "forecast": np.exp(mean),
            "lower": np.exp(mean - half),
            "upper": np.exp(mean + half),
            "curved": _curved_path(fit, design),
        }
    )


def _curved_path(fit: DeclineFit, design: np.ndarray) -> np.ndarray:
    if fit.curved_coefficients is None:
        return np.full(len(design), np.nan)
    return np.exp(_curved(design) @ fit.curved_coefficients)


def forecast_total(fit: DeclineFit, horizon_months: int = 12) -> float:
    """Return the sum of ``counter_forecast(fit, horizon_months)["forecast"]``, without a frame (NaN unless ok)."""
    if fit.status != OK:
        return math.nan
    months = pd.date_range(fit.last_month, periods=horizon_months + 1, freq="MS")[1:]
    return float(np.exp(_design(months, fit.last_month, fit.seasonal_months) @ fit.coefficients).sum())


def fitted_history(fit: DeclineFit, series: np.ndarray, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Return ``month``, ``actual``, ``fitted`` (trend with seasonality) and ``curved`` (the alternative)."""
    fitted = curved = np.full(len(months), np.nan)
    if fit.status == OK:
        design = _design(months, fit.last_month, fit.seasonal_months)
        fitted, curved = np.exp(design @ fit.coefficients), _curved_path(fit, design)
    return pd.DataFrame(
        {"month": months, "actual": np.asarray(series, dtype=float), "fitted": fitted, "curved": curved}
    )


def bank_counter_series(cube: VisitCube) -> np.ndarray:
    """Counter transactions per month over all customers."""
    return np.array([read_once(lambda row: row.sum(dtype=np.int64), row) for row in cube.counter], dtype=np.int64)


def bank_decline(cube: VisitCube, config: DeclineConfig = DEFAULT_DECLINE) -> DeclineFit:
    """Return the bank-wide counter trend."""
    return counter_decline(bank_counter_series(cube), cube.months, config)


def among_steepest(table: pd.DataFrame) -> np.ndarray:
    """Return, per row of a decline table, whether it cannot be told apart from the steepest decline.

    The steepest is the falling group with the lowest ``annual_change`` (ties by ``group``);
    a falling group is among it when its interval overlaps the steepest's (``lower`` at or
    below the steepest's ``upper``, or either interval unknown). Rising and unrated groups: False.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["a", "b", "c"], "status": ["ok"] * 3,
    ...     "annual_change": [-0.2, -0.18, -0.1], "lower": [-0.25, -0.22, -0.12], "upper": [-0.15, -0.14, -0.08]})
    >>> among_steepest(table).tolist()
    [True, True, False]
    """
    falling = ((table["status"] == OK) & (table["annual_change"] < 0)).to_numpy(dtype=bool)
    flags = np.zeros(len(table), dtype=bool)
    if not falling.any():
        return flags
    rows = table[falling].sort_values(["annual_change", "group"], kind="stable")
    ceiling = rows["upper"].iloc[0]
    lower = table["lower"].to_numpy(dtype=float)
    flags[falling] = ~(lower[falling] > ceiling) if math.isfinite(ceiling) else True
    return flags


def _listed(names: Sequence[str], last: bool = True) -> Message | str:
    """Names as a language lists them ("a, b and c" / "a、b和c"), as nested messages."""
    joined: Message | str = names[0]
    for position, name in enumerate(names[1:], start=2):
        final = last and position == len(names)
        joined = (
            Message("visits_names_last", head=joined, name=name)
            if final
            else Message("visits_names_more", head=joined, name=name)
        )
    return joined


def steepest_message(table: pd.DataFrame, shown: int = 3) -> Message | None:
    """Return which groups decline fastest, naming one only when its interval stands apart; None if none falls.

    Parameters
    ----------
    table : pandas.DataFrame
        ``group_declines`` / ``branch_declines`` / ``segment_declines`` output, groups named as
        the reader sees them.
    shown : int
        Most names listed when several overlap; the rest are counted.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> table = pd.DataFrame({"group": ["a", "b", "c"], "status": ["ok"] * 3,
    ...     "annual_change": [-0.2, -0.18, -0.1], "lower": [-0.25, -0.22, -0.12], "upper": [-0.15, -0.14, -0.08]})
    >>> table["among_steepest"] = among_steepest(table)
    >>> render(steepest_message(table), "en")
    'a and b decline fastest (-20.0% and -18.0% a year); their intervals overlap, so neither can be named the steepest.'
    >>> render(steepest_message(table.iloc[[0, 2]]), "en")
    'a declines fastest (-20.0% a year): its interval does not overlap the next one (c, -10.0%).'
    """
    falling = table[(table["status"] == OK) & (table["annual_change"] < 0)]
    if falling.empty:
        return None
    falling = falling.sort_values(["annual_change", "group"], kind="stable")
    leaders = falling[among_steepest(falling)]
    names = [str(g) for g in leaders["group"]]
    first = leaders.iloc[0]
    if len(leaders) == 1:
        if len(falling) == 1:
            return Message("visits_steepest_only", name=names[0], rate=_share(first["annual_change"]))
        runner = falling.iloc[1]
        return Message(
            "visits_steepest_clear", name=names[0], rate=_share(first["annual_change"]),
            next=str(runner["group"]), next_rate=_share(runner["annual_change"]),
        )  # fmt: skip
    rates = {"low": _share(first["annual_change"]), "high": _share(leaders["annual_change"].iloc[-1])}
    if len(leaders) == 2:
        return Message("visits_steepest_overlap_two", names=_listed(names), **rates)
    if len(leaders) <= shown:
        return Message("visits_steepest_overlap", names=_listed(names), count=len(names), **rates)
    return Message(
        "visits_steepest_overlap_more", names=_listed(names[:shown], last=False), more=len(names) - shown,
        count=len(names), **rates,
    )  # fmt: skip


def group_declines(
    series: np.ndarray,
    months: pd.DatetimeIndex,
    labels: Sequence[str],
    config: DeclineConfig = DEFAULT_DECLINE,
) -> tuple[pd.DataFrame, tuple[DeclineFit, ...]]:
    """Return the decline table of several series (rows of ``series``) and their fits.

    Returns
    -------
    table : pandas.DataFrame
        One row per group, columns ``DECLINE_COLUMNS``: ``code``, ``group``, ``status``,
        ``annual_change`` / ``lower`` / ``upper`` (fitted % change per year and interval),
        ``yoy``, ``cagr``, ``counter_12m``, ``months_used``, ``halving_month`` (the point
        estimate), ``halving_from`` / ``halving_to`` (``halving_range``), ``curvature_verdict``
        / ``curvature_p`` (the check against a curved trend), ``rank`` (1 = steepest decline;
        0 without a rate), ``among_steepest`` (interval overlaps the steepest's, see
        ``among_steepest``), ``reason`` (``Message`` or None). Sorted by ``code``.
    fits : tuple of DeclineFit
        In ``code`` order, for forecasts and what-ifs.
    """
    fits = tuple(counter_decline(row, months, config) for row in series)
    ranges = [halving_range(f) for f in fits]

    def months_of(values) -> pd.Series:
        return pd.to_datetime(pd.Series(list(values), dtype="object"))

    table = pd.DataFrame(
        {
            "code": np.arange(len(fits), dtype=np.int64),
            "group": pd.array(list(labels), dtype="string"),
            "status": pd.array([f.status for f in fits], dtype="string"),
            "annual_change": [f.annual_change for f in fits],
            "lower": [f.lower for f in fits],
            "upper": [f.upper for f in fits],
            "yoy": [f.yoy for f in fits],
            "cagr": [f.cagr for f in fits],
            "counter_12m": np.asarray(series, dtype=np.int64)[:, -12:].sum(axis=1),
            "months_used": np.array([f.months_used for f in fits], dtype=np.int64),
            "halving_month": months_of(halving_month(f) for f in fits),
            "halving_from": months_of(start for start, _ in ranges),
            "halving_to": months_of(end for _, end in ranges),
            "curvature_verdict": pd.array([f.curvature_verdict for f in fits], dtype="string"),
            "curvature_p": [f.curvature_p for f in fits],
            "rank": np.zeros(len(fits), dtype=np.int64),
            "among_steepest": np.zeros(len(fits), dtype=bool),
            "reason": pd.Series([f.reason for f in fits], dtype="object"),
        },
        columns=list(DECLINE_COLUMNS),
    )
    rated = table["annual_change"].notna().to_numpy()
    order = np.argsort(table["annual_change"].to_numpy()[rated], kind="stable")
    ranks = np.empty(int(rated.sum()), dtype=np.int64)
    ranks[order] = np.arange(1, int(rated.sum()) + 1)
    table.loc[rated, "rank"] = ranks
    table["among_steepest"] = among_steepest(table)
    return table, fits


def branch_declines(cube: VisitCube, config: DeclineConfig = DEFAULT_DECLINE) -> tuple[pd.DataFrame, tuple]:
    """Return ``group_declines`` per branch (adds a ``city`` column)."""
    series = group_counter_sums(cube, cube.branch_codes, len(cube.branch_labels))
    table, fits = group_declines(series, cube.months, cube.branch_labels, config)
    table.insert(2, "city", pd.array(list(cube.branch_city), dtype="string"))
    return table, fits


def segment_declines(
    cube: VisitCube, codes: np.ndarray, labels: Sequence[str], config: DeclineConfig = DEFAULT_DECLINE
) -> tuple[pd.DataFrame, tuple]:
    """Return ``group_declines`` per segment.

    ``codes``: one per customer row (-1 = unassigned), the segment of the latest month applied
    to every month; or ``(n_months, n_customers)``, the segment each customer was in each month,
    when the data holds that history (see ``group_counter_sums``). Customers in no segment (closed
    customers in a scheme that leaves them out, a missing AUM) with counter transactions form a last
    row labelled ``NOT_ASSIGNED_LABEL``, so the segments' counter transactions add up to the bank's.
    """
    codes = np.asarray(codes)
    labels = tuple(labels)
    series = group_counter_sums(cube, np.where(codes >= 0, codes, len(labels)), len(labels) + 1)
    if series[-1].any():  # customers in no segment keep their own row, so the rows add up to the bank
        from crm_core.segments.view import NOT_ASSIGNED_LABEL

        labels = (*labels, NOT_ASSIGNED_LABEL)
    else:
        series = series[:-1]
    return group_declines(series, cube.months, labels, config)
