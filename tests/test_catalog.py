"""The catalogs (locales/<code>.json): complete in every language, no unused or missing key,
the glossary's one translation of each banking term, no stray English in Chinese."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from crm_core import catalog
from crm_core.messages import render

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [*(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), *(ROOT / "crm_core").rglob("*.py")]
SCANNED.append(ROOT / "app.py")
SCANNED.remove(ROOT / "crm_core" / "catalog.py")  # its examples name keys that do not exist
LOOKUP = re.compile(r"""\b(?:t|translate|text|_t|_number|Message|Term)\(\s*(["'])(\w+)\1""")
"""A catalog lookup with a literal key: ``t("key"``, ``translate("key", lang``, ``text("key"``,
``Message("key"``, ``Term("key"`` (a registry of keys built at runtime holds them as terms); in the
report content ``_t("key"`` and ``_number("key"`` (a key number's label)."""

# fmt: off
LATIN_ALLOWED = frozenset({
    # as a Chinese banker writes them
    "AUM", "RFM", "R", "F", "M", "RM", "ROC", "AUC", "KPI", "ATM", "ID", "PR", "CNY", "UTC",
    "EUR", "USD", "GBP", "INR", "HKD", "HK",  # ISO currency codes, as a Chinese banker writes them
    "OIDC", "k", "K", "B",
    "x", "N", "A",
    # files, formats, tools, encodings and sizes
    "CSV", "TSV", "TXT", "Excel", "xlsx", "Parquet", "PowerPoint", "PPTX", "HTML", "PNG", "JSON", "ZIP", "Spark",
    "UTF", "GBK", "GB18030", "Big5", "Windows", "MB", "GB", "KB",
})
# fmt: on
"""Latin words a Chinese screen may show ("A" is the sample's bank, A银行; "N" a number of months).
Anything else in a Chinese text is English left untranslated. Code in backticks and column names
(``has_<产品>``) are shown as typed."""


def latin_words(text: str) -> set[str]:
    """The Latin words of a text, without its fields, code spans and column names."""
    prose = re.sub(r"`[^`]*`", " ", without_fields(text))
    return {word for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", prose) if "_" not in word}


ZH = catalog.CATALOGS["zh"]
EN = catalog.CATALOGS["en"]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def literal_keys() -> dict[str, str]:
    """Every literal key the code looks up, with the first file that does."""
    found: dict[str, str] = {}
    for path in SCANNED:
        for match in LOOKUP.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match[2], str(path.relative_to(ROOT)))
    return found


def without_fields(text: str) -> str:
    return re.sub(r"\{[^{}]*\}", " ", text)


def test_every_language_has_every_key_with_the_same_fields():
    assert set(catalog.LANGUAGES) >= {"en", "zh"}
    for lang in catalog.LANGUAGES:
        other = catalog.CATALOGS[lang]
        assert set(other) == set(EN), (lang, sorted(set(other) ^ set(EN))[:20])
        mismatched = {key: (EN[key], other[key]) for key in EN if fields(EN[key]) != fields(other[key])}
        assert not mismatched, (lang, mismatched)
        empty = [key for key, value in other.items() if not value.strip()]
        assert not empty, (lang, empty)


def test_every_key_the_code_names_exists():
    missing = {key: path for key, path in literal_keys().items() if key not in EN}
    assert not missing, missing
    assert not [key for key in catalog.RUNTIME_KEYS if key not in EN]
    for family in catalog.RUNTIME_KEY_FAMILIES:  # a family nobody fills is a stale registry entry
        assert any(key.startswith(family) for key in EN), family


def test_no_key_is_unused():
    used = set(literal_keys()) | set(catalog.RUNTIME_KEYS)
    unused = [
        key for key in EN if key not in used and not key.startswith(catalog.RUNTIME_KEY_FAMILIES)
    ]  # fmt: skip
    assert not unused, unused


def test_the_scan_sees_literal_and_runtime_keys():
    """The scan itself: a literal lookup is found, and a family key counts only through the registry."""
    assert LOOKUP.search('st.caption(t("fingerprint", fp=fp))')[2] == "fingerprint"
    assert LOOKUP.search("translate('app_title', 'zh')")[2] == "app_title"
    assert LOOKUP.search('t(f"metric_{name}")') is None
    assert "metric_customers" not in literal_keys() and "metric_customers".startswith(catalog.RUNTIME_KEY_FAMILIES)


GLOSSARY = catalog.glossary()


def test_glossary_is_well_formed():
    assert 20 <= len(GLOSSARY) <= 40
    for term in GLOSSARY:
        assert set(term) >= {"en", "zh"} and term["en"] and term["zh"], term
    english = [form.lower() for term in GLOSSARY for form in term["en"]]
    assert len(english) == len(set(english)), "a term is listed twice"


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda term: term["en"][0])
def test_each_glossary_term_is_translated_one_way(term):
    """Every entry whose English names the term says it in Chinese the glossary's way."""
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(form) for form in term["en"]) + r")\b", re.IGNORECASE)
    exempt = set(term.get("except", ()))
    wrong = {
        key: (EN[key], ZH[key])
        for key in EN
        if key not in exempt and pattern.search(without_fields(EN[key])) and term["zh"] not in ZH[key]
    }
    assert not wrong, wrong
    for avoided in term.get("avoid", ()):  # the translation it replaced appears nowhere
        assert not [key for key, value in ZH.items() if avoided in value], avoided


def test_no_english_left_in_chinese():
    leftovers = {}
    for key, value in ZH.items():
        words = latin_words(value) - LATIN_ALLOWED
        if words:
            leftovers[key] = (sorted(words), value)
    assert not leftovers, leftovers


@pytest.mark.parametrize(
    ("odd", "why"),
    [
        ("高附加值", "value segments are 高价值 / 中价值客户"),
        ("有价值客户", "value segments are 高价值 / 中价值客户"),
        ("护栏", "a banker says 底线 for a sales-versus-customer guardrail"),
        ("沉默流失", "silent attrition is 静默流失"),
        ("数据中的标志", "a closure is 销户"),
        ("活跃客户", "active customers are 有效客户"),
        ("总资产", "to a Chinese banker 总资产 is the bank's balance sheet, not customers' AUM"),
    ],
)
def test_odd_chinese_is_gone(odd, why):
    assert not [key for key, value in ZH.items() if odd in value], why
    # nor in the Chinese the core still writes itself (the loader's header synonyms aside: they read uploads)
    core = [p for p in (ROOT / "crm_core").rglob("*.py") if "loading" not in p.parts and p.name != "catalog.py"]
    assert not [str(p) for p in core if odd in p.read_text(encoding="utf-8")], why


def test_the_silent_attrition_rule_reads_as_a_banker_writes():
    from crm_core.visits.config import SilentAttritionRule

    assert "没有增加" in render(SilentAttritionRule(max_digital_increase=0).message(), "zh")
    assert "不超过0笔" not in render(SilentAttritionRule(max_digital_increase=0).message(), "zh")
    assert "增加不超过2笔" in render(SilentAttritionRule(max_digital_increase=2).message(), "zh")
    assert "did not rise" in render(SilentAttritionRule(max_digital_increase=0).message(), "en")


def test_the_latin_scan_finds_english():
    assert latin_words("从affluent降至mass（{name}）") - LATIN_ALLOWED == {"affluent", "mass"}
    assert latin_words("用 `python -m crm_core prepare` 准备；has_<产品> 列；ROC AUC") - LATIN_ALLOWED == set()


def test_text_falls_back_to_english_then_to_the_key():
    assert catalog.text("report_stamp_scenario", "xx") == "Scenario"
    assert catalog.text("missing_key_for_test", "zh") == "missing_key_for_test"
    assert catalog.text("source_upload", "zh", name="a.csv") == "已上传：a.csv"


def test_catalog_files_are_flat_objects_of_strings():
    for lang in catalog.LANGUAGES:
        data = json.loads((catalog.LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
        assert all(isinstance(value, str) for value in data.values())


def test_screens_and_reports_read_the_same_catalog():
    from crm_core.report.model import report_stamp
    from ui.i18n import TEXT, translate

    assert translate("report_stamp_scenario", "zh") == catalog.text("report_stamp_scenario", "zh")
    assert TEXT["metric_total_aum"] == (EN["metric_total_aum"], ZH["metric_total_aum"])
    assert report_stamp("A", "B", "0" * 16, __import__("datetime").date(2030, 5, 1), "zh").startswith("情景：A")
    with pytest.raises(TypeError):
        TEXT["new_key"] = ("x", "y")  # a read-only view: strings are added to the JSON files


def test_every_delimiter_the_reader_names_is_in_the_catalogs():
    """The Data page names a delimiter by the reader's own code (``delimiter_<code>``) in each language."""
    from crm_core.loading.reading import DELIMITER_NAMES

    for code in DELIMITER_NAMES.values():
        for lang in catalog.LANGUAGES:
            assert catalog.text(f"delimiter_{code}", lang) != f"delimiter_{code}", (code, lang)
