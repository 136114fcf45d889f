"""Headers by meaning and values as the file means them, on extracts shaped like public bank files.

Fixtures (``tests/fixtures/extracts``, written by ``make_extracts.py``) keep the header shapes of
BankChurners, Santander product recommendation, Churn_Modelling and a Chinese core-banking extract.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crm_core.loading import DEFAULT_OPTIONS, LoadError, LoadOptions, Mapping, load_dataset, read_file, suggested_field
from crm_core.loading.mapping import suggested_mapping, suggestions
from crm_core.loading.report import report_text
from crm_core.messages import Message, Term
from crm_core.prepare import prepared_dataset
from tests.conftest import warning_texts

EXTRACTS = Path(__file__).resolve().parent / "fixtures" / "extracts"


def _load(name: str, options: LoadOptions = DEFAULT_OPTIONS, mapping=None):
    dataset, report = read_file(EXTRACTS / name, mapping, options)
    file = report.files[0]
    assert file.rows_read == file.rows_loaded + file.rows_rejected
    return dataset.customers, file


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("金融资产月日均", "aum"),
        ("资产日均余额", "aum"),
        ("客户AUM余额(万元)", "aum"),
        ("年日均金融资产", "aum_avg_12m"),
        ("上年同期资产余额", "aum_12m_ago"),
        ("所属机构名称", "branch"),
        ("归属分行", "branch"),
        ("管户人", "relationship_manager"),
        ("主办客户经理", "relationship_manager"),
        ("saldo_medio_mensual", "aum"),
        ("renta", "annual_income"),
        ("segmento", "segment"),
        ("nomprov", "region"),
        ("fecha_alta", "open_date"),
        ("Attrition_Flag", "churned"),
        ("Total_Relationship_Count", "num_products"),
        ("Credit_Limit", "credit_limit"),
        ("IsActiveMember", "active_member"),
        ("ind_tjcr_fin_ult1", "has_tjcr"),
        ("ind_nom_pens_ult1", "has_nom_pens"),
        ("Total_visits_bank", "counter_transactions"),
        ("Total_visits_online", "online_transactions"),
        ("Total_calls_made", "phone_transactions"),
        ("手机银行交易笔数", "mobile_transactions"),
        ("出生日期", "birth_date"),
        ("Agência", "branch"),  # Portuguese, accents folded
        ("Agencia_Cliente", "branch"),
        ("Código_Cliente", "customer_id"),
    ],
)
def test_headers_are_recognised_by_meaning(header, field):
    assert suggested_field("customers", header) == field


@pytest.mark.parametrize("header", ["开户网点电话", "客户经理手机", "流失日期", "网点开业日期"])
def test_a_date_or_contact_detail_is_not_the_unit_it_mentions(header):
    assert suggested_field("customers", header) not in {"branch", "relationship_manager", "churned"}


def test_channel_is_recognised_from_its_parts_in_activity_files():
    assert suggested_field("activity", "交易方式") == "channel"
    assert suggested_field("activity", "办理渠道名称") == "channel"


def test_confidence_says_how_each_suggestion_was_reached():
    sample = pd.DataFrame({"Tenure": ["2", "10"], "Geography": ["France", "Spain"], "VIP": ["Y", "N"]})
    columns = ("客户号", "金融资产月日均", "Tenure", "Geography", "VIP")
    assert suggestions("customers", columns, sample) == {
        "客户号": ("customer_id", "high"),
        "金融资产月日均": ("aum", "medium"),
        "Tenure": ("tenure_years", "medium"),
        "Geography": ("branch", "low"),
    }
    sample = pd.DataFrame({"Tenure": ["39", "44"]})
    assert suggestions("customers", ("Tenure",), sample) == {"Tenure": ("tenure_months", "medium")}


def test_geography_is_the_region_when_the_file_has_a_branch():
    assert suggested_mapping("customers", ("网点", "省份", "AUM")).fields == {
        "网点": "branch",
        "省份": "region",
        "AUM": "aum",
    }


def test_bank_churners_reads_attrition_words_months_on_book_and_credit_limit_as_value():
    customers, file = _load("bank_churners.csv")
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (24, 24, 0)
    assert file.mapping.value_measure == "credit_limit"
    assert file.derived_fields == ("aum",)
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["768805383", "768806500", "768807617"], dtype="string"),
            "aum": [6342.4, 30518.4, 29646.8],
            "tenure_months": pd.array([35, 14, 50], dtype="Int64"),
            "churned": pd.array([False, True, False], dtype="boolean"),
            "num_products": pd.array([5, 5, 6], dtype="Int64"),
            "credit_limit": [6342.4, 30518.4, 29646.8],
        }
    )
    pd.testing.assert_frame_equal(customers[expected.columns].head(3), expected)
    assert customers["churned"].mean() == pytest.approx(4 / 24)
    assert customers["income_band"].iloc[0] == "Less than $40K"


def test_a_missing_value_measure_is_not_assigned_never_a_rejected_row():
    customers, file = _load("santander_products.csv")
    assert file.mapping.value_measure == "annual_income"
    assert [report_text(issue.subject) for issue in file.rejections] == ["duplicate customer_id (keep the first row)"]
    assert customers["aum"].isna().sum() == 3  # blank renta in May: kept, not assigned to a tier
    assert any("choose “keep the latest row" in warning for warning in warning_texts(file.warnings))
    assert customers["aum"].equals(customers["annual_income"])


def test_santander_keeps_the_latest_snapshot_and_names_24_products_from_the_flags():
    customers, file = _load("santander_products.csv", LoadOptions(duplicate_policy="keep_latest"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (32, 16, 16)
    assert file.rejected_count(Message("load_reason_duplicate", policy=Term("policy_keep_latest"))) == 16
    flags = [c for c in customers.columns if c.startswith("has_")]
    assert len(flags) == 24
    assert {"has_tjcr", "has_hip", "has_nomina", "has_nom_pens", "has_recibo"} <= set(flags)
    rows = customers.set_index("customer_id").loc[["1375586", "1375607"]]
    assert rows["age"].tolist() == [80, 24]  # the June snapshot, not May's
    assert rows["tenure_months"].tolist() == [127, 167]
    assert rows["branch"].tolist() == ["MADRID", "SEVILLA"]  # nomprov stands in for the branch
    assert rows["aum"].isna().tolist() == [False, True]
    raw = pd.read_csv(EXTRACTS / "santander_products.csv", dtype=str).groupby("ncodpers").tail(1)
    dataset, _ = read_file(EXTRACTS / "santander_products.csv", options=LoadOptions(duplicate_policy="keep_latest"))
    held = prepared_dataset(dataset).customers["products_held"]  # counted once, by preparation
    assert held.tolist() == raw.filter(like="_ult1").astype(int).sum(axis=1).tolist()


def test_keep_latest_without_a_snapshot_date_keeps_the_last_row_and_says_so():
    mapping = Mapping(table="customers", columns=(("ncodpers", "customer_id"), ("renta", "annual_income")))
    customers, file = _load("santander_products.csv", LoadOptions(duplicate_policy="keep_latest"), mapping)
    raw = pd.read_csv(EXTRACTS / "santander_products.csv", dtype=str).tail(16)
    expected = pd.to_numeric(raw["renta"]).reset_index(drop=True).rename("annual_income")
    pd.testing.assert_series_equal(customers["annual_income"], expected)
    assert any("last in the file" in warning for warning in warning_texts(file.warnings))


def test_churn_modelling_tenure_counts_years_products_are_kept_and_activity_is_no_product():
    customers, file = _load("churn_modelling.csv")
    assert file.mapping.fields["Tenure"] == "tenure_years"
    assert file.mapping.fields["IsActiveMember"] == "active_member"
    assert not any(name.startswith("has_") and "active" in name for name in customers.columns)
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["15634602", "15634615", "15634628"], dtype="string"),
            "branch": pd.array(["Germany", "Germany", "France"], dtype="string"),
            "tenure_months": pd.array([48, 0, 72], dtype="Int64"),
            "churned": pd.array([False, False, True], dtype="boolean"),
            "num_products": pd.array([4, 4, 1], dtype="Int64"),
            "active_member": pd.array([True, False, True], dtype="boolean"),
            "has_credit_card": pd.array([False, False, True], dtype="boolean"),
        }
    )
    pd.testing.assert_frame_equal(customers[expected.columns].head(3), expected)
    assert "num_products" not in file.derived_fields  # the file's count, not a recount of one flag
    assert any("counts years" in warning for warning in warning_texts(file.warnings))


def test_chinese_extract_reads_yymmdd_integers_birth_dates_and_churn_words():
    customers, file = _load("chinese_customers.csv")
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (18, 18, 0)
    assert file.parse_failures == ()
    assert file.mapping.fields["金融资产月日均"] == "aum"
    assert file.mapping.fields["出生日期"] == "birth_date"
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["C1001", "C1002", "C1003"], dtype="string"),
            "aum": [2220100.0, 2125800.0, 1750600.0],
            "branch": pd.array(["西湖支行", "滨江支行", "萧山支行"], dtype="string"),
            "age": pd.array([32, 50, 59], dtype="Int64"),  # full years at the latest open date, 2021-08-09
            "open_date": pd.to_datetime(["2012-04-01", "2015-05-02", "2016-05-14"]).astype("datetime64[ns]"),
            "churned": pd.array([False, False, False], dtype="boolean"),
        }
    )
    pd.testing.assert_frame_equal(customers[expected.columns].head(3), expected)
    assert int(customers["churned"].sum()) == 3
    assert any("YYMMDD" in warning for warning in warning_texts(file.warnings))
    assert any("age derived from birth_date as of 2021-08-09" in warning for warning in warning_texts(file.warnings))


def test_unclear_churn_words_are_failures_until_the_user_picks_the_churned_values():
    data = b"id,aum,status\nA,1,gold\nB,2,gone\nC,3,gold\n"
    columns = (("id", "customer_id"), ("aum", "aum"), ("status", "churned"))
    dataset, report = load_dataset([("c.csv", data)], {"c.csv": Mapping(table="customers", columns=columns)})
    assert dataset.customers["churned"].isna().all()
    assert report.files[0].parse_failures[0].count == 3
    assert "churn_values" in report_text(report.files[0].parse_failures[0].rule)
    picked = Mapping(table="customers", columns=columns, churn_values=("GONE",))
    dataset, report = load_dataset([("c.csv", data)], {"c.csv": picked})
    assert dataset.customers["churned"].tolist() == [False, True, False]
    assert Mapping.from_json(report.files[0].mapping.to_json()).churn_values == ("GONE",)


def test_the_picked_value_measure_is_saved_and_must_be_mapped():
    mapping = Mapping(
        table="customers",
        columns=(("CLIENTNUM", "customer_id"), ("Credit_Limit", "credit_limit"), ("Total_Trans_Amt", "annual_spend")),
        value_measure="annual_spend",
    )
    customers, file = _load("bank_churners.csv", mapping=mapping)
    assert customers["aum"].tolist() == customers["annual_spend"].tolist()
    assert Mapping.from_json(file.mapping.to_json()).value_measure == "annual_spend"
    with pytest.raises(LoadError, match="value_measure 'annual_income' is not mapped"):
        Mapping(table="customers", columns=(("a", "customer_id"),), value_measure="annual_income")


def test_no_aum_and_no_value_measure_keep_every_customer_and_name_the_measures():
    mapping = Mapping(table="customers", columns=(("CLIENTNUM", "customer_id"),))
    customers, file = _load("bank_churners.csv", mapping=mapping)
    assert (file.rows_read, file.rows_loaded) == (24, 24) and customers["aum"].isna().all()
    assert any(
        "no value measure that stands in for it" in w and "credit_limit" in w for w in warning_texts(file.warnings)
    )


def test_a_mapping_saved_before_value_measures_keeps_its_text():
    mapping = Mapping(table="customers", columns=(("a", "customer_id"), ("b", "aum")))
    assert set(mapping.to_dict()) == {"table", "columns", "encoding", "delimiter", "sheet", "date_order"}


def test_a_product_renamed_in_the_editor_is_saved_as_its_flag():
    from ui.loading import _named_product

    row = pd.DataFrame({"column": ["ind_tjcr_fin_ult1"], "field": ["has_tjcr"], "product": ["Credit card"]})
    assert _named_product(next(row.itertuples())) == "has_credit_card"
    row["product"] = ["tjcr"]
    assert _named_product(next(row.itertuples())) == "has_tjcr"


def test_the_dataset_carries_its_stand_in_value_measure_from_the_loader():
    """Set by the loader, so the command line, the report and the pages name the same measure (it was set only by
    the Data page's button, and a CLI load kept "aum")."""
    from crm_core.loading import load_dataset

    def measure_of(name: str) -> str:
        return load_dataset([(name, (EXTRACTS / name).read_bytes())])[0].value_measure

    assert measure_of("bank_churners.csv") == "credit_limit"
    assert measure_of("santander_products.csv") == "annual_income"
    assert measure_of("churn_modelling.csv") == "aum"  # a balance column: AUM itself


def test_a_portuguese_channel_header_is_the_channel():
    assert suggested_field("activity", "Canal") == "channel"


@pytest.mark.parametrize("header", ["renda_mensal", "Renta mensual", "月收入", "Monthly Income"])
def test_monthly_income_is_annualised_and_stated(header):
    csv = f"id_cliente,{header},idade\n1,3500,34\n2,,51\n3,12000.5,45\n".encode()
    dataset, report = load_dataset([("clientes.csv", csv)])
    file = report.files[0]
    assert file.mapping.fields[header] == "monthly_income"
    assert dataset.value_measure == "annual_income"  # the annualised income stands in for AUM
    expected = pd.DataFrame(
        {"annual_income": [42_000.0, float("nan"), 144_006.0], "aum": [42_000.0, float("nan"), 144_006.0]}
    )
    pd.testing.assert_frame_equal(dataset.customers[["annual_income", "aum"]], expected)
    assert "monthly_income" not in dataset.customers.columns
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (3, 3, 0)
    assert f"column '{header}' is monthly income: annual_income = monthly x 12" in warning_texts(file.warnings)


def test_a_file_with_annual_income_keeps_it_beside_a_monthly_one():
    csv = b"customer_id,annual_income,monthly_income\n1,60000,4000\n"
    dataset, _ = load_dataset([("both.csv", csv)])
    assert dataset.customers["annual_income"].tolist() == [60_000.0]
