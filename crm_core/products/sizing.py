"""Opportunity sizing (what-if): what selling the offered products is worth, on rules a bank signs.

Only active customers who lack a product and are suitable for it are counted; a balance drawn
from the customer's own money is capped at their AUM and only its new-money share earns (the
rest is moved from deposits the bank already holds); each customer is counted once, on the one
offer worth most to the bank. ``customer_offers`` works on customer rows (numpy, one pass per
product); ``opportunity_sizing`` reduces them to the small group × product table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.messages import Count, Message, Money, Share
from crm_core.products.config import DEFAULT_SIZING, SizingConfig, product_term

SIZING_COLUMNS: tuple[str, ...] = (
    "group",
    "product",
    "customers",
    "lacking",
    "eligible",
    "conversion_rate",
    "value_per_customer",
    "assigned",
    "expected_conversions",
    "opportunity_value",
    "gap_customers",
    "gap_value",
)
"""Columns of ``opportunity_sizing`` in order."""


@dataclass(frozen=True, eq=False)
class CustomerOffers:
    """Per customer: what each offered product is worth and the one offer worth most.

    Attributes
    ----------
    products : tuple of str
        Product codes (columns of the matrices).
    eligible : numpy.ndarray
        (customers × products) ``bool``: an active customer who lacks the product, is suitable
        for it, and to whom it is offered with a value above zero.
    capacity : numpy.ndarray
        Each customer's AUM (NaN and below zero count as 0): the cap of a balance drawn from
        their own money.
    terms : tuple of (float, float or None, float)
        Per product, how its net value is figured: ``(value, None, 1)`` a value a year for
        every customer, ``(balance, margin, kept)`` a balance capped at the customer's
        ``capacity`` × margin × the new-money share kept (``net_column``).
    best : numpy.ndarray
        ``int16`` product index of each customer's best offer (highest conversion × net value), -1 for none.
    expected : numpy.ndarray
        Expected value a year of that offer (conversion × net value; 0 without one).
    """

    products: tuple[str, ...]
    eligible: np.ndarray
    capacity: np.ndarray
    terms: tuple[tuple[float, float | None, float], ...]
    best: np.ndarray
    expected: np.ndarray

    def net_column(self, j: int) -> np.ndarray:
        """Product ``j``'s incremental value a year per customer if they take it (CNY).

        The annual fee, or the balance × margin, where a balance from the customer's own money
        is capped at their AUM and counts only its new-money share. One column at a time: the
        whole (customers × products) matrix is 400 MB at 5M customers and ten products.
        """
        return _net_column(self.terms[j], self.capacity)

    @property
    def net_value(self) -> np.ndarray:
        """(customers × products) ``net_column`` of every product (for small data and tests)."""
        net = np.empty((len(self.capacity), len(self.products)), dtype=np.float64, order="F")
        for j in range(len(self.products)):
            net[:, j] = self.net_column(j)
        return net


def _net_column(term: tuple[float, float | None, float], capacity: np.ndarray) -> np.ndarray:
    value, margin, kept = term
    if margin is None:
        return np.full(len(capacity), value, dtype=np.float64)
    return np.minimum(value, capacity) * margin * kept


def customer_offers(
    held: np.ndarray,
    active: np.ndarray,
    suitable: np.ndarray,
    aum: np.ndarray,
    products: Sequence[str],
    offered: Sequence[str],
    config: SizingConfig = DEFAULT_SIZING,
) -> CustomerOffers:
    """Return each customer's offers: eligibility, net value per product and the single best offer.

    Parameters
    ----------
    held : numpy.ndarray
        (customers × products) ``bool`` holdings.
    active : numpy.ndarray
        ``bool`` per customer: only active customers are offered anything.
    suitable : numpy.ndarray
        (customers × products) ``bool`` from ``suitable_products`` (the suitability guardrail).
    aum : numpy.ndarray
        Each customer's AUM (CNY; NaN counts as 0): the cap of a balance drawn from their money.
    products : sequence of str
        Product codes in column order.
    offered : sequence of str
        Products the bank offers; others are never sized.
    config : SizingConfig
        Conversion rates, balances, margins, fees and the cannibalisation share.

    Returns
    -------
    CustomerOffers
        One customer is counted once: the best offer carries the customer's whole expected value.

    Examples
    --------
    A ¥30,000 customer cannot bring a ¥200,000 wealth-management balance: it is capped at
    ¥30,000, half of it is new money, so the product is worth 30,000 × 0.5 × 0.6% = ¥90 a year
    against the credit card's ¥600; the card is the best offer (5% × ¥600 = ¥30 expected).

    >>> offers = customer_offers(np.array([[False, False]]), np.array([True]), np.array([[True, True]]),
    ...     np.array([30_000.0]), ["wealth_management", "credit_card"], ["wealth_management", "credit_card"])
    >>> offers.net_value.round(2).tolist(), offers.best.tolist(), offers.expected.round(2).tolist()
    ([[90.0, 600.0]], [1], [30.0])
    """
    products = tuple(products)
    economics = [config.economics_of(p) for p in products]
    capacity = np.nan_to_num(np.asarray(aum, dtype=np.float64), nan=0.0).clip(min=0.0)
    terms = tuple(
        (e.annual_fee, None, 1.0)
        if e.basis == "fee"
        else (e.average_balance, e.margin, 1.0 - config.cannibalisation_share)
        if e.from_assets
        else (e.average_balance * e.margin, None, 1.0)
        for e in economics
    )
    is_offered = np.array([p in set(offered) for p in products], dtype=bool)
    # In place, one (customers x products) array at a time (the same values as one expression); the
    # columns (Fortran order) are read and written contiguously.
    eligible = np.asfortranarray(~np.asarray(held, dtype=bool))
    eligible &= np.asarray(suitable, dtype=bool)
    eligible &= np.asarray(active, dtype=bool)[:, None]
    eligible &= is_offered[None, :]
    rate = np.array([e.conversion_rate for e in economics], dtype=np.float64)
    best, value = np.zeros(len(capacity), dtype=np.int16), np.zeros(len(capacity))  # int16: 32,767 products
    expected = np.zeros(len(capacity))
    for j in range(len(products)):  # the first product of the highest expected value, as ``argmax`` picks
        net = _net_column(terms[j], capacity)
        eligible[:, j] &= net > 0
        expected[:] = 0.0
        np.multiply(net, rate[j], out=expected, where=eligible[:, j])
        better = expected > value if j else np.ones(len(capacity), dtype=bool)
        np.copyto(value, expected, where=better)
        best[better] = j
    best = np.where(value > 0, best, -1) if len(products) else np.full(len(capacity), -1)
    return CustomerOffers(products, eligible, capacity, terms, best.astype(np.int16), np.where(best >= 0, value, 0.0))


def opportunity_sizing(
    gaps: pd.DataFrame, offers: CustomerOffers, codes: np.ndarray, config: SizingConfig = DEFAULT_SIZING
) -> pd.DataFrame:
    """Return what selling the offered products is worth in each group, each customer counted once.

    Parameters
    ----------
    gaps : pandas.DataFrame
        From ``penetration_gaps`` restricted to the offered products (``group``, ``product``,
        ``customers``, ``holders``, ``gap_customers``), groups in code order. Not modified.
    offers : CustomerOffers
        From ``customer_offers`` on the same customers.
    codes : numpy.ndarray
        Group code per customer (``-1`` unassigned, left out).
    config : SizingConfig

    Returns
    -------
    pandas.DataFrame
        Columns ``SIZING_COLUMNS``: ``lacking`` = active non-holders; ``eligible`` = those
        suitable for it (a customer may be eligible for several products); ``value_per_customer``
        = mean net value a year among the eligible; ``assigned`` = customers whose best offer it
        is (each customer in one row at most, so ``assigned`` sums to distinct customers);
        ``expected_conversions`` and ``opportunity_value`` = conversion × value over the assigned
        customers; ``gap_customers`` = customers to win to reach the benchmark, never more than
        the eligible; ``gap_value`` = gap customers × value per customer.
    """
    codes = np.asarray(codes)
    index = {p: j for j, p in enumerate(offers.products)}
    groups = list(dict.fromkeys(gaps["group"]))
    k, p = len(groups), len(offers.products)
    inside = codes >= 0
    cell = codes[inside].astype(np.int64) * p
    if p == 0 or gaps.empty:
        return pd.DataFrame({c: [] for c in SIZING_COLUMNS}, columns=list(SIZING_COLUMNS))
    # Column by column (Fortran order): each product's eligible customers and their net values, never
    # a (customers x products) float matrix (two of 400 MB at 5M customers). A group's sum over its
    # eligible customers alone adds the same values in the same order as a sum with zeros elsewhere.
    everyone = bool(inside.all())
    code_in = codes if everyone else codes[inside]
    eligible = np.zeros((k, p), dtype=np.int64)
    value_sum = np.zeros((k, p), dtype=np.float64)
    for j in range(p):
        mask = offers.eligible[:, j] if everyone else offers.eligible[inside, j]
        net = offers.net_column(j) if everyone else offers.net_column(j)[inside]
        eligible[:, j] = np.bincount(code_in[mask], minlength=k)
        value_sum[:, j] = np.bincount(code_in[mask], net[mask], minlength=k)
    best = offers.best[inside]
    has = best >= 0
    assigned = np.bincount(cell[has] + best[has], minlength=k * p).reshape(k, p)
    opportunity = np.bincount(cell[has] + best[has], offers.expected[inside][has], minlength=k * p).reshape(k, p)
    rows = [(groups.index(g), index[str(pr)]) for g, pr in zip(gaps["group"], gaps["product"], strict=True)]
    gi = np.array([r[0] for r in rows], dtype=np.int64)
    pj = np.array([r[1] for r in rows], dtype=np.int64)
    rate = np.array([config.economics_of(str(pr)).conversion_rate for pr in gaps["product"]], dtype=np.float64)
    n_eligible = eligible[gi, pj].astype(np.int64) if len(rows) else np.zeros(0, np.int64)
    per_customer = np.divide(
        value_sum[gi, pj], n_eligible, out=np.zeros(len(rows)), where=n_eligible > 0
    ) if len(rows) else np.zeros(0)  # fmt: skip
    n_assigned = assigned[gi, pj] if len(rows) else np.zeros(0, np.int64)
    gap_customers = np.minimum(gaps["gap_customers"].to_numpy(dtype=np.int64), n_eligible)
    return pd.DataFrame(
        {
            "group": gaps["group"].to_numpy(),
            "product": gaps["product"].to_numpy(),
            "customers": gaps["customers"].to_numpy(dtype=np.int64),
            "lacking": (gaps["customers"] - gaps["holders"]).to_numpy(dtype=np.int64),
            "eligible": n_eligible,
            "conversion_rate": rate,
            "value_per_customer": per_customer,
            "assigned": n_assigned.astype(np.int64),
            "expected_conversions": n_assigned * rate,
            "opportunity_value": opportunity[gi, pj] if len(rows) else np.zeros(0),
            "gap_customers": gap_customers,
            "gap_value": gap_customers * per_customer,
        },
        columns=list(SIZING_COLUMNS),
    )


def top_opportunities(sizing: pd.DataFrame, n: int = 10, by: str = "opportunity_value") -> pd.DataFrame:
    """Return the ``n`` largest opportunities, ranked (``rank`` 1 = largest), ties by group and product."""
    ranked = sizing[sizing[by] > 0].sort_values([by, "group", "product"], ascending=[False, True, True], kind="stable")
    ranked = ranked.head(n).reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def opportunity_totals(sizing: pd.DataFrame) -> pd.Series:
    """Return the totals of ``opportunity_sizing``.

    ``assigned`` (customers with an offer, each once), expected conversions, opportunity value,
    gap customers (product openings to reach the benchmarks: one customer may open two
    products) and gap value.
    """
    return sizing[["assigned", "expected_conversions", "opportunity_value", "gap_customers", "gap_value"]].sum()


def _closure(closure: float) -> Message:
    words = {1.0: "closure_whole", 0.5: "closure_half", 0.25: "closure_quarter"}
    return Message(words[closure]) if closure in words else Message("closure_share", share=Share(closure, 0))


def opportunity_message(sizing: pd.DataFrame, closure: float = 0.5) -> Message:
    """Return one plain-language sentence (a ``Message``) on the biggest opportunity.

    The sentence is about closing ``closure`` of the largest gap to the benchmark when there
    is one, else about converting non-holders at the configured rate.

    Parameters
    ----------
    sizing : pandas.DataFrame
        From ``opportunity_sizing`` (groups as they are to be shown).
    closure : float
        Share of the gap closed (0.5 reads "half").

    Examples
    --------
    >>> from crm_core.messages import render
    >>> sizing = pd.DataFrame({"group": ["affluent"], "product": ["wealth_management"], "customers": [5000],
    ...     "lacking": [3000], "conversion_rate": [0.08], "value_per_customer": [1200.0],
    ...     "expected_conversions": [240.0], "opportunity_value": [288000.0], "gap_customers": [1000],
    ...     "gap_value": [1.2e6]})
    >>> render(opportunity_message(sizing), "en")
    'Closing half the wealth management gap in the affluent segment (about 500 customers) is worth about ¥600K a year.'
    >>> render(opportunity_message(sizing.assign(group="富裕客户")), "zh")
    '在富裕客户中补上一半的理财缺口（约500名客户），每年价值约¥60万。'
    """
    if sizing.empty:
        return Message("opportunity_no_products")
    if (sizing["gap_value"] > 0).any():
        row = sizing.loc[sizing["gap_value"].idxmax()]
        return Message(
            "opportunity_gap",
            closure=_closure(closure),
            product=product_term(str(row["product"])),
            group=str(row["group"]),
            customers=Count(row["gap_customers"] * closure),
            money=Money(row["gap_value"] * closure),
        )
    if not (sizing["opportunity_value"] > 0).any():
        return Message("opportunity_none")
    row = sizing.loc[sizing["opportunity_value"].idxmax()]
    return Message(
        "opportunity_offer",
        product=product_term(str(row["product"])),
        group=str(row["group"]),
        customers=Count(row["assigned"]),
        rate=Share(row["conversion_rate"]),
        money=Money(row["opportunity_value"]),
    )
