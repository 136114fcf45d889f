"""AppTest: extracts shaped like public bank files, uploaded on the Data page, reach the views."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.loading import LoadOptions, load_dataset

APP = str(Path(__file__).resolve().parents[1] / "app.py")
EXTRACTS = Path(__file__).resolve().parent / "fixtures" / "extracts"


def uploaded(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value((name, (EXTRACTS / name).read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def editor_frame(at: AppTest):
    return next(frame.value for frame in at.dataframe if "column" in frame.value.columns)


@pytest.mark.slow
def test_santander_flags_reach_the_product_gap_page_as_24_products():
    name = "santander_products.csv"
    at = uploaded(name)
    at.selectbox(key="data_duplicate_policy__en").set_value("keep_latest").run()
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    _, expected = load_dataset(
        [(name, (EXTRACTS / name).read_bytes())], options=LoadOptions(duplicate_policy="keep_latest")
    )
    assert [m.value for m in at.metric] == ["32", "16", "16"]
    assert (expected.rows_read, expected.rows_loaded, expected.rows_rejected) == (32, 16, 16)
    at.button(key="data_use").click().run()
    at.switch_page("pages/products.py").run()
    assert not at.exception, at.exception
    offered = at.multiselect(key="offered_products@en")
    assert len(offered.options) == 24
    assert "tjcr" in offered.options


def test_the_mapping_editor_shows_how_sure_each_suggestion_is_and_the_value_measure():
    at = uploaded("bank_churners.csv")
    frame = editor_frame(at)
    rows = frame.set_index("column")
    assert rows.loc["CLIENTNUM", "confidence"] == "known header"
    assert rows.loc["Credit_Limit", "field"] == "credit_limit"
    assert rows.loc["Dependent_count", "confidence"] == ""
    picker = at.selectbox(key=next(k for k in at.session_state if str(k).startswith("data_value_measure_")))
    assert picker.value == "credit_limit"
    assert picker.options == ["credit_limit", "annual_spend"]
