"""Every extract shape of issue 19 opens every page: the fixtures, loaded as the Data page loads them, swept in AppTest.

A crash found this way (Product gap on a file with one product flag) had passed every per-page test, each of which
opens a fixture on the pages it was written for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_core.loading import load_dataset
from tests.conftest import app_on

ROOT = Path(__file__).resolve().parents[1]
EXTRACTS = ROOT / "tests" / "fixtures" / "extracts"
PAGES = ("segments", "visits", "products", "loyalty", "staff_kpis", "service", "scenarios", "playbook")
CASES = [
    ("churn_modelling.csv", "EN"),
    ("bank_churners.csv", "EN"),
    ("credit_card_visits.csv", "EN"),
    ("santander_products.csv", "EN"),
    ("transactions_en.csv", "EN"),
    ("relational", "EN"),
    ("relational_long", "中文"),
    ("chinese_customers.csv", "中文"),
    ("transactions_zh_gb18030.csv", "中文"),
    ("location_only.csv", "EN"),  # a log with a location and no channel, written by the test
]
ZERO_MONEY = re.compile(r"^[¥$€₹]0(\.0+)?$")


def files_of(case: str) -> list[tuple[str, bytes]]:
    if case == "location_only.csv":
        from tests.test_loading_transactions import location_only_log

        return [(case, location_only_log())]
    if case.startswith("relational"):  # a folder of related tables
        return [(path.name, path.read_bytes()) for path in sorted((EXTRACTS / case).glob("*.csv"))]
    return [(case, (EXTRACTS / case).read_bytes())]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "lang"), CASES)
def test_every_page_opens_on_every_extract_shape(case, lang):
    dataset, _ = load_dataset(files_of(case))
    for page in ("overview", *PAGES):  # one session per page, as a deep link opens it
        at = app_on(dataset, lang, None if page == "overview" else page, timeout=300)
        assert not at.exception, f"{case} / {page}: {at.exception[0].message}"
        zero = [(m.label, m.value) for m in at.metric if ZERO_MONEY.match(str(m.value).strip())]
        assert not zero, f"{case} / {page}: a money tile reads as zero instead of n/a: {zero}"


def test_product_gap_offers_no_group_of_nobody():
    """Churn_Modelling's euro balances under the CNY tiers: two tiers empty, two too small to show. The drill-down
    offered the empty ones and drew an empty chart; now it says no group can be shown on its own."""
    at = app_on(load_dataset(files_of("churn_modelling.csv"))[0], "EN", "products", timeout=300)
    assert not at.exception, at.exception
    assert not [s for s in at.selectbox if "products_gap_group" in str(s.key)]
    said = "No group has enough customers to be shown on its own (at least 10)"
    assert any(i.value.startswith(said) for i in at.info), [i.value for i in at.info]


def test_empty_groups_read_n_a_in_tables_not_none():
    """Churn_Modelling's two empty tiers have no products per customer: the grid showed "None"; now "n/a"."""
    at = app_on(load_dataset(files_of("churn_modelling.csv"))[0], "EN", "products", timeout=300)
    assert not at.exception, at.exception
    ratios = next(d.value for d in at.dataframe if "Products per customer" in d.value.columns)
    assert not ratios.isna().any().any(), ratios
    per_customer = ratios.set_index("Group")["Products per customer"]
    assert per_customer["private"] == "n/a" and per_customer["Whole bank"] != "n/a"


def test_the_guarantee_measures_read_n_a_where_the_data_cannot_say():
    """A log without a channel or balance: most KPIs have no value now; the tables showed "None"."""
    at = app_on(load_dataset(files_of("location_only.csv"))[0], "EN", "playbook", timeout=300)
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe]
    assert tables and not any(t.isna().any().any() for t in tables), [t[t.isna().any(axis=1)] for t in tables]


def test_loyalty_draws_no_stickiness_chart_of_nothing():
    """Nothing in a location-only log measures stickiness: the page said "Weights sum to 0%" over an empty chart."""
    at = app_on(load_dataset(files_of("location_only.csv"))[0], "EN", "loyalty", timeout=300)
    assert not at.exception, at.exception
    assert any(i.value.startswith("Stickiness is not measured") for i in at.info), [i.value for i in at.info]
    assert not any("Weights sum to" in c.value for c in at.caption)
    assert not [s for s in at.slider if "stickiness" in str(s.key)]


def test_loyalty_says_why_no_group_has_a_stickiness_score():
    """Product flags and no value measure: stickiness is measured but every customer is outside the AUM tiers."""
    rows = "\n".join(f"K{i},{'是' if i % 2 else '否'},{'是' if i % 3 else '否'}" for i in range(30))
    data = f"客户号,是否持有信用卡,是否持有理财\n{rows}\n".encode()
    at = app_on(load_dataset([("flags.csv", data)])[0], "EN", "loyalty", timeout=300)
    assert not at.exception, at.exception
    assert any(i.value.startswith("No group in this breakdown has active customers") for i in at.info), [
        i.value for i in at.info
    ]


def test_segments_without_a_value_measure_show_n_a_and_no_empty_chart():
    """No value measure: every customer is not assigned. The table read ₹0 and "None", the chart was empty, and the
    tier bounds were labelled in ¥ for a file in rupees."""
    at = app_on(load_dataset(files_of("location_only.csv"))[0], "EN", "segments", timeout=300)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Group" in d.value.columns)
    assert not table.isna().any().any(), table
    unassigned = table.set_index("Group").loc["not assigned"]
    assert unassigned["AUM"] == "n/a" and unassigned["Customers"] == 40
    assert any(i.value.startswith("No group has customers with a measure to compare") for i in at.info)
    bounds = [n.label for n in at.number_input if "from" in n.label]
    assert bounds and all(label.endswith("(₹K)") for label in bounds), bounds
    assert any("AUM shares to n/a" in c.value for c in at.caption), [c.value for c in at.caption]


def test_staff_kpis_say_no_indicator_can_be_measured_rather_than_too_few_units():
    at = app_on(load_dataset(files_of("location_only.csv"))[0], "EN", "staff_kpis", timeout=300)
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [
        "No staff indicator can be measured on this data (each is listed above with what it lacks), so no unit is "
        "ranked."
    ]
