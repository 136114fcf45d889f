"""The per-dataset scorecard: indicators per unit, shrunk, normalised and resampled, computed once.

Customers are reduced to units (branches or relationship managers) with integer codes and
``numpy.bincount``; every indicator is a ratio of two per-customer sums (counts are per 100
active customers, so a big unit does not win by size). Each unit's value is shrunk toward the
bank's by its noise (empirical Bayes) and put on a 0–1 scale over a fixed range (1 = best,
``ScorecardConfig.score_ranges``); the same steps run on ``config.replicates`` bootstrap
resamples of each unit's customers (``crm_core.staff.uncertainty``). The result is a small
units × indicators frame plus a replicates × units × indicators array, so a weight change
later is only matrix-vector products (``crm_core.staff.scores``, ``crm_core.staff.ranks``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from crm_core.messages import Count, Message, Term
from crm_core.prepare import NO_UNIT, AsOfBoundaries, PreparedDataset
from crm_core.staff.config import (
    DEFAULT_SCORE_RANGES,
    DEFAULT_SCORECARD,
    INDICATOR_BY_NAME,
    INDICATOR_TERMS,
    INDICATORS,
    LEVELS,
    LOWER,
    ScorecardConfig,
)
from crm_core.staff.uncertainty import pooled_variance, shrinkage_factors, unit_sum_replicates

DEFAULT_RANGE_MAP = {name: (worst, best) for name, worst, best in DEFAULT_SCORE_RANGES}

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
    shrunk : pandas.DataFrame
        The values shrunk toward the bank's (empirical Bayes, see
        ``crm_core.staff.uncertainty``); same shape as ``values``. Scores use these.
    bank : pandas.Series
        The bank-wide value of each indicator (all assigned customers pooled).
    matrix : numpy.ndarray
        ``float64`` units × indicators: the shrunk values on 0–1 with 1 best (see
        ``ScorecardConfig.normalisation``); 0 where the value is missing (``present`` tells).
    present : numpy.ndarray
        ``float64`` 1/0 mask of non-missing values, same shape as ``matrix``.
    replicate_matrix, replicate_present : numpy.ndarray
        ``float64`` replicates × units × indicators: ``matrix`` and ``present`` of every
        bootstrap resample of the units' customers (``config.replicates`` of them).
    unavailable : tuple of (str, tuple of str)
        Indicators the dataset cannot support and the columns it lacks.
    unassigned_customers : int
        Active customers without a unit (left out of every ranking).
    config : ScorecardConfig
        The configuration used.
    pool_values, pool_shrunk : pandas.Series
        Raw and shrunk indicators of the pool of units too small to rank (``small``), their
        customers taken together as one book (NaN where the pool lacks the data or is empty).
        A small unit shows no figure of its own; the pool shows figures only when it reaches
        ``config.min_unit_customers`` (``crm_core.staff.view``).
    pool_matrix, pool_present : numpy.ndarray
        The pool's normalised indicators (0 where missing) and their presence mask, scored as
        a unit would be (for ``percentile`` and ``minmax``: placed among the units).
    """

    level: str
    requested_level: str
    units: tuple[str, ...]
    values: pd.DataFrame
    customers: np.ndarray
    indicators: tuple[str, ...]
    matrix: np.ndarray
    present: np.ndarray
    shrunk: pd.DataFrame
    bank: pd.Series
    replicate_matrix: np.ndarray
    replicate_present: np.ndarray
    unavailable: tuple[tuple[str, tuple[str, ...]], ...]
    unassigned_customers: int
    config: ScorecardConfig
    pool_values: pd.Series | None = None
    pool_shrunk: pd.Series | None = None
    pool_matrix: np.ndarray | None = None
    pool_present: np.ndarray | None = None

    @cached_property
    def tie_order(self) -> np.ndarray:
        """Unit positions ordered by the tie-breakers: more active customers first, then name."""
        return np.lexsort((np.arange(len(self.units)), -self.customers))

    @property
    def small(self) -> np.ndarray:
        """Boolean per unit: fewer active customers than ``config.min_unit_customers``."""
        return self.customers < self.config.min_unit_customers

    @property
    def ranked(self) -> np.ndarray:
        """Boolean per unit: large enough to rank (not ``small``)."""
        return ~self.small

    @property
    def pool_customers(self) -> int:
        """Active customers of the units too small to rank, together."""
        return int(self.customers[self.small].sum())


def normalised_values(
    values: np.ndarray,
    method: str = "range",
    lower_is_better: bool = False,
    value_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """Return values scaled to 0–1, 1 best, along the last axis (units); NaN stays NaN.

    ``range``: ``(x − worst) / (best − worst)`` clipped to 0–1, with ``value_range =
    (worst, best)`` (the direction is in the range, ``lower_is_better`` is not used);
    ``percentile``: (average rank − 1) / (n − 1) across units; ``minmax``: (x − min) /
    (max − min) across units. Across units, a single value or a constant row gives 0.5.

    Examples
    --------
    >>> normalised_values(np.array([0.9923, 1.0, np.nan]), value_range=(0.8, 1.0)).round(4).tolist()
    [0.9615, 1.0, nan]
    >>> normalised_values(np.array([0.9923, 1.0, 0.995]), "percentile").tolist()
    [0.0, 1.0, 0.5]
    """
    x = np.asarray(values, dtype=float)
    if method == "range":
        worst, best = value_range
        return np.clip((x - worst) / (best - worst), 0.0, 1.0)
    known = (~np.isnan(x)).sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
        if method == "percentile":
            ranks = rankdata(x, axis=-1, nan_policy="omit") if x.shape[-1] else x
            scaled = np.where(known > 1, (ranks - 1) / np.maximum(known - 1, 1), 0.5)
        else:
            low = np.nanmin(x, axis=-1, keepdims=True) if x.shape[-1] else x
            spread = (np.nanmax(x, axis=-1, keepdims=True) if x.shape[-1] else x) - low
            scaled = np.where(spread > 0, (x - low) / np.where(spread > 0, spread, 1.0), 0.5)
    scaled = np.where(np.isnan(x), np.nan, scaled)
    return 1.0 - scaled if lower_is_better else scaled


def normalised_column(values: np.ndarray, method: str = "percentile", lower_is_better: bool = False) -> np.ndarray:
    """Return values scaled to 0–1 across units, 1 best; NaN stays NaN (``percentile`` or ``minmax``).

    Examples
    --------
    >>> normalised_column(np.array([10.0, 30.0, 20.0, np.nan])).tolist()
    [0.0, 1.0, 0.5, nan]
    >>> normalised_column(np.array([0.0, 5.0, 20.0]), "minmax", lower_is_better=True).tolist()
    [1.0, 0.75, 0.0]
    """
    return normalised_values(values, method, lower_is_better)


def _unit_codes(customers: pd.DataFrame, level: str) -> tuple[str, np.ndarray, tuple[str, ...]]:
    """Level used, unit code per customer (-1 = no unit) and sorted unit names."""
    used = level
    if used == "relationship_manager" and not _has(customers, used):
        used = "branch"
    if not _has(customers, used):
        return used, np.zeros(len(customers), dtype=np.int64), ("All",)
    # A blank unit (``prepare`` writes NO_UNIT) is no unit: its customers are unassigned, never ranked.
    codes, names = pd.factorize(customers[used].mask(customers[used] == NO_UNIT), sort=True)
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
        year_ago_end = AsOfBoundaries(as_of).year_ago_end
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


@dataclass(frozen=True)
class _Parts:
    """One indicator as per-customer numerator and denominator: value = offset + scale · Σnum / Σden."""

    numerator: np.ndarray
    denominator: np.ndarray
    scale: float = 1.0
    offset: float = 0.0
    floor: float = 1e-9


def _indicator_parts(customers: pd.DataFrame, frame: pd.DataFrame, as_of: pd.Timestamp, config: ScorecardConfig):
    """Numerator and denominator per assigned customer of every indicator the data supports."""

    def column(name: str) -> np.ndarray:
        return frame[name].astype("float").fillna(0.0).to_numpy(dtype=float)

    def flag(name: str) -> np.ndarray:
        return frame[name].fillna(False).to_numpy(dtype=bool)

    active = frame["is_active"].to_numpy(dtype=bool).astype(float)
    floor = config.min_answers
    out: dict[str, _Parts] = {}
    for indicator in INDICATORS:
        name = indicator.name
        if not _available(customers, name):
            continue
        if name == "aum_growth":
            out[name] = _Parts(column("aum"), column("aum_12m_ago"), offset=-1.0)
        elif name == "deposit_growth":
            out[name] = _Parts(column("deposit_balance"), column("deposit_balance_12m_ago"), offset=-1.0)
        elif name == "high_value_growth":
            now = active * (column("aum") >= config.high_value_aum)
            out[name] = _Parts(now, (column("aum_12m_ago") >= config.high_value_aum) * 1.0, offset=-1.0, floor=floor)
        elif name == "new_customers":
            out[name] = _Parts(_new_customers(frame, as_of) * 1.0, active, scale=100.0, floor=floor)
        elif name == "new_customer_rate":
            alive = frame["alive_12m_ago"].to_numpy(dtype=bool) * 1.0
            out[name] = _Parts(_new_customers(frame, as_of) * 1.0, alive, floor=floor)
        elif name == "retention":
            alive = frame["alive_12m_ago"].to_numpy(dtype=bool)
            lost = alive & frame["closed_last_12m"].to_numpy(dtype=bool)
            out[name] = _Parts(lost * 1.0, alive * 1.0, scale=-1.0, offset=1.0, floor=floor)
        elif name == "complaints_per_100":
            out[name] = _Parts(column("complaints_12m") * active, active, scale=100.0, floor=floor)
        elif name == "satisfaction":
            answered = (frame["satisfaction"].notna().to_numpy(dtype=bool) * active).astype(float)
            out[name] = _Parts(column("satisfaction") * answered, answered, floor=floor)
        elif name == "cross_sell_ratio":
            out[name] = _Parts(column("products_held") * active, active, floor=floor)
        elif name == "products_sold":
            gained = np.clip(column("products_held") - column("products_held_12m_ago"), 0, None)
            out[name] = _Parts(gained * active, active, scale=100.0, floor=floor)
        elif name == "products_used_share":
            held = np.zeros(len(frame))
            used = np.zeros(len(frame))
            for has_flag, usage in _usage_columns(customers).items():
                has = flag(has_flag) * active
                held += has
                used += has * (column(usage) > 0)
            out[name] = _Parts(used, held, floor=floor)
        elif name == "silent_attrition_share":
            rule = config.silent_attrition
            silent = (active > 0) & (column("aum_trend") < rule.aum_trend_below) & frame["aum_trend"].notna().to_numpy()
            if rule.counter_fell:
                silent &= column("counter_txn_12m") < column("counter_txn_prev_12m")
            if rule.no_digital:
                silent &= ~flag("digital_active")
            out[name] = _Parts(silent * 1.0, active, floor=floor)
        elif name == "digital_adoption":
            out[name] = _Parts(active * flag("digital_active"), active, floor=floor)
    return out


def _values(parts: _Parts, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """offset + scale · numerator / denominator, NaN where the denominator is below the floor."""
    return parts.offset + parts.scale * _ratio(numerator, denominator, parts.floor)


@dataclass(frozen=True, eq=False)
class _Estimates:
    """Raw, bank-wide, shrunk and bootstrap values of the indicators (units × indicators)."""

    raw: np.ndarray
    bank: np.ndarray
    shrunk: np.ndarray
    factors: np.ndarray
    replicate_shrunk: np.ndarray
    customers: np.ndarray
    pool_raw: np.ndarray
    pool_shrunk: np.ndarray


def _estimates(customers: pd.DataFrame, as_of: pd.Timestamp, codes: np.ndarray, n_units: int, config):
    """Indicator names and their estimates: one definition of each value, reused by the bootstrap."""
    assigned = codes >= 0
    unit = codes[assigned]
    frame = customers[assigned]
    parts = _indicator_parts(customers, frame, as_of, config)
    names = tuple(parts)
    n_active = np.bincount(unit, weights=frame["is_active"].to_numpy(dtype=float), minlength=n_units)
    if not names:
        empty = np.zeros((n_units, 0))
        return names, _Estimates(
            empty, np.zeros(0), empty, empty, np.zeros((0, n_units, 0)), n_active, np.zeros(0), np.zeros(0)
        )
    # The units too small to rank, pooled into one book: its sums are the sums of theirs.
    small = n_active < config.min_unit_customers
    columns = np.column_stack([c for p in parts.values() for c in (p.numerator, p.denominator)])
    sums = np.column_stack([np.bincount(unit, weights=c, minlength=n_units) for c in columns.T])
    totals = columns.sum(axis=0)
    observed = np.column_stack(
        [np.bincount(unit, weights=p.denominator > 0, minlength=n_units) for p in parts.values()]
    )
    replicates = unit_sum_replicates(columns, unit, n_units, config.replicates, config.seed)
    pool_sums = sums[small].sum(axis=0)
    pool_observed = observed[small].sum(axis=0)
    raw, bank, factors, shrunk, replicate_shrunk, pool_raw, pool_shrunk = [], [], [], [], [], [], []
    for j, p in enumerate(parts.values()):
        value = _values(p, sums[:, 2 * j], sums[:, 2 * j + 1])
        pooled = float(_values(p, pool_sums[2 * j : 2 * j + 1], pool_sums[2 * j + 1 : 2 * j + 2])[0])
        overall = float(_values(p, totals[2 * j : 2 * j + 1], totals[2 * j + 1 : 2 * j + 2])[0])
        resampled = _values(p, replicates[:, :, 2 * j], replicates[:, :, 2 * j + 1])
        if config.shrinkage:
            variance = pooled_variance(resampled, observed[:, j])
            per_observation = (variance * observed[:, j])[np.isfinite(variance)]
            pool_variance = (
                per_observation[0] / pool_observed[j] if len(per_observation) and pool_observed[j] > 0 else np.nan
            )
            # The pool is shrunk by the units' spread, which it does not change.
            both = shrinkage_factors(
                np.append(value, pooled), np.append(variance, pool_variance), overall, np.arange(n_units + 1) < n_units
            )
            factor, pool_factor = both[:-1], both[-1]
        else:
            factor = np.where(np.isnan(value), np.nan, 1.0)
            pool_factor = np.nan if np.isnan(pooled) else 1.0
        centre = 0.0 if np.isnan(overall) else overall
        raw.append(value)
        bank.append(overall)
        factors.append(factor)
        shrunk.append(centre + factor * (value - centre))
        replicate_shrunk.append(centre + factor * (resampled - centre))
        pool_raw.append(pooled)
        pool_shrunk.append(centre + pool_factor * (pooled - centre))
    estimates = _Estimates(
        raw=np.column_stack(raw),
        bank=np.array(bank),
        shrunk=np.column_stack(shrunk),
        factors=np.column_stack(factors),
        replicate_shrunk=np.stack(replicate_shrunk, axis=-1),
        customers=n_active,
        pool_raw=np.array(pool_raw),
        pool_shrunk=np.array(pool_shrunk),
    )
    return names, estimates


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
        Normalisation, thresholds, shrinkage, resampling and the silent-attrition rule.

    Returns
    -------
    Scorecard
        Raw and shrunk values, the normalised matrix, its bootstrap resamples and what is
        missing.

    Examples
    --------
    >>> customers = pd.DataFrame({"branch": ["N", "N", "S"], "aum": [2.0, 1.0, 1.0],
    ...     "aum_12m_ago": [1.0, 1.0, 2.0], "is_active": True, "alive_12m_ago": True,
    ...     "closed_last_12m": False})
    >>> config = ScorecardConfig(min_answers=1, shrinkage=False)
    >>> card = scorecard_from_customers(customers, pd.Timestamp("2026-03-01"), config=config)
    >>> card.values["aum_growth"].tolist(), card.matrix[:, 0].tolist()  # on −20% … +40%, clipped
    ([0.5, -0.5], [1.0, 0.0])
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    used, codes, units = _unit_codes(customers, level)
    indicators, estimates = _estimates(customers, pd.Timestamp(as_of), codes, len(units), config)
    index = pd.Index(units, name=used)

    def normalised(values: np.ndarray) -> np.ndarray:
        """Shrunk values (… × units × indicators) on 0–1, 1 best."""
        columns = []
        for j, name in enumerate(indicators):
            lower = INDICATOR_BY_NAME[name].direction == LOWER
            value_range = config.range_map.get(name, DEFAULT_RANGE_MAP[name])
            columns.append(normalised_values(values[..., j], config.normalisation, lower, value_range))
        return np.stack(columns, axis=-1) if columns else np.zeros(values.shape)

    matrix = normalised(estimates.shrunk)
    # The pool is scored as a unit would be (placed among the units for percentile and minmax).
    pool_matrix = normalised(np.vstack([estimates.shrunk, estimates.pool_shrunk[None, :]]))[-1]
    replicate_matrix = normalised(estimates.replicate_shrunk)
    unavailable = tuple((i.name, REQUIREMENTS[i.name]) for i in INDICATORS if i.name not in indicators)
    unassigned = int(customers["is_active"].to_numpy(dtype=bool)[codes < 0].sum())
    return Scorecard(
        level=used,
        requested_level=level,
        units=units,
        values=pd.DataFrame(estimates.raw, index=index, columns=list(indicators), dtype=float),
        customers=estimates.customers.astype(np.int64),
        indicators=indicators,
        matrix=np.nan_to_num(matrix, nan=0.0),
        present=(~np.isnan(matrix)).astype(np.float64),
        shrunk=pd.DataFrame(estimates.shrunk, index=index, columns=list(indicators), dtype=float),
        bank=pd.Series(estimates.bank, index=list(indicators), dtype=float),
        replicate_matrix=np.nan_to_num(replicate_matrix, nan=0.0),
        replicate_present=(~np.isnan(replicate_matrix)).astype(np.float64),
        unavailable=unavailable,
        unassigned_customers=unassigned,
        config=config,
        pool_values=pd.Series(estimates.pool_raw, index=list(indicators), dtype=float),
        pool_shrunk=pd.Series(estimates.pool_shrunk, index=list(indicators), dtype=float),
        pool_matrix=np.nan_to_num(pool_matrix, nan=0.0),
        pool_present=(~np.isnan(pool_matrix)).astype(np.float64),
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


UNASSIGNED_NOTES: dict[str, Term] = {
    "branch": Term("staff_note_unassigned_branch"),
    "relationship_manager": Term("staff_note_unassigned_relationship_manager"),
}
"""Catalog key of the note on customers without a unit, per level."""


def scorecard_notes(scorecard: Scorecard) -> tuple[Message, ...]:
    """Return what the scorecard could not do, as catalog messages: fallbacks, missing indicators.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> customers = pd.DataFrame({"aum": [1.0], "is_active": True, "alive_12m_ago": True, "closed_last_12m": False})
    >>> notes = scorecard_notes(scorecard_from_customers(customers, pd.Timestamp("2026-03-01"), "relationship_manager"))
    >>> render(notes[0], "en"), render(notes[0], "zh")
    ('Relationship manager is not in the data: units are branches instead.', '数据中没有客户经理：改按网点排名。')
    """
    notes = []
    if scorecard.level != scorecard.requested_level:
        notes.append(
            Message(
                "staff_note_level_fallback",
                asked=Term(f"level_{scorecard.requested_level}"),
                used=Term(f"level_units_{scorecard.level}"),
            )
        )
    if scorecard.unassigned_customers:
        notes.append(Message(UNASSIGNED_NOTES[scorecard.level].key, n=Count(scorecard.unassigned_customers)))
    for name, columns in scorecard.unavailable:
        notes.append(Message("staff_note_unavailable", indicator=INDICATOR_TERMS[name], columns=", ".join(columns)))
    return tuple(notes)
