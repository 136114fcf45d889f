"""AppTest: a GB18030 upload with Chinese headers is mapped, validated, and switches the whole app."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from crm_core.loading import load_dataset

APP = str(Path(__file__).resolve().parents[1] / "app.py")
GBK_CSV = (
    "客户编号,网点,月日均资产,年龄,是否代发工资,信用卡\r\n"
    "K001,西湖支行,12.5万,45,是,有\r\n"
    'K002,滨江支行,"1,200",33,否,无\r\n'
    "K003,西湖支行,3.2亿,61,是,有\r\n"
    "K004,䶮支行,abc,200,否,无\r\n"
).encode("gb18030")


def open_data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def test_without_upload_the_page_explains_what_to_do():
    at = open_data_page()
    assert at.info[0].value.startswith("Upload one or more files")
    assert any("200 MB" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 6  # three tables x two header languages


def test_gb18030_upload_maps_validates_and_switches_the_app():
    at = open_data_page()
    at.file_uploader(key="data_upload").set_value(("客户.csv", GBK_CSV, "text/csv")).run()
    assert not at.exception
    assert any("encoding gb18030" in c.value for c in at.caption)
    key = next(k for k in at.session_state if str(k).startswith("data_table_") and "__" not in str(k))
    assert at.session_state[key] == "customers"

    at.button(key="data_load").click().run()
    assert not at.exception
    _, expected = load_dataset([("客户.csv", GBK_CSV)])
    assert [m.value for m in at.metric] == [
        str(expected.rows_read),
        str(expected.rows_loaded),
        str(expected.rows_rejected),
    ]
    assert (expected.rows_read, expected.rows_loaded, expected.rows_rejected) == (4, 3, 1)

    at.button(key="data_use").click().run()
    assert at.session_state["data_source"] == "upload"
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Active customers"] == "3"
    assert shown["Total AUM"] == "¥320.1M"  # 12.5万 + 1,200 + 3.2亿
    assert at.title[0].value == "Overview · 客户\\.csv"  # the file name is Markdown-escaped


def test_a_file_that_is_not_a_table_gets_a_message_not_a_traceback():
    at = open_data_page()
    at.file_uploader(key="data_upload").set_value(("notes.csv", b"", "text/csv")).run()
    assert not at.exception
    assert at.error and "empty" in at.error[0].value.lower()
    assert at.warning[0].value.startswith("Fix the problems")


def test_an_upload_too_big_for_memory_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setenv("CRM_MEMORY_LIMIT_GB", "0.0001")  # 100 kB: the 20 kB CSV needs about 180 kB
    at = open_data_page()
    csv = b"customer_id,aum\n" + b"".join(b"C%06d,%d\n" % (i, i) for i in range(1500))
    at.file_uploader(key="data_upload").set_value(("big.csv", csv, "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("These files would need about 0.0 GB of memory")
    assert "(big\\.csv)" in at.error[0].value and "python -m crm_core prepare" in at.error[0].value
    assert not [b for b in at.button if b.key == "data_load"]  # nothing was previewed or offered
