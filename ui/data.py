"""Which dataset the session uses, and the cached per-dataset work.

Caches are keyed by the dataset fingerprint (sha256 of the source bytes), never by a
DataFrame argument: the Dataset itself is passed with a leading underscore so Streamlit
does not hash it. Prepared datasets use ``st.cache_resource`` (no pickling copy of a
million-row frame on every rerun); they are treated as read-only, and a session can only
reach an entry whose fingerprint it already holds, i.e. whose bytes it already has.
An uploaded dataset itself lives only in that session's ``st.session_state``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from crm_core import overview
from crm_core.dataset import Dataset
from crm_core.filters import EmptyFilter, filtered_dataset, filtered_prepared
from crm_core.prepare import PreparedDataset, prepared_dataset
from crm_core.sample import SAMPLE_DIR, read_sample
from ui.i18n import t

SOURCE_KEY = "data_source"
UPLOADED_KEY = "uploaded_dataset"
UPLOADED_PREPARED_KEY = "uploaded_prepared"
ARTEFACT_ROOT_ENV = "CRM_ARTEFACT_ROOT"
MEMORY_LIMIT_ENV = "CRM_MEMORY_LIMIT_GB"
DEFAULT_MEMORY_LIMIT_GB = 8.0


def memory_limit_bytes() -> int | None:
    """Memory one upload may use to load and prepare (None: no limit).

    ``CRM_MEMORY_LIMIT_GB`` when set (0 switches the check off), else 8 GB or 60% of RAM if less.
    """
    import os

    configured = os.environ.get(MEMORY_LIMIT_ENV)
    if configured:
        try:
            gigabytes = float(configured)
        except ValueError:
            gigabytes = DEFAULT_MEMORY_LIMIT_GB
        return int(gigabytes * 1e9) if gigabytes > 0 else None
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(min(DEFAULT_MEMORY_LIMIT_GB * 1e9, 0.6 * physical))


@st.cache_resource(max_entries=2, show_spinner=False)
def _sample_dataset(directory: str, stamp: tuple) -> Dataset:
    """The committed sample; ``stamp`` (file sizes and times) makes a regenerated sample a new entry."""
    return read_sample(Path(directory))


def sample_dataset() -> Dataset:
    """Return the bundled Bank A sample."""
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(SAMPLE_DIR.glob("*.parquet")))
    return _sample_dataset(str(SAMPLE_DIR), stamp)


def uploaded_dataset() -> Dataset | None:
    """This session's uploaded dataset, if any."""
    return st.session_state.get(UPLOADED_KEY)


def currency() -> str:
    """The ISO code money is shown in: the scenario's choice, else the active data's own."""
    from ui.settings import active

    return active().views.currency or active_dataset().currency


def active_dataset() -> Dataset:
    """The dataset the session has chosen in the sidebar: its upload, or the sample."""
    uploaded = uploaded_dataset()
    if uploaded is not None and st.session_state.get(SOURCE_KEY) == "upload":
        return uploaded
    return sample_dataset()


@st.cache_resource(max_entries=4, show_spinner=False)
def _prepared(fingerprint: str, _dataset: Dataset) -> PreparedDataset:
    return prepared_dataset(_dataset)


def _tier_codes(dataset: Dataset, filters, tiers):
    from crm_core.segments import aum_tiers

    return aum_tiers(dataset.customers, tiers).codes if filters.tiers else None


@st.cache_resource(max_entries=4, show_spinner=False)
def _filtered(fingerprint: str, filters_key: str, tier_key: str, _dataset: Dataset, _filters, _tiers) -> Dataset:
    return filtered_dataset(_dataset, _filters, _tier_codes(_dataset, _filters, _tiers), tier_key)


@st.cache_resource(max_entries=8, show_spinner=False)
def _filtered_prepared(fingerprint: str, filters_key: str, tier_key: str, _prepared, _filters, _tiers):
    codes = _tier_codes(_prepared.dataset, _filters, _tiers)
    return filtered_prepared(_prepared, _filters, codes, tier_key)


def _filter_key() -> tuple:
    from crm_core.configs import config_json
    from ui.settings import active

    scenario = active()
    filters = scenario.filters
    return filters, scenario.tiers, config_json(scenario.tiers) if filters.tiers else ""


def _stop_empty() -> None:
    from ui.filters import statement

    st.warning(t("filter_empty", statement=statement()), icon=":material/filter_alt_off:")
    st.stop()


def filtered_active_dataset() -> Dataset:
    """The active dataset as the scenario's filters leave it (the filtered extract; itself when none).

    Stops the page with a message when no customer is left.
    """
    dataset = active_dataset()
    filters, tiers, tier_key = _filter_key()
    if not filters.is_active:
        return dataset
    try:
        return _filtered(dataset.fingerprint, filters.key(), tier_key, dataset, filters, tiers)
    except EmptyFilter:
        _stop_empty()


def _unfiltered_prepared() -> PreparedDataset:
    dataset = active_dataset()
    opened = st.session_state.get(UPLOADED_PREPARED_KEY)
    if opened is not None and opened.fingerprint == dataset.fingerprint:
        return opened
    from ui import background

    background.wait_for(dataset.fingerprint, "prepare")  # an upload being prepared since it was chosen
    return _prepared(dataset.fingerprint, dataset)


def active_prepared() -> PreparedDataset:
    """The prepared form of the active dataset under the scenario's filters (``_active_prepared``).

    A large unfiltered one is warmed in the background the first time a page asks for it
    (``ui.background.start_warming``, which decides).
    """
    from ui import background
    from ui.settings import active

    prepared = _active_prepared()
    background.start_warming(prepared, active())
    return prepared


def _active_prepared() -> PreparedDataset:
    """The prepared form of the active dataset under the scenario's filters.

    Unfiltered: an opened artefact as it is, else prepared once per fingerprint. Filtered by branch,
    city or tier: the prepared rows of the customers kept (``crm_core.filters.filtered_prepared``,
    milliseconds; equal to preparing the filtered extract). Otherwise (an as-of month, a manager
    filter on monthly activity): the filtered extract, prepared once per filter.
    """
    filters, tiers, tier_key = _filter_key()
    base = _unfiltered_prepared()
    if not filters.is_active:
        return base
    try:
        fast = _filtered_prepared(base.fingerprint, filters.key(), tier_key, base, filters, tiers)
    except EmptyFilter:
        _stop_empty()
    if fast is not None:
        return fast
    dataset = filtered_active_dataset()
    return _prepared(dataset.fingerprint, dataset)


def is_sample() -> bool:
    """Whether the bundled synthetic sample is the data source."""
    return active_dataset().fingerprint == sample_dataset().fingerprint


def artefact_folders() -> list[Path]:
    """Prepared artefacts under the folder named by ``CRM_ARTEFACT_ROOT`` (none when it is not set).

    Only that folder's direct children are offered, so the page cannot be used to read anything
    else on the server.
    """
    import os

    from crm_core.artefact import is_artefact

    root = os.environ.get(ARTEFACT_ROOT_ENV)
    if not root or not Path(root).is_dir():
        return []
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and is_artefact(p))


def open_artefact(folder: Path) -> str | None:
    """Button callback: open a prepared artefact as this session's dataset; return an error message if refused."""
    from crm_core.artefact import ArtefactError, read_artefact

    try:
        prepared = read_artefact(folder)
    except ArtefactError as error:
        st.session_state["_artefact_error"] = str(error)
        return str(error)
    st.session_state[UPLOADED_KEY] = prepared.dataset
    st.session_state[UPLOADED_PREPARED_KEY] = prepared
    st.session_state[SOURCE_KEY] = "upload"
    from ui import background
    from ui.settings import active

    background.start_warming(prepared, active())  # warmed now, while the manager reads the first page
    return None


@st.cache_data(max_entries=16, show_spinner=False)
def _overview_figures(fingerprint: str, _prepared_dataset: PreparedDataset) -> tuple:
    totals = overview.monthly_channel_totals(_prepared_dataset)
    notes = overview.data_quality_notes(_prepared_dataset)  # five full-column scans: 15 ms a rerun at 1M
    return overview.overview_kpis(_prepared_dataset, totals), totals, notes


@st.cache_data(max_entries=16, show_spinner=False)
def _trends(fingerprint: str, _prepared_dataset: PreparedDataset):
    from crm_core.trends import kpi_trends

    return kpi_trends(_prepared_dataset)


def kpi_trends(prepared: PreparedDataset):
    """The headline KPIs' monthly lines (``crm_core.trends.KpiTrends``), once per (filtered) dataset."""
    return _trends(prepared.fingerprint, prepared)


def overview_figures(prepared: PreparedDataset) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, dict]]]:
    """KPIs, monthly channel totals and data-quality notes of the Overview page."""
    return _overview_figures(prepared.fingerprint, prepared)


def dataset_label(dataset: Dataset) -> str:
    """The dataset's display name: the sample's in the session's language, an upload's own name."""
    return t("source_sample") if dataset.fingerprint == sample_dataset().fingerprint else dataset.name


@st.cache_data(max_entries=8, show_spinner=False)
def _size(fingerprint: str, _dataset: Dataset) -> dict[str, float]:
    frames = [f for f in (_dataset.customers, _dataset.activity, _dataset.holdings) if f is not None]
    return {
        "customers": len(_dataset.customers),
        "activity": _dataset.activity_row_count,
        "mb": sum(f.memory_usage(deep=True).sum() for f in frames) / 1e6,
    }


def dataset_size(dataset: Dataset) -> dict[str, float]:
    """Rows and in-memory megabytes of a dataset, for the sidebar (measured once per fingerprint: a deep
    memory count of the text columns cost every rerun of every page 90 ms on the sample)."""
    return _size(dataset.fingerprint, dataset)
