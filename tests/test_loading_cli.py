"""The ``check`` command: readable text, JSON, exit codes, no tracebacks."""

from __future__ import annotations

import json

from crm_core.loading.cli import check_main
from tests import loading_corpus as corpus


def _write(tmp_path, name_and_bytes):
    name, data = name_and_bytes
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_text_report_shows_layout_mapping_and_counts(tmp_path, capsys):
    status = check_main([_write(tmp_path, corpus.ragged_csv())])
    out = capsys.readouterr().out
    assert status == 0
    assert "format text, encoding utf-8, delimiter comma" in out
    assert "    cust_id -> customer_id" in out
    assert "rows read 6, loaded 3, rejected 3, in table 3" in out
    assert "      row 6: **,West,400,extra" in out  # the customer id masked by default


def test_show_identifiers_prints_example_rows_in_clear(tmp_path, capsys):
    status = check_main([_write(tmp_path, corpus.ragged_csv()), "--show-identifiers"])
    assert status == 0
    assert "      row 6: C4,West,400,extra" in capsys.readouterr().out


def test_json_report_is_machine_readable(tmp_path, capsys):
    paths = [_write(tmp_path, corpus.customers_csv()), _write(tmp_path, corpus.event_activity_csv())]
    status = check_main([*paths, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (report["usable"], report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (True, 10, 9, 1)


def test_a_saved_mapping_is_applied(tmp_path, capsys):
    data_path = _write(tmp_path, ("de.csv", b"Kundennummer,Vermoegen\nK1,5\n"))
    mapping = tmp_path / "map.json"
    columns = {"Kundennummer": "customer_id", "Vermoegen": "aum"}
    mapping.write_text(json.dumps({"table": "customers", "columns": columns}))
    assert check_main([data_path, "--mapping", str(mapping), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_loaded"] == 1


def test_unusable_files_exit_2_with_a_message_not_a_traceback(tmp_path, capsys):
    status = check_main([_write(tmp_path, corpus.refused_files()["gzip"])])
    captured = capsys.readouterr()
    assert status == 2
    assert "not usable: data.csv.gz: the file is gzip-compressed" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_missing_file_malformed_mapping_and_bad_arguments_exit_2(tmp_path, capsys):
    assert check_main([str(tmp_path / "absent.csv")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert check_main([_write(tmp_path, corpus.customers_csv()), "--mapping", str(bad)]) == 2
    assert check_main([]) == 2
    assert check_main([str(tmp_path / "absent.csv"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out.strip().split("\n", 0)[0])["usable"] is False
