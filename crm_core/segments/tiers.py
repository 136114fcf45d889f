"""AUM tiers: presets, the tiering basis and the integer tier of every customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core import catalog
from crm_core.messages import Term
from crm_core.prepare import PreparedDataset
from crm_core.segments.config import DEFAULT_TIERS, NOT_ASSIGNED, TIER_BASES, Segmentation, TierConfig

_PRESETS: dict[str, tuple[tuple[float, ...], tuple[str, ...]]] = {
    # What the committed sample is tuned for: about 80% / 17% / 2% / 0.2%.
    "default": ((5e4, 5e5, 6e6), ("mass", "affluent", "high net worth", "private")),
    # Regulatory-style: 100万 echoes the qualified-investor asset bar, 600万 a common private-bank entry.
    "regulatory": ((5e4, 1e6, 6e6), ("mass", "affluent", "high net worth", "private")),
    # CMB-style: gold card from 5万, Sunflower (金葵花) from 50万, private banking from 1000万.
    "cmb": ((5e4, 5e5, 1e7), ("standard", "gold", "sunflower", "private")),
    # ICBC-style: wealth card (理财金) from 5万, wealth management (财富) from 80万, private from 800万.
    "icbc": ((5e4, 8e5, 8e6), ("standard", "wealth card", "wealth management", "private")),
}
"""Preset → (thresholds, the tiers' stored labels). Their names in each language are catalog terms
``tiername_<preset>_<i>`` (``tier_terms``)."""
TIER_PRESETS: tuple[str, ...] = tuple(_PRESETS)
"""Preset names: ``default``, ``regulatory``, ``cmb``, ``icbc``."""


def tier_preset(name: str = "default", basis: str = "current") -> TierConfig:
    """Return a preset tier config (its stored labels; ``tier_terms`` names them in any language).

    Examples
    --------
    >>> tier_preset("cmb").thresholds
    (50000.0, 500000.0, 10000000.0)
    >>> tier_preset("default").labels[0]
    'mass'
    """
    if name not in _PRESETS:
        raise ValueError(f"unknown tier preset {name!r}; choose from {', '.join(TIER_PRESETS)}")
    thresholds, labels = _PRESETS[name]
    return TierConfig(thresholds=thresholds, labels=labels, basis=basis)


def _names_of(labels: tuple[str, ...], preset: str) -> bool:
    """Whether ``labels`` are ``preset``'s tier names, in any catalog language (a scenario may hold either)."""
    own = _PRESETS[preset][1]
    if tuple(labels) == own:
        return True
    return len(labels) == len(own) and any(
        tuple(labels) == tuple(catalog.text(f"tiername_{preset}_{i}", language) for i in range(len(own)))
        for language in catalog.LANGUAGES
    )


def _preset_of_labels(labels: tuple[str, ...]) -> str | None:
    """The first preset whose names ``labels`` are (presets sharing names share their terms' words)."""
    return next((name for name in TIER_PRESETS if _names_of(labels, name)), None)


def _column(customers: pd.DataFrame, name: str) -> np.ndarray | None:
    if name not in customers.columns or not customers[name].notna().any():
        return None
    return customers[name].to_numpy(dtype=float, na_value=np.nan)


def tier_basis_values(customers: pd.DataFrame, config: TierConfig) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return the AUM figure each customer is tiered on, and notes on fallbacks.

    ``current`` and ``1m`` read ``aum`` (the canonical AUM is already the month's average
    daily balance); ``3m`` and ``12m`` read ``aum_avg_3m`` / ``aum_avg_12m``; ``6m`` is
    approximated by the mean of the 3- and 12-month averages. A missing column falls back
    to ``aum`` with a note. Closed customers take ``aum_12m_ago`` when
    ``config.closed_by_aum_12m_ago`` and the column exists.
    """
    aum = customers["aum"].to_numpy(dtype=float, na_value=np.nan)
    notes: list[str] = []
    wanted = TIER_BASES[config.basis]
    if wanted == "aum":
        values = aum
    else:
        parts = [_column(customers, name) for name in wanted.split("+")]
        if any(p is None for p in parts):
            missing = [n for n, p in zip(wanted.split("+"), parts, strict=True) if p is None]
            notes.append(f"{', '.join(missing)} missing: tiered on current AUM instead of the {config.basis} average")
            values = aum
        else:
            values = parts[0] if len(parts) == 1 else (parts[0] + parts[1]) / 2
            if config.basis == "6m":
                notes.append("6-month average approximated by the mean of the 3- and 12-month averages")
    if config.closed_by_aum_12m_ago and "is_active" in customers.columns:
        before = _column(customers, "aum_12m_ago")
        if before is not None:
            closed = ~customers["is_active"].to_numpy(dtype=bool)
            if closed.any():
                values = np.where(closed, before, values)
                notes.append("closed customers placed by their AUM a year ago")
    return values, tuple(notes)


def tier_codes_of(values: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    """Return the tier code of each value (on a threshold → upper tier; NaN → -1).

    Examples
    --------
    >>> tier_codes_of(np.array([0.0, 50.0, 99.9, 100.0, np.nan]), (50.0, 100.0)).tolist()
    [0, 1, 1, 2, -1]
    """
    # One comparison per threshold (at most five) is several times faster than searchsorted.
    codes = np.zeros(len(values), dtype=np.int8)
    for threshold in thresholds:
        codes += (values >= threshold).view(np.int8)
    missing = np.isnan(values)
    if missing.any():
        codes[missing] = NOT_ASSIGNED
    return codes


def aum_tiers(source: PreparedDataset | pd.DataFrame, config: TierConfig = DEFAULT_TIERS) -> Segmentation:
    """Return the AUM tier of every customer.

    Parameters
    ----------
    source : PreparedDataset or pandas.DataFrame
        The prepared dataset or its ``customers`` frame. Not modified.
    config : TierConfig
        Thresholds, labels and basis.

    Returns
    -------
    Segmentation
        ``int8`` codes (0 = lowest tier, -1 = AUM missing), ``config.labels`` and notes.
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    values, notes = tier_basis_values(customers, config)
    return Segmentation(tier_codes_of(values, config.thresholds), config.labels, notes)


PERCENTILE_TOPS: tuple[float, ...] = (0.40, 0.10, 0.01)
"""Shares of customers above each bound of the data-following preset: top 40%, top 10%, top 1%."""

CONCENTRATED_SHARE = 0.95
"""A tiering that puts more of the customers than this in one tier says little: suggest percentile bounds
(a real bank's mass tier is often 80–90% of its customers, so the cut sits above that)."""


def percentile_thresholds(values: np.ndarray, tops: tuple[float, ...] = PERCENTILE_TOPS) -> tuple[float, ...]:
    """Return tier bounds that put ``tops`` of the customers (top 40% / 10% / 1%) above each bound.

    For data whose amounts do not sit on the CNY presets' scale (another currency, a credit
    limit, a small bank), bounds follow the data. Bounds are strictly increasing; missing values
    are left out.

    Examples
    --------
    >>> percentile_thresholds(np.arange(1, 1001, dtype=float))
    (600.4, 900.1, 990.01)
    """
    known = np.asarray(values, dtype=float)
    known = known[np.isfinite(known)]
    if not len(known):
        return ()
    bounds = [float(np.quantile(known, 1 - top)) for top in tops]
    increasing = []
    for bound in bounds:
        if not increasing or bound > increasing[-1]:
            increasing.append(bound)
    return tuple(increasing)


def largest_tier_share(codes: np.ndarray) -> float:
    """Return the share of assigned customers in the largest tier (1.0 = everyone in one tier).

    Examples
    --------
    >>> largest_tier_share(np.array([0, 0, 0, 1, -1]))
    0.75
    """
    assigned = np.asarray(codes)[np.asarray(codes) >= 0]
    return float(np.bincount(assigned).max() / len(assigned)) if len(assigned) else float("nan")


def tier_terms(labels: tuple[str, ...] | TierConfig) -> tuple[Term | str, ...]:
    """Return each tier's name as data: a preset's names (in either language) as catalog terms, a bank's own kept.

    Rendered in a language at the edge (``crm_core.messages.shown``).

    Examples
    --------
    >>> tier_terms(TierConfig())[0]
    Term(key='tiername_default_0')
    >>> tier_terms(("大众客户", "富裕客户", "高净值客户", "私人银行客户"))[3]
    Term(key='tiername_default_3')
    >>> tier_terms(("a", "b"))
    ('a', 'b')
    """
    labels = tuple(labels.labels if isinstance(labels, TierConfig) else labels)
    preset = _preset_of_labels(labels)
    if preset is None:
        return labels
    return tuple(Term(f"tiername_{preset}_{i}") for i in range(len(labels)))


def canonical_tier_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Return a preset's stored labels when ``labels`` are its names in any language, else ``labels``.

    Examples
    --------
    >>> canonical_tier_labels(("普卡客户", "金卡客户", "金葵花客户", "私人银行客户"))
    ('standard', 'gold', 'sunflower', 'private')
    """
    preset = _preset_of_labels(tuple(labels))
    return _PRESETS[preset][1] if preset is not None else tuple(labels)


def tier_term_of(labels: tuple[str, ...] | TierConfig) -> dict[str, Term | str]:
    """Return each tier's stored label → its name as data (``tier_terms``), for results kept in labels.

    Examples
    --------
    >>> tier_term_of(TierConfig())["mass"]
    Term(key='tiername_default_0')
    """
    labels = tuple(labels.labels if isinstance(labels, TierConfig) else labels)
    return dict(zip(labels, tier_terms(labels), strict=True))


def matching_tier_preset(config: TierConfig) -> str | None:
    """Return the preset whose thresholds and names (in either language) a tier config has, else None.

    Examples
    --------
    >>> matching_tier_preset(TierConfig(basis="3m"))
    'default'
    """
    for name in TIER_PRESETS:
        thresholds, _ = _PRESETS[name]
        if tuple(float(v) for v in thresholds) == config.thresholds and _names_of(config.labels, name):
            return name
    return None
