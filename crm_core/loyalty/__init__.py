"""Loyalty and customer value: stickiness, primacy, churn risk, lifetime value and retention what-ifs.

Per-dataset work (run once per dataset fingerprint and config, then cache):
``stickiness_matrix``, ``churn_risk_model`` (fits and evaluates the model), ``customer_value``.
Per-control work (cheap, never refits): ``stickiness_scores``, ``primacy_flags``,
``risk_bands``, ``retention_what_if``, ``risk_by_group``, ``at_risk_customers``,
``loyalty_kpis`` and the figures. See ``docs/loyalty.md``.

The view's one result: ``loyalty_view(prepared, codes, labels, LoyaltySettings.of(scenario), risk=...)``
(``crm_core.loyalty.view``), read by the page, the report, the playbook and the comparison.
"""

from crm_core.loyalty.charts import (
    calibration_figure,
    clv_quadrant_figure,
    lift_figure,
    risk_group_figure,
    stickiness_segment_figure,
    what_if_figure,
)
from crm_core.loyalty.churn import EXCLUDED_REASONS, ChurnLabels, churn_features, churn_labels
from crm_core.loyalty.config import (
    CHURN_KINDS,
    DEFAULT_CHURN,
    DEFAULT_CLV,
    DEFAULT_MODEL,
    DEFAULT_PRIMACY,
    DEFAULT_STICKINESS,
    STICKINESS_INDICATORS,
    ChurnDefinition,
    ClvConfig,
    ModelConfig,
    PrimacyConfig,
    RetentionScenario,
    StickinessConfig,
    config_from_json,
    config_hash,
    config_json,
)
from crm_core.loyalty.estimator import ChurnClassifier
from crm_core.loyalty.evaluation import (
    Evaluation,
    calibration_table,
    driver_message,
    expected_calibration_error,
    feature_name,
    held_out_evaluation,
    lift_table,
    model_drivers,
)
from crm_core.loyalty.export import csv_bytes, excel_bytes, formula_safe
from crm_core.loyalty.model import (
    RISK_BANDS,
    ChurnRisk,
    FittedModel,
    churn_risk_model,
    customer_reasons,
    fitted_churn_model,
    risk_bands,
)
from crm_core.loyalty.stickiness import (
    StickinessMatrix,
    primacy_flags,
    primacy_rule,
    stickiness_by_segment,
    stickiness_matrix,
    stickiness_scores,
    stickiness_weights,
)
from crm_core.loyalty.summary import at_risk_customers, group_codes, risk_by_group
from crm_core.loyalty.value import (
    QUADRANTS,
    clv_by_segment,
    customer_value,
    expected_discounted_years,
    potential_aum,
    quadrant_sample,
)
from crm_core.loyalty.view import (
    LoyaltySettings,
    LoyaltyView,
    band_summary,
    indicator_gaps,
    loyalty_kpis,
    loyalty_view,
    shown,
    unscored_risk,
)
from crm_core.loyalty.whatif import retention_what_if, what_if_message

__all__ = [
    "CHURN_KINDS",
    "DEFAULT_CHURN",
    "DEFAULT_CLV",
    "DEFAULT_MODEL",
    "DEFAULT_PRIMACY",
    "DEFAULT_STICKINESS",
    "EXCLUDED_REASONS",
    "QUADRANTS",
    "RISK_BANDS",
    "STICKINESS_INDICATORS",
    "ChurnClassifier",
    "ChurnDefinition",
    "ChurnLabels",
    "ChurnRisk",
    "ClvConfig",
    "Evaluation",
    "FittedModel",
    "LoyaltySettings",
    "LoyaltyView",
    "ModelConfig",
    "PrimacyConfig",
    "RetentionScenario",
    "StickinessConfig",
    "StickinessMatrix",
    "at_risk_customers",
    "band_summary",
    "calibration_figure",
    "calibration_table",
    "churn_features",
    "churn_labels",
    "churn_risk_model",
    "clv_by_segment",
    "clv_quadrant_figure",
    "config_from_json",
    "config_hash",
    "config_json",
    "csv_bytes",
    "customer_reasons",
    "customer_value",
    "driver_message",
    "excel_bytes",
    "expected_calibration_error",
    "expected_discounted_years",
    "feature_name",
    "fitted_churn_model",
    "formula_safe",
    "group_codes",
    "held_out_evaluation",
    "indicator_gaps",
    "lift_figure",
    "lift_table",
    "loyalty_kpis",
    "loyalty_view",
    "model_drivers",
    "potential_aum",
    "primacy_flags",
    "primacy_rule",
    "quadrant_sample",
    "retention_what_if",
    "risk_bands",
    "risk_by_group",
    "risk_group_figure",
    "shown",
    "stickiness_by_segment",
    "stickiness_matrix",
    "stickiness_scores",
    "stickiness_segment_figure",
    "stickiness_weights",
    "unscored_risk",
    "what_if_figure",
    "what_if_message",
]
