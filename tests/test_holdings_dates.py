"""Holdings a year ago from open and close dates (issue 18: closed products no longer vanish)."""

from __future__ import annotations

import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.dataset import Dataset
from crm_core.loading import load_dataset
from crm_core.prepare import prepared_dataset


def bank(with_close_dates: bool) -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B"], dtype="string"),
            "aum": [1e5, 2e5],
            "open_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
        }
    )
    activity = pd.DataFrame(
        {
            "customer_id": pd.array(["A"], dtype="string"),
            "month": pd.to_datetime(["2026-03-01"]),
            "channel": pd.Categorical(["mobile"], categories=CHANNELS),
            "transactions": [3],
        }
    )
    holdings = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "A", "B"], dtype="string"),
            "product": pd.array(["funds", "credit_card", "funds"], dtype="string"),
            "open_date": pd.to_datetime(["2021-05-01", "2025-09-01", "2022-01-01"]),
        }
    )
    if with_close_dates:  # A closed funds in November 2025; B still holds them
        holdings["close_date"] = pd.to_datetime(["2025-11-20", None, None])
    return Dataset("dates", customers, activity, holdings, f"dates-{with_close_dates}")


def test_a_product_closed_during_the_year_counts_a_year_ago_but_not_now():
    prepared = prepared_dataset(bank(with_close_dates=True))
    c = prepared.customers.set_index("customer_id")
    assert c.loc["A", "has_funds"] == False  # noqa: E712  closed in November
    assert c.loc["A", "products_held"] == 1 and c.loc["A", "products_held_12m_ago"] == 1  # funds then, a card now
    assert c.loc["B", "products_held"] == 1 and c.loc["B", "products_held_12m_ago"] == 1


def test_without_close_dates_a_closed_product_is_still_held():
    c = prepared_dataset(bank(with_close_dates=False)).customers.set_index("customer_id")
    assert c.loc["A", "has_funds"] == True  # noqa: E712  the extract cannot say it was closed
    assert c.loc["A", "products_held"] == 2


def test_the_loader_reads_a_close_date_column():
    customers = b"customer_id,aum,open_date\nA,100000,2020-01-01\n"
    holdings = "客户号,产品,开户日期,销户日期\nA,funds,2021-05-01,2025-11-20\nA,credit_card,2025-09-01,\n".encode()
    dataset, report = load_dataset([("customers.csv", customers), ("holdings.csv", holdings)])
    assert ("销户日期", "close_date") in report.for_table("holdings").mapping.columns
    assert dataset.holdings["close_date"].notna().sum() == 1
