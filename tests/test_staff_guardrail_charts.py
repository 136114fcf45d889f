"""Staff guardrail, preset switch on the committed sample, and the figures."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pandas.testing as pdt
import plotly.graph_objects as go
import pytest

from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample
from crm_core.staff import (
    CUSTOMER_CENTRIC,
    DEPOSIT_SALES,
    INDICATOR_TERMS,
    PRESET_TERMS,
    GuardrailConfig,
    extreme_groups,
    guardrail_figure,
    guardrail_flags,
    guardrail_messages,
    indicator_status,
    movers_message,
    rank_slope_figure,
    ranking_display,
    ranking_table,
    scorecard_from_customers,
    scorecard_heat_figure,
    scorecard_text,
    scorecard_weights,
    selected_units,
    staff_scorecard,
)
from tests.test_staff_scorecard import AS_OF, LOOSE, bank

HAISHU, BINJIANG = "Ningbo Haishu", "Hangzhou Binjiang"


@pytest.fixture(scope="module")
def sample():
    return prepared_dataset(read_sample())


@pytest.fixture(scope="module")
def branch_card(sample):
    return staff_scorecard(sample, "branch")


def test_guardrail_flags_ningbo_haishu(branch_card):
    flags = guardrail_flags(branch_card).set_index("unit")
    assert flags.loc[HAISHU, "flagged"]
    assert not flags.loc[BINJIANG, "flagged"]
    assert flags.loc[HAISHU, "strong_on"].startswith("aum_growth")
    assert "complaints_per_100" in flags.loc[HAISHU, "weak_on"]
    sentences = {dict(note.params)["unit"]: note for note in guardrail_messages(flags.reset_index())}
    assert render(sentences[HAISHU], "en").startswith("Ningbo Haishu: top third for AUM growth")
    assert "bottom third for complaints" in render(sentences[HAISHU], "en")
    assert render(sentences[HAISHU], "zh").startswith("Ningbo Haishu：金融资产增长")
    assert flags.loc[HAISHU, "sales_score"] > 50 > flags.loc[HAISHU, "outcome_score"]


def test_preset_switch_moves_binjiang_up_and_haishu_down(branch_card):
    deposit = scorecard_weights(branch_card, DEPOSIT_SALES)
    balanced = scorecard_weights(branch_card, CUSTOMER_CENTRIC)
    assert sum(deposit.values()) == sum(balanced.values()) == 100
    table = ranking_table(branch_card, balanced, deposit).set_index("unit")
    assert table.loc[BINJIANG, "rank"] < table.loc[BINJIANG, "baseline_rank"]
    assert table.loc[HAISHU, "rank"] > table.loc[HAISHU, "baseline_rank"]
    assert table.loc[BINJIANG, "rank"] == 1 and table.loc[HAISHU, "baseline_rank"] == 1
    terms = PRESET_TERMS["deposit_sales"], PRESET_TERMS["customer_centric"]
    sentence = render(movers_message(table.reset_index(), *terms), "en")
    assert sentence.startswith("From Deposit & sales oriented to Customer-centric balanced scorecard: ")


def test_relationship_manager_level_on_sample(sample):
    card = staff_scorecard(sample, "relationship_manager")
    assert card.level == "relationship_manager"
    assert len(card.units) == sample.customers["relationship_manager"].nunique()
    assert card.customers.sum() == int(sample.customers["is_active"].sum())


def test_sample_not_mutated(sample):
    before = sample.customers.copy()
    card = staff_scorecard(sample, "branch")
    ranking_table(card, CUSTOMER_CENTRIC.weight_map, DEPOSIT_SALES.weight_map)
    guardrail_flags(card)
    pdt.assert_frame_equal(sample.customers, before)


def test_extreme_groups_counts_ties_in_and_flips_direction():
    best, worst = extreme_groups(np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0]), 1 / 3)
    assert best.tolist() == [False, False, False, False, True, True]
    assert worst.tolist() == [True, True, True, False, False, False]  # two units tie at the edge: both in
    best, worst = extreme_groups(np.array([1.0, 5.0, 3.0]), 1 / 3, lower_is_better=True)
    assert best.tolist() == [True, False, False] and worst.tolist() == [False, True, False]


def test_guardrail_exact_on_hand_built_bank():
    card = scorecard_from_customers(bank(), AS_OF, "branch", replace(LOOSE, min_unit_customers=1))
    flags = guardrail_flags(card)
    # A leads AUM growth, B new customers, A and B tie on products sold; B is worst on all three outcomes.
    assert flags["strong_on"].tolist() == ["aum_growth,products_sold", "new_customers,products_sold", ""]
    assert flags["weak_on"].tolist() == ["", "complaints_per_100,retention,satisfaction", ""]
    assert flags["flagged"].tolist() == [False, True, False]
    (note,) = guardrail_messages(flags)
    assert render(note, "en") == (
        "B: top third for new customers and products sold but bottom third for complaints, retention and satisfaction"
    )
    assert render(note, "zh") == "B：新增客户、产品销售位列前三分之一，但投诉、留存、满意度位列后三分之一"
    # Demands beyond the indicators present are capped: three outcomes exist, so B is still flagged.
    assert guardrail_flags(card, GuardrailConfig(min_weak=5))["flagged"].tolist() == [False, True, False]


def test_slope_figure(branch_card):
    table = ranking_table(branch_card, CUSTOMER_CENTRIC.weight_map, DEPOSIT_SALES.weight_map)
    units = selected_units(table, limit=10, always=[HAISHU, BINJIANG])
    figure = rank_slope_figure(table, "Rank change", "Deposit", "Balanced", "Rank", units=units, highlight=[HAISHU])
    assert isinstance(figure, go.Figure)
    assert len(figure.data) == 10
    assert figure.layout.title.text == "Rank change" and figure.layout.yaxis.title.text == "Rank"
    assert figure.layout.yaxis.autorange == "reversed"
    haishu = next(t for t in figure.data if t.name == HAISHU)
    assert list(haishu.x) == ["Deposit", "Balanced"] and haishu.line.width == 4
    assert list(haishu.y) == table.set_index("unit").loc[HAISHU, ["baseline_rank", "rank"]].tolist()


def test_heat_and_guardrail_figures(branch_card):
    status = indicator_status(branch_card).head(5)
    text = scorecard_text(branch_card.values).head(5)
    labels = {name: render(INDICATOR_TERMS[name].key, "en") for name in branch_card.indicators}
    heat = scorecard_heat_figure(status, text, labels, {k: k for k in ("green", "amber", "red", "none")}, "Scorecard")
    assert heat.data[0].type == "heatmap"
    assert list(heat.data[0].x) == list(labels.values()) and len(heat.data[0].y) == 5
    assert heat.layout.title.text == "Scorecard"
    flags = guardrail_flags(branch_card)
    scatter = guardrail_figure(flags, "Guardrail", "Sales score", "Customer score", "Flagged", "Others")
    assert [t.name for t in scatter.data] == ["Others", "Flagged"]
    assert HAISHU in list(scatter.data[1].text)
    assert scatter.layout.xaxis.title.text == "Sales score"


def test_ranking_display(branch_card):
    table = ranking_table(branch_card, CUSTOMER_CENTRIC.weight_map, DEPOSIT_SALES.weight_map)
    shown = ranking_display(table, {"rank": "Rank", "unit": "Branch", "rank_change": "Change", "score": "Score"}, 3)
    assert list(shown.columns) == ["Rank", "Branch", "Change", "Score"]
    assert shown["Rank"].tolist() == ["1", "2", "3"]
    assert isinstance(shown, pd.DataFrame) and shown["Change"].str.match(r"^(▲\d+|▼\d+|–)$").all()


def test_guardrail_leaves_units_too_small_to_rank_out():
    card = scorecard_from_customers(bank(), AS_OF, "branch", LOOSE)  # C has one active customer (< 2)
    flags = guardrail_flags(card)
    assert flags["unit"].tolist() == ["A", "B"]  # C shows no figure of its own, even here
