"""Headline tiles of the visits page."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_core.prepare import PreparedDataset
from crm_core.visits.attrition import silent_attrition_mask, silent_attrition_measurable
from crm_core.visits.config import DEFAULT_ATTRITION, DEFAULT_BENCHMARK, OffCounterBenchmark, SilentAttritionRule
from crm_core.visits.cube import VisitCube
from crm_core.visits.decline import DeclineFit
from crm_core.visits.trends import off_counter_rates

VISIT_KPIS: tuple[tuple[str, str], ...] = (
    ("off_counter_rate", "share"),
    ("counter_decline_per_year", "share"),
    ("mobile_active_share", "share"),
    ("silent_attrition_customers", "count"),
)
"""(metric, unit) in display order."""


def visit_kpis(
    prepared: PreparedDataset,
    cube: VisitCube,
    bank_fit: DeclineFit,
    rule: SilentAttritionRule = DEFAULT_ATTRITION,
    benchmark: OffCounterBenchmark = DEFAULT_BENCHMARK,
) -> pd.DataFrame:
    """Return the tiles: off-counter rate vs benchmark, counter decline with interval, mobile share, at-risk count.

    Parameters
    ----------
    prepared : PreparedDataset
    cube : VisitCube
    bank_fit : DeclineFit
        From ``bank_decline``.
    rule : SilentAttritionRule
    benchmark : OffCounterBenchmark

    Returns
    -------
    pandas.DataFrame
        One row per ``VISIT_KPIS`` metric: ``metric``, ``unit``, ``value``, ``lower``, ``upper``
        (interval, decline only), ``reference`` (the benchmark rate for the off-counter rate),
        ``reference_year``. The off-counter rate is over the last 12 months (the industry
        figure is annual), the latest month's when there are fewer.
    """
    nan = math.nan
    rates = off_counter_rates(prepared, benchmark)
    if rates.empty:
        rate, reference, reference_year = nan, nan, None
    else:
        last = rates.iloc[-1]
        rate = last["off_counter_rate_12m"] if pd.notna(last["off_counter_rate_12m"]) else last["off_counter_rate"]
        reference, reference_year = float(last["benchmark"]), last["benchmark_year"]
    customers = prepared.customers
    open_ = customers["is_active"].to_numpy(dtype=bool)
    mobile = nan  # also when the extract records no mobile channel (preparation leaves the flag out)
    if prepared.has("mobile_active") and open_.any():
        mobile = float(customers["mobile_active"].to_numpy(dtype=bool)[open_].mean())
    at_risk = nan
    if silent_attrition_measurable(prepared, cube):
        at_risk = float(silent_attrition_mask(cube, customers["aum_trend"].to_numpy(dtype=float), rule).sum())
    rows = [
        ("off_counter_rate", "share", float(rate), nan, nan, reference, reference_year),
        (
            "counter_decline_per_year",
            "share",
            bank_fit.annual_change,
            bank_fit.lower,
            bank_fit.upper,
            nan,
            None,
        ),
        ("mobile_active_share", "share", mobile, nan, nan, nan, None),
        ("silent_attrition_customers", "count", at_risk, nan, nan, nan, None),
    ]
    frame = pd.DataFrame(rows, columns=["metric", "unit", "value", "lower", "upper", "reference", "reference_year"])
    frame["reference_year"] = pd.array(
        [None if y is None or pd.isna(y) else int(y) for y in frame["reference_year"]], dtype="Int64"
    )
    frame[["value", "lower", "upper", "reference"]] = frame[["value", "lower", "upper", "reference"]].astype(np.float64)
    return frame
