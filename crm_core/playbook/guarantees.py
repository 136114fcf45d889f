"""Guarantee measures: the KPIs that track organisation, data, talent and incentives, against targets.

Each KPI is measured from the data (or the scenario, for the staff weights), set against a
target the user edits (``GuaranteeTargets``), with owner and milestone fields to fill in. A
KPI the data cannot measure stays in the table, marked unavailable with the reason.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_core import segments, staff
from crm_core.catalog import text
from crm_core.contract import CUSTOMER_FIELDS
from crm_core.definitions import churn_rate
from crm_core.messages import Term, shown
from crm_core.playbook.config import GuaranteeTargets, starting_target
from crm_core.prepare import PreparedDataset

if TYPE_CHECKING:  # annotations only: the scenario holds playbook settings
    from crm_core.scenarios import Scenario

KPI_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("organisation", "rm_coverage", "share"),
    ("organisation", "off_counter_rate", "share"),
    ("data_technology", "data_completeness", "share"),
    ("data_technology", "digital_adoption", "share"),
    ("talent_training", "cross_sell_ratio", "ratio"),
    ("talent_training", "satisfaction", "score"),
    ("incentives", "customer_weight", "share"),
    ("incentives", "retention", "share"),
)
"""(area, kpi, unit). Words are catalog terms: an area's name ``guaranteearea_<area>``, a KPI's
``guaranteekpi_<kpi>``, how it is measured ``guaranteemeasure_<kpi>``, why it cannot be
``guaranteereason_<kpi>``."""

GUARANTEE_COLUMNS: tuple[str, ...] = (
    "area",
    "kpi",
    "area_label",
    "kpi_label",
    "measure",
    "unit",
    "current",
    "target",
    "gap",
    "met",
    "owner",
    "milestone",
    "available",
    "reason",
)
"""Columns of ``guarantee_measures`` in order."""

COMPLETENESS_EXCLUDED: tuple[str, ...] = ("closed_date", "churned", "num_products")
"""Optional fields left out of data completeness: empty by design for open relationships, or derived."""


def _active_mean(values: pd.Series, active: np.ndarray) -> float:
    kept = values[active].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    kept = kept[~np.isnan(kept)]
    return float(kept.mean()) if len(kept) else math.nan


def _off_counter_rate(prepared: PreparedDataset) -> float:
    monthly = prepared.monthly_channels
    if monthly is None:
        return math.nan
    recent = monthly[monthly["month"] > prepared.as_of - pd.DateOffset(months=12)]
    total = float(recent["transactions"].sum())
    counter = float(recent.loc[recent["channel"] == "counter", "transactions"].sum())
    return 1 - counter / total if total else math.nan


def guarantee_values(prepared: PreparedDataset, scenario: Scenario) -> dict[str, float]:
    """Return the current value of every guarantee KPI (NaN where the data cannot measure it).

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> from crm_core.scenarios import Scenario
    >>> guarantee_values(prepared_dataset(tiny_dataset()), Scenario())["retention"]
    0.5
    """
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    values: dict[str, float] = {}
    if prepared.has("relationship_manager"):
        codes = segments.aum_tiers(prepared, scenario.tiers).codes
        upper = active & (codes >= 1)
        managed = c["relationship_manager"].notna().to_numpy(dtype=bool) & upper
        values["rm_coverage"] = int(managed.sum()) / int(upper.sum()) if upper.any() else math.nan
    else:
        values["rm_coverage"] = math.nan
    values["off_counter_rate"] = _off_counter_rate(prepared)
    fields = [f.name for f in CUSTOMER_FIELDS if not f.required and f.name not in COMPLETENESS_EXCLUDED]
    if active.any():
        # Counted on masks, not by taking each column's active rows (5M text cells each: 2.5 s in all at 5M).
        n_active = int(active.sum())
        filled = [
            int((c[name].notna().to_numpy(dtype=bool) & active).sum()) / n_active if name in c.columns else 0.0
            for name in fields
        ]
        values["data_completeness"] = float(np.mean(filled))
    else:
        values["data_completeness"] = math.nan
    values["digital_adoption"] = _active_mean(c["digital_active"], active) if "digital_active" in c else math.nan
    has_products = bool(prepared.products) or prepared.has("products_held")
    values["cross_sell_ratio"] = _active_mean(c["products_held"], active) if has_products else math.nan
    values["satisfaction"] = _active_mean(c["satisfaction"], active) if prepared.has("satisfaction") else math.nan
    values["customer_weight"] = staff.perspective_weights(dict(scenario.staff_weights))["customer"] / 100
    values["retention"] = 1 - churn_rate(c).value  # NaN when the data records no closures
    return values


def guarantee_measures(
    prepared: PreparedDataset,
    scenario: Scenario,
    targets: GuaranteeTargets | None = None,
) -> pd.DataFrame:
    """Return the guarantee measures: four areas, their KPIs, current value, target, gap, owner, milestone.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    scenario : Scenario
        Tiers (for RM coverage) and staff weights (for the customer-perspective weight).
    targets : GuaranteeTargets, optional
        Targets, owners and milestones; the scenario's (``scenario.guarantees``) when None.

    Returns
    -------
    pandas.DataFrame
        One row per KPI, columns ``GUARANTEE_COLUMNS``: ``current`` and ``target`` in the KPI's
        ``unit`` (shares as 0–1), ``gap`` = target − current (positive = short of target; every
        KPI here is higher-is-better), ``met`` (NA when not measurable), ``owner`` and
        ``milestone`` ("" unless set), ``available`` and ``reason``. ``area_label``, ``kpi_label``,
        ``measure`` and ``reason`` are catalog terms (``reason`` "" when measured), worded at the
        edge by ``guarantee_table_in``.
    """
    targets = targets if targets is not None else scenario.guarantees
    values = guarantee_values(prepared, scenario)
    goal, owners, milestones = targets.target_map, targets.owner_map, targets.milestone_map
    rows = []
    for area, kpi, unit in KPI_DEFINITIONS:
        current = values[kpi]
        target = goal[kpi] if kpi in goal else starting_target(kpi, current)  # unset: from today's value
        available = math.isfinite(current)
        gap = target - current if available and math.isfinite(target) else math.nan
        rows.append(
            {
                "area": area,
                "kpi": kpi,
                "area_label": Term(f"guaranteearea_{area}"),
                "kpi_label": Term(f"guaranteekpi_{kpi}"),
                "measure": Term(f"guaranteemeasure_{kpi}"),
                "unit": unit,
                "current": current,
                "target": target,
                "gap": gap,
                "met": bool(gap <= 1e-12) if math.isfinite(gap) else pd.NA,
                "owner": owners.get(kpi, ""),
                "milestone": milestones.get(kpi, ""),
                "available": available,
                "reason": "" if available else Term(f"guaranteereason_{kpi}"),
            }
        )
    frame = pd.DataFrame(rows, columns=list(GUARANTEE_COLUMNS))
    frame["met"] = frame["met"].astype("boolean")
    return frame


EXPORT_COLUMNS: tuple[str, ...] = tuple(c for c in GUARANTEE_COLUMNS if c not in ("area", "kpi", "available"))
"""Export columns in order; each headed by the catalog term ``guaranteeheader_<column>``."""


def guarantee_table_in(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``guarantee_measures`` worded in ``lang`` (an edge's renderer): names, measures, reasons, "TBD".

    The input is not modified.
    """
    worded = frame.copy()
    for column in ("area_label", "kpi_label", "measure", "reason"):
        worded[column] = [str(shown(value, lang)) for value in frame[column]]
    tbd = text("guarantee_tbd", lang)
    for column in ("owner", "milestone"):
        worded[column] = [value or tbd for value in frame[column]]
    return worded


def guarantee_table_for_export(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return ``guarantee_measures`` output worded and headed in ``lang``, ready for ``csv_bytes`` / ``excel_workbook``.

    Numbers stay numbers (rounded to 4 decimals); ``met`` becomes yes / no (是 / 否), blank when
    not measurable. The input is not modified.

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> from crm_core.scenarios import Scenario
    >>> table = guarantee_measures(prepared_dataset(tiny_dataset()), Scenario())
    >>> list(guarantee_table_for_export(table, "zh").columns)[:3]
    ['保障领域', '指标', '计算口径']
    """
    out = guarantee_table_in(frame, lang)[list(EXPORT_COLUMNS)].copy()
    out["unit"] = [text(f"guaranteeunit_{u}", lang) for u in out["unit"]]
    for column in ("current", "target", "gap"):
        out[column] = out[column].astype(float).round(4)
    yes, no = text("guarantee_yes", lang), text("guarantee_no", lang)
    out["met"] = [("" if pd.isna(v) else (yes if v else no)) for v in frame["met"]]
    headers = {column: text(f"guaranteeheader_{column}", lang) for column in EXPORT_COLUMNS}
    return out.rename(columns=headers).reset_index(drop=True)
