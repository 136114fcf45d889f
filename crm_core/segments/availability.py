"""Which segmentation schemes a dataset supports, and why the others are hidden."""

from __future__ import annotations

import pandas as pd

from crm_core.prepare import PreparedDataset
from crm_core.segments.clusters import cluster_missing
from crm_core.segments.config import DEFAULT_CLUSTERS, VALUE_INDICATORS, ClusterConfig
from crm_core.segments.lifecycle import lifecycle_missing
from crm_core.segments.rfm import rfm_available

SCHEMES: tuple[str, ...] = ("tiers", "value", "rfm", "lifecycle", "clusters")
"""Scheme keys in display order."""


def scheme_availability(prepared: PreparedDataset, cluster_config: ClusterConfig = DEFAULT_CLUSTERS) -> pd.DataFrame:
    """Return one row per scheme: ``scheme``, ``available``, ``missing`` (tuple of columns),
    ``reason_en``, ``reason_zh`` (empty when available) and ``note_en`` / ``note_zh`` (what
    an available scheme does without, e.g. value indicators it skips).
    """
    rows = []
    absent_value = [c for c in VALUE_INDICATORS if not prepared.has(c)]
    value_note = (
        (
            f"Value score without: {', '.join(absent_value)}.",
            f"价值评分未使用：{'、'.join(absent_value)}。",
        )
        if absent_value
        else ("", "")
    )
    checks = {
        "tiers": ((), ("", ""), ("", "")),
        "value": ((), ("", ""), value_note),
        "rfm": (
            () if not rfm_available(prepared) else ("activity",),
            ("RFM needs monthly transaction data (activity).", "RFM 需要月度交易数据（activity 表）。"),
            ("", ""),
        ),
        "lifecycle": (
            lifecycle_missing(prepared),
            (
                "Lifecycle stages need tenure (open date) and AUM a year ago or transaction history.",
                "生命周期需要开户时长（开户日期），以及一年前资产或交易历史。",
            ),
            ("", ""),
        ),
        "clusters": (
            cluster_missing(prepared, cluster_config),
            ("Clustering needs at least two customer features.", "聚类至少需要两个客户特征。"),
            ("", ""),
        ),
    }
    for scheme in SCHEMES:
        missing, (reason_en, reason_zh), (note_en, note_zh) = checks[scheme]
        available = not missing
        rows.append(
            (
                scheme,
                available,
                tuple(missing),
                "" if available else f"{reason_en} Missing: {', '.join(missing)}.",
                "" if available else f"{reason_zh}缺少：{'、'.join(missing)}。",
                note_en,
                note_zh,
            )
        )
    return pd.DataFrame(
        rows, columns=["scheme", "available", "missing", "reason_en", "reason_zh", "note_en", "note_zh"]
    )
