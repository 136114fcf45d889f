"""Related tables (issue 19): a Berka-like extract is linked by its keys and reduced to the contract.

Fixture: ``tests/fixtures/extracts/relational`` (``make_relational.py``): 30 clients, 24 accounts, 6
districts, 108 transactions, 8 cards, 3 loans; one disposition of the unknown client 9999 and one
transaction of the unknown account 9999.
"""

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.loading import LoadError, load_dataset, preview_file
from crm_core.loading.cli import check_main
from crm_core.loading.relations import (
    JoinPlan,
    KeyPair,
    is_relational,
    join_plan,
    operation_channel,
    reduced_dataset,
    relational_load,
)
from crm_core.loading.report import report_text
from tests.conftest import warning_texts

HERE = Path(__file__).resolve().parent
RELATIONAL = HERE / "fixtures" / "extracts" / "relational"
EXTRACTS = HERE / "fixtures" / "extracts"
APP = str(HERE.parent / "app.py")
NAMES = ("account.csv", "card.csv", "client.csv", "disp.csv", "district.csv", "loan.csv", "trans.csv")


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (RELATIONAL / name).read_bytes()) for name in names or NAMES]


def plan_of(*names: str) -> JoinPlan:
    return join_plan([preview_file(name, data) for name, data in files(*names)])


def test_the_plan_names_each_tables_role_and_the_key_pairs():
    plan = plan_of()
    assert [(t.file_name, t.role, t.key) for t in plan.tables] == [
        ("account.csv", "account", "account_id"),
        ("card.csv", "card", "card_id"),
        ("client.csv", "client", "client_id"),
        ("disp.csv", "disposition", "disp_id"),
        ("district.csv", "district", "A1"),
        ("loan.csv", "loan", "loan_id"),
        ("trans.csv", "transaction", "trans_id"),
    ]
    assert plan.links == (
        KeyPair("account.csv", "district_id", "district.csv", "A1", 1.0),
        KeyPair("card.csv", "disp_id", "disp.csv", "disp_id", 1.0),
        KeyPair("client.csv", "district_id", "district.csv", "A1", 1.0),
        KeyPair("disp.csv", "client_id", "client.csv", "client_id", 0.967),  # 29 of 30 sampled clients
        KeyPair("disp.csv", "account_id", "account.csv", "account_id", 1.0),
        KeyPair("loan.csv", "account_id", "account.csv", "account_id", 1.0),
        KeyPair("trans.csv", "account_id", "account.csv", "account_id", 0.958),  # 23 of 24 sampled accounts
    )
    assert plan.customer_entity == "client" and not plan.ambiguous
    district, log = plan.table("district"), plan.table("transaction")
    assert district.name_column == "A2"
    assert (log.date_column, log.amount_column, log.balance_column, log.channel_column) == (
        "date",
        "amount",
        "balance",
        "operation",
    )
    assert dict(plan.channels) == {
        "": "",
        "PREVOD NA UCET": "",
        "PREVOD Z UCTU": "",
        "VKLAD": "counter",
        "VYBER": "counter",
        "VYBER KARTOU": "atm",
    }


def test_the_plan_survives_its_json_and_the_check_output_with_counts():
    plan = plan_of()
    assert JoinPlan.from_json(plan.to_json()) == plan
    with_counts = plan.to_dict()
    with_counts["links"][0] |= {"rows": 24, "matched": 24, "unmatched": 0}
    assert JoinPlan.from_dict(with_counts) == plan


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d.pop("tables"), "malformed"),
        (lambda d: d.update(customer_entity="household"), "customer_entity must be 'client' or 'account'"),
        (lambda d: d["tables"][0].update(role="branch"), "unknown roles ['branch']"),
        (lambda d: d.update(channels={"VKLAD": "branch"}), "unknown channels ['branch']"),
        (lambda d: d["links"][0].update(right="districts.csv"), "not among its tables: ['districts.csv']"),
    ],
)
def test_a_broken_plan_is_refused_with_what_is_wrong(edit, says):
    data = plan_of().to_dict()
    edit(data)
    with pytest.raises(LoadError) as error:
        JoinPlan.from_dict(data)
    assert says in str(error.value)


def test_customers_are_the_clients_with_the_district_name_account_date_and_last_balance():
    dataset, _ = reduced_dataset(files(), plan_of())
    customers = dataset.customers
    assert len(customers) == 30 and customers["customer_id"].tolist()[:3] == ["1", "2", "3"]
    rows = customers.set_index("customer_id").loc[["1", "24", "25", "30"]].reset_index()
    expected = pd.DataFrame(
        {
            "customer_id": pd.Series(["1", "24", "25", "30"], dtype="string"),
            # client 1 owns account 1: last balance 19639.1 (950628), district 6, opened 931224
            # client 24 owns account 24, which has no transaction: AUM missing, not zero
            # client 25 is DISPONENT of account 1: its district and date, not its money
            # client 30 has no disposition at all
            "aum": [19639.1, np.nan, np.nan, np.nan],
            "branch": pd.Series(["Brno - mesto", "Kladno", "Brno - mesto", pd.NA], dtype="string"),
            "open_date": pd.to_datetime(["1993-12-24", "1993-05-04", "1993-12-24", None]).astype("datetime64[ns]"),
        }
    )
    pd.testing.assert_frame_equal(rows, expected)


def test_activity_counts_only_operations_with_a_clear_channel():
    dataset, report = reduced_dataset(files(), plan_of())
    activity = dataset.activity
    first = activity[activity["customer_id"] == "1"].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "customer_id": pd.Series(["1"], dtype="string"),
            "month": pd.to_datetime(["1995-01-01"]).astype("datetime64[ns]"),
            "channel": pd.Categorical(["counter"], categories=list(activity["channel"].cat.categories)),
            "transactions": np.array([1], dtype="int64"),
            "amount": [13208.6],
        }
    )
    pd.testing.assert_frame_equal(first, expected)
    # 108 rows: 1 of an unknown account, 40 remittances, collections and interest without a channel.
    assert int(activity["transactions"].sum()) == 67
    assert set(activity["channel"].astype(str)) == {"counter", "atm"}
    assert any("40 transactions have an operation that names no channel" in w for w in warning_texts(report.warnings))


def test_a_plan_that_names_a_channel_for_an_operation_counts_it():
    plan = plan_of()
    channels = tuple((value, "online" if value == "PREVOD NA UCET" else channel) for value, channel in plan.channels)
    dataset, _ = reduced_dataset(files(), replace(plan, channels=channels))
    online = dataset.activity[dataset.activity["channel"] == "online"]
    assert int(online["transactions"].sum()) == 16


def test_holdings_are_cards_by_type_and_loans():
    dataset, _ = reduced_dataset(files(), plan_of())
    holdings = dataset.holdings
    assert holdings["product"].value_counts().to_dict() == {
        "loan": 3,
        "gold_card": 3,
        "junior_card": 3,
        "classic_card": 2,
    }
    assert holdings[holdings["product"] == "loan"]["customer_id"].tolist() == ["2", "5", "9"]
    assert holdings.iloc[0].to_dict() == {
        "customer_id": "1",
        "product": "gold_card",
        "open_date": pd.Timestamp("1994-01-05"),
    }


def test_rows_that_do_not_join_are_rejected_with_the_reason_and_every_file_reconciles():
    load = relational_load(files(), plan_of())
    by_file = {report.file_name: report for report in load.report.files}
    for report in load.report.files:
        assert report.rows_read == report.rows_loaded + report.rows_rejected, report.file_name
    counts = {name: (r.rows_read, r.rows_loaded, r.rows_rejected) for name, r in by_file.items()}
    assert counts == {
        "account.csv": (24, 24, 0),
        "card.csv": (8, 8, 0),
        "client.csv": (30, 30, 0),
        "disp.csv": (30, 29, 1),
        "district.csv": (6, 6, 0),
        "loan.csv": (3, 3, 0),
        "trans.csv": (108, 107, 1),
    }
    (disposition,) = by_file["disp.csv"].rejections
    assert report_text(disposition.subject) == "client_id not in client.csv: a disposition of an unknown client"
    assert [example.row for example in disposition.examples] == [31]
    (transaction,) = by_file["trans.csv"].rejections
    assert report_text(transaction.subject) == "account_id not in account.csv: a row of an unknown account"
    assert transaction.examples[0].text.startswith("108;9999;950315")
    matched = {(join.left, join.left_column): (join.rows, join.matched, join.unmatched) for join in load.joins}
    assert matched[("disp.csv", "client_id")] == (30, 29, 1)
    assert matched[("trans.csv", "account_id")] == (108, 107, 1)
    assert matched[("card.csv", "disp_id")] == (8, 8, 0)


def test_an_account_no_client_owns_is_rejected_as_such():
    disp = (RELATIONAL / "disp.csv").read_text().replace('\n9;9;9;"OWNER"\n', "\n")
    given = [(name, disp.encode() if name == "disp.csv" else data) for name, data in files()]
    load = relational_load(given, plan_of())
    by_file = {report.file_name: report for report in load.report.files}
    assert by_file["account.csv"].rejected_count("account has no client (disposition missing)") == 1
    assert by_file["loan.csv"].rejected_count("account has no client (disposition missing)") == 1  # loan of account 9
    account_nine = (RELATIONAL / "trans.csv").read_text().count(";9;95")
    assert by_file["trans.csv"].rejected_count("account has no client (disposition missing)") == account_nine > 0
    assert "9" not in set(load.dataset.holdings["customer_id"])
    assert len(load.dataset.customers) == 30  # client 9 stays a customer, with no account


def test_an_account_with_only_a_disponent_is_not_given_to_the_disponent():
    disp = (RELATIONAL / "disp.csv").read_text().replace('\n5;5;5;"OWNER"\n', "\n")
    given = [(name, disp.encode() if name == "disp.csv" else data) for name, data in files()]
    load = relational_load(given, plan_of())
    loans = next(report for report in load.report.files if report.file_name == "loan.csv")
    assert loans.rejected_count("account has no owner (only DISPONENT dispositions)") == 1
    assert "29" not in set(load.dataset.holdings["customer_id"])


def test_without_a_client_table_the_customers_are_the_accounts():
    names = ("account.csv", "district.csv", "trans.csv")
    plan = plan_of(*names)
    assert plan.customer_entity == "account"
    dataset, report = reduced_dataset(files(*names), plan)
    assert len(dataset.customers) == 24
    assert dataset.customers.loc[0, ["customer_id", "aum", "branch"]].tolist() == ["1", 19639.1, "Brno - mesto"]
    assert report.rows_rejected == 1


def test_load_dataset_joins_related_files_on_its_own_and_keeps_other_sets_file_by_file():
    dataset, report = load_dataset(files())
    expected, _ = reduced_dataset(files(), plan_of())
    pd.testing.assert_frame_equal(dataset.customers, expected.customers)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (209, 207, 2)
    previews = [
        preview_file(name, (EXTRACTS / name).read_bytes()) for name in ("churn_modelling.csv", "transactions_en.csv")
    ]
    assert not is_relational(previews)
    assert not is_relational([preview_file(n, d) for n, d in files("account.csv")])


def test_an_ambiguous_plan_is_not_loaded_without_a_person():
    account = (RELATIONAL / "account.csv").read_bytes()
    given = [*files(), ("account_copy.csv", account)]
    with pytest.raises(LoadError, match="2 files look like the account table"):
        load_dataset(given)


def test_a_plan_naming_a_file_not_uploaded_says_so():
    with pytest.raises(LoadError, match=re.escape("the join plan names trans.csv, which were not uploaded")):
        load_dataset(files("account.csv", "client.csv"), join_plan=plan_of("account.csv", "client.csv", "trans.csv"))


def test_operation_channels_are_only_the_clear_ones():
    assert operation_channel("credit card withdrawal") == "atm"
    assert operation_channel("withdrawal in cash") == "counter"
    assert operation_channel("remittance to another bank") == ""
    assert operation_channel("Mobile") == "mobile"


def test_check_json_prints_the_plan_with_matched_and_unmatched_rows_and_reuses_it(tmp_path, capsys):
    paths = [str(RELATIONAL / name) for name in NAMES]
    assert check_main([*paths, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    links = {(pair["left"], pair["left_column"]): pair for pair in data["join_plan"]["links"]}
    assert {k: links[("disp.csv", "client_id")][k] for k in ("rows", "matched", "unmatched")} == {
        "rows": 30,
        "matched": 29,
        "unmatched": 1,
    }
    assert links[("trans.csv", "account_id")]["unmatched"] == 1
    assert links[("client.csv", "district_id")]["rows"] is None  # a key pair the reduction does not use
    assert (data["rows_read"], data["rows_loaded"], data["rows_rejected"]) == (209, 207, 2)
    # Each file's shape as the plan reads it (trans.csv was "customers" by its balance column alone).
    kinds = {file["file_name"]: file["shape"]["kind"] for file in data["files"]}
    assert kinds == {
        "account.csv": "lookup", "card.csv": "holdings", "client.csv": "customers", "disp.csv": "lookup",
        "district.csv": "lookup", "loan.csv": "holdings", "trans.csv": "transactions",
    }  # fmt: skip
    trans = next(file for file in data["files"] if file["file_name"] == "trans.csv")["shape"]
    assert trans["reason"].startswith("transaction table of the join plan") and trans["confidence"] == "high"
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(data["join_plan"]), encoding="utf-8")
    assert check_main([*paths, "--join-plan", str(saved)]) == 0
    text = capsys.readouterr().out
    assert "disp.csv.client_id -> client.csv.client_id (sample share 97%; 29 of 30 rows matched, 1 unmatched)" in text


@pytest.mark.slow
def test_the_data_page_shows_the_plan_loads_it_once_confirmed_and_the_views_open():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value([(n, d, "text/csv") for n, d in files()]).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "data_load"]  # nothing loads before the plan is confirmed
    links = next(frame.value for frame in at.dataframe if "right_key" in frame.value.columns)
    assert links[["left", "key", "right"]].values.tolist()[3] == ["disp.csv", "client_id", "client.csv"]
    at.button(key="data_join_confirm").click().run()
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["209", "207", "2"]
    assert any("29 of 30 rows matched, 1 unmatched" in w.value for w in at.warning)
    at.button(key="data_use").click().run()
    assert at.session_state["data_source"] == "upload"
    for page in ("pages/segments.py", "pages/products.py", "pages/visits.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    # six months of transactions rank no branch: the page says why instead of drawing an empty chart
    assert any("at least 13 needed" in i.value for i in at.info), [i.value for i in at.info]
    assert not [c for c in at.get("plotly_chart") if c.proto.id and "visits_branch_chart" in c.proto.id]


def test_a_chinese_data_page_tells_the_plan_and_the_joins_in_chinese():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "中文"
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value([(n, d, "text/csv") for n, d in files()]).run()
    roles = next(frame.value for frame in at.dataframe if "角色" in frame.value.columns)
    assert roles.set_index("文件").loc["disp.csv"].tolist() == ["账户关系", "它关联客户和账户"]
    at.button(key="data_join_confirm").click().run()
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(
        "disp\\.csv → client\\.csv（client\\_id = client\\_id）：30 行中 29 行匹配，1 行未匹配" in w for w in warnings
    ), warnings
    issues = next(frame.value for frame in at.dataframe if "原因或列" in frame.value.columns)
    assert "client_id 不在 client.csv 中：账户关系指向未知客户" in issues["原因或列"].tolist()
    assert not [w for w in warnings if "matched" in w or "accounts" in w or "customers" in w], warnings
