"""Money in the data's currency on every surface (issue 19: euro, dollar and rupee files are not ¥)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from crm_core.dataset import Dataset
from crm_core.formatting import format_money, priced_in
from crm_core.loading import load_dataset
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content
from crm_core.scenarios import Scenario
from tests.conftest import app_on

ROOT = Path(__file__).resolve().parents[1]


def euro_bank() -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": pd.array([f"C{i}" for i in range(40)], dtype="string"),
            "aum": [1000.0 * (i + 1) for i in range(40)],
            "branch": pd.array(["Lyon", "Nice"] * 20, dtype="string"),
            "open_date": pd.to_datetime(["2024-01-15"] * 40),
        }
    )
    return Dataset("euro bank", customers, None, None, "euro", currency="EUR")


def test_the_loader_reads_the_currency_from_the_headers():
    text = b"customer_id,Balance (EUR)\nA,1200\nB,300\n"
    dataset, _ = load_dataset([("euro.csv", text)])
    assert dataset.currency == "EUR"
    dataset, _ = load_dataset([("plain.csv", b"customer_id,aum\nA,1200\nB,300\n")])
    assert dataset.currency == "CNY"


def test_a_report_is_priced_in_the_currency_in_force():
    prepared = prepared_dataset(euro_bank())
    with priced_in("EUR"):
        report = report_content(prepared, Scenario(), "en")
    texts = " ".join(n.text for step in report.steps for n in step.numbers)
    assert "€" in texts and "¥" not in texts
    from crm_core.report.content import _chart
    from crm_core.report.model import chart_figure

    with priced_in("EUR"):
        spec = _chart("en", kind="bar", title="t", categories=("a",), series=(("s", (2e6,)),), value_kind="money")
    assert '"€"' in spec.number_format  # the deck's axis and labels
    ticks = chart_figure(spec, "en").layout.yaxis.ticktext  # rendered later, outside the block: still euros
    assert ticks and all(t.startswith("€") for t in ticks if t != "€0"), ticks
    assert format_money(1e6, "en") == "¥1M"  # outside the block: the default again


def test_pages_show_the_data_currency_and_the_managers_choice():
    at = app_on(euro_bank())
    assert not at.exception, at.exception
    total = next(m.value for m in at.metric if m.label == "Total AUM")
    assert total.startswith("€"), total
    at.switch_page("pages/data.py").run()
    at.selectbox(key="views.currency@en").set_value("USD").run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    total = next(m.value for m in at.metric if m.label == "Total AUM")
    assert total.startswith("$"), total
    assert replace(euro_bank(), currency="CNY").currency == "CNY"


def test_tiers_that_put_everyone_in_one_tier_offer_bounds_from_the_data():
    from crm_core import segments as seg

    at = app_on(euro_bank(), "EN", "segments")  # €1K–€40K: every customer below the ¥50K bound
    assert not at.exception, at.exception
    assert any("100.0% of the customers in one tier" in w.value for w in at.warning), [w.value for w in at.warning]
    at.button(key="tiers.use_percentiles").click().run()
    assert not at.exception, at.exception
    tiers = at.session_state["scenario_active"].tiers
    assert tiers.thresholds == seg.percentile_thresholds(euro_bank().customers["aum"].to_numpy())
    assert not any("in one tier" in w.value for w in at.warning)
