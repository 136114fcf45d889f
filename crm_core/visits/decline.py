"""How fast counter transactions fall: a log-linear trend with month-of-year seasonality.

The model, fitted by ordinary least squares on one monthly series of counter transactions::

    log(counter_t) = a + b * years_t + sum_m s_m * [month_of_year_t = m] + e_t

``b`` is the trend per year once the calendar (Spring Festival, holidays) is taken out;
``exp(b) - 1`` is the "% change per year", with a t-based confidence interval. Months
without counter transactions are left out of the fit (their logarithm is undefined).
The same fit gives the forecast and its prediction interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crm_core.visits.config import DEFAULT_DECLINE, DeclineConfig
from crm_core.visits.cube import VisitCube, group_counter_sums

OK = "ok"
NOT_ENOUGH_HISTORY = "not_enough_history"
NO_COUNTER_ACTIVITY = "no_counter_activity"

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
    "rank",
    "reason_en",
    "reason_zh",
)


@dataclass(frozen=True, eq=False)
class DeclineFit:
    """The fitted trend of one monthly counter series.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"not_enough_history"`` or ``"no_counter_activity"``.
    annual_change, lower, upper : float
        ``exp(b) - 1`` and its confidence interval (NaN unless ``status == "ok"``; the
        interval is NaN too when the fit leaves no residual degrees of freedom).
    yoy : float
        Last 12 months against the 12 before, minus one (NaN with less than 24 months).
    cagr : float
        Compound annual rate between the first and the last 12 months of the window.
    months_used : int
        Months in the fit (months with counter transactions).
    reason_en, reason_zh : str
        Why there are no numbers, or a caveat; empty otherwise.
    coefficients, covariance : numpy.ndarray
        OLS coefficients (intercept, years, month dummies) and their covariance.
    residual_variance : float
    degrees_of_freedom : int
    seasonal_months : tuple of int
        Month-of-year of each dummy column (the first month of year present is the baseline).
    last_month : pandas.Timestamp
        The series' last month (``years = 0`` there).
    confidence : float
    """

    status: str
    annual_change: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    yoy: float = math.nan
    cagr: float = math.nan
    months_used: int = 0
    reason_en: str = ""
    reason_zh: str = ""
    coefficients: np.ndarray | None = None
    covariance: np.ndarray | None = None
    residual_variance: float = math.nan
    degrees_of_freedom: int = 0
    seasonal_months: tuple[int, ...] = ()
    last_month: pd.Timestamp | None = None
    confidence: float = 0.95

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
    """Return the fitted counter trend of one monthly series.

    Parameters
    ----------
    series : numpy.ndarray
        Counter transactions per month, aligned with ``months``.
    months : pandas.DatetimeIndex
        Consecutive month starts.
    config : DeclineConfig
        Minimum history and confidence level.

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
            reason_en=f"Not enough history: {n} months, at least {config.min_months} needed.",
            reason_zh=f"历史数据不足：仅{n}个月，至少需要{config.min_months}个月。",
            confidence=config.confidence,
        )
    if not np.nansum(series) > 0:
        return DeclineFit(
            status=NO_COUNTER_ACTIVITY,
            reason_en="No counter transactions in the window.",
            reason_zh="期间内没有柜面交易。",
            confidence=config.confidence,
        )
    used = series > 0
    if used.sum() < config.min_months:
        return DeclineFit(
            status=NOT_ENOUGH_HISTORY,
            yoy=yoy,
            cagr=cagr,
            months_used=int(used.sum()),
            reason_en=f"Not enough history: counter transactions in {int(used.sum())} months, "
            f"at least {config.min_months} needed.",
            reason_zh=f"历史数据不足：仅{int(used.sum())}个月有柜面交易，至少需要{config.min_months}个月。",
            confidence=config.confidence,
        )
    fit_months = months[used]
    seasonal = tuple(sorted(set(fit_months.month)))[1:]
    last_month = pd.Timestamp(months[-1])
    design = _design(fit_months, last_month, seasonal)
    target = np.log(series[used])
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coefficients
    df = len(target) - design.shape[1]
    variance = float(residuals @ residuals / df) if df > 0 else math.nan
    covariance = variance * np.linalg.pinv(design.T @ design)
    slope = float(coefficients[1])
    lower = upper = math.nan
    reason_en = reason_zh = ""
    if df > 0:
        half = stats.t.ppf(0.5 + config.confidence / 2, df) * math.sqrt(max(covariance[1, 1], 0.0))
        lower, upper = math.expm1(slope - half), math.expm1(slope + half)
    else:
        reason_en = "No interval: the fit leaves no residual degrees of freedom (add months of history)."
        reason_zh = "无置信区间：数据月份太少，模型没有剩余自由度。"
    if not used.all():
        reason_en = (reason_en + " " if reason_en else "") + f"{int((~used).sum())} months without counter left out."
        reason_zh += f"{int((~used).sum())}个无柜面交易的月份未参与拟合。"
    return DeclineFit(
        status=OK,
        annual_change=math.expm1(slope),
        lower=lower,
        upper=upper,
        yoy=yoy,
        cagr=cagr,
        months_used=int(used.sum()),
        reason_en=reason_en,
        reason_zh=reason_zh,
        coefficients=coefficients,
        covariance=covariance,
        residual_variance=variance,
        degrees_of_freedom=int(df),
        seasonal_months=seasonal,
        last_month=last_month,
        confidence=config.confidence,
    )


def halving_month(fit: DeclineFit) -> pd.Timestamp | None:
    """Return the month by which the trend level halves, counted from the last month; None unless declining.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> halving_month(counter_decline(1000 * 0.5 ** (np.arange(36) / 24), months))
    Timestamp('2028-12-01 00:00:00')
    """
    if not fit.declining or fit.last_month is None:
        return None
    months_ahead = round(12 * math.log(0.5) / fit.slope)
    return (fit.last_month + pd.DateOffset(months=months_ahead)).normalize()


def halving_sentence(fit: DeclineFit, lang: str = "en") -> str | None:
    """Return "At this rate, counter transactions halve by <month year>." (en/zh); None unless declining.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=36, freq="MS")
    >>> fit = counter_decline(1000 * 0.5 ** (np.arange(36) / 24), months)
    >>> halving_sentence(fit)
    'At this rate (-29.3% a year), counter transactions halve by December 2028.'
    >>> halving_sentence(fit, "zh")
    '按此速度（每年-29.3%），柜面交易量将在2028年12月减半。'
    """
    month = halving_month(fit)
    if month is None:
        return None
    rate = f"{fit.annual_change * 100:+.1f}%".replace("+", "")
    if lang == "zh":
        return f"按此速度（每年{rate}），柜面交易量将在{month.year}年{month.month}月减半。"
    return f"At this rate ({rate} a year), counter transactions halve by {month.strftime('%B %Y')}."


def counter_forecast(fit: DeclineFit, horizon_months: int = 12) -> pd.DataFrame:
    """Return the next months' counter transactions with a prediction interval.

    Parameters
    ----------
    fit : DeclineFit
        From ``counter_decline``; empty frame unless ``status == "ok"``.
    horizon_months : int

    Returns
    -------
    pandas.DataFrame
        ``month``, ``forecast`` (the median: exp of the predicted log), ``lower``, ``upper``
        (prediction interval at the fit's confidence; NaN without residual degrees of freedom).
    """
    columns = {"month": pd.Series(dtype="datetime64[ns]")} | {
        c: pd.Series(dtype=float) for c in ("forecast", "lower", "upper")
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
        {"month": months, "forecast": np.exp(mean), "lower": np.exp(mean - half), "upper": np.exp(mean + half)}
    )


def forecast_total(fit: DeclineFit, horizon_months: int = 12) -> float:
    """Return the sum of ``counter_forecast(fit, horizon_months)["forecast"]``, without a frame (NaN unless ok)."""
    if fit.status != OK:
        return math.nan
    months = pd.date_range(fit.last_month, periods=horizon_months + 1, freq="MS")[1:]
    return float(np.exp(_design(months, fit.last_month, fit.seasonal_months) @ fit.coefficients).sum())


def fitted_history(fit: DeclineFit, series: np.ndarray, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Return ``month``, ``actual`` and ``fitted`` (trend with seasonality) over the history."""
    fitted = np.full(len(months), np.nan)
    if fit.status == OK:
        fitted = np.exp(_design(months, fit.last_month, fit.seasonal_months) @ fit.coefficients)
    return pd.DataFrame({"month": months, "actual": np.asarray(series, dtype=float), "fitted": fitted})


def bank_counter_series(cube: VisitCube) -> np.ndarray:
    """Counter transactions per month over all customers."""
    return cube.counter.sum(axis=1, dtype=np.int64)


def bank_decline(cube: VisitCube, config: DeclineConfig = DEFAULT_DECLINE) -> DeclineFit:
    """Return the bank-wide counter trend."""
    return counter_decline(bank_counter_series(cube), cube.months, config)


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
        ``yoy``, ``cagr``, ``counter_12m``, ``months_used``, ``halving_month``, ``rank``
        (1 = steepest decline; 0 without a rate), ``reason_en`` / ``reason_zh``. Sorted by ``code``.
    fits : tuple of DeclineFit
        In ``code`` order, for forecasts and what-ifs.
    """
    fits = tuple(counter_decline(row, months, config) for row in series)
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
            "halving_month": pd.to_datetime(pd.Series([halving_month(f) for f in fits], dtype="object")),
            "rank": np.zeros(len(fits), dtype=np.int64),
            "reason_en": pd.array([f.reason_en for f in fits], dtype="string"),
            "reason_zh": pd.array([f.reason_zh for f in fits], dtype="string"),
        },
        columns=list(DECLINE_COLUMNS),
    )
    rated = table["annual_change"].notna().to_numpy()
    order = np.argsort(table["annual_change"].to_numpy()[rated], kind="stable")
    ranks = np.empty(int(rated.sum()), dtype=np.int64)
    ranks[order] = np.arange(1, int(rated.sum()) + 1)
    table.loc[rated, "rank"] = ranks
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
    """Return ``group_declines`` per segment (``codes`` one per customer row, -1 = unassigned)."""
    series = group_counter_sums(cube, np.asarray(codes), len(labels))
    return group_declines(series, cube.months, labels, config)
