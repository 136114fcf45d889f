"""What-if: more digital adoption in chosen segments → counter transactions next year and tellers needed.

Two steps, so a slider never touches the raw activity:

1. ``what_if_base(cube, codes, labels, branch_fits)`` — once per segment scheme: each branch's
   forecast counter volume for the next 12 months and, per branch × segment, the counter
   volume of the last 12 months from open customers without mobile or online activity.
2. ``what_if_staffing(base, inputs)`` — per input change, arithmetic on those small arrays.

For branch ``b`` with forecast ``F`` (next 12 months), counter volume ``C`` of its open
customers over the last 12 months and ``N`` the part of ``C`` from non-digital customers of the
chosen segments::

    moved   = F × (N / C) × x / 100 × substitution_factor
    after   = F - moved
    tellers = volume / 12 / transactions_per_teller_month
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.messages import Count, Message, Share
from crm_core.visits.config import DEFAULT_WHAT_IF, WhatIfInputs
from crm_core.visits.cube import VisitCube
from crm_core.visits.decline import OK, DeclineFit, forecast_total


@dataclass(frozen=True, eq=False)
class WhatIfBase:
    """Small per-branch arrays the what-if works on.

    Attributes
    ----------
    branch_labels : tuple of str
    segment_labels : tuple of str
    forecast_12m : numpy.ndarray
        Forecast counter transactions per branch over the next 12 months.
    forecast_basis : tuple of str
        ``"trend"`` (from the branch's fit) or ``"last_12m"`` (no usable fit: last 12 months carried).
    counter_12m : numpy.ndarray
        Counter transactions of open customers per branch, last 12 months.
    non_digital_counter_12m : numpy.ndarray
        ``(n_branches, n_segments)``: the part of ``counter_12m`` from open customers without
        mobile or online transactions in the last three months.
    """

    branch_labels: tuple[str, ...]
    segment_labels: tuple[str, ...]
    forecast_12m: np.ndarray
    forecast_basis: tuple[str, ...]
    counter_12m: np.ndarray
    non_digital_counter_12m: np.ndarray


def what_if_base(
    cube: VisitCube, codes: np.ndarray, labels: Sequence[str], branch_fits: Sequence[DeclineFit]
) -> WhatIfBase:
    """Return the what-if's per-branch arrays (once per segment scheme).

    Parameters
    ----------
    cube : VisitCube
    codes : numpy.ndarray
        Segment code per customer row (-1 = unassigned).
    labels : sequence of str
        Segment names by code.
    branch_fits : sequence of DeclineFit
        One per branch, in ``cube.branch_labels`` order (from ``branch_declines``).
    """
    n_branches, k = len(cube.branch_labels), len(labels)
    open_ = cube.is_active & (cube.branch_codes >= 0)
    branch = cube.branch_codes[open_].astype(np.intp)
    volume = cube.counter_12m[open_].astype(float)
    counter_12m = np.bincount(branch, weights=volume, minlength=n_branches)
    segment = np.asarray(codes)[open_]
    in_scope = (segment >= 0) & ~cube.digital_active[open_]
    cell = branch[in_scope] * k + segment[in_scope]
    non_digital = np.bincount(cell, weights=volume[in_scope], minlength=n_branches * k).reshape(n_branches, k)
    forecast, basis = np.empty(n_branches), []
    for b, fit in enumerate(branch_fits):
        if fit.status == OK:
            forecast[b] = forecast_total(fit, 12)
            basis.append("trend")
        else:
            forecast[b] = counter_12m[b]
            basis.append("last_12m")
    return WhatIfBase(
        branch_labels=tuple(cube.branch_labels),
        segment_labels=tuple(labels),
        forecast_12m=forecast,
        forecast_basis=tuple(basis),
        counter_12m=counter_12m,
        non_digital_counter_12m=non_digital,
    )


def what_if_staffing(base: WhatIfBase, inputs: WhatIfInputs = DEFAULT_WHAT_IF) -> pd.DataFrame:
    """Return expected counter transactions next year and tellers needed per branch, before and after the what-if.

    Returns
    -------
    pandas.DataFrame
        ``branch``, ``forecast_basis``, ``counter_next_12m`` (forecast), ``in_scope_share``
        (N / C), ``moved_off_counter``, ``counter_after``, ``tellers_now`` and ``tellers_after``
        (full-time equivalents: monthly volume / transactions per teller), ``tellers_freed``.

    Examples
    --------
    >>> base = WhatIfBase(("North",), ("mass", "affluent"), np.array([12_000.0]), ("trend",),
    ...                   np.array([10_000.0]), np.array([[4_000.0, 1_000.0]]))
    >>> row = what_if_staffing(base, WhatIfInputs(segments=(0,), adoption_increase_pp=10,
    ...                        substitution_factor=0.5, transactions_per_teller_month=100)).iloc[0]
    >>> float(row["moved_off_counter"]), float(row["tellers_now"]), float(row["tellers_after"])
    (240.0, 10.0, 9.8)
    """
    chosen = [s for s in inputs.segments if 0 <= s < len(base.segment_labels)]
    in_scope = base.non_digital_counter_12m[:, chosen].sum(axis=1) if chosen else np.zeros(len(base.branch_labels))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base.counter_12m > 0, in_scope / base.counter_12m, 0.0)
    moved = base.forecast_12m * share * inputs.adoption_increase_pp / 100.0 * inputs.substitution_factor
    after = base.forecast_12m - moved
    capacity = inputs.transactions_per_teller_month
    tellers_now = base.forecast_12m / 12.0 / capacity if capacity > 0 else np.full(len(after), np.nan)
    tellers_after = after / 12.0 / capacity if capacity > 0 else np.full(len(after), np.nan)
    return pd.DataFrame(
        {
            "branch": pd.array(list(base.branch_labels), dtype="string"),
            "forecast_basis": pd.array(list(base.forecast_basis), dtype="string"),
            "counter_next_12m": base.forecast_12m,
            "in_scope_share": share,
            "moved_off_counter": moved,
            "counter_after": after,
            "tellers_now": tellers_now,
            "tellers_after": tellers_after,
            "tellers_freed": tellers_now - tellers_after,
        }
    )


def what_if_message(staffing: pd.DataFrame, inputs: WhatIfInputs) -> Message:
    """The bank total of ``what_if_staffing`` in one sentence: counter transactions moved and tellers freed.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> staffing = pd.DataFrame({"moved_off_counter": [240.0], "counter_next_12m": [12_000.0],
    ...                          "tellers_freed": [0.2]})
    >>> render(what_if_message(staffing, WhatIfInputs(segments=(0,), adoption_increase_pp=10,
    ...        substitution_factor=0.5, transactions_per_teller_month=100)), "en")[-60:]
    ' about 0.2 tellers at 100 transactions per teller per month.'
    """
    moved = float(staffing["moved_off_counter"].sum())
    total = float(staffing["counter_next_12m"].sum())
    return Message(
        "visits_what_if_sentence",
        pp=f"{inputs.adoption_increase_pp:g}",
        factor=f"{inputs.substitution_factor:g}",
        moved=Count(round(moved)),
        share=Share(moved / total if total > 0 else 0.0),
        freed=f"{float(staffing['tellers_freed'].sum()):.1f}",
        per_teller=Count(inputs.transactions_per_teller_month),
    )
