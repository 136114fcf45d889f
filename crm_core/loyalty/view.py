"""The Loyalty view's one result: churn rate, stickiness, risk bands, CLV and the retention what-if.

Every surface that shows a loyalty figure (the Loyalty page, the report's stickiness step and
risk table, the playbook's plays and at-risk finding, the scenario comparison) reads it from
``loyalty_view``; none assembles the chain (stickiness scores → risk bands → risk by group →
customer value → CLV by group → retention what-if) again. The churn model is trained once per
dataset and definition (``churn_risk_model``) and passed in; the view only reads its scores.
The result holds no words: groups are the segmentation's own labels (tier keys such as
``mass``), bands their keys (``RISK_BANDS``); a surface names them in its language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from crm_core.definitions import ChurnRate, churn_rate
from crm_core.loyalty.churn import churn_labels
from crm_core.loyalty.config import (
    DEFAULT_MODEL,
    DEFAULT_PRIMACY,
    ChurnDefinition,
    ClvConfig,
    ModelConfig,
    PrimacyConfig,
    RetentionScenario,
    StickinessConfig,
)
from crm_core.loyalty.evaluation import Evaluation
from crm_core.loyalty.model import RISK_BANDS, ChurnRisk, FittedModel, churn_risk_model, risk_bands
from crm_core.loyalty.stickiness import (
    StickinessMatrix,
    active_means,
    primacy_flags,
    primacy_missing,
    stickiness_by_segment,
    stickiness_matrix,
    stickiness_scores,
    stickiness_weights,
)
from crm_core.loyalty.summary import group_codes, risk_by_group
from crm_core.loyalty.value import clv_by_segment, customer_value, quadrant_sample
from crm_core.loyalty.whatif import retention_what_if
from crm_core.messages import Message
from crm_core.prepare import PreparedDataset
from crm_core.segments.profiles import suppressed_groups

BAND_COLUMNS: tuple[str, ...] = ("band", "customers", "aum", "expected_aum_loss")
"""Columns of ``LoyaltyView.bands``."""


@dataclass(frozen=True)
class LoyaltySettings:
    """The scenario's loyalty section: churn definition, stickiness weights, CLV and the retention what-if.

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> LoyaltySettings.of(Scenario()).churn.kind
    'flag'
    """

    churn: ChurnDefinition
    stickiness: StickinessConfig
    clv: ClvConfig
    retention: RetentionScenario
    primacy: PrimacyConfig = DEFAULT_PRIMACY
    model: ModelConfig = DEFAULT_MODEL
    min_group_customers: int = 10

    @classmethod
    def of(cls, scenario) -> LoyaltySettings:
        """The loyalty settings of a ``Scenario``."""
        return cls(
            scenario.churn,
            scenario.stickiness,
            scenario.clv,
            scenario.retention,
            min_group_customers=scenario.suppression.min_customers,
        )


@dataclass(frozen=True, eq=False)
class LoyaltyView:
    """Aggregates of the Loyalty view (no words; two per-customer arrays for the at-risk list).

    Attributes
    ----------
    settings : LoyaltySettings
    labels : tuple of str
        Group labels in code order, language-free.
    churn_rate : ChurnRate
        The bank's one churn rate (``crm_core.definitions.churn_rate``), whatever the model learns.
    model_usable : bool
        Whether the churn model scored customers (else the risk, band, what-if fields are empty).
    evaluation : Evaluation or None
        The model's held-out evaluation.
    model_kind : str or None
        ``gradient_boosting`` or ``logistic_regression``.
    base_rate : float
        Churn rate under the model's definition among the customers it learns from.
    stickiness : pandas.DataFrame
        ``stickiness_by_segment``: ``code``, ``segment``, ``customers``, ``mean``, ``p25``,
        ``median``, ``p75``, ``primacy_share`` (active customers).
    weights : dict
        Stickiness weights of the indicators present, summing to 1.
    indicator_gaps : pandas.DataFrame
        ``code``, ``segment`` and one column per indicator present: the group's mean 0–1 score
        minus the bank's (active customers).
    mean_stickiness, primacy_share : float
        Over active customers.
    bands : pandas.DataFrame
        One row per risk band (``BAND_COLUMNS``): scored customers, their AUM, and Σ churn
        probability × AUM (expected AUM loss).
    risk : pandas.DataFrame
        ``risk_by_group`` per group (empty without a model).
    risk_by_branch : pandas.DataFrame
        ``risk_by_group`` per branch, labelled by the branch's own value (empty without a model).
    clv : pandas.DataFrame
        ``clv_by_segment`` per group.
    quadrants : pandas.DataFrame
        ``quadrant_sample`` of the customers' values (at most 5,000 points).
    retention : pandas.DataFrame or None
        ``retention_what_if`` of the settings' scenario (None without a model).
    hidden : tuple of str
        Groups too small to show by themselves (``suppressed_groups`` over active customers per
        group, with complementary suppression): surfaces leave their rows out; totals keep them.
    customer_bands : numpy.ndarray
        Risk band code per customer (``-1`` not scored), for the at-risk list.
    values : pandas.DataFrame
        ``customer_value`` per customer (shared with the caller's cache, not copied).
    """

    settings: LoyaltySettings
    labels: tuple[str, ...]
    churn_rate: ChurnRate
    model_usable: bool
    evaluation: Evaluation | None
    model_kind: str | None
    base_rate: float
    stickiness: pd.DataFrame
    weights: dict[str, float]
    indicator_gaps: pd.DataFrame
    mean_stickiness: float
    primacy_share: float
    bands: pd.DataFrame
    risk: pd.DataFrame
    risk_by_branch: pd.DataFrame
    clv: pd.DataFrame
    quadrants: pd.DataFrame
    retention: pd.DataFrame | None
    hidden: tuple[str, ...]
    customer_bands: np.ndarray
    values: pd.DataFrame

    @property
    def high_risk_customers(self) -> float:
        """Scored customers in the high band (NaN without a model)."""
        return self._band("high", "customers")

    @property
    def at_risk_aum(self) -> float:
        """AUM of the high band: what could leave (NaN without a model)."""
        return self._band("high", "aum")

    @property
    def expected_aum_loss(self) -> float:
        """Σ churn probability × AUM over scored customers: what the model expects to leave (NaN without a model)."""
        return float(self.bands["expected_aum_loss"].sum()) if self.model_usable else math.nan

    @property
    def aum_kept(self) -> float:
        """AUM the retention what-if keeps next year (NaN without a model)."""
        if self.retention is None:
            return math.nan
        return float(self.retention.loc[self.retention["code"] == -1, "aum_kept"].iloc[0])

    def _band(self, band: str, column: str) -> float:
        if not self.model_usable:
            return math.nan
        return float(self.bands.loc[self.bands["band"] == band, column].iloc[0])

    def tiles(self) -> pd.DataFrame:
        """The headline tiles: ``metric``, ``unit`` (``share``, ``count``, ``money``, ``index``), ``value``."""
        return _tiles(self.churn_rate, self.bands if self.model_usable else None, self.mean_stickiness,
                      self.primacy_share)  # fmt: skip


def _tiles(rate: ChurnRate, bands: pd.DataFrame | None, mean_stickiness: float, primacy_share: float) -> pd.DataFrame:
    high = bands.set_index("band").loc["high"] if bands is not None else None
    values = [
        ("churn_rate", "share", rate.value),
        ("high_risk_customers", "count", float(high["customers"]) if high is not None else math.nan),
        ("at_risk_aum", "money", float(high["aum"]) if high is not None else math.nan),
        ("expected_aum_loss", "money", float(bands["expected_aum_loss"].sum()) if bands is not None else math.nan),
        ("mean_stickiness", "index", mean_stickiness),
        ("primacy_share", "share", primacy_share),
    ]
    return pd.DataFrame(values, columns=["metric", "unit", "value"])


def loyalty_kpis(
    prepared: PreparedDataset, risk: ChurnRisk, stickiness: np.ndarray, primacy: np.ndarray
) -> pd.DataFrame:
    """Return the loyalty tiles from a churn risk and per-customer stickiness and primacy (no grouping).

    The same tiles as ``LoyaltyView.tiles``: churn rate, high-risk customers, their AUM, expected
    AUM loss, mean stickiness, primacy share.

    Parameters
    ----------
    prepared : PreparedDataset
    risk : ChurnRisk
        The churn model of the page's definition (for the high-risk band).
    stickiness : numpy.ndarray
        ``stickiness_scores`` per customer.
    primacy : numpy.ndarray
        ``primacy_flags`` per customer.

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``unit`` (``share``, ``money``, ``index``, ``count``), ``value``. The churn
        rate is the bank's one churn rate (``crm_core.definitions.churn_rate``: closures in the
        last 12 months among customers on the books a year earlier), whatever definition the
        model learns (that definition's own rate is the model's base rate). ``at_risk_aum`` is
        the whole AUM of the high-risk band (what could leave); ``expected_aum_loss`` is the
        expected value, Σ churn probability × AUM over scored customers (what the model expects
        to leave within its horizon). Both are NaN without a usable model.
    """
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    aum = np.nan_to_num(c["aum"].to_numpy(dtype=float, na_value=np.nan))
    bands = band_summary(risk.probabilities, risk_bands(risk.probabilities), aum) if risk.usable else None
    mean = float(np.nanmean(stickiness[active])) if active.any() else math.nan
    return _tiles(churn_rate(c), bands, mean, float(primacy[active].mean()) if active.any() else math.nan)


def _means(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums over counts, NaN for an empty group."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _group_means(values: np.ndarray, codes: np.ndarray, n_groups: int, mask: np.ndarray) -> np.ndarray:
    keep = mask & (codes >= 0) & (codes < n_groups) & ~np.isnan(values)
    key = codes[keep]
    return _means(np.bincount(key, weights=values[keep], minlength=n_groups), np.bincount(key, minlength=n_groups))


def indicator_gaps(
    matrix: StickinessMatrix, codes: np.ndarray, labels: Sequence[str], active: np.ndarray
) -> pd.DataFrame:
    """Return each group's mean 0–1 indicator score minus the bank's, among active customers.

    Examples
    --------
    >>> m = StickinessMatrix(np.array([[0.0], [1.0], [1.0]]), ("products_held",), {}, np.ones(3, bool))
    >>> indicator_gaps(m, np.array([0, 1, 1]), ["a", "b"], np.ones(3, bool)).round(3).to_dict("list")
    {'code': [0, 1], 'segment': ['a', 'b'], 'products_held': [-0.667, 0.333]}
    """
    codes = np.asarray(codes)
    n_groups = len(labels)
    frame = pd.DataFrame({"code": np.arange(n_groups, dtype=np.int64), "segment": list(labels)})
    active = np.asarray(active, dtype=bool)
    grouped = active & (codes >= 0) & (codes < n_groups)
    rows, key = np.flatnonzero(grouped), codes[grouped].astype(np.int64)
    # Every indicator's group sums in one pass over the matrix's rows: a sparse one-hot of the groups
    # times the matrix adds each group's rows in row order, the same additions as a ``bincount`` per
    # indicator (which read each column of the row-major matrix with a stride: 1.9 s at 5M customers).
    member = sparse.csr_matrix((np.ones(len(rows)), (key, rows)), shape=(n_groups, len(codes)))
    sums = np.asarray(member @ matrix.matrix) if len(matrix.indicators) else np.zeros((n_groups, 0))
    counts = np.bincount(key, minlength=n_groups)
    bank = active_means(matrix, active)
    for position, name in enumerate(matrix.indicators):
        if np.isnan(sums[:, position]).any():  # a missing value in a hand-built matrix: skipped, as means skip it
            column = matrix.matrix[:, position]
            frame[name] = _group_means(column, codes, n_groups, grouped) - bank[position]
            continue
        frame[name] = _means(sums[:, position], counts) - bank[position]
    return frame


def band_summary(probabilities: np.ndarray, bands: np.ndarray, aum: np.ndarray) -> pd.DataFrame:
    """Return scored customers, AUM and expected AUM loss (Σ probability × AUM) per risk band.

    Examples
    --------
    >>> band_summary(np.array([0.05, 0.5, 0.3, np.nan]), np.array([0, 2, 2, -1]), np.array([10.0, 100, 50, 7]))
         band  customers    aum  expected_aum_loss
    0     low          1   10.0                0.5
    1  medium          0    0.0                0.0
    2    high          2  150.0               65.0
    """
    rows = []
    for code, band in enumerate(RISK_BANDS):
        member = bands == code
        rows.append(
            (band, int(member.sum()), float(aum[member].sum()), float((probabilities[member] * aum[member]).sum()))
        )
    return pd.DataFrame(rows, columns=list(BAND_COLUMNS))


def unscored_risk(prepared: PreparedDataset, definition: ChurnDefinition | None = None) -> ChurnRisk:
    """Return a churn risk with no model (no customer scored): a view built on it shows no risk figures.

    For callers that show stickiness and value without training a model.
    """
    definition = definition or ChurnDefinition()
    unscored = np.full(len(prepared.customers), np.nan)
    return ChurnRisk(
        definition,
        churn_labels(prepared, definition),
        FittedModel(False, Message("churn_reason_not_scored")),
        unscored,
        pd.DataFrame(),
    )


def _empty_risk(labels: Sequence[str]) -> pd.DataFrame:
    empty = np.zeros(0)
    return risk_by_group(empty, empty.astype(np.int8), empty, empty.astype(np.int64), labels)


def loyalty_view(
    prepared: PreparedDataset,
    codes: np.ndarray,
    labels: Sequence[str],
    settings: LoyaltySettings,
    risk: ChurnRisk | None = None,
    matrix: StickinessMatrix | None = None,
    values: pd.DataFrame | None = None,
) -> LoyaltyView:
    """Return the Loyalty view of a dataset for one grouping and the scenario's loyalty settings.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    codes : numpy.ndarray
        Group code per customer row (``-1`` unassigned).
    labels : sequence of str
        Group labels in code order, language-free.
    settings : LoyaltySettings
    risk, matrix, values : optional
        ``churn_risk_model(prepared, settings.churn)``, ``stickiness_matrix(prepared,
        settings.stickiness)`` and ``customer_value`` of the risk's probabilities under
        ``settings.clv`` when the caller has them cached (they do not depend on the grouping).

    Returns
    -------
    LoyaltyView
    """
    labels = tuple(labels)
    codes = np.asarray(codes).astype(np.int64)
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    aum = np.nan_to_num(c["aum"].to_numpy(dtype=float, na_value=np.nan))
    risk = risk if risk is not None else churn_risk_model(prepared, settings.churn, settings.model)
    matrix = matrix if matrix is not None else stickiness_matrix(prepared, settings.stickiness)
    scores = stickiness_scores(matrix, settings.stickiness)
    primacy = primacy_flags(prepared, settings.primacy)
    if primacy_missing(prepared, settings.primacy) is not None:  # not measured: NaN shares, never 0%
        primacy = np.full(len(c), np.nan)
    usable = risk.usable
    probabilities = risk.probabilities if usable else np.full(len(c), np.nan)
    if values is None:
        values = customer_value(prepared, probabilities if usable else None, config=settings.clv)
    bands = risk_bands(probabilities, settings.model)
    by_group = stickiness_by_segment(scores, primacy, codes, labels)
    counts = np.bincount(codes[active & (codes >= 0) & (codes < len(labels))], minlength=len(labels))
    hidden = tuple(label for label, hide in zip(labels, suppressed_groups(counts, settings.min_group_customers),
                                                strict=True) if hide)  # fmt: skip
    evaluation = risk.fitted.evaluation if usable else None
    retention = None
    if usable:
        scenario = settings.retention
        scenario = replace(scenario, segments=tuple(code for code in scenario.segments if 0 <= code < len(labels)))
        retention = retention_what_if(
            probabilities, bands, values, codes, labels, scenario, evaluation.calibration_error
        )
    branch_codes, branch_labels = group_codes(prepared, "branch")
    return LoyaltyView(
        settings=settings,
        labels=labels,
        churn_rate=churn_rate(c),
        model_usable=usable,
        evaluation=evaluation,
        model_kind=risk.fitted.model_kind,
        base_rate=risk.labels.rate,
        stickiness=by_group,
        weights=stickiness_weights(matrix, settings.stickiness),
        indicator_gaps=indicator_gaps(matrix, codes, labels, active),
        mean_stickiness=float(np.nanmean(scores[active])) if active.any() and matrix.indicators else math.nan,
        primacy_share=float(primacy[active].mean()) if active.any() else math.nan,
        bands=band_summary(probabilities, bands, aum),
        risk=risk_by_group(probabilities, bands, aum, codes, labels) if usable else _empty_risk(labels),
        risk_by_branch=(
            risk_by_group(probabilities, bands, aum, branch_codes, branch_labels) if usable else _empty_risk(())
        ),
        clv=clv_by_segment(values, codes, labels, active),
        quadrants=quadrant_sample(values),
        retention=retention,
        hidden=hidden,
        customer_bands=bands,
        values=values,
    )


def shown(frame: pd.DataFrame, hidden: Sequence[str], column: str = "segment") -> pd.DataFrame:
    """``frame`` without the rows of groups too small to show (rows not naming a group stay).

    Examples
    --------
    >>> shown(pd.DataFrame({"segment": ["a", "b", "total"]}), ("b",))["segment"].tolist()
    ['a', 'total']
    """
    return frame[~frame[column].isin(tuple(hidden))].reset_index(drop=True)
