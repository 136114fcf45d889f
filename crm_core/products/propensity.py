"""Next-best product: one propensity model per product, the suitability guardrail, reasons in words.

Two designs, chosen by what the data allow (``propensity_design``):

- ``acquisition_out_of_time`` (holdings carry open dates): per product, the customers on the
  books a year ago who did not hold it then and are still active, described by what was known
  a year ago (AUM, deposits, transactions, digital use and products then; age and tenure then;
  risk level and income), labelled by whether they opened it in the last twelve months. Today's
  customers are scored with the same features as of now: the propensity is the chance of
  opening the product within a year.
- ``holding_look_alike`` (no open dates): today's holders against today's non-holders on today's
  features. It ranks "looks like a holder", not who will buy; the result says so.

Either way an automatic leak screen (``leaking_features``) drops, per product, every feature
that alone separates the label (ROC AUC above ``LEAK_AUC``) or that, alone or as the sum or
difference of two money columns, reconstructs the product's balance (``aum - deposit_balance``
is the investment balance); the dropped features are reported in ``PropensityModels.leaks_``.
A model below ``MIN_AUC`` on its held-out rows, or whose AUC interval reaches 0.5, is flagged
(``quality_["usable"]``) and kept out of the next-best recommendation.

Per dataset (cache it): ``propensity_features`` then ``propensity_models`` and
``PropensityModels.predict_proba``. Per control (cheap): ``next_best_products`` ranks the cached
propensities by expected value (sizing conversion × relative propensity × annual value) and
applies the guardrail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from crm_core.contract import CHANNELS, product_flag_column
from crm_core.mapped import hand_back
from crm_core.messages import Message, Term
from crm_core.prepare import AsOfBoundaries, PreparedDataset, customer_positions
from crm_core.products.config import (
    ALWAYS_EXCLUDED,
    DEFAULT_MODEL,
    DEFAULT_SIZING,
    DEFAULT_SUITABILITY,
    DERIVED_FROM_PRODUCT,
    ModelConfig,
    SizingConfig,
    SuitabilityConfig,
    product_term,
)

DESIGNS: tuple[str, ...] = ("acquisition_out_of_time", "holding_look_alike")
"""What a propensity means: the chance of opening within a year, or of looking like a holder today."""

MIN_AUC = 0.6
"""Held-out ROC AUC below which a product's model is flagged and left out of next-best."""

LEAK_AUC = 0.95
"""A feature separating a product's label this well on its own is a leak, not a signal."""

RECONSTRUCTION_CORRELATION = 0.99
"""A feature (or sum or difference of two money features) this correlated with a product's balance rebuilds it."""

SCREEN_ROWS = 5_000
"""Training rows the leak screen looks at per product (a fixed-seed sample beyond that)."""

STATE_COLUMNS: tuple[str, ...] = (
    "is_active",
    "churned",
    "alive_12m_ago",
    "alive_24m_ago",
    "closed_last_12m",
    "closed_prev_12m",
)
"""Customer-state flags, constant among the active customers the models learn from."""

SHIFTED_FEATURES: tuple[tuple[str, str, str], ...] = (
    ("aum", "aum_12m_ago", "aum"),
    ("deposit_balance", "deposit_balance_12m_ago", "deposit_balance"),
    ("digital_active", "digital_active_12m_ago", "digital_active"),
    *((f"{channel}_txn_12m", f"{channel}_txn_prev_12m", f"{channel}_txn_12m") for channel in CHANNELS),
)
"""``(feature, column a year ago, column now)`` of the acquisition design: used when both exist."""

AGED_FEATURES: tuple[tuple[str, float], ...] = (("tenure_months", 12.0), ("age", 1.0))
"""Features a year younger in the year-ago snapshot: ``(column, amount subtracted)``."""

STATIC_FEATURES: tuple[str, ...] = ("risk_level", "annual_income")
"""Features assumed unchanged over the year."""

NAMED_LEAD_FEATURES: frozenset[str] = frozenset(
    (
        "aum",
        "aum_avg_3m",
        "aum_avg_12m",
        "aum_12m_ago",
        "aum_trend",
        "age",
        "tenure_months",
        "deposit_balance",
        "investment_balance",
        "loan_balance",
        "annual_income",
        "risk_level",
        "satisfaction",
        "complaints_12m",
        "is_payroll",
        "mobile_active",
        "digital_active",
        "digital_active_12m_ago",
        "digital_share_12m",
        "counter_trend",
        "months_since_active",
        "counter_txn_12m",
        "atm_txn_12m",
        "mobile_txn_12m",
        "online_txn_12m",
        "phone_txn_12m",
    )
)
"""Features with a name of their own in the catalogs (``leadfeature_<feature>``)."""
"""(English, Chinese) names of features used in reasons; others show their column name."""

QUALITY_COLUMNS: tuple[str, ...] = (
    "product",
    "design",
    "learning_customers",
    "test_customers",
    "positives",
    "base_rate",
    "auc",
    "auc_low",
    "auc_high",
    "top_decile_rate",
    "top_decile_lift",
    "usable",
)
"""Columns of ``PropensityModels.quality_``."""

LEAK_COLUMNS: tuple[str, ...] = ("product", "feature", "reason", "value")
"""Columns of ``PropensityModels.leaks_``; ``reason`` is ``separates_label`` (value: its AUC alone) or
``reconstructs_balance`` (value: the correlation)."""

_LOG_MARKERS = ("aum", "balance", "income", "_txn_")


def _logged(column: str) -> bool:
    return any(marker in column for marker in _LOG_MARKERS) and column != "aum_trend"


def _money(column: str) -> bool:
    return _logged(column) and "_txn_" not in column


def _scaled(column: str, values: np.ndarray) -> np.ndarray:
    """Float32 feature values: finite or NaN, money and counts ``log1p``-scaled."""
    values = np.where(np.isfinite(values), values, np.nan)  # an infinite balance is missing, not a feature
    if _logged(column):
        values = np.sign(values) * np.log1p(np.abs(values))
    return values.astype(np.float32)


def _numbers(series: pd.Series) -> np.ndarray:
    return series.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass(frozen=True, eq=False)
class ProductOpenings:
    """Who held each product a year ago and who opened it since, from the holdings' open dates.

    Attributes
    ----------
    products : tuple of str
        ``prepared.products`` (column order).
    held_year_ago : numpy.ndarray
        (customers × products) ``bool``: a holding opened before the start of the month a year
        before the reference month.
    opened_last_year : numpy.ndarray
        (customers × products) ``bool``: a holding opened since then.
    undated : numpy.ndarray
        (customers × products) ``bool``: holds the product with no dated holding (an open date
        missing, or a ``has_<product>`` flag without a holdings row): left out of that product's model.
    """

    products: tuple[str, ...]
    held_year_ago: np.ndarray
    opened_last_year: np.ndarray
    undated: np.ndarray


def product_openings(prepared: PreparedDataset) -> ProductOpenings | None:
    """Return the year-ago holdings and the last year's openings, or None without dated holdings.

    The cut-off is the one ``crm_core.prepare`` uses for ``products_held_12m_ago``: the first
    day of the month eleven months before the reference month.
    """
    holdings = prepared.dataset.holdings
    if holdings is None or not len(holdings) or "open_date" not in holdings.columns:
        return None
    if not holdings["open_date"].notna().any():
        return None
    customers = prepared.customers
    products = tuple(prepared.products)
    position = customer_positions(customers["customer_id"], holdings["customer_id"])
    code = pd.Index(products).get_indexer(holdings["product"].astype("string").fillna("").to_numpy(dtype=object))
    known = (position >= 0) & (code >= 0)
    position, code = position[known], code[known]
    dates = pd.to_datetime(holdings["open_date"]).to_numpy()[known]
    cutoff = np.datetime64(AsOfBoundaries(prepared.as_of).holding_cutoff)
    dated = ~np.isnat(dates)
    before = dated & (dates < cutoff)
    after = dated & ~before
    shape = (len(customers), len(products))
    held_then, opened = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    held_then[position[before], code[before]] = True
    opened[position[after], code[after]] = True
    held_now = np.column_stack([customers[product_flag_column(p)].to_numpy(dtype=bool) for p in products])
    undated = held_now & ~held_then & ~opened
    return ProductOpenings(products, held_then, opened & ~held_then, undated)


def _design(prepared: PreparedDataset) -> tuple[str, ProductOpenings | None]:
    openings = product_openings(prepared)
    if openings is None or not openings.opened_last_year.any() or "alive_12m_ago" not in prepared.customers:
        return "holding_look_alike", None
    return "acquisition_out_of_time", openings


def propensity_design(prepared: PreparedDataset) -> str:
    """Return ``acquisition_out_of_time`` when holdings carry open dates with openings in the last year.

    Otherwise ``holding_look_alike``: the models then learn today's holders from today's features.
    """
    return _design(prepared)[0]


def _look_alike_features(prepared: PreparedDataset) -> pd.DataFrame:
    customers = prepared.customers
    columns = {}
    for column in customers.columns:
        dtype = customers[column].dtype
        if column in STATE_COLUMNS or column in ALWAYS_EXCLUDED:
            continue
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            continue
        columns[column] = _scaled(column, _numbers(customers[column]))
    return pd.DataFrame(columns, index=pd.RangeIndex(len(customers)))


def _acquisition_features(prepared: PreparedDataset, moment: str, openings: ProductOpenings) -> pd.DataFrame:
    customers = prepared.customers
    then = moment == "year_ago"
    columns = {}
    for name, before, current in SHIFTED_FEATURES:
        if prepared.has(before) and prepared.has(current):
            columns[name] = _scaled(name, _numbers(customers[before if then else current]))
    for name, shift in AGED_FEATURES:
        if prepared.has(name):
            values = _numbers(customers[name])
            columns[name] = _scaled(name, np.maximum(values - shift, 0.0) if then else values)
    for name in STATIC_FEATURES:
        if prepared.has(name):
            columns[name] = _scaled(name, _numbers(customers[name]))
    for j, product in enumerate(openings.products):
        flag = product_flag_column(product)
        held = openings.held_year_ago[:, j] if then else customers[flag].to_numpy(dtype=bool)
        # A holding without a date: whether it was held a year ago is unknown (imputed), not "no".
        columns[flag] = np.where(openings.undated[:, j] & then, np.nan, held).astype(np.float32)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(customers)))


def propensity_features(prepared: PreparedDataset, moment: str = "now") -> pd.DataFrame:
    """Return the numeric feature frame of every customer as of ``moment`` (per dataset).

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    moment : {"now", "year_ago"}
        ``now`` scores (and explains) today's customers; ``year_ago`` is what the acquisition
        models learn from (the same columns).

    Returns
    -------
    pandas.DataFrame
        ``float32``, one row per customer row, positional index. Under ``acquisition_out_of_time``:
        the ``SHIFTED_FEATURES``, ``AGED_FEATURES`` and ``STATIC_FEATURES`` present and one
        ``has_<product>`` flag per product (as of ``moment``). Under ``holding_look_alike``: the
        numbers and flags of ``prepared.customers`` except identifiers, dates, text, customer-state
        flags and ``ALWAYS_EXCLUDED`` (``moment`` must be ``now``). Balances, AUM, income and
        transaction counts are ``log1p``-scaled; missing values stay NaN (the models impute medians).
    """
    if moment not in ("now", "year_ago"):
        raise ValueError("moment must be 'now' or 'year_ago'")
    design, openings = _design(prepared)
    if design == "acquisition_out_of_time":
        return _acquisition_features(prepared, moment, openings)
    if moment == "year_ago":
        raise ValueError("year-ago features need holdings with open dates")
    return _look_alike_features(prepared)


def product_balances(prepared: PreparedDataset) -> pd.DataFrame:
    """Return each customer's balance in each product (NaN where unknown), for the leak screen.

    From the holdings table's ``balance`` column when it has one (summed per customer and
    product); for products without it, the first of ``DERIVED_FROM_PRODUCT``'s balance columns.

    Returns
    -------
    pandas.DataFrame
        (customers × ``prepared.products``) ``float64``, positional index.
    """
    customers = prepared.customers
    products = tuple(prepared.products)
    balances = np.full((len(customers), len(products)), np.nan)
    holdings = prepared.dataset.holdings
    if holdings is not None and len(holdings) and "balance" in holdings.columns:
        position = customer_positions(customers["customer_id"], holdings["customer_id"])
        code = pd.Index(products).get_indexer(holdings["product"].astype("string").fillna("").to_numpy(dtype=object))
        values = _numbers(holdings["balance"])
        known = (position >= 0) & (code >= 0) & np.isfinite(values)
        flat = np.bincount(
            position[known] * len(products) + code[known], weights=values[known], minlength=balances.size
        ).reshape(balances.shape)
        with_balance = np.bincount(code[known], minlength=len(products)) > 0
        balances[:, with_balance] = flat[:, with_balance]
    derived = dict(DERIVED_FROM_PRODUCT)
    for j, product in enumerate(products):
        if np.isnan(balances[:, j]).all():
            column = next((c for c in derived.get(product, ()) if _money(c) and c in customers.columns), None)
            if column is not None:
                balances[:, j] = _numbers(customers[column])
    return pd.DataFrame(balances, columns=list(products))


def _separation(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """ROC AUC of each column alone, folded above 0.5 (rank formula, ties averaged)."""
    positives = labels.sum()
    negatives = len(labels) - positives
    ranks = np.empty(values.shape)
    for i in range(values.shape[1]):  # average ranks: tied values (flags) share the mean of their positions
        order = np.argsort(values[:, i], kind="stable")
        ordered = values[order, i]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        ranks[order, i] = np.repeat((starts + ends + 1) / 2, ends - starts)
    auc = (ranks[labels].sum(axis=0) - positives * (positives + 1) / 2) / (positives * negatives)
    return np.maximum(auc, 1 - auc)


def _correlation(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column with ``target`` (0 for a constant column)."""
    centred = values - values.mean(axis=0)
    goal = target - target.mean()
    spread = np.sqrt((centred**2).sum(axis=0) * (goal**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, centred.T @ goal / spread, 0.0)


def _raw(name: str, values: np.ndarray) -> np.ndarray:
    """Undo ``_scaled``'s ``log1p`` on a money or count column."""
    return np.sign(values) * np.expm1(np.abs(values)) if _logged(name) else values


def leaking_features(
    features: pd.DataFrame,
    labels: np.ndarray,
    balances: np.ndarray | None = None,
    leak_auc: float = LEAK_AUC,
    reconstruction_correlation: float = RECONSTRUCTION_CORRELATION,
) -> pd.DataFrame:
    """Return the features that leak one product's label, and why.

    A feature leaks when, on its own (missing values at the median), it separates the label
    with a ROC AUC above ``leak_auc``; or when it, or the sum or difference of two money
    features (AUM, balances, income, raw values), correlates with one of the product's
    ``balances`` above ``reconstruction_correlation``. Of a pair, the member less correlated
    with that balance on its own is dropped; pairs are checked again until none rebuilds it.

    Parameters
    ----------
    features : pandas.DataFrame
        ``propensity_features`` rows the product's model learns from.
    labels : numpy.ndarray
        ``bool`` label per row.
    balances : numpy.ndarray, optional
        (rows × k) the product's balance and columns derived from it (NaN where unknown); a
        column with fewer than three known values or no spread is skipped.
    leak_auc, reconstruction_correlation : float

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``reason`` (``separates_label`` or ``reconstructs_balance``), ``value``
        (the AUC alone, or the correlation).

    Examples
    --------
    >>> X = pd.DataFrame({"aum": np.log1p([9.0, 5, 9, 3]), "deposit_balance": np.log1p([8.0, 5, 4, 3]),
    ...                   "age": [30.0, 40, 50, 60]})
    >>> leaking_features(X, np.array([True, False, False, True]), np.array([[1.0], [0], [5], [0]]))
               feature                reason  value
    0  deposit_balance  reconstructs_balance    1.0
    """
    labels = np.asarray(labels, dtype=bool)
    values = features.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(all="ignore"):
        medians = np.nan_to_num(np.nanmedian(values, axis=0)) if len(values) else np.zeros(values.shape[1])
    values = np.where(np.isnan(values), medians, values)
    names = list(map(str, features.columns))
    rows = []
    if 0 < labels.sum() < len(labels):
        for name, auc in zip(names, _separation(values, labels), strict=True):
            if auc > leak_auc:
                rows.append((name, "separates_label", float(auc)))
    dropped = {name for name, _, _ in rows}
    targets = np.empty((len(values), 0)) if balances is None else np.asarray(balances, dtype=np.float64)
    if targets.ndim == 1:  # one balance column given as a vector (no rows: an empty one)
        targets = targets[:, None]
    for target in targets.T:
        known = np.isfinite(target)
        if known.sum() < 3 or np.ptp(target[known]) == 0:
            continue
        target = target[known]
        raw = {name: _raw(name, values[known, i]) for i, name in enumerate(names)}
        correlations = np.abs(_correlation(np.column_stack(list(raw.values())), target))
        alone = dict(zip(names, correlations, strict=True))
        for name in names:
            if name not in dropped and alone[name] > reconstruction_correlation:
                rows.append((name, "reconstructs_balance", float(alone[name])))
                dropped.add(name)
        while True:
            money = [name for name in names if _money(name) and name not in dropped]
            pairs = [(a, b, sign) for i, a in enumerate(money) for b in money[i + 1 :] for sign in (1.0, -1.0)]
            if not pairs:
                break
            combined = np.column_stack([raw[a] + sign * raw[b] for a, b, sign in pairs])
            correlation = np.abs(_correlation(combined, target))
            best = int(np.argmax(correlation))
            if correlation[best] <= reconstruction_correlation:
                break
            a, b, _ = pairs[best]
            weaker = b if alone[a] >= alone[b] else a
            rows.append((weaker, "reconstructs_balance", float(correlation[best])))
            dropped.add(weaker)
    return pd.DataFrame(rows, columns=["feature", "reason", "value"])


def excluded_features(product: str, derived_columns: Sequence[tuple[str, Sequence[str]]]) -> tuple[str, ...]:
    """Return the columns left out of ``product``'s model: its flag, counts of all flags, derived balances.

    Examples
    --------
    >>> excluded_features("funds", DERIVED_FROM_PRODUCT)[-2:]
    ('has_funds', 'investment_balance')
    """
    return (*ALWAYS_EXCLUDED, product_flag_column(product), *dict(derived_columns).get(product, ()))


def top_decile_lift(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Return the label rate among the top 10% scores divided by the base rate (the overall label rate).

    Examples
    --------
    >>> top_decile_lift(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10, 0, -1))
    10.0
    """
    y_true = np.asarray(y_true, dtype=float)
    if len(y_true) == 0 or y_true.mean() == 0:
        return float("nan")
    return _top_decile_rate(y_true, scores) / float(y_true.mean())


def auc_interval(auc: float, positives: int, negatives: int) -> tuple[float, float]:
    """Return the 95% interval of a ROC AUC (Hanley and McNeil's standard error), clipped to [0, 1].

    Examples
    --------
    >>> [round(x, 3) for x in auc_interval(0.8, 12, 3000)]
    [0.649, 0.951]
    """
    if not np.isfinite(auc) or positives < 1 or negatives < 1:
        return float("nan"), float("nan")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (
        positives * negatives
    )
    half = 1.96 * np.sqrt(max(variance, 0.0))
    return float(max(auc - half, 0.0)), float(min(auc + half, 1.0))


def _top_decile_rate(y_true: np.ndarray, scores: np.ndarray) -> float:
    top = max(1, int(np.ceil(0.1 * len(y_true))))
    order = np.argsort(-np.asarray(scores), kind="stable")[:top]
    return float(np.asarray(y_true, dtype=float)[order].mean())


class PropensityModels(BaseEstimator):
    """One logistic regression per product, each on its own population, with a leak screen.

    Parameters
    ----------
    test_share : float
        Share of rows held out for ``quality_``.
    max_training_rows : int
        Training rows are sampled down to this many.
    regularisation : float
        ``C`` of every ``LogisticRegression``.
    derived_columns : tuple of (str, tuple of str)
        Per product, columns derived from it and left out of its model.
    solver : str
        ``LogisticRegression`` solver; Newton–Cholesky needs a handful of iterations on the
        strongly correlated balance columns where L-BFGS needs dozens.
    design : {"acquisition_out_of_time", "holding_look_alike"}
        What the labels are (recorded in ``quality_``; see ``DESIGNS``).
    min_auc, leak_auc, reconstruction_correlation : float
        ``MIN_AUC``, ``LEAK_AUC`` and ``RECONSTRUCTION_CORRELATION`` by default.
    random_state : int
        Seed of the split and the sampling.

    Attributes
    ----------
    features_ : tuple of str
        Feature columns of ``X`` seen in ``fit``.
    products_ : tuple of str
        Product codes (columns of ``Y``).
    medians_, means_, scales_ : numpy.ndarray
        Imputation and standardisation of each feature (learned on the training rows).
    coefficients_ : numpy.ndarray
        (features × products) coefficients on standardised features; 0 where a feature is
        left out of a product's model.
    intercepts_ : numpy.ndarray
        One intercept per product.
    quality_ : pandas.DataFrame
        ``QUALITY_COLUMNS`` per product, on its held-out rows: ``positives`` and ``base_rate``
        (label count and rate), ``auc`` with its 95% interval (``auc_interval``),
        ``top_decile_rate`` and ``top_decile_lift`` (that rate over the base rate). ``usable``:
        ``auc >= min_auc`` and the interval above 0.5 (else too few labels to tell it from chance).
    leaks_ : pandas.DataFrame
        ``LEAK_COLUMNS``: the features the leak screen dropped from each product's model.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"signal": rng.normal(size=2000), "noise": rng.normal(size=2000)})
    >>> Y = pd.DataFrame({"card": X["signal"] + rng.normal(scale=0.5, size=2000) > 0})
    >>> models = PropensityModels(random_state=0).fit(X, Y)
    >>> bool(models.quality_.loc[0, "auc"] > 0.9), bool(models.quality_.loc[0, "usable"])
    (True, True)
    """

    def __init__(
        self,
        test_share: float = 0.25,
        max_training_rows: int = 200_000,
        regularisation: float = 1.0,
        derived_columns: tuple[tuple[str, tuple[str, ...]], ...] = DERIVED_FROM_PRODUCT,
        solver: str = "newton-cholesky",
        design: str = "holding_look_alike",
        min_auc: float = MIN_AUC,
        leak_auc: float = LEAK_AUC,
        reconstruction_correlation: float = RECONSTRUCTION_CORRELATION,
        random_state: int = 0,
    ):
        self.test_share = test_share
        self.max_training_rows = max_training_rows
        self.regularisation = regularisation
        self.derived_columns = derived_columns
        self.solver = solver
        self.design = design
        self.min_auc = min_auc
        self.leak_auc = leak_auc
        self.reconstruction_correlation = reconstruction_correlation
        self.random_state = random_state

    def _standardised(self, X: pd.DataFrame) -> np.ndarray:
        values = X.loc[:, list(self.features_)].to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isnan(values), self.medians_, values)
        return (values - self.means_) / self.scales_

    def fit(
        self,
        X: pd.DataFrame,
        Y: pd.DataFrame,
        eligible: np.ndarray | None = None,
        balances: pd.DataFrame | None = None,
    ) -> PropensityModels:
        """Fit one model per column of ``Y`` (bool labels) on the features ``X`` (same rows).

        Parameters
        ----------
        X : pandas.DataFrame
            Features (``propensity_features``), one row per customer.
        Y : pandas.DataFrame
            ``bool`` label per row and product.
        eligible : numpy.ndarray, optional
            (rows × products) ``bool``: the rows each product's model learns from and is
            evaluated on (default: every row).
        balances : pandas.DataFrame, optional
            (rows × products) each product's balance, for the leak screen (``product_balances``).

        Returns
        -------
        PropensityModels
            ``self``.
        """
        if self.design not in DESIGNS:
            raise ValueError(f"design must be one of {', '.join(DESIGNS)}")
        self.features_ = tuple(map(str, X.columns))
        self.products_ = tuple(map(str, Y.columns))
        labels = Y.to_numpy(dtype=bool)
        eligible = np.ones(labels.shape, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(np.flatnonzero(eligible.any(axis=1)))
        n_test = round(self.test_share * len(order))
        test_rows = np.sort(order[:n_test][: self.max_training_rows])
        train_rows = np.sort(order[n_test:][: self.max_training_rows])
        train_raw = X.iloc[train_rows].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(all="ignore"):
            medians = np.nanmedian(train_raw, axis=0) if len(train_raw) else np.zeros(len(self.features_))
        self.medians_ = np.nan_to_num(medians)
        filled = np.where(np.isnan(train_raw), self.medians_, train_raw)
        self.means_ = filled.mean(axis=0) if len(filled) else np.zeros(len(self.features_))
        scales = filled.std(axis=0) if len(filled) else np.ones(len(self.features_))
        self.scales_ = np.where(scales > 0, scales, 1.0)
        train = (filled - self.means_) / self.scales_
        test = self._standardised(X.iloc[test_rows])
        varying = scales > 0
        f, p = len(self.features_), len(self.products_)
        self.coefficients_ = np.zeros((f, p))
        self.intercepts_ = np.zeros(p)
        rows, leaks = [], []
        screen_order = rng.permutation(len(train_rows))  # one sample order: the same rows screen every product
        for j, product in enumerate(self.products_):
            fit_at, test_at = eligible[train_rows, j], eligible[test_rows, j]
            y_train, y_test = labels[train_rows, j][fit_at], labels[test_rows, j][test_at]
            sample = train_rows[screen_order[fit_at[screen_order]][:SCREEN_ROWS]]
            screened = self._screen(X, product, sample, labels[sample, j], balances)
            leaks += [(product, *leak) for leak in screened.itertuples(index=False)]
            excluded = set(excluded_features(product, self.derived_columns)) | set(screened["feature"])
            used = np.array([varying[i] and name not in excluded for i, name in enumerate(self.features_)], dtype=bool)
            if y_train.min(initial=True) != y_train.max(initial=False) and used.any():
                model = LogisticRegression(C=self.regularisation, solver=self.solver, max_iter=500)
                model.fit(train[fit_at][:, used], y_train)
                self.coefficients_[used, j] = model.coef_[0]
                self.intercepts_[j] = model.intercept_[0]
            else:
                rate = np.clip(y_train.mean() if len(y_train) else 0.5, 1e-6, 1 - 1e-6)
                self.intercepts_[j] = np.log(rate / (1 - rate))
            scores = test[test_at] @ self.coefficients_[:, j] + self.intercepts_[j]
            both = len(y_test) and y_test.min() != y_test.max()
            auc = float(roc_auc_score(y_test, scores)) if both else float("nan")
            positives = int(y_test.sum())
            low, high = auc_interval(auc, positives, len(y_test) - positives)
            rows.append(
                {
                    "product": product,
                    "design": self.design,
                    "learning_customers": int(eligible[:, j].sum()),
                    "test_customers": len(y_test),
                    "positives": positives,
                    "base_rate": float(y_test.mean()) if len(y_test) else float("nan"),
                    "auc": auc,
                    "auc_low": low,
                    "auc_high": high,
                    "top_decile_rate": _top_decile_rate(y_test, scores) if both else float("nan"),
                    "top_decile_lift": top_decile_lift(y_test, scores) if both else float("nan"),
                    "usable": bool(auc >= self.min_auc and low > 0.5),
                }
            )
        self.quality_ = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
        self.leaks_ = pd.DataFrame(leaks, columns=list(LEAK_COLUMNS))
        return self

    def _screen(self, X, product, rows, y, balances) -> pd.DataFrame:
        """The leak screen of one product on ``rows`` (a fixed sample of its training rows).

        Its own flag and ``ALWAYS_EXCLUDED`` are never features, so not screened; the columns
        derived from it are targets of the reconstruction check (and reported as excluded).
        """
        excluded = set(excluded_features(product, ()))
        derived = [c for c in dict(self.derived_columns).get(product, ()) if c in self.features_]
        screened = [c for c in self.features_ if c not in excluded and c not in derived]
        targets = [_raw(c, X[c].to_numpy(dtype=np.float64, na_value=np.nan)[rows]) for c in derived if _money(c)]
        if balances is not None and product in balances.columns:
            targets.append(balances[product].to_numpy(dtype=np.float64, na_value=np.nan)[rows])
        found = leaking_features(
            X.iloc[rows][screened],
            y,
            np.column_stack(targets) if targets else None,
            self.leak_auc,
            self.reconstruction_correlation,
        )
        configured = pd.DataFrame({"feature": derived, "reason": "derived_from_product", "value": np.nan})
        return pd.concat([configured, found], ignore_index=True) if derived else found

    def predict_proba(self, X: pd.DataFrame, chunk_rows: int = 250_000) -> np.ndarray:
        """Return the (rows × products) propensities, ``float32``, scored in chunks to bound memory."""
        out = np.empty((len(X), len(self.products_)), dtype=np.float32)
        for start in range(0, len(X), chunk_rows):
            z = self._standardised(X.iloc[start : start + chunk_rows])
            out[start : start + len(z)] = expit(z @ self.coefficients_ + self.intercepts_)
        return out

    def contributions(self, X: pd.DataFrame, product_codes: np.ndarray) -> np.ndarray:
        """Return each row's (rows × features) contributions to the log-odds of its own product.

        Contribution = coefficient × standardised feature value: positive values pushed the
        propensity of ``products_[product_codes[i]]`` up for row ``i``.
        """
        z = self._standardised(X)
        return z * self.coefficients_[:, np.asarray(product_codes)].T


def propensity_models(
    prepared: PreparedDataset, features: pd.DataFrame, config: ModelConfig = DEFAULT_MODEL
) -> PropensityModels:
    """Return propensity models fitted on ``prepared`` under ``propensity_design(prepared)`` (per dataset).

    Parameters
    ----------
    prepared : PreparedDataset
        Its holdings (open dates) or ``has_<product>`` flags give the labels. Not modified.
    features : pandas.DataFrame
        ``propensity_features(prepared)`` (as of now): the look-alike models learn from it; the
        acquisition models learn from ``propensity_features(prepared, "year_ago")``.
    config : ModelConfig

    Returns
    -------
    PropensityModels
        Its ``design``, ``quality_`` and ``leaks_`` say what was learned and what was dropped.
    """
    design, openings = _design(prepared)
    customers = prepared.customers
    active = customers["is_active"].to_numpy(dtype=bool)
    products = tuple(prepared.products)
    models = PropensityModels(
        test_share=config.test_share,
        max_training_rows=config.max_training_rows,
        regularisation=config.regularisation,
        derived_columns=config.derived_columns,
        design=design,
        random_state=config.random_state,
    )
    balances = product_balances(prepared)
    if design == "acquisition_out_of_time":
        alive_then = customers["alive_12m_ago"].to_numpy(dtype=bool) & active
        eligible = alive_then[:, None] & ~openings.held_year_ago & ~openings.undated
        labels = pd.DataFrame(openings.opened_last_year, columns=list(products))
        year_ago = _acquisition_features(prepared, "year_ago", openings)
        return models.fit(year_ago[list(features.columns)], labels, eligible, balances)
    labels = pd.DataFrame({p: customers[product_flag_column(p)].to_numpy(dtype=bool)[active] for p in products})
    return models.fit(features[active].reset_index(drop=True), labels, balances=balances[active].reset_index(drop=True))


def risk_levels_of(prepared: PreparedDataset) -> np.ndarray:
    """Return each customer's risk level as ``float64`` (NaN when missing or absent from the dataset)."""
    if not prepared.has("risk_level"):
        return np.full(len(prepared.customers), np.nan)
    return prepared.customers["risk_level"].astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)


def suitable_products(
    risk_levels: np.ndarray, products: Sequence[str], config: SuitabilityConfig = DEFAULT_SUITABILITY
) -> np.ndarray:
    """Return (customers × products) ``bool``: may the product be offered to the customer?

    A product with a minimum risk level is suitable only for customers at or above it; a
    missing risk level counts as ``config.missing_risk_level`` (the most cautious, 1).

    Examples
    --------
    >>> suitable_products(np.array([1.0, 3.0, np.nan]), ["funds", "credit_card"]).tolist()
    [[False, True], [True, True], [False, True]]
    """
    levels = np.asarray(risk_levels, dtype=np.float64)
    levels = np.where(np.isnan(levels), config.missing_risk_level, levels)
    minimum = np.array([config.level_of(p) for p in products], dtype=np.float64)
    return levels[:, None] >= minimum[None, :]


NEXT_BEST_ROWS = 65_536
"""Customers ``next_best_products`` scores at a time (its temporaries stay a few MB at any size)."""


@dataclass(frozen=True, eq=False)
class NextBest:
    """The recommended product per customer (from ``next_best_products``).

    Attributes
    ----------
    products : tuple of str
        Product codes; ``product_codes`` index into it.
    product_codes : numpy.ndarray
        ``int16`` per customer, ``-1`` when nothing may be recommended.
    propensity : numpy.ndarray
        The model's propensity of the recommended product (NaN when none).
    conversion : numpy.ndarray
        Expected chance the customer takes the recommended product when offered it: the
        sizing's conversion rate × the customer's propensity over the average propensity of
        that product's candidates, at most 1 (NaN when none).
    expected_value : numpy.ndarray
        Conversion × annual value per customer, CNY (NaN when none).
    """

    products: tuple[str, ...]
    product_codes: np.ndarray
    propensity: np.ndarray
    conversion: np.ndarray
    expected_value: np.ndarray


def next_best_products(
    propensity: np.ndarray,
    held: np.ndarray,
    products: Sequence[str],
    risk_levels: np.ndarray,
    sizing: SizingConfig = DEFAULT_SIZING,
    suitability: SuitabilityConfig = DEFAULT_SUITABILITY,
    eligible_customers: np.ndarray | None = None,
    usable_products: np.ndarray | None = None,
    columns: Sequence[int] | None = None,
) -> NextBest:
    """Return, per customer, the product with the highest expected value among those it may be offered.

    Candidates are the products the customer does not hold, that pass the suitability
    guardrail and whose model is usable. The model ranks, the sizing sets the level: a
    candidate's conversion is ``sizing``'s conversion rate × its propensity over the mean
    propensity of the product's candidates (at most 1), so products compare on one scale
    whether the propensity is a chance of opening or of looking like a holder; the expected
    value is conversion × annual value.

    Parameters
    ----------
    propensity : numpy.ndarray
        (customers × products) from ``PropensityModels.predict_proba``.
    held : numpy.ndarray
        (customers × products) ``bool`` holdings (``HoldingMatrix.held``).
    products : sequence of str
        Product codes in column order.
    risk_levels : numpy.ndarray
        Per customer, NaN = missing (see ``risk_levels_of``).
    sizing, suitability : configs
    eligible_customers : numpy.ndarray, optional
        ``bool`` mask of customers to recommend to (e.g. active ones); others get ``-1``.
    usable_products : numpy.ndarray, optional
        ``bool`` per product: whose model may recommend (``quality_["usable"]``); default all.
    columns : sequence of int, optional
        The column of ``propensity`` that scores each of ``products`` (default: the same order).
        Taken a block of customers at a time: a stored, memory-mapped propensity matrix is not
        copied whole (0.9 s and 400 MB at 5M customers).

    Returns
    -------
    NextBest

    Examples
    --------
    >>> best = next_best_products(np.array([[0.2, 0.1], [0.1, 0.1]]), np.zeros((2, 2), bool),
    ...                           ["funds", "insurance"], np.array([3.0, 3.0]))
    >>> best.product_codes.tolist(), best.conversion.round(3).tolist()
    ([0, 1], [0.067, 0.03])
    """
    products = tuple(products)
    held = np.asarray(held, dtype=bool)
    n, k = len(held), len(products)
    if columns is None:
        propensity = np.asarray(propensity).reshape(n, k)
    taken = None if columns is None else np.asarray(columns, dtype=np.int64)

    def scores_in(lo: int, hi: int) -> np.ndarray:
        block = propensity[lo:hi]
        scores = (block if taken is None else block[:, taken]).astype(np.float64)
        hand_back(block)  # a stored matrix's pages of these rows, read: never the whole file resident at once
        return scores

    rate = np.array([sizing.economics_of(p).conversion_rate for p in products], dtype=np.float64)
    value = np.array([sizing.economics_of(p).annual_value for p in products], dtype=np.float64)
    levels = np.asarray(risk_levels, dtype=np.float64)
    eligible = None if eligible_customers is None else np.asarray(eligible_customers, dtype=bool)
    usable = None if usable_products is None else np.asarray(usable_products, dtype=bool)

    # Customers are scored NEXT_BEST_ROWS at a time: the (customers x products) temporaries stay a
    # few MB instead of six of 400 MB at 5M customers (the same values as whole-matrix arrays).
    def allowed_in(lo: int, hi: int) -> np.ndarray:
        allowed = ~held[lo:hi] & suitable_products(levels[lo:hi], products, suitability)
        if eligible is not None:
            allowed &= eligible[lo:hi, None]
        if usable is not None:
            allowed &= usable[None, :]
        return allowed

    bounds = [(lo, min(lo + NEXT_BEST_ROWS, n)) for lo in range(0, n, NEXT_BEST_ROWS)]
    candidates, sums = np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.float64)
    for lo, hi in bounds:
        allowed = allowed_in(lo, hi)
        candidates += allowed.sum(axis=0)
        offered = np.where(allowed, scores_in(lo, hi), 0.0)
        # Added after the running total: the same additions, in the same order, as one sum over all rows.
        sums = np.add.reduce(np.vstack([sums[None, :], offered]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(candidates > 0, sums / candidates, np.nan)
    chosen = np.full(n, -1, dtype=np.int16)  # product codes (at 5M customers 30 MB less than int64)
    picked = {name: np.full(n, np.nan) for name in ("propensity", "conversion", "expected")}
    for lo, hi in bounds:
        allowed = allowed_in(lo, hi)
        found = allowed.any(axis=1)
        if not k or not found.any():
            continue
        scores = scores_in(lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            relative = np.where(mean > 0, scores / mean, 1.0)
        conversion = np.minimum(rate[None, :] * relative, 1.0)
        expected = conversion * value[None, :]
        best = np.where(allowed, expected, -np.inf).argmax(axis=1)
        rows = np.flatnonzero(found)
        chosen[lo + rows] = best[rows]
        for name, matrix in (("propensity", scores), ("conversion", conversion), ("expected", expected)):
            picked[name][lo + rows] = matrix[rows, best[rows]]
    return NextBest(products, chosen, picked["propensity"], picked["conversion"], picked["expected"])


_FLAGS = ("is_payroll", "mobile_active", "digital_active", "digital_active_12m_ago")


def feature_message(feature: str, above: bool) -> Message:
    """Return a feature's deviation as a message, e.g. "AUM above average" or "已持有基金".

    Examples
    --------
    >>> from crm_core.messages import render
    >>> render(feature_message("has_payroll_service", True), "en")
    'holds payroll service'
    >>> render(feature_message("aum", False), "zh")
    '金融资产低于平均'
    """
    if feature.startswith("has_"):
        product = product_term(feature.removeprefix("has_"))
        return (
            Message("lead_reason_holds", product=product)
            if above
            else Message("lead_reason_not_holds", product=product)
        )
    name = Term(f"leadfeature_{feature}") if feature in NAMED_LEAD_FEATURES else feature.replace("_", " ")
    if feature in _FLAGS:
        return Message("lead_reason_flag", name=name) if above else Message("lead_reason_not_flag", name=name)
    return Message("lead_reason_above", name=name) if above else Message("lead_reason_below", name=name)


def recommendation_reasons(
    models: PropensityModels, features: pd.DataFrame, product_codes: np.ndarray, top: int = 3
) -> list[tuple[Message, ...]]:
    """Return, per row, the ``top`` features that most raised its recommended product's propensity.

    Parameters
    ----------
    models : PropensityModels
    features : pandas.DataFrame
        The rows to explain (a lead list's customers, not the whole bank).
    product_codes : numpy.ndarray
        Recommended product code per row (``-1`` gives no reason).

    Returns
    -------
    list of tuple of Message
        Per row, its reasons (``feature_message``), most important first; worded at the edge.
    """
    codes = np.asarray(product_codes)
    if len(codes) == 0:
        return []
    contributions = models.contributions(features, np.where(codes >= 0, codes, 0))
    z = models._standardised(features)
    reasons = []
    for i, code in enumerate(codes):
        if code < 0:
            reasons.append(())
            continue
        order = np.argsort(-contributions[i], kind="stable")[:top]
        reasons.append(
            tuple(feature_message(models.features_[k], z[i, k] > 0) for k in order if contributions[i, k] > 0)
        )
    return reasons
