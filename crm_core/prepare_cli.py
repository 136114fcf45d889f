"""``python -m crm_core prepare``: prepare an extract once and save it as an artefact folder.

Engines: ``duckdb`` (the default; ``crm_core.duckdb_prepare``, the activity read out of core),
``local`` (everything in memory, ``crm_core.prepare``) and ``spark`` (``crm_core.spark_prepare``);
DuckDB and Spark run the same activity rules (``crm_core.engine_prepare``).

The churn and propensity models are trained here too and stored in the folder
(``crm_core.stored_models``), so opening a page never trains one; ``--no-models`` skips them.
Every engine's artefact also gets the visits view's cube (``crm_core.visits.cube.store_visit_cube``).

Exit 0 with the artefact written, 2 with a one-line reason; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

USABLE, UNUSABLE = 0, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core prepare",
        description="Prepare customers, activity and holdings once and save the result as an artefact folder.",
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "local", "spark"),
        default="duckdb",
        help="duckdb: activity out of core (canonical Parquet; other inputs go through the loader in memory); "
        "local: everything in memory; spark: a Spark session",
    )
    parser.add_argument("--customers", required=True, metavar="PATH", help="customers table (Parquet or CSV)")
    parser.add_argument("--activity", required=True, metavar="PATH", help="monthly activity table")
    parser.add_argument("--holdings", metavar="PATH", help="product holdings table (optional)")
    parser.add_argument("--mapping", metavar="MAP.json", help="column mapping: {table: {file column: canonical field}}")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="artefact folder to write")
    parser.add_argument("--master", help="Spark master, e.g. local[4] (default: spark-submit's setting, else local[*])")
    parser.add_argument("--remote", help="Spark Connect URL, e.g. sc://host:15002 (default: $SPARK_REMOTE)")
    parser.add_argument("--memory-limit", metavar="SIZE", help="DuckDB memory limit, e.g. 4GB (default: 80%% of RAM)")
    parser.add_argument("--spill-dir", metavar="DIR", help="where DuckDB spills beyond its memory limit")
    parser.add_argument(
        "--no-models", action="store_true", help="do not train and store the churn and propensity models"
    )
    return parser


def _read_mapping(path: str | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read mapping {path}: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"mapping {path} must be a JSON object of table -> columns")
    return data


def _is_canonical_parquet(paths: dict[str, str | None], mapping: dict | None) -> bool:
    return mapping is None and all(p is None or Path(p).suffix.lower() == ".parquet" for p in paths.values())


def _parquet_tables(paths: dict[str, str | None], mapping: dict | None) -> bool:
    """Canonical Parquet files or folders of part files: what the DuckDB engine reads itself."""
    tables = [Path(p) for p in paths.values() if p is not None]
    return mapping is None and all(p.is_dir() or p.suffix.lower() == ".parquet" for p in tables)


LeftOut = tuple[tuple[str, object, int], ...]
"""Rows of the source files not used: (table, reason message, rows), as the load report counts them."""


def _local(
    paths: dict[str, str | None], mapping: dict | None, out: Path, source: str, models: bool = True
) -> tuple[Path, LeftOut]:
    from crm_core.artefact import write_artefact
    from crm_core.prepare import prepared_dataset

    dataset, left_out = source_dataset(paths, mapping)
    prepared = prepared_dataset(dataset)
    return write_artefact(prepared, out, source=source, engine="local", models=models), left_out


def _left_out(report) -> LeftOut:
    """The rows each file of a load report left out, by table and reason."""
    return tuple((file.table, issue.subject, issue.count) for file in report.files for issue in file.rejections)


def left_out_text(left_out: LeftOut) -> str | None:
    """One line saying which source rows were not used and why (None when every row was).

    Examples
    --------
    >>> from crm_core.messages import Message
    >>> left_out_text((("activity", Message("load_reason_unknown_channel"), 2),))
    'rows left out: activity 2 (unknown channel 2)'
    """
    from crm_core.loading.report import report_text

    if not left_out:
        return None
    tables: dict[str, list[tuple[object, int]]] = {}
    for table, reason, rows in left_out:
        tables.setdefault(table, []).append((reason, rows))
    parts = []
    for table, reasons in tables.items():  # reasons by name: the same line whichever engine counted them
        listed = ", ".join(f"{text} {rows:,}" for text, rows in sorted((report_text(r), n) for r, n in reasons))
        parts.append(f"{table} {sum(rows for _, rows in reasons):,} ({listed})")
    return "rows left out: " + "; ".join(parts)


def source_dataset(paths: dict[str, str | None], mapping: dict | None):
    """Return the ``Dataset`` of the source files and the rows they left out.

    Canonical Parquet (as ``crm_core.sample`` writes it) is read directly, with the same
    fingerprint as ``read_sample``; anything else goes through ``crm_core.loading.load_dataset``
    with the mapping's per-table entries.
    """
    from crm_core.artefact import source_fingerprint
    from crm_core.dataset import Dataset, channel_dtype

    present = {table: path for table, path in paths.items() if path is not None}
    if _is_canonical_parquet(paths, mapping):
        frames = {table: pd.read_parquet(path) for table, path in present.items()}
        activity = frames.get("activity")
        if activity is not None:
            activity["channel"] = activity["channel"].astype("object").astype(channel_dtype())
            activity["customer_id"] = activity["customer_id"].astype("category")
        name = ", ".join(Path(p).name for p in present.values())
        return Dataset(name, frames["customers"], activity, frames.get("holdings"), source_fingerprint(present)), ()
    return loaded_dataset(present, mapping)


def loaded_dataset(present: dict[str, str], mapping: dict | None):
    """Return the ``Dataset`` of ``{table: path}`` read through ``crm_core.loading.load_dataset`` with the
    mapping's per-table entries (the local engine's way for a CSV or a mapping; the Spark engine takes
    its customers and holdings from here too), and the rows the load left out."""
    from crm_core.loading.loader import load_dataset
    from crm_core.loading.mapping import Mapping, table_columns

    files = [(Path(path).name, Path(path).read_bytes()) for path in present.values()]
    mappings = None
    if mapping:
        mappings = {}
        for table, path in present.items():
            if (columns := table_columns(mapping, table)) is not None:
                mappings[Path(path).name] = Mapping(table=table, columns=tuple(columns.items()))
    dataset, report = load_dataset(files, mappings)
    return dataset, _left_out(report)


def _engine_activity(paths: dict[str, str | None], mapping: dict | None) -> tuple[dict[str, str], str] | None:
    """How an engine reads the activity CSV of an extract as the loader would, or None (then in memory)."""
    from crm_core.duckdb_prepare import activity_columns
    from crm_core.loading.mapping import table_columns

    if paths["activity"] is None or "://" in paths["activity"]:
        return None
    return activity_columns(paths["activity"], table_columns(mapping, "activity"))


def _loaded_small_tables(paths: dict[str, str | None], mapping: dict | None):
    """The customers and holdings read by the loader (the engines then read only the activity)."""
    return loaded_dataset({table: paths[table] for table in ("customers", "holdings") if paths[table]}, mapping)


def _duckdb_through_loader(paths, mapping, read: tuple[dict[str, str], str], args, source: str) -> tuple[Path, LeftOut]:
    """A CSV or mapped extract on DuckDB: customers and holdings through the loader (one row per customer, in
    memory), the activity read by DuckDB out of core with the loader's words (``duckdb_prepare.activity_parquet``)."""
    import dataclasses
    import tempfile

    from crm_core.artefact import source_fingerprint, store_models
    from crm_core.duckdb_prepare import DuckDBSettings, activity_parquet, write_duckdb_artefact

    settings = DuckDBSettings(memory_limit=args.memory_limit, spill_directory=args.spill_dir)
    loaded, left_out = _loaded_small_tables(paths, mapping)
    present = {table: path for table, path in paths.items() if path is not None}
    name = ", ".join(Path(path).name for path in present.values())
    loaded = dataclasses.replace(loaded, name=name, fingerprint=source_fingerprint(present, mapping))
    with tempfile.TemporaryDirectory(dir=args.spill_dir) as folder:
        columns, delimiter = read
        activity, words = activity_parquet(
            settings.connection(), paths["activity"], columns, delimiter, Path(folder) / "activity.parquet"
        )
        out = write_duckdb_artefact({**paths, "activity": str(activity)}, args.out, source, settings, loaded)
    if not args.no_models:
        store_models(out)
    return out, left_out + tuple(("activity", reason, rows) for reason, rows in words)


def _spark(
    paths: dict[str, str | None], mapping: dict | None, out: Path, source: str, master: str | None, remote: str | None
) -> tuple[Path, LeftOut]:
    from pyspark.sql import SparkSession

    from crm_core.engine_prepare import TEXT_SUFFIXES
    from crm_core.spark_prepare import spark_preparation, write_spark_artefact

    through_loader, read = not _is_canonical_parquet(paths, mapping), None
    if through_loader:  # before Spark starts: an activity CSV it cannot read as the loader does is refused
        activity, read = paths["activity"], _engine_activity(paths, mapping)
        text = activity and "://" not in activity and Path(activity).suffix.lower() in TEXT_SUFFIXES
        if text and read is None:
            raise ValueError(
                f"{Path(activity).name} is not a UTF-8 table of monthly activity (customer, month, channel, "
                "transactions) that Spark can read as the loader does; prepare it with --engine duckdb or "
                "local, which read transaction logs and other encodings, or save it as UTF-8"
            )

    # Without --master / --remote the builder keeps what spark-submit or $SPARK_REMOTE configured.
    builder = SparkSession.builder.appName("crm prepare")
    if remote:
        builder = builder.remote(remote)
    elif master:
        builder = builder.master(master)
    # Extract timestamps are naive: months are cut at UTC instants (crm_core.engine_prepare).
    spark = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    customers = holdings = None
    left_out: LeftOut = ()
    if through_loader:  # a CSV or a mapping: the tables as the local engine reads them
        loaded, left_out = _loaded_small_tables(paths, mapping)
        customers, holdings = loaded.customers, loaded.holdings
    prepared = spark_preparation(
        spark, paths["customers"], paths["activity"], paths["holdings"], mapping,
        loaded_customers=customers, loaded_holdings=holdings, activity_read=read,
    )  # fmt: skip
    left_out += tuple(("activity", reason, rows) for reason, rows in prepared.activity_left_out)
    return write_spark_artefact(prepared, out, source=source), left_out


def prepare_main(argv: list[str]) -> int:
    """Run ``prepare``; return 0 when the artefact is written, 2 otherwise (message on stderr)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return USABLE if stop.code == 0 else UNUSABLE
    paths = {"customers": args.customers, "activity": args.activity, "holdings": args.holdings}
    missing = [p for p in paths.values() if p is not None and "://" not in p and not Path(p).exists()]
    if missing:
        print(f"prepare: no such file: {', '.join(missing)}", file=sys.stderr)
        return UNUSABLE
    source = "; ".join(f"{table}={path}" for table, path in paths.items() if path is not None)
    started = time.perf_counter()
    try:
        mapping = _read_mapping(args.mapping)
        engine = args.engine
        if engine == "duckdb" and _parquet_tables(paths, mapping):
            from crm_core.artefact import store_models
            from crm_core.duckdb_prepare import DuckDBSettings, write_duckdb_artefact

            settings = DuckDBSettings(memory_limit=args.memory_limit, spill_directory=args.spill_dir)
            out, left_out = write_duckdb_artefact(paths, args.out, source, settings), ()
            if not args.no_models:
                store_models(out)
        elif engine == "duckdb" and (read := _engine_activity(paths, mapping)) is not None:
            out, left_out = _duckdb_through_loader(paths, mapping, read, args, source)
        elif engine in ("duckdb", "local"):
            engine = "local"  # CSV, a mapping: the loader's parsing rules run in memory
            out, left_out = _local(paths, mapping, args.out, source, models=not args.no_models)
        else:
            out, left_out = _spark(paths, mapping, args.out, source, args.master, args.remote)
            if not args.no_models:  # trained here on the artefact Spark wrote (the driver reads it back)
                from crm_core.artefact import store_models

                store_models(out)
        from crm_core.visits.cube import store_visit_cube

        store_visit_cube(out)  # the visits view then never streams the activity rows
    except ImportError as error:
        print(f"prepare: the {args.engine} engine is not available here: {error}", file=sys.stderr)
        return UNUSABLE
    except Exception as error:  # the command line reports any failure in one line, never a traceback
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"prepare: cannot prepare the data: {reason}", file=sys.stderr)
        return UNUSABLE
    from crm_core.artefact import read_manifest

    manifest = read_manifest(out)
    counts = ", ".join(f"{file} {rows:,}" for file, rows in manifest["rows"].items())
    print(f"artefact {out}  as of {manifest['as_of']}  ({counts})")
    if said := left_out_text(left_out):
        print(said)
    if "models" in manifest:
        trained = ", ".join(kind for kind in ("churn", "propensity") if kind in manifest["models"])
        print(f"models stored: {trained} (scikit-learn {manifest['models']['sklearn']})")
    print(f"prepared with {engine} in {time.perf_counter() - started:.1f} s")
    return USABLE
