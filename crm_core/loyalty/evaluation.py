"""Held-out evaluation of a probability model: discrimination, calibration, lift and drivers.

Everything here takes true labels and predicted probabilities (plus, for drivers, the
fitted model and held-out rows); nothing refits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from crm_core.messages import Message, Term

NAMED_FEATURES: tuple[str, ...] = (
    "aum",
    "products_held",
    "digital_active",
    "counter_txn_12m",
    "atm_txn_12m",
    "mobile_txn_12m",
    "online_txn_12m",
    "phone_txn_12m",
    "tenure_months",
    "age",
    "is_payroll",
    "risk_level",
    "annual_income",
    "gender",
    "branch",
    "city",
)
"""Churn model features the catalog names (``feature_<name>``); others show their column name."""

MONEY_FEATURES = frozenset({"aum", "annual_income"})
"""Features whose values are amounts of money (shown in the reader's money units)."""


def feature_name(name: str) -> Term | str:
    """Return a feature's name for a ``Message``: its catalog term, or the column name when unknown.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> render(Message("reason_level", feature=feature_name("products_held"), level="1"), "zh")
    '持有产品数：1'
    >>> feature_name("balance")
    'balance'
    """
    return Term(f"feature_{name}") if name in NAMED_FEATURES else name


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Held-out scores of a probability model.

    Attributes
    ----------
    rows, positives : int
        Held-out rows and churners among them.
    roc_auc, pr_auc, brier, calibration_error : float
        ROC AUC, average precision, Brier score and expected calibration error (ECE).
    base_rate : float
        Churn rate of the held-out rows.
    calibration : pandas.DataFrame
        ``bin``, ``rows``, ``mean_predicted``, ``observed_rate`` (10 equal-count bins).
    lift : pandas.DataFrame
        ``decile`` (1 = riskiest 10%), ``rows``, ``churners``, ``churn_rate``, ``lift``,
        ``cumulative_capture`` (share of all churners found down to that decile).
    """

    rows: int
    positives: int
    roc_auc: float
    pr_auc: float
    brier: float
    calibration_error: float
    base_rate: float
    calibration: pd.DataFrame
    lift: pd.DataFrame

    @property
    def top_decile_lift(self) -> float:
        """Churn rate of the riskiest tenth over the overall rate."""
        return float(self.lift["lift"].iloc[0]) if len(self.lift) else float("nan")

    def summary(self) -> dict[str, float]:
        """The headline numbers as a plain dict (for JSON output)."""
        return {
            "rows": self.rows,
            "positives": self.positives,
            "roc_auc": self.roc_auc,
            "pr_auc": self.pr_auc,
            "brier": self.brier,
            "calibration_error": self.calibration_error,
            "base_rate": self.base_rate,
            "top_decile_lift": self.top_decile_lift,
        }


def _equal_count_bins(probabilities: np.ndarray, bins: int) -> np.ndarray:
    """Bin index 0..bins-1 of each row after sorting by probability (ties broken by position)."""
    order = np.argsort(probabilities, kind="stable")
    index = np.empty(len(order), dtype=np.int64)
    index[order] = np.arange(len(order)) * bins // max(len(order), 1)
    return index


def calibration_table(outcome: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Return predicted versus observed churn in equal-count probability bins.

    Examples
    --------
    >>> calibration_table(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]), bins=2)
       bin  rows  mean_predicted  observed_rate
    0    1     2            0.15            0.0
    1    2     2            0.80            1.0
    """
    outcome = np.asarray(outcome, dtype=float)
    index = _equal_count_bins(probabilities, bins)
    rows = np.bincount(index, minlength=bins)
    keep = rows > 0
    predicted = np.bincount(index, weights=probabilities, minlength=bins)[keep] / rows[keep]
    observed = np.bincount(index, weights=outcome, minlength=bins)[keep] / rows[keep]
    return pd.DataFrame(
        {
            "bin": np.arange(1, bins + 1)[keep],
            "rows": rows[keep].astype(np.int64),
            "mean_predicted": predicted,
            "observed_rate": observed,
        }
    )


def expected_calibration_error(outcome: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    """Return the row-weighted mean gap between predicted and observed rates over equal-count bins.

    Examples
    --------
    >>> round(expected_calibration_error(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]), bins=2), 3)
    0.175
    """
    table = calibration_table(outcome, probabilities, bins)
    gaps = (table["mean_predicted"] - table["observed_rate"]).abs()
    return float((gaps * table["rows"]).sum() / table["rows"].sum())


def lift_table(outcome: np.ndarray, probabilities: np.ndarray, groups: int = 10) -> pd.DataFrame:
    """Return churn rate and lift by risk decile (decile 1 = highest predicted risk).

    Examples
    --------
    >>> lift_table(np.array([1, 0, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3]), groups=2)[["decile", "lift"]]
       decile  lift
    0       1   2.0
    1       2   0.0
    """
    outcome = np.asarray(outcome, dtype=float)
    index = groups - 1 - _equal_count_bins(probabilities, groups)
    rows = np.bincount(index, minlength=groups)
    churners = np.bincount(index, weights=outcome, minlength=groups)
    keep = rows > 0
    base = outcome.mean() if len(outcome) else np.nan
    rate = churners[keep] / rows[keep]
    total = churners.sum()
    return pd.DataFrame(
        {
            "decile": np.arange(1, groups + 1)[keep],
            "rows": rows[keep].astype(np.int64),
            "churners": churners[keep].astype(np.int64),
            "churn_rate": rate,
            "lift": rate / base if base > 0 else np.nan,
            "cumulative_capture": np.cumsum(churners[keep]) / total if total > 0 else np.nan,
        }
    )


def held_out_evaluation(outcome: np.ndarray, probabilities: np.ndarray) -> Evaluation:
    """Return ROC AUC, PR AUC, Brier score, calibration error and the tables on held-out rows."""
    outcome = np.asarray(outcome).astype(int)
    return Evaluation(
        rows=len(outcome),
        positives=int(outcome.sum()),
        roc_auc=float(roc_auc_score(outcome, probabilities)),
        pr_auc=float(average_precision_score(outcome, probabilities)),
        brier=float(brier_score_loss(outcome, probabilities)),
        calibration_error=expected_calibration_error(outcome, probabilities),
        base_rate=float(outcome.mean()),
        calibration=calibration_table(outcome, probabilities),
        lift=lift_table(outcome, probabilities),
    )


def _is_flag(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return False
    return bool(values.dropna().isin([0, 1]).all())


def _direction(values: pd.Series, probabilities: np.ndarray) -> tuple[float, str | None]:
    """Spearman correlation with the predicted risk (numbers), or the riskiest level (categories)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        numbers = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(numbers)
        if known.sum() < 3 or np.ptp(numbers[known]) == 0:
            return 0.0, None
        rho = spearmanr(numbers[known], probabilities[known]).statistic
        return float(np.nan_to_num(rho)), None
    levels = values.astype("string").fillna("(missing)")
    means = pd.Series(probabilities, index=levels.index).groupby(levels.to_numpy(), sort=True).mean()
    return float("nan"), str(means.idxmax())


def driver_message(name: str, direction: float, riskiest: str | None, flag: bool = False) -> Message:
    """Return how a feature moves churn risk, as a message rendered at the edge.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> render(driver_message("products_held", -0.4, None), "en")
    'Products held: the lower, the higher the churn risk.'
    >>> render(driver_message("products_held", -0.4, None), "zh")
    '持有产品数越低，流失风险越高。'
    >>> render(driver_message("branch", float("nan"), "North"), "en")
    'Branch: churn risk is highest for North.'
    >>> render(driver_message("is_payroll", -0.5, None, flag=True), "en")
    'Higher churn risk without: Payroll through the bank.'
    """
    feature = feature_name(name)
    if riskiest is not None:
        return Message("driver_riskiest_level", feature=feature, level=riskiest)
    if abs(direction) < 0.05:
        return Message("driver_no_direction", feature=feature)
    if flag and direction > 0:
        return Message("driver_flag_with", feature=feature)
    if flag:
        return Message("driver_flag_without", feature=feature)
    if direction > 0:
        return Message("driver_higher", feature=feature)
    return Message("driver_lower", feature=feature)


def model_drivers(
    model,
    features: pd.DataFrame,
    outcome: np.ndarray,
    rows: int = 5_000,
    repeats: int = 3,
    random_state: int = 0,
    top: int = 8,
) -> pd.DataFrame:
    """Return the features that drive the model, by permutation importance on held-out rows.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
        Not modified.
    features, outcome : held-out rows and labels
        Subsampled to ``rows`` (fixed seed).
    rows, repeats, random_state : int
        Sample size, permutation repeats and seed.
    top : int
        Features kept, most important first.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``importance`` (drop in ROC AUC when shuffled), ``importance_sd``,
        ``direction`` (Spearman correlation with predicted risk; NaN for categories),
        ``riskiest_level`` (categories), ``message`` (``driver_message``: how it moves the risk).
    """
    rng = np.random.default_rng(random_state)
    outcome = np.asarray(outcome).astype(int)
    if len(features) > rows:
        pick = np.sort(rng.choice(len(features), size=rows, replace=False))
        features, outcome = features.iloc[pick], outcome[pick]
    result = permutation_importance(
        model, features, outcome, scoring="roc_auc", n_repeats=repeats, random_state=random_state
    )
    probabilities = model.predict_proba(features)[:, 1]
    order = np.argsort(-result.importances_mean, kind="stable")[:top]
    records = []
    for i in order:
        name = str(features.columns[i])
        direction, riskiest = _direction(features.iloc[:, i], probabilities)
        flag = _is_flag(features.iloc[:, i])
        records.append(
            {
                "feature": name,
                "importance": float(result.importances_mean[i]),
                "importance_sd": float(result.importances_std[i]),
                "direction": direction,
                "riskiest_level": riskiest,
                "message": driver_message(name, direction, riskiest, flag),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=["feature", "importance", "importance_sd", "direction", "riskiest_level", "message"],
    )
