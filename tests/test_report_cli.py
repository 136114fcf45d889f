"""``python -m crm_core report``: all three formats from the sample folder and the UCI extract; exit 2 otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from crm_core.report import REPORT_TABLES
from crm_core.report.cli import report_main
from crm_core.report.workbook import sheet_names
from crm_core.scenarios import proposed_scenario, scenario_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
UCI_CANDIDATES = (
    ROOT.parent / "shared" / "data" / "uci_bank_marketing" / "bank-full.csv",
    Path("/work/shared/data/uci_bank_marketing/bank-full.csv"),
)
UCI = next((path for path in UCI_CANDIDATES if path.exists()), None)


def check_outputs(folder: Path, stamp_words: tuple[str, ...]) -> None:
    deck = Presentation(folder / "deck.pptx")
    assert len(deck.slides) == 13  # title, agenda, ten steps
    footer = [s.text_frame.text for s in list(deck.slides)[-1].shapes if s.has_text_frame][-1]
    assert all(word in footer for word in stamp_words)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and all(word in page for word in stamp_words)
    sheets = pd.read_excel(io.BytesIO((folder / "tables.xlsx").read_bytes()), sheet_name=None)
    assert tuple(sheets) in (sheet_names("en"), sheet_names("zh"))  # the cover, then one sheet per table
    assert len(sheets) == 1 + len(REPORT_TABLES)


def test_sample_folder_all_formats(tmp_path, small_sample, capsys):
    folder = tmp_path / "small bank"
    folder.mkdir()
    for table in ("customers", "activity", "holdings"):
        getattr(small_sample, table).to_parquet(folder / f"{table}.parquet", index=False)
    scenario = tmp_path / "proposed.json"
    scenario.write_text(scenario_json(proposed_scenario()), encoding="utf-8")
    for name in ("deck.pptx", "report.html", "tables.xlsx"):
        argv = ["--data", str(folder), "--scenario", str(scenario), "--out", str(tmp_path / name), "--lang", "zh"]
        assert report_main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    check_outputs(tmp_path, ("情景：拟议策略", "数据：small bank"))  # the built-in name, translated


def test_committed_sample_deck(tmp_path):
    assert report_main(["--data", str(SAMPLE), "--out", str(tmp_path / "deck.pptx")]) == 0
    deck = Presentation(tmp_path / "deck.pptx")
    assert len(deck.slides) == 13
    footer = [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame][-1]
    assert footer.startswith("Scenario: Baseline (current practice) | Data: Bank A sample | Date: ")
    assert "| Fingerprint: " in deck.slides[0].notes_slide.notes_text_frame.text


@pytest.mark.skipif(UCI is None, reason="UCI bank marketing extract not present")
def test_uci_extract_all_formats(tmp_path, capsys):
    for name in ("deck.pptx", "report.html", "tables.xlsx"):
        assert report_main(["--data", str(UCI), "--out", str(tmp_path / name)]) == 0
    assert "steps the data could not fill: channels, service, staff, playbook, decisions" in capsys.readouterr().out
    check_outputs(tmp_path, ("Scenario: Baseline (current practice)", "bank-full.csv"))
    deck = Presentation(tmp_path / "deck.pptx")
    staff_slide = list(deck.slides)[8]  # title, agenda, then the steps: staff is the seventh
    assert any("at least two branches" in s.text_frame.text for s in staff_slide.shapes if s.has_text_frame)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", str(SAMPLE), "--out", "x.pdf"], "unknown output type '.pdf'"),
        (["--data", "/nonexistent/data.csv", "--out", "x.pptx"], "no such data file or folder"),
        (["--data", str(ROOT / "docs"), "--out", "x.pptx"], "no customers.parquet"),
        (["--data", str(SAMPLE), "--scenario", "CORRUPT", "--out", "x.xlsx"], "not a JSON file"),
        (["--data", str(SAMPLE), "--scenario", "FOREIGN", "--out", "x.xlsx"], "not a scenario"),
        (["--out", "x.pptx"], ""),
    ],
)
def test_refusals_exit_2_without_traceback(argv, message, tmp_path, capsys, monkeypatch):
    (tmp_path / "CORRUPT").write_text("{not json", encoding="utf-8")
    (tmp_path / "FOREIGN").write_text('{"name": "x"}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert report_main(argv) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not list(tmp_path.glob("x.*"))
