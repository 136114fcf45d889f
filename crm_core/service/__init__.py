"""Service quality: complaints and satisfaction by branch and group, against the bank and a benchmark,
and their link to churn where the data supports it (``docs/service.md``)."""

from crm_core.service.findings import service_findings
from crm_core.service.intervals import mean_interval, poisson_rate_interval, rate_ratio_interval, wilson_interval
from crm_core.service.view import (
    COMPARISONS,
    LINK_STATUSES,
    UNIT_COLUMNS,
    ChurnLink,
    ServiceSettings,
    ServiceView,
    churn_link,
    missing_fields,
    service_view,
)

__all__ = [
    "COMPARISONS",
    "LINK_STATUSES",
    "UNIT_COLUMNS",
    "ChurnLink",
    "ServiceSettings",
    "ServiceView",
    "churn_link",
    "mean_interval",
    "missing_fields",
    "poisson_rate_interval",
    "rate_ratio_interval",
    "service_findings",
    "service_view",
    "wilson_interval",
]
