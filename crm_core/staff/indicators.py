"""The per-dataset scorecard: raw indicators per unit and their normalised matrix, computed once.

Customers are reduced to units (branches or relationship managers) with integer codes and
``numpy.bincount``; the result is a small units × indicators frame. Each indicator is then
put on a 0–1 scale across units once (1 = best, direction-aware), so a weight change later
is only a matrix-vector product (``crm_core.staff.scores``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from crm_core.prepare import PreparedDataset
from crm_core.staff.config import (
    DEFAULT_SCORECARD,
    INDICATOR_BY_NAME,
    INDICATORS,
    LEVEL_NAMES,
    LEVELS,
    LOWER,
    ScorecardConfig,
    indicator_label,
)

USAGE_PROXIES: dict[str, tuple[str, ...]] = {
    "debit_card": ("atm_txn_12m",),
    "wealth_management": ("investment_balance",),
    "funds": ("investment_balance",),
    "insurance": ("investment_balance",),
    "mortgage": ("loan_balance",),
    "consumer_loan": ("loan_balance",),
}
"""Columns whose positive value shows a held product is in use, when the upload has no
``<product>_txn_12m`` or ``<product>_balance`` column of its own. A debit card is used when
the customer withdrew at an ATM in the last 12 months (an ATM needs a card); investment
products when the investment balance is positive; loans when the loan balance is. Credit
cards, deposits and payroll have no proxy in the contract and are not checked."""


@dataclass(frozen=True, eq=False)
class Scorecard:
    """Indicators per unit, computed once per dataset and level.

    Attributes
    ----------
    level : {"branch", "relationship_manager"}
        The unit actually used (``relationship_manager`` falls back to ``branch`` when the
        upload has no relationship managers).
    requested_level : str
        The level asked for.
    units : tuple of str
        Unit names, sorted; position ``i`` is row ``i`` of every array.
    values : pandas.DataFrame
        Raw indicator values, index ``units`` (named after the level), one column per
        available indicator; NaN where a unit lacks the data (see ``min_answers``).
    customers : numpy.ndarray
        Active customers per unit (``int64``).
    indicators : tuple of str
        Available indicators, in ``INDICATORS`` order (the columns of ``matrix``).
    matrix : numpy.ndarray
        ``float64`` units × indicators, each column normalised across units to 0–1 with
        1 best; 0 where the value is missing (``present`` tells which).
    present : numpy.ndarray
        ``float64`` 1/0 mask of non-missing values, same shape as ``matrix``.
    unavailable : tuple of (str, tuple of str)
        Indicators the dataset cannot support and the columns it lacks.
    unassigned_customers : int
        Active customers without a unit (left out of every ranking).
    config : ScorecardConfig
        The configuration used.
    """

    level: str
    requested_level: str
    units: tuple[str, ...]
    values: pd.DataFrame
    customers: np.ndarray
    indicators: tuple[str, ...]
    matrix: np.ndarray
    present: np.ndarray
    unavailable: tuple[tuple[str, tuple[str, ...]], ...]
    unassigned_customers: int
    config: ScorecardConfig

    @cached_property
    def tie_order(self) -> np.ndarray:
        """Unit positions ordered by the tie-breakers: more active customers first, then name."""
        return np.lexsort((np.arange(len(self.units)), -self.customers))

    @property
    def small(self) -> np.ndarray:
        """Boolean per unit: fewer active customers than ``config.min_unit_customers``."""
        return self.customers < self.config.min_unit_customers


def normalised_column(values: np.ndarray, method: str = "percentile", lower_is_better: bool = False) -> np.ndarray:
    """Return values scaled to 0–1 across units, 1 best; NaN stays NaN.

    ``percentile``: (average rank − 1) / (n − 1); ``minmax``: (x − min) / (max − min).
    A single value or a constant column gives 0.5 (no unit is better than another).

    Examples
    --------
    >>> normalised_column(np.array([10.0, 30.0, 20.0, np.nan])).tolist()
    [0.0, 1.0, 0.5, nan]
    >>> normalised_column(np.array([0.0, 5.0, 20.0]), "minmax", lower_is_better=True).tolist()
    [1.0, 0.75, 0.0]
    """
    values = np.asarray(values, dtype=float)
    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    x = values[known]
    if len(x) == 0:
        return out
    if method == "percentile":
        scaled = (rankdata(x, method="average") - 1) / (len(x) - 1) if len(x) > 1 else np.full(len(x), 0.5)
    else:
        spread = x.max() - x.min()
        scaled = (x - x.min()) / spread if spread > 0 else np.full(len(x), 0.5)
    out[known] = 1.0 - scaled if lower_is_better else scaled
    return out


def _unit_codes(customers: pd.DataFrame, level: str) -> tuple[str, np.ndarray, tuple[str, ...]]:
    """Level used, unit code per customer (-1 = no unit) and sorted unit names."""
    used = level
    if used == "relationship_manager" and not _has(customers, used):
        used = "branch"
    if not _has(customers, used):
        return used, np.zeros(len(customers), dtype=np.int64), ("All",)
    codes, names = pd.factorize(customers[used], sort=True)
    return used, codes.astype(np.int64), tuple(map(str, names))


def _has(customers: pd.DataFrame, column: str) -> bool:
    return column in customers.columns and bool(customers[column].notna().any())


def _ratio(numerator: np.ndarray, denominator: np.ndarray, minimum: float) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is below ``minimum``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator >= minimum, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _new_customers(customers: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Customers opened after the end of the month a year before ``as_of`` (as ``prepare`` counts)."""
    if _has(customers, "open_date"):
        year_ago_end = as_of - pd.DateOffset(months=12) + pd.offsets.MonthEnd(0)
        return (customers["open_date"] > year_ago_end).fillna(False).to_numpy(dtype=bool)
    return (customers["tenure_months"].astype("float") < 12).fillna(False).to_numpy(dtype=bool)


def _usage_columns(customers: pd.DataFrame) -> dict[str, str]:
    """Held-product flag → column showing use, for products that can be checked."""
    usage = {}
    for column in customers.columns:
        if not column.startswith("has_"):
            continue
        product = column.removeprefix("has_")
        candidates = (f"{product}_txn_12m", f"{product}_balance", *USAGE_PROXIES.get(product, ()))
        found = next((c for c in candidates if _has(customers, c)), None)
        if found is not None:
            usage[column] = found
    return usage


REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "aum_growth": ("aum_12m_ago",),
    "deposit_growth": ("deposit_balance", "deposit_balance_12m_ago"),
    "high_value_growth": ("aum_12m_ago",),
    "new_customers": ("open_date or tenure_months",),
    "new_customer_rate": ("open_date or tenure_months",),
    "retention": ("closed_date or churned",),
    "complaints_per_100": ("complaints_12m",),
    "satisfaction": ("satisfaction",),
    "cross_sell_ratio": ("products_held",),
    "products_sold": ("products_held", "products_held_12m_ago"),
    "products_used_share": ("has_<product> with a usage column (atm_txn_12m, investment_balance, loan_balance …)",),
    "silent_attrition_share": ("counter_txn_12m", "counter_txn_prev_12m", "digital_active", "aum_trend"),
    "digital_adoption": ("digital_active",),
}
"""Columns each indicator needs, as shown when it is unavailable."""


def _available(customers: pd.DataFrame, name: str) -> bool:
    if name in ("new_customers", "new_customer_rate"):
        return _has(customers, "open_date") or _has(customers, "tenure_months")
    if name == "retention":
        return "churned" in customers.columns or "closed_date" in customers.columns
    if name == "products_used_share":
        return bool(_usage_columns(customers))
    return all(_has(customers, c) for c in REQUIREMENTS[name])


def _raw_indicators(
    customers: pd.DataFrame, as_of: pd.Timestamp, codes: np.ndarray, n_units: int, config: ScorecardConfig
) -> dict[str, np.ndarray]:
    """Raw value per unit of every indicator the customers frame supports."""
    assigned = codes >= 0
    unit = codes[assigned]
    frame = customers[assigned]

    def total(values: np.ndarray | pd.Series) -> np.ndarray:
        return np.bincount(unit, weights=np.asarray(values, dtype=float), minlength=n_units)

    def column(name: str) -> np.ndarray:
        return frame[name].astype("float").fillna(0.0).to_numpy(dtype=float)

    active = frame["is_active"].to_numpy(dtype=bool)
    n_active = total(active)
    floor = config.min_answers
    out: dict[str, np.ndarray] = {}
    for indicator in INDICATORS:
        name = indicator.name
        if not _available(customers, name):
            continue
        if name == "aum_growth":
            out[name] = _ratio(total(column("aum")), total(column("aum_12m_ago")), 1e-9) - 1
        elif name == "deposit_growth":
            out[name] = _ratio(total(column("deposit_balance")), total(column("deposit_balance_12m_ago")), 1e-9) - 1
        elif name == "high_value_growth":
            now = total(active & (column("aum") >= config.high_value_aum))
            before = total(column("aum_12m_ago") >= config.high_value_aum)
            out[name] = _ratio(now, before, floor) - 1
        elif name == "new_customers":
            out[name] = total(_new_customers(frame, as_of))
        elif name == "new_customer_rate":
            out[name] = _ratio(total(_new_customers(frame, as_of)), total(frame["alive_12m_ago"]), floor)
        elif name == "retention":
            alive = frame["alive_12m_ago"].to_numpy(dtype=bool)
            lost = alive & frame["closed_last_12m"].to_numpy(dtype=bool)
            out[name] = 1 - _ratio(total(lost), total(alive), floor)
        elif name == "complaints_per_100":
            out[name] = 100 * _ratio(total(column("complaints_12m") * active), n_active, floor)
        elif name == "satisfaction":
            answered = frame["satisfaction"].notna().to_numpy(dtype=bool) & active
            out[name] = _ratio(total(column("satisfaction") * answered), total(answered), floor)
        elif name == "cross_sell_ratio":
            out[name] = _ratio(total(column("products_held") * active), n_active, floor)
        elif name == "products_sold":
            gained = np.clip(column("products_held") - column("products_held_12m_ago"), 0, None)
            out[name] = total(gained * active)
        elif name == "products_used_share":
            held = np.zeros(len(frame))
            used = np.zeros(len(frame))
            for flag, usage in _usage_columns(customers).items():
                has = frame[flag].fillna(False).to_numpy(dtype=bool) & active
                held += has
                used += has & (column(usage) > 0)
            out[name] = _ratio(total(used), total(held), floor)
        elif name == "silent_attrition_share":
            rule = config.silent_attrition
            silent = active & (column("aum_trend") < rule.aum_trend_below) & frame["aum_trend"].notna().to_numpy()
            if rule.counter_fell:
                silent &= column("counter_txn_12m") < column("counter_txn_prev_12m")
            if rule.no_digital:
                silent &= ~frame["digital_active"].fillna(False).to_numpy(dtype=bool)
            out[name] = _ratio(total(silent), n_active, floor)
        elif name == "digital_adoption":
            out[name] = _ratio(
                total(active & frame["digital_active"].fillna(False).to_numpy(dtype=bool)), n_active, floor
            )
    out["customers"] = n_active
    return out


def scorecard_from_customers(
    customers: pd.DataFrame,
    as_of: pd.Timestamp,
    level: str = "branch",
    config: ScorecardConfig = DEFAULT_SCORECARD,
) -> Scorecard:
    """Return the scorecard of a prepared customers frame.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with ``is_active``, ``alive_12m_ago``, ``closed_last_12m``
        (as ``prepared_dataset`` adds them) and any of the optional columns; not modified.
    as_of : pandas.Timestamp
        First day of the extract's month (``PreparedDataset.as_of``).
    level : {"branch", "relationship_manager"}
        Unit to rank.
    config : ScorecardConfig
        Normalisation, thresholds and the silent-attrition rule.

    Returns
    -------
    Scorecard
        Raw values, the normalised matrix and what is missing.

    Examples
    --------
    >>> customers = pd.DataFrame({"branch": ["N", "N", "S"], "aum": [2.0, 1.0, 1.0],
    ...     "aum_12m_ago": [1.0, 1.0, 2.0], "is_active": True, "alive_12m_ago": True,
    ...     "closed_last_12m": False})
    >>> card = scorecard_from_customers(customers, pd.Timestamp("2026-03-01"), config=ScorecardConfig(min_answers=1))
    >>> card.values["aum_growth"].tolist(), card.matrix[:, 0].tolist()
    ([0.5, -0.5], [1.0, 0.0])
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    used, codes, units = _unit_codes(customers, level)
    raw = _raw_indicators(customers, pd.Timestamp(as_of), codes, len(units), config)
    counts = raw.pop("customers").astype(np.int64)
    indicators = tuple(raw)
    values = pd.DataFrame(raw, index=pd.Index(units, name=used), columns=list(indicators), dtype=float)
    normalised = (
        np.column_stack(
            [
                normalised_column(raw[name], config.normalisation, INDICATOR_BY_NAME[name].direction == LOWER)
                for name in indicators
            ]
        )
        if indicators
        else np.zeros((len(units), 0))
    )
    present = (~np.isnan(normalised)).astype(np.float64)
    unavailable = tuple((i.name, REQUIREMENTS[i.name]) for i in INDICATORS if i.name not in indicators)
    unassigned = int(customers["is_active"].to_numpy(dtype=bool)[codes < 0].sum())
    return Scorecard(
        level=used,
        requested_level=level,
        units=units,
        values=values,
        customers=counts,
        indicators=indicators,
        matrix=np.nan_to_num(normalised, nan=0.0),
        present=present,
        unavailable=unavailable,
        unassigned_customers=unassigned,
        config=config,
    )


def staff_scorecard(
    prepared: PreparedDataset, level: str = "branch", config: ScorecardConfig = DEFAULT_SCORECARD
) -> Scorecard:
    """Return the scorecard of a prepared dataset (the per-dataset step; cache it by fingerprint).

    Parameters
    ----------
    prepared : PreparedDataset
        Output of ``prepared_dataset``; not modified.
    level : {"branch", "relationship_manager"}
        Unit to rank.
    config : ScorecardConfig
        See ``ScorecardConfig``.

    Returns
    -------
    Scorecard
    """
    return scorecard_from_customers(prepared.customers, prepared.as_of, level, config)


def scorecard_notes(scorecard: Scorecard, lang: str = "en") -> list[str]:
    """Return sentences on what the scorecard could not do: fallbacks, missing indicators.

    Examples
    --------
    >>> customers = pd.DataFrame({"aum": [1.0], "is_active": True, "alive_12m_ago": True, "closed_last_12m": False})
    >>> scorecard_notes(scorecard_from_customers(customers, pd.Timestamp("2026-03-01"), "relationship_manager"))[0]
    'Relationship manager is not in the data: units are branch instead.'
    """
    zh = lang == "zh"
    notes = []
    if scorecard.level != scorecard.requested_level:
        asked = LEVEL_NAMES[scorecard.requested_level][1 if zh else 0]
        used = LEVEL_NAMES[scorecard.level][1 if zh else 0]
        notes.append(
            f"数据中没有{asked}：改按{used}排名。"
            if zh
            else f"{asked} is not in the data: units are {used.lower()} instead."
        )
    if scorecard.unassigned_customers:
        n = scorecard.unassigned_customers
        notes.append(
            f"{n:,} 名有效客户没有所属单位，不计入排名。"
            if zh
            else f"{n:,} active customers have no {LEVEL_NAMES[scorecard.level][0].lower()} and are left out."
        )
    for name, columns in scorecard.unavailable:
        needed = ", ".join(columns)
        label = indicator_label(name, lang)
        notes.append(
            f"{label}不可用：数据缺少 {needed}。" if zh else f"{label} is not available: the data lacks {needed}."
        )
    return notes
