"""Retention what-if: what keeping some at-risk customers would bring next year.

Cheap by design: it reads probabilities, bands and values already computed and never
touches the model (no refit, no prediction). The figures are model estimates, not causal
promises: a range is given from the calibration error (each probability moved by ± the
held-out expected calibration error) widened by the Bernoulli spread of who actually leaves
(± 1.645 standard deviations, about a 90% band).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.loyalty.config import RetentionScenario
from crm_core.loyalty.model import RISK_BANDS
from crm_core.messages import Count, Message, Money, Share, Term

Z_90 = 1.645


def _estimate(p: np.ndarray, value: np.ndarray, share: float, error: float) -> tuple[float, float, float]:
    """Expected kept value and a (low, high) band, over the customers with a value (NaN when none has one)."""
    known = ~np.isnan(value)
    if not known.all():
        if not known.any() and len(value):
            return np.nan, np.nan, np.nan
        p, value = p[known], value[known]
    central = share * float((p * value).sum())
    spread = Z_90 * share * float(np.sqrt((p * (1 - p) * value**2).sum()))
    low = share * float((np.clip(p - error, 0, 1) * value).sum()) - spread
    high = share * float((np.clip(p + error, 0, 1) * value).sum()) + spread
    return central, max(low, 0.0), high


def retention_what_if(
    probabilities: np.ndarray,
    bands: np.ndarray,
    values: pd.DataFrame,
    codes: np.ndarray,
    labels: Sequence[str],
    scenario: RetentionScenario,
    calibration_error: float = 0.0,
) -> pd.DataFrame:
    """Return customers, AUM, contribution and CLV kept per segment if the scenario works.

    Parameters
    ----------
    probabilities : numpy.ndarray
        12-month churn probability per customer (NaN = not scored).
    bands : numpy.ndarray
        Risk band codes (``risk_bands``).
    values : pandas.DataFrame
        ``customer_value`` output (``aum``, ``contribution``, ``clv``).
    codes, labels : segment codes per customer and segment names.
    scenario : RetentionScenario
        Share retained, segments and bands targeted.
    calibration_error : float
        Held-out expected calibration error of the model (widens the range).

    Returns
    -------
    pandas.DataFrame
        One row per targeted segment plus a ``total`` row (code -1): ``code``, ``segment``,
        ``targeted``, ``expected_churners``, ``customers_kept``, and for each of ``aum``,
        ``contribution`` and ``clv``: ``<x>_kept``, ``<x>_kept_low``, ``<x>_kept_high``.

    Examples
    --------
    >>> values = pd.DataFrame({"aum": [100.0, 200.0], "contribution": [1.0, 2.0], "clv": [5.0, 10.0]})
    >>> frame = retention_what_if(np.array([0.5, 0.1]), np.array([2, 0]), values, np.array([0, 0]), ["a"],
    ...                           RetentionScenario(retained_share=0.5))
    >>> frame[["segment", "targeted", "customers_kept", "aum_kept"]]
      segment  targeted  customers_kept  aum_kept
    0       a         1            0.25      25.0
    1   total         1            0.25      25.0
    """
    codes = np.asarray(codes)
    band_codes = [RISK_BANDS.index(b) for b in scenario.bands]
    chosen = scenario.segments or tuple(range(len(labels)))
    target = np.isin(bands, band_codes) & np.isin(codes, chosen) & ~np.isnan(probabilities)
    share = scenario.retained_share
    measures = ("aum", "contribution", "clv")
    columns = {measure: values[measure].to_numpy(dtype=float) for measure in measures}  # read once, not per segment
    rows = []
    for code, label in [(c, labels[c]) for c in chosen if 0 <= c < len(labels)] + [(-1, "total")]:
        member = target & (codes == code) if code >= 0 else target
        p = probabilities[member]
        row = {
            "code": code,
            "segment": label,
            "targeted": int(member.sum()),
            "expected_churners": float(p.sum()),
            "customers_kept": share * float(p.sum()),
        }
        for measure in measures:
            central, low, high = _estimate(p, columns[measure][member], share, calibration_error)
            row[f"{measure}_kept"], row[f"{measure}_kept_low"], row[f"{measure}_kept_high"] = central, low, high
        rows.append(row)
    return pd.DataFrame(rows)


def what_if_message(frame: pd.DataFrame, scenario: RetentionScenario, measure: str = "aum") -> Message:
    """Return the what-if total as a message (one sentence, stated as a model estimate), rendered at the edge.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> frame = pd.DataFrame({"code": [-1], "customers_kept": [12.4], "aum_kept": [1e6], "aum_kept_low": [8e5],
    ...                       "aum_kept_high": [1.2e6], "contribution_kept": [1e4], "clv_kept": [4e4]})
    >>> render(what_if_message(frame, RetentionScenario(retained_share=0.2)), "en")[:70]
    'Retaining 20% of the would-be churners among the targeted customers wo'

    ``measure`` (the dataset's value measure) names what ``aum_kept`` is when contribution is not
    priced (NaN): then the sentence gives customers and the measure kept, and says so.
    """
    total = frame[frame["code"] == -1].iloc[0]
    kept = {
        "share": Share(scenario.retained_share, 0),
        "customers": Count(float(total["customers_kept"])),
        "aum": Money(float(total["aum_kept"])),
        "low": Money(float(total["aum_kept_low"])),
        "high": Money(float(total["aum_kept_high"])),
    }
    if np.isnan(float(total["contribution_kept"])):  # a stand-in the AUM margin cannot price, or no value known
        return Message("retention_what_if_sentence_unpriced", measure=Term(f"measure_{measure}"), **kept)
    contribution, clv = Money(float(total["contribution_kept"])), Money(float(total["clv_kept"]))
    return Message("retention_what_if_sentence", contribution=contribution, clv=clv, **kept)
