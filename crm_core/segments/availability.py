"""Which segmentation schemes a dataset supports, and why the others are hidden."""

from __future__ import annotations

import pandas as pd

from crm_core.messages import Message
from crm_core.prepare import PreparedDataset
from crm_core.segments.clusters import cluster_missing
from crm_core.segments.config import DEFAULT_CLUSTERS, VALUE_INDICATORS, ClusterConfig
from crm_core.segments.lifecycle import lifecycle_missing
from crm_core.segments.rfm import rfm_available

SCHEMES: tuple[str, ...] = ("tiers", "value", "rfm", "lifecycle", "clusters")
"""Scheme keys in display order."""


def _listed(names) -> Message | str:
    """Column names as a language lists them ("a, b" / "a、b")."""
    names = list(names)
    joined: Message | str = names[0] if names else ""
    for name in names[1:]:
        joined = Message("segments_list", head=joined, item=name)
    return joined


def scheme_availability(prepared: PreparedDataset, cluster_config: ClusterConfig = DEFAULT_CLUSTERS) -> pd.DataFrame:
    """Return one row per scheme: ``scheme``, ``available``, ``missing`` (tuple of columns),
    ``reason`` (a ``Message``; None when available) and ``note`` (what an available scheme does
    without, e.g. value indicators it skips; None when nothing).

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> scheme_availability(prepared_dataset(tiny_dataset()))["available"].tolist()
    [True, True, True, True, True]
    """
    absent_value = [c for c in VALUE_INDICATORS if not prepared.has(c)]
    rfm_missing = () if not rfm_available(prepared) else ("activity",)
    lifecycle = lifecycle_missing(prepared)
    clusters = cluster_missing(prepared, cluster_config)
    checks = {
        "tiers": ((), None),
        "value": ((), None),
        "rfm": (rfm_missing, Message("segments_unavailable_rfm", missing=_listed(rfm_missing))),
        "lifecycle": (lifecycle, Message("segments_unavailable_lifecycle", missing=_listed(lifecycle))),
        "clusters": (clusters, Message("segments_unavailable_clusters", missing=_listed(clusters))),
    }
    value_note = Message("segments_value_without", indicators=_listed(absent_value)) if absent_value else None
    rows = []
    for scheme in SCHEMES:
        missing, reason = checks[scheme]
        available = not missing
        note = value_note if scheme == "value" else None
        rows.append((scheme, available, tuple(missing), None if available else reason, note))
    return pd.DataFrame(rows, columns=["scheme", "available", "missing", "reason", "note"])
