"""Customer segmentation: schemes as integer codes, group profiles, migration and charts.

Every scheme is a pure function of the prepared dataset (or its customers frame) and a
frozen config, returning a ``Segmentation`` (``int8`` codes, ``-1`` = not assignable, plus
ordered labels). Strings appear only in the small results. See ``docs/segments.md``.
"""

from crm_core.segments.availability import SCHEMES, scheme_availability
from crm_core.segments.clusters import ClusterResult, cluster_descriptions, customer_clusters, silhouette_scores
from crm_core.segments.config import (
    LIFECYCLE_NAMES,
    LIFECYCLE_STAGES,
    NOT_ASSIGNED,
    RFM_RULES,
    VALUE_CLASSES,
    VALUE_INDICATORS,
    ClusterConfig,
    LifecycleConfig,
    RfmConfig,
    Segmentation,
    TierConfig,
    ValueConfig,
    config_from_json,
    config_hash,
    config_json,
)
from crm_core.segments.lifecycle import lifecycle_rules_text, lifecycle_stages
from crm_core.segments.migration import migration_matrix, migration_sentence, tier_change_phrase
from crm_core.segments.profiles import (
    PROFILE_COLUMNS,
    PROFILE_MEASURES,
    GroupDrilldown,
    ProfileInputs,
    bank_profile,
    concentration_curve,
    group_drilldown,
    group_profiles,
    profile_inputs,
)
from crm_core.segments.rfm import quintile_scores, rfm_scores, rfm_segments
from crm_core.segments.tiers import (
    TIER_PRESETS,
    aum_tiers,
    matching_tier_preset,
    tier_basis_values,
    tier_codes_of,
    tier_labels,
    tier_names,
    tier_preset,
    translated_tier_labels,
)
from crm_core.segments.value import (
    ValueMatrix,
    normalised_weights,
    rebalanced_percentages,
    value_classes,
    value_matrix,
    value_scores,
    value_segments,
    weight_percentages,
)

__all__ = [
    "LIFECYCLE_NAMES",
    "LIFECYCLE_STAGES",
    "NOT_ASSIGNED",
    "PROFILE_COLUMNS",
    "PROFILE_MEASURES",
    "RFM_RULES",
    "SCHEMES",
    "TIER_PRESETS",
    "VALUE_CLASSES",
    "VALUE_INDICATORS",
    "ClusterConfig",
    "ClusterResult",
    "GroupDrilldown",
    "LifecycleConfig",
    "ProfileInputs",
    "RfmConfig",
    "Segmentation",
    "TierConfig",
    "ValueConfig",
    "ValueMatrix",
    "aum_tiers",
    "bank_profile",
    "cluster_descriptions",
    "concentration_curve",
    "config_from_json",
    "config_hash",
    "config_json",
    "customer_clusters",
    "group_drilldown",
    "group_profiles",
    "lifecycle_rules_text",
    "lifecycle_stages",
    "matching_tier_preset",
    "migration_matrix",
    "migration_sentence",
    "normalised_weights",
    "profile_inputs",
    "quintile_scores",
    "rebalanced_percentages",
    "rfm_scores",
    "rfm_segments",
    "scheme_availability",
    "silhouette_scores",
    "tier_basis_values",
    "tier_change_phrase",
    "tier_codes_of",
    "tier_labels",
    "tier_names",
    "tier_preset",
    "translated_tier_labels",
    "value_classes",
    "value_matrix",
    "value_scores",
    "value_segments",
    "weight_percentages",
]
