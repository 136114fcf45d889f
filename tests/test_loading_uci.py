"""The UCI bank marketing extract: semicolons, no id column, ``unknown`` as missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.loading import read_file
from tests.conftest import warning_texts

_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "uci_bank_marketing" / "bank-full.csv",
    Path("/work/shared/data/uci_bank_marketing/bank-full.csv"),
)
BANK_FULL = next((path for path in _CANDIDATES if path.exists()), None)


@pytest.mark.skipif(BANK_FULL is None, reason="bank-full.csv is not available")
def test_bank_full_loads_with_the_expected_mapping_and_report():
    dataset, report = read_file(BANK_FULL)
    file = report.files[0]
    assert (file.format, file.encoding, file.delimiter, file.table) == ("text", "utf-8", ";", "customers")
    assert file.mapping.fields == {
        "age": "age",
        "balance": "aum",
        "housing": "has_mortgage",
        "loan": "has_consumer_loan",
    }
    assert (file.rows_read, file.rows_loaded, file.rows_rejected, file.rows_output) == (45211, 45211, 0, 45211)
    assert file.parse_failures == ()
    assert [(issue.field, issue.count) for issue in file.out_of_range] == [("aum", 3766)]
    assert file.derived_fields == ("customer_id",)  # products held are counted by preparation
    assert any("generated from the row number" in warning for warning in warning_texts(file.warnings))
    customers = dataset.customers
    assert customers["customer_id"].iloc[0] == "ROW000002"
    assert customers["aum"].iloc[0] == 2143.0
    assert customers["age"].iloc[0] == 58
    assert int(customers["has_mortgage"].sum()) == 25130
    assert int(customers["has_consumer_loan"].sum()) == 7244
    assert str(customers["aum"].dtype) == "float64"
