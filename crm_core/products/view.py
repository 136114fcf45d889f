"""The Product gap view's one result: holdings, gaps, sizing and co-holding for one grouping and settings.

Every surface that shows a product figure (the Product gap page, the report's value-mining step
and tables, the playbook's plays and findings, the scenario comparison) reads it from
``products_view``; none assembles the chain (holding matrix → gaps → offered products →
sizing) again. The result holds no words: groups are the segmentation's own labels (tier keys
such as ``mass``), products their codes; a surface maps them to names in its language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.prepare import PreparedDataset
from crm_core.products.coholding import co_holding
from crm_core.products.config import BenchmarkConfig, SizingConfig, SuitabilityConfig
from crm_core.products.gaps import penetration_gaps
from crm_core.products.penetration import HoldingMatrix, SegmentHoldings, holding_matrix, segment_holdings
from crm_core.products.propensity import DEFAULT_SUITABILITY, risk_levels_of, suitable_products
from crm_core.products.sizing import (
    CustomerOffers,
    customer_offers,
    opportunity_sizing,
    opportunity_totals,
    top_opportunities,
)
from crm_core.segments.profiles import suppressed_groups
from crm_core.view_choices import ProductTargets

STRONG_PAIR_SUPPORT = 0.01
"""Co-holding pairs held together by fewer customers than this share are not quoted (their lift is noise)."""


@dataclass(frozen=True)
class ProductSettings:
    """The scenario's product section: benchmark, offered products, sizing economics and targets.

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> ProductSettings.of(Scenario()).benchmark.kind
    'best_branch'
    """

    benchmark: BenchmarkConfig
    offered: tuple[str, ...]
    sizing: SizingConfig
    targets: ProductTargets
    suitability: SuitabilityConfig = DEFAULT_SUITABILITY
    min_group_customers: int = 10

    @classmethod
    def of(cls, scenario) -> ProductSettings:
        """The product settings of a ``Scenario``."""
        offered = tuple(scenario.offered_products)
        return cls(
            scenario.product_benchmark,
            offered,
            scenario.sizing,
            scenario.product_targets,
            min_group_customers=scenario.suppression.min_customers,
        )


@dataclass(frozen=True)
class ProductsView:
    """Aggregates of the Product gap view (no customer rows, no words).

    Attributes
    ----------
    products : tuple of str
        Product codes in the holding matrix's order.
    holdings : SegmentHoldings
        Holders and customers per group × product.
    gaps : pandas.DataFrame
        ``penetration_gaps`` for every product (``GAP_COLUMNS``).
    sizing : pandas.DataFrame
        ``opportunity_sizing`` of the offered products (suitable, affordable non-holders, each
        customer once on their best offer), plus ``penetration``, ``benchmark``,
        ``benchmark_source`` and ``gap_points`` of the same rows.
    totals : pandas.Series
        ``opportunity_totals(sizing)``.
    top : pandas.DataFrame
        The ten largest opportunities, ranked.
    pairs : pandas.DataFrame
        ``co_holding`` over all active customers.
    top_lift : float
        The strongest lift among pairs held by at least ``STRONG_PAIR_SUPPORT`` of customers (NaN if none).
    settings : ProductSettings
    suitability_checked : bool
        False when the data has no risk level: sizing could not apply the suitability guardrail.
    hidden : tuple of str
        Groups too small to show by themselves (``suppressed_groups`` with complementary
        suppression): surfaces leave their rows out of per-group tables and charts; totals keep them.
    """

    products: tuple[str, ...]
    holdings: SegmentHoldings
    gaps: pd.DataFrame
    sizing: pd.DataFrame
    totals: pd.Series
    top: pd.DataFrame
    pairs: pd.DataFrame
    top_lift: float
    settings: ProductSettings
    suitability_checked: bool = True
    hidden: tuple[str, ...] = ()

    @property
    def opportunity_value(self) -> float:
        """Expected annual value of converting non-holders of the offered products (CNY a year)."""
        return float(self.totals["opportunity_value"])

    @property
    def gap_value(self) -> float:
        """Annual value of closing every offered product's gap to its benchmark (CNY a year)."""
        return float(self.totals["gap_value"])


def products_view(
    prepared: PreparedDataset,
    codes: np.ndarray,
    labels: Sequence[str],
    settings: ProductSettings,
    holdings: HoldingMatrix | None = None,
    pairs: pd.DataFrame | None = None,
    offers: CustomerOffers | None = None,
) -> ProductsView | None:
    """Return the Product gap view of a dataset for one grouping and the scenario's product settings.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    codes : numpy.ndarray
        Group code per customer row (``-1`` unassigned).
    labels : sequence of str
        Group labels in code order, language-free (a segmentation's own labels; for the
        ``next_tier`` benchmark, lowest tier first).
    settings : ProductSettings
    holdings, pairs, offers : optional
        ``holding_matrix(prepared)``, ``co_holding`` of it and ``offers_of`` when the caller has
        them cached (they depend on the dataset and, for the offers, on the offered products,
        sizing and suitability: not on the grouping).

    Returns
    -------
    ProductsView or None
        None when the dataset holds no products.
    """
    if not prepared.products:
        return None
    matrix = holdings if holdings is not None else holding_matrix(prepared)
    segments = segment_holdings(matrix, codes, labels)
    gaps = penetration_gaps(matrix, codes, labels, settings.benchmark, segments)
    offered = gaps[gaps["product"].isin(settings.offered)].reset_index(drop=True)
    offers = offers if offers is not None else offers_of(prepared, matrix, settings)
    sizing = opportunity_sizing(offered, offers, codes, settings.sizing)
    for column in ("penetration", "benchmark", "benchmark_source", "gap_points"):
        sizing[column] = offered[column].to_numpy()
    pairs = pairs if pairs is not None else co_holding(matrix)
    strong = pairs.loc[pairs["support"] >= STRONG_PAIR_SUPPORT, "lift"].dropna()
    return ProductsView(
        products=tuple(matrix.products),
        holdings=segments,
        gaps=gaps,
        sizing=sizing,
        totals=opportunity_totals(sizing),
        top=top_opportunities(sizing, 10),
        pairs=pairs,
        top_lift=float(strong.max()) if len(strong) else math.nan,
        settings=settings,
        suitability_checked=prepared.has("risk_level"),
        hidden=tuple(
            label
            for label, hide in zip(
                segments.labels, suppressed_groups(segments.customers, settings.min_group_customers), strict=True
            )
            if hide
        ),
    )


def offers_key(settings: ProductSettings) -> tuple:
    """What ``offers_of`` depends on in the settings (two scenarios with equal keys share the offers).

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> from crm_core.segments import TierConfig
    >>> stable = Scenario(tiers=TierConfig(basis="3m"))
    >>> offers_key(ProductSettings.of(Scenario())) == offers_key(ProductSettings.of(stable))
    True
    """
    return (settings.offered, settings.sizing, settings.suitability)


def offers_of(prepared: PreparedDataset, matrix: HoldingMatrix, settings: ProductSettings) -> CustomerOffers:
    """Return every customer's offers under the settings (``customer_offers``), for any grouping.

    Without a risk-level column suitability cannot be checked: nobody is filtered and the view
    says so (a customer with a blank risk level in a file that has the column counts as the most
    cautious).
    """
    suitable = (
        suitable_products(risk_levels_of(prepared), matrix.products, settings.suitability)
        if prepared.has("risk_level")
        else np.ones(matrix.held.shape, dtype=bool)
    )
    aum = prepared.customers["aum"].to_numpy(dtype=np.float64, na_value=np.nan)
    held, active, products = matrix.held, matrix.active, matrix.products
    return customer_offers(held, active, suitable, aum, products, settings.offered, settings.sizing)


def relabelled(frame: pd.DataFrame, names: Mapping[str, str], columns: Sequence[str] = ("group",)) -> pd.DataFrame:
    """Return ``frame`` with group labels in ``columns`` replaced by display names (unknown labels kept).

    Examples
    --------
    >>> relabelled(pd.DataFrame({"group": ["mass", "x"]}), {"mass": "大众客户"})["group"].tolist()
    ['大众客户', 'x']
    """
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = [names.get(value, value) for value in out[column]]
    return out
