"""Streamlit adapter of the loader: cached previews, the mapping editor, the report tables.

The rules live in ``crm_core.loading``; this module only turns widgets into its inputs and
its outputs into small frames for display.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
import streamlit as st

from crm_core.contract import VALUE_MEASURES, product_flag_column
from crm_core.loading import LoadError, LoadOptions, LoadReport, Mapping, Preview, preview_file, suggested_mapping_for
from crm_core.loading import load_dataset as core_load_dataset
from crm_core.loading.mapping import flag_name, known_fields, suggestions, value_measure_of
from crm_core.loading.reading import DELIMITER_NAMES
from crm_core.loading.reading import DELIMITERS as CORE_DELIMITERS
from crm_core.loading.report import report_text
from crm_core.loading.transactions import is_transaction_mapping, transaction_columns
from crm_core.loading.values import churn_flags
from crm_core.messages import Message
from crm_core.privacy import identifier_kind, masked_text, masked_value
from ui import background, data, settings
from ui.i18n import current_lang, t
from ui.widgets import download_button, identifiers_visible, md, translated_choice

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gb18030", "big5", "cp1252", "latin-1")
DELIMITERS = ("auto", *CORE_DELIMITERS)
TABLES = ("customers", "activity", "holdings")
PENDING_KEY = "data_pending_load"
IGNORE = ""


def delimiter_name(delimiter: str) -> str:
    """A delimiter as the session's language names it (the reader's ``DELIMITER_NAMES`` code; itself if unnamed)."""
    if delimiter == "auto":
        return t("choice_auto")
    return t(f"delimiter_{DELIMITER_NAMES[delimiter]}") if delimiter in DELIMITER_NAMES else delimiter


def digest(content: bytes) -> str:
    """sha256 of an upload's bytes: the key of its cached preview."""
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True, eq=False)
class Upload:
    """One uploaded file as the page reads it: a name unique among the uploads, its bytes, its widget key."""

    name: str
    content: bytes
    key: str


def distinct_uploads(uploads) -> tuple[list[Upload], list[tuple[str, str]]]:
    """The uploads to read, each content once, and ``(name, first name)`` of each upload left out.

    Widget keys come from the bytes, so two uploads with the same bytes would share every widget
    (and be loaded twice); the repeat is left out and named. Two different files with the same
    name get ``name (2).csv``, so mappings and report rows stay one per file.
    """
    kept, repeats, first_name, names = [], [], {}, set()
    for upload in uploads:
        content = upload.getvalue()
        content_digest = digest(content)
        if content_digest in first_name:
            repeats.append((upload.name, first_name[content_digest]))
            continue
        name, path, number = upload.name, PurePath(upload.name), 2
        while name in names:
            name, number = f"{path.stem} ({number}){path.suffix}", number + 1
        names.add(name)
        first_name[content_digest] = name
        kept.append(Upload(name, content, content_digest[:10]))
    return kept, repeats


@st.cache_resource(max_entries=8, show_spinner=False)
def _preview(file_digest: str, name: str, encoding: str | None, delimiter: str | None, sheet: str | None, _content):
    # The refusal is cached as the error, not as text: the cache is shared by every language.
    try:
        return preview_file(name, _content, encoding=encoding, delimiter=delimiter, sheet=sheet)
    except LoadError as error:
        return error
    except Exception as error:
        return LoadError(Message("load_refused_unreadable_named", name=name, error=f"{type(error).__name__}: {error}"))


def file_preview(name: str, content: bytes, encoding: str, delimiter: str, sheet: str | None) -> Preview | str:
    """The file's preview, or the message (in the session's language) that says why it cannot be a table."""
    preview = _preview(
        digest(content),
        name,
        None if encoding == "auto" else encoding,
        None if delimiter == "auto" else delimiter,
        sheet,
        content,
    )
    return preview.text(current_lang()) if isinstance(preview, LoadError) else preview


def suggested(preview: Preview, table: str | None) -> Mapping:
    """The mapper's suggestion, for a forced table when the user picked one."""
    return suggested_mapping_for(preview, LoadOptions(table=table))


def mapping_editor_frame(preview: Preview, mapping: Mapping, masked: bool = True) -> pd.DataFrame:
    """One row per file column: its name, three sample values, and the canonical field it maps to.

    With ``masked``, sample values of identifier columns (mapped to ``customer_id`` or named like
    a name, phone, ID number or e-mail column) and any identifier-looking value are masked.
    """
    fields = mapping.fields

    def sample(column: str) -> str:
        values = [str(v) for v in preview.sample[column].dropna().head(3)] if column in preview.sample else []
        if masked:
            kind = identifier_kind(column, fields.get(column))
            values = [masked_value(v, kind) for v in values]
        return ", ".join(values)

    samples = [sample(column) for column in preview.columns]
    suggested = suggestions(mapping.table, preview.columns, preview.sample)
    confidence = {"high": t("confidence_high"), "medium": t("confidence_medium"), "low": t("confidence_low")}

    # A transaction log's location, branch and balance columns are no mapping fields: the log's reader
    # finds them by header at each load. Say so, rather than leave them looking ignored.
    by_header = {}
    if is_transaction_mapping(mapping):
        found = transaction_columns([c for c in preview.columns if c not in fields])
        said = {
            "location": t("mapping_found_as_location"),
            "branch": t("mapping_found_as_branch"),
            "balance": t("mapping_found_as_balance"),
        }
        if "branch" in found:  # the reader's place is the branch column when there is one (then not the location)
            said.pop("location")
        by_header = {found[field]: words for field, words in said.items() if field in found}

    def how_sure(column: str) -> str:
        if column in by_header:
            return by_header[column]
        field, level = suggested.get(column, (None, None))
        return confidence[level] if field is not None and field == fields.get(column) else ""

    return pd.DataFrame(
        {
            "column": list(preview.columns),
            "sample": samples,
            "field": [fields.get(column, IGNORE) for column in preview.columns],
            "confidence": [how_sure(column) for column in preview.columns],
            "product": [fields.get(column, "").removeprefix("has_") for column in preview.columns],
        }
    )


def field_options(table: str, frame: pd.DataFrame) -> list[str]:
    """Fields the editor offers: the table's known fields plus any flag already suggested."""
    extra = [f for f in frame["field"] if f and f not in known_fields(table)]
    return [IGNORE, *known_fields(table), *extra]


def mapping_from_editor(
    frame: pd.DataFrame,
    table: str,
    preview: Preview,
    date_order: str,
    encoding: str = "auto",
    value_measure: str | None = None,
    churn_values=(),
) -> Mapping | str:
    """The mapping the user confirmed, or the message that says what is wrong with it.

    A detected encoding is left to the loader (which detects the same one), so that its warning
    (text not UTF-8, the runner-up) reaches the report; the report's mapping records it for next month.
    """
    columns = tuple((row.column, _named_product(row)) for row in frame.itertuples() if row.field)
    try:
        return Mapping(
            table=table,
            columns=columns,
            encoding=None if encoding == "auto" else preview.encoding,
            delimiter=preview.delimiter,
            sheet=preview.sheet,
            date_order=date_order,
            value_measure=value_measure,
            churn_values=tuple(churn_values),
        )
    except LoadError as error:
        return error.text(current_lang())


def _named_product(row) -> str:
    """A product flag renamed in the editor's product column becomes ``has_<that name>``."""
    name = str(getattr(row, "product", "") or "").strip()
    if not row.field.startswith("has_") or not name or name == row.field.removeprefix("has_"):
        return row.field
    return flag_name(name) if not name.startswith("has_") else product_flag_column(name.removeprefix("has_"))


def unclear_churn_values(preview: Preview, column: str | None) -> tuple[list[str], list[str]]:
    """The sampled values of the churn column, and those its words already say mean churned.

    Empty when the column is yes/no or its words decide every value (no pick is needed).
    """
    if column is None or column not in preview.sample:
        return [], []
    values = preview.sample[column].dropna().astype(str)
    _, failed, read = churn_flags(values)
    if not failed.any():
        return [], []
    distinct = sorted(values.str.strip().unique())
    return distinct, [value for value in distinct if read.get(value)]


def churn_and_value_pickers(preview: Preview, edited: pd.DataFrame, base: Mapping, key: str):
    """The churned values (when the words do not say) and the value measure (when no AUM column).

    A saved mapping's choices are the defaults, so a correction made once is made for good.
    """
    table = base.table
    if table != "customers":
        return None, ()
    fields = {row.field: row.column for row in edited.itertuples() if row.field}
    values, obvious = unclear_churn_values(preview, fields.get("churned"))
    churn_values = ()
    if values:
        churn_values = st.multiselect(
            t("churn_values_pick", column=md(fields["churned"])),
            values,
            default=[v for v in base.churn_values if v in values] or obvious,
            key=f"data_churn_values_{key}",
            help=t("churn_values_help"),
            placeholder=t("choose_options"),
        )
    measures = [m for m in VALUE_MEASURES if m != "aum" and m in fields]
    value_measure = None
    if measures and value_measure_of(fields) is not None:
        value_measure = st.selectbox(
            t("value_measure_pick"),
            measures,
            index=measures.index(base.value_measure) if base.value_measure in measures else 0,
            key=f"data_value_measure_{key}",
            help=t("value_measure_help"),
        )
    return value_measure, churn_values


def saved_mapping(upload) -> Mapping | str:
    """A mapping JSON the user uploaded, or the message that says why it cannot be used."""
    try:
        return Mapping.from_json(upload.getvalue())
    except LoadError as error:
        return error.text(current_lang())
    except Exception as error:
        return t("mapping_file_refused", name=upload.name, error=type(error).__name__)


def run_load(files: list[tuple[str, bytes]], mappings: dict[str, Mapping], options: LoadOptions, join_plan=None):
    """Load and validate (related tables by their confirmed ``join_plan``); ``(dataset, report, None)`` or
    ``(None, None, message)``."""
    try:
        dataset, report = core_load_dataset(
            files, mappings, options, memory_limit=data.memory_limit_bytes(), join_plan=join_plan
        )
    except LoadError as error:
        return None, None, error.text(current_lang())
    return dataset, report, None


def memory_refusal(files: list[tuple[str, bytes]]) -> str | None:
    """The translated refusal of uploads that would need more memory than this server allows, or None."""
    from crm_core.loading.budget import estimated_peak_bytes

    needed, limit = estimated_peak_bytes(files), data.memory_limit_bytes()
    if limit is None or needed <= limit:
        return None
    names = md(", ".join(name for name, _ in files))
    return t("memory_refusal", needed=f"{needed / 1e9:.1f}", limit=f"{limit / 1e9:.1f}", files=names)


def visible_text(text: str) -> str:
    """A message or report text as shown: identifier-looking values masked unless the user unmasked them."""
    return text if identifiers_visible() else masked_text(text)


def report_as_shown(report: LoadReport) -> LoadReport:
    """The validation report as shown and downloaded: example rows masked unless identifiers are unmasked."""
    return report if identifiers_visible() else report.masked()


def usable_rows(dataset) -> bool:
    """Whether a loaded dataset has any customer row (an empty one would blank every page)."""
    return dataset is not None and len(dataset.customers) > 0


def use_pending_dataset() -> None:
    """Button callback: switch the whole app to the dataset just loaded (callbacks may set widget state)."""
    pending = st.session_state.get(PENDING_KEY)
    if pending is not None and usable_rows(pending[0]):
        chosen = pending[0]  # its value measure set by the loader (``Dataset.value_measure``)
        st.session_state[data.UPLOADED_KEY] = chosen
        st.session_state[data.SOURCE_KEY] = "upload"
        # Prepared and its models trained while the manager looks around (ui.background).
        background.start_training(chosen, settings.active().churn)


def summary_frame(report: LoadReport) -> pd.DataFrame:
    """One row per file: what it was read as and how its rows reconcile."""
    return pd.DataFrame(
        [
            {
                t("report_file"): f.file_name,
                t("report_table"): _named("table", f.table),
                t("report_format"): _named("format", f.format),
                t("report_encoding"): f.encoding or "",
                t("report_delimiter"): delimiter_name(f.delimiter or ""),
                t("rows_read"): f.rows_read,
                t("rows_loaded"): f.rows_loaded,
                t("rows_rejected"): f.rows_rejected,
                t("report_duplicates"): f"{f.duplicate_ids} ({_named('policy', f.duplicate_policy)})",
                t("report_derived"): ", ".join(f.derived_fields),
                t("report_aggregated"): _aggregated(f),
            }
            for f in report.files
        ]
    )


def _named(family: str, code: str | None) -> str:
    """A code of the load report (table, format, duplicate policy) in the session's language; itself if unknown."""
    if not code:
        return ""
    key = f"{family}_{code}"
    text = t(key)
    return code if text == key else text


def _aggregated(file_report) -> str:
    """'238 transactions → 215 activity rows' for a file with one row per transaction, else empty."""
    from ui.i18n import count

    if file_report.table != "activity" or "transactions" not in file_report.derived_fields:
        return ""
    loaded, rows = count(file_report.rows_loaded), count(file_report.rows_output)
    return t("transactions_to_activity", transactions=loaded, rows=rows)


def issues_frame(report: LoadReport) -> pd.DataFrame:
    """Every counted problem: rejections, parse failures and implausible values, with first examples."""
    lang = current_lang()
    rows = []
    for f in report.files:
        for kind, issues in (
            ("issue_rejected", f.rejections),
            ("issue_parse", f.parse_failures),
            ("issue_range", f.out_of_range),
        ):
            for issue in issues:
                rows.append(
                    {
                        t("report_file"): f.file_name,
                        t("issue_kind"): t(kind),
                        t("issue_subject"): report_text(issue.subject, lang)
                        + (f" → {issue.field}" if issue.field else ""),
                        t("issue_rule"): "" if issue.rule is None else report_text(issue.rule, lang),
                        t("issue_count"): issue.count,
                        t("issue_examples"): "; ".join(f"#{e.row}: {e.text}" for e in issue.examples),
                    }
                )
    return pd.DataFrame(rows)


def warnings_of(report: LoadReport) -> list[str]:
    """Load-wide and per-file warnings in the session's language, each prefixed by its file."""
    lang = current_lang()
    return [report_text(w, lang) for w in report.warnings] + [
        f"{f.file_name}: {report_text(w, lang)}" for f in report.files for w in f.warnings
    ]


def report_json(report: LoadReport) -> str:
    """The report as JSON, for download."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str)


def file_size(size: int) -> str:
    """Bytes as B, KB or MB."""
    if size < 1_000:
        return f"{size} B"
    return f"{size / 1e3:.1f} KB" if size < 1_000_000 else f"{size / 1e6:.1f} MB"


def mapping_panel(upload: Upload, date_order: str) -> Mapping | str:
    """One uploaded file: read settings, detected layout, the mapping editor. Returns the confirmed mapping."""
    content, key = upload.content, upload.key
    with st.expander(f"{md(upload.name)} · {file_size(len(content))}", expanded=True):
        encoding_col, delimiter_col, sheet_col, table_col = st.columns(4)
        encoding = translated_choice(
            encoding_col.selectbox, t("encoding"), ENCODINGS, f"data_encoding_{key}",
            lambda name: t("choice_auto") if name == "auto" else name,
        )  # fmt: skip
        delimiter = translated_choice(
            delimiter_col.selectbox, t("delimiter"), DELIMITERS, f"data_delimiter_{key}", delimiter_name
        )
        preview = file_preview(upload.name, content, encoding, delimiter, st.session_state.get(f"data_sheet_{key}"))
        if isinstance(preview, str):
            st.error(md(visible_text(preview)), icon=":material/block:")
            return preview
        if preview.sheet_names:
            sheet_col.selectbox(t("sheet"), preview.sheet_names, key=f"data_sheet_{key}")
        st.caption(
            t(
                "detected",
                format=_named("format", preview.format),
                encoding=preview.encoding or "-",
                delimiter=delimiter_name(preview.delimiter or "") or "-",
                columns=len(preview.columns),
            )
        )
        for warning in preview.warnings:
            st.caption(f"⚠ {md(visible_text(report_text(warning, current_lang())))}")
        saved_upload = st.file_uploader(t("apply_mapping"), type=["json"], key=f"data_saved_mapping_{key}")
        base = saved_mapping(saved_upload) if saved_upload is not None else None
        if isinstance(base, str):
            st.error(md(base))
            base = None
        base = base or suggested(preview, None)
        table = translated_choice(
            table_col.selectbox,
            t("table"),
            TABLES,
            f"data_table_{key}",
            lambda name: t(f"table_{name}"),
            index=TABLES.index(base.table),
        )
        if table != base.table:
            base = suggested(preview, table)
        masked = not identifiers_visible()
        frame = mapping_editor_frame(preview, base, masked)
        edited = st.data_editor(
            frame,
            key=f"data_mapping_{key}_{table}_{saved_upload is not None}",
            hide_index=True,
            disabled=["column", "sample", "confidence"],
            column_config={
                "column": st.column_config.TextColumn(t("file_column")),
                "sample": st.column_config.TextColumn(
                    t("sample_values"), help=t("sample_values_masked") if masked else None
                ),
                "field": st.column_config.SelectboxColumn(
                    t("maps_to"), options=field_options(table, frame), help=t("maps_to_help")
                ),
                "confidence": st.column_config.TextColumn(t("mapping_confidence")),
                "product": st.column_config.TextColumn(t("product_name"), help=t("product_name_help")),
            },
        )
        value_measure, churn_values = churn_and_value_pickers(preview, edited, base, key)
        return mapping_from_editor(edited, table, preview, date_order, encoding, value_measure, churn_values)


def templates_and_artefacts_panel() -> None:
    """CSV templates in both languages, and the prepared artefacts the server holds."""
    from functools import partial

    from crm_core.templates import template_csv
    from ui.widgets import md

    with st.expander(t("templates")):
        for table, column in zip(TABLES, st.columns(3), strict=True):
            for lang, lang_name in (("en", "EN"), ("zh", "中文")):
                download_button(
                    column,
                    t("template_button", table=t(f"table_{table}"), language=lang_name),
                    partial(template_csv, table, lang),
                    file_name=f"{table}_template_{lang}.csv",
                    mime="text/csv",
                    key=f"data_template_{table}_{lang}",
                )

    artefacts = data.artefact_folders()
    if artefacts:
        with st.expander(t("artefact_heading"), expanded=False):
            chosen = st.selectbox(t("artefact_pick"), artefacts, format_func=lambda p: p.name, key="data_artefact")
            st.button(t("artefact_open"), key="data_artefact_open", on_click=data.open_artefact, args=(chosen,))
            error = st.session_state.pop("_artefact_error", None)
            if error:
                st.error(md(error))


def report_downloads(report: LoadReport) -> None:
    """The validation report and each file's mapping as JSON downloads."""
    from functools import partial

    from ui.widgets import md

    report_col, *mapping_cols = st.columns(1 + len(report.files))
    download_button(
        report_col,
        t("download_report"),
        partial(report_json, report),
        file_name="validation_report.json",
        mime="application/json",
        key="data_report_json",
    )
    for column, file_report in zip(mapping_cols, report.files, strict=True):
        download_button(
            column,
            t("download_mapping", name=md(file_report.file_name)),
            file_report.mapping.to_json,
            file_name=f"{file_report.file_name}.mapping.json",
            mime="application/json",
            key=f"data_mapping_json_{file_report.file_name}",
        )
