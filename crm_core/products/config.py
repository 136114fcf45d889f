"""Frozen configurations of the product views: benchmark, sizing economics, suitability, model.

Every config is a ``@dataclass(frozen=True)`` of numbers, strings and tuples, so a scenario
can save it as JSON (``crm_core.segments.config_json``) and a cache can hash it. Validation
happens once, in ``__post_init__``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crm_core import validation as check
from crm_core.messages import Term

MAX_PRODUCTS = 200
"""Most products a benchmark, a sizing table or an offer list may name."""

MAX_BALANCE = 1e13
"""Largest balance (yuan) a setting may name, as for tier thresholds."""

MAX_ANNUAL_FEE = 1e9
"""Largest annual fee (yuan per customer) a setting may name."""

PRODUCT_NAMES: tuple[str, ...] = (
    "savings_deposit", "time_deposit", "debit_card", "credit_card", "wealth_management", "funds", "insurance",
    "mortgage", "consumer_loan", "payroll_service",
)  # fmt: skip
"""Catalogue products named in the catalogs (``productname_<code>``); others show their code with spaces."""


def product_term(product: str) -> Term | str:
    """Return a product's name for a ``Message``: its catalog term, or its code with spaces.

    Examples
    --------
    >>> product_term("wealth_management"), product_term("gold_savings")
    (Term(key='productname_wealth_management'), 'gold savings')
    """
    return Term(f"productname_{product}") if product in PRODUCT_NAMES else product.replace("_", " ")


def product_name(product: str, lang: str = "en") -> str:
    """Return a product's display name in ``lang`` (an edge helper: the words are in the catalogs).

    Examples
    --------
    >>> product_name("wealth_management", "zh")
    '理财'
    >>> product_name("gold_savings")
    'gold savings'
    """
    from crm_core.messages import render

    term = product_term(product)
    return render(term.key, lang) if isinstance(term, Term) else term


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
        kind = check.choice(self.kind, "benchmark kind", BENCHMARKS)
        targets = []
        for i, pair in enumerate(check.items(self.targets, "targets", 0, MAX_PRODUCTS)):
            product, target = check.items(pair, f"targets[{i}] (product, share)", 2, 2)
            product = check.code(product, f"targets[{i}] product")
            targets.append((product, check.number(target, f"targets[{i}] ({product}) share", 0, 1)))
        check.distinct((p for p, _ in targets), "target products")
        check.assign(
            self,
            kind=kind,
            targets=tuple(targets),
            min_branch_customers=check.whole(self.min_branch_customers, "min_branch_customers", 1, 1_000_000),
        )

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
    from_assets : bool
        The balance comes from the customer's own money (deposits, wealth management, funds):
        sizing caps it at the customer's AUM and counts only the share that is new money
        (``SizingConfig.cannibalisation_share`` of it is moved from deposits the bank already
        holds). False for lending (mortgage, consumer loan), whose balance is the bank's.

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
    from_assets: bool = True

    def __post_init__(self) -> None:
        product = check.code(self.product, "product", any_allowed=True)
        check.assign(
            self,
            product=product,
            conversion_rate=check.number(self.conversion_rate, f"{product}: conversion rate (share)", 0, 1),
            basis=check.choice(self.basis, f"{product}: basis", VALUE_BASES),
            average_balance=check.number(self.average_balance, f"{product}: average_balance (yuan)", 0, MAX_BALANCE),
            margin=check.number(self.margin, f"{product}: margin (share a year)", 0, 1),
            annual_fee=check.number(self.annual_fee, f"{product}: annual_fee (yuan)", 0, MAX_ANNUAL_FEE),
            from_assets=check.flag(self.from_assets, f"{product}: from_assets"),
        )

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
    ProductEconomics("mortgage", 0.01, "balance", 800_000, 0.010, from_assets=False),
    ProductEconomics("consumer_loan", 0.03, "balance", 100_000, 0.030, from_assets=False),
    ProductEconomics("payroll_service", 0.02, "fee", annual_fee=300),
    ProductEconomics("*", 0.05, "fee", annual_fee=500),
)
"""Documented defaults (CNY per year per converted customer): wealth management 8% × ¥20万 × 0.6%
= ¥1,200; funds 5% × ¥10万 × 0.8%; time deposits 6% × ¥10万 × 1.0% (net interest margin);
savings 10% × ¥5万 × 1.5%; mortgage 1% × ¥80万 × 1.0%; consumer loan 3% × ¥10万 × 3.0%;
credit card 5% × ¥600 (interchange and interest); insurance 3% × ¥1,500 commission; payroll
service 2% × ¥300; debit card 15% × ¥60; any other product 5% × ¥500."""


def _economics(entry: object, name: str) -> ProductEconomics:
    """A ``ProductEconomics`` from itself or from its saved form (a dict of its fields)."""
    if isinstance(entry, ProductEconomics):
        return entry
    if not isinstance(entry, dict):
        raise ValueError(f"{name} must be an object of product economics, got {check.shown(entry)}")
    known = set(ProductEconomics.__dataclass_fields__)
    unknown = sorted(str(key) for key in set(entry) - known)
    _check(not unknown, f"{name} has no setting {check.shown(', '.join(unknown))}")
    _check("product" in entry and "conversion_rate" in entry, f"{name} needs a product and a conversion_rate")
    return ProductEconomics(**entry)


@dataclass(frozen=True)
class SizingConfig:
    """What-if economics per product, editable one product at a time.

    Parameters
    ----------
    economics : tuple of ProductEconomics
        One entry per product; ``*`` is the fallback for products without an entry.
    cannibalisation_share : float
        Share of a new balance drawn from the customer's money already at the bank (0–1): it
        earns nothing new, so a product funded from assets is valued at (1 − share) of its
        balance × margin. 0.5 by default (half of a new wealth-management balance comes out of
        deposits); set it from the bank's own switching data.

    Examples
    --------
    >>> SizingConfig().economics_of("funds").annual_value
    800.0
    >>> SizingConfig().economics_of("gold").conversion_rate
    0.05
    """

    economics: tuple[ProductEconomics, ...] = DEFAULT_ECONOMICS
    cannibalisation_share: float = 0.5

    def __post_init__(self) -> None:
        entries = check.items(self.economics, "economics", 0, MAX_PRODUCTS)
        economics = tuple(_economics(e, f"economics[{i}]") for i, e in enumerate(entries))
        names = [e.product for e in economics]
        _check(len(set(names)) == len(names), "each product may appear once in the sizing config")
        check.assign(
            self,
            economics=economics,
            cannibalisation_share=check.number(self.cannibalisation_share, "cannibalisation_share (share)", 0, 1),
        )

    def economics_of(self, product: str) -> ProductEconomics:
        """The economics of ``product`` (the ``*`` entry, else zero value, when it has none)."""
        by_product = {e.product: e for e in self.economics}
        if product in by_product:
            return by_product[product]
        fallback = by_product.get("*", ProductEconomics("*", 0.0))
        return replace(fallback, product=product)

    def with_product(self, economics: ProductEconomics) -> SizingConfig:
        """A copy with one product's economics replaced (or added)."""
        kept = tuple(e for e in self.economics if e.product != economics.product)
        return replace(self, economics=(*kept, economics))


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
        levels = []
        for i, pair in enumerate(check.items(self.minimum_risk_levels, "minimum_risk_levels", 0, MAX_PRODUCTS)):
            product, level = check.items(pair, f"minimum_risk_levels[{i}] (product, level)", 2, 2)
            product = check.code(product, f"minimum_risk_levels[{i}] product")
            levels.append((product, check.whole(level, f"minimum risk levels ({product})", 1, 5)))
        check.distinct((p for p, _ in levels), "minimum_risk_levels products")
        check.assign(
            self,
            minimum_risk_levels=tuple(levels),
            missing_risk_level=check.whole(self.missing_risk_level, "missing_risk_level", 1, 5),
        )

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
        derived = []
        for i, pair in enumerate(check.items(self.derived_columns, "derived_columns", 0, MAX_PRODUCTS)):
            product, columns = check.items(pair, f"derived_columns[{i}] (product, columns)", 2, 2)
            product = check.code(product, f"derived_columns[{i}] product")
            columns = check.items(columns, f"derived_columns[{i}] ({product}) columns", 0, 50)
            derived.append((product, tuple(check.code(c, f"derived_columns[{i}] ({product}) column") for c in columns)))
        check.assign(
            self,
            test_share=check.number(self.test_share, "test_share", 0.05, 0.5),
            max_training_rows=check.whole(self.max_training_rows, "max_training_rows", 100, 100_000_000),
            regularisation=check.number(self.regularisation, "regularisation", 0, 1e6, low_open=True),
            derived_columns=tuple(derived),
            random_state=check.whole(self.random_state, "random_state", 0, 2**32 - 1),
        )

    def excluded_for(self, product: str) -> tuple[str, ...]:
        """Columns left out of ``product``'s model besides its own flag."""
        return ALWAYS_EXCLUDED + dict(self.derived_columns).get(product, ())


DEFAULT_BENCHMARK = BenchmarkConfig()
DEFAULT_SIZING = SizingConfig()
DEFAULT_SUITABILITY = SuitabilityConfig()
DEFAULT_MODEL = ModelConfig()
