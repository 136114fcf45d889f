"""Load uploaded files into a ``Dataset`` with a ``LoadReport``: the public entry points."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from crm_core.dataset import Dataset, fingerprint_of, fingerprint_started
from crm_core.loading.budget import memory_refusal
from crm_core.loading.building import canonical_table, numeric_fields_of
from crm_core.loading.currency import detected_currency
from crm_core.loading.errors import TABLE_EXPECTED, LoadError, refusal
from crm_core.loading.mapping import Mapping, guessed_table, joined, suggested_mapping
from crm_core.loading.options import DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.reading import Preview, preview_file, read_rows
from crm_core.loading.relations import JoinPlan, is_relational, reduced_dataset
from crm_core.loading.relations import join_plan as proposed_join_plan
from crm_core.loading.report import LoadReport, TableReport, report_text
from crm_core.loading.shapes import file_shape
from crm_core.loading.transactions import (
    derived_customers,
    is_transaction_mapping,
    transaction_log,
    transaction_mapping,
    transaction_rows,
)
from crm_core.messages import Count, Message, Term

MappingLike = Mapping | dict | str


def as_mapping(value: MappingLike) -> Mapping:
    """Return a ``Mapping`` from a Mapping, its ``to_dict`` form or its JSON text (``LoadError`` if malformed)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, (str, bytes)):
        return Mapping.from_json(value)
    return Mapping.from_dict(value)


def file_preview(
    name: str, data: bytes, mapping: Mapping | None = None, options: LoadOptions = DEFAULT_OPTIONS
) -> Preview:
    """Return the detected layout of a file; the read settings of ``mapping`` win over ``options``."""
    if mapping is None:
        return preview_file(name, data, options)
    return preview_file(name, data, options, mapping.encoding, mapping.delimiter, mapping.sheet)


def suggested_mapping_for(preview: Preview, options: LoadOptions = DEFAULT_OPTIONS) -> Mapping:
    """Return the mapping the loader would apply to a previewed file: its guessed table and suggested fields.

    A file shaped like a transaction log (``crm_core.loading.shapes``) gets the activity mapping of
    its id, transaction date, channel and amount; its location and balance are found when it loads.
    """
    if options.table is None and file_shape(preview.columns, preview.sample).kind == "transactions":
        return transaction_mapping(preview.columns)
    table = options.table or guessed_table(preview.columns)
    return suggested_mapping(table, preview.columns, preview.sample)


def _table_unguarded(
    name: str, data: bytes, mapping: MappingLike | None, options: LoadOptions, reference=None
) -> tuple[pd.DataFrame, TableReport]:
    given = as_mapping(mapping) if mapping is not None else None
    preview = file_preview(name, data, given, options)
    applied = given or suggested_mapping_for(preview, options)
    if is_transaction_mapping(applied):
        log = transaction_log(transaction_rows(preview, applied), applied, options)
        return log.activity_table(), log.report
    raw = read_rows(preview, numeric_fields_of(applied))
    return canonical_table(raw, applied, options, reference)


def _guarded(name: str, action):
    try:
        return action()
    except LoadError:
        raise
    except Exception as error:
        problem = f"{type(error).__name__}: {error}"
        raise refusal(name, Message("load_refused_unreadable", error=problem)) from error


def load_table(
    name: str, data: bytes, mapping: MappingLike | None = None, options: LoadOptions = DEFAULT_OPTIONS
) -> tuple[pd.DataFrame, TableReport]:
    """Return one file as a canonical frame and its validation report.

    Parameters
    ----------
    name : str
        File name (shown in messages).
    data : bytes
        File content.
    mapping : Mapping, dict or JSON str, optional
        A saved mapping; ``None`` guesses the table and suggests the fields.
    options : LoadOptions
        Read overrides and policies.

    Raises
    ------
    LoadError
        The bytes are not a table, or a required field is not mapped.
    """
    return _guarded(name, lambda: _table_unguarded(name, data, mapping, options))


def relational_plan(files: list[tuple[str, bytes]], options: LoadOptions = DEFAULT_OPTIONS) -> JoinPlan | None:
    """The proposed join plan when several files are related tables (``crm_core.loading.relations``), else None."""
    if len(files) < 2:
        return None
    try:
        previews = [preview_file(name, data, options) for name, data in files]
    except Exception:  # a file that is not a table: the file-by-file load says why
        return None
    return proposed_join_plan(previews) if is_relational(previews) else None


def _load_dataset_unguarded(
    files: list[tuple[str, bytes]],
    mappings: dict | None,
    options: LoadOptions,
    memory_limit: int | None,
    join_plan: JoinPlan | str | None = None,
) -> tuple[Dataset, LoadReport]:
    if not files:
        raise LoadError(Message("load_refused_no_files", hint=TABLE_EXPECTED))
    if memory_limit is not None and (refusal := memory_refusal(files, memory_limit)):
        raise LoadError(refusal)
    if join_plan is not None:
        plan = join_plan if isinstance(join_plan, JoinPlan) else JoinPlan.from_json(join_plan)
        return reduced_dataset(files, plan, options)
    plan = None if mappings else relational_plan(files, options)
    if plan is not None:
        if plan.ambiguous:
            notes = "; ".join(report_text(note) for note in plan.notes)
            raise LoadError(Message("load_refused_unclear_plan", notes=notes))
        return reduced_dataset(files, plan, options)
    with ThreadPoolExecutor(max_workers=1) as hashing:
        # The first file's bytes are hashed (sha256 releases the GIL) while the files are parsed.
        first = hashing.submit(fingerprint_started, [files[0][0].encode("utf-8"), bytes(files[0][1])])
        return _tables_loaded(files, mappings or {}, options, first)


def _tables_loaded(
    files: list[tuple[str, bytes]], mappings: dict, options: LoadOptions, first: Future
) -> tuple[Dataset, LoadReport]:
    planned, refused = [], []  # every refused file is named, not only the first
    for name, data in files:
        given = as_mapping(mappings[name]) if mappings.get(name) is not None else None
        try:
            preview = file_preview(name, data, given, options)
        except LoadError as error:
            refused.append((name, error))
            continue
        mapping = given or suggested_mapping_for(preview, options)
        planned.append((name, data, preview, mapping))
    frames: dict[str, list[pd.DataFrame]] = {"customers": [], "activity": [], "holdings": []}
    reports: list[TableReport] = []
    warnings: list = []  # catalog messages
    order = {"activity": 0, "holdings": 1, "customers": 2}
    reference = options.as_of
    customers_given = any(mapping.table == "customers" for *_, mapping in planned)
    logs, other_ids, id_files, located = [], [], [], []
    for name, _, preview, mapping in sorted(planned, key=lambda item: order[item[3].table]):
        months = [frame["month"].max() for frame in frames["activity"] if len(frame)]
        if mapping.table == "customers" and reference is None and months:
            reference = max(months).date()
        if is_transaction_mapping(mapping):  # one row per transaction: crm_core.loading.transactions
            try:
                log = transaction_log(transaction_rows(preview, mapping), mapping, options, customers_given)
            except LoadError as error:
                refused.append((name, error))
                continue
            frames["activity"] += [] if log.activity is None else [log.activity]
            located += [] if log.location_activity is None else [log.location_activity]
            logs.append(log)
            reports.append(log.report)
            continue
        try:
            raw = read_rows(preview, numeric_fields_of(mapping))
            frame, report = canonical_table(raw, mapping, options, reference)
        except LoadError as error:
            refused.append((name, error))
            continue
        frames[mapping.table].append(frame)
        reports.append(report)
        if mapping.table in ("activity", "holdings"):  # ids that can stand for customers when no file lists them
            other_ids.append(frame["customer_id"])
            id_files.append(name)
    if refused:
        given_order = [name for name, _ in files]  # named in the order the files were given
        refused.sort(key=lambda item: given_order.index(item[0]))
        raise LoadError(joined([error.message for _, error in refused]))
    if located and frames["customers"]:  # a location-only log next to a customers file: that file's customers
        located, note = _located_of_listed(located, frames["customers"])
        warnings += [note] if note is not None else []
    if not frames["customers"] and (logs or other_ids):
        customers, notes = derived_customers(logs, other_ids, id_files)
        frames["customers"].append(customers)
        warnings += notes
    if not frames["customers"]:
        seen = ", ".join(f"{report.file_name} ({report.table})" for report in reports)
        raise LoadError(Message("load_refused_no_customers", seen=seen))
    tables = {}
    for table, parts in frames.items():
        if len(parts) > 1:
            warnings.append(Message("load_files_appended", files=len(parts), table=Term(f"table_{table}")))
        tables[table] = pd.concat(parts, ignore_index=True) if parts else None
    if len(frames["customers"]) > 1 and tables["customers"]["customer_id"].duplicated().any():
        warnings.append(Message("load_ids_in_several_files"))
    parts = []
    for name, data, _, _ in planned:
        mapping = next(report.mapping for report in reports if report.file_name == name)
        parts += [name.encode("utf-8"), bytes(data), mapping.to_json().encode("utf-8")]
    parts.append(json.dumps(asdict(options), default=str, sort_keys=True).encode("utf-8"))
    assert planned[0][0] == files[0][0]  # nothing refused: the planned files are the files, in order
    # The measure that stands in for AUM (credit limit, income …): named on every surface and in the CLI.
    stand_ins = [r.mapping.value_measure for r in reports if r.table == "customers" and r.mapping.value_measure]
    measure = stand_ins[0] if stand_ins else "aum"
    dataset = Dataset(
        name=", ".join(name for name, _ in files),
        customers=tables["customers"],
        activity=tables["activity"],
        holdings=tables["holdings"],
        fingerprint=fingerprint_of(parts[2:], first.result()),
        currency=detected_currency(
            [c for _, _, preview, _ in planned for c in preview.columns], [p.sample for _, _, p, _ in planned]
        ),
        value_measure=measure,
        location_activity=pd.concat(located, ignore_index=True) if located else None,
    )
    file_order = [name for name, _ in files]
    ordered = tuple(sorted(reports, key=lambda report: file_order.index(report.file_name)))
    return dataset, LoadReport(files=ordered, usable=True, warnings=tuple(warnings))


def _located_of_listed(located: list[pd.DataFrame], customers: list[pd.DataFrame]) -> tuple[list, Message | None]:
    """Keep the transactions by location of the customers the customers files list; name what is left out.

    A customer only the log knows has no tier, age or value: counting it in the trend by location would
    mix in people no other page shows. Its transactions stay loaded (the file's rows are not rejected) and
    the load report says how many were left out of the trend.
    """
    listed = pd.concat([frame["customer_id"] for frame in customers], ignore_index=True)
    listed = pd.Index(listed.astype("string").unique())
    kept, left_transactions, left_customers = [], 0, set()
    for frame in located:
        known = listed.get_indexer(frame["customer_id"].astype("string")) >= 0
        if not known.all():
            left_transactions += int(frame.loc[~known, "transactions"].sum())
            left_customers |= set(frame.loc[~known, "customer_id"].astype("string"))
        kept.append(frame.loc[known].reset_index(drop=True))
    if not left_transactions:
        return kept, None
    return kept, Message(
        "load_location_unlisted", transactions=Count(left_transactions), customers=Count(len(left_customers))
    )


def load_dataset(
    files: list[tuple[str, bytes]],
    mappings: dict[str, MappingLike] | None = None,
    options: LoadOptions = DEFAULT_OPTIONS,
    *,
    memory_limit: int | None = None,
    join_plan: JoinPlan | str | None = None,
) -> tuple[Dataset, LoadReport]:
    """Return the ``Dataset`` built from uploaded files and the combined ``LoadReport``.

    Each file's table (customers / activity / holdings) is guessed from its columns unless
    its mapping or ``options.table`` says otherwise. Activity is loaded first so that an age
    from a birth date can be counted to the last activity month.

    Parameters
    ----------
    files : list of (str, bytes)
        File names and contents.
    mappings : dict, optional
        File name -> saved ``Mapping`` (object, dict or JSON); other files get suggestions.
    options : LoadOptions
        Read overrides and policies for every file.
    memory_limit : int, optional
        Bytes the load and the preparation may use; files estimated to need more
        (``crm_core.loading.budget``) are refused before anything is decoded.
    join_plan : JoinPlan or its JSON, optional
        How related tables link (``crm_core.loading.relations``). Without it, several files of which
        an account table and another file pointing at it (and no ``mappings``) are joined by the
        proposed plan when it is unambiguous.

    Returns
    -------
    (Dataset, LoadReport)
        ``Dataset.fingerprint`` hashes the file names, bytes, applied mappings (JSON) and options.

    Raises
    ------
    LoadError
        A file is not a table, a required field is not mapped, no file is a customers table, or
        the files would need more memory than ``memory_limit``.

    Examples
    --------
    >>> dataset, report = load_dataset([("c.csv", "客户号,AUM\\nC1,12.5万\\n".encode())])
    >>> dataset.customers["aum"].tolist(), report.rows_loaded
    ([125000.0], 1)
    """
    return _guarded(
        ", ".join(str(name) for name, *_ in files) or "upload",
        lambda: _load_dataset_unguarded(files, mappings, options, memory_limit, join_plan),
    )


def read_file(path: str | Path, mapping: MappingLike | None = None, options: LoadOptions = DEFAULT_OPTIONS):
    """Convenience for scripts: ``load_dataset`` of one file on disk."""
    file = Path(path)
    mappings = {file.name: mapping} if mapping is not None else None
    return load_dataset([(file.name, file.read_bytes())], mappings, options)
