"""Data: upload extracts, confirm the mapping, read the validation report, switch the app to the dataset."""

import streamlit as st

from crm_core.loading import LoadOptions
from crm_core.loading.options import DATE_ORDERS, DUPLICATE_POLICIES
from ui import data, loading, relations
from ui.i18n import count, t
from ui.widgets import currency_choice, md, page_header, shown, translated_choice

page_header("data")
currency_choice(data.active_dataset().currency)  # the amounts' currency, held in the scenario
active = data.active_dataset()
st.caption(
    t(
        "data_in_use",
        name=md(data.dataset_label(active)),
        rows=count(len(active.customers)),
        fp=active.short_fingerprint,
    )
)

loading.templates_and_artefacts_panel()

limit = st.get_option("server.maxUploadSize")
uploads = st.file_uploader(
    t("upload_label"), type=["csv", "tsv", "txt", "xlsx", "parquet"], accept_multiple_files=True, key="data_upload"
)
st.caption(t("upload_limit", mb=limit))
if not uploads:
    st.info(t("upload_hint"), icon=":material/upload_file:")
    st.stop()

order_col, policy_col = st.columns(2)
date_order = translated_choice(
    order_col.selectbox, t("date_order"), DATE_ORDERS, "data_date_order", lambda v: t(f"date_order_{v}")
)
policy = translated_choice(
    policy_col.selectbox, t("duplicate_policy"), DUPLICATE_POLICIES, "data_duplicate_policy", lambda v: t(f"policy_{v}")
)

uploads, repeats = loading.distinct_uploads(uploads)
for name, first in repeats:
    st.warning(t("upload_repeated", name=md(name), first=md(first)), icon=":material/content_copy:")
files = [(upload.name, upload.content) for upload in uploads]
refusal = loading.memory_refusal(files)  # before any preview decodes a file
if refusal:
    st.error(refusal, icon=":material/memory:")
    st.stop()
plan = relations.plan_panel(files)  # related tables: the confirmed join plan; else None, file by file
mappings = {} if plan else {upload.name: loading.mapping_panel(upload, date_order) for upload in uploads}
problems = [problem for problem in mappings.values() if isinstance(problem, str)]
if problems:
    st.warning(t("fix_first"))
    st.stop()

upload_key = tuple(loading.digest(content) for _, content in files)
if st.button(t("load_validate"), key="data_load", type="primary"):
    with st.status(t("loading_status"), expanded=True) as status:
        st.write(t("status_reading", n=len(files)))
        options = LoadOptions(date_order=date_order, duplicate_policy=policy)
        dataset, report, error = loading.run_load(files, mappings, options, plan)
        if error:
            status.update(label=t("load_failed"), state="error")
            st.error(md(loading.visible_text(error)))
            st.session_state.pop(loading.PENDING_KEY, None)
        else:
            done = t(
                "status_done",
                loaded=count(report.rows_loaded),
                read=count(report.rows_read),
                rejected=count(report.rows_rejected),
            )
            status.update(label=done, state="complete", expanded=False)
            st.session_state[loading.PENDING_KEY] = (dataset, report, upload_key)

pending = st.session_state.get(loading.PENDING_KEY)
if pending is None or pending[2] != upload_key:
    st.stop()
dataset, loaded_report, _ = pending
report = loading.report_as_shown(loaded_report)  # example rows masked unless identifiers are shown

st.subheader(t("validation_report"))
for column, label, value in zip(
    st.columns(3),
    ("rows_read", "rows_loaded", "rows_rejected"),
    (report.rows_read, report.rows_loaded, report.rows_rejected),
    strict=True,
):
    column.metric(t(label), count(value))
st.dataframe(loading.summary_frame(report), hide_index=True, key="data_report_summary")
issues = loading.issues_frame(report)
if issues.empty:
    st.success(t("no_issues"))
else:
    st.dataframe(issues, hide_index=True, key="data_report_issues")
for warning in loading.warnings_of(report):
    st.warning(md(warning), icon=":material/warning:")
with st.expander(t("parsed_preview")):
    st.dataframe(shown(dataset.customers.head(20)), hide_index=True, key="data_parsed_preview")

loading.report_downloads(report)

if not loading.usable_rows(dataset):
    st.error(t("no_rows_loaded"), icon=":material/block:")
    st.stop()
st.button(t("use_dataset"), key="data_use", type="primary", on_click=loading.use_pending_dataset)
if active.fingerprint == dataset.fingerprint:
    st.success(t("dataset_in_use"), icon=":material/check_circle:")
st.caption(t("reload_note"))
