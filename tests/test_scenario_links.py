"""Short scenario links: the nearest preset plus only what differs, validated as a file is."""

from dataclasses import replace
from urllib.parse import urlencode

import pytest

from crm_core import scenarios as sc
from crm_core.scenario_links import scenario_from_query, scenario_query
from crm_core.segments.config import TierConfig
from crm_core.staff.config import CUSTOMER_CENTRIC


def test_a_typical_what_if_is_a_short_readable_link():
    scenario = replace(
        sc.baseline_scenario(), name="Affluent from 10万", tiers=TierConfig((1e5, 5e5, 6e6)),
        staff_weights=CUSTOMER_CENTRIC.weights,
    )  # fmt: skip
    query = scenario_query(scenario)
    assert query == {"s": "baseline", "name": "Affluent from 10万", "tiers": "10,50,600", "kpi": "customer_centric"}
    link = f"https://crm.bank.example/?{urlencode(query, safe=':,')}"
    assert len(link) < 300
    assert scenario_from_query(query) == scenario


def test_presets_are_one_parameter_and_custom_weights_round_trip():
    assert scenario_query(sc.proposed_scenario()) == {"s": "proposed"}
    custom = replace(sc.proposed_scenario(), staff_weights=(("retention", 60), ("satisfaction", 40)))
    assert scenario_query(custom)["kpi"] == "retention:60,satisfaction:40"
    assert scenario_from_query(scenario_query(custom)) == custom


@pytest.mark.parametrize(
    "query",
    [
        {"s": "nope"},
        {"s": "baseline", "tiers": "x"},
        {"s": "baseline", "tiers": "600,50"},
        {"s": "baseline", "clv.discount_rate": "nan"},
        {"s": "baseline", "evil": "1"},
        {"s": "baseline", "kpi": "retention:101"},
        {"s": "baseline", "name": "\u202eevil"},
        {"s": "baseline", "tiers": "1" * 5000},
    ],
)
def test_a_damaged_or_hostile_link_is_refused_with_a_scenario_error(query):
    with pytest.raises(sc.ScenarioError):
        scenario_from_query(query)
