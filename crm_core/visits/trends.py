"""Monthly transactions by channel for the bank, a branch, a city, a segment or an age band,
and the off-counter rate (离柜率) against the industry benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.overview import monthly_channel_totals
from crm_core.prepare import PreparedDataset
from crm_core.visits.config import DEFAULT_BENCHMARK, OffCounterBenchmark
from crm_core.visits.cube import CHANNEL_GROUPS, VisitCube, group_monthly_active, group_monthly_sums

TREND_LEVELS: tuple[str, ...] = ("bank", "branch", "city")


def _empty_channel_trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.Series(dtype="datetime64[ns]"),
            "group": pd.Series(dtype="string"),
            "channel": pd.Categorical([], categories=list(CHANNELS)),
            "transactions": pd.Series(dtype="int64"),
            "active_customers": pd.Series(dtype="int64"),
        }
    )


def channel_trend(prepared: PreparedDataset, level: str = "bank", cube: VisitCube | None = None) -> pd.DataFrame:
    """Return monthly transactions and active customers per channel, for the bank, per branch or per city.

    Read from ``prepared.monthly_channels`` (month × channel × branch); a city is the sum of
    its branches (a branch belongs to its customers' most common city, from ``cube`` when given).

    Parameters
    ----------
    prepared : PreparedDataset
    level : {"bank", "branch", "city"}
    cube : VisitCube, optional
        Needed for ``level="city"``.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``group`` ("All" for the bank), ``channel`` (categorical in ``CHANNELS``
        order), ``transactions``, ``active_customers``. Empty without activity.
    """
    if level not in TREND_LEVELS:
        raise ValueError(f"level must be one of {TREND_LEVELS}, not {level!r}")
    monthly = prepared.monthly_channels
    if monthly is None or monthly.empty:
        return _empty_channel_trend()
    if level == "bank":
        totals = monthly_channel_totals(prepared)
        totals.insert(1, "group", pd.array(["All"] * len(totals), dtype="string"))
        return totals
    frame = monthly[["month", "channel", "branch", "transactions", "active_customers"]]
    if level == "branch":
        frame = frame.rename(columns={"branch": "group"})
    else:
        if cube is None:
            raise ValueError("level='city' needs the visit cube (branch → city)")
        city_of = dict(zip(cube.branch_labels, cube.branch_city, strict=True))
        frame = frame.assign(group=frame["branch"].map(city_of).fillna("All").astype("string")).drop(columns="branch")
    out = (
        frame.groupby(["month", "group", "channel"], observed=True, sort=True)[["transactions", "active_customers"]]
        .sum()
        .reset_index()
    )
    out["group"] = out["group"].astype("string")
    out["channel"] = pd.Categorical(out["channel"], categories=list(CHANNELS))
    return out[["month", "group", "channel", "transactions", "active_customers"]]


def group_channel_trend(cube: VisitCube, codes: np.ndarray, labels: Sequence[str]) -> pd.DataFrame:
    """Return monthly transactions and active customers per channel group for each segment.

    Parameters
    ----------
    cube : VisitCube
    codes : numpy.ndarray
        Segment code per customer row (-1 = unassigned, left out).
    labels : sequence of str
        Segment names, by code.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``code``, ``group``, ``channel_group`` (counter / digital / other),
        ``transactions``, ``active_customers``; ordered by code, channel group, month.

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> from crm_core.visits.cube import visit_cube
    >>> cube = visit_cube(prepared_dataset(tiny_dataset()))
    >>> trend = group_channel_trend(cube, np.array([0, 0, 1, -1]), ["young", "old"])
    >>> trend.groupby(["group", "channel_group"], observed=True)["transactions"].sum().tolist()
    [7, 0, 0, 6, 8, 0]
    """
    codes = np.asarray(codes)
    k, m = len(labels), cube.n_months
    matrices = (cube.counter, cube.digital, cube.other)
    sums = np.stack([group_monthly_sums(x, codes, k) for x in matrices], axis=1)  # k × group × month
    active = np.stack([group_monthly_active(x, codes, k) for x in matrices], axis=1)
    g = len(CHANNEL_GROUPS)
    return pd.DataFrame(
        {
            "month": np.tile(cube.months.to_numpy(), k * g),
            "code": np.repeat(np.arange(k, dtype=np.int64), g * m),
            "group": pd.array(np.repeat(np.asarray(labels, dtype=object), g * m), dtype="string"),
            "channel_group": pd.Categorical(np.tile(np.repeat(CHANNEL_GROUPS, m), k), categories=list(CHANNEL_GROUPS)),
            "transactions": sums.reshape(-1),
            "active_customers": active.reshape(-1),
        }
    )


def age_band_channel_trend(cube: VisitCube) -> pd.DataFrame:
    """``group_channel_trend`` per age band."""
    return group_channel_trend(cube, cube.age_band_codes, cube.age_band_labels)


def benchmark_rates(months: pd.DatetimeIndex, benchmark: OffCounterBenchmark = DEFAULT_BENCHMARK) -> pd.DataFrame:
    """Return the benchmark rate in force in each month: ``month``, ``benchmark``, ``benchmark_year``.

    The industry figure is annual; a month takes the latest published year at or before its own.
    """
    years = [benchmark.year_for(int(y)) for y in months.year]
    return pd.DataFrame(
        {
            "month": months,
            "benchmark": [benchmark.rate_for_year(int(y)) for y in months.year],
            "benchmark_year": pd.array(years, dtype="Int64"),
        }
    )


def off_counter_rates(prepared: PreparedDataset, benchmark: OffCounterBenchmark = DEFAULT_BENCHMARK) -> pd.DataFrame:
    """Return the monthly off-counter rate (share of transactions not at the counter) next to the benchmark.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``counter``, ``total`` (all channels), ``off_counter_rate``,
        ``off_counter_rate_12m`` (over the 12 months ending that month, as the industry's annual
        figure is; NaN before 12 months), ``benchmark``, ``benchmark_year``, ``gap``
        (rate minus benchmark, in shares). Empty without activity.

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> rates = off_counter_rates(prepared_dataset(tiny_dataset()))
    >>> rates.loc[rates["total"] > 0, ["counter", "total", "off_counter_rate"]].values.tolist()
    [[7.0, 7.0, 0.0], [4.0, 4.0, 0.0], [0.0, 3.0, 1.0], [0.0, 5.0, 1.0], [2.0, 2.0, 0.0]]
    """
    totals = monthly_channel_totals(prepared)
    wide = totals.pivot_table(
        index="month", columns="channel", values="transactions", aggfunc="sum", observed=False
    ).reindex(columns=list(CHANNELS), fill_value=0)
    counter = wide["counter"].to_numpy(dtype=float)
    total = wide.sum(axis=1).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total > 0, 1 - counter / total, np.nan)
        counter_12 = pd.Series(counter).rolling(12).sum().to_numpy()
        total_12 = pd.Series(total).rolling(12).sum().to_numpy()
        rate_12 = np.where(total_12 > 0, 1 - counter_12 / total_12, np.nan)
    months = pd.DatetimeIndex(wide.index)
    out = pd.DataFrame(
        {"month": months, "counter": counter, "total": total, "off_counter_rate": rate, "off_counter_rate_12m": rate_12}
    )
    out = out.merge(benchmark_rates(months, benchmark), on="month", how="left")
    out["gap"] = out["off_counter_rate_12m"].fillna(out["off_counter_rate"]) - out["benchmark"]
    return out
