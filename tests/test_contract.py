from pathlib import Path

from crm_core.contract import CHANNELS, CUSTOMER_FIELDS, PRODUCTS, TABLES, contract_markdown, required_fields

DOCS = Path(__file__).resolve().parents[1] / "docs" / "data_contract.md"


def test_required_fields_are_the_documented_minimum():
    assert required_fields("customers") == ("customer_id", "aum")
    assert required_fields("activity") == ("customer_id", "month", "channel", "transactions")
    assert required_fields("holdings") == ("customer_id", "product")


def test_field_names_are_unique_and_typed():
    for fields in TABLES.values():
        names = [f.name for f in fields]
        assert len(names) == len(set(names))
        assert {f.dtype for f in fields} <= {"string", "float", "int", "bool", "date", "month"}
    assert len(CUSTOMER_FIELDS) >= 20
    assert CHANNELS == ("counter", "atm", "mobile", "online", "phone")
    assert len(PRODUCTS) == 10


def test_docs_carry_the_contract_generated_from_code():
    assert contract_markdown() in DOCS.read_text(encoding="utf-8")
