"""Bidi control characters are removed where rows enter (issue 22 item 5): no name reaches a table drawn on a
canvas with a right-to-left override in it; the report counts the cleaned values (a warning, not a rejection)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from crm_core.loading import load_dataset, load_table, preview_file
from crm_core.loading.values import without_bidi_controls
from crm_core.text_safety import BIDI_CONTROLS
from tests.conftest import warning_texts

RLO, RLM, ALM, ISOLATE = "\u202e", "\u200f", "\u061c", "\u2067"
HOSTILE = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3", "C4"],
        "aum": ["100", "2" + RLM + "00", "300", "400"],
        "branch": [RLO + "lanruoJ", "North", ISOLATE + "East" + "\u2069", "West"],
        "relationship_manager": ["Ann", "Bob" + ALM, "Cy", "Di"],
    }
)


def _warning(report) -> str:
    [warning] = [w for w in warning_texts(report.warnings) if "bidirectional" in w]
    return warning


def test_every_control_is_removed_and_counted():
    values = pd.Series([f"a{control}b" for control in BIDI_CONTROLS] + ["plain", "—“quoted”", "عربي", None])
    cleaned, count = without_bidi_controls(values)
    assert count == len(BIDI_CONTROLS)
    assert cleaned.tolist() == ["ab"] * len(BIDI_CONTROLS) + ["plain", "—“quoted”", "عربي", pd.NA]


def test_a_clean_column_is_returned_as_it_is():
    values = pd.Series(["东城支行", "Besançon — “Nord”", "\u2060joined", None], dtype="string")
    cleaned, count = without_bidi_controls(values)
    assert count == 0 and cleaned is values


def test_a_csv_upload_loses_its_controls_and_the_report_counts_them():
    data = HOSTILE.to_csv(index=False).encode()
    frame, report = load_table("hostile.csv", data)
    assert frame["branch"].tolist() == ["lanruoJ", "North", "East", "West"]
    assert frame["relationship_manager"].tolist() == ["Ann", "Bob", "Cy", "Di"]
    assert frame["aum"].tolist() == [100.0, 200.0, 300.0, 400.0]  # a mark inside a number no longer fails it
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 4, 0)
    warning = _warning(report)
    assert warning.startswith("4 values held bidirectional control characters")
    assert "'aum'" in warning and "'branch'" in warning and "'relationship_manager'" in warning


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_workbooks_and_parquet_are_cleaned_without_changing_their_preview(kind):
    buffer = io.BytesIO()
    if kind == "xlsx":
        HOSTILE.to_excel(buffer, index=False)
    else:
        HOSTILE.to_parquet(buffer, index=False)
    data = buffer.getvalue()
    preview = preview_file(f"hostile.{kind}", data)
    dataset, report = load_dataset([(f"hostile.{kind}", data)])
    assert dataset.customers["branch"].tolist() == ["lanruoJ", "North", "East", "West"]
    assert _warning(report.files[0]).startswith("4 values held")
    assert preview.payload[0]["branch"].iloc[0] == RLO + "lanruoJ"  # the (cacheable) preview is not mutated


def test_headers_lose_their_controls():
    data = f"customer_id,{RLO}aum,branch\nC1,100,North\n".encode()
    preview = preview_file("h.csv", data)
    assert preview.columns == ("customer_id", "aum", "branch")


def test_a_clean_file_has_no_such_warning():
    clean = HOSTILE.replace(f"[{BIDI_CONTROLS}]", "", regex=True)
    frame, report = load_table("clean.csv", clean.to_csv(index=False).encode())
    assert not [w for w in warning_texts(report.warnings) if "bidirectional" in w]
    assert frame["branch"].tolist() == ["lanruoJ", "North", "East", "West"]


def test_one_value_is_counted_in_the_singular():
    _, report = load_table("one.csv", f"customer_id,aum,branch\nC1,100,{RLO}North\nC2,200,South\n".encode())
    assert _warning(report).startswith("1 value held bidirectional control characters")
