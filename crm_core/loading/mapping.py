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

from crm_core.contract import PRODUCTS, TABLES, VALUE_MEASURES, channel_count_column, product_flag_column
from crm_core.loading.errors import LoadError
from crm_core.loading.options import DATE_ORDERS, TABLE_NAMES
from crm_core.loading.values import is_boolean_like, parse_numbers
from crm_core.messages import Message, Term

EVENT_DATE = "event_date"
"""Pseudo-field of activity files with one row per transaction: the transaction date."""

SNAPSHOT_DATE = "snapshot_date"
"""Pseudo-field of customers files holding several snapshots (Santander's ``fecha_dato``): which row is latest."""

BIRTH_DATE = "birth_date"
"""Pseudo-field of customers files: the birth date, from which ``age`` is derived."""

TENURE_YEARS = "tenure_years"
"""Pseudo-field of customers files whose tenure counts years (Churn_Modelling's ``Tenure``): x 12 into months."""

MONTHLY_INCOME = "monthly_income"
"""Pseudo-field of customers files whose income is monthly (``renda_mensal``, 月收入): x 12 into ``annual_income``."""

CUSTOMER_PSEUDO_FIELDS: tuple[str, ...] = (SNAPSHOT_DATE, BIRTH_DATE, TENURE_YEARS, MONTHLY_INCOME)
"""Fields a customers mapping may target that are read, used and not kept as columns."""

CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")
"""How sure a suggestion is: a known header; a header recognised from its parts or its values; a guess."""

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
        "clientnum",
        "customer_key",
        "ncodpers",
        "codigo_cliente",
        "id_cliente",
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
        "saldo",
        "saldo_medio",
        "saldo_total",
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
    "branch_zh": (
        "branch_zh",
        "branch_name_zh",
        "branch_cn",
        "branch_name_cn",
        "branch_chinese",
        "chinese_branch_name",
        "网点中文名",
        "网点中文名称",
        "支行中文名",
        "支行中文名称",
        "中文网点名称",
        "中文支行名称",
    ),
    "city_zh": ("city_zh", "city_name_zh", "city_cn", "city_chinese", "城市中文名", "城市中文名称", "中文城市名称"),
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
    "age": ("age", "customer_age", "edad", "idade", "年龄", "客户年龄"),
    "gender": ("gender", "sex", "sexo", "genero", "gênero", "性别"),
    "open_date": (
        "open_date",
        "opening_date",
        "account_open_date",
        "customer_since",
        "开户日期",
        "开户时间",
        "建档日期",
        "fecha_alta",
        "data_abertura",
        "data_adesao",
    ),
    "tenure_months": (
        "tenure_months",
        "months_on_book",
        "antiguedad",
        "antigüedad",
        "meses_cliente",
        "开户月数",
        "在行月数",
    ),
    "aum_avg_3m": ("aum_avg_3m", "aum_3m", "近三月日均", "季日均", "三个月日均", "季日均资产"),
    "aum_avg_12m": ("aum_avg_12m", "aum_12m", "年日均", "年日均资产"),
    "aum_12m_ago": ("aum_12m_ago", "aum_last_year", "去年同期资产", "上年同期资产"),
    "deposit_balance": ("deposit_balance", "deposits", "存款余额", "存款"),
    "deposit_balance_12m_ago": ("deposit_balance_12m_ago", "deposits_last_year", "去年同期存款", "上年同期存款余额"),
    "investment_balance": ("investment_balance", "investments", "投资余额", "理财余额", "投资资产"),
    "loan_balance": ("loan_balance", "loans_outstanding", "贷款余额"),
    "annual_income": (
        "annual_income",
        "income",
        "estimated_salary",
        "estimatedsalary",
        "salary",
        "renta",
        "renda",
        "ingresos",
        "年收入",
        "收入",
    ),
    "annual_contribution": ("annual_contribution", "contribution", "综合贡献", "年贡献", "贡献度", "综合贡献度"),
    "risk_level": ("risk_level", "risk", "risk_rating", "risk_grade", "风险等级", "风险评级", "风险承受能力"),
    "satisfaction": ("satisfaction", "satisfaction_score", "csat", "满意度", "满意度评分"),
    "complaints_12m": ("complaints_12m", "complaints", "complain", "投诉次数", "投诉", "近一年投诉次数"),
    "is_payroll": ("is_payroll",),
    "churned": (
        "churned",
        "churn",
        "exited",
        "attrition",
        "attrition_flag",
        "attrited",
        "is_churned",
        "churn_flag",
        "baja",
        "流失",
        "是否流失",
        "流失标志",
    ),
    "closed_date": ("closed_date", "close_date", "closing_date", "销户日期", "销户时间"),
    "num_products": (
        "num_products",
        "number_of_products",
        "numofproducts",
        "products_count",
        "产品数",
        "持有产品数",
        "产品数量",
        "num_of_products",
        "total_relationship_count",
        "numero_productos",
    ),
    "credit_limit": ("credit_limit", "avg_credit_limit", "limite_credito", "limite_de_credito", "信用额度", "授信额度"),
    "annual_spend": ("annual_spend", "total_trans_amt", "spend", "gasto", "年消费", "年消费金额", "消费金额"),
    "income_band": ("income_band", "income_category", "income_bracket", "收入区间", "收入等级", "收入档次"),
    "segment": ("segment", "segmento", "segmento_cliente", "customer_segment", "客户分层", "客户层级", "客户等级"),
    "region": (
        "region",
        "geography",
        "country",
        "province",
        "location",
        "nomprov",
        "provincia",
        "estado",
        "pais",
        "省份",
        "省",
        "地区",
        "区域",
        "所属地区",
        "所属区域",
    ),
    "active_member": ("active_member", "is_active_member", "isactivemember", "ind_actividad_cliente", "活跃客户"),
    SNAPSHOT_DATE: ("snapshot_date", "fecha_dato", "data_date", "extract_date", "数据日期", "快照日期"),
    BIRTH_DATE: (
        "birth_date",
        "date_of_birth",
        "dob",
        "birthday",
        "fecha_nacimiento",
        "data_nascimento",
        "出生日期",
        "生日",
    ),
    TENURE_YEARS: ("tenure_years", "years_with_bank", "years_on_book", "客户年限", "开户年限", "在行年限"),
    MONTHLY_INCOME: (
        "monthly_income",
        "monthly_salary",
        "renda_mensal",
        "renta_mensual",
        "ingreso_mensual",
        "ingresos_mensuales",
        "salario_mensal",
        "salario_mensual",
        "月收入",
        "月均收入",
        "月薪",
        "月工资",
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
    "channel": ("channel", "渠道", "交易渠道", "channel_name", "canal"),
    "transactions": ("transactions", "txn_count", "transaction_count", "count", "交易笔数", "笔数", "交易次数"),
    "amount": ("amount", "txn_amount", "transaction_amount", "交易金额", "金额"),
}

_HOLDING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": _CUSTOMER_SYNONYMS["customer_id"],
    "product": ("product", "product_name", "product_type", "产品", "产品名称", "产品类型", "产品类别"),
    "balance": ("balance", "product_balance", "余额", "产品余额", "持有金额"),
    "open_date": ("open_date", "opening_date", "开户日期", "购买日期", "签约日期"),
    "close_date": ("close_date", "closed_date", "closing_date", "end_date", "销户日期", "关闭日期", "解约日期"),
}

_FLAG_PREFIXES = ("是否持有", "是否开通", "是否有", "是否", "持有", "has", "is", "flag")

_WIDE_FLAG = re.compile(r"^ind_(?P<product>\w+?)(?:_fin)?_ult1$")
"""Santander's wide product flags: ``ind_tjcr_fin_ult1`` holds product ``tjcr``, ``ind_recibo_ult1`` ``recibo``."""

_TENURE_WORDS = ("tenure", "客户时长", "在行时长", "开户时长")
"""Tenure headers that do not say their unit: the values decide (years when none exceeds ``TENURE_YEARS_UP_TO``)."""

TENURE_YEARS_UP_TO = 20
"""A tenure column without a unit whose values never exceed this counts years (Churn_Modelling: 0-10)."""

_COUNT_WORDS = ("visits", "visit", "calls", "call", "count", "ct", "cnt", "times", "次数", "笔数", "交易量", "访问")
_CHANNEL_PARTS: dict[str, tuple[str, ...]] = {
    "counter": ("visitsbank", "bankvisits", "branchvisits", "visitsbranch", "counter", "柜面", "柜台", "网点", "临柜"),
    "atm": ("atm", "自助"),
    "mobile": ("mobile", "app", "手机银行", "手机", "掌上银行"),
    "online": ("online", "internet", "web", "网银", "网上银行"),
    "phone": ("calls", "call", "phone", "电话"),
}
"""Channel words inside a per-channel count header (``Total_visits_online``, ``手机银行交易笔数``)."""

_NOT_A_NAME = ("日期", "时间", "date", "电话", "phone", "mobile", "手机")
"""Parts that make a header a date or a contact detail, not the unit or manager it mentions."""


def normalised_header(header: str) -> str:
    """Return a header reduced for comparison: NFKC, lower case, no brackets' content, no punctuation or spaces.

    Examples
    --------
    >>> normalised_header("  Cust-ID ") == normalised_header("ＣＵＳＴ＿ＩＤ") == "custid"
    True
    >>> normalised_header("月日均资产（元）")
    '月日均资产'
    >>> normalised_header("Agência")  # accents folded: Portuguese and Spanish headers match their plain spelling
    'agencia'
    """
    decomposed = unicodedata.normalize("NFKD", str(header))
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFKC", folded).lower().strip()
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


def _field_from_parts(table: str, key: str) -> str | None:
    """Return the field a normalised header names by its parts (金融资产月日均, 所属机构名称, Total_visits_bank)."""
    if table == "activity":
        return "channel" if any(part in key for part in ("渠道", "交易方式")) and "日期" not in key else None
    if table != "customers":
        return None
    if any(word in key for word in _COUNT_WORDS):
        for channel, parts in _CHANNEL_PARTS.items():
            if any(part in key for part in parts):
                return channel_count_column(channel)
    churn_words = ("流失", "attrit", "churn", "exited")
    if any(word in key for word in churn_words) and not any(w in key for w in ("日期", "date")):
        return "churned"
    if any(word in key for word in ("资产", "aum")):
        if any(word in key for word in ("去年", "上年", "同期")):
            return "aum_12m_ago"
        if "年日均" in key:
            return "aum_avg_12m"
        if any(word in key for word in ("季日均", "三个月", "近三月")):
            return "aum_avg_3m"
        if any(word in key for word in ("日均", "余额", "总额", "规模")):
            return "aum"
    if "月日均" in key or key.startswith("saldo"):
        return "aum"
    if any(word in key for word in ("客户经理", "管户", "理财经理")) and not any(w in key for w in _NOT_A_NAME):
        return "relationship_manager"
    if any(word in key for word in ("网点", "支行", "机构", "分行", "营业部", "sucursal", "agencia")) and not any(
        w in key for w in _NOT_A_NAME
    ):
        return "branch"
    return None


def _wide_flag(header: str) -> str | None:
    """Return ``has_<product>`` for a Santander-style ``ind_<product>_ult1`` header, else None."""
    match = _WIDE_FLAG.match(unicodedata.normalize("NFKC", str(header)).strip().lower())
    if match is None:
        return None
    core = match.group("product")
    return product_flag_column(product_of(core) or re.sub(r"[\W_]+", "_", core).strip("_"))


def suggested_field(table: str, header: str) -> str | None:
    """Return the canonical field a header names in a table, or None.

    Examples
    --------
    >>> suggested_field("customers", "客户编号"), suggested_field("customers", "AUM (CNY)")
    ('customer_id', 'aum')
    >>> suggested_field("customers", "是否持有信用卡")
    'has_credit_card'
    """
    return _suggestion(table, header)[0]


def _suggestion(table: str, header: str) -> tuple[str | None, str]:
    """Return ``(field or None, confidence)`` from the header alone."""
    key = normalised_header(header)
    if table == "customers":
        if key in _CUSTOMER_LOOKUP:
            return _CUSTOMER_LOOKUP[key], "high"
        if key in (normalised_header(word) for word in _TENURE_WORDS):
            return "tenure_months", "medium"  # the unit is decided from the values when a sample is given
        wide = _wide_flag(header)
        if wide:
            return wide, "high"
        product = product_of(header)
        if product:
            return product_flag_column(product), "high"
        return _field_from_parts(table, key), "medium"
    lookup = _ACTIVITY_LOOKUP if table == "activity" else _HOLDING_LOOKUP
    if key in lookup:
        return lookup[key], "high"
    return _field_from_parts(table, key), "medium"


def tenure_unit(values: pd.Series) -> str:
    """Return "years" when no value of a unit-less tenure column exceeds ``TENURE_YEARS_UP_TO``, else "months".

    Examples
    --------
    >>> tenure_unit(pd.Series(["2", "10", "0"])), tenure_unit(pd.Series(["39", "44", "6"]))
    ('years', 'months')
    """
    numbers, _ = parse_numbers(values)
    numbers = numbers.dropna()
    return "years" if len(numbers) and float(numbers.max()) <= TENURE_YEARS_UP_TO else "months"


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
    return {column: field for column, (field, _) in suggestions(table, columns, sample).items()}


def suggestions(table: str, columns: tuple[str, ...], sample: pd.DataFrame | None = None) -> dict[str, tuple[str, str]]:
    """Return ``{column: (field, confidence)}`` for the columns of a file read as ``table``.

    Confidence is one of ``CONFIDENCES``: "high" for a known header, "medium" for a header
    recognised from its parts (``金融资产月日均`` -> ``aum``) or a unit read from the values
    (a ``Tenure`` never above 20 counts years), "low" for a guess (a yes/no column taken as a
    product, a geography column taken as the branch when the file has none).

    Examples
    --------
    >>> suggestions("customers", ("客户号", "金融资产月日均", "Geography"))
    {'客户号': ('customer_id', 'high'), '金融资产月日均': ('aum', 'medium'), 'Geography': ('branch', 'low')}
    """
    chosen: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for column in columns:
        target, confidence = _suggestion(table, column)
        if target and target not in taken:
            chosen[column] = (target, confidence)
            taken.add(target)
        elif table == "customers" and (name := _second_place_name(target, column, sample)) and name not in taken:
            # 网点名称 beside a branch code column: the unit's Chinese name, shown in Chinese.
            chosen[column] = (name, "low")
            taken.add(name)
    if table != "customers":
        return chosen
    unit_less = {normalised_header(word) for word in _TENURE_WORDS}
    for column, (target, _) in list(chosen.items()):
        unit_from_values = target == "tenure_months" and normalised_header(column) in unit_less
        unit_from_values = unit_from_values and sample is not None and column in sample.columns
        if unit_from_values and tenure_unit(sample[column]) == "years":
            chosen[column] = (TENURE_YEARS, "medium")
            taken.discard("tenure_months")
            taken.add(TENURE_YEARS)
    region = next((column for column, (target, _) in chosen.items() if target == "region"), None)
    if region is not None and "branch" not in taken:
        # Without a branch column the views group by geography (a province or a country) rather than by 'All'.
        chosen[region] = ("branch", "low")
        taken.discard("region")
        taken.add("branch")
    if sample is not None:
        for column in columns:
            if column in chosen or column not in sample.columns:
                continue
            target = flag_name(column)
            if target not in taken and _looks_like_flag(column, sample[column]):
                chosen[column] = (target, "low")
                taken.add(target)
    return chosen


def _second_place_name(target: str | None, column: str, sample: pd.DataFrame | None) -> str | None:
    """``branch_zh`` / ``city_zh`` for a further column naming a taken branch or city, when it holds names.

    A name reads as one by its header (名 / 中文 / zh / cn) and, given a sample, by Chinese characters in it.
    """
    if target not in ("branch", "city"):
        return None
    key = normalised_header(column)
    if not any(part in key for part in ("名", "中文", "zh", "cn", "chinese")):
        return None
    if sample is not None and column in sample.columns:
        cells = sample[column].dropna().astype(str)
        if not cells.str.contains(r"[\u4e00-\u9fff]").any():
            return None
    return f"{target}_zh"


def value_measure_of(fields) -> str | None:
    """Return the value measure that stands in for ``aum`` among mapped fields: None when ``aum`` is mapped.

    Examples
    --------
    >>> value_measure_of(["customer_id", "credit_limit", "annual_income"])
    'credit_limit'
    >>> value_measure_of(["customer_id", "monthly_income"])  # annualised on load
    'annual_income'
    """
    fields = set(fields)
    if MONTHLY_INCOME in fields:
        fields.add("annual_income")
    if "aum" in fields:
        return None
    return next((measure for measure in VALUE_MEASURES if measure in fields), None)


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
        return names + CUSTOMER_PSEUDO_FIELDS + tuple(product_flag_column(p) for p in PRODUCTS)
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
    value_measure : str or None
        The mapped field (one of ``VALUE_MEASURES``: credit limit, balance, income, spend) that
        stands in for ``aum`` when no column is mapped to AUM; tiers and value scores then rank
        customers by it and every surface names it. ``None`` with no AUM picks the first mapped
        measure; the report's mapping records the one used.
    churn_values : tuple of str
        Cell values of the ``churned`` column that mean churned, when the words do not say it
        (any other present value then means not churned); compared stripped and case-folded.
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    date_order: str | None = None
    value_measure: str | None = None
    churn_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = _mapping_problems(self)
        if problems:
            raise _invalid(joined(problems))

    @property
    def fields(self) -> dict[str, str]:
        """Return ``{file column: canonical field}``."""
        return dict(self.columns)

    def column_for(self, field_name: str) -> str | None:
        """Return the file column mapped to a field, or None."""
        return next((column for column, target in self.columns if target == field_name), None)

    def to_dict(self) -> dict:
        """Return a JSON-able dict (``columns`` as an object, file column -> field).

        ``value_measure`` and ``churn_values`` appear only when set, so mappings saved before
        they existed keep their text (and their datasets their fingerprints).
        """
        data = {
            "table": self.table,
            "columns": dict(self.columns),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "date_order": self.date_order,
        }
        if self.value_measure is not None:
            data["value_measure"] = self.value_measure
        if self.churn_values:
            data["churn_values"] = list(self.churn_values)
        return data

    def to_json(self) -> str:
        """Return the mapping as indented JSON (UTF-8 text, Chinese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: object) -> Mapping:
        """Return a mapping from ``to_dict`` output, or raise ``LoadError`` saying what is wrong."""
        if not isinstance(data, dict):
            raise _invalid(Message("mapping_problem_not_object", got=type(data).__name__))
        unknown = set(data) - {
            "table",
            "columns",
            "encoding",
            "delimiter",
            "sheet",
            "date_order",
            "value_measure",
            "churn_values",
        }
        if unknown:
            raise _invalid(Message("mapping_problem_unknown_keys", keys=str(sorted(unknown))))
        columns = data.get("columns")
        if not isinstance(columns, dict):
            raise _invalid(Message("mapping_problem_columns_object"))
        churn_values = data.get("churn_values", [])
        if not isinstance(churn_values, list):
            raise _invalid(Message("mapping_problem_churn_values_list"))
        return cls(
            table=data.get("table"),  # type: ignore[arg-type]
            columns=tuple(columns.items()),
            encoding=data.get("encoding"),
            delimiter=data.get("delimiter"),
            sheet=data.get("sheet"),
            date_order=data.get("date_order"),
            value_measure=data.get("value_measure"),
            churn_values=tuple(churn_values),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Mapping:
        """Return a mapping saved by ``to_json``, or raise ``LoadError`` if it is malformed."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as error:
            raise _invalid(Message("mapping_problem_not_json", error=str(error))) from None
        return cls.from_dict(data)


def _invalid(problems: Message) -> LoadError:
    return LoadError(Message("mapping_invalid", problems=problems))


def joined(sentences: list[Message]) -> Message:
    """One message of several, separated as the reader's language separates clauses."""
    if len(sentences) == 1:
        return sentences[0]
    return Message("sentences_joined", first=sentences[0], rest=joined(sentences[1:]))


def _mapping_problems(mapping: Mapping) -> list[Message]:
    if mapping.table not in TABLE_NAMES:
        return [Message("mapping_problem_table", tables=", ".join(TABLE_NAMES), got=repr(mapping.table))]
    problems = []
    allowed = known_fields(mapping.table)
    seen: set[str] = set()
    for pair in mapping.columns:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            problems.append(Message("mapping_problem_pair", entry=repr(pair)))
            continue
        column, target = pair
        is_flag = mapping.table == "customers" and re.fullmatch(r"has_\w+", target) is not None
        if target not in allowed and not is_flag:
            problems.append(
                Message(
                    "mapping_problem_unknown_field", column=column, table=Term(f"table_{mapping.table}"), field=target
                )
            )
        if target in seen:
            problems.append(Message("mapping_problem_field_twice", field=target))
        seen.add(target)
    if mapping.encoding is not None and not isinstance(mapping.encoding, str):
        problems.append(Message("mapping_problem_encoding"))
    if mapping.delimiter is not None and not (isinstance(mapping.delimiter, str) and len(mapping.delimiter) == 1):
        problems.append(Message("mapping_problem_delimiter"))
    if mapping.sheet is not None and not isinstance(mapping.sheet, (str, int)):
        problems.append(Message("mapping_problem_sheet"))
    if mapping.date_order is not None and mapping.date_order not in DATE_ORDERS:
        problems.append(Message("mapping_problem_date_order", orders=", ".join(DATE_ORDERS)))
    if mapping.value_measure is not None:
        if mapping.table != "customers" or mapping.value_measure not in VALUE_MEASURES:
            problems.append(Message("mapping_problem_measure", measures=", ".join(VALUE_MEASURES)))
        elif mapping.value_measure not in seen | ({"annual_income"} if MONTHLY_INCOME in seen else set()):
            problems.append(Message("mapping_problem_measure_unmapped", measure=mapping.value_measure))
    if not all(isinstance(value, str) for value in mapping.churn_values):
        problems.append(Message("mapping_problem_churn_values_strings"))
    return problems


def suggested_mapping(table: str, columns: tuple[str, ...], sample: pd.DataFrame | None = None) -> Mapping:
    """Return a ``Mapping`` of the suggested fields (read settings left to detection).

    A customers file without an AUM column gets the first mapped value measure as ``value_measure``.
    """
    chosen = suggested_columns(table, columns, sample)
    measure = value_measure_of(chosen.values()) if table == "customers" else None
    return Mapping(table=table, columns=tuple(chosen.items()), value_measure=measure)


def table_columns(mapping: dict | None, table: str) -> dict[str, str] | None:
    """Return ``{file column: canonical field}`` of one table of a ``prepare --mapping`` JSON, or None.

    The JSON holds ``{table: columns}`` or ``{table: saved Mapping}`` (whose ``columns`` are taken).

    Examples
    --------
    >>> table_columns({"activity": {"columns": {"客户号": "customer_id"}}}, "activity")
    {'客户号': 'customer_id'}
    >>> table_columns({"activity": {"客户号": "customer_id"}}, "customers") is None
    True
    """
    if not mapping or mapping.get(table) is None:
        return None
    entry = mapping[table]
    columns = entry.get("columns", entry) if isinstance(entry, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ValueError(f"mapping for {table} must be an object of file column -> canonical field")
    return columns
