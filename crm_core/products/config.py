"""Frozen configurations of the product views: benchmark, sizing economics, suitability, model.

Every config is a ``@dataclass(frozen=True)`` of numbers, strings and tuples, so a scenario
can save it as JSON (``crm_core.segments.config_json``) and a cache can hash it. Validation
happens once, in ``__post_init__``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PRODUCT_NAMES: dict[str, tuple[str, str]] = {
    "savings_deposit": ("savings deposit", "活期存款"),
    "time_deposit": ("time deposit", "定期存款"),
    "debit_card": ("debit card", "借记卡"),
    "credit_card": ("credit card", "信用卡"),
    "wealth_management": ("wealth management", "理财"),
    "funds": ("funds", "基金"),
    "insurance": ("insurance", "保险"),
    "mortgage": ("mortgage", "房贷"),
    "consumer_loan": ("consumer loan", "消费贷"),
    "payroll_service": ("payroll service", "代发工资"),
}
"""(English, Chinese) display name of each catalogue product; others show their code with spaces."""


def product_name(product: str, lang: str = "en") -> str:
    """Return a product's display name.

    Examples
    --------
    >>> product_name("wealth_management", "zh")
    '理财'
    >>> product_name("gold_savings")
    'gold savings'
    """
    names = PRODUCT_NAMES.get(product)
    if names is None:
        return product.replace("_", " ")
    return names[1] if lang == "zh" else names[0]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


BENCHMARKS: tuple[str, ...] = ("bank", "next_tier", "best_branch", "targets")
"""Benchmark kinds of ``BenchmarkConfig``."""


@dataclass(frozen=True)
class BenchmarkConfig:
    """What a segment's penetration is compared against.

    Parameters
    ----------
    kind : {"bank", "next_tier", "best_branch", "targets"}
        ``bank``: the bank average over active customers. ``next_tier``: the segment with the
        next code (the top segment has no benchmark). ``best_branch``: the highest
        penetration of that product among branches with at least ``min_branch_customers``
        active customers in the segment. ``targets``: the shares typed in ``targets``.
    targets : tuple of (str, float)
        Target share (0–1) per product, used by ``kind="targets"``; products without a
        target have no benchmark.
    min_branch_customers : int
        Smallest branch × segment group that can set the ``best_branch`` benchmark.

    Examples
    --------
    >>> BenchmarkConfig("targets", targets=(("funds", 0.2),)).target_map
    {'funds': 0.2}
    """

    kind: str = "bank"
    targets: tuple[tuple[str, float], ...] = ()
    min_branch_customers: int = 30

    def __post_init__(self) -> None:
        _check(self.kind in BENCHMARKS, f"benchmark must be one of {', '.join(BENCHMARKS)}")
        targets = tuple((str(p), float(t)) for p, t in self.targets)
        object.__setattr__(self, "targets", targets)
        _check(all(0.0 <= t <= 1.0 for _, t in targets), "targets must be shares between 0 and 1")
        _check(self.min_branch_customers >= 1, "min_branch_customers must be at least 1")

    @property
    def target_map(self) -> dict[str, float]:
        """Targets as a dict."""
        return dict(self.targets)


VALUE_BASES: tuple[str, ...] = ("balance", "fee")
"""How a converted customer is valued: ``balance`` × ``margin``, or an annual ``fee``."""


@dataclass(frozen=True)
class ProductEconomics:
    """Expected economics of selling one product to one more customer (CNY per year).

    Parameters
    ----------
    product : str
        Product code (``*`` = default for products without their own entry).
    conversion_rate : float
        Share of targeted non-holders expected to take the product (0–1).
    basis : {"balance", "fee"}
        Value as average balance × margin, or as annual fee income.
    average_balance : float
        Expected average balance of a new holder, CNY.
    margin : float
        Annual margin on that balance (0.006 = 0.6%).
    annual_fee : float
        Annual fee or commission income per holder, CNY.

    Examples
    --------
    >>> ProductEconomics("wealth_management", 0.08, "balance", 200_000, 0.006).annual_value
    1200.0
    """

    product: str
    conversion_rate: float
    basis: str = "fee"
    average_balance: float = 0.0
    margin: float = 0.0
    annual_fee: float = 0.0

    def __post_init__(self) -> None:
        _check(0.0 <= self.conversion_rate <= 1.0, f"{self.product}: conversion rate must be between 0 and 1")
        _check(self.basis in VALUE_BASES, f"{self.product}: basis must be 'balance' or 'fee'")
        for name in ("average_balance", "margin", "annual_fee"):
            value = float(getattr(self, name))
            _check(math.isfinite(value) and value >= 0, f"{self.product}: {name} must be a non-negative number")
            object.__setattr__(self, name, value)
        object.__setattr__(self, "conversion_rate", float(self.conversion_rate))

    @property
    def annual_value(self) -> float:
        """Expected annual income from one converted customer, CNY."""
        return self.average_balance * self.margin if self.basis == "balance" else self.annual_fee


DEFAULT_ECONOMICS: tuple[ProductEconomics, ...] = (
    ProductEconomics("savings_deposit", 0.10, "balance", 50_000, 0.015),
    ProductEconomics("time_deposit", 0.06, "balance", 100_000, 0.010),
    ProductEconomics("debit_card", 0.15, "fee", annual_fee=60),
    ProductEconomics("credit_card", 0.05, "fee", annual_fee=600),
    ProductEconomics("wealth_management", 0.08, "balance", 200_000, 0.006),
    ProductEconomics("funds", 0.05, "balance", 100_000, 0.008),
    ProductEconomics("insurance", 0.03, "fee", annual_fee=1_500),
    ProductEconomics("mortgage", 0.01, "balance", 800_000, 0.010),
    ProductEconomics("consumer_loan", 0.03, "balance", 100_000, 0.030),
    ProductEconomics("payroll_service", 0.02, "fee", annual_fee=300),
    ProductEconomics("*", 0.05, "fee", annual_fee=500),
)
"""Documented defaults (CNY per year per converted customer): wealth management 8% × ¥20万 × 0.6%
= ¥1,200; funds 5% × ¥10万 × 0.8%; time deposits 6% × ¥10万 × 1.0% (net interest margin);
savings 10% × ¥5万 × 1.5%; mortgage 1% × ¥80万 × 1.0%; consumer loan 3% × ¥10万 × 3.0%;
credit card 5% × ¥600 (interchange and interest); insurance 3% × ¥1,500 commission; payroll
service 2% × ¥300; debit card 15% × ¥60; any other product 5% × ¥500."""


@dataclass(frozen=True)
class SizingConfig:
    """What-if economics per product, editable one product at a time.

    Parameters
    ----------
    economics : tuple of ProductEconomics
        One entry per product; ``*`` is the fallback for products without an entry.

    Examples
    --------
    >>> SizingConfig().economics_of("funds").annual_value
    800.0
    >>> SizingConfig().economics_of("gold").conversion_rate
    0.05
    """

    economics: tuple[ProductEconomics, ...] = DEFAULT_ECONOMICS

    def __post_init__(self) -> None:
        economics = tuple(e if isinstance(e, ProductEconomics) else ProductEconomics(**e) for e in self.economics)
        object.__setattr__(self, "economics", economics)
        names = [e.product for e in economics]
        _check(len(set(names)) == len(names), "each product may appear once in the sizing config")

    def economics_of(self, product: str) -> ProductEconomics:
        """The economics of ``product`` (the ``*`` entry, else zero value, when it has none)."""
        by_product = {e.product: e for e in self.economics}
        if product in by_product:
            return by_product[product]
        fallback = by_product.get("*", ProductEconomics("*", 0.0))
        return ProductEconomics(
            product, fallback.conversion_rate, fallback.basis, fallback.average_balance, fallback.margin,
            fallback.annual_fee,
        )  # fmt: skip

    def with_product(self, economics: ProductEconomics) -> SizingConfig:
        """A copy with one product's economics replaced (or added)."""
        kept = tuple(e for e in self.economics if e.product != economics.product)
        return SizingConfig((*kept, economics))


@dataclass(frozen=True)
class SuitabilityConfig:
    """The suitability guardrail: the lowest customer risk level allowed to buy each product.

    Parameters
    ----------
    minimum_risk_levels : tuple of (str, int)
        Product → lowest customer risk level (1 cautious … 5 aggressive) that may be offered
        it. Products not listed have no restriction.
    missing_risk_level : int
        Level assumed when a customer's risk level is missing or the dataset has none: the
        most cautious, 1, by default.

    Examples
    --------
    >>> SuitabilityConfig().level_of("funds")
    3
    """

    minimum_risk_levels: tuple[tuple[str, int], ...] = (("wealth_management", 2), ("funds", 3))
    missing_risk_level: int = 1

    def __post_init__(self) -> None:
        levels = tuple((str(p), int(level)) for p, level in self.minimum_risk_levels)
        object.__setattr__(self, "minimum_risk_levels", levels)
        _check(all(1 <= level <= 5 for _, level in levels), "minimum risk levels must be 1 to 5")
        _check(1 <= self.missing_risk_level <= 5, "missing_risk_level must be 1 to 5")

    def level_of(self, product: str) -> int:
        """Lowest customer risk level allowed to buy ``product`` (1 when unrestricted)."""
        return dict(self.minimum_risk_levels).get(product, 1)


ALWAYS_EXCLUDED: tuple[str, ...] = ("products_held", "products_held_12m_ago", "num_products", "annual_contribution")
"""Columns never used as propensity features: they count or are priced from all holdings."""

DERIVED_FROM_PRODUCT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wealth_management", ("investment_balance",)),
    ("funds", ("investment_balance",)),
    ("insurance", ("investment_balance",)),
    ("mortgage", ("loan_balance",)),
    ("consumer_loan", ("loan_balance",)),
    ("payroll_service", ("is_payroll",)),
)
"""Columns that contain a product's own balance or flag: left out of that product's model."""


@dataclass(frozen=True)
class ModelConfig:
    """How the per-product propensity models are trained.

    Parameters
    ----------
    test_share : float
        Share of active customers held out for the AUC and top-decile lift.
    max_training_rows : int
        Training rows are sampled down to this many (the fit stays seconds at 1M customers).
    regularisation : float
        Inverse regularisation strength ``C`` of the logistic regressions.
    derived_columns : tuple of (str, tuple of str)
        Per product, columns derived from it (see ``DERIVED_FROM_PRODUCT``).
    random_state : int
        Seed of the split and the sampling.
    """

    test_share: float = 0.25
    max_training_rows: int = 200_000
    regularisation: float = 1.0
    derived_columns: tuple[tuple[str, tuple[str, ...]], ...] = DERIVED_FROM_PRODUCT
    random_state: int = 0

    def __post_init__(self) -> None:
        _check(0.05 <= self.test_share <= 0.5, "test_share must be between 0.05 and 0.5")
        _check(self.max_training_rows >= 100, "max_training_rows must be at least 100")
        _check(self.regularisation > 0, "regularisation must be positive")
        derived = tuple((str(p), tuple(str(c) for c in cols)) for p, cols in self.derived_columns)
        object.__setattr__(self, "derived_columns", derived)

    def excluded_for(self, product: str) -> tuple[str, ...]:
        """Columns left out of ``product``'s model besides its own flag."""
        return ALWAYS_EXCLUDED + dict(self.derived_columns).get(product, ())


DEFAULT_BENCHMARK = BenchmarkConfig()
DEFAULT_SIZING = SizingConfig()
DEFAULT_SUITABILITY = SuitabilityConfig()
DEFAULT_MODEL = ModelConfig()
