"""A figure shown on more than one surface is one number (issue 17).

For the bundled sample and a small hand-built bank, each headline figure is collected from
every surface that shows it: the Overview tiles, the Loyalty tiles, the Segments bank row,
the report (deck / HTML / Excel steps and tables, both languages), the playbook findings and
guarantee measures, and the scenario comparison. Where a result object carries the number it
is compared directly; where a surface only shows it in text, the text is parsed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest

from crm_core import loyalty as loy
from crm_core import segments as seg
from crm_core import visits as vis
from crm_core.comparison import scenario_summary
from crm_core.definitions import churn_rate, opening_from_tenure, tenure_months
from crm_core.messages import render
from crm_core.overview import overview_kpis
from crm_core.playbook import executive_findings, guarantee_measures
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content
from crm_core.sample import read_sample
from tests.conftest import tiny_dataset

LANGS = ("en", "zh")


def hand_built_bank():
    """The tiny bank plus customer F, who opened and closed within the last 12 months.

    As of March 2026: on the books a year earlier are A and C; C closed in December 2025; F
    (opened June 2025, closed January 2026) is in neither the churn rate's base nor its
    closures, so the churn rate is 1 of 2 = 50% (counting F would give 2 of 2).
    """
    tiny = tiny_dataset()
    extra = pd.DataFrame(
        {
            "customer_id": pd.array(["F"], dtype="string"),
            "aum": [0.0],
            "aum_12m_ago": [0.0],
            "branch": pd.array(["North"], dtype="string"),
            "age": pd.array([44], dtype="Int64"),
            "open_date": pd.to_datetime(["2025-06-01"]),
            "closed_date": pd.to_datetime(["2026-01-15"]),
        }
    )
    customers = pd.concat([tiny.customers, extra], ignore_index=True)
    return type(tiny)("hand-built", customers, tiny.activity, tiny.holdings, fingerprint="hand-built")


@cache
def prepared_of(name: str):
    return prepared_dataset(read_sample() if name == "sample" else hand_built_bank())


# --- text parsing (for figures a surface only shows in a sentence) -----------------------------------

_MONEY_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "万": 1e4, "亿": 1e8}


def parse_share(text: str) -> float:
    """'11.5%' → 0.115."""
    return float(text.rstrip("%").replace(",", "")) / 100


def parse_count(text: str) -> float:
    """'1,589' → 1589."""
    return float(text.replace(",", ""))


def parse_money(text: str) -> float:
    """'¥23.01M', '¥2,301万', '¥9.06亿', '¥870K' → yuan."""
    match = re.fullmatch(r"-?¥?(-?[\d,.]+)\s*(K|M|B|万|亿)?", text.strip())
    assert match, f"not a money text: {text!r}"
    return float(match.group(1).replace(",", "")) * _MONEY_UNITS[match.group(2) or ""]


def shown_precision(text: str) -> float:
    """Half a unit of the last digit shown ('11.5%' → 0.0005, '¥23.01M' → 5,000)."""
    digits = re.search(r"[\d,]+(?:\.(\d+))?", text)
    decimals = len(digits.group(1) or "") if digits else 0
    scale = 0.01 if text.endswith("%") else _MONEY_UNITS.get(text.strip()[-1:], 1.0)
    return 0.5 * 10.0**-decimals * scale


def sentence_figure(sentence: str, patterns: tuple[str, ...]) -> str:
    for pattern in patterns:
        match = re.search(pattern, sentence)
        if match:
            return match.group(1)
    raise AssertionError(f"no figure in {sentence!r}")


# --- collecting every surface --------------------------------------------------------------------------


@dataclass
class Figure:
    """One surface's value of a figure: the number, and how precisely the surface shows it."""

    value: float
    precision: float = 0.0


def _values(step) -> tuple[float, ...]:
    """A step's key numbers, NaN made comparable."""
    return tuple(-math.inf if math.isnan(n.value) else n.value for n in step.numbers)


def _number(step, label: str) -> float:
    """The key number with an English label (the Chinese deck's are checked to be the same numbers)."""
    matches = [n.value for n in step.numbers if n.label == label]
    assert len(matches) == 1, f"{step.key}: no key number {label!r} in {[n.label for n in step.numbers]}"
    return matches[0]


def _table(report, key: str) -> pd.DataFrame:
    return dict(report.tables)[key]


@cache
def surfaces(name: str) -> dict[str, dict[str, Figure]]:
    """Figure → {surface: value} for one dataset under the default scenario."""
    from crm_core.scenarios import Scenario

    prepared = prepared_of(name)
    scenario = Scenario()
    risk = loy.churn_risk_model(prepared, scenario.churn)
    cube = vis.visit_cube(prepared) if prepared.monthly_channels is not None else None
    found: dict[str, dict[str, Figure]] = {}
    reports = {}

    def add(figure: str, surface: str, value: float, precision: float = 0.0) -> None:
        found.setdefault(figure, {})[surface] = Figure(float(value), precision)

    def add_text(figure: str, surface: str, text: str, parse) -> None:
        add(figure, surface, parse(text), shown_precision(text))

    overview = overview_kpis(prepared).set_index("metric")["value"]
    add("customers", "overview", overview["customers"])
    add("total_aum", "overview", overview["total_aum"])
    add("churn_rate", "overview", overview["churn_rate"])
    add("counter_decline", "overview", overview["counter_txn_yoy"])

    bank = seg.bank_profile(prepared)
    add("customers", "segments bank row", bank["customers"])
    add("total_aum", "segments bank row", bank["aum"])
    add("churn_rate", "segments bank row", bank["churn_rate"])

    matrix = loy.stickiness_matrix(prepared, scenario.stickiness)
    scores = loy.stickiness_scores(matrix, scenario.stickiness)
    tiles = loy.loyalty_kpis(prepared, risk, scores, loy.primacy_flags(prepared)).set_index("metric")["value"]
    add("churn_rate", "loyalty tiles", tiles["churn_rate"])
    if risk.usable:
        add("at_risk_aum", "loyalty tiles", tiles["at_risk_aum"])
        add("high_risk_customers", "loyalty tiles", tiles["high_risk_customers"])

    if cube is not None:
        kpis = vis.visit_kpis(prepared, cube, vis.bank_decline(cube)).set_index("metric")["value"]
        add("off_counter_rate", "visits tiles", kpis["off_counter_rate"])
        # The visit cube's 12-month windows are prepare's: the Overview's year-on-year from the cube.
        add("counter_decline", "visit cube windows", cube.counter_12m.sum() / cube.counter_prev_12m.sum() - 1)
        branches, _ = vis.branch_declines(cube)
        falling = branches[(branches["status"] == vis.OK) & (branches["annual_change"] < 0)]
        if len(falling):
            add("steepest_branch_decline", "visits branch table", falling["annual_change"].min())

    summary = scenario_summary(prepared, scenario, churn_risk=risk)
    add("customers", "comparison tiers", summary.tiers["customers"].sum())
    if prepared.products:
        add("opportunity_value", "comparison", summary.opportunity_value)
    if risk.usable:
        add("at_risk_aum", "comparison", summary.at_risk_aum)

    for lang in LANGS:
        report = report_content(prepared, scenario, lang, churn_risk=risk, cube=cube)
        reports[lang] = report
        if lang == "zh":  # the Chinese deck shows the English deck's numbers, step by step
            for english, chinese in zip(reports["en"].steps, report.steps, strict=True):
                assert _values(chinese) == _values(english), chinese.key
        positioning, tiering = reports["en"].step("positioning"), reports["en"].step("tiering")
        add("customers", f"deck positioning ({lang})", _number(positioning, "Active customers"))
        add("total_aum", f"deck positioning ({lang})", _number(positioning, "Total AUM"))
        segments_sheet = _table(report, "segments")  # a tier's AUM is hidden below 10 customers, its count is not
        add("customers", f"Excel segments sheet ({lang})", segments_sheet["customers"].sum())
        add("churn_rate", f"deck tiering ({lang})", _number(tiering, "Churn rate (bank)"))
        if risk.usable:
            stickiness = report.step("stickiness")
            add("at_risk_aum", f"deck stickiness ({lang})", _number(reports["en"].step("stickiness"),
                "AUM of high-risk customers"))  # fmt: skip
            add("at_risk_aum", f"Excel risk sheet ({lang})", _table(report, "risk")["at_risk_aum"].sum())
            add("high_risk_customers", f"Excel risk sheet ({lang})", _table(report, "risk")["high_risk"].sum())
            high = sentence_figure(stickiness.headline, (r"; ([\d,]+) high-risk customers", r"([\d,]+)名高风险客户"))
            add_text("high_risk_customers", f"deck stickiness headline ({lang})", high, parse_count)
        if prepared.products:
            add("opportunity_value", f"deck value mining ({lang})",
                _number(reports["en"].step("value_mining"), "Opportunity value a year"))  # fmt: skip
            add("opportunity_value", f"Excel opportunities sheet ({lang})",
                _table(report, "opportunities")["opportunity_value"].sum())  # fmt: skip
        measures = guarantee_measures(prepared, scenario).set_index("kpi")["current"]
        add("churn_rate", f"guarantee retention ({lang})", 1 - measures["retention"])
        add("off_counter_rate", f"guarantee measures ({lang})", measures["off_counter_rate"])
        if math.isfinite(measures["off_counter_rate"]):
            add("off_counter_rate", f"deck guarantees ({lang})",
                _number(reports["en"].step("guarantees"), "Off-counter rate"))  # fmt: skip

        findings = executive_findings(prepared, scenario, churn_risk=risk, cube=cube)
        by_key = {f.key: f for f in findings.ranked}
        if "churn_loss" in by_key:
            said = render(by_key["churn_loss"].sentence, lang)  # the sentence as the page and deck render it
            rate = sentence_figure(said, (r"a churn rate of ([\d.]+%)", r"流失率([\d.]+%)"))
            add_text("churn_rate", f"playbook churn finding ({lang})", rate, parse_share)
        if "counter_decline" in by_key:
            add("steepest_branch_decline", f"playbook decline finding ({lang})", by_key["counter_decline"].value)
    return found


DATASETS = ("hand-built", pytest.param("sample", marks=pytest.mark.slow))
FIGURES = (
    "customers",
    "total_aum",
    "churn_rate",
    "at_risk_aum",
    "high_risk_customers",
    "opportunity_value",
    "off_counter_rate",
    "counter_decline",
    "steepest_branch_decline",
)


def _same(a: Figure, b: Figure) -> bool:
    if math.isnan(a.value) or math.isnan(b.value):
        return math.isnan(a.value) and math.isnan(b.value)
    tolerance = max(a.precision, b.precision) + 1e-9 * max(1.0, abs(a.value), abs(b.value))
    return abs(a.value - b.value) <= tolerance


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("figure", FIGURES)
def test_a_figure_on_several_surfaces_is_one_number(name, figure):
    shown = surfaces(name).get(figure, {})
    if name == "sample":  # the sample supports every figure, on at least two surfaces each
        assert len(shown) >= 2, f"{figure}: only on {list(shown)}"
    if len(shown) < 2:
        pytest.skip(f"{figure} is on fewer than two surfaces for {name}")
    (first_surface, first), *others = shown.items()
    differing = {s: f.value for s, f in others if not _same(first, f)}
    assert not differing, f"{figure}: {first_surface} shows {first.value}, but {differing}"


def test_the_hand_built_churn_rate_leaves_out_a_customer_who_opened_and_closed_within_the_year():
    prepared = prepared_of("hand-built")
    rate = churn_rate(prepared.customers)
    assert (rate.closed, rate.base, rate.value) == (1, 2, 0.5)
    assert surfaces("hand-built")["churn_rate"]["overview"].value == 0.5


@pytest.mark.slow
def test_the_sample_churn_rate_is_closures_among_customers_on_the_books_a_year_earlier():
    c = prepared_of("sample").customers
    rate = churn_rate(c)
    base = c["alive_12m_ago"].to_numpy(dtype=bool)
    assert rate.base == base.sum()
    assert rate.closed == (base & c["closed_last_12m"].to_numpy(dtype=bool)).sum()
    assert rate.closed < c["closed_last_12m"].sum()  # the sample has customers who opened and closed within the year


@pytest.mark.parametrize("name", DATASETS)
def test_prepared_tenure_is_the_one_definition(name):
    prepared = prepared_of(name)
    c = prepared.customers
    expected = tenure_months(c["open_date"], prepared.as_of)
    pd.testing.assert_series_equal(c["tenure_months"], expected, check_names=False)


def test_tenure_and_open_date_convert_exactly_and_twelve_months_means_on_the_books_a_year_earlier():
    as_of = pd.Timestamp("2026-02-01")  # a short reference month: day-of-month edge cases
    tenure = pd.Series(np.arange(0, 40), dtype="Int64")
    pd.testing.assert_series_equal(tenure_months(opening_from_tenure(tenure, as_of), as_of), tenure)
    tiny = tiny_dataset()
    customers = tiny.customers.drop(columns=["open_date"]).assign(
        tenure_months=pd.array([74, 11, 12, 100], dtype="Int64"), closed_date=pd.NaT
    )
    prepared = prepared_dataset(type(tiny)("tenure", customers, tiny.activity, None, fingerprint="tenure"))
    assert prepared.customers["alive_12m_ago"].tolist() == [True, False, True, True]
    assert prepared.customers["tenure_months"].tolist() == [74, 11, 12, 100]


def test_without_closing_dates_every_surface_uses_the_churn_flag_over_all_customers():
    tiny = tiny_dataset()
    customers = tiny.customers.drop(columns=["closed_date"]).assign(
        churned=pd.array([False, False, True, False], dtype="boolean")
    )
    prepared = prepared_dataset(type(tiny)("flag", customers, tiny.activity, None, fingerprint="flag"))
    risk = loy.churn_risk_model(prepared)
    scores = loy.stickiness_scores(loy.stickiness_matrix(prepared))
    shown = {
        "definition": churn_rate(prepared.customers).value,
        "overview": overview_kpis(prepared).set_index("metric").loc["churn_rate", "value"],
        "segments bank row": seg.bank_profile(prepared)["churn_rate"],  # was 0: no one closed in a window
        "loyalty tiles": loy.loyalty_kpis(prepared, risk, scores, loy.primacy_flags(prepared))
        .set_index("metric")
        .loc["churn_rate", "value"],
        "loyalty model base": risk.labels.rate,
    }
    assert shown == dict.fromkeys(shown, 0.25)
    assert math.isnan(churn_rate(prepared.customers, "previous_12m").value)  # no window without dates
