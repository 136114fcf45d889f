"""Column mapping suggestions, table guessing and the saved Mapping."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_core.loading import LoadError, Mapping, guessed_table, normalised_header, suggested_field
from crm_core.loading.mapping import suggested_columns


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("客户号", "customer_id"),
        ("客户编号", "customer_id"),
        ("客户ID", "customer_id"),
        ("Cust_ID", "customer_id"),
        ("网点", "branch"),
        ("支行", "branch"),
        ("机构", "branch"),
        ("Branch", "branch"),
        ("城市", "city"),
        ("金融资产", "aum"),
        ("资产余额", "aum"),
        ("月日均资产", "aum"),
        ("AUM", "aum"),
        ("balance", "aum"),
        ("年龄", "age"),
        ("性别", "gender"),
        ("开户日期", "open_date"),
        ("客户经理", "relationship_manager"),
        ("是否代发", "has_payroll_service"),
        ("代发工资", "has_payroll_service"),
        ("信用卡", "has_credit_card"),
        ("理财", "has_wealth_management"),
        ("基金", "has_funds"),
        ("保险", "has_insurance"),
        ("房贷", "has_mortgage"),
        ("住房贷款", "has_mortgage"),
        ("消费贷", "has_consumer_loan"),
        ("定期", "has_time_deposit"),
        ("活期", "has_savings_deposit"),
        ("储蓄", "has_savings_deposit"),
        ("借记卡", "has_debit_card"),
        ("流失", "churned"),
        ("是否流失", "churned"),
        ("销户日期", "closed_date"),
        ("投诉次数", "complaints_12m"),
        ("满意度", "satisfaction"),
        ("风险等级", "risk_level"),
        ("年收入", "annual_income"),
        ("综合贡献", "annual_contribution"),
        ("存款余额", "deposit_balance"),
        ("贷款余额", "loan_balance"),
        ("has_funds", "has_funds"),
        ("是否持有信用卡", "has_credit_card"),
    ],
)
def test_headers_in_english_and_chinese_are_recognised(header, field):
    assert suggested_field("customers", header) == field


@pytest.mark.parametrize("header", ["  CUST ID ", "ｃｕｓｔ＿ｉｄ", "Cust-Id", "客户ID（必填）", "客户 号"])
def test_headers_are_compared_after_nfkc_case_space_and_punctuation(header):
    assert suggested_field("customers", header) == "customer_id"


def test_normalised_header_drops_bracketed_units():
    assert normalised_header("金融资产(元)") == "金融资产"


def test_first_column_wins_a_field_and_only_holding_like_yes_no_columns_become_flags():
    sample = pd.DataFrame(
        {"cust_id": ["1"], "aum": ["1"], "balance": ["2"], "Has Safe Box": ["yes"], "y": ["no"], "score": ["1"]},
        dtype="string",
    )
    mapped = suggested_columns("customers", tuple(sample.columns), sample)
    # "y" (a campaign outcome) is yes/no but not named like a holding: left for the user to map.
    assert mapped == {"cust_id": "customer_id", "aum": "aum", "Has Safe Box": "has_safe_box"}


@pytest.mark.parametrize(
    ("columns", "table"),
    [
        (("客户号", "金融资产", "年龄"), "customers"),
        (("客户号", "交易日期", "交易渠道", "交易金额"), "activity"),
        (("cust_id", "month", "channel", "transactions"), "activity"),
        (("客户号", "产品名称", "余额"), "holdings"),
        (("age", "job", "balance", "month", "day"), "customers"),
    ],
)
def test_table_is_guessed_from_columns(columns, table):
    assert guessed_table(columns) == table


def test_mapping_round_trips_through_json():
    mapping = Mapping(
        "customers",
        (("客户号", "customer_id"), ("资产", "aum")),
        encoding="gb18030",
        delimiter=";",
        sheet=None,
        date_order="DMY",
    )
    assert Mapping.from_json(mapping.to_json()) == mapping
    assert "客户号" in mapping.to_json()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "expected a JSON object"),
        ('{"table": "loans", "columns": {}}', "table must be one of"),
        ('{"table": "customers", "columns": {"a": "wealth"}}', "unknown field 'wealth' of Customers"),
        ('{"table": "customers", "columns": {"a": "aum", "b": "aum"}}', "mapped from more than one column"),
        ('{"table": "customers", "columns": []}', "'columns' must be an object"),
        ('{"table": "customers", "columns": {}, "delimiter": ";;"}', "delimiter must be one character"),
        ('{"table": "customers", "columns": {}, "colour": 1}', "unknown keys"),
        ('{"table": "customers", "columns": {}, "date_order": "YMD"}', "date_order must be one of"),
    ],
)
def test_malformed_mappings_are_refused_clearly(text, message):
    with pytest.raises(LoadError, match=message):
        Mapping.from_json(text)


def test_custom_flags_are_allowed_in_a_mapping():
    mapping = Mapping.from_json('{"table": "customers", "columns": {"VIP": "has_vip"}}')
    assert mapping.fields == {"VIP": "has_vip"}
