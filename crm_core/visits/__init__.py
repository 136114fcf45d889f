"""Branch visits: how fast counter traffic falls, where, for whom, what replaces it, and what it means for staff.

Per dataset (once per fingerprint): ``visit_cube(prepared)`` reads the raw activity into
customers × months integer arrays; ``bank_decline`` / ``branch_declines`` fit the trends.
Per control change: segment tables, substitution flows, the silent-attrition list and the
what-if work on the cube and on small per-branch arrays only. See ``docs/visits.md``.
"""

from crm_core.visits.attrition import (
    FORMULA_PREFIXES,
    csv_bytes,
    excel_bytes,
    formula_safe,
    silent_attrition,
    silent_attrition_mask,
)
from crm_core.visits.charts import (
    channel_benchmark_figure,
    decline_ranking_figure,
    forecast_figure,
    substitution_figure,
)
from crm_core.visits.config import (
    CBA_SOURCE,
    DEFAULT_ATTRITION,
    DEFAULT_BENCHMARK,
    DEFAULT_DECLINE,
    DEFAULT_WHAT_IF,
    DeclineConfig,
    OffCounterBenchmark,
    SilentAttritionRule,
    WhatIfInputs,
    config_from_json,
    config_json,
)
from crm_core.visits.cube import (
    CHANNEL_GROUPS,
    VisitCube,
    group_monthly_active,
    group_monthly_sums,
    visit_availability,
    visit_cube,
)
from crm_core.visits.decline import (
    DECLINE_COLUMNS,
    NO_COUNTER_ACTIVITY,
    NOT_ENOUGH_HISTORY,
    OK,
    DeclineFit,
    bank_counter_series,
    bank_decline,
    branch_declines,
    counter_decline,
    counter_forecast,
    fitted_history,
    group_declines,
    halving_month,
    halving_sentence,
    segment_declines,
    window_rates,
)
from crm_core.visits.kpis import VISIT_KPIS, visit_kpis
from crm_core.visits.substitution import SUBSTITUTION_COLUMNS, substitution_flows, substitution_sentence
from crm_core.visits.trends import (
    TREND_LEVELS,
    age_band_channel_trend,
    benchmark_rates,
    channel_trend,
    group_channel_trend,
    off_counter_rates,
)
from crm_core.visits.whatif import WhatIfBase, what_if_base, what_if_sentence, what_if_staffing

__all__ = [
    "CBA_SOURCE",
    "CHANNEL_GROUPS",
    "DECLINE_COLUMNS",
    "DEFAULT_ATTRITION",
    "DEFAULT_BENCHMARK",
    "DEFAULT_DECLINE",
    "DEFAULT_WHAT_IF",
    "FORMULA_PREFIXES",
    "NOT_ENOUGH_HISTORY",
    "NO_COUNTER_ACTIVITY",
    "OK",
    "SUBSTITUTION_COLUMNS",
    "TREND_LEVELS",
    "VISIT_KPIS",
    "DeclineConfig",
    "DeclineFit",
    "OffCounterBenchmark",
    "SilentAttritionRule",
    "VisitCube",
    "WhatIfBase",
    "WhatIfInputs",
    "age_band_channel_trend",
    "bank_counter_series",
    "bank_decline",
    "benchmark_rates",
    "branch_declines",
    "channel_benchmark_figure",
    "channel_trend",
    "config_from_json",
    "config_json",
    "counter_decline",
    "counter_forecast",
    "csv_bytes",
    "decline_ranking_figure",
    "excel_bytes",
    "fitted_history",
    "forecast_figure",
    "formula_safe",
    "group_channel_trend",
    "group_declines",
    "group_monthly_active",
    "group_monthly_sums",
    "halving_month",
    "halving_sentence",
    "off_counter_rates",
    "segment_declines",
    "silent_attrition",
    "silent_attrition_mask",
    "substitution_figure",
    "substitution_flows",
    "substitution_sentence",
    "visit_availability",
    "visit_cube",
    "visit_kpis",
    "what_if_base",
    "what_if_sentence",
    "what_if_staffing",
    "window_rates",
]
