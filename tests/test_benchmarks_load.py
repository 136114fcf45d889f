"""The load benchmark (run by hand, never here) imports, parses its arguments and summarises; no browser starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import bench_load
from benchmarks.common import percentile, process_status_kib, process_tree_cpu_seconds


def test_defaults_are_the_issue_rounds_with_bounded_steps():
    args = bench_load.parse_args([])
    assert args.sessions == [1, 4, 8, 16]
    assert 0 < args.timeout <= args.cap
    assert args.commit is None and (bench_load.ROOT / "serve.py").exists()  # this tree's production entrypoint


def test_arguments_are_read_and_nonsense_refused():
    args = bench_load.parse_args(
        ["--sessions", "2", "3", "--timeout", "5", "--cap", "60", "--out", "x.json", "--commit", "HEAD"]
    )
    assert (args.sessions, args.timeout, args.cap, args.out, args.commit) == ([2, 3], 5.0, 60.0, Path("x.json"), "HEAD")
    for wrong in (["--sessions", "0"], ["--timeout", "-1"], ["--sessions", "two"]):
        with pytest.raises(SystemExit):
            bench_load.parse_args(wrong)


def test_every_sidebar_page_is_visited_and_the_slider_page_is_one_of_them():
    from ui.i18n import translate

    titles = [translate(key, "en") for key in _page_keys()]
    assert list(bench_load.PAGES) == titles
    assert bench_load.SLIDER_PAGE in bench_load.PAGES


def _page_keys() -> list[str]:
    import ast

    source = (bench_load.ROOT / "app.py").read_text()
    pages = next(
        node.value for node in ast.parse(source).body if isinstance(node, ast.Assign) and node.targets[0].id == "PAGES"
    )
    return [f"page_{ast.literal_eval(element)[0]}" for element in pages.elts]


def test_a_round_summary_prints_as_one_row():
    result = {
        "sessions": 8,
        "render_median_s": 2.0,
        "render_p95_s": 4.5,
        "render_max_s": 6.0,
        "slider_median_s": None,
        "errors": ["Loyalty & value: TimeoutError"],
        "server_cpu_per_rerun_s": 0.25,
        "server_share_of_busy": 0.4,
        "server_peak_rss_gb": 0.61,
        "server_vmhwm_gb": 0.62,
        "wall_s": 40.0,
    }
    row = bench_load.row_of(result)
    assert row.split()[:7] == ["8", "2.0s", "4.5s", "6.0s", "-", "1", "0.25s"]
    assert row.rstrip().endswith("6.0 / 11.1 s")  # the earlier figures at 8 sessions, for comparison


def test_process_readers_see_this_process():
    assert process_status_kib(os.getpid(), "VmHWM") >= process_status_kib(os.getpid(), "VmRSS") > 0
    assert process_tree_cpu_seconds(os.getpid()) > 0
    assert process_status_kib(2**22 + 1, "VmHWM") == 0  # a pid that cannot exist (above pid_max): gone reads 0


def test_percentile_interpolates_between_ranks():
    assert percentile([5, 1, 4, 2, 3], 0.95) == pytest.approx(4.8)
    assert percentile([7.0], 0.95) == 7.0


def test_clients_default_to_chromium_and_protocol_is_offered():
    assert bench_load.parse_args([]).clients == "chromium"
    assert bench_load.parse_args(["--clients", "protocol"]).clients == "protocol"
    with pytest.raises(SystemExit):
        bench_load.parse_args(["--clients", "curl"])


@pytest.mark.slow
def test_a_protocol_session_visits_every_page_and_moves_the_slider(tmp_path):
    """The browserless client opens the production server, visits the ten pages and moves the retention weight:
    every step is a finished run, and the slider is redrawn at its new value (else the session records an error)."""
    import asyncio

    with bench_load.production_server(tmp_path / "server.log") as (url, pid):
        session = asyncio.run(bench_load.one_protocol_session(url, pid, 120))
    assert session.errors == []
    assert list(session.renders) == list(bench_load.PAGES)
    assert session.slider is not None and session.server_cpu["slider"] > 0
