"""Seeded generator of the "Bank A" sample: a city commercial bank with the thesis' problems.

The generator is vectorised numpy, so it scales to millions of customers for benchmarks.
What it plants, so every view has something true to find:

* AUM lognormal with a Pareto tail: the top 2% hold over 60% of AUM; with thresholds
  5万 / 50万 / 600万 about 80% mass, 17% affluent, 2% high-net-worth, 0.1–0.3% private.
* Counter transactions fall 10–25% a year with a Spring Festival peak while mobile rises;
  older customers and suburban branches decline faster.
* About ten products, 2–3 per customer; wealth management under-penetrated in the affluent
  tier compared with high-net-worth.
* Churn about 10% a year, higher for thin, non-digital, declining customers, lower for payroll.
* Branch "Ningbo Haishu" leads on deposit growth but has the most complaints;
  "Hangzhou Binjiang" leads on retention and cross-sell.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.special import ndtr

from crm_core import definitions
from crm_core.contract import CHANNELS, PRODUCTS
from crm_core.dataset import Dataset, channel_dtype, fingerprint_of

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

# (city, branch, suburban, relative size)
BRANCHES: tuple[tuple[str, str, bool, float], ...] = (
    ("Hangzhou", "Hangzhou Xihu", False, 1.6),
    ("Hangzhou", "Hangzhou Shangcheng", False, 1.4),
    ("Hangzhou", "Hangzhou Binjiang", False, 1.3),
    ("Hangzhou", "Hangzhou Gongshu", False, 1.2),
    ("Hangzhou", "Hangzhou Xiaoshan", True, 1.0),
    ("Hangzhou", "Hangzhou Yuhang", True, 0.9),
    ("Hangzhou", "Hangzhou Fuyang", True, 0.7),
    ("Hangzhou", "Hangzhou Lin'an", True, 0.6),
    ("Ningbo", "Ningbo Haishu", False, 1.4),
    ("Ningbo", "Ningbo Jiangbei", False, 1.1),
    ("Ningbo", "Ningbo Yinzhou", False, 1.2),
    ("Ningbo", "Ningbo Beilun", True, 0.8),
    ("Ningbo", "Ningbo Yuyao", True, 0.7),
    ("Ningbo", "Ningbo Cixi", True, 0.7),
    ("Wenzhou", "Wenzhou Lucheng", False, 1.2),
    ("Wenzhou", "Wenzhou Longwan", False, 0.9),
    ("Wenzhou", "Wenzhou Ouhai", True, 0.8),
    ("Wenzhou", "Wenzhou Rui'an", True, 0.7),
    ("Wenzhou", "Wenzhou Yueqing", True, 0.7),
    ("Shaoxing", "Shaoxing Yuecheng", False, 1.0),
    ("Shaoxing", "Shaoxing Keqiao", False, 0.9),
    ("Shaoxing", "Shaoxing Shangyu", True, 0.7),
    ("Shaoxing", "Shaoxing Zhuji", True, 0.7),
    ("Shaoxing", "Shaoxing Shengzhou", True, 0.5),
)
SAMPLE_PLACE_NAMES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "branch": MappingProxyType(
            {
                "Hangzhou Xihu": "杭州西湖支行",
                "Hangzhou Shangcheng": "杭州上城支行",
                "Hangzhou Binjiang": "杭州滨江支行",
                "Hangzhou Gongshu": "杭州拱墅支行",
                "Hangzhou Xiaoshan": "杭州萧山支行",
                "Hangzhou Yuhang": "杭州余杭支行",
                "Hangzhou Fuyang": "杭州富阳支行",
                "Hangzhou Lin'an": "杭州临安支行",
                "Ningbo Haishu": "宁波海曙支行",
                "Ningbo Jiangbei": "宁波江北支行",
                "Ningbo Yinzhou": "宁波鄞州支行",
                "Ningbo Beilun": "宁波北仑支行",
                "Ningbo Yuyao": "宁波余姚支行",
                "Ningbo Cixi": "宁波慈溪支行",
                "Wenzhou Lucheng": "温州鹿城支行",
                "Wenzhou Longwan": "温州龙湾支行",
                "Wenzhou Ouhai": "温州瓯海支行",
                "Wenzhou Rui'an": "温州瑞安支行",
                "Wenzhou Yueqing": "温州乐清支行",
                "Shaoxing Yuecheng": "绍兴越城支行",
                "Shaoxing Keqiao": "绍兴柯桥支行",
                "Shaoxing Shangyu": "绍兴上虞支行",
                "Shaoxing Zhuji": "绍兴诸暨支行",
                "Shaoxing Shengzhou": "绍兴嵊州支行",
            }
        ),
        "city": MappingProxyType({"Hangzhou": "杭州", "Ningbo": "宁波", "Shaoxing": "绍兴", "Wenzhou": "温州"}),
    }
)
"""Chinese names of the sample's branches and cities: the generator writes them as ``branch_zh`` and
``city_zh``; ``read_sample`` adds them to a sample written before they existed (the committed Parquet
files keep their bytes, so the fingerprint and every figure stay the same)."""

DEPOSIT_PUSH_BRANCH = "Ningbo Haishu"
CUSTOMER_CENTRIC_BRANCH = "Hangzhou Binjiang"

SPRING_FESTIVAL_MONTHS = ("2024-02", "2025-01", "2026-02")
TIER_BOUNDS = (5e4, 5e5, 6e6)


@dataclass(frozen=True)
class SampleConfig:
    """Parameters of the generated bank.

    Parameters
    ----------
    n_customers : int
        Customers ever on the books in the window (active and closed).
    seed : int
        Seed of every random draw; the same seed gives the same bank.
    months : int
        Months of activity history.
    last_month : str
        The extract's last full month, ``YYYY-MM``.
    first_id : int
        Number of the first customer id (``C0000001`` by default); shards of a large bank
        continue where the previous shard stopped.
    """

    n_customers: int = 20_000
    seed: int = 20261128
    months: int = 36
    last_month: str = "2026-10"
    first_id: int = 1


@dataclass(frozen=True)
class SampleTables:
    """The three generated tables."""

    customers: pd.DataFrame
    activity: pd.DataFrame
    holdings: pd.DataFrame


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _month_starts(config: SampleConfig) -> pd.DatetimeIndex:
    last = pd.Timestamp(config.last_month + "-01")
    return pd.date_range(end=last, periods=config.months, freq="MS")


def _seasonal_counter_factor(months: pd.DatetimeIndex) -> np.ndarray:
    """Counter traffic peaks in the Spring Festival month and the month before it."""
    labels = months.strftime("%Y-%m")
    factor = np.ones(len(months))
    for festival in SPRING_FESTIVAL_MONTHS:
        hits = np.flatnonzero(labels == festival)
        for i in hits:
            factor[i] *= 1.35
            if i > 0:
                factor[i - 1] *= 1.12
    factor[months.month == 12] *= 1.05
    factor[months.month == 10] *= 0.93  # National Day holiday week
    return factor


def sample_tables(config: SampleConfig = SampleConfig()) -> SampleTables:
    """Return generated customers, monthly activity and holdings for a Bank A of any size.

    Parameters
    ----------
    config : SampleConfig
        Size, seed and window.

    Returns
    -------
    SampleTables
        Canonical frames (see ``crm_core.contract``).

    Examples
    --------
    >>> tables = sample_tables(SampleConfig(n_customers=500, seed=1))
    >>> len(tables.customers)
    500
    """
    rng = np.random.default_rng(config.seed)
    n = config.n_customers
    months = _month_starts(config)
    n_months = len(months)
    as_of = months[-1] + pd.offsets.MonthEnd(0)

    # --- branch, people -------------------------------------------------------------------
    sizes = np.array([b[3] for b in BRANCHES])
    branch_idx = rng.choice(len(BRANCHES), size=n, p=sizes / sizes.sum())
    suburban = np.array([b[2] for b in BRANCHES])[branch_idx]
    is_push = branch_idx == [b[1] for b in BRANCHES].index(DEPOSIT_PUSH_BRANCH)
    is_centric = branch_idx == [b[1] for b in BRANCHES].index(CUSTOMER_CENTRIC_BRANCH)
    rms_per_branch = np.maximum(4, np.round(sizes * 6)).astype(int)
    rm_number = (rng.random(n) * rms_per_branch[branch_idx]).astype(int) + 1

    age = np.clip(rng.normal(45, 15, n) + np.where(suburban, 3, 0), 18, 88).round()
    gender = np.where(rng.random(n) < 0.51, "F", "M")

    # Standard-normal wealth score, older customers (peak near 58) somewhat wealthier.
    age_effect = -(((age - 58) / 18) ** 2)
    age_effect = (age_effect - age_effect.mean()) / age_effect.std()
    wealth = 0.35 * age_effect + np.sqrt(1 - 0.35**2) * rng.standard_normal(n)

    # --- AUM: lognormal body, Pareto tail above 50万 --------------------------------------
    mu, sigma, alpha = 9.02, 1.964, 1.04
    tail_z = (np.log(5e5) - mu) / sigma
    aum = np.exp(mu + sigma * wealth)
    tail = wealth >= tail_z
    survival_in_tail = (1.0 - ndtr(wealth[tail])) / (1.0 - ndtr(tail_z))
    aum[tail] = np.minimum(5e5 * survival_in_tail ** (-1.0 / alpha), 8e8)
    aum = np.round(aum * rng.uniform(0.97, 1.03, n), 2)
    tier = np.searchsorted(TIER_BOUNDS, aum, side="right")  # 0 mass .. 3 private

    # --- relationship timing ---------------------------------------------------------------
    opened_in_window = rng.random(n) < 0.20
    open_month_idx = np.where(opened_in_window, rng.integers(0, n_months, n), -1)
    prior_tenure = np.minimum(rng.exponential(84, n), 12 * (age - 17)).astype(int) + 1
    open_date = np.where(
        opened_in_window,
        months[np.maximum(open_month_idx, 0)].values + rng.integers(0, 28, n).astype("timedelta64[D]"),
        (months[0] - pd.to_timedelta(prior_tenure * 30.44, unit="D")).values,
    ).astype("datetime64[ns]")

    # --- products ---------------------------------------------------------------------------
    working_age = (age >= 22) & (age <= 60)
    payroll_p = np.where(working_age, 0.30, 0.04) * np.where(is_centric, 1.35, 1.0)
    has = {
        "savings_deposit": rng.random(n) < 0.97,
        "debit_card": rng.random(n) < np.where(age < 70, 0.88, 0.70),
        "payroll_service": rng.random(n) < payroll_p,
    }
    cross_sell = np.where(is_centric, 1.45, np.where(is_push, 0.75, 1.0))
    tier_rates = {
        "time_deposit": (0.14, 0.34, 0.45, 0.40),
        "credit_card": (0.16, 0.30, 0.42, 0.55),
        "wealth_management": (0.03, 0.13, 0.52, 0.68),
        "funds": (0.02, 0.09, 0.28, 0.40),
        "insurance": (0.03, 0.09, 0.20, 0.30),
        "mortgage": (0.07, 0.12, 0.15, 0.10),
        "consumer_loan": (0.07, 0.05, 0.03, 0.02),
    }
    for product, rates in tier_rates.items():
        p = np.asarray(rates)[tier] * cross_sell
        if product == "time_deposit":
            p = p * np.where(age > 55, 1.5, 1.0) * np.where(is_push, 1.6, 1.0)
        if product == "credit_card":
            p = p * np.where(age < 45, 1.3, 0.7) * np.where(has["payroll_service"], 1.8, 1.0)
        if product == "mortgage":
            p = p * np.where((age >= 28) & (age <= 50), 1.8, 0.3)
        has[product] = rng.random(n) < np.clip(p, 0, 0.97)
    has = {p: has[p] for p in PRODUCTS}
    products_held = np.sum([has[p] for p in PRODUCTS], axis=0)

    # --- channels ---------------------------------------------------------------------------
    digital_propensity = _logistic(2.4 - 0.075 * (age - 35) + 0.25 * wealth - np.where(suburban, 0.4, 0.0))
    adopted_before = rng.random(n) < digital_propensity * 0.8
    adopt_month = np.where(
        adopted_before,
        -12,
        np.where(rng.random(n) < digital_propensity * 0.3, rng.integers(0, n_months + 12, n), 10_000),
    )
    decline = (0.07 + 0.09 * (age >= 60) + 0.05 * (age >= 70) + 0.08 * suburban + rng.normal(0, 0.05, n)).clip(0.0, 0.6)
    counter_base = (0.25 + 0.016 * (age - 18)) * np.where(tier >= 2, 1.3, 1.0) * rng.gamma(3.0, 1 / 3.0, n)
    mobile_base = (2.5 + 1.0 * np.clip(wealth, -1, 2)) * rng.gamma(4.0, 1 / 4.0, n)

    # --- churn --------------------------------------------------------------------------------
    thin = products_held <= 2
    non_digital = adopt_month > n_months
    churn_score = (
        -2.3
        + 0.9 * thin
        + 0.7 * non_digital
        + 2.2 * (decline - 0.2)
        - 1.0 * has["payroll_service"]
        - 0.6 * (tier >= 1)
        - 1.6 * (tier >= 2)
        + np.where(is_centric, -0.6, 0.0)
        + np.where(is_push, 0.35, 0.0)
    )
    monthly_hazard = 1 - (1 - _logistic(churn_score)) ** (1 / 12)
    start = np.maximum(open_month_idx, 0)
    first_close = start + rng.geometric(np.clip(monthly_hazard, 1e-6, 1)) + 1
    closed = first_close < n_months
    close_month_idx = np.where(closed, first_close, n_months)
    closed_date = np.where(
        closed,
        (months[np.minimum(close_month_idx, n_months - 1)].values + rng.integers(0, 28, n).astype("timedelta64[D]")),
        np.datetime64("NaT"),
    ).astype("datetime64[ns]")

    # --- AUM history --------------------------------------------------------------------------
    growth = rng.normal(0.04, 0.12, n) + np.where(is_push, 0.22, 0.0) - np.where(thin & non_digital, 0.06, 0.0)
    growth = np.clip(growth, -0.8, 1.5)
    months_open_12m_ago = (n_months - 12) - start
    aum_12m_ago = np.where(months_open_12m_ago > 0, aum / (1 + growth), 0.0)
    # Balances drain in the year before a closure (silent attrition).
    aum_at_close = aum * rng.uniform(0.05, 0.5, n)
    closed_last_year = closed & (close_month_idx >= n_months - 12)
    aum_12m_ago = np.where(closed & ~closed_last_year, 0.0, np.where(closed_last_year, aum, aum_12m_ago))
    current_aum = np.where(closed, 0.0, aum)
    ramp = np.where(closed, aum_at_close, current_aum)
    aum_avg_12m = np.where(closed & ~closed_last_year, 0.0, (aum_12m_ago + 3 * ramp) / 4)
    aum_avg_3m = np.where(closed, 0.0, current_aum * (1 - growth / 16))

    investment_share = np.asarray([0.05, 0.22, 0.42, 0.55])[tier] * rng.uniform(0.5, 1.5, n)
    investment_share *= has["wealth_management"] | has["funds"] | has["insurance"]
    investment_balance = np.round(current_aum * np.clip(investment_share, 0, 0.9), 2)
    deposit_balance = np.round(current_aum - investment_balance, 2)
    loan_balance = np.round(
        has["mortgage"] * rng.uniform(3e5, 2e6, n) + has["consumer_loan"] * rng.uniform(2e4, 2e5, n), 2
    ) * (~closed)
    annual_income = np.round(np.exp(11.3 + 0.55 * wealth + rng.normal(0, 0.35, n)), -2)
    annual_contribution = np.round(
        0.008 * deposit_balance + 0.012 * investment_balance + 0.018 * loan_balance + 60 * products_held, 2
    ) * (~closed)
    risk_level = np.clip(np.round(2.2 + 0.6 * wealth - 0.02 * (age - 45) + rng.normal(0, 0.8, n)), 1, 5)
    complaints = rng.poisson(0.08 + 0.12 * (age > 60) + np.where(is_push, 0.55, 0.0) + np.where(is_centric, -0.05, 0))
    satisfaction = np.clip(np.round(4.1 - 0.35 * complaints + rng.normal(0, 0.6, n) - 0.3 * is_push, 1), 1, 5)
    satisfaction = np.where(rng.random(n) < 0.45, np.nan, satisfaction)

    first = config.first_id
    customer_ids = np.char.add("C", np.char.zfill(np.arange(first, first + n).astype(str), 7))
    branch_names = np.array([b[1] for b in BRANCHES], dtype=object)
    cities = np.array([b[0] for b in BRANCHES], dtype=object)
    rm_ids = np.char.add(
        np.char.add("RM", np.char.zfill((branch_idx + 1).astype(str), 2)), np.char.zfill(rm_number.astype(str), 2)
    )
    tenure = definitions.tenure_months(pd.Series(pd.to_datetime(open_date).normalize()), as_of).to_numpy()

    customers = pd.DataFrame(
        {
            "customer_id": pd.array(customer_ids, dtype="string"),
            "branch": pd.array(branch_names[branch_idx], dtype="string"),
            "city": pd.array(cities[branch_idx], dtype="string"),
            **_place_names_zh(branch_names[branch_idx], cities[branch_idx]),
            "relationship_manager": pd.array(rm_ids, dtype="string"),
            "age": pd.array(age.astype(int), dtype="Int64"),
            "gender": pd.array(gender, dtype="string"),
            "open_date": pd.to_datetime(open_date).normalize(),
            "tenure_months": pd.array(tenure, dtype="Int64"),
            "aum": current_aum,
            "aum_avg_3m": np.round(aum_avg_3m, 2),
            "aum_avg_12m": np.round(aum_avg_12m, 2),
            "aum_12m_ago": np.round(aum_12m_ago, 2),
            "deposit_balance": deposit_balance,
            # Deposits a year ago: the same deposit share of the AUM then (time deposits were pushed at
            # the deposit-oriented branch, whose deposits grew fastest).
            "deposit_balance_12m_ago": np.round(
                aum_12m_ago * (1 - np.clip(investment_share, 0, 0.9)) * np.where(is_push, 0.9, 1.0), 2
            ),
            "investment_balance": investment_balance,
            "loan_balance": loan_balance,
            "annual_income": annual_income,
            "annual_contribution": annual_contribution,
            "risk_level": pd.array(risk_level.astype(int), dtype="Int64"),
            "satisfaction": satisfaction,
            "complaints_12m": pd.array(complaints * (~closed), dtype="Int64"),
            "is_payroll": pd.array(has["payroll_service"], dtype="boolean"),
            "churned": pd.array(closed, dtype="boolean"),
            "closed_date": pd.to_datetime(closed_date).normalize(),
        }
    )

    activity = _activity(
        rng,
        customers["customer_id"],
        months,
        start,
        close_month_idx,
        adopt_month,
        counter_base,
        decline,
        mobile_base,
        tier,
        closed,
    )
    holdings = _holdings(
        rng, customers["customer_id"], has, open_date, months, deposit_balance, investment_balance, loan_balance
    )
    return SampleTables(customers=customers, activity=activity, holdings=holdings)


def _place_names_zh(branches: np.ndarray, cities: np.ndarray) -> dict[str, pd.arrays.StringArray]:
    """The ``branch_zh`` and ``city_zh`` columns of the sample's branches and cities (missing for any other)."""
    return {
        f"{column}_zh": pd.Series(values, dtype=object).map(dict(SAMPLE_PLACE_NAMES[column])).astype("string").array
        for column, values in (("branch", branches), ("city", cities))
    }


def _with_place_names(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers with ``branch_zh`` and ``city_zh`` after ``city``, when they lack them and hold the sample's units."""
    if "branch_zh" in customers or "branch" not in customers or "city" not in customers:
        return customers
    names = _place_names_zh(customers["branch"].to_numpy(dtype=object), customers["city"].to_numpy(dtype=object))
    if names["branch_zh"].isna().all():
        return customers  # another bank's folder: its units are not the sample's
    at = customers.columns.get_loc("city") + 1
    return pd.concat(
        [customers.iloc[:, :at], pd.DataFrame(names, index=customers.index), customers.iloc[:, at:]], axis=1
    )


def _activity(rng, customer_ids, months, start, end, adopt_month, counter_base, decline, mobile_base, tier, closed):
    """Monthly Poisson counts per customer and channel, only non-zero rows, in chunks to bound memory."""
    n, n_months = len(customer_ids), len(months)
    t = np.arange(n_months) / 12.0
    season = _seasonal_counter_factor(months)
    frames = []
    chunk = 100_000
    # Activity ids are a categorical over the customer ids: stored once in Parquet's dictionary.
    id_dtype = pd.CategoricalDtype(customer_ids.astype(str).to_numpy())
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        idx = np.arange(lo, hi)
        month_grid = np.arange(n_months)[None, :]
        alive = (month_grid >= start[idx, None]) & (month_grid < end[idx, None])
        # Before closing, activity fades over six months.
        fade = np.where(closed[idx, None], np.clip((end[idx, None] - month_grid) / 6.0, 0.15, 1.0), 1.0)
        adopted = month_grid >= adopt_month[idx, None]
        ramp = np.clip((month_grid - adopt_month[idx, None] + 1) / 4.0, 0, 1)
        counter = counter_base[idx, None] * np.exp(-decline[idx, None] * t[None, :]) * season[None, :]
        counter = counter * np.where(adopted, 0.7, 1.0)
        mobile = np.where(adopted, mobile_base[idx, None] * (0.85 + 0.15 * t[None, :]) * ramp, 0.0)
        online = np.where(adopted, 1.2 * np.exp(-0.12 * t[None, :]), 0.15) * (1 + 0.3 * (tier[idx, None] >= 1))
        atm = np.full_like(counter, 1.3) * np.exp(-0.08 * t[None, :])
        phone = np.full_like(counter, 0.12)
        rates = np.stack([counter, atm, mobile, online, phone], axis=2) * (alive * fade)[:, :, None]
        counts = rng.poisson(rates).astype(np.int32)
        c_idx, m_idx, ch_idx = np.nonzero(counts)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": pd.Categorical.from_codes(lo + c_idx, dtype=id_dtype),
                    "month": months[m_idx],
                    "channel": pd.Categorical.from_codes(ch_idx, dtype=channel_dtype()),
                    "transactions": counts[c_idx, m_idx, ch_idx].astype(np.int64),
                }
            )
        )
    activity = pd.concat(frames, ignore_index=True)
    assert list(activity["channel"].cat.categories) == list(CHANNELS)
    return activity


def _holdings(rng, customer_ids, has, open_date, months, deposit_balance, investment_balance, loan_balance):
    """Long-form holdings with opening dates; about a tenth of products opened in the last year."""
    rows = []
    window_start = months[0].to_datetime64()
    last = (months[-1] + pd.offsets.MonthEnd(0)).to_datetime64()
    balances = {
        "savings_deposit": deposit_balance * 0.6,
        "time_deposit": deposit_balance * 0.4,
        "wealth_management": investment_balance * 0.6,
        "funds": investment_balance * 0.25,
        "insurance": investment_balance * 0.15,
        "mortgage": loan_balance * 0.9,
        "consumer_loan": loan_balance * 0.1,
    }
    for product in PRODUCTS:
        holders = np.flatnonzero(has[product])
        opened = open_date[holders]
        span = (last - np.maximum(opened, window_start - np.timedelta64(3650, "D"))).astype("timedelta64[D]")
        offset = (rng.random(len(holders)) ** 2.2 * span.astype(np.int64)).astype("timedelta64[D]")
        product_open = np.where(rng.random(len(holders)) < 0.35, opened, opened + offset)
        balance = balances.get(product, np.zeros(len(customer_ids)))[holders]
        rows.append(
            pd.DataFrame(
                {
                    "customer_id": customer_ids.array[holders],
                    "product": product,
                    "balance": np.round(balance, 2),
                    "open_date": pd.to_datetime(product_open).normalize(),
                }
            )
        )
    holdings = pd.concat(rows, ignore_index=True)
    holdings["product"] = holdings["product"].astype("string")
    return holdings.sort_values(["customer_id", "product"], ignore_index=True)


def write_sample(out_dir: Path, config: SampleConfig = SampleConfig()) -> dict[str, Path]:
    """Generate the sample and write ``customers``, ``activity`` and ``holdings`` Parquet files.

    Returns
    -------
    dict
        Table name to the written path.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = sample_tables(config)
    paths = {}
    for name in ("customers", "activity", "holdings"):
        path = out_dir / f"{name}.parquet"
        frame = getattr(tables, name)
        frame.to_parquet(path, index=False, compression="zstd", compression_level=9)
        paths[name] = path
    return paths


def write_sample_shards(out_dir: Path, config: SampleConfig, shards: int) -> dict[str, Path]:
    """Generate a large bank shard by shard into folders of Parquet part files.

    Each shard is an independent draw (seed ``config.seed + k``) of ``n_customers / shards``
    customers with its own id range, so memory is bounded by one shard while the whole bank has
    the sample's distributions. Spark and ``pandas.read_parquet`` read such folders as one table.

    Returns
    -------
    dict
        Table name to its folder (``customers/``, ``activity/``, ``holdings/`` with ``part-KKK.parquet``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_sample_shards(Path(folder), SampleConfig(n_customers=300, seed=1), shards=3)
    ...     ids = pd.read_parquet(paths["customers"])["customer_id"]
    ...     (len(ids), ids.is_unique, ids.min(), ids.max())
    (300, True, 'C0000001', 'C0000300')
    """
    if shards < 1 or config.n_customers < shards:
        raise ValueError("shards must be between 1 and the number of customers")
    out_dir = Path(out_dir)
    bounds = np.linspace(0, config.n_customers, shards + 1).round().astype(int)
    paths = {name: out_dir / name for name in ("customers", "activity", "holdings")}
    for folder in paths.values():
        folder.mkdir(parents=True, exist_ok=True)
    for k in range(shards):
        shard = replace(
            config,
            n_customers=int(bounds[k + 1] - bounds[k]),
            seed=config.seed + k,
            first_id=config.first_id + int(bounds[k]),
        )
        tables = sample_tables(shard)
        for name, folder in paths.items():
            getattr(tables, name).to_parquet(folder / f"part-{k:03d}.parquet", index=False, compression="zstd")
        del tables
    return paths


SAMPLE_NAME = "Bank A sample"
"""The bundled sample's dataset name (kept by a filtered extract of it): surfaces say it is synthetic."""


def read_sample(directory: Path = SAMPLE_DIR, name: str = SAMPLE_NAME) -> Dataset:
    """Return the committed sample (or any folder of the three Parquet tables) as a ``Dataset``.

    The fingerprint is the sha256 of the files' bytes, so a regenerated sample is a new dataset.
    Customers of the sample's branches without ``branch_zh`` / ``city_zh`` columns get them from
    ``SAMPLE_PLACE_NAMES`` (the committed files predate them; their bytes, and so the fingerprint, stay).
    """
    directory = Path(directory)
    parts, frames = [], {}
    for table in ("customers", "activity", "holdings"):
        path = directory / f"{table}.parquet"
        if not path.exists():
            frames[table] = None
            continue
        data = path.read_bytes()
        parts += [table.encode(), data]
        frames[table] = pd.read_parquet(io.BytesIO(data))
    if frames["customers"] is not None:
        frames["customers"] = _with_place_names(frames["customers"])
    if frames["activity"] is not None:
        frames["activity"]["channel"] = frames["activity"]["channel"].astype(channel_dtype())
    return Dataset(
        name=name,
        customers=frames["customers"],
        activity=frames["activity"],
        holdings=frames["holdings"],
        fingerprint=fingerprint_of(parts),
    )
