"""Lead lists per branch or relationship manager, and their formula-safe CSV / Excel exports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.exports import FORMULA_PREFIXES, csv_bytes, excel_bytes, formula_safe  # noqa: F401 - re-exported
from crm_core.messages import joined, shown
from crm_core.prepare import PreparedDataset
from crm_core.products.config import product_term
from crm_core.products.propensity import NextBest, PropensityModels, recommendation_reasons
from crm_core.ranking import top_rows

LEAD_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "branch",
    "relationship_manager",
    "product",
    "product_name",
    "propensity",
    "expected_value",
    "reasons",
)
"""Columns of ``lead_list`` in order."""


@dataclass(frozen=True)
class LeadFilter:
    """Which leads to list.

    Parameters
    ----------
    branches, managers, products : tuple of str
        Keep only these (empty = all).
    min_propensity : float
        Smallest propensity kept (0–1).
    min_expected_value : float
        Smallest expected annual value kept, CNY.
    max_rows : int
        Longest list returned (highest expected value first).
    """

    branches: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    min_propensity: float = 0.0
    min_expected_value: float = 0.0
    max_rows: int = 500

    def __post_init__(self) -> None:
        for name in ("branches", "managers", "products"):
            object.__setattr__(self, name, tuple(map(str, getattr(self, name))))
        if not 0.0 <= self.min_propensity <= 1.0:
            raise ValueError("min_propensity must be between 0 and 1")
        if self.max_rows < 1:
            raise ValueError("max_rows must be at least 1")


def _text_column(prepared: PreparedDataset, column: str, rows: np.ndarray) -> np.ndarray:
    if column not in prepared.customers.columns:
        return np.full(len(rows), "", dtype=object)
    return prepared.customers[column].iloc[rows].astype("string").fillna("").to_numpy(dtype=object)


def lead_list(
    prepared: PreparedDataset,
    features: pd.DataFrame,
    models: PropensityModels,
    recommendations: NextBest,
    filters: LeadFilter = LeadFilter(),
) -> pd.DataFrame:
    """Return the customers to call first, with their recommended product and why.

    Parameters
    ----------
    prepared : PreparedDataset
        For ids, branches and relationship managers. Not modified.
    features : pandas.DataFrame
        ``propensity_features(prepared)`` (reasons are computed for the listed rows only).
    models : PropensityModels
    recommendations : NextBest
        From ``next_best_products`` on the same customer rows.
    filters : LeadFilter

    Returns
    -------
    pandas.DataFrame
        Columns ``LEAD_COLUMNS``, highest expected value first, at most ``filters.max_rows``;
        ``product_name`` a catalog term (or the bank's own name) and ``reasons`` a tuple of
        messages per customer, both worded at the edge (``lead_words``).
    """
    customers = prepared.customers
    codes = recommendations.product_codes
    keep = codes >= 0
    keep &= np.nan_to_num(recommendations.propensity, nan=-1.0) >= filters.min_propensity
    keep &= np.nan_to_num(recommendations.expected_value, nan=-1.0) >= filters.min_expected_value
    if filters.products:
        wanted = np.array([p in filters.products for p in recommendations.products] + [False])
        keep &= wanted[codes]
    for column, chosen in (("branch", filters.branches), ("relationship_manager", filters.managers)):
        if chosen and column in customers.columns:
            keep &= customers[column].isin(chosen).fillna(False).to_numpy(dtype=bool)
    rows = top_rows(np.flatnonzero(keep), recommendations.expected_value, filters.max_rows)
    chosen_codes = codes[rows]
    products = np.array(recommendations.products, dtype=object)[chosen_codes] if len(rows) else np.array([], object)
    return pd.DataFrame(
        {
            "customer_id": _text_column(prepared, "customer_id", rows),
            "branch": _text_column(prepared, "branch", rows),
            "relationship_manager": _text_column(prepared, "relationship_manager", rows),
            "product": products,
            "product_name": [product_term(p) for p in products],
            "propensity": recommendations.propensity[rows],
            "expected_value": recommendations.expected_value[rows],
            "reasons": recommendation_reasons(models, features.iloc[rows], chosen_codes),
        },
        columns=list(LEAD_COLUMNS),
    )


def lead_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The lead list as a reader sees it: product names and reasons worded in ``lang`` (an edge's renderer)."""
    return frame.assign(
        product_name=[str(shown(name, lang)) for name in frame["product_name"]],
        reasons=[joined(reasons, lang) for reasons in frame["reasons"]],
    )


def lead_list_csv(frame: pd.DataFrame) -> bytes:
    """Return the leads as formula-safe CSV bytes in UTF-8 with a BOM (opens correctly in Excel)."""
    return csv_bytes(frame)


def lead_list_excel(frame: pd.DataFrame, sheet_name: str = "leads") -> bytes:
    """Return the leads as formula-safe ``.xlsx`` bytes (openpyxl)."""
    return excel_bytes(frame, sheet_name)
