"""Encoding detection (issue 19): UTF-8 is taken as it is; other text is detected by charset-normalizer
on a sample and warned, naming the encoding chosen and the runner-up."""

from __future__ import annotations

import pytest

from crm_core.loading import LoadError, LoadOptions, load_table, preview_file
from crm_core.loading.cli import check_main
from crm_core.loading.reading import (
    _HALVED_CHECK_BYTES,
    DETECTION_SAMPLE_BYTES,
    detected_encoding,
    detection_sample,
    is_utf8,
)
from tests.conftest import warning_texts

WESTERN = "cust_id;name;branch;balance\nC1;Hélène;Besançon;100\nC2;François;Orléans;200\nC3;Zoë;São Paulo €;300\n"
CHINESE = "客户号,姓名,网点,金融资产\nC1,王芳,东城支行,100\nC2,李娜,西城支行,200\nC3,张伟,海淀支行,300\n"


def _warnings(report) -> list[str]:
    return [warning for warning in warning_texts(report.warnings) if "UTF-8" in warning or "utf-16" in warning]


def test_windows_1252_with_accents_is_read_as_cp1252_and_warned_with_the_runner_up():
    frame, report = load_table("western.csv", WESTERN.encode("cp1252"))
    assert report.encoding == "cp1252"
    assert frame["branch"].tolist() == ["Besançon", "Orléans", "São Paulo €"]
    [warning] = _warnings(report)
    assert "detected as cp1252" in warning
    _, runner_up = detected_encoding(WESTERN.encode("cp1252"))
    assert runner_up not in (None, "cp1252")
    assert f"(runner-up: {runner_up})" in warning


def test_the_issue_19_name_is_no_longer_read_as_gb18030():
    data = "id,name,city\n1,Hélène,Besançon\n".encode("cp1252")
    assert data.decode("gb18030").split("\n")[1].startswith("1,H閘")  # what trial decoding used to return
    preview = preview_file("hélène.csv", data)
    assert preview.encoding == "cp1252"
    assert preview.sample["name"].tolist() == ["Hélène"]
    assert any("detected as cp1252" in warning for warning in warning_texts(preview.warnings))


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_chinese_headers_are_read_as_gb18030_and_warned(codec):
    frame, report = load_table("客户.csv", CHINESE.encode(codec))
    assert report.encoding == "gb18030"  # a superset of GBK: rare characters such as 䶮 survive
    assert frame["branch"].tolist() == ["东城支行", "西城支行", "海淀支行"]
    [warning] = _warnings(report)
    assert "detected as gb18030 (runner-up: " in warning
    assert "runner-up: gb18030" not in warning and "runner-up: none" not in warning


def test_big5_is_told_from_gbk():
    text = "客戶號,網點,資產餘額\nC1,台北分行,100\nC2,高雄分行,200\nC3,台中分行,300\n"
    preview = preview_file("台灣.csv", text.encode("big5"))
    assert preview.encoding == "big5"
    assert preview.columns == ("客戶號", "網點", "資產餘額")
    assert any("detected as big5" in warning for warning in warning_texts(preview.warnings))


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig"])
def test_utf8_with_or_without_bom_is_never_warned(codec):
    frame, report = load_table("c.csv", (WESTERN + CHINESE.replace(",", ";").split("\n", 1)[1]).encode(codec))
    assert report.encoding == codec
    assert not _warnings(report)
    assert frame["branch"].iloc[0] == "Besançon"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_from_its_mark(codec):
    data = "\ufeff".encode(codec) + WESTERN.encode(codec)
    frame, report = load_table("u16.csv", data)
    assert report.encoding == "utf-16"
    assert frame["branch"].tolist() == ["Besançon", "Orléans", "São Paulo €"]
    assert any("UTF-16" in warning for warning in warning_texts(report.warnings))


def test_a_chosen_encoding_is_not_warned():
    _, report = load_table("western.csv", WESTERN.encode("cp1252"), options=LoadOptions(encoding="cp1252"))
    assert report.encoding == "cp1252" and not _warnings(report)


def test_the_sample_finds_non_ascii_lines_far_from_the_head():
    ascii_rows = "".join(f"C{i:06d};Smith;Paris;{i}\n" for i in range(60_000))  # about 1.6 MB of ASCII
    data = ("cust_id;name;branch;balance\n" + ascii_rows + "C999999;Hélène;Besançon;1\n").encode("cp1252")
    sample = detection_sample(data)
    assert sample == "cust_id;name;branch;balance\nC999999;Hélène;Besançon;1\n".encode("cp1252")
    frame, report = load_table("late.csv", data)
    assert report.encoding == "cp1252"
    assert frame["branch"].iloc[-1] == "Besançon"


def test_the_sample_is_bounded_and_never_splits_a_character():
    line = "C1," + "东城支行," * 200_000 + "1\n"  # one 2 MB line of GBK
    data = ("客户号,网点\n" + line + line).encode("gbk")
    sample = detection_sample(data)
    assert len(sample) <= DETECTION_SAMPLE_BYTES
    assert sample.decode("gbk").endswith(",")  # cut after a delimiter, never inside a character
    lines = ("客户号,网点\n" + "".join(f"C{i},东城支行\n" for i in range(100_000))).encode("gbk")
    assert DETECTION_SAMPLE_BYTES - 20 <= len(detection_sample(lines)) <= DETECTION_SAMPLE_BYTES


def test_bytes_the_chosen_encoding_cannot_read_past_the_sample_are_refused_naming_the_line():
    rows = "".join(f"C{i},东城支行\n" for i in range(30_000))  # about 400 kB, past the sample
    data = ("客户号,网点\n" + rows).encode("gbk") + b"C99999,\xff\xfe\n"
    with pytest.raises(LoadError) as caught:
        load_table("mixed.csv", data)
    message = str(caught.value)
    assert message.startswith("mixed.csv: the file mixes text encodings: its non-ASCII text reads as gb18030")
    assert "line 30,002" in message and "set the encoding" in message


def test_check_prints_the_warning(tmp_path, capsys):
    path = tmp_path / "western.csv"
    path.write_bytes(WESTERN.encode("cp1252"))
    assert check_main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "encoding cp1252" in out
    assert "text is not UTF-8: detected as cp1252 (runner-up: " in out


def test_the_data_page_shows_the_warning_before_and_after_loading():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value(("western.csv", WESTERN.encode("cp1252"), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("encoding cp1252" in c.value for c in at.caption)
    assert any(c.value.startswith("⚠ text is not UTF") and "cp1252 \\(runner\\-up\\: " in c.value for c in at.caption)
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert any("western\\.csv\\: text is not UTF\\-8\\: detected as cp1252" in w.value for w in at.warning)
    chosen = at.selectbox(
        key=next(k for k in at.session_state if str(k).startswith("data_encoding_") and str(k).endswith("__en"))
    )
    chosen.set_value("cp1252").run()  # a chosen encoding is the user's word: no warning
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert not [w for w in at.warning if "UTF" in w.value]


def _chinese_data_page(name: str, content: bytes):
    """The Data page of a fresh session in 中文 with ``content`` uploaded as ``name``."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.session_state["lang"] = "中文"
    at.run()
    at.switch_page("pages/data.py").run()
    return at.file_uploader(key="data_upload").set_value((name, content, "text/csv")).run()


def test_a_chinese_page_warns_about_a_gbk_file_in_chinese():
    """Most files a Chinese bank exports are GB18030 / GBK: the warning reads in the page's language."""
    at = _chinese_data_page("客户.csv", CHINESE.encode("gbk"))
    assert not at.exception, at.exception
    assert any(c.value.startswith("⚠ 文本不是 UTF\\-8：识别为 gb18030（次选：") for c in at.caption), [
        c.value for c in at.caption
    ]
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("客户\\.csv\\: 文本不是 UTF\\-8：识别为 gb18030" in w for w in warnings), warnings
    assert not [w for w in warnings if "text is not" in w]
    summary = next(d.value for d in at.dataframe if "数据表" in d.value.columns).iloc[0]
    assert (summary["数据表"], summary["格式"], summary["重复客户号（处理方式）"]) == (
        "客户表",
        "文本（CSV / TSV）",
        "0 (保留第一行)",
    )
    encoding = next(s for s in at.selectbox if str(s.key).startswith("data_encoding_"))
    assert encoding.format_func("auto") == "自动（检测）"  # the widget's choices speak Chinese too


def test_a_chinese_page_gives_every_rejection_rule_and_warning_in_chinese():
    """Rejection reasons, rules and warnings are catalog messages: a Chinese page shows no loader English."""
    import re

    text = (
        "客户号,网点,金融资产,年龄\n"
        "C1,东城支行,100,40\n"
        ",西城支行,200,41\n"  # no id: rejected
        "C3,海淀支行,abc,42\n"  # AUM not a number: rejected
        "C4,朝阳支行,400,200\n"  # age 200: kept, flagged
        "C5,丰台支行,500,43,多余\n"  # too many fields: rejected
        "\n"
        "C1,东城支行,600,44\n"  # a repeated id: the first row kept
    )
    at = _chinese_data_page("客户.csv", text.encode("utf-8"))
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    issues = next(d.value for d in at.dataframe if "原因或列" in d.value.columns)
    said = {(row["类型"], row["原因或列"], row["预期"]) for _, row in issues.iterrows()}
    rejected, parsed, flagged = "整行拒绝", "无法解析的值（置空）", "不合理的值（保留并标记）"
    assert (rejected, "缺少 customer_id", "") in said, said
    assert (rejected, "aum 无法读取", "") in said, said
    assert (rejected, "字段过多（应为 4 个）", "") in said, said
    assert (rejected, "空行", "") in said, said
    assert (rejected, "customer_id 重复（保留第一行）", "") in said, said
    assert (parsed, "金融资产 → aum", "应为数字") in said, said
    assert (flagged, "年龄 → age", "应在 16 到 110 之间") in said, said
    warnings = [w.value for w in at.warning]
    # No loader English left: every Latin word on the report is a field code, a file name or a format.
    english = re.compile(r"\b(?!aum\b|customer_id\b|age\b|tenure_months\b|csv\b|UTF\b)[a-z]{3,}\b")
    shown = [*warnings, *(text for triple in said for text in triple)]
    assert not [s for s in shown if english.search(s.replace("\\", ""))], shown


def test_a_chinese_page_tells_how_a_transaction_log_was_read_in_chinese():
    log = (
        "客户号,交易日期,渠道,交易地点,交易金额,余额\n"
        "C1,2024-01-05,柜面,西湖支行,100,5000\n"
        "C1,2024-02-05,手机银行,西湖支行,nan,5200\n"
        "C2,1800-01-01,柜面,滨江支行,50,800\n"  # a placeholder date: rejected
        "C2,2024-02-07,信鸽,滨江支行,50,800\n"  # no such channel: rejected
        "C2,2024-03-07,网上银行,滨江支行,70,900\n"
    )
    at = _chinese_data_page("交易.csv", log.encode("utf-8"))
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    issues = next(d.value for d in at.dataframe if "原因或列" in d.value.columns)
    assert set(issues["原因或列"]) == {"占位交易日期", "无法识别的渠道"}, issues
    warnings = " | ".join(w.value for w in at.warning)
    for said in ("没有客户文件：由 交易\\.csv 中不同的客户编号得出 2 位客户", "3 笔交易 → 3 条活动记录", "按缺失读取"):
        assert said in warnings, warnings
    assert "transactions" not in warnings and "customers" not in warnings, warnings


def test_a_chinese_page_refuses_a_file_in_chinese():
    """A refusal is a catalog message too: what is wrong and what to do, in the page's language."""
    at = _chinese_data_page("年报.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("文件是" in e and "PDF" in e and "需要一张表" in e for e in errors), errors
    assert not [e for e in errors if "the file is" in e or "expected a table" in e], errors


def test_a_chinese_page_says_why_a_saved_mapping_is_refused_in_chinese():
    import json

    at = _chinese_data_page("客户.csv", CHINESE.encode("utf-8"))
    saved = next(u for u in at.file_uploader if str(u.key).startswith("data_saved_mapping_"))
    mapping = {"table": "customers", "columns": {"客户号": "customer_id", "金融资产": "aum", "网点": "aum"}}
    saved.set_value(("映射.json", json.dumps(mapping, ensure_ascii=False).encode(), "application/json")).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("映射无效：字段“aum”由多个列映射" in e for e in errors), errors


@pytest.mark.parametrize("lead", [0, 1, 2], ids=["cut at a character", "cut one byte in", "cut two bytes in"])
def test_a_large_files_utf8_check_in_two_halves_agrees_with_decoding(lead):
    # Three-byte characters with 0-2 ASCII bytes first: the middle falls on every byte of a character.
    body = b"a" * lead + "客户".encode() * (_HALVED_CHECK_BYTES // 6 + 1)
    middle = len(body) // 2
    assert is_utf8(body)
    broken = [
        body[:middle] + b"\xff" + body[middle:],  # an invalid byte at the cut
        body[:middle] + b"\xe5" + body[middle:],  # a lead byte without its continuations at the cut
        body[:-1],  # a character cut short at the end
        b"\x80" + body,  # a continuation byte first
        body[:middle] + b"\xed\xa0\x80" + body[middle:],  # a surrogate, which UTF-8 does not allow
    ]
    for data in broken:
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert not is_utf8(data)
