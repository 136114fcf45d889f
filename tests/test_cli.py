"""``python -m crm_core``: sub-commands exit 0 or 2 with a message, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_core", *args], cwd=ROOT, capture_output=True, text=True)


def test_sample_writes_the_three_tables(tmp_path):
    result = run("sample", "--customers", "300", "--seed", "5", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "generated 300 customers" in result.stdout
    assert len(pd.read_parquet(tmp_path / "customers.parquet")) == 300
    assert {p.name for p in tmp_path.iterdir()} == {"customers.parquet", "activity.parquet", "holdings.parquet"}


def test_check_reports_json_that_reconciles(tmp_path):
    extract = tmp_path / "客户.csv"
    extract.write_bytes("客户号,月日均资产\nC1,12.5万\nC2,oops\n".encode("gb18030"))
    result = run("check", str(extract), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (2, 1, 1)


def test_unusable_input_exits_2_without_traceback(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for result in (run("check", str(empty)), run("nonsense"), run("sample", "--customers", "0", "--out", "x")):
        assert result.returncode == 2
        assert "Traceback" not in result.stdout + result.stderr
