"""Shared widgets: the sidebar frame and KPI tiles."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import formatting
from crm_core.messages import Message
from ui import data
from ui.frame import require_frame
from ui.i18n import LANG_CODES, LANG_KEY, count, current_lang, money, percent, t, translate


def language_switch() -> None:
    """EN / 中文 switch; bound to the URL (``?lang=中文``) so a shared link keeps the language."""
    st.sidebar.segmented_control(
        "Language / 语言",
        options=list(LANG_CODES),
        default="EN",
        required=True,
        key=LANG_KEY,
        bind="query-params",
    )


def data_source_panel() -> None:
    """Sample or upload, shown by name and size."""
    sidebar = st.sidebar
    uploaded = data.uploaded_dataset()
    options = ["sample"] + (["upload"] if uploaded is not None else [])
    labels = {"sample": t("source_sample")}
    if uploaded is not None:
        labels["upload"] = t("source_upload", name=md(uploaded.name))
    # an upload is the source until the manager picks the sample (a choice that is gone falls back to it)
    translated_choice(sidebar.radio, t("data_source"), options, data.SOURCE_KEY, labels.get, index=len(options) - 1)
    dataset = data.active_dataset()
    size = data.dataset_size(dataset)
    sidebar.caption(
        t("dataset_size", customers=count(size["customers"]), activity=count(size["activity"]), mb=f"{size['mb']:.1f}")
    )
    sidebar.caption(t("fingerprint", fp=dataset.short_fingerprint))


def currency_choice(detected: str) -> None:
    """The currency money is shown in: the data's own (detected) or one the manager picks; held in the scenario."""
    from crm_core.formatting import CURRENCY_SYMBOLS
    from ui import settings

    lang = current_lang()  # bound now: a label is formatted after the run too (AppTest reads widget states)

    def name(code: str) -> str:
        shown = code or detected
        label = f"{shown} ({CURRENCY_SYMBOLS.get(shown, '¥')})"
        return translate("currency_detected", lang, currency=label) if not code else label

    settings.control(st.selectbox, "currency", t("currency"), ("", *CURRENCY_SYMBOLS), format_func=name)


def scenario_panel() -> None:
    """Placeholder for the active scenario until scenarios exist."""
    st.sidebar.markdown(f"**{t('scenario')}**")
    st.sidebar.caption(t("scenario_placeholder"))


@dataclass(frozen=True)
class Chart:
    """A figure not yet built: its builder and the inputs to call it with (see ``chart`` and ``plot``)."""

    builder: Callable
    args: tuple
    kwargs: dict


def chart(builder: Callable, *args, **kwargs) -> Chart:
    """``builder(*args, **kwargs)``, deferred: ``plot`` builds it once per inputs, language and currency.

    Building a plotly figure (every property validated) was the largest part of a page rerun's CPU once
    the views were cached; ``plot`` keeps the finished figure in ``st.cache_resource``, keyed by the
    builder's name and the *content* of its inputs (``_inputs_key``), so a rerun, another session on the
    same data or a page visited again reuses it.
    """
    return Chart(builder, args, kwargs)


def _inputs_key(value: object, keep: list) -> object:
    """A hashable stand-in for one input of a chart builder: its content, or its identity.

    Strings, numbers, frames, arrays, dataclasses (view results, messages, settings) and containers of them
    are keyed by content. Anything else is keyed by ``id`` and kept in ``keep``: the cache entry holds it,
    so no other object can take its ``id`` while the entry lives.
    """
    if value is None or isinstance(value, str | int | float | bool | pd.Timestamp):
        return (type(value).__name__, value)
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index | np.ndarray):
        return ("data", _content_digest(value))
    if isinstance(value, Mapping):
        return ("map", tuple((_inputs_key(k, keep), _inputs_key(v, keep)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return (type(value).__name__, tuple(_inputs_key(item, keep) for item in items))
    if isinstance(value, Message):
        return ("Message", value.key, _inputs_key(value.params, keep))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a view result, a message, settings
        fields = tuple((f.name, _inputs_key(getattr(value, f.name), keep)) for f in dataclasses.fields(value))
        return (type(value).__qualname__, fields)
    keep.append(value)
    return ("id", type(value).__qualname__, id(value))


def _content_digest(value) -> str:
    """sha256 of a frame's, series' or array's values, labels, types and attrs (pickled when not hashable)."""
    digest = hashlib.sha256()
    if isinstance(value, pd.Index):
        value = pd.Series(value, name=value.name)
    try:
        if isinstance(value, np.ndarray):
            digest.update(repr((value.dtype, value.shape)).encode())
            digest.update(value.tobytes() if value.dtype.kind != "O" else pickle.dumps(value, protocol=5))
        else:
            digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
            names = value.columns if isinstance(value, pd.DataFrame) else [value.name]
            dtypes = value.dtypes if isinstance(value, pd.DataFrame) else [value.dtype]
            digest.update(
                repr((type(value).__name__, list(names), [str(d) for d in dtypes], value.index.names)).encode()
            )
            digest.update(pickle.dumps(getattr(value, "attrs", {}), protocol=5))
    except TypeError:  # unhashable cells (lists, messages): the pickled object
        digest = hashlib.sha256(pickle.dumps(value, protocol=5))
    return digest.hexdigest()


class _FinishedFigure(go.Figure):
    """A finished figure's plotly JSON, shared by every session through the cache; ``to_dict`` hands it out.

    Streamlit asks a figure for ``to_dict`` (a dict it would validate again), so this empty figure stands for
    the built one: copying the built figure validated every property a second time, as costly as building it.
    """

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._finished_dict = spec

    def to_dict(self) -> dict:
        return self._finished_dict


def _finished(figure: go.Figure, lang: str) -> go.Figure:
    from crm_core.charts import with_dated_axes, with_plain_numbers
    from crm_core.palette import with_palette

    return with_palette(with_plain_numbers(with_dated_axes(figure, lang)))


@st.cache_resource(max_entries=256, show_spinner=False)
def _built_chart(name: str, lang: str, currency: str, key: object, _chart: Chart, _keep: list) -> tuple:
    """The finished figure of ``_chart`` (with what its key refers to by identity, kept alive with it)."""
    return _keep, _FinishedFigure(_finished(_chart.builder(*_chart.args, **_chart.kwargs), lang).to_dict())


def plot(figure: go.Figure | Chart, key: str, container=None, **kwargs):
    """Show a plotly figure with date axes in the session's language and the shared colours (``crm_core.palette``).

    Given a ``chart(builder, ...)``, the finished figure is built once per inputs, language and currency and
    shared (``_built_chart``); given a figure, it is finished on every run.
    """
    from crm_core.formatting import currency_symbol

    lang = current_lang()
    if isinstance(figure, Chart):
        keep: list = []
        inputs = (_inputs_key(figure.args, keep), _inputs_key(figure.kwargs, keep))
        name = f"{figure.builder.__module__}.{figure.builder.__qualname__}"
        _, shown = _built_chart(name, lang, currency_symbol(), inputs, figure, keep)
    else:
        shown = _finished(figure, lang)
    # With on_select="rerun" the selection comes back (drill-through: ui.filters.drill_from).
    return (container or st).plotly_chart(shown, key=key, **kwargs)


def format_value(value: float, unit: str) -> str:
    """A KPI value in the session's language."""
    if value is None or not math.isfinite(value):
        return t("not_available")
    if unit == "money":
        return money(value)
    if unit == "count":
        return count(value)
    if unit == "share":
        return percent(value)
    return f"{value:.2f}"


def churn_tile_named(tiles: pd.DataFrame, prepared) -> pd.DataFrame:
    """Tiles with the churn rate named for what it measures: without closing dates it is the file's own flag over
    all customers, with no 12-month window (``metric_churn_rate_flag``), on the Overview and Loyalty alike."""
    if prepared.has("closed_date"):
        return tiles
    return tiles.assign(metric=tiles["metric"].replace({"churn_rate": "churn_rate_flag"}))


# A rise is bad news for these metrics, so their delta is coloured the other way round.
INVERSE_METRICS = frozenset({"churn_rate", "churn_rate_flag", "top1_aum_share", "top2_aum_share", "top10_aum_share"})


def kpi_tile(row: pd.Series) -> None:
    """One bordered metric with its delta and a one-line explanation."""
    with st.container(border=True):
        delta = formatting.format_delta(row["delta"], row["delta_kind"], current_lang()) or None
        st.metric(
            t(f"metric_{row['metric']}"),
            format_value(row["value"], row["unit"]),
            delta=delta,
            delta_color="inverse" if row["metric"] in INVERSE_METRICS else "normal",
        )
        measure = data.active_dataset().value_measure if row["metric"] == "total_aum" else "aum"
        if measure != "aum":  # a stand-in for AUM is named as what it is, not as deposits plus investments
            st.caption(t("explain_total_aum_stand_in", measure=t(f"measure_{measure}")))
        else:
            st.caption(t(f"explain_{row['metric']}"))


def page_header(name: str, subtitle: str = "") -> None:
    """Guard the frame, then the page title (with an optional subtitle) and the question it answers."""
    from ui.settings import refused_message

    require_frame(name)
    st.title(f"{t(f'page_{name}')} · {md(subtitle)}" if subtitle else t(f"page_{name}"))
    st.caption(t(f"question_{name}"))
    refused = refused_message()
    if refused:
        st.error(refused, icon=":material/block:")
    if data.is_sample():  # a synthetic bank: its artefacts must not read as findings
        st.caption(t("sample_banner"), help=t("sample_banner_help"))
    measure = data.active_dataset().value_measure
    if measure != "aum" and name not in ("data", "scenarios"):
        st.info(t("value_measure_note", measure=t(f"measure_{measure}")), icon=":material/swap_horiz:")
    if name != "data":
        from ui import filters

        said = filters.statement()
        if said:
            shown = " ".join([t("filter_shown", statement=md(said)), *filters.caveats()])
            st.info(shown, icon=":material/filter_alt:")
        filters.drill_panel()


def coming_page(name: str) -> None:
    """A placeholder page: title, the question it will answer, what is coming."""
    page_header(name)
    st.info(t("coming", what=t(f"coming_{name}")), icon=":material/construction:")


def translated_choice(widget, label: str, options, key: str, format_func, index: int = 0, **kwargs):
    """A single choice (``container.selectbox`` or ``container.radio``) whose option labels follow the language.

    The browser keeps a keyed widget's option labels: after a language switch it showed the old language's
    label, or no choice at all (the sidebar's data source after 中文). So the widget key carries the
    language (``key__en`` / ``key__zh``) while the choice itself lives under ``key``: the store, which
    survives a switch, a page change and a choice made elsewhere (an upload choosing its data). The widget
    is set from the store on every run and writes back to it when the manager chooses.
    """
    options = list(options)
    widget_key = f"{key}__{current_lang()}"
    chosen = st.session_state.get(key)
    if chosen not in options:
        chosen = options[index] if options else None
        st.session_state[key] = chosen
    st.session_state[widget_key] = chosen

    def commit() -> None:
        st.session_state[key] = st.session_state[widget_key]

    labels = [str(format_func(option)) for option in options]  # in this run's language, not at a later call
    return widget(
        label, options, format_func=lambda o: labels[options.index(o)], key=widget_key, on_change=commit, **kwargs
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_button(container, label: str, data, file_name: str, mime: str, key: str) -> None:
    """A download button that leaves the app as it is (``on_click="ignore"``): every download goes through here.

    ``data`` is a callable that takes no argument: the file is built when clicked, so no file waits under a
    ``/media`` address before anyone asks for it (issue 22: those addresses answer whoever holds them while
    the session lives). Bytes or text are refused (``TypeError``). A download that reran the app lost the
    next one: the rerun registers each deferred download under a new file id and revokes the old one, which
    the browser still held for a click soon after.
    """
    if not callable(data):
        raise TypeError(f"download {key!r}: pass a function that builds the file, not its {type(data).__name__}")
    container.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")


def download_pair(csv_bytes, excel_bytes, name: str, key: str) -> None:
    """CSV and Excel download buttons side by side; each file is built when its button is clicked.

    ``csv_bytes`` and ``excel_bytes`` take no argument (e.g. ``partial(csv_of, frame)``); the keys are
    ``{key}_csv`` and ``{key}_xlsx``.
    """
    csv_col, excel_col = st.columns(2)
    download_button(csv_col, t("download_csv"), csv_bytes, f"{name}.csv", "text/csv", key=f"{key}_csv")
    download_button(excel_col, t("download_excel"), excel_bytes, f"{name}.xlsx", XLSX, key=f"{key}_xlsx")


MEETING_KEY = "meeting_mode"

MEETING_CSS = """
<style>
html { font-size: 19px; }
[data-testid="stMain"] h1 { font-size: 2.6rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMain"] .stSlider, [data-testid="stMain"] .stSelectbox, [data-testid="stMain"] .stMultiSelect,
[data-testid="stMain"] .stNumberInput, [data-testid="stMain"] .stTextInput, [data-testid="stMain"] .stRadio,
[data-testid="stMain"] [data-testid="stExpander"], [data-testid="stMain"] .stDownloadButton,
[data-testid="stMain"] [data-testid="stFileUploader"], [data-testid="stMain"] .stSegmentedControl { display: none; }
</style>
"""


def meeting_mode_toggle() -> bool:
    """Meeting mode: larger type, controls hidden, customer identifiers masked."""
    on = st.sidebar.toggle(t("meeting_mode"), key=MEETING_KEY, help=t("meeting_mode_help"))
    if on:
        st.html(MEETING_CSS)
    return on


def meeting_mode() -> bool:
    """Whether meeting mode is on in this session."""
    return bool(st.session_state.get(MEETING_KEY))


SHOW_IDS_KEY = "show_identifiers"


def identifiers_switch() -> None:
    """The explicit switch that unmasks customer identifiers (never offered in meeting mode)."""
    st.sidebar.toggle(t("show_identifiers"), key=SHOW_IDS_KEY, help=t("show_identifiers_help"))


def identifiers_visible() -> bool:
    """Identifiers are masked everywhere unless the switch is on and meeting mode is off."""
    return bool(st.session_state.get(SHOW_IDS_KEY)) and not meeting_mode()


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A customer list as displayed: identifiers masked unless explicitly unmasked."""
    from crm_core.privacy import masked_frame

    return frame if identifiers_visible() else masked_frame(frame)


def exported(frame: pd.DataFrame) -> pd.DataFrame:
    """A customer list as exported: masked by default; unmasked ids pseudonymised when a key is configured."""
    from crm_core.privacy import masked_frame, pseudonymised

    if not identifiers_visible():
        return masked_frame(frame)
    try:
        key = st.secrets.get("pseudonym_key")
    except Exception:  # no secrets file
        key = None
    return pseudonymised(frame, str(key).encode()) if key else frame


def md(text: object) -> str:
    """Escape text for Streamlit Markdown so data (branch, file, scenario names) never becomes a link,
    an autolink, an image, LaTeX, an emoji shortcode or formatting, and lose its bidi controls.

    Every Markdown sink takes it: ``st.markdown``, captions, and the labels of expanders, tabs,
    buttons, toasts and alerts (see ``crm_core.text_safety.markdown_text``).
    """
    from crm_core.text_safety import markdown_text

    return markdown_text(text)


PERCENT_COLUMNS = frozenset(
    {"annual_change", "lower", "upper", "yoy", "cagr", "in_scope_share", "share", "bank_share", "aum_trend",
     "churn_probability", "propensity"}
)  # fmt: skip
MONEY_COLUMNS = frozenset(
    {"aum", "aum_12m_ago", "total_clv", "mean_clv", "total_contribution", "total_headroom", "contribution", "clv",
     "expected_value", "expected_aum_loss"}
)  # fmt: skip


def table(frame: pd.DataFrame, key: str, customers: bool = False) -> None:
    """Show a result table with translated headers, shares as % and money in yuan; customer lists masked.

    Headers come from the translation table (``col_<name>``); columns without an entry keep a readable
    form of their name.
    """
    shown_frame = shown(frame) if customers else frame
    # Internal codes are not for people; a product code is dropped where its display name is shown.
    hidden = {"code"} | ({"product"} if "product_name" in shown_frame.columns else set())
    shown_frame = shown_frame.drop(columns=[c for c in shown_frame.columns if c in hidden])

    def header(column: str) -> str:
        text = t(f"col_{column}")
        return column.replace("_", " ") if text == f"col_{column}" else text

    shown_frame = with_gaps_named(shown_frame)
    config = number_formats(shown_frame, header)
    money_format = table_money_format(data.currency())
    for column in shown_frame.columns:
        if not pd.api.types.is_numeric_dtype(shown_frame[column]):
            continue  # a column with a gap, already written out
        if column in PERCENT_COLUMNS:
            config[header(column)] = st.column_config.NumberColumn(format="percent")
        elif column in MONEY_COLUMNS:
            config[header(column)] = st.column_config.NumberColumn(format=money_format)
    st.dataframe(shown_frame.rename(columns=header), hide_index=True, key=key, column_config=config)


TABLE_MONEY_FORMATS: dict[str, str] = {"CNY": "yen", "EUR": "euro", "USD": "dollar"}
"""Streamlit's own money formats by currency; any other currency is its symbol before a whole number."""


def table_money_format(code: str) -> str:
    """The grid's number format of a money column in the currency ``code`` (the tiles' currency, not always ¥).

    Examples
    --------
    >>> table_money_format("CNY"), table_money_format("EUR"), table_money_format("INR")
    ('yen', 'euro', '₹%.0f')
    """
    return TABLE_MONEY_FORMATS.get(code, f"{formatting.currency_symbol(code)}%.0f")


def with_gaps_named(
    frame: pd.DataFrame,
    decimals: int | Mapping[str, int] = 1,
    shares: frozenset[str] | tuple[str, ...] = PERCENT_COLUMNS,
) -> pd.DataFrame:
    """Write out the numeric columns that have a missing value, the gap as n/a (暂无), not the grid's "None".

    A column without a gap keeps its numbers (the grid formats and sorts them). ``shares`` are written as
    percentages, ``MONEY_COLUMNS`` as money, integer columns as counts and the others with ``decimals``
    (one for all, or per column: 0 for a column not named).
    """
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    gapped = [c for c in numeric if not pd.api.types.is_bool_dtype(frame[c]) and frame[c].isna().any()]
    if not gapped:
        return frame
    frame = frame.copy()
    for column in gapped:
        values = frame[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        places = decimals if isinstance(decimals, int) else decimals.get(column, 0)
        if column in shares:
            written = [percent(v) for v in values]
        elif column in MONEY_COLUMNS:
            written = [money(v) for v in values]
        elif pd.api.types.is_integer_dtype(frame[column]):
            written = [count(v) for v in values]
        else:
            written = [t("not_available") if math.isnan(v) else f"{v:,.{places}f}" for v in values]
        frame[column] = written
    return frame


def number_formats(frame: pd.DataFrame, header=str, decimals: int = 1) -> dict:
    """Column formats of a shown table: decimals fixed (60.0 beside 58.1, not 60), counts with separators."""
    config = {}
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            config[header(column)] = st.column_config.NumberColumn(format=f"%.{decimals}f")
        elif pd.api.types.is_integer_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            config[header(column)] = st.column_config.NumberColumn(format="localized")
    return config
