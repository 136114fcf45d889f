"""Channel substitution: where the counter transactions that customers stopped making went."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.messages import Count, Message, Share
from crm_core.visits.cube import VisitCube

SUBSTITUTION_COLUMNS = (
    "code",
    "group",
    "customers",
    "counter_before",
    "counter_after",
    "counter_lost",
    "moved_to_digital",
    "gone",
    "moved_share",
)


def substitution_flows(
    cube: VisitCube, codes: np.ndarray, labels: Sequence[str], total_label: str | None = "All"
) -> pd.DataFrame:
    """Return, per segment, how much lost counter volume moved to mobile/online and how much disappeared.

    Only customers whose counter transactions fell (last 12 months against the 12 before)
    count. For each, ``counter_lost = before - after``; ``moved_to_digital`` is the part of
    it matched by their own rise in mobile + online transactions (capped at the loss);
    ``gone`` is the rest, so ``counter_lost = moved_to_digital + gone`` exactly.

    Parameters
    ----------
    cube : VisitCube
    codes : numpy.ndarray
        Segment code per customer row (-1 = unassigned: only in the total row).
    labels : sequence of str
        Segment names by code.
    total_label : str or None
        Name of a last row over all customers (code ``-1``); None for no total row.

    Returns
    -------
    pandas.DataFrame
        Columns ``SUBSTITUTION_COLUMNS``. Empty with less than 24 months of history.

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> from crm_core.visits.cube import visit_cube
    >>> cube = visit_cube(prepared_dataset(tiny_dataset()))
    >>> flows = substitution_flows(cube, np.array([0, 0, 1, 1]), ["North", "South"])
    >>> flows[["group", "counter_lost", "moved_to_digital", "gone"]].values.tolist()
    [['North', 2, 2, 0], ['South', 0, 0, 0], ['All', 2, 2, 0]]
    """
    k = len(labels)
    if cube.n_months < 24:
        return pd.DataFrame({c: [] for c in SUBSTITUTION_COLUMNS}).astype({"group": "string"})
    fell = cube.counter_12m < cube.counter_prev_12m
    lost = np.where(fell, cube.counter_prev_12m - cube.counter_12m, 0)
    gained = np.maximum(cube.digital_12m - cube.digital_prev_12m, 0)
    moved = np.where(fell, np.minimum(lost, gained), 0)
    measures = {
        "customers": fell.astype(np.int64),
        "counter_before": np.where(fell, cube.counter_prev_12m, 0),
        "counter_after": np.where(fell, cube.counter_12m, 0),
        "counter_lost": lost,
        "moved_to_digital": moved,
        "gone": lost - moved,
    }
    bins = np.where(np.asarray(codes) >= 0, codes, k).astype(np.intp)
    sums = {name: np.bincount(bins, weights=v, minlength=k + 1)[:k] for name, v in measures.items()}
    out_codes, out_labels = list(range(k)), list(labels)
    if total_label is not None:
        for name, v in measures.items():
            sums[name] = np.append(sums[name], v.sum())
        out_codes.append(-1)
        out_labels.append(total_label)
    frame = pd.DataFrame({"code": np.array(out_codes, dtype=np.int64), "group": pd.array(out_labels, dtype="string")})
    for name in measures:
        frame[name] = np.rint(sums[name]).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lost_total = frame["counter_lost"].to_numpy(dtype=float)
        frame["moved_share"] = np.where(lost_total > 0, frame["moved_to_digital"] / lost_total, np.nan)
    return frame[list(SUBSTITUTION_COLUMNS)]


def substitution_message(flows: pd.DataFrame) -> Message | None:
    """The bank row of ``substitution_flows`` in one sentence: how much lost counter volume moved online.

    None when nothing was lost (or there is no bank row).

    Examples
    --------
    >>> from crm_core.messages import render
    >>> flows = pd.DataFrame({"code": [-1], "customers": [3], "counter_lost": [16], "moved_share": [0.25]})
    >>> render(substitution_message(flows), "en")[:60]
    'The 3 customers who used the counter less made 16 fewer coun'
    """
    total = flows[flows["code"] == -1]
    if total.empty or not total["counter_lost"].iloc[0] > 0:
        return None
    row = total.iloc[0]
    return Message(
        "visits_substitution_sentence",
        customers=Count(int(row["customers"])),
        lost=Count(int(row["counter_lost"])),
        moved=Share(float(row["moved_share"]), 0),
        gone=Share(1 - float(row["moved_share"]), 0),
    )
