"""Which canonical field each uploaded column holds, and which table a file is.

Headers are compared after ``normalised_header``: NFKC (full-width letters, digits and
brackets become ASCII), lower case, bracketed units removed, spaces and punctuation
dropped. So ``Cust ID``, ``cust_id``, ``ＣＵＳＴ－ＩＤ`` and ``客户ID（必填）`` all read as one
name. A ``Mapping`` records the decision (and the read settings) as JSON so next month's
extract of the same layout is loaded the same way.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from crm_core.contract import PRODUCTS, TABLES, product_flag_column
from crm_core.loading.errors import LoadError
from crm_core.loading.options import DATE_ORDERS, TABLE_NAMES
from crm_core.loading.values import is_boolean_like

EVENT_DATE = "event_date"
"""Pseudo-field of activity files with one row per transaction: the transaction date."""

_CUSTOMER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id",
        "cust_id",
        "customer_no",
        "customer_number",
        "client_id",
        "client_no",
        "id",
        "客户号",
        "客户编号",
        "客户id",
        "客户代码",
        "客户号码",
        "客户编码",
        "客户账号",
    ),
    "aum": (
        "aum",
        "balance",
        "assets",
        "total_assets",
        "aum_balance",
        "financial_assets",
        "金融资产",
        "资产余额",
        "月日均资产",
        "月日均",
        "总资产",
        "管理资产",
        "资产",
        "aum余额",
        "月日均aum",
        "金融资产余额",
        "客户资产",
    ),
    "branch": (
        "branch",
        "branch_name",
        "sub_branch",
        "网点",
        "支行",
        "机构",
        "所属网点",
        "所属支行",
        "开户网点",
        "营业网点",
        "机构名称",
        "所属机构",
        "网点名称",
    ),
    "city": ("city", "城市", "所在城市", "所属城市", "地市"),
    "relationship_manager": (
        "relationship_manager",
        "rm",
        "rm_id",
        "manager",
        "account_manager",
        "客户经理",
        "理财经理",
        "管户经理",
        "客户经理号",
    ),
    "age": ("age", "年龄", "客户年龄"),
    "gender": ("gender", "sex", "性别"),
    "open_date": (
        "open_date",
        "opening_date",
        "account_open_date",
        "customer_since",
        "开户日期",
        "开户时间",
        "建档日期",
    ),
    "tenure_months": ("tenure", "tenure_months", "months_on_book", "开户月数", "在行月数", "客户时长"),
    "aum_avg_3m": ("aum_avg_3m", "aum_3m", "近三月日均", "季日均", "三个月日均", "季日均资产"),
    "aum_avg_12m": ("aum_avg_12m", "aum_12m", "年日均", "年日均资产"),
    "aum_12m_ago": ("aum_12m_ago", "aum_last_year", "去年同期资产", "上年同期资产"),
    "deposit_balance": ("deposit_balance", "deposits", "存款余额", "存款"),
    "deposit_balance_12m_ago": ("deposit_balance_12m_ago", "deposits_last_year", "去年同期存款", "上年同期存款余额"),
    "investment_balance": ("investment_balance", "investments", "投资余额", "理财余额", "投资资产"),
    "loan_balance": ("loan_balance", "loans_outstanding", "贷款余额"),
    "annual_income": ("annual_income", "income", "estimated_salary", "estimatedsalary", "salary", "年收入", "收入"),
    "annual_contribution": ("annual_contribution", "contribution", "综合贡献", "年贡献", "贡献度", "综合贡献度"),
    "risk_level": ("risk_level", "risk", "risk_rating", "risk_grade", "风险等级", "风险评级", "风险承受能力"),
    "satisfaction": ("satisfaction", "satisfaction_score", "csat", "满意度", "满意度评分"),
    "complaints_12m": ("complaints_12m", "complaints", "complain", "投诉次数", "投诉", "近一年投诉次数"),
    "is_payroll": ("is_payroll",),
    "churned": ("churned", "churn", "exited", "attrition", "attrited", "is_churned", "流失", "是否流失", "流失标志"),
    "closed_date": ("closed_date", "close_date", "closing_date", "销户日期", "销户时间"),
    "num_products": (
        "num_products",
        "number_of_products",
        "numofproducts",
        "products_count",
        "产品数",
        "持有产品数",
        "产品数量",
    ),
}

_PRODUCT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "savings_deposit": ("savings_deposit", "savings", "current_account", "活期", "储蓄", "活期存款", "储蓄存款"),
    "time_deposit": ("time_deposit", "term_deposit", "fixed_deposit", "定期", "定期存款"),
    "debit_card": ("debit_card", "借记卡"),
    "credit_card": ("credit_card", "crcard", "cr_card", "信用卡"),
    "wealth_management": ("wealth_management", "wealth", "理财", "理财产品"),
    "funds": ("funds", "fund", "mutual_fund", "基金"),
    "insurance": ("insurance", "保险"),
    "mortgage": ("mortgage", "housing", "housing_loan", "home_loan", "房贷", "住房贷款", "按揭", "个人住房贷款"),
    "consumer_loan": ("consumer_loan", "loan", "personal_loan", "消费贷", "消费贷款", "个人消费贷款"),
    "payroll_service": ("payroll_service", "payroll", "代发", "代发工资", "是否代发", "工资代发"),
}

_ACTIVITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": _CUSTOMER_SYNONYMS["customer_id"],
    "month": ("month", "period", "yearmonth", "year_month", "月份", "统计月份", "数据月份", "交易月份"),
    EVENT_DATE: ("date", "txn_date", "transaction_date", "trade_date", "event_date", "交易日期", "交易时间", "日期"),
    "channel": ("channel", "渠道", "交易渠道", "channel_name"),
    "transactions": ("transactions", "txn_count", "transaction_count", "count", "交易笔数", "笔数", "交易次数"),
    "amount": ("amount", "txn_amount", "transaction_amount", "交易金额", "金额"),
}

_HOLDING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": _CUSTOMER_SYNONYMS["customer_id"],
    "product": ("product", "product_name", "product_type", "产品", "产品名称", "产品类型", "产品类别"),
    "balance": ("balance", "product_balance", "余额", "产品余额", "持有金额"),
    "open_date": ("open_date", "opening_date", "开户日期", "购买日期", "签约日期"),
}

_FLAG_PREFIXES = ("是否持有", "是否开通", "是否有", "是否", "持有", "has", "is", "flag")


def normalised_header(header: str) -> str:
    """Return a header reduced for comparison: NFKC, lower case, no brackets' content, no punctuation or spaces.

    Examples
    --------
    >>> normalised_header("  Cust-ID ") == normalised_header("ＣＵＳＴ＿ＩＤ") == "custid"
    True
    >>> normalised_header("月日均资产（元）")
    '月日均资产'
    """
    text = unicodedata.normalize("NFKC", str(header)).lower().strip()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\W_]+", "", text)


def _lookup(synonyms: dict[str, tuple[str, ...]]) -> MappingProxyType:
    table = {}
    for target, words in synonyms.items():
        for word in words:
            table.setdefault(normalised_header(word), target)
    return MappingProxyType(table)


_CUSTOMER_LOOKUP = _lookup(_CUSTOMER_SYNONYMS)
_PRODUCT_LOOKUP = _lookup(_PRODUCT_SYNONYMS)
_ACTIVITY_LOOKUP = _lookup(_ACTIVITY_SYNONYMS)
_HOLDING_LOOKUP = _lookup(_HOLDING_SYNONYMS)


def product_of(name: str) -> str | None:
    """Return the catalogue product a header or cell names (``信用卡`` -> ``credit_card``), else None."""
    key = normalised_header(name)
    for candidate in (key, *(key[len(p) :] for p in _FLAG_PREFIXES if key.startswith(p) and len(key) > len(p))):
        if candidate in _PRODUCT_LOOKUP:
            return _PRODUCT_LOOKUP[candidate]
    return None


def flag_name(header: str) -> str:
    """Return ``has_<slug>`` for a yes/no column naming no catalogue product (``Has Safe Box`` -> ``has_safe_box``)."""
    slug = re.sub(r"[\W_]+", "_", unicodedata.normalize("NFKC", header).lower()).strip("_") or "flag"
    slug = slug.removeprefix("has_")
    return product_flag_column(slug)


def suggested_field(table: str, header: str) -> str | None:
    """Return the canonical field a header names in a table, or None.

    Examples
    --------
    >>> suggested_field("customers", "客户编号"), suggested_field("customers", "AUM (CNY)")
    ('customer_id', 'aum')
    >>> suggested_field("customers", "是否持有信用卡")
    'has_credit_card'
    """
    key = normalised_header(header)
    if table == "customers":
        if key in _CUSTOMER_LOOKUP:
            return _CUSTOMER_LOOKUP[key]
        product = product_of(header)
        return product_flag_column(product) if product else None
    lookup = _ACTIVITY_LOOKUP if table == "activity" else _HOLDING_LOOKUP
    return lookup.get(key)


def _looks_like_flag(column: str, values: pd.Series) -> bool:
    """A yes/no column whose header reads like a holding (是否… / has… / is…).

    Other yes/no columns (a campaign outcome, a credit default flag) are not products: they stay
    unmapped unless the user maps them, so they never inflate products per customer.
    """
    return is_boolean_like(values) and normalised_header(column).startswith(_FLAG_PREFIXES)


def suggested_columns(table: str, columns: tuple[str, ...], sample: pd.DataFrame | None = None) -> dict[str, str]:
    """Return ``{column: field}`` for the columns of a file read as ``table``.

    Each field goes to the first column that names it. In a customers file an unmatched
    column whose sample values are all yes/no words becomes ``has_<its normalised name>``.
    """
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        target = suggested_field(table, column)
        if target and target not in taken:
            chosen[column] = target
            taken.add(target)
    if table == "customers" and sample is not None:
        for column in columns:
            if column in chosen or column not in sample.columns:
                continue
            target = flag_name(column)
            if target not in taken and _looks_like_flag(column, sample[column]):
                chosen[column] = target
                taken.add(target)
    return chosen


def guessed_table(columns: tuple[str, ...]) -> str:
    """Return which table a file's columns describe: "activity", "holdings" or "customers".

    Activity needs a channel and a month or transaction date; holdings need a product
    column and no AUM; everything else is read as customers.
    """
    activity = set(suggested_columns("activity", columns).values())
    if "channel" in activity and ({"month", EVENT_DATE} & activity):
        return "activity"
    holdings = suggested_columns("holdings", columns)
    others = tuple(column for column in columns if column not in holdings)
    if "product" in holdings.values() and "aum" not in suggested_columns("customers", others).values():
        return "holdings"
    return "customers"


def known_fields(table: str) -> tuple[str, ...]:
    """Return the fields a mapping may target in a table (``has_<product>`` flags come on top for customers)."""
    names = tuple(f.name for f in TABLES[table])
    if table == "customers":
        return names + tuple(product_flag_column(p) for p in PRODUCTS)
    if table == "activity":
        return (*names, EVENT_DATE)
    return names


@dataclass(frozen=True)
class Mapping:
    """How one file layout maps onto a canonical table, plus how to read it.

    Parameters
    ----------
    table : {"customers", "activity", "holdings"}
        The canonical table the file fills.
    columns : tuple of (str, str)
        ``(file column, canonical field)`` pairs; columns not listed are ignored.
    encoding, delimiter, sheet, date_order : optional
        Read settings to reuse; ``None`` means detect.
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    date_order: str | None = None

    def __post_init__(self) -> None:
        problems = _mapping_problems(self)
        if problems:
            raise LoadError("invalid mapping: " + "; ".join(problems))

    @property
    def fields(self) -> dict[str, str]:
        """Return ``{file column: canonical field}``."""
        return dict(self.columns)

    def column_for(self, field_name: str) -> str | None:
        """Return the file column mapped to a field, or None."""
        return next((column for column, target in self.columns if target == field_name), None)

    def to_dict(self) -> dict:
        """Return a JSON-able dict (``columns`` as an object, file column -> field)."""
        return {
            "table": self.table,
            "columns": dict(self.columns),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "date_order": self.date_order,
        }

    def to_json(self) -> str:
        """Return the mapping as indented JSON (UTF-8 text, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: object) -> Mapping:
        """Return a mapping from ``to_dict`` output, or raise ``LoadError`` saying what is wrong."""
        if not isinstance(data, dict):
            raise LoadError(f"invalid mapping: expected a JSON object, got {type(data).__name__}")
        unknown = set(data) - {"table", "columns", "encoding", "delimiter", "sheet", "date_order"}
        if unknown:
            raise LoadError(f"invalid mapping: unknown keys {sorted(unknown)}")
        columns = data.get("columns")
        if not isinstance(columns, dict):
            raise LoadError("invalid mapping: 'columns' must be an object of file column -> canonical field")
        return cls(
            table=data.get("table"),  # type: ignore[arg-type]
            columns=tuple(columns.items()),
            encoding=data.get("encoding"),
            delimiter=data.get("delimiter"),
            sheet=data.get("sheet"),
            date_order=data.get("date_order"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Mapping:
        """Return a mapping saved by ``to_json``, or raise ``LoadError`` if it is malformed."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as error:
            raise LoadError(f"invalid mapping: not JSON ({error})") from None
        return cls.from_dict(data)


def _mapping_problems(mapping: Mapping) -> list[str]:
    if mapping.table not in TABLE_NAMES:
        return [f"table must be one of {', '.join(TABLE_NAMES)}, got {mapping.table!r}"]
    problems = []
    allowed = known_fields(mapping.table)
    seen: set[str] = set()
    for pair in mapping.columns:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            problems.append(f"column entry {pair!r} is not a (file column, field) pair of strings")
            continue
        column, target = pair
        is_flag = mapping.table == "customers" and re.fullmatch(r"has_\w+", target) is not None
        if target not in allowed and not is_flag:
            problems.append(f"column {column!r} maps to unknown {mapping.table} field {target!r}")
        if target in seen:
            problems.append(f"field {target!r} is mapped from more than one column")
        seen.add(target)
    if mapping.encoding is not None and not isinstance(mapping.encoding, str):
        problems.append("encoding must be a string or null")
    if mapping.delimiter is not None and not (isinstance(mapping.delimiter, str) and len(mapping.delimiter) == 1):
        problems.append("delimiter must be one character or null")
    if mapping.sheet is not None and not isinstance(mapping.sheet, (str, int)):
        problems.append("sheet must be a name, a 0-based position or null")
    if mapping.date_order is not None and mapping.date_order not in DATE_ORDERS:
        problems.append(f"date_order must be one of {', '.join(DATE_ORDERS)} or null")
    return problems


def suggested_mapping(table: str, columns: tuple[str, ...], sample: pd.DataFrame | None = None) -> Mapping:
    """Return a ``Mapping`` of the suggested fields (read settings left to detection)."""
    return Mapping(table=table, columns=tuple(suggested_columns(table, columns, sample).items()))
