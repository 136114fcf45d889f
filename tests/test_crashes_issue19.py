"""Regression tests of the two crashes of issue 19: Loyalty with no branch column, uploads with identical bytes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import loyalty as loy
from crm_core.loading import load_dataset
from crm_core.prepare import prepared_dataset

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ROWS = "".join(f"C{i},{1000 * i + 5},{i % 5 == 0},{30 + i % 40}\n" for i in range(1, 400))
NO_BRANCH_CSV = f"customer_id,aum,churned,age\n{ROWS}".encode()
CUSTOMERS_CSV = b"customer_id,aum,branch\nC1,100,North\nC2,200,South\n"
CUSTOMER_FILE = ("customers.csv", CUSTOMERS_CSV)


@pytest.fixture(scope="module")
def no_branch_dataset():
    dataset, _ = load_dataset([("no_branch.csv", NO_BRANCH_CSV)])
    assert "branch" not in dataset.customers and "churned" in dataset.customers
    return dataset


def test_a_dataset_without_branch_is_one_all_group(no_branch_dataset):
    codes, labels = loy.group_codes(prepared_dataset(no_branch_dataset), "branch")
    assert labels == ("All",)
    assert np.array_equal(codes, np.zeros(len(no_branch_dataset.customers), dtype=np.int64))


def test_loyalty_page_opens_on_a_churn_flag_without_branch(no_branch_dataset):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["uploaded_dataset"] = no_branch_dataset
    at.session_state["data_source"] = "upload"
    at.run()
    at.switch_page("pages/loyalty.py").run()
    assert not at.exception, at.exception
    branch = at.selectbox(key="loyalty_at_risk_branch@en")
    assert branch.options == ["all", "All"]  # every branch, then the one group the docs promise
    shown = len(at.dataframe[-1].value)
    branch.set_value("All").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[-1].value) == shown > 0  # the one group holds every at-risk customer
    charts = [json.loads(node.proto.spec) for node in at.get("plotly_chart")]
    [by_branch] = [c for c in charts if c["layout"]["title"]["text"] == "Expected churners by branch"]
    assert [trace["x"] for trace in by_branch["data"]] == [["All"]]


def open_data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def _table_keys(at: AppTest) -> list[str]:
    return [str(k) for k in at.session_state if str(k).startswith("data_table_") and "__" not in str(k)]


@pytest.mark.parametrize("names", [("a.csv", "b.csv"), ("a.csv", "a.csv")])
def test_two_uploads_with_identical_bytes_are_read_once_and_named(names):
    at = open_data_page()
    at.file_uploader(key="data_upload").set_value([(name, CUSTOMERS_CSV, "text/csv") for name in names]).run()
    assert not at.exception, at.exception
    assert len(_table_keys(at)) == 1  # one mapping panel
    [warning] = [w.value for w in at.warning]
    assert warning == f"{names[1]} holds the same bytes as {names[0]}: it is read once.".replace(".csv", "\\.csv")
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["2", "2", "0"]  # read once, not appended twice


def test_two_different_files_with_one_name_are_both_read():
    at = open_data_page()
    second = CUSTOMERS_CSV.replace(b"C1", b"C3").replace(b"C2", b"C4")
    at.file_uploader(key="data_upload").set_value([("a.csv", CUSTOMERS_CSV, "text/csv"), ("a.csv", second, "text/csv")])
    at.run()
    assert not at.exception, at.exception
    assert len(_table_keys(at)) == 2
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["4", "4", "0"]
    summary = next(d.value for d in at.dataframe if "File" in d.value.columns)
    assert summary["File"].tolist() == ["a.csv", "a (2).csv"]


def test_every_refused_file_is_named_not_only_the_first():
    """Issue 19, "failures in the open": two unusable files were refused as one, naming the second only."""
    from crm_core.loading import LoadError

    files = [("x.csv", b"foo,bar\n1,2\n"), ("products.csv", b"product_code,product_name\nA,Card\n"), CUSTOMER_FILE]
    with pytest.raises(LoadError) as refused:
        load_dataset(files)
    english = str(refused.value)
    assert english.index("x.csv:") < english.index("products.csv:")  # both, in the order given
    assert "map one of: 'foo', 'bar'" in english and "map one of: 'product_code', 'product_name'" in english
    assert "customers.csv" not in english  # the usable file is not blamed
    chinese = refused.value.text("zh")
    assert "x.csv" in chinese and "products.csv" in chinese and "没有" in chinese


@pytest.mark.parametrize(
    ("name", "content", "customers"),
    [
        ("ids.csv", b"customer_id,branch,age\nC1,West,30\nC2,East,41\nC3,West,52\n", 3),  # no value measure
        ("flags.csv", "客户号,信用卡,理财\nC1,是,否\nC2,否,是\n".encode(), 2),  # product flags only
        ("holdings.csv", b"customer_id,product\nC1,credit_card\nC2,loan\nC1,loan\n", 2),  # holdings only
    ],
)
def test_a_file_with_ids_and_no_value_measure_is_used_and_every_page_opens(name, content, customers):
    """Issue 19: every table is optional except an id. These three were refused ("no column is mapped to aum")."""
    at = open_data_page()
    at.file_uploader(key="data_upload").set_value((name, content, "text/csv")).run()
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    at.button(key="data_use").click().run()
    dataset = at.session_state["uploaded_dataset"]
    assert len(dataset.customers) == customers and dataset.customers["aum"].isna().all()
    for page in ("overview", "segments", "products", "loyalty", "playbook"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
