"""``python -m crm_core report --data FILE_OR_DIR --out deck.pptx|report.html|tables.xlsx``: the report without the UI.

``--data`` is a folder holding ``customers.parquet`` (and optionally ``activity.parquet`` and
``holdings.parquet``, as ``python -m crm_core sample`` writes them), or one or more extract
files read by the loader (CSV/TSV/TXT, Excel, Parquet; ``--mapping`` as for ``check``).
``--scenario`` is a JSON file saved from the Scenarios page (default: the baseline). The output
format follows the ``--out`` suffix. Exit 0 on success, 2 with a one-line reason otherwise;
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from crm_core.dataset import Dataset
from crm_core.loading.errors import LoadError
from crm_core.loading.report import report_text
from crm_core.report.model import ExportError

OK, FAILED = 0, 2
FORMATS: dict[str, str] = {".pptx": "deck", ".html": "html", ".htm": "html", ".xlsx": "workbook"}
"""Output suffix → format."""


class ReportFailure(Exception):
    """A reason the report cannot be made, printed as is."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core report",
        description="Build the strategy report (PowerPoint deck, HTML page or Excel tables) from bank data.",
    )
    parser.add_argument(
        "--data",
        nargs="+",
        required=True,
        metavar="FILE_OR_DIR",
        help="a folder of customers/activity/holdings .parquet tables, or extract files (CSV, Excel, Parquet)",
    )
    parser.add_argument("--mapping", metavar="MAP.json", help="saved column mapping for the extract files")
    parser.add_argument(
        "--scenario", metavar="S.json", help="scenario saved from the Scenarios page (default: baseline)"
    )
    parser.add_argument("--out", required=True, metavar="OUT", help="output: deck.pptx, report.html or tables.xlsx")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the report")
    parser.add_argument("--template", metavar="T.pptx", help="company PowerPoint template for the deck")
    return parser


def _dataset(paths: list[str], mapping: str | None) -> Dataset:
    from crm_core.loading.cli import _mappings
    from crm_core.loading.loader import load_dataset
    from crm_core.sample import SAMPLE_DIR, read_sample

    if len(paths) == 1 and Path(paths[0]).is_dir():
        folder = Path(paths[0])
        if not (folder / "customers.parquet").is_file():
            raise ReportFailure(f"{folder} holds no customers.parquet (expected customers/activity/holdings .parquet)")
        name = "Bank A sample" if folder.resolve() == SAMPLE_DIR.resolve() else folder.resolve().name
        return read_sample(folder, name=name)
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise ReportFailure(f"no such data file or folder: {', '.join(missing)}")
    names = [Path(p).name for p in paths]
    files = [(name, Path(p).read_bytes()) for name, p in zip(names, paths, strict=True)]
    dataset, load_report = load_dataset(files, _mappings(mapping, names))
    if not load_report.usable:
        said = "; ".join(report_text(w) for w in load_report.warnings) or "no customers table"
        raise ReportFailure(f"the data is not usable: {said}")
    return dataset


def _scenario(path: str | None):
    from crm_core.scenarios import ScenarioError, baseline_scenario, scenario_from_json

    if path is None:
        return baseline_scenario()
    try:
        return scenario_from_json(Path(path).read_bytes())
    except ScenarioError as error:
        raise ReportFailure(f"scenario {path}: {error}") from None


def report_main(argv: list[str]) -> int:
    """Run the ``report`` command; return the exit status (0 written, 2 not).

    Parameters
    ----------
    argv : list of str
        Arguments after the word ``report``.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return OK if exit_.code == 0 else FAILED
    out = Path(args.out)
    kind = FORMATS.get(out.suffix.lower())
    try:
        if kind is None:
            raise ReportFailure(f"unknown output type {out.suffix or '(none)'!r}: use .pptx, .html or .xlsx")
        template = Path(args.template).read_bytes() if args.template and kind == "deck" else None
        scenario = _scenario(args.scenario)
        from crm_core.artefact import is_artefact, read_artefact
        from crm_core.prepare import prepared_dataset
        from crm_core.report.content import report_content

        if len(args.data) == 1 and is_artefact(args.data[0]):  # a prepared artefact: no preparation here
            prepared = read_artefact(args.data[0])
            dataset = prepared.dataset
        else:
            dataset = _dataset(args.data, args.mapping)
            prepared = prepared_dataset(dataset)
        report = report_content(prepared, scenario, args.lang)
        stamp = (scenario.name, dataset.name, dataset.fingerprint, date.today())
        if kind == "deck":
            from crm_core.report.deck import deck_pptx

            out.write_bytes(deck_pptx(report, *stamp, template=template))
        elif kind == "html":
            from crm_core.report.html import report_html

            out.write_text(report_html(report, *stamp), encoding="utf-8")
        else:
            from crm_core.report.workbook import report_workbook

            out.write_bytes(report_workbook(report, *stamp, as_of=prepared.as_of))
    except (ReportFailure, LoadError, ExportError) as error:
        print(f"report not written: {error}", file=sys.stderr)
        return FAILED
    except OSError as error:
        print(f"report not written: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return FAILED
    except Exception as error:  # the promise is a message, never a traceback
        print(f"report not written: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        return FAILED
    skipped = [step.key for step in report.steps if not step.available]
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(report.steps)} steps)")
    if skipped:
        print(f"steps the data could not fill: {', '.join(skipped)} (their headline says why)")
    return OK


if __name__ == "__main__":
    sys.exit(report_main(sys.argv[1:]))
