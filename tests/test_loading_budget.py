"""Memory estimate of uploads: refused from sizes alone, before anything is decoded."""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from crm_core.loading import LoadError, load_dataset
from crm_core.loading.budget import (
    PEAK_PER_PARQUET_CELL,
    PEAK_PER_TEXT_BYTE,
    PEAK_PER_TEXT_LINE,
    estimated_peak_bytes,
    memory_refusal,
)


def parquet_bytes(rows: int, columns: int) -> bytes:
    frame = pd.DataFrame({f"c{j}": np.zeros(rows, dtype=np.int8) for j in range(columns)})
    frame.insert(0, "customer_id", [f"C{i}" for i in range(rows)])
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")
    return buffer.getvalue()


def test_parquet_is_estimated_from_its_cells_not_its_compressed_bytes():
    data = parquet_bytes(200_000, 9)
    assert len(data) < 2_000_000  # constant columns compress to almost nothing
    assert estimated_peak_bytes([("a.parquet", data)]) == 200_000 * 10 * PEAK_PER_PARQUET_CELL


def test_text_and_workbooks_are_estimated_from_bytes():
    csv = b"customer_id,aum\n" + b"C1,500000000,some branch name\n" * 999
    assert estimated_peak_bytes([("a.csv", csv), ("b.csv", csv)]) == 2 * int(len(csv) * PEAK_PER_TEXT_BYTE)
    workbook = io.BytesIO()
    pd.DataFrame({"customer_id": ["C1", "C2"], "aum": [1.0, 2.0]}).to_excel(workbook, index=False)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(workbook.getvalue())).infolist())
    assert estimated_peak_bytes([("a.xlsx", workbook.getvalue())]) == unpacked * 5


def test_the_refusal_names_each_file_and_the_way_out():
    message = memory_refusal([("activity.parquet", parquet_bytes(1000, 3))], limit_bytes=1000)
    assert message.startswith("these files would need about 0.0 GB of memory")
    assert "activity.parquet: 1,000 rows × 4 columns" in message
    assert "python -m crm_core prepare" in message
    assert memory_refusal([("activity.parquet", parquet_bytes(1000, 3))], limit_bytes=10**9) is None


def test_load_dataset_refuses_over_the_limit_and_loads_under_it():
    csv = b"customer_id,aum\nC1,5\nC2,7\n"
    with pytest.raises(LoadError, match=r"more than the 0\.0 GB this server allows"):
        load_dataset([("c.csv", csv)], memory_limit=100)
    dataset, report = load_dataset([("c.csv", csv)], memory_limit=10**6)
    assert report.rows_loaded == 2 and len(dataset.customers) == 2


def test_blank_lines_are_estimated_per_line_not_per_byte():
    blank = b"customer_id,aum\nC1,5\n" + b"\n" * 1_000_000  # 1 MB that reads as a million rows
    assert estimated_peak_bytes([("blank.csv", blank)]) >= 1_000_000 * PEAK_PER_TEXT_LINE
    assert "blank.csv: 1 MB, 1,000,002 lines" in memory_refusal([("blank.csv", blank)], limit_bytes=10**6)
