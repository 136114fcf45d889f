"""The churn risk model: trained once per dataset and churn definition, then only read.

``fitted_churn_model`` splits labelled rows into training and held-out parts, fits a
``ChurnClassifier`` (calibrated gradient boosting, or logistic regression on small data),
and evaluates it honestly on the held-out part. ``churn_risk_model`` does this on the
year-ago snapshot of a prepared dataset (see ``crm_core.loyalty.churn``) and scores today's
active customers. When the data cannot support a model the result says why instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from crm_core.loyalty.churn import ChurnLabels, churn_features, churn_labels
from crm_core.loyalty.config import DEFAULT_CHURN, DEFAULT_MODEL, ChurnDefinition, ModelConfig
from crm_core.loyalty.estimator import ChurnClassifier
from crm_core.loyalty.evaluation import MONEY_FEATURES, Evaluation, feature_name, held_out_evaluation, model_drivers
from crm_core.mapped import hand_back
from crm_core.messages import Count, Message, Money
from crm_core.prepare import PreparedDataset

RISK_BANDS: tuple[str, ...] = ("low", "medium", "high")
"""Risk band names; a band's position is its code (``-1`` = not scored)."""


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A fitted and evaluated churn model, or the reason there is none.

    Attributes
    ----------
    usable : bool
        Whether a model was fitted.
    reason : Message or None
        Why not (a ``crm_core.messages.Message``, rendered at the edge; None when usable).
    model : ChurnClassifier or None
    evaluation : Evaluation or None
        Scores on the held-out rows.
    drivers : pandas.DataFrame or None
        ``model_drivers`` output.
    features : tuple of str
        Columns the model reads.
    rows, positives : int
        Labelled rows and churners available.
    """

    usable: bool
    reason: Message | None
    model: ChurnClassifier | None = None
    evaluation: Evaluation | None = None
    drivers: pd.DataFrame | None = None
    features: tuple[str, ...] = ()
    rows: int = 0
    positives: int = 0

    @property
    def model_kind(self) -> str | None:
        """``gradient_boosting`` or ``logistic_regression`` (None without a model)."""
        return self.model.model_kind_ if self.model is not None else None


def _cannot(reason: Message, rows: int = 0, positives: int = 0, features: tuple[str, ...] = ()) -> FittedModel:
    return FittedModel(False, reason, features=features, rows=rows, positives=positives)


def _stratified_at_most(rows: np.ndarray, outcome: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """``rows`` itself, or ``limit`` of them drawn at random with the outcome's shares kept (sorted).

    Examples
    --------
    >>> picked = _stratified_at_most(np.arange(1000), np.arange(1000) % 10 == 0, 100, 0)
    >>> len(picked), int((picked % 10 == 0).sum())
    (100, 10)
    """
    if len(rows) <= limit:
        return rows
    classes = outcome[rows]
    stratify = classes if np.unique(classes, return_counts=True)[1].min() >= 2 else None  # sklearn needs 2 a class
    picked, _ = train_test_split(rows, train_size=limit, stratify=stratify, random_state=seed)
    return np.sort(picked)


def fitted_churn_model(
    features: pd.DataFrame,
    outcome: np.ndarray,
    config: ModelConfig = DEFAULT_MODEL,
    rows: np.ndarray | None = None,
) -> FittedModel:
    """Return a calibrated churn model fitted on part of the rows and evaluated on the rest.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per labelled customer; numeric and categorical columns. Not modified.
    outcome : numpy.ndarray
        Boolean or 0/1 churn label per row.
    config : ModelConfig
        Split shares, model switch and seeds.
    rows : numpy.ndarray, optional
        Positions of the labelled rows in ``features`` and ``outcome`` (default: every row), so
        millions of customers are never copied just to pick the few hundred thousand learned from.

    Returns
    -------
    FittedModel
        ``usable=False`` with a reason when there are fewer than ``config.min_positives``
        churners or stayers, or no usable feature.
    """
    positions = np.arange(len(features)) if rows is None else np.asarray(rows)
    outcome = np.asarray(outcome)[positions].astype(int)
    rows, positives = len(outcome), int(outcome.sum())
    names = tuple(str(c) for c in features.columns)
    if features.shape[1] == 0:
        return _cannot(Message("churn_reason_no_features"), rows, positives)
    minority = min(positives, rows - positives)
    if minority < config.min_positives:
        if positives <= rows - positives:
            reason = Message("churn_reason_too_few_churners", count=Count(minority), needed=config.min_positives)
        else:
            reason = Message("churn_reason_too_few_stayers", count=Count(minority), needed=config.min_positives)
        return _cannot(reason, rows, positives, names)
    train, test = train_test_split(
        np.arange(rows), test_size=config.test_share, stratify=outcome, random_state=config.random_state
    )
    train = _stratified_at_most(train, outcome, config.max_training_rows, config.random_state)
    test = _stratified_at_most(test, outcome, config.max_evaluation_rows, config.random_state)
    model = ChurnClassifier(
        small_rows=config.small_rows,
        small_positives=config.small_positives,
        calibration_share=config.calibration_share,
        random_state=config.random_state,
    ).fit(features.iloc[positions[train]], outcome[train])
    held_out = features.iloc[positions[test]]
    probabilities = model.predict_proba(held_out)[:, 1]
    if outcome[test].min() == outcome[test].max():
        return _cannot(Message("churn_reason_single_class"), rows, positives, names)
    return evaluated_model(model, held_out, outcome[test], probabilities, config, names, rows, positives)


def evaluated_model(model, held_out, outcome, probabilities, config, names, rows: int, positives: int) -> FittedModel:
    """Return a fitted model with its held-out evaluation and drivers (one recipe for every split)."""
    evaluation = held_out_evaluation(outcome, probabilities)
    drivers = model_drivers(
        model,
        held_out,
        outcome,
        rows=config.importance_rows,
        repeats=config.importance_repeats,
        random_state=config.random_state,
    )
    return FittedModel(True, None, model, evaluation, drivers, names, rows, positives)


@dataclass(frozen=True, eq=False)
class ChurnRisk:
    """Churn risk of a dataset's customers under one definition (the per-dataset result).

    Attributes
    ----------
    definition : ChurnDefinition
    labels : ChurnLabels
    fitted : FittedModel
    probabilities : numpy.ndarray
        12-month churn probability per customer (NaN for customers not scored).
    features_now : pandas.DataFrame
        The scoring features of the model's main drivers (for per-customer reasons).
    """

    definition: ChurnDefinition
    labels: ChurnLabels
    fitted: FittedModel
    probabilities: np.ndarray
    features_now: pd.DataFrame = field(repr=False)

    @property
    def usable(self) -> bool:
        """Whether probabilities exist."""
        return self.fitted.usable


def churn_risk_model(
    prepared: PreparedDataset, definition: ChurnDefinition = DEFAULT_CHURN, config: ModelConfig = DEFAULT_MODEL
) -> ChurnRisk:
    """Return the churn model of a dataset and the risk of today's active customers.

    Trains on the year-ago snapshot of the customers at risk then (``churn_labels``), and
    scores active customers with the same features as of now. Expensive: call once per
    dataset fingerprint, definition and model config, and cache the result.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset. Not modified.
    definition : ChurnDefinition
        Which customers count as churned.
    config : ModelConfig
        Model settings.

    Returns
    -------
    ChurnRisk
    """
    labels = churn_labels(prepared, definition)
    n = len(prepared.customers)
    now = churn_features(prepared, "now", labels.snapshot)
    if labels.reason is not None:
        fitted = _cannot(labels.reason)
        return ChurnRisk(definition, labels, fitted, np.full(n, np.nan), now)
    then = churn_features(prepared, "year_ago", labels.snapshot)
    fitted = fitted_churn_model(then, labels.labels, config, rows=np.flatnonzero(labels.eligible))
    del then
    probabilities = np.full(n, np.nan)
    if fitted.usable:
        scored = np.flatnonzero(labels.scored)
        for start in range(0, len(scored), SCORING_ROWS):  # in chunks: no copy of millions of feature rows
            chunk = scored[start : start + SCORING_ROWS]
            probabilities[chunk] = fitted.model.predict_proba(now.iloc[chunk])[:, 1]
    if fitted.usable and fitted.drivers is not None:
        # Reasons read only the main drivers: keep those columns, not every feature of millions of rows.
        now = now[[f for f in fitted.drivers["feature"].head(REASON_DRIVERS) if f in now.columns]].copy()
    return ChurnRisk(definition, labels, fitted, probabilities, now)


REASON_DRIVERS = 6
"""Main drivers a customer's reasons are chosen from."""

SCORING_ROWS = 250_000
"""Customers scored per call of the model: bounds the memory of scoring millions."""


def risk_bands(probabilities: np.ndarray, config: ModelConfig = DEFAULT_MODEL) -> np.ndarray:
    """Return risk band codes (0 low, 1 medium, 2 high; -1 not scored) from probability cut-offs.

    Examples
    --------
    >>> risk_bands(np.array([0.05, 0.15, 0.5, np.nan])).tolist()
    [0, 1, 2, -1]
    """
    codes = np.where(probabilities >= config.high_risk, 2, np.where(probabilities >= config.medium_risk, 1, 0))
    return np.where(np.isnan(probabilities), -1, codes).astype(np.int8)


def _amount(name: str, value: float) -> Count | Money:
    return Money(float(value)) if name in MONEY_FEATURES else Count(float(value))


def customer_reasons(risk: ChurnRisk, rows: np.ndarray, top: int = 2) -> list[tuple[Message, ...]]:
    """Return, for each customer position in ``rows``, the top reasons their risk is high.

    A reason is one of the model's main drivers on which the customer deviates from the
    bank's typical active customer in the risky direction, e.g. "Products held 1 (bank
    median 3)". The deviation is measured in interquartile ranges among active customers.

    Parameters
    ----------
    risk : ChurnRisk
        A usable churn risk result.
    rows : numpy.ndarray
        Customer positions.
    top : int
        Reasons per customer.

    Returns
    -------
    list of tuple of Message
        Up to ``top`` reasons per customer (``reason_level``, ``reason_flag_yes``,
        ``reason_flag_no``, ``reason_value``), strongest first; empty when none stands out.
    """
    if not risk.usable or risk.fitted.drivers is None:
        return [()] * len(rows)
    features = risk.features_now
    candidates = []  # (per-row score, row position -> Message)
    for _, driver in risk.fitted.drivers.head(REASON_DRIVERS).iterrows():
        name = driver["feature"]
        column = features[name].iloc[rows]
        feature = feature_name(name)
        if isinstance(driver["riskiest_level"], str):
            level = driver["riskiest_level"]
            match = column.astype("string").fillna("(missing)").to_numpy() == level
            said = Message("reason_level", feature=feature, level=level)
            candidates.append((match * 1.0 * driver["importance"], lambda i, said=said: said))
            continue
        direction = driver["direction"]
        if not np.isfinite(direction) or abs(direction) < 0.05:
            continue
        values = column.to_numpy(dtype=float, na_value=np.nan)  # nullable or numpy columns, no Float64 copy
        if set(np.unique(values[~np.isnan(values)])) <= {0.0, 1.0}:
            risky = values == (1.0 if direction > 0 else 0.0)
            if direction > 0:
                said = Message("reason_flag_yes", feature=feature)
            else:
                said = Message("reason_flag_no", feature=feature)
            candidates.append((risky * 1.0 * driver["importance"], lambda i, said=said: said))
            continue
        whole = features[name].to_numpy(dtype=float, na_value=np.nan)
        known = whole[risk.labels.scored]
        hand_back(whole)  # a stored model's column (memory-mapped): its pages go back once it is read
        known = known[~np.isnan(known)]
        if len(known) == 0:
            continue
        q1, median, q3 = np.quantile(known, [0.25, 0.5, 0.75])
        spread = q3 - q1 if q3 > q1 else max(abs(median), 1.0)
        deviation = np.nan_to_num(np.sign(direction) * (values - median) / spread) * driver["importance"]

        def said(i, name=name, feature=feature, values=values, median=median):
            value, typical = _amount(name, values[i]), _amount(name, median)
            return Message("reason_value", feature=feature, value=value, median=typical)

        candidates.append((deviation, said))
    if not candidates:
        return [()] * len(rows)
    scores = np.column_stack([c[0] for c in candidates])
    reasons = []
    for i in range(len(rows)):
        order = [j for j in np.argsort(-scores[i], kind="stable")[:top] if scores[i, j] > 0]
        reasons.append(tuple(candidates[j][1](i) for j in order))
    return reasons
