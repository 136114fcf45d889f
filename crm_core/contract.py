"""The canonical data contract: three tables every view reads.

The contract is defined once, here, as data. Loaders map uploaded columns onto these
fields; the documentation in ``docs/data_contract.md`` is written from the same
definitions (``contract_markdown``), so code and docs cannot drift apart.

Tables
------
customers
    One row per customer. Required: ``customer_id``, ``aum``.
activity
    Monthly transaction counts per customer and channel.
holdings
    Optional long form of product holdings, equivalent to ``has_<product>`` flags.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS: tuple[str, ...] = ("counter", "atm", "mobile", "online", "phone")
"""Channels in a fixed order; a channel's position is its integer code."""

DIGITAL_CHANNELS: tuple[str, ...] = ("mobile", "online")
"""Channels that count as digital (mobile banking app, internet banking)."""

PRODUCTS: tuple[str, ...] = (
    "savings_deposit",
    "time_deposit",
    "debit_card",
    "credit_card",
    "wealth_management",
    "funds",
    "insurance",
    "mortgage",
    "consumer_loan",
    "payroll_service",
)
"""The product catalogue of the sample; uploads may add their own ``has_<product>`` columns."""


def channel_count_column(channel: str) -> str:
    """Return the customers-table column counting a channel's transactions, e.g. ``counter_transactions``."""
    return f"{channel}_transactions"


VALUE_MEASURES: tuple[str, ...] = (
    "aum",
    "deposit_balance",
    "investment_balance",
    "credit_limit",
    "annual_spend",
    "annual_income",
    "annual_contribution",
)
"""Numeric customer fields that can rank customers into tiers and value scores, preferred first.

When an extract has no AUM column, the first mapped measure (or the one the mapping names in
``value_measure``) stands in for ``aum``; ``Mapping.value_measure`` records which one.
"""


@dataclass(frozen=True)
class Field:
    """One field of a canonical table.

    Parameters
    ----------
    name : str
        Canonical column name.
    dtype : str
        One of ``"string"``, ``"float"``, ``"int"``, ``"bool"``, ``"date"``, ``"month"``.
    unit : str
        Unit or value domain, in words.
    required : bool
        Whether a load fails without it.
    description : str
        What the field means to a bank manager.
    when_absent : str
        How the field is derived, or what is hidden, when the upload lacks it.
    """

    name: str
    dtype: str
    unit: str
    required: bool
    description: str
    when_absent: str


CUSTOMER_FIELDS: tuple[Field, ...] = (
    Field(
        "customer_id",
        "string",
        "identifier",
        True,
        "Unique customer number (客户号).",
        "Generated from the row number, with a visible warning.",
    ),
    Field(
        "aum",
        "float",
        "CNY",
        True,
        "Assets under management: deposits plus investments; prefer the monthly average daily balance (月日均).",
        "Another value measure (credit limit, balance, income, spend) stands in; load stops if none is mapped.",
    ),
    Field(
        "branch",
        "string",
        "name",
        False,
        "Home branch or sub-branch (网点/支行).",
        "All customers in one branch called 'All'.",
    ),
    Field("city", "string", "name", False, "City of the home branch.", "All customers in one city called 'All'."),
    Field(
        "relationship_manager",
        "string",
        "identifier",
        False,
        "Assigned relationship manager (客户经理).",
        "Staff views fall back to branch level.",
    ),
    Field("age", "int", "years", False, "Age in years.", "Age bands hidden."),
    Field("gender", "string", "F / M", False, "Gender.", "Hidden."),
    Field(
        "open_date",
        "date",
        "date",
        False,
        "Date the relationship started (开户日期).",
        "Derived from tenure_months when present.",
    ),
    Field(
        "tenure_months",
        "int",
        "months",
        False,
        "Months since open_date.",
        "Derived from open_date and the last activity month.",
    ),
    Field("aum_avg_3m", "float", "CNY", False, "Average AUM of the last 3 months.", "Current aum is used."),
    Field("aum_avg_12m", "float", "CNY", False, "Average AUM of the last 12 months (年日均).", "Current aum is used."),
    Field(
        "aum_12m_ago",
        "float",
        "CNY",
        False,
        "AUM twelve months before the extract date.",
        "AUM trend and AUM deltas hidden.",
    ),
    Field("deposit_balance", "float", "CNY", False, "Deposit balance.", "Hidden."),
    Field(
        "deposit_balance_12m_ago",
        "float",
        "CNY",
        False,
        "Deposit balance twelve months before the extract date.",
        "Deposit growth hidden.",
    ),
    Field("investment_balance", "float", "CNY", False, "Wealth, fund and insurance balance.", "Hidden."),
    Field("loan_balance", "float", "CNY", False, "Outstanding loans (not part of AUM).", "Hidden."),
    Field("annual_income", "float", "CNY per year", False, "Customer's declared annual income.", "Hidden."),
    Field(
        "annual_contribution",
        "float",
        "CNY per year",
        False,
        "Profit the customer brings the bank per year (综合贡献).",
        "Value views use AUM instead.",
    ),
    Field(
        "risk_level",
        "int",
        "1 (cautious) to 5 (aggressive)",
        False,
        "Risk tolerance from the suitability test.",
        "Suitability guardrail applies the most cautious level.",
    ),
    Field("satisfaction", "float", "1 to 5", False, "Latest satisfaction survey score.", "Hidden."),
    Field("complaints_12m", "int", "count", False, "Complaints in the last 12 months.", "Hidden."),
    Field(
        "is_payroll",
        "bool",
        "yes / no",
        False,
        "Salary paid through the bank (代发工资).",
        "Taken from has_payroll_service when present.",
    ),
    Field(
        "churned",
        "bool",
        "yes / no",
        False,
        "Relationship closed or dormant by the bank's definition.",
        "Derived from closed_date when present.",
    ),
    Field("closed_date", "date", "date", False, "Date the relationship closed.", "Churn views hidden."),
    Field(
        "num_products",
        "int",
        "count",
        False,
        "Number of products held.",
        "Counted from has_<product> flags or the holdings table.",
    ),
)

PLACE_NAME_FIELDS: tuple[Field, ...] = (
    Field(
        "branch_zh",
        "string",
        "name",
        False,
        "Chinese name of the home branch (网点名称, e.g. 杭州西湖支行) when branch holds a code or pinyin.",
        "Screens and reports in Chinese show the branch value itself.",
    ),
    Field(
        "city_zh",
        "string",
        "name",
        False,
        "Chinese name of the city (e.g. 杭州) when city holds pinyin.",
        "Screens and reports in Chinese show the city value itself.",
    ),
)
"""Display names of the units in Chinese: shown in place of ``branch`` and ``city`` in Chinese
(``crm_core.places.place_names``), never grouped by, and left out of the data-completeness measure."""

EXTRACT_FIELDS: tuple[Field, ...] = (
    Field(
        "credit_limit",
        "float",
        "CNY",
        False,
        "Credit limit granted; a value measure for tiers when the extract has no AUM.",
        "Hidden.",
    ),
    Field(
        "annual_spend",
        "float",
        "CNY per year",
        False,
        "Card or account spend over the last 12 months; a value measure when the extract has no AUM.",
        "Hidden.",
    ),
    Field("income_band", "string", "band", False, "Income band as the bank records it (e.g. $60K - $80K).", "Hidden."),
    Field("segment", "string", "name", False, "The bank's own customer segment (segmento, 客户分层).", "Hidden."),
    Field(
        "region",
        "string",
        "name",
        False,
        "Province, region or country of the customer (nomprov, Geography, 省份).",
        "Suggested as branch when the file has no branch column.",
    ),
    Field(
        "active_member",
        "bool",
        "yes / no",
        False,
        "The bank's own active-customer flag (IsActiveMember, ind_actividad_cliente); not a product.",
        "Hidden.",
    ),
    *(
        Field(
            channel_count_column(channel),
            "int",
            "count",
            False,
            f"Transactions, visits or calls in the {channel} channel over the extract's period.",
            "Channel mix read from the activity table.",
        )
        for channel in CHANNELS
    ),
)
"""Customer fields that public extract shapes carry (credit cards, Santander, Churn_Modelling): kept when
mapped, loaded like the others, and left out of the data-completeness measure (most banks lack them)."""

ACTIVITY_FIELDS: tuple[Field, ...] = (
    Field("customer_id", "string", "identifier", True, "Customer number, as in the customers table.", "Row rejected."),
    Field(
        "month",
        "month",
        "first day of month",
        True,
        "Calendar month of the transactions.",
        "Event dates are truncated to the month.",
    ),
    Field("channel", "string", " / ".join(CHANNELS), True, "Where the transactions happened.", "Row rejected."),
    Field(
        "transactions",
        "int",
        "count",
        True,
        "Number of transactions in that month and channel.",
        "Event-level files count one per row.",
    ),
    Field("amount", "float", "CNY", False, "Value of those transactions.", "Hidden."),
)

HOLDING_FIELDS: tuple[Field, ...] = (
    Field("customer_id", "string", "identifier", True, "Customer number.", "Row rejected."),
    Field("product", "string", "product name", True, "Product held.", "Row rejected."),
    Field("balance", "float", "CNY", False, "Balance in the product.", "Hidden."),
    Field(
        "open_date", "date", "date", False, "Date the product was opened.", "Product deltas against a year ago hidden."
    ),
    Field(
        "close_date",
        "date",
        "date",
        False,
        "Date the product was closed (a closed holding stays in the extract with its date).",
        "Holdings a year ago are today's holdings opened before then: products closed during the year are missing "
        "and the change in products held is overstated (stated on the Overview).",
    ),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "customers": CUSTOMER_FIELDS + PLACE_NAME_FIELDS + EXTRACT_FIELDS,
    "activity": ACTIVITY_FIELDS,
    "holdings": HOLDING_FIELDS,
}


def product_flag_column(product: str) -> str:
    """Return the customers-table column that flags a product, e.g. ``has_funds``."""
    return f"has_{product}"


def required_fields(table: str) -> tuple[str, ...]:
    """Return the names of the required fields of a canonical table."""
    return tuple(f.name for f in TABLES[table] if f.required)


def contract_markdown() -> str:
    """Return the contract as Markdown tables, the source of ``docs/data_contract.md``."""
    lines = []
    for table, fields in TABLES.items():
        lines += [
            f"## {table}",
            "",
            "| field | type | unit | required | meaning | when absent |",
            "|---|---|---|---|---|---|",
        ]
        for f in fields:
            required = "yes" if f.required else "no"
            lines.append(f"| `{f.name}` | {f.dtype} | {f.unit} | {required} | {f.description} | {f.when_absent} |")
        lines.append("")
    lines += [
        "Product flags: any `has_<product>` boolean column in customers is a product holding; "
        "the sample's products are " + ", ".join(f"`{p}`" for p in PRODUCTS) + ".",
        "",
    ]
    return "\n".join(lines)
