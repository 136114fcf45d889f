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
from crm_core.playbook.config import GuaranteeTargets, starting_target
from crm_core.prepare import PreparedDataset

if TYPE_CHECKING:  # annotations only: the scenario holds playbook settings
    from crm_core.scenarios import Scenario

AREA_NAMES: dict[str, tuple[str, str]] = {
    "organisation": ("Organisation", "组织保障"),
    "data_technology": ("Data and technology", "数据与科技保障"),
    "talent_training": ("Talent and training", "人才与培训保障"),
    "incentives": ("Incentives and assessment", "考核与激励保障"),
}

KPI_DEFINITIONS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "organisation",
        "rm_coverage",
        "share",
        "RM coverage of affluent and above",
        "富裕及以上客户的客户经理覆盖率",
        "active customers of the second tier and above (scenario tiers) with a relationship manager / all of them",
        "第二层及以上（情景分层）存续客户中有客户经理的占比",
    ),
    (
        "organisation",
        "off_counter_rate",
        "share",
        "Off-counter rate",
        "离柜率",
        "transactions of the last 12 months not at the counter / all transactions",
        "近12个月非柜面交易 / 全部交易",
    ),
    (
        "data_technology",
        "data_completeness",
        "share",
        "Data completeness of optional fields",
        "可选字段数据完整率",
        "filled cells of the contract's optional customer fields (closing fields excepted) over active customers; "
        "a field absent from the upload counts as empty",
        "存续客户在数据规范可选字段（销户类字段除外）上的填写率；上传缺少的字段按空计",
    ),
    (
        "data_technology",
        "digital_adoption",
        "share",
        "Digital adoption",
        "数字渠道使用率",
        "active customers with a mobile or online transaction in the last 3 months",
        "近3个月有手机银行或网银交易的存续客户占比",
    ),
    (
        "talent_training",
        "cross_sell_ratio",
        "ratio",
        "Cross-sell ratio",
        "交叉销售率",
        "products held per active customer",
        "存续客户人均持有产品数",
    ),
    (
        "talent_training",
        "satisfaction",
        "score",
        "Customer satisfaction",
        "客户满意度",
        "mean survey score (1–5) of active customers who answered",
        "作答存续客户的平均满意度（1–5分）",
    ),
    (
        "incentives",
        "customer_weight",
        "share",
        "Staff KPI weight on customer perspective",
        "考核中客户维度权重",
        "share of the scenario's staff weights on customer-perspective indicators",
        "情景考核权重中客户维度指标的占比",
    ),
    (
        "incentives",
        "retention",
        "share",
        "Customer retention",
        "客户留存率",
        "1 − churn rate (customers on the books a year ago who closed in the last 12 months / those customers)",
        "1 − 流失率（一年前在册客户中近12个月销户的人数 / 一年前在册客户数）",
    ),
)
"""(area, kpi, unit, English name, Chinese name, English measure, Chinese measure)."""

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

_REASONS: dict[str, tuple[str, str]] = {
    "rm_coverage": ("No relationship_manager column.", "数据没有客户经理字段。"),
    "off_counter_rate": ("No transaction data (activity table).", "没有交易数据（activity 表）。"),
    "digital_adoption": ("No transaction data (activity table).", "没有交易数据（activity 表）。"),
    "cross_sell_ratio": ("No product holdings.", "没有产品持有数据。"),
    "satisfaction": ("No satisfaction column.", "数据没有满意度字段。"),
    "retention": ("No closing dates or churn flag.", "数据没有销户日期或流失标记。"),
    "data_completeness": ("No active customers.", "没有存续客户。"),
    "customer_weight": ("", ""),
}


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
        values["rm_coverage"] = float(c["relationship_manager"][upper].notna().mean()) if upper.any() else math.nan
    else:
        values["rm_coverage"] = math.nan
    values["off_counter_rate"] = _off_counter_rate(prepared)
    fields = [f.name for f in CUSTOMER_FIELDS if not f.required and f.name not in COMPLETENESS_EXCLUDED]
    if active.any():
        filled = [float(c.loc[active, name].notna().mean()) if name in c.columns else 0.0 for name in fields]
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
    lang: str = "en",
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
    lang : {"en", "zh"}
        Language of ``area_label``, ``kpi_label``, ``measure`` and ``reason``.

    Returns
    -------
    pandas.DataFrame
        One row per KPI, columns ``GUARANTEE_COLUMNS``: ``current`` and ``target`` in the KPI's
        ``unit`` (shares as 0–1), ``gap`` = target − current (positive = short of target; every
        KPI here is higher-is-better), ``met`` (NA when not measurable), ``owner`` and
        ``milestone`` ("TBD" / "待定" unless set), ``available`` and ``reason``.
    """
    targets = targets if targets is not None else scenario.guarantees
    zh = lang == "zh"
    values = guarantee_values(prepared, scenario)
    goal, owners, milestones = targets.target_map, targets.owner_map, targets.milestone_map
    rows = []
    for area, kpi, unit, name_en, name_zh, measure_en, measure_zh in KPI_DEFINITIONS:
        current = values[kpi]
        target = goal[kpi] if kpi in goal else starting_target(kpi, current)  # unset: from today's value
        available = math.isfinite(current)
        gap = target - current if available and math.isfinite(target) else math.nan
        rows.append(
            {
                "area": area,
                "kpi": kpi,
                "area_label": AREA_NAMES[area][1 if zh else 0],
                "kpi_label": name_zh if zh else name_en,
                "measure": measure_zh if zh else measure_en,
                "unit": unit,
                "current": current,
                "target": target,
                "gap": gap,
                "met": bool(gap <= 1e-12) if math.isfinite(gap) else pd.NA,
                "owner": owners.get(kpi, text("guarantee_tbd", lang)),
                "milestone": milestones.get(kpi, text("guarantee_tbd", lang)),
                "available": available,
                "reason": "" if available else _REASONS[kpi][1 if zh else 0],
            }
        )
    frame = pd.DataFrame(rows, columns=list(GUARANTEE_COLUMNS))
    frame["met"] = frame["met"].astype("boolean")
    return frame


EXPORT_HEADERS: dict[str, tuple[str, str]] = {
    "area_label": ("Area", "保障领域"),
    "kpi_label": ("KPI", "指标"),
    "measure": ("How it is measured", "计算口径"),
    "unit": ("Unit", "单位"),
    "current": ("Current", "当前值"),
    "target": ("Target", "目标值"),
    "gap": ("Gap to target", "距目标差距"),
    "met": ("Met", "是否达标"),
    "owner": ("Owner", "负责人"),
    "milestone": ("Milestone", "里程碑"),
    "reason": ("Note", "说明"),
}
"""Export column → (English, Chinese) header, in export order."""

UNIT_NAMES: dict[str, tuple[str, str]] = {
    "share": ("share (0–1)", "比例（0–1）"),
    "ratio": ("products per customer", "每客户产品数"),
    "score": ("score (1–5)", "分（1–5）"),
}


def guarantee_table_for_export(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return ``guarantee_measures`` output with translated headers, ready for ``csv_bytes`` / ``excel_workbook``.

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
    zh = lang == "zh"
    out = frame[list(EXPORT_HEADERS)].copy()
    out["unit"] = out["unit"].map(lambda u: UNIT_NAMES.get(u, (u, u))[1 if zh else 0])
    for column in ("current", "target", "gap"):
        out[column] = out[column].astype(float).round(4)
    yes, no = ("是", "否") if zh else ("yes", "no")
    out["met"] = [("" if pd.isna(v) else (yes if v else no)) for v in frame["met"]]
    return out.rename(columns={k: v[1 if zh else 0] for k, v in EXPORT_HEADERS.items()}).reset_index(drop=True)
