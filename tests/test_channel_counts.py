"""An extract with one count per channel per customer (a credit-card file: visits to the bank, online
logins, calls) and no dated activity feeds the channel mix, undated (issue 19's remainder)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.loading.loader import load_dataset
from crm_core.overview import channel_mix_from_counts
from crm_core.prepare import prepared_dataset

FILE = Path(__file__).parent / "fixtures" / "extracts" / "credit_card_visits.csv"


@pytest.fixture(scope="module")
def dataset():
    dataset, _report = load_dataset([(FILE.name, FILE.read_bytes())])
    return dataset


def test_the_counts_give_the_mix_over_active_customers(dataset):
    mix = channel_mix_from_counts(prepared_dataset(dataset))
    expected = pd.DataFrame(
        {"channel": ["counter", "online", "phone"], "transactions": [3.0, 27.0, 20.0], "share": [0.06, 0.54, 0.40]}
    )
    pd.testing.assert_frame_equal(mix, expected)


def test_dated_activity_wins_over_counts():
    from tests.conftest import tiny_dataset

    tiny = tiny_dataset()
    tiny.customers["counter_transactions"] = 5
    assert channel_mix_from_counts(prepared_dataset(tiny)).empty


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_the_overview_shows_the_undated_mix(dataset, lang):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["lang"] = lang
    at.session_state["uploaded_dataset"] = dataset
    at.session_state["data_source"] = "upload"
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert ("off-counter share 94.0%" if lang == "EN" else "离柜占比94.0%") in captions
