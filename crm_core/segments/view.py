"""The Segments view's one result: the scheme's groups, profiles with suppression, migration, drill-downs.

Every surface that shows the chosen scheme's figures reads them from ``segments_view``; none
builds the chain (scheme codes → profiles with suppression → migration against the baseline →
drill-downs) again. The result holds no words: groups are the scheme's own labels (tier keys
such as ``mass``, value classes, RFM and lifecycle codes, ``cluster n``), the not-assigned row is
code ``-1`` and the suppressed row ``SUPPRESSED_CODE``; a surface names them in its language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from crm_core.prepare import PreparedDataset
from crm_core.segments.clusters import ClusterResult, customer_clusters, silhouette_scores
from crm_core.segments.config import (
    ClusterConfig,
    LifecycleConfig,
    RfmConfig,
    Segmentation,
    TierConfig,
    ValueConfig,
)
from crm_core.segments.lifecycle import lifecycle_stages
from crm_core.segments.migration import migration_matrix
from crm_core.segments.profiles import (
    GroupDrilldown,
    ProfileInputs,
    concentration_curve,
    group_drilldowns,
    group_profiles,
    profile_inputs,
)
from crm_core.segments.rfm import rfm_scores, rfm_segments
from crm_core.segments.tiers import (
    CONCENTRATED_SHARE,
    largest_tier_share,
    percentile_thresholds,
    tier_basis_values,
    tier_codes_of,
)
from crm_core.segments.value import ValueMatrix, value_matrix, value_segments

NOT_ASSIGNED_LABEL = "not_assigned"
"""Label of the not-assigned row (code -1) of the profiles and the migration matrices."""
SUPPRESSED_LABEL = "suppressed"
"""Label of the row folding the groups too small to show (``SUPPRESSED_CODE``)."""


@dataclass(frozen=True)
class SegmentSettings:
    """The scenario's segmentation section: the scheme, each scheme's config, the suppression minimum.

    ``baseline_tiers`` are the "Baseline (current practice)" tiers the migration compares against.

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> SegmentSettings.of(Scenario()).scheme
    'tiers'
    """

    scheme: str
    tiers: TierConfig
    value: ValueConfig
    rfm: RfmConfig
    lifecycle: LifecycleConfig
    clusters: ClusterConfig
    min_group_customers: int
    baseline_tiers: TierConfig = field(default_factory=TierConfig)

    def with_scheme(self, scheme: str) -> SegmentSettings:
        """The same settings under another scheme (the deck always reports the tiers)."""
        return replace(self, scheme=scheme)

    @classmethod
    def of(cls, scenario) -> SegmentSettings:
        """The segment settings of a ``Scenario``."""
        return cls(
            scenario.views.segment_scheme,
            scenario.tiers,
            scenario.value,
            scenario.rfm,
            scenario.lifecycle,
            scenario.clusters,
            scenario.suppression.min_customers,
        )


@dataclass(frozen=True)
class SegmentSources:
    """The per-dataset inputs the view builds on, each a function of its own setting.

    ``SegmentSources.of(prepared)`` computes them; an app passes cached ones (they depend on the
    dataset and one setting each, so a threshold move re-cuts codes only).
    """

    inputs: Callable[[], ProfileInputs]
    tier_values: Callable[[str], tuple[np.ndarray, tuple[str, ...]]]
    value_matrix: Callable[[str], ValueMatrix]
    rfm_scores: Callable[[str], pd.DataFrame]
    clusters: Callable[[ClusterConfig], ClusterResult]
    silhouettes: Callable[[tuple[str, ...]], pd.DataFrame]
    lifecycle: Callable[[LifecycleConfig], Segmentation]

    @classmethod
    def of(cls, prepared: PreparedDataset) -> SegmentSources:
        """Sources computed on demand, uncached."""
        return cls(
            inputs=lambda: profile_inputs(prepared),
            tier_values=lambda basis: tier_basis_values(prepared.customers, TierConfig(basis=basis)),
            value_matrix=lambda normalisation: value_matrix(prepared, normalisation),
            rfm_scores=lambda monetary: rfm_scores(prepared, RfmConfig(monetary=monetary)),
            clusters=lambda config: customer_clusters(prepared, config),
            silhouettes=lambda features: silhouette_scores(prepared, ClusterConfig(features=features)),
            lifecycle=lambda config: lifecycle_stages(prepared, config),
        )


@dataclass(frozen=True)
class SegmentsView:
    """Aggregates of the Segments view (no customer rows beyond the codes, no words).

    Attributes
    ----------
    scheme : str
    segmentation : Segmentation
        Codes per customer, the scheme's own labels, its notes (codes a surface translates).
    profiles : pandas.DataFrame
        ``group_profiles`` with suppression: groups by their own labels, the not-assigned row
        ``NOT_ASSIGNED_LABEL`` (code -1), the suppressed row ``SUPPRESSED_LABEL``.
    hidden : tuple of int
        Codes of the groups folded into the suppressed row.
    baseline : TierConfig or ValueConfig or None
        What the migration compares against (None for schemes without a baseline).
    migration_counts, migration_aum : pandas.DataFrame or None
        ``migration_matrix`` of active customers from the baseline (rows) to the scheme (columns).
    clusters : ClusterResult or None
        For k-means; ``silhouettes`` the score per k on the same features.
    silhouettes : pandas.DataFrame or None
    concentration : pandas.DataFrame
        ``concentration_curve`` of active customers' AUM (top shares and Gini in ``attrs``).
    total_aum : float
    largest_tier_share : float
        For tiers: the share of customers in the largest tier (NaN for other schemes).
    data_bounds : tuple of float
        For tiers holding over ``CONCENTRATED_SHARE`` in one tier: bounds that follow the data.
    drilldowns : tuple of GroupDrilldown
        Branch, age-band and product mix of each group, in code order.
    settings : SegmentSettings
    """

    scheme: str
    segmentation: Segmentation
    profiles: pd.DataFrame
    hidden: tuple[int, ...]
    baseline: TierConfig | ValueConfig | None
    migration_counts: pd.DataFrame | None
    migration_aum: pd.DataFrame | None
    clusters: ClusterResult | None
    silhouettes: pd.DataFrame | None
    concentration: pd.DataFrame
    total_aum: float
    largest_tier_share: float
    data_bounds: tuple[float, ...]
    drilldowns: tuple[GroupDrilldown, ...]
    settings: SegmentSettings

    @property
    def moved(self) -> int:
        """Active customers in a different group than under the baseline (0 without a baseline)."""
        if self.migration_counts is None:
            return 0
        counts = self.migration_counts
        same = sum(int(counts.loc[g, g]) for g in counts.index if g in counts.columns)
        return int(counts.to_numpy().sum()) - same


def _tiers(sources: SegmentSources, config: TierConfig) -> Segmentation:
    values, notes = sources.tier_values(config.basis)
    return Segmentation(tier_codes_of(values, config.thresholds), config.labels, notes)


def tier_baseline(current: TierConfig, baseline: TierConfig) -> TierConfig:
    """The baseline's bounds and basis under the current names when the counts match (moves, not renames).

    Examples
    --------
    >>> tier_baseline(TierConfig(labels=("a", "b", "c", "d")), TierConfig()).labels
    ('a', 'b', 'c', 'd')
    """
    if len(baseline.thresholds) == len(current.thresholds):
        return TierConfig(baseline.thresholds, current.labels, baseline.basis)
    return current


def segments_view(
    prepared: PreparedDataset, settings: SegmentSettings, sources: SegmentSources | None = None
) -> SegmentsView | None:
    """Return the Segments view of a dataset under the scenario's segmentation settings.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    settings : SegmentSettings
    sources : SegmentSources, optional
        Cached per-dataset inputs; ``SegmentSources.of(prepared)`` when None.

    Returns
    -------
    SegmentsView or None
        None for k-means with fewer than two features (no groups to make).
    """
    sources = sources or SegmentSources.of(prepared)
    scheme = settings.scheme
    clusters = silhouettes = baseline = base_codes = None
    if scheme == "tiers":
        segmentation = _tiers(sources, settings.tiers)
        baseline = tier_baseline(settings.tiers, settings.baseline_tiers)
        base_codes = _tiers(sources, baseline).codes
    elif scheme == "value":
        matrix = sources.value_matrix(settings.value.normalisation)
        segmentation = value_segments(matrix, settings.value)
        baseline = ValueConfig(normalisation=settings.value.normalisation, method=settings.value.method)
        base_codes = value_segments(matrix, baseline).codes
    elif scheme == "rfm":
        segmentation = rfm_segments(sources.rfm_scores(settings.rfm.monetary), settings.rfm)
    elif scheme == "lifecycle":
        segmentation = sources.lifecycle(settings.lifecycle)
    else:
        if len(settings.clusters.features) < 2:
            return None
        clusters = sources.clusters(settings.clusters)
        silhouettes = sources.silhouettes(tuple(settings.clusters.features))
        segmentation = clusters.segmentation
    labels = tuple(segmentation.labels)
    profiles = group_profiles(
        sources.inputs(),
        segmentation.codes,
        labels,
        unassigned_label=NOT_ASSIGNED_LABEL,
        min_customers=settings.min_group_customers,
        suppressed_label=SUPPRESSED_LABEL,
    )
    customers = prepared.customers
    active = customers["is_active"].to_numpy(dtype=bool)
    aum = customers["aum"].to_numpy(dtype=float, na_value=np.nan)
    counts = money = None
    if base_codes is not None:
        counts, money = migration_matrix(
            base_codes[active], segmentation.codes[active], aum[active], labels, labels, NOT_ASSIGNED_LABEL
        )
    share, bounds = np.nan, ()
    if scheme == "tiers":
        share = largest_tier_share(segmentation.codes)
        if share > CONCENTRATED_SHARE:
            bounds = percentile_thresholds(sources.tier_values(settings.tiers.basis)[0])
            bounds = bounds if len(bounds) >= 2 else ()
    return SegmentsView(
        scheme=scheme,
        segmentation=segmentation,
        profiles=profiles,
        hidden=tuple(sorted(set(range(len(labels))) - set(profiles["code"]))),
        baseline=baseline,
        migration_counts=counts,
        migration_aum=money,
        clusters=clusters,
        silhouettes=silhouettes,
        concentration=concentration_curve(aum[active]),
        total_aum=float(np.nansum(aum)),
        largest_tier_share=float(share),
        data_bounds=tuple(float(b) for b in bounds),
        drilldowns=group_drilldowns(prepared, segmentation.codes, len(labels)),
        settings=settings,
    )
