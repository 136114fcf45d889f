"""Next-best product: one propensity model per product, the suitability guardrail, reasons in words.

Per dataset (cache it): ``propensity_features`` then ``propensity_models`` (one logistic
regression per product, holders vs non-holders among active customers, evaluated on a held-out
split) and ``PropensityModels.predict_proba``. Per control (cheap): ``next_best_products``
re-weights the cached propensities by the sizing values and applies the guardrail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from crm_core.contract import product_flag_column
from crm_core.prepare import PreparedDataset
from crm_core.products.config import (
    ALWAYS_EXCLUDED,
    DEFAULT_MODEL,
    DEFAULT_SIZING,
    DEFAULT_SUITABILITY,
    DERIVED_FROM_PRODUCT,
    ModelConfig,
    SizingConfig,
    SuitabilityConfig,
    product_name,
)

STATE_COLUMNS: tuple[str, ...] = (
    "is_active",
    "churned",
    "alive_12m_ago",
    "alive_24m_ago",
    "closed_last_12m",
    "closed_prev_12m",
)
"""Customer-state flags, constant among the active customers the models learn from."""

FEATURE_NAMES: dict[str, tuple[str, str]] = {
    "aum": ("AUM", "资产规模"),
    "aum_avg_3m": ("3-month average AUM", "近3月日均资产"),
    "aum_avg_12m": ("12-month average AUM", "年日均资产"),
    "aum_12m_ago": ("AUM a year ago", "一年前资产"),
    "aum_trend": ("AUM growth", "资产增长"),
    "age": ("age", "年龄"),
    "tenure_months": ("tenure", "开户时长"),
    "deposit_balance": ("deposit balance", "存款余额"),
    "investment_balance": ("investment balance", "投资余额"),
    "loan_balance": ("loan balance", "贷款余额"),
    "annual_income": ("income", "年收入"),
    "risk_level": ("risk tolerance", "风险承受等级"),
    "satisfaction": ("satisfaction", "满意度"),
    "complaints_12m": ("complaints", "投诉次数"),
    "is_payroll": ("payroll customer", "代发客户"),
    "mobile_active": ("active on mobile banking", "手机银行活跃"),
    "digital_active": ("active on digital channels", "数字渠道活跃"),
    "digital_active_12m_ago": ("digital a year ago", "一年前数字渠道活跃"),
    "digital_share_12m": ("digital share of transactions", "数字渠道交易占比"),
    "counter_trend": ("counter visit trend", "柜面交易趋势"),
    "months_since_active": ("months since last transaction", "距上次交易月数"),
    "counter_txn_12m": ("counter transactions", "柜面交易笔数"),
    "atm_txn_12m": ("ATM transactions", "ATM交易笔数"),
    "mobile_txn_12m": ("mobile transactions", "手机银行交易笔数"),
    "online_txn_12m": ("online banking transactions", "网银交易笔数"),
    "phone_txn_12m": ("phone banking transactions", "电话银行交易笔数"),
}
"""(English, Chinese) names of features used in reasons; others show their column name."""

QUALITY_COLUMNS: tuple[str, ...] = ("product", "holder_share", "test_customers", "auc", "top_decile_lift")
"""Columns of ``PropensityModels.quality_``."""

_LOG_MARKERS = ("aum", "balance", "income", "_txn_")


def _logged(column: str) -> bool:
    return any(marker in column for marker in _LOG_MARKERS) and column != "aum_trend"


def propensity_features(prepared: PreparedDataset) -> pd.DataFrame:
    """Return the numeric feature frame of every customer (per dataset).

    Numbers and flags of ``prepared.customers`` (product flags included, as 0/1), except
    identifiers, dates, text, customer-state flags and ``ALWAYS_EXCLUDED``; balances, AUM,
    income and transaction counts are ``log1p``-scaled. Missing values stay NaN (the models
    impute medians).

    Returns
    -------
    pandas.DataFrame
        ``float32``, one row per customer row, positional index.
    """
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
        values = customers[column].astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isfinite(values), values, np.nan)  # an infinite balance is missing, not a feature
        if _logged(column):
            values = np.sign(values) * np.log1p(np.abs(values))
        columns[column] = values.astype(np.float32)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(customers)))


def excluded_features(product: str, derived_columns: Sequence[tuple[str, Sequence[str]]]) -> tuple[str, ...]:
    """Return the columns left out of ``product``'s model: its flag, counts of all flags, derived balances.

    Examples
    --------
    >>> excluded_features("funds", DERIVED_FROM_PRODUCT)[-2:]
    ('has_funds', 'investment_balance')
    """
    return (*ALWAYS_EXCLUDED, product_flag_column(product), *dict(derived_columns).get(product, ()))


def top_decile_lift(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Return the holder rate among the top 10% scores divided by the overall holder rate.

    Examples
    --------
    >>> top_decile_lift(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10, 0, -1))
    10.0
    """
    y_true = np.asarray(y_true, dtype=float)
    if len(y_true) == 0 or y_true.mean() == 0:
        return float("nan")
    top = max(1, int(np.ceil(0.1 * len(y_true))))
    order = np.argsort(-np.asarray(scores), kind="stable")[:top]
    return float(y_true[order].mean() / y_true.mean())


class PropensityModels(BaseEstimator):
    """One logistic regression per product: the chance a customer holds it, given the rest.

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
        Per product: ``holder_share``, ``test_customers``, ``auc`` and ``top_decile_lift``
        on the held-out rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"signal": rng.normal(size=2000), "noise": rng.normal(size=2000)})
    >>> Y = pd.DataFrame({"card": X["signal"] + rng.normal(scale=0.5, size=2000) > 0})
    >>> models = PropensityModels(random_state=0).fit(X, Y)
    >>> bool(models.quality_.loc[0, "auc"] > 0.9)
    True
    """

    def __init__(
        self,
        test_share: float = 0.25,
        max_training_rows: int = 200_000,
        regularisation: float = 1.0,
        derived_columns: tuple[tuple[str, tuple[str, ...]], ...] = DERIVED_FROM_PRODUCT,
        solver: str = "newton-cholesky",
        random_state: int = 0,
    ):
        self.test_share = test_share
        self.max_training_rows = max_training_rows
        self.regularisation = regularisation
        self.derived_columns = derived_columns
        self.solver = solver
        self.random_state = random_state

    def _standardised(self, X: pd.DataFrame) -> np.ndarray:
        values = X.loc[:, list(self.features_)].to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isnan(values), self.medians_, values)
        return (values - self.means_) / self.scales_

    def fit(self, X: pd.DataFrame, Y: pd.DataFrame) -> PropensityModels:
        """Fit one model per column of ``Y`` (bool holdings) on the features ``X`` (same rows).

        Returns
        -------
        PropensityModels
            ``self``.
        """
        self.features_ = tuple(map(str, X.columns))
        self.products_ = tuple(map(str, Y.columns))
        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(len(X))
        n_test = round(self.test_share * len(X))
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
        labels = Y.to_numpy(dtype=bool)
        f, p = len(self.features_), len(self.products_)
        self.coefficients_ = np.zeros((f, p))
        self.intercepts_ = np.zeros(p)
        rows = []
        for j, product in enumerate(self.products_):
            excluded = set(excluded_features(product, self.derived_columns))
            used = np.array([varying[i] and name not in excluded for i, name in enumerate(self.features_)], dtype=bool)
            y_train, y_test = labels[train_rows, j], labels[test_rows, j]
            if y_train.min(initial=True) != y_train.max(initial=False) and used.any():
                model = LogisticRegression(C=self.regularisation, solver=self.solver, max_iter=500)
                model.fit(train[:, used], y_train)
                self.coefficients_[used, j] = model.coef_[0]
                self.intercepts_[j] = model.intercept_[0]
            else:
                rate = np.clip(y_train.mean() if len(y_train) else 0.5, 1e-6, 1 - 1e-6)
                self.intercepts_[j] = np.log(rate / (1 - rate))
            scores = test @ self.coefficients_[:, j] + self.intercepts_[j]
            both = len(y_test) and y_test.min() != y_test.max()
            rows.append(
                {
                    "product": product,
                    "holder_share": float(y_test.mean()) if len(y_test) else float("nan"),
                    "test_customers": len(y_test),
                    "auc": float(roc_auc_score(y_test, scores)) if both else float("nan"),
                    "top_decile_lift": top_decile_lift(y_test, scores) if both else float("nan"),
                }
            )
        self.quality_ = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
        return self

    def predict_proba(self, X: pd.DataFrame, chunk_rows: int = 250_000) -> np.ndarray:
        """Return the (rows × products) propensities, ``float32``, scored in chunks to bound memory."""
        out = np.empty((len(X), len(self.products_)), dtype=np.float32)
        for start in range(0, len(X), chunk_rows):
            z = self._standardised(X.iloc[start : start + chunk_rows])
            out[start : start + len(z)] = 1.0 / (1.0 + np.exp(-(z @ self.coefficients_ + self.intercepts_)))
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
    """Return propensity models fitted on the active customers of ``prepared`` (per dataset).

    Parameters
    ----------
    prepared : PreparedDataset
        Its ``has_<product>`` flags are the labels.
    features : pandas.DataFrame
        ``propensity_features(prepared)``.
    config : ModelConfig
    """
    active = prepared.customers["is_active"].to_numpy(dtype=bool)
    labels = pd.DataFrame(
        {p: prepared.customers[product_flag_column(p)].to_numpy(dtype=bool)[active] for p in prepared.products}
    )
    models = PropensityModels(
        test_share=config.test_share,
        max_training_rows=config.max_training_rows,
        regularisation=config.regularisation,
        derived_columns=config.derived_columns,
        random_state=config.random_state,
    )
    return models.fit(features[active].reset_index(drop=True), labels)


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


@dataclass(frozen=True, eq=False)
class NextBest:
    """The recommended product per customer (from ``next_best_products``).

    Attributes
    ----------
    products : tuple of str
        Product codes; ``product_codes`` index into it.
    product_codes : numpy.ndarray
        ``int64`` per customer, ``-1`` when nothing may be recommended.
    propensity : numpy.ndarray
        Propensity of the recommended product (NaN when none).
    expected_value : numpy.ndarray
        Propensity × annual value per customer, CNY (NaN when none).
    """

    products: tuple[str, ...]
    product_codes: np.ndarray
    propensity: np.ndarray
    expected_value: np.ndarray


def next_best_products(
    propensity: np.ndarray,
    held: np.ndarray,
    products: Sequence[str],
    risk_levels: np.ndarray,
    sizing: SizingConfig = DEFAULT_SIZING,
    suitability: SuitabilityConfig = DEFAULT_SUITABILITY,
    eligible_customers: np.ndarray | None = None,
) -> NextBest:
    """Return, per customer, the product with the highest expected value among those it may be offered.

    Candidates are the products the customer does not hold and that pass the suitability
    guardrail; the expected value is propensity × ``sizing``'s annual value of the product.

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

    Returns
    -------
    NextBest
    """
    products = tuple(products)
    value = np.array([sizing.economics_of(p).annual_value for p in products], dtype=np.float64)
    expected = np.asarray(propensity, dtype=np.float64) * value[None, :]
    allowed = ~np.asarray(held, dtype=bool) & suitable_products(risk_levels, products, suitability)
    if eligible_customers is not None:
        allowed &= np.asarray(eligible_customers, dtype=bool)[:, None]
    ranked = np.where(allowed, expected, -np.inf)
    best = ranked.argmax(axis=1) if len(products) else np.zeros(len(ranked), dtype=np.int64)
    found = allowed.any(axis=1)
    rows = np.arange(len(ranked))
    chosen = np.where(found, best, -1).astype(np.int64)
    safe = np.where(found, best, 0)
    return NextBest(
        products=products,
        product_codes=chosen,
        propensity=np.where(found, np.asarray(propensity, dtype=np.float64)[rows, safe], np.nan) if len(products)
        else np.full(len(ranked), np.nan),
        expected_value=np.where(found, expected[rows, safe], np.nan) if len(products) else np.full(len(ranked), np.nan),
    )  # fmt: skip


def feature_phrase(feature: str, above: bool, lang: str = "en") -> str:
    """Return a feature's deviation in words, e.g. ``AUM above average`` or ``已持有基金``.

    Examples
    --------
    >>> feature_phrase("has_payroll_service", True)
    'holds payroll service'
    >>> feature_phrase("aum", False, "zh")
    '资产规模低于平均'
    """
    if feature.startswith("has_"):
        name = product_name(feature.removeprefix("has_"), lang)
        if lang == "zh":
            return f"已持有{name}" if above else f"未持有{name}"
        return f"holds {name}" if above else f"does not hold {name}"
    names = FEATURE_NAMES.get(feature)
    name = (names[1] if lang == "zh" else names[0]) if names else feature.replace("_", " ")
    if feature in ("is_payroll", "mobile_active", "digital_active", "digital_active_12m_ago"):
        if lang == "zh":
            return name if above else f"非{name}"
        return name if above else f"not {name}"
    if lang == "zh":
        return f"{name}{'高于' if above else '低于'}平均"
    return f"{name} {'above' if above else 'below'} average"


def recommendation_reasons(
    models: PropensityModels, features: pd.DataFrame, product_codes: np.ndarray, lang: str = "en", top: int = 3
) -> list[str]:
    """Return, per row, the ``top`` features that most raised its recommended product's propensity.

    Parameters
    ----------
    models : PropensityModels
    features : pandas.DataFrame
        The rows to explain (a lead list's customers, not the whole bank).
    product_codes : numpy.ndarray
        Recommended product code per row (``-1`` gives an empty text).
    lang : {"en", "zh"}

    Returns
    -------
    list of str
        Phrases joined with ``; `` (``；`` in Chinese).
    """
    codes = np.asarray(product_codes)
    if len(codes) == 0:
        return []
    contributions = models.contributions(features, np.where(codes >= 0, codes, 0))
    z = models._standardised(features)
    separator = "；" if lang == "zh" else "; "
    reasons = []
    for i, code in enumerate(codes):
        if code < 0:
            reasons.append("")
            continue
        order = np.argsort(-contributions[i], kind="stable")[:top]
        phrases = [feature_phrase(models.features_[k], z[i, k] > 0, lang) for k in order if contributions[i, k] > 0]
        reasons.append(separator.join(phrases))
    return reasons


def compliance_note(lang: str = "en") -> str:
    """Return the notice shown with every recommendation and lead list.

    Examples
    --------
    >>> compliance_note("zh")[:6]
    '推荐结果仅供'
    """
    if lang == "zh":
        return (
            "推荐结果仅供参考，对外营销前须经合规审核；理财、基金等产品只推荐给风险承受等级相符的客户"
            "（风险等级缺失按最保守处理）。交叉销售目标以客户实际使用的产品计，而非仅开户的产品。"
        )
    return (
        "Recommendations are suggestions and need compliance review before any customer contact; wealth "
        "products are only suggested to customers whose risk level allows them (missing risk level = most "
        "cautious). Cross-sell targets count products customers use, not products merely opened."
    )
