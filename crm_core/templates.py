"""CSV templates of the three canonical tables, with English or Chinese headers.

The Chinese headers are ones the loader's mapper recognises, so a filled-in template loads
without any manual mapping (a test checks the round trip).
"""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd

from crm_core.contract import PRODUCTS, TABLES, product_flag_column

ZH_HEADERS = MappingProxyType(
    {
        "customer_id": "客户号",
        "aum": "月日均资产",
        "branch": "网点",
        "city": "城市",
        "relationship_manager": "客户经理",
        "age": "年龄",
        "gender": "性别",
        "open_date": "开户日期",
        "tenure_months": "开户月数",
        "aum_avg_3m": "季日均资产",
        "aum_avg_12m": "年日均资产",
        "aum_12m_ago": "去年同期资产",
        "deposit_balance": "存款余额",
        "deposit_balance_12m_ago": "去年同期存款",
        "investment_balance": "投资余额",
        "loan_balance": "贷款余额",
        "annual_income": "年收入",
        "annual_contribution": "综合贡献",
        "risk_level": "风险等级",
        "satisfaction": "满意度",
        "complaints_12m": "投诉次数",
        "churned": "是否流失",
        "closed_date": "销户日期",
        "num_products": "持有产品数",
        "month": "统计月份",
        "channel": "交易渠道",
        "transactions": "交易笔数",
        "amount": "交易金额",
        "product": "产品名称",
        "balance": "产品余额",
    }
)
ZH_PRODUCTS = MappingProxyType(
    {
        "savings_deposit": "活期存款",
        "time_deposit": "定期存款",
        "debit_card": "借记卡",
        "credit_card": "信用卡",
        "wealth_management": "理财",
        "funds": "基金",
        "insurance": "保险",
        "mortgage": "住房贷款",
        "consumer_loan": "消费贷款",
        "payroll_service": "代发工资",
    }
)
ZH_CHANNELS = MappingProxyType(
    {"counter": "柜面", "atm": "ATM", "mobile": "手机银行", "online": "网上银行", "phone": "电话银行"}
)

_EXAMPLES = {
    "customers": {
        "customer_id": ["C0000001", "C0000002"],
        "aum": [1383.99, 612500.0],
        "branch": ["Hangzhou Xihu", "Ningbo Haishu"],
        "city": ["Hangzhou", "Ningbo"],
        "relationship_manager": ["RM0101", "RM0903"],
        "age": [56, 41],
        "gender": ["M", "F"],
        "open_date": ["2024-02-20", "2015-06-01"],
        "aum_avg_3m": [1387.38, 598000.0],
        "aum_avg_12m": [1398.1, 560000.0],
        "aum_12m_ago": [1440.42, 515000.0],
        "deposit_balance": [1383.99, 312500.0],
        "investment_balance": [0.0, 300000.0],
        "loan_balance": [59986.35, 0.0],
        "annual_income": [48600.0, 260000.0],
        "annual_contribution": [1330.83, 6420.0],
        "risk_level": [1, 3],
        "satisfaction": [None, 4.5],
        "complaints_12m": [0, 1],
        "churned": [0, 0],
        "closed_date": [None, None],
    },
    "activity": {
        "customer_id": ["C0000001", "C0000001", "C0000002"],
        "month": ["2026-10", "2026-10", "2026-10"],
        "channel": ["counter", "mobile", "mobile"],
        "transactions": [1, 4, 12],
        "amount": [5000.0, 1260.5, 88000.0],
    },
    "holdings": {
        "customer_id": ["C0000001", "C0000002", "C0000002"],
        "product": ["savings_deposit", "savings_deposit", "wealth_management"],
        "balance": [1383.99, 312500.0, 300000.0],
        "open_date": ["2024-02-20", "2015-06-01", "2025-03-15"],
    },
}
_PRODUCT_EXAMPLES = {"savings_deposit": [1, 1], "credit_card": [0, 1], "wealth_management": [0, 1]}


def template_frame(table: str, lang: str = "en") -> pd.DataFrame:
    """Return an example table with canonical (``en``) or Chinese (``zh``) headers and values.

    Parameters
    ----------
    table : {"customers", "activity", "holdings"}
    lang : {"en", "zh"}
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {tuple(TABLES)}")
    frame = pd.DataFrame(_EXAMPLES[table])
    if table == "customers":
        for product in PRODUCTS:
            if product in _PRODUCT_EXAMPLES:
                frame[product_flag_column(product)] = _PRODUCT_EXAMPLES[product]
    if lang != "zh":
        return frame
    if table == "activity":
        frame["channel"] = frame["channel"].map(ZH_CHANNELS)
    if table == "holdings":
        frame["product"] = frame["product"].map(ZH_PRODUCTS)
    if table == "customers":
        for flag in [c for c in frame.columns if c.startswith("has_")]:
            frame[flag] = frame[flag].map({1: "是", 0: "否"})
    headers = {
        column: f"是否持有{ZH_PRODUCTS[column.removeprefix('has_')]}"
        if column.startswith("has_")
        else ZH_HEADERS[column]
        for column in frame.columns
    }
    return frame.rename(columns=headers)


def template_csv(table: str, lang: str = "en") -> bytes:
    """Return the template as CSV bytes: UTF-8 with BOM, so Excel shows Chinese correctly."""
    return template_frame(table, lang).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
