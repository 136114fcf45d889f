"""Plans per KPI for the bank, a branch or a relationship manager, and their status against plan.

A target names a level (bank, branch, relationship manager), the unit at that level, a KPI, the
value to reach, the month to reach it by and its owner. Targets are part of the scenario
(``Scenario.targets``): entered in the app or read from a small CSV (:func:`targets_from_csv`).

The status rule is stated, not tuned (``STATUS_RULE``): the *required pace* is the gap from
today's value to the target divided by the months left; the *recent pace* is the change over
the last twelve months divided by twelve. A target already reached is **met**; one whose recent
pace is at least the required pace is **on track**; at least half of it, **at risk**; less, or
moving the wrong way, **off track**. Without a value a year earlier there is no recent pace and
the target is **not rated**; a target whose month has passed and is not met is **missed**.
Each KPI keeps the one definition the Overview uses (``crm_core.overview.headline_values``).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core import validation as check
from crm_core.overview import headline_values
from crm_core.prepare import PreparedDataset

TARGET_METRICS: dict[str, tuple[str, int]] = {
    "customers": ("count", 1),
    "total_aum": ("money", 1),
    "products_per_customer": ("ratio", 1),
    "digital_active_share": ("share", 1),
    "churn_rate": ("share", -1),
}
"""KPI → (unit, direction): +1 when more is better, -1 when less is."""

LEVELS: tuple[str, ...] = ("bank", "branch", "relationship_manager")

STATUSES: tuple[str, ...] = ("met", "on_track", "at_risk", "off_track", "missed", "not_rated", "no_unit")

AT_RISK_SHARE = 0.5
"""A recent pace of at least this share of the required pace is "at risk" rather than "off track"."""

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "level": ("level", "层级"),
    "unit": ("unit", "单位", "网点/客户经理"),
    "metric": ("metric", "kpi", "指标"),
    "target": ("target", "目标", "目标值"),
    "due": ("due", "by", "截止月份", "截止"),
    "owner": ("owner", "负责人"),
}
"""Columns of a targets CSV and the headers accepted for each (English or Chinese)."""


@dataclass(frozen=True)
class KpiTarget:
    """One plan: reach ``target`` for ``metric`` at ``level`` / ``unit`` by ``due``, owned by ``owner``.

    Examples
    --------
    >>> KpiTarget("branch", "Ningbo Haishu", "churn_rate", 0.08, "2027-06", "Branch head").direction
    -1
    """

    level: str
    unit: str
    metric: str
    target: float
    due: str
    owner: str = ""

    def __post_init__(self) -> None:
        level = check.choice(self.level, "targets: level", LEVELS)
        unit = check.text(self.unit, "targets: unit", 200, required=level != "bank")
        metric = check.choice(self.metric, "targets: metric", TARGET_METRICS)
        high = 1.0 if TARGET_METRICS[metric][0] == "share" else 1e15
        target = check.number(self.target, f"targets: target of {metric}", 0, high)
        due = check.text(self.due, "targets: due", 40, required=True)
        if not _MONTH.fullmatch(due):
            raise ValueError(f"targets: due must be a month as YYYY-MM, got {check.shown(due)}")
        owner = check.text(self.owner, "targets: owner", 80)
        check.assign(self, level=level, unit="" if level == "bank" else unit, metric=metric, target=target, due=due)
        check.assign(self, owner=owner)

    @property
    def direction(self) -> int:
        """+1 when more is better, -1 when less is."""
        return TARGET_METRICS[self.metric][1]


@dataclass(frozen=True)
class KpiTargets:
    """The scenario's KPI plans (each level, unit and KPI once).

    Examples
    --------
    >>> KpiTargets((KpiTarget("bank", "", "customers", 15000, "2027-12"),)).items[0].metric
    'customers'
    """

    items: tuple[KpiTarget, ...] = ()

    def __post_init__(self) -> None:
        entries = check.items(self.items, "targets: items", 0, 500)
        items = tuple(e if isinstance(e, KpiTarget) else KpiTarget(**e) for e in entries)
        check.distinct(((t.level, t.unit, t.metric) for t in items), "targets: (level, unit, metric)")
        check.assign(self, items=items)


def unit_kpis(prepared: PreparedDataset, level: str) -> pd.DataFrame:
    """Return each unit's KPI values now and a year earlier.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``metric``, ``value``, ``previous``; the bank is one unit named "".
    """
    dated = prepared.has("open_date") or prepared.has("closed_date")
    customers = prepared.customers
    if level == "bank":
        groups = [("", customers)]
    elif level in customers:
        groups = [(str(unit), part) for unit, part in customers.groupby(level, observed=True, sort=True)]
    else:
        groups = []
    rows = []
    for unit, part in groups:
        values = headline_values(part, dated)
        rows += [(unit, metric, *values[metric]) for metric in TARGET_METRICS]
    return pd.DataFrame(rows, columns=["unit", "metric", "value", "previous"])


def _months_between(start: pd.Timestamp, due: str) -> int:
    end = pd.Timestamp(f"{due}-01")
    return (end.year - start.year) * 12 + (end.month - start.month)


def target_status(prepared: PreparedDataset, targets: KpiTargets) -> pd.DataFrame:
    """Return every target with today's value, the paces and its status under ``STATUS_RULE``.

    Returns
    -------
    pandas.DataFrame
        ``level``, ``unit``, ``metric``, ``unit_kind`` (count / money / ratio / share), ``current``,
        ``year_ago``, ``target``, ``due``, ``owner``, ``months_left``, ``required_pace`` and
        ``recent_pace`` (per month, in the KPI's own unit, signed so that positive is better),
        ``status`` (one of ``STATUSES``).
    """
    columns = [
        "level", "unit", "metric", "unit_kind", "current", "year_ago", "target", "due", "owner",
        "months_left", "required_pace", "recent_pace", "status",
    ]  # fmt: skip
    if not targets.items:
        return pd.DataFrame(columns=columns)
    values = {
        level: unit_kpis(prepared, level).set_index(["unit", "metric"]) for level in {t.level for t in targets.items}
    }
    rows = []
    for plan in targets.items:
        key = (plan.unit, plan.metric)
        table = values[plan.level]
        current, previous = (
            (table.loc[key, "value"], table.loc[key, "previous"]) if key in table.index else (np.nan,) * 2
        )
        months_left = _months_between(prepared.as_of, plan.due)
        sign = plan.direction
        gap = sign * (plan.target - current)
        recent = sign * (current - previous) / 12 if math.isfinite(previous) else math.nan
        required = gap / months_left if months_left > 0 and math.isfinite(gap) else math.nan
        if key not in table.index or not math.isfinite(current):
            status = "no_unit"
        elif gap <= 0:
            status = "met"
        elif months_left <= 0:
            status = "missed"
        elif not math.isfinite(recent):
            status = "not_rated"
        elif recent >= required:
            status = "on_track"
        elif recent >= AT_RISK_SHARE * required:
            status = "at_risk"
        else:
            status = "off_track"
        unit_kind = TARGET_METRICS[plan.metric][0]
        rows.append(
            (plan.level, plan.unit, plan.metric, unit_kind, current, previous, plan.target, plan.due, plan.owner,
             months_left, required, recent, status)
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def targets_from_csv(data: bytes) -> KpiTargets:
    """Read targets from a small CSV (headers in English or Chinese; UTF-8 or GB18030).

    Raises
    ------
    ValueError
        Naming the row and what is wrong (a missing column, an unknown KPI, a bad month).
    """
    if len(data) > 256_000:
        raise ValueError("a targets file holds a few hundred rows at most (this one is over 256 KB)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("the targets file is neither UTF-8 nor GB18030 text")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    lookup = {header.strip().lower(): header for header in frame.columns}
    picked = {}
    for name, accepted in CSV_COLUMNS.items():
        found = next((lookup[a.lower()] for a in accepted if a.lower() in lookup), None)
        if found is None and name not in ("unit", "owner"):
            raise ValueError(f"the targets file needs a '{name}' column (accepted headers: {', '.join(accepted)})")
        picked[name] = found
    items = []
    for number, row in enumerate(frame.itertuples(index=False), start=2):
        record = dict(zip(frame.columns, row, strict=True))
        try:
            value = record[picked["target"]].strip().replace(",", "")
            share = value.endswith("%")
            target = float(value.rstrip("%")) / (100 if share else 1)
            items.append(
                KpiTarget(
                    level=record[picked["level"]].strip(),
                    unit=record[picked["unit"]].strip() if picked["unit"] else "",
                    metric=record[picked["metric"]].strip(),
                    target=target,
                    due=record[picked["due"]].strip(),
                    owner=record[picked["owner"]].strip() if picked["owner"] else "",
                )
            )
        except ValueError as error:
            raise ValueError(f"row {number}: {error}") from None
    return KpiTargets(tuple(items))
