"""Silent attrition: customers who stop visiting, do not go digital and take their money away.
Plus formula-safe CSV / Excel exports of the list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.exports import FORMULA_PREFIXES, csv_bytes, excel_bytes, formula_safe  # noqa: F401 - re-exported
from crm_core.prepare import PreparedDataset
from crm_core.visits.config import DEFAULT_ATTRITION, SilentAttritionRule
from crm_core.visits.cube import VisitCube, silent_attrition_gaps


def silent_attrition_mask(cube: VisitCube, aum_trend: np.ndarray, rule: SilentAttritionRule = DEFAULT_ATTRITION):
    """Return a bool per customer: matches ``rule`` (see ``SilentAttritionRule``).

    All False with less than 24 months of history. ``aum_trend`` NaN never matches.
    """
    if cube.n_months < 24:
        return np.zeros(cube.n_customers, dtype=bool)
    before, after = cube.counter_prev_12m, cube.counter_12m
    fell = (before >= rule.min_counter_before) & (after <= before * (1 - rule.min_counter_drop))
    no_uptake = (cube.digital_12m - cube.digital_prev_12m) <= rule.max_digital_increase
    with np.errstate(invalid="ignore"):
        shrinking = np.asarray(aum_trend, dtype=float) < rule.aum_trend_below
    mask = fell & no_uptake & shrinking
    return mask & cube.is_active if rule.active_only else mask


def silent_attrition_measurable(prepared: PreparedDataset, cube: VisitCube) -> bool:
    """Whether the rule can be applied to this cube's months (``silent_attrition_gaps`` finds nothing missing)."""
    return not silent_attrition_gaps(prepared, cube.n_months)


def silent_attrition(
    prepared: PreparedDataset, cube: VisitCube, rule: SilentAttritionRule = DEFAULT_ATTRITION
) -> pd.DataFrame:
    """Return the customers at risk of silent attrition, largest AUM first.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``branch``, ``relationship_manager`` (when the data has it), ``aum``,
        ``aum_12m_ago``, ``aum_trend``, ``counter_prev_12m``, ``counter_12m``,
        ``digital_prev_12m``, ``digital_12m``. Empty without AUM a year ago or 24 months of history.
    """
    customers = prepared.customers
    columns = ["customer_id", "branch"]
    if prepared.has("relationship_manager"):
        columns.append("relationship_manager")
    columns += ["aum", "aum_12m_ago", "aum_trend"]
    if silent_attrition_measurable(prepared, cube):
        trend = customers["aum_trend"].to_numpy(dtype=float)
    else:  # no rule to apply: nobody is listed
        trend = np.full(len(customers), np.nan)
    rows = np.flatnonzero(silent_attrition_mask(cube, trend, rule))
    out = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].iloc[rows].to_numpy(),  # the rows', not 5M strings
            "branch": np.asarray(cube.branch_labels, dtype=object)[cube.branch_codes[rows]],
        }
    )
    if "relationship_manager" in columns:
        out["relationship_manager"] = customers["relationship_manager"].iloc[rows].to_numpy()
    for column in ("aum", "aum_12m_ago", "aum_trend"):
        out[column] = customers[column].iloc[rows].to_numpy(dtype=float) if column in customers else np.nan
    for name in ("counter_prev_12m", "counter_12m", "digital_prev_12m", "digital_12m"):
        out[name] = getattr(cube, name)[rows].astype(np.int64)  # the cube's int32 or int64 windows
    for column in ("customer_id", "branch", "relationship_manager"):
        if column in out:
            out[column] = out[column].astype("string")
    return out.sort_values(["aum", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
