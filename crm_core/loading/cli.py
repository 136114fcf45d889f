"""``python -m crm_core check FILE [FILE ...] [--mapping MAP.json] [--join-plan PLAN.json] [--json]
[--show-identifiers]``: validate uploads without the UI.

Each file's detected shape (customers, transactions, activity, holdings, flags or lookup table,
``crm_core.loading.shapes``) is printed with the evidence and how sure the detection is; with
``--json`` it is the ``shape`` object of each file.

Several related tables (``crm_core.loading.relations``: accounts, clients, dispositions, districts,
cards, loans, transactions) are joined by the proposed join plan, printed with the matched and
unmatched rows of every key pair (``join_plan`` in ``--json``: save it and pass it back next month
with ``--join-plan``).

Exit status 0 when the files make a usable dataset, 2 when they do not (the reason is
printed). Never a traceback: every failure becomes a one-paragraph message. Example rows
show customer identifiers masked (ids, names, phone and ID numbers, e-mail addresses) unless
``--show-identifiers`` is given, as the Data page does unless its switch is on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crm_core.loading.errors import LoadError
from crm_core.loading.loader import load_dataset, relational_plan
from crm_core.loading.mapping import Mapping
from crm_core.loading.reading import DELIMITER_NAMES, preview_file
from crm_core.loading.relations import JoinCount, JoinPlan, plan_with_counts, relational_load
from crm_core.loading.report import Issue, LoadReport, TableReport, report_text
from crm_core.loading.shapes import Shape, file_shape
from crm_core.privacy import masked_text

USABLE, UNUSABLE = 0, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core check",
        description="Check bank extract files: detected layout, column mapping and validation report.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CSV/TSV/TXT, Excel .xlsx or Parquet files")
    parser.add_argument(
        "--mapping",
        metavar="MAP.json",
        help="saved mapping: one mapping object (applied to every file) or {file name: mapping}",
    )
    parser.add_argument(
        "--join-plan",
        metavar="PLAN.json",
        help="saved join plan of related tables (the join_plan object of a previous check --json)",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable JSON report")
    parser.add_argument(
        "--show-identifiers",
        action="store_true",
        help="show customer ids, names, phone and ID numbers in example rows in clear (masked by default)",
    )
    return parser


def _mappings(path: str | None, names: list[str]) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise LoadError(f"cannot read mapping {path}: {error}") from None
    if isinstance(data, dict) and "table" in data and "columns" in data:
        mapping = Mapping.from_dict(data)
        return {name: mapping for name in names}
    if isinstance(data, dict):
        return {name: Mapping.from_dict(value) for name, value in data.items()}
    raise LoadError(f"mapping {path} must be a JSON object")


def _join_plan(path: str) -> JoinPlan:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise LoadError(f"cannot read join plan {path}: {error.strerror}") from None
    return JoinPlan.from_json(text)


def join_plan_text(plan: JoinPlan, joins: tuple[JoinCount, ...] = ()) -> str:
    """Return the join plan as readable lines: each table's role, each key pair with its rows matched."""
    counted = {(join.left, join.left_column, join.right): join for join in joins}
    lines = [f"join plan (customers are the {plan.customer_entity}s):"]
    lines += [f"  {table.file_name}: {table.role} ({table.reason})" for table in plan.tables]
    for pair in plan.links:
        join = counted.get((pair.left, pair.left_column, pair.right))
        sample = f"sample share {pair.share:.0%}" if pair.share is not None else "sample share unknown"
        rows = f"; {join.matched} of {join.rows} rows matched, {join.unmatched} unmatched" if join else ""
        lines.append(f"  {pair.left}.{pair.left_column} -> {pair.right}.{pair.right_column} ({sample}{rows})")
    channels = ", ".join(f"{value or '(blank)'} -> {channel or 'none'}" for value, channel in plan.channels)
    if channels:
        lines.append(f"  operation channels: {channels}")
    lines += [f"  unclear: {report_text(note)}" for note in plan.notes]
    return "\n".join(lines)


def _issue_lines(title: str, issues: tuple[Issue, ...]) -> list[str]:
    if not issues:
        return []
    lines = [f"  {title}:"]
    for issue in issues:
        target = f" -> {issue.field}" if issue.field else ""
        rule = f" ({report_text(issue.rule)})" if issue.rule else ""
        lines.append(f"    {report_text(issue.subject)}{target}{rule}: {issue.count}")
        lines += [f"      row {example.row}: {example.text[:120]}" for example in issue.examples]
    return lines


def file_shapes(files: list[tuple[str, bytes]]) -> dict[str, Shape | None]:
    """Return each file's detected shape from its header and first rows (None when it is not a table)."""
    shapes: dict[str, Shape | None] = {}
    for name, data in files:
        try:
            preview = preview_file(name, data)
        except Exception:  # the load reports why the file is not a table
            shapes[name] = None
            continue
        shapes[name] = file_shape(preview.columns, preview.sample)
    return shapes


_SHAPE_OF_ROLE = {
    "client": "customers",
    "account": "lookup",
    "disposition": "lookup",
    "district": "lookup",
    "card": "holdings",
    "loan": "holdings",
    "order": "holdings",
    "transaction": "transactions",
    "unused": "lookup",
}


def plan_shapes(plan) -> dict[str, Shape]:
    """Each file's shape as the join plan reads it: in a related set a file is what its role makes it
    (``trans.csv`` a transaction log, not a customers table with a balance column), stated with the role."""
    return {
        table.file_name: Shape(
            _SHAPE_OF_ROLE[table.role],
            f"{table.role} table of the join plan: {report_text(table.reason)}" if table.reason else table.role,
            "high",
        )
        for table in plan.tables
    }


def file_report_text(report: TableReport, shape: Shape | None = None) -> str:
    """Return a readable multi-line summary of one file's report (and its detected shape)."""
    delimiter = DELIMITER_NAMES.get(report.delimiter or "", report.delimiter)
    layout = [f"format {report.format}"]
    if report.encoding:
        layout.append(f"encoding {report.encoding}")
    if report.delimiter:
        layout.append(f"delimiter {delimiter}")
    if report.sheet:
        layout.append(f"sheet {report.sheet!r} of {', '.join(report.sheet_names)}")
    lines = [
        f"{report.file_name}: {report.table}",
        *([f"  shape: {shape.kind} ({shape.confidence} confidence): {shape.reason}"] if shape else []),
        "  " + ", ".join(layout),
        "  mapping:",
        *[f"    {column} -> {name}" for column, name in report.mapping.columns],
    ]
    if report.unmapped_columns:
        lines.append("  ignored columns: " + ", ".join(report.unmapped_columns))
    lines.append(
        f"  rows read {report.rows_read}, loaded {report.rows_loaded}, rejected {report.rows_rejected}, "
        f"in table {report.rows_output}"
    )
    if report.table == "activity" and "transactions" in report.derived_fields:
        lines.append(f"  transactions {report.rows_loaded} → activity rows {report.rows_output}")
    lines += _issue_lines("rejected rows", report.rejections)
    lines += _issue_lines("values not understood (kept as missing unless required)", report.parse_failures)
    lines += _issue_lines("implausible values (kept, flagged)", report.out_of_range)
    if report.duplicate_ids:
        lines.append(f"  duplicate customer ids: {report.duplicate_ids} (policy {report.duplicate_policy})")
    if report.derived_fields:
        lines.append("  derived fields: " + ", ".join(report.derived_fields))
    lines += [f"  warning: {report_text(warning)}" for warning in report.warnings]
    return "\n".join(lines)


def load_report_text(report: LoadReport, shapes: dict[str, Shape | None] | None = None) -> str:
    """Return a readable summary of a whole load."""
    shapes = shapes or {}
    parts = [file_report_text(file_report, shapes.get(file_report.file_name)) for file_report in report.files]
    parts += [f"warning: {report_text(warning)}" for warning in report.warnings]
    parts.append(
        f"total: rows read {report.rows_read}, loaded {report.rows_loaded}, rejected {report.rows_rejected}; "
        + ("usable" if report.usable else "NOT usable")
    )
    return "\n\n".join(parts)


def check_main(argv: list[str]) -> int:
    """Run the ``check`` command; return the exit status (0 usable, 2 not usable).

    Parameters
    ----------
    argv : list of str
        Arguments after the word ``check``.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else UNUSABLE
    as_json = args.json
    shapes: dict[str, Shape | None] = {}
    plan, joins = None, ()
    try:
        names = [Path(file).name for file in args.files]
        files = [(Path(file).name, Path(file).read_bytes()) for file in args.files]
        shapes = file_shapes(files)
        plan = _join_plan(args.join_plan) if args.join_plan else None if args.mapping else relational_plan(files)
        if plan is not None and (args.join_plan or not plan.ambiguous):
            load = relational_load(files, plan)
            report, joins = load.report, load.joins
            shapes |= plan_shapes(plan)
        else:
            _, report = load_dataset(files, _mappings(args.mapping, names))
    except (LoadError, OSError) as error:
        message = str(error) if isinstance(error, LoadError) else f"cannot read {error.filename}: {error.strerror}"
        _emit_failure(message if args.show_identifiers else masked_text(message), as_json, shapes, plan)
        return UNUSABLE
    except Exception as error:
        message = f"unexpected error: {type(error).__name__}: {error}"
        _emit_failure(message if args.show_identifiers else masked_text(message), as_json, shapes)
        return UNUSABLE
    if not args.show_identifiers:
        report = report.masked()
    if as_json:
        data = report.to_dict()
        for file in data["files"]:
            shape = shapes.get(file["file_name"])
            file["shape"] = shape.to_dict() if shape else None
        if plan is not None:
            data["join_plan"] = plan_with_counts(plan, joins)
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(load_report_text(report, shapes) + (f"\n\n{join_plan_text(plan, joins)}" if plan else ""))
    return USABLE if report.usable else UNUSABLE


def _emit_failure(
    message: str, as_json: bool, shapes: dict[str, Shape | None] | None = None, plan: JoinPlan | None = None
) -> None:
    shapes = shapes or {}
    if as_json:
        files = [{"file_name": name, "shape": shape.to_dict() if shape else None} for name, shape in shapes.items()]
        print(
            json.dumps(
                {
                    "usable": False,
                    "error": message,
                    "rows_read": 0,
                    "rows_loaded": 0,
                    "rows_rejected": 0,
                    "files": files,
                    **({"join_plan": plan.to_dict()} if plan is not None else {}),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for name, shape in shapes.items():
            if shape is not None:
                print(f"{name}: shape {shape.kind} ({shape.confidence} confidence): {shape.reason}", file=sys.stderr)
        if plan is not None:
            print(join_plan_text(plan), file=sys.stderr)
        print(f"not usable: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(check_main(sys.argv[1:]))
