"""Load: N concurrent Chromium sessions on the production server, each visiting every page and moving a slider.

Usage: ``python -m benchmarks.bench_load [--sessions 1 4 8 16] [--timeout 120] [--cap 1800] [--commit HEAD]``
(``--commit`` serves a ``git archive`` of that commit: use HEAD while others edit the tree, since a server
whose page files change under it mixes old and new modules; an earlier commit to compare versions).

The benchmark starts ``streamlit run serve.py`` itself on a free loopback port (sample data, no sign-in)
and stops it at the end. One Chromium (Debian's, the flags of ``tests/browser.py``) opens N browser
contexts at once (asyncio, one Playwright): each opens the app (the Overview), clicks every other page
in the sidebar (a ``page.goto`` would start a new session), and on Staff KPIs focuses the retention
weight slider and presses ArrowRight. A step has rendered when the server has reported a finished run
on the page's WebSocket (``script_finished``) and the app root's ``data-test-script-state`` then says
``notRunning``, twice a moment apart with no new run between; its time runs from the click to the first
of those two looks. Before the rounds one session visits every page once, unmeasured, so the per-dataset
caches (the visit cube, the churn and propensity models) are warm: the rounds measure what every later
user costs.

Per N: median, p95 and max page render time, median slider-move time, errors (an exception box on a
page, a step timing out), server CPU seconds per rerun (``/proc/<pid>/stat`` of the server and its
descendants, before and after the round, divided by the page visits and slider moves), the server's
peak resident memory in the round (``VmRSS`` sampled) and since start (``VmHWM``), and how busy the
whole machine was: the browsers run on the same cores, and so may other work (reported, not
subtracted). Printed as a table and written to ``benchmarks/results/load-<time>.json``.

A benchmark, run by hand: nothing in the test suite runs it (``tests/test_benchmarks_load.py`` only
checks that it imports and parses its arguments).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import machine_busy_seconds, percentile, process_status_kib, process_tree_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [  # the same as tests/browser.py (kept apart so a benchmark does not import the test suite)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Sidebar titles in the order of app.PAGES, English (the default language). The session starts on the first.
PAGES = (
    "Overview",
    "Data",
    "Segments",
    "Visits & channels",
    "Product gap",
    "Loyalty & value",
    "Staff KPIs",
    "Service quality",
    "Scenarios & export",
    "Strategy playbook",
)
SLIDER_PAGE = "Staff KPIs"
# The retention weight; the second key is the one before the scenario store (``--commit`` of an earlier version).
SLIDER_KEYS = ("staff_weights.retention", "staff_weight_retention")
SLIDER = ", ".join(f".st-key-{key.replace('.', '-')} input[type=range]" for key in SLIDER_KEYS)
SETTLE_CHECK_MS = 600  # a run may be followed by another (a callback, a fragment): look twice, this far apart
TARGET_P95_AT_8 = 5.0
# Times measured before this work (same machine, same flow), for comparison in the table.
EARLIER = {1: (1.5, 3.0), 4: (3.5, 5.3), 8: (6.0, 11.1), 16: (6.4, 38.5)}

IDLE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'"


class RunWatch:
    """Counts the script runs the server reports finished on a page's WebSocket (``script_finished`` messages).

    The app root's script state alone can miss a short run (it may never show a run the frontend applied in
    one go), so a step waits for a finished run first, then for the root to say ``notRunning``.
    """

    def __init__(self, page) -> None:
        self.finished = 0
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        if socket.url.endswith("/_stcore/stream"):
            socket.on("framereceived", self._frame)

    def _frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # not a ForwardMsg: not a run's end
            return
        early = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN  # another run follows at once
        if message.WhichOneof("type") == "script_finished" and message.script_finished != early:
            self.finished += 1


@dataclass
class Session:
    """What one browser session saw: render seconds per page, slider seconds, errors."""

    renders: dict[str, float] = field(default_factory=dict)
    slider: float | None = None
    server_cpu: dict[str, float] = field(default_factory=dict)  # per step; meaningful with one session at a time
    server_pid: int = 0
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def production_server(log: Path, root: Path = ROOT) -> Iterator[tuple[str, int]]:
    """``streamlit run serve.py`` (``app.py`` where there is none) of the checkout at ``root`` on a free loopback
    port; yields (base URL, server pid); stops it."""
    port = free_port()
    entrypoint = root / "serve.py" if (root / "serve.py").exists() else root / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(entrypoint), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    environment = {key: value for key, value in os.environ.items() if key != "CRM_ARTEFACT_ROOT"}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=subprocess.STDOUT, env=environment)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start; see {log}") from None
                    time.sleep(0.2)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def archived(commit: str) -> Iterator[Path]:
    """A temporary folder holding ``git archive <commit>`` of this repository (the code only, frozen)."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


async def settled(page, watch: RunWatch, before: int, started: float, timeout_s: float) -> float:
    """Seconds from ``started`` until the app is idle after a run that finished since ``before`` runs, and still
    idle, with no further run, a moment later (a callback or fragment may start another)."""
    deadline = time.perf_counter() + timeout_s
    while True:
        while watch.finished <= before:
            if time.perf_counter() > deadline:
                raise TimeoutError("no run finished")
            await asyncio.sleep(0.05)
        before = watch.finished
        await page.wait_for_function(IDLE, timeout=max(deadline - time.perf_counter(), 0.001) * 1000)
        idle = time.perf_counter()
        await page.wait_for_timeout(SETTLE_CHECK_MS)
        if watch.finished == before and await page.evaluate(IDLE):
            return idle - started
        # Another run finished meanwhile, or one is under way: wait for it and look again.


async def error_box(page) -> str | None:
    boxes = page.locator("[data-testid=stException]")
    if await boxes.count():
        return (await boxes.first.inner_text())[:200]
    return None


async def step(page, watch: RunWatch, session: Session, name: str, action, timeout_s: float) -> float | None:
    """Act, wait for the app to settle; record an error box or a timeout (the session then goes on)."""
    before, started, cpu = watch.finished, time.perf_counter(), process_tree_cpu_seconds(session.server_pid)
    try:
        await action()
        seconds = await settled(page, watch, before, started, timeout_s)
    except Exception as error:  # a timeout, or the page gone
        session.errors.append(f"{name}: {type(error).__name__}")
        return None
    session.server_cpu[name] = process_tree_cpu_seconds(session.server_pid) - cpu
    if message := await error_box(page):
        session.errors.append(f"{name}: exception box: {message}")
    return seconds


async def one_session(browser, url: str, server_pid: int, timeout_s: float) -> Session:
    """Open the app (the Overview), visit every other page through the sidebar, move one Staff KPIs weight."""
    session = Session(server_pid=server_pid)
    context = await browser.new_context(viewport={"width": 1500, "height": 1200})
    timeout_ms = timeout_s * 1000
    try:
        page = await context.new_page()
        watch = RunWatch(page)
        nav = page.locator("[data-testid=stSidebarNav]")
        actions = [(PAGES[0], lambda: page.goto(url, timeout=timeout_ms))]
        for name in PAGES[1:]:
            link = nav.get_by_role("link", name=name, exact=True)
            actions.append((name, lambda link=link: link.click(timeout=timeout_ms)))
        for name, action in actions:
            seconds = await step(page, watch, session, name, action, timeout_s)
            if seconds is not None:
                session.renders[name] = seconds
            elif name == PAGES[0]:
                return session  # no app, no sidebar
            if name == SLIDER_PAGE:
                thumb = page.locator(SLIDER)

                async def nudge(thumb=thumb):
                    await thumb.focus(timeout=timeout_ms)
                    await thumb.press("ArrowRight", timeout=timeout_ms)

                session.slider = await step(page, watch, session, "slider", nudge, timeout_s)
    finally:
        await context.close()
    return session


class ProtocolClient:
    """One session spoken at Streamlit's WebSocket protocol, without a browser: what the server does for a user
    whose browser runs on their own machine.

    It sends what the frontend sends (``rerun_script`` with the page's script hash, a slider's new value as a
    widget state) and reads every message the server answers with, as a browser would; a step ends at the
    server's ``script_finished`` (a run cut short for another run does not count).
    """

    def __init__(self, socket) -> None:
        self.socket = socket
        self.pages: dict[str, str] = {}  # page title -> script hash, from the navigation message
        self.sliders: dict[str, object] = {}  # widget id -> the Slider element last drawn
        self.errors: list[str] = []

    async def run(self, page_hash: str, widgets: list | None = None) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = page_hash
        for widget in widgets or ():
            message.rerun_script.widget_states.widgets.append(widget)
        await self.socket.send(message.SerializeToString())
        await self.finished()

    async def finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        early = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "navigation":
                self.pages = {page.page_name: page.page_script_hash for page in message.navigation.app_pages}
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "slider":
                    self.sliders[element.slider.id] = element.slider
                elif element.WhichOneof("type") == "exception":
                    self.errors.append(f"exception box: {element.exception.message[:200]}")
            elif kind == "script_finished" and message.script_finished != early:
                return


async def protocol_step(client: ProtocolClient, session: Session, name: str, action, timeout_s: float) -> float | None:
    """``step`` for a protocol client: the time from sending to the run's end; errors recorded, the session goes on."""
    started, cpu, errors = time.perf_counter(), process_tree_cpu_seconds(session.server_pid), len(client.errors)
    try:
        await asyncio.wait_for(action(), timeout=timeout_s)
    except Exception as error:  # a timeout, or the connection gone
        session.errors.append(f"{name}: {type(error).__name__}")
        return None
    seconds = time.perf_counter() - started
    session.server_cpu[name] = process_tree_cpu_seconds(session.server_pid) - cpu
    session.errors += [f"{name}: {error}" for error in client.errors[errors:]]
    return seconds


async def one_protocol_session(url: str, server_pid: int, timeout_s: float) -> Session:
    """The Chromium flow (open, every page, one Staff KPIs weight moved) at the protocol level."""
    import websockets
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    session = Session(server_pid=server_pid)
    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None, origin=url) as socket:
        client = ProtocolClient(socket)
        seconds = await protocol_step(client, session, PAGES[0], lambda: client.run(""), timeout_s)
        if seconds is None or not client.pages:
            session.errors.append("no page list after opening")
            return session
        session.renders[PAGES[0]] = seconds
        for name in PAGES[1:]:
            page_hash = client.pages.get(name)
            if page_hash is None:
                session.errors.append(f"{name}: not in the page list")
                continue
            seconds = await protocol_step(client, session, name, lambda h=page_hash: client.run(h), timeout_s)
            if seconds is not None:
                session.renders[name] = seconds
            if name == SLIDER_PAGE:
                wanted = [w for w in client.sliders.values() if any(w.id.endswith(f"-{key}") for key in SLIDER_KEYS)]
                if not wanted:
                    session.errors.append("slider: not found")
                    continue
                slider = wanted[0]
                value = next(iter(slider.value or slider.default))
                moved = value + slider.step if value + slider.step <= slider.max else value - slider.step
                state = WidgetState(id=slider.id)
                state.double_array_value.data.append(moved)
                session.slider = await protocol_step(
                    client, session, "slider", lambda h=page_hash, s=state: client.run(h, [s]), timeout_s
                )
                redrawn = client.sliders[slider.id]
                if session.slider is not None and next(iter(redrawn.value or redrawn.default)) != moved:
                    session.errors.append("slider: the weight did not move")  # the run ignored the widget state
    return session


async def memory_sampler(pid: int, peak: list[int]) -> None:
    """Keep the largest resident size of the server seen (KiB) in ``peak[0]`` until cancelled."""
    while True:
        peak[0] = max(peak[0], process_status_kib(pid, "VmRSS"))
        await asyncio.sleep(0.25)


async def round_of(start, pid: int, sessions: int, cap_s: float) -> dict:
    """N sessions at once (``start()`` makes one): their times, errors, the server's CPU and memory in the round."""
    peak = [0]
    sampler = asyncio.create_task(memory_sampler(pid, peak))
    cpu_before, busy_before, load_before = process_tree_cpu_seconds(pid), machine_busy_seconds(), os.getloadavg()[0]
    ours_before = process_tree_cpu_seconds(os.getpid())  # this process, Playwright, Chromium and the server
    started = time.perf_counter()
    tasks = [asyncio.create_task(start()) for _ in range(sessions)]
    done, pending = await asyncio.wait(tasks, timeout=cap_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - started
    cpu = process_tree_cpu_seconds(pid) - cpu_before
    busy = machine_busy_seconds() - busy_before
    browsers = process_tree_cpu_seconds(os.getpid()) - ours_before - cpu
    sampler.cancel()
    results = [task.result() if task in done and not task.exception() else None for task in tasks]
    finished = [result for result in results if result is not None]
    errors = [error for result in finished for error in result.errors]
    errors += [f"session failed: {type(task.exception()).__name__}" for task in done if task.exception()]
    errors += ["session cut by the overall cap" for _ in pending]
    renders = [seconds for result in finished for seconds in result.renders.values()]
    sliders = [result.slider for result in finished if result.slider is not None]
    by_page = {name: [r.renders[name] for r in finished if name in r.renders] for name in PAGES}
    reruns = len(renders) + len(sliders)
    return {
        "sessions": sessions,
        "wall_s": wall,
        "page_visits": len(renders),
        "slider_moves": len(sliders),
        "render_median_s": statistics.median(renders) if renders else None,
        "render_p95_s": percentile(renders, 0.95) if renders else None,
        "render_max_s": max(renders) if renders else None,
        "slider_median_s": statistics.median(sliders) if sliders else None,
        "slider_max_s": max(sliders) if sliders else None,
        "errors": errors,
        "server_cpu_s": cpu,
        "server_cpu_per_rerun_s": cpu / reruns if reruns else None,
        "machine_busy_cpu_s": busy,
        "server_share_of_busy": cpu / busy if busy else None,
        "load_generator_cpu_s": browsers,
        "other_work_cpu_s": busy - cpu - browsers,
        "load_average_before": load_before,
        "server_peak_rss_gb": peak[0] / 2**20,
        "server_vmhwm_gb": process_status_kib(pid, "VmHWM") / 2**20,
        "median_render_by_page_s": {name: statistics.median(times) for name, times in by_page.items() if times},
        "sessions_detail": [asdict(result) if result else None for result in results],
    }


async def run(args: argparse.Namespace, url: str, pid: int) -> dict:
    if args.clients == "protocol":
        return await rounds(args, pid, lambda: one_protocol_session(url, pid, args.timeout))
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            return await rounds(args, pid, lambda: one_session(browser, url, pid, args.timeout))
        finally:
            await browser.close()


async def rounds(args: argparse.Namespace, pid: int, start) -> dict:
    """One unmeasured warm-up session, then a round of each size in ``args.sessions`` (within ``args.cap``)."""
    deadline = time.monotonic() + args.cap
    report: dict = {"rounds": [], "clients": args.clients}
    cpu_before = process_tree_cpu_seconds(pid)
    warm_started = time.perf_counter()
    warm = await asyncio.wait_for(start(), timeout=args.cap)
    report["warm_up"] = {
        "wall_s": time.perf_counter() - warm_started,
        "server_cpu_s": process_tree_cpu_seconds(pid) - cpu_before,
        "renders_s": warm.renders,
        "server_cpu_by_step_s": warm.server_cpu,
        "slider_s": warm.slider,
        "errors": warm.errors,
        "server_vmhwm_gb": process_status_kib(pid, "VmHWM") / 2**20,
    }
    print(f"warm-up (one session, first visits; caches per dataset): {report['warm_up']['wall_s']:.1f} s")
    print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in warm.renders.items()))
    print("  server CPU: " + ", ".join(f"{name} {cpu:.1f} s" for name, cpu in warm.server_cpu.items()))
    for sessions in args.sessions:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(f"overall cap of {args.cap:.0f} s reached: {sessions} sessions not run")
            break
        result = await round_of(start, pid, sessions, remaining)
        report["rounds"].append(result)
        print(row_of(result))
    return report


HEADER = (
    f"{'N':>3} {'median':>7} {'p95':>7} {'max':>7} {'slider':>7} {'errors':>6} {'CPU/rerun':>9} "
    f"{'srv/busy':>8} {'peak RSS':>9} {'VmHWM':>6} {'wall':>6}   earlier median / p95"
)


def row_of(result: dict) -> str:
    def seconds(value: float | None) -> str:
        return f"{value:6.1f}s" if value is not None else "      -"

    earlier = EARLIER.get(result["sessions"])
    per_rerun = result["server_cpu_per_rerun_s"]
    share = result["server_share_of_busy"]
    return (
        f"{result['sessions']:>3} {seconds(result['render_median_s'])} {seconds(result['render_p95_s'])} "
        f"{seconds(result['render_max_s'])} {seconds(result['slider_median_s'])} {len(result['errors']):>6} "
        f"{(f'{per_rerun:8.2f}s' if per_rerun is not None else '        -')} "
        f"{(f'{share:8.0%}' if share is not None else '       -')} "
        f"{result['server_peak_rss_gb']:7.2f}GB {result['server_vmhwm_gb']:4.2f}GB {result['wall_s']:5.0f}s"
        + (f"   {earlier[0]:.1f} / {earlier[1]:.1f} s" if earlier else "")
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8, 16], help="concurrent sessions per round")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a single step may take")
    parser.add_argument("--cap", type=float, default=1800.0, help="seconds the whole benchmark may take")
    parser.add_argument(
        "--commit",
        default=None,
        help="serve a git archive of this commit (HEAD: a tree others are editing; an earlier one: compare)",
    )
    parser.add_argument(
        "--clients",
        choices=("chromium", "protocol"),
        default="chromium",
        help="chromium: real browsers on this machine; protocol: sessions spoken at the WebSocket protocol "
        "(the server's share alone, as when every user's browser runs on their own machine)",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default results/load-<time>.json)")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    args = parser().parse_args(argv)
    if any(n < 1 for n in args.sessions) or args.timeout <= 0 or args.cap <= 0:
        parser().error("sessions, --timeout and --cap must be positive")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"load-{stamp}.json"
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} before start (other work shares them)")
    with contextlib.ExitStack() as stack:
        root = ROOT if args.commit is None else stack.enter_context(archived(args.commit))
        print(f"serving {root}" + (f" (git archive of {args.commit})" if args.commit else ""))
        url, pid = stack.enter_context(production_server(RESULTS / f"load-server-{stamp}.log", root))
        report = asyncio.run(run(args, url, pid))
    command = ["python", "-m", "benchmarks.bench_load", *(argv or sys.argv[1:])]
    report |= {"command": command, "cores": os.cpu_count(), "commit": args.commit}
    print(HEADER)
    for result in report["rounds"]:
        print(row_of(result))
    for result in report["rounds"]:
        print(
            f"N={result['sessions']}: CPU seconds in the round: server {result['server_cpu_s']:.0f}, "
            f"load generator {result['load_generator_cpu_s']:.0f}, "
            f"other work on the machine {result['other_work_cpu_s']:.0f}"
        )
        if result["sessions"] == 1:
            steps = result["sessions_detail"][0]["server_cpu"] if result["sessions_detail"][0] else {}
            print("  server CPU per step: " + ", ".join(f"{name} {cpu:.2f} s" for name, cpu in steps.items()))
        slowest = sorted(result["median_render_by_page_s"].items(), key=lambda item: -item[1])[:3]
        print(f"N={result['sessions']}: slowest pages " + ", ".join(f"{name} {s:.1f} s" for name, s in slowest))
        for error in sorted(set(result["errors"])):
            print(f"  error x{result['errors'].count(error)}: {error}")
    at_8 = next((r for r in report["rounds"] if r["sessions"] == 8), None)
    if at_8 and at_8["render_p95_s"] is not None:
        met = "met" if at_8["render_p95_s"] <= TARGET_P95_AT_8 else "missed"
        print(f"target p95 <= {TARGET_P95_AT_8:.0f} s at 8 sessions: {at_8['render_p95_s']:.1f} s ({met})")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"written {out}")
    return report


if __name__ == "__main__":
    main()
