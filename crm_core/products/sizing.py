"""Opportunity sizing (what-if): what selling to the customers who lack a product is worth.

Everything here is arithmetic on the small gap table of ``penetration_gaps``: changing a
conversion rate or a margin never touches customer rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.formatting import format_count, format_money, format_share
from crm_core.products.config import DEFAULT_SIZING, SizingConfig, product_name

SIZING_COLUMNS: tuple[str, ...] = (
    "group",
    "product",
    "customers",
    "lacking",
    "conversion_rate",
    "value_per_customer",
    "expected_conversions",
    "opportunity_value",
    "gap_customers",
    "gap_value",
)
"""Columns of ``opportunity_sizing`` in order."""


def opportunity_sizing(gaps: pd.DataFrame, config: SizingConfig = DEFAULT_SIZING) -> pd.DataFrame:
    """Return the expected annual value of cross-selling each product in each segment.

    Parameters
    ----------
    gaps : pandas.DataFrame
        From ``penetration_gaps`` (``group``, ``product``, ``customers``, ``holders``,
        ``gap_customers``). Not modified.
    config : SizingConfig
        Conversion rate and value per product.

    Returns
    -------
    pandas.DataFrame
        Columns ``SIZING_COLUMNS``: ``lacking`` = active customers without the product;
        ``expected_conversions`` = lacking × conversion rate; ``opportunity_value`` =
        expected conversions × value per customer (CNY a year); ``gap_value`` = closing the
        whole gap to the benchmark (gap customers × value per customer).
    """
    economics = {product: config.economics_of(product) for product in gaps["product"].unique()}
    rate = gaps["product"].map({p: e.conversion_rate for p, e in economics.items()}).to_numpy(dtype=float)
    value = gaps["product"].map({p: e.annual_value for p, e in economics.items()}).to_numpy(dtype=float)
    lacking = (gaps["customers"] - gaps["holders"]).to_numpy(dtype=np.int64)
    conversions = lacking * rate
    return pd.DataFrame(
        {
            "group": gaps["group"].to_numpy(),
            "product": gaps["product"].to_numpy(),
            "customers": gaps["customers"].to_numpy(dtype=np.int64),
            "lacking": lacking,
            "conversion_rate": rate,
            "value_per_customer": value,
            "expected_conversions": conversions,
            "opportunity_value": conversions * value,
            "gap_customers": gaps["gap_customers"].to_numpy(dtype=np.int64),
            "gap_value": gaps["gap_customers"].to_numpy(dtype=float) * value,
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
    """Return the totals of ``opportunity_sizing``: lacking, conversions, opportunity and gap value."""
    return sizing[["lacking", "expected_conversions", "opportunity_value", "gap_customers", "gap_value"]].sum()


def _closure_words(closure: float, lang: str) -> str:
    words = {1.0: ("the whole", "全部"), 0.5: ("half the", "一半"), 0.25: ("a quarter of the", "四分之一")}
    if closure in words:
        return words[closure][1 if lang == "zh" else 0]
    return f"{closure:.0%}" if lang == "zh" else f"{closure:.0%} of the"


def opportunity_headline(sizing: pd.DataFrame, lang: str = "en", closure: float = 0.5) -> str:
    """Return one plain-language sentence on the biggest opportunity.

    The sentence is about closing ``closure`` of the largest gap to the benchmark when there
    is one, else about converting non-holders at the configured rate.

    Parameters
    ----------
    sizing : pandas.DataFrame
        From ``opportunity_sizing``.
    lang : {"en", "zh"}
    closure : float
        Share of the gap closed (0.5 reads "half").

    Examples
    --------
    >>> sizing = pd.DataFrame({"group": ["affluent"], "product": ["wealth_management"], "customers": [5000],
    ...     "lacking": [3000], "conversion_rate": [0.08], "value_per_customer": [1200.0],
    ...     "expected_conversions": [240.0], "opportunity_value": [288000.0], "gap_customers": [1000],
    ...     "gap_value": [1.2e6]})
    >>> opportunity_headline(sizing)
    'Closing half the wealth management gap in the affluent segment (about 500 customers) is worth about ¥600K a year.'
    >>> opportunity_headline(sizing, "zh")
    '在affluent客群中补上一半的理财缺口（约500名客户），每年价值约¥60万。'
    """
    if sizing.empty:
        return "No product data." if lang != "zh" else "没有产品数据。"
    if (sizing["gap_value"] > 0).any():
        row = sizing.loc[sizing["gap_value"].idxmax()]
        customers = format_count(row["gap_customers"] * closure, lang)
        money = format_money(row["gap_value"] * closure, lang)
        name = product_name(row["product"], lang)
        if lang == "zh":
            return (
                f"在{row['group']}客群中补上{_closure_words(closure, lang)}的{name}缺口（约{customers}名客户），"
                f"每年价值约{money}。"
            )
        return (
            f"Closing {_closure_words(closure, lang)} {name} gap in the {row['group']} segment "
            f"(about {customers} customers) is worth about {money} a year."
        )
    if not (sizing["opportunity_value"] > 0).any():
        return "No opportunity above zero with these settings." if lang != "zh" else "按当前设定没有正的机会价值。"
    row = sizing.loc[sizing["opportunity_value"].idxmax()]
    name = product_name(row["product"], lang)
    lacking = format_count(row["lacking"], lang)
    rate = format_share(row["conversion_rate"])
    money = format_money(row["opportunity_value"], lang)
    if lang == "zh":
        return f"最大的机会：{row['group']}客群中{lacking}名客户未持有{name}，按{rate}的转化率，每年价值约{money}。"
    return (
        f"The biggest opportunity is {name} in the {row['group']} segment: {lacking} customers lack it; "
        f"at {rate} conversion that is worth about {money} a year."
    )
