"""Property: any bytes end in a dataset or a LoadError, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_core.loading import LoadError
from crm_core.loading.loader import _load_dataset_unguarded
from crm_core.loading.options import LoadOptions

_cells = st.sampled_from(
    ["C1", "12.5万", "", "NA", "是", "2024-01-05", "03/04/2024", "(1,234)", "x", "柜面", "-", "1e999", '"a,b"']
)
_headers = st.sampled_from(
    ["客户号", "aum", "balance", "channel", "交易日期", "产品名称", "age", "", "open_date", "月份", "客户号"]
)


@st.composite
def _tables(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(_headers, min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(_cells, min_size=0, max_size=6), max_size=6))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
    return "\n".join(lines).encode(encoding)


def _outcome(data: bytes) -> None:
    try:
        dataset, report = _load_dataset_unguarded([("upload.csv", data)], None, LoadOptions(), None)
    except LoadError:
        return
    for file in report.files:
        assert file.rows_read == file.rows_loaded + file.rows_rejected
    assert dataset.customers["aum"].dtype == "float64"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_a_dataset_or_a_load_error(data):
    _outcome(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_any_table_like_text_gives_a_dataset_or_a_load_error(data):
    _outcome(data)
