"""Strategy playbook: the numbers turned into the thesis' argument, from the data and the scenario.

Positioning, tiered management, stickiness and loyalty, value mining, with guarantee measures,
as structured results (frozen dataclasses and small frames) that the page and the deck render:

* ``executive_findings``: the most material findings, ranked by money at stake a year (CNY)
  under a stated rule each, with the findings the data cannot support and why.
* ``segment_playbook``: per tier, position, service model, products to offer, stickiness levers
  and risks, each recommendation traced to its metric and rule; rules are data (``PlaybookRules``).
* ``guarantee_measures``: organisation, data and technology, talent and training, incentives,
  each KPI with current value, editable target (``GuaranteeTargets``), gap, owner and milestone.

Per dataset (cache by fingerprint): the churn model (``loyalty.churn_risk_model``) and the visit
cube (``visits.visit_cube``), both accepted as arguments. Everything else here is per scenario
and cheap. See ``docs/playbook.md``.
"""

from crm_core.playbook.config import (
    DEFAULT_FINDINGS,
    DEFAULT_GUARANTEE_TARGETS,
    DEFAULT_RULE_SET,
    DEFAULT_RULES,
    DEFAULT_TARGETS,
    GUARANTEE_AREAS,
    IMPROVEMENT_STEPS,
    OPERATORS,
    RULE_KINDS,
    VIEWS,
    FindingsConfig,
    GuaranteeTargets,
    PlaybookRules,
    Rule,
    starting_target,
)
from crm_core.playbook.findings import (
    FINDING_KEYS,
    Finding,
    Findings,
    Named,
    executive_findings,
    finding_names,
    ranked_findings,
)
from crm_core.playbook.guarantees import (
    GUARANTEE_COLUMNS,
    KPI_DEFINITIONS,
    guarantee_measures,
    guarantee_table_for_export,
    guarantee_table_in,
    guarantee_values,
)
from crm_core.playbook.plays import Recommendation, SegmentPlay, segment_metrics, segment_playbook
from crm_core.playbook.wording import (
    ShownPlay,
    ShownRecommendation,
    format_value,
    metric_label,
    playbook_table,
    plays_in,
    recommendation_in,
    rule_text,
)

__all__ = [
    "DEFAULT_FINDINGS",
    "DEFAULT_GUARANTEE_TARGETS",
    "DEFAULT_RULES",
    "DEFAULT_RULE_SET",
    "DEFAULT_TARGETS",
    "FINDING_KEYS",
    "GUARANTEE_AREAS",
    "GUARANTEE_COLUMNS",
    "IMPROVEMENT_STEPS",
    "KPI_DEFINITIONS",
    "OPERATORS",
    "RULE_KINDS",
    "VIEWS",
    "Finding",
    "Findings",
    "FindingsConfig",
    "GuaranteeTargets",
    "Named",
    "PlaybookRules",
    "Recommendation",
    "Rule",
    "SegmentPlay",
    "ShownPlay",
    "ShownRecommendation",
    "executive_findings",
    "finding_names",
    "format_value",
    "guarantee_measures",
    "guarantee_table_for_export",
    "guarantee_table_in",
    "guarantee_values",
    "metric_label",
    "playbook_table",
    "plays_in",
    "ranked_findings",
    "recommendation_in",
    "rule_text",
    "segment_metrics",
    "segment_playbook",
    "starting_target",
]
