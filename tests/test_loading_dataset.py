"""load_dataset: canonical frames, policies, derived fields, report and fingerprint."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crm_core.dataset import channel_dtype
from crm_core.loading import LoadError, LoadOptions, Mapping, load_dataset, load_table
from crm_core.loading.report import report_text
from crm_core.prepare import prepared_dataset
from tests import loading_corpus as corpus
from tests.conftest import warning_texts


def _files():
    return [corpus.customers_csv(), corpus.event_activity_csv(), corpus.holdings_csv()]


def test_three_files_make_one_dataset_with_exact_tables():
    dataset, report = load_dataset(_files())
    assert [r.table for r in report.files] == ["customers", "activity", "holdings"]
    expected_activity = pd.DataFrame(
        {
            "customer_id": pd.array(["C001", "C001", "C002", "C002", "C003"], dtype="string"),
            "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-01-01", "2024-01-01"]).astype(
                "datetime64[ns]"
            ),
            "channel": pd.Categorical(["mobile", "counter", "atm", "online", "phone"], dtype=channel_dtype()),
            "transactions": [2, 1, 1, 1, 1],
            "amount": [150.0, 10.0, float("nan"), 5.0, 2.0],
        }
    )
    pd.testing.assert_frame_equal(dataset.activity, expected_activity)
    expected_holdings = pd.DataFrame(
        {
            "customer_id": pd.array(["C001", "C001", "C002"], dtype="string"),
            "product": pd.array(["credit_card", "funds", "黄金积存"], dtype="string"),
            "balance": [0.0, 5000.0, 300.0],
        }
    )
    pd.testing.assert_frame_equal(dataset.holdings, expected_holdings)
    # tenure is preparation's rule, counted to the as-of month (the last activity month, 2024-02)
    assert "tenure_months" not in dataset.customers
    assert prepared_dataset(dataset).customers["tenure_months"].tolist() == [49, 59, 31]
    assert dataset.name == "customers_utf-8.csv, events.csv, holdings.csv"


def test_event_activity_report_counts_rows_not_groups():
    _, report = load_dataset(_files())
    activity = report.for_table("activity")
    assert (activity.rows_read, activity.rows_loaded, activity.rows_rejected, activity.rows_output) == (7, 6, 1, 5)
    assert [(report_text(i.subject), i.count, i.examples[0].row, i.examples[0].text) for i in activity.rejections] == [
        ("unknown channel", 1, 7, "C003,2024-01-03,信鸽,1")
    ]
    assert set(activity.derived_fields) == {"transactions", "month"}
    holdings = report.for_table("holdings")
    assert [(report_text(i.subject), i.count) for i in holdings.rejections] == [("missing product", 1)]


def test_monthly_activity_is_read_as_is():
    dataset, report = load_dataset([corpus.customers_csv(), corpus.monthly_activity_csv()])
    assert dataset.activity["month"].tolist() == [pd.Timestamp(d) for d in ("2024-01-01", "2024-02-01", "2024-01-01")]
    assert dataset.activity["transactions"].dtype == "int64"
    assert report.for_table("activity").derived_fields == ()


def test_missing_customer_id_is_generated_from_the_row_number_with_a_warning():
    frame, report = load_table("ids.csv", b"balance,age\n10,30\n20,40\n")
    assert frame["customer_id"].tolist() == ["ROW000002", "ROW000003"]
    assert "customer_id" in report.derived_fields
    assert any("generated from the row number" in warning for warning in warning_texts(report.warnings))


def test_ids_without_aum_or_a_measure_load_with_every_aum_missing_and_say_so():
    """Issue 19: every table is optional except an id; no value measure means n/a figures, not a refusal."""
    dataset, report = load_dataset([("c.csv", b"cust_id,branch,age\nC1,West,30\nC2,East,41\n")])
    assert dataset.customers["customer_id"].tolist() == ["C1", "C2"]
    assert dataset.customers["aum"].isna().all() and dataset.customers["branch"].tolist() == ["West", "East"]
    [warning] = [w for w in warning_texts(report.files[0].warnings) if w.startswith("no AUM column")]
    assert "tiers, value scores and money figures read n/a" in warning and "credit_limit" in warning


def test_neither_an_id_nor_a_value_measure_is_refused_naming_the_columns():
    message = r"no column is mapped to aum \(assets under management\); map one of: 'x', 'y'"
    with pytest.raises(LoadError, match=message):
        load_dataset([("c.csv", b"x,y\n1,2\n")])


def test_holdings_alone_derive_their_customers():
    # Like an activity or transaction log alone (tests/test_loading_transactions.py): one customer per distinct id.
    name, data = corpus.holdings_csv()
    dataset, report = load_dataset([(name, data)])
    holdings = dataset.holdings
    assert dataset.customers["customer_id"].tolist() == sorted(holdings["customer_id"].unique())
    assert dataset.customers["aum"].isna().all()
    assert f"customer ids of {name}" in " ".join(warning_texts(report.warnings))


def test_unparseable_values_become_missing_in_optional_fields_and_reject_in_required_ones():
    data = b"cust_id,aum,age,open_date\nC1,10,abc,2020-01-01\nC2,lots,30,never\n,5,40,\nC4,-3,200,\n"
    frame, report = load_table("dirty.csv", data)
    assert frame["customer_id"].tolist() == ["C1", "C4"]
    assert frame["age"].tolist() == [pd.NA, 200]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 2, 2)
    failures = {
        report_text(i.subject): (i.field, i.count, [(e.row, e.text) for e in i.examples]) for i in report.parse_failures
    }
    assert failures == {
        "age": ("age", 1, [(2, "abc")]),
        "aum": ("aum", 1, [(3, "lots")]),
        "open_date": ("open_date", 1, [(3, "never")]),
    }
    assert {report_text(i.subject): i.count for i in report.rejections} == {"invalid aum": 1, "missing customer_id": 1}
    flags = {
        i.field: (i.count, report_text(i.rule), [(e.row, e.text) for e in i.examples]) for i in report.out_of_range
    }
    assert flags == {"aum": (1, "not negative", [(5, "-3.0")]), "age": (1, "between 16 and 110", [(5, "200")])}


@pytest.mark.parametrize(
    ("policy", "ids", "aum", "deposits", "branch", "loaded", "rejected"),
    [
        ("keep_first", ["C1", "C2"], [100.0, 200.0], [10.0, 20.0], ["North", "South"], 2, 1),
        ("sum", ["C1", "C2"], [150.0, 200.0], [15.0, 20.0], ["North", "South"], 3, 0),
        ("reject", ["C2"], [200.0], [20.0], ["South"], 1, 2),
    ],
)
def test_duplicate_policies(policy, ids, aum, deposits, branch, loaded, rejected):
    frame, report = load_table(*corpus.duplicates_csv(), options=LoadOptions(duplicate_policy=policy))
    assert frame["customer_id"].tolist() == ids
    assert frame["aum"].tolist() == aum
    assert frame["deposit_balance"].tolist() == deposits
    assert frame["branch"].tolist() == branch
    assert (report.duplicate_ids, report.duplicate_policy) == (1, policy)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, loaded, rejected)


def test_churn_payroll_products_and_tenure_are_preparations_rules_not_the_loaders():
    data = (
        "客户号,资产,销户日期,代发工资,基金,开户日期\nC1,1,2023-05-01,是,Y,2020-05-01\nC2,2,,否,N,2022-01-15\n"
    ).encode()
    dataset, report = load_dataset([("d.csv", data)])
    assert not {"churned", "is_payroll", "num_products", "tenure_months"} & set(dataset.customers.columns)
    assert not report.files[0].derived_fields
    prepared = prepared_dataset(dataset).customers
    assert prepared["churned"].tolist() == [True, False]
    assert prepared["is_payroll"].tolist() == [True, False]
    assert prepared["products_held"].tolist() == [2, 0]
    assert prepared["tenure_months"].tolist() == [36, 16]  # to the end of the as-of month, May 2023


def test_flags_and_holdings_together_count_every_product_and_payroll_once():
    """A customers file's flags and a holdings file: products and payroll from both, a blank flag unknown."""
    customers = "customer_id,aum,has_credit_card,has_payroll_service\nC1,100,1,\nC2,200,0,0\nC3,300,1,1\n"
    holdings = "customer_id,product\nC1,fund\nC2,fund\nC2,payroll_service\n"
    dataset, _ = load_dataset([("c.csv", customers.encode()), ("h.csv", holdings.encode())])
    prepared = prepared_dataset(dataset).customers
    assert prepared["products_held"].tolist() == [2, 2, 2]
    assert prepared["is_payroll"].tolist() == [pd.NA, True, True]


def test_ambiguous_dates_are_warned_and_the_order_can_be_chosen():
    data = b"cust_id,aum,open_date\nC1,1,03/04/2020\n"
    frame, report = load_table("a.csv", data)
    assert frame["open_date"].tolist() == [pd.Timestamp("2020-04-03")]
    assert any("day-first or month-first" in warning for warning in warning_texts(report.warnings))
    frame, report = load_table("a.csv", data, options=LoadOptions(date_order="MDY"))
    assert frame["open_date"].tolist() == [pd.Timestamp("2020-03-04")]
    assert not any("day-first" in warning for warning in warning_texts(report.warnings))


def test_a_saved_mapping_is_reapplied_to_next_months_extract():
    _, report = load_table(*corpus.customers_csv(encoding="gb18030"))
    saved = report.mapping.to_json()
    assert json.loads(saved)["encoding"] == "gb18030"
    next_month = "客户号,网点,金融资产,年龄,开户日期,信用卡\nC009,南城支行,7,50,2024-01-01,N\n".encode("gb18030")
    dataset, second = load_dataset([("next.csv", next_month)], mappings={"next.csv": saved})
    assert second.files[0].mapping == Mapping.from_json(saved)
    assert dataset.customers["aum"].tolist() == [7.0]


def test_a_mapping_can_rename_columns_the_suggestions_miss():
    data = b"Kundennummer,Vermoegen\nK1,5\n"
    mapping = Mapping("customers", (("Kundennummer", "customer_id"), ("Vermoegen", "aum")))
    frame, _ = load_table("de.csv", data, mapping)
    assert frame["customer_id"].tolist() == ["K1"]


def test_a_mapping_naming_a_missing_column_is_a_load_error():
    mapping = Mapping("customers", (("nope", "aum"),))
    with pytest.raises(LoadError, match="names column 'nope'"):
        load_table("c.csv", b"a,b\n1,2\n", mapping)


def test_fingerprint_depends_on_names_bytes_and_mapping():
    first, _ = load_dataset([corpus.customers_csv()])
    again, _ = load_dataset([corpus.customers_csv()])
    renamed, _ = load_dataset([("other.csv", corpus.customers_csv()[1])])
    remapped, _ = load_dataset(
        [corpus.customers_csv()],
        mappings={"customers_utf-8.csv": Mapping("customers", (("客户号", "customer_id"), ("金融资产", "aum")))},
    )
    assert first.fingerprint == again.fingerprint
    assert len({first.fingerprint, renamed.fingerprint, remapped.fingerprint}) == 3


def test_report_is_json_and_reconciles():
    _, report = load_dataset(_files())
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert (data["rows_read"], data["rows_loaded"], data["rows_rejected"]) == (14, 12, 2)
    for file in data["files"]:
        assert file["rows_read"] == file["rows_loaded"] + file["rows_rejected"]
    assert data["files"][0]["mapping"]["columns"] == {
        "客户号": "customer_id",
        "网点": "branch",
        "金融资产": "aum",
        "年龄": "age",
        "开户日期": "open_date",
        "信用卡": "has_credit_card",
    }


def test_inputs_are_not_mutated():
    files = _files()
    before = [(name, bytes(data)) for name, data in files]
    mappings = {"events.csv": None}
    load_dataset(files, mappings)
    assert files == before
    assert mappings == {"events.csv": None}
