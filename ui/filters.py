"""The sidebar's filters (branch, city, relationship manager, tier, as-of month) and their statement.

The filters live in the active scenario (``Scenario.filters``); each control here is a view of
it (``ui.settings.control``). ``ui.data.active_prepared`` turns them into the filtered extract,
so every page, tile, export and the playbook follow; ``statement`` is what each surface says.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from crm_core import filters as flt
from crm_core.formatting import format_month
from crm_core.messages import names as names_in
from crm_core.segments import tier_terms
from ui import data, settings
from ui.i18n import current_lang, t

FILTER_SETTINGS: dict[str, settings.Setting] = {
    "branch": settings.Setting(("filters", "branches"), shown=list, translated=True),
    "city": settings.Setting(("filters", "cities"), shown=list, translated=True),
    "relationship_manager": settings.Setting(("filters", "relationship_managers"), shown=list),
    "tiers": settings.Setting(("filters", "tiers"), shown=list, translated=True),
    "as_of": settings.Setting(("filters", "as_of"), shown=str, translated=True),
}
"""One control per filter field (unit columns by the customer column they restrict)."""


@st.cache_data(max_entries=8, show_spinner=False)
def _choices(fingerprint: str, lang: str, _dataset) -> dict[str, object]:
    from crm_core import places

    customers = _dataset.customers
    units = {}
    for column in flt.UNITS:
        if column in customers and customers[column].notna().any():
            values = sorted(str(v) for v in customers[column].dropna().unique())
            names = places.place_names(customers, column, lang) if column in places.PLACE_COLUMNS else {}
            units[column] = (values, names)
    return {"units": units, "months": flt.as_of_months(_dataset)}


def _clear() -> None:
    settings.commit(lambda scenario: replace(scenario, filters=flt.Filters()))


def sidebar_panel() -> None:
    """The filter controls in a sidebar expander (open while a filter is set)."""
    dataset = data.active_dataset()
    lang = current_lang()
    scenario = settings.active()
    choices = _choices(dataset.fingerprint, lang, dataset)
    labels = {
        "branch": t("filter_branches"),
        "city": t("filter_cities"),
        "relationship_manager": t("filter_relationship_managers"),
    }
    with st.sidebar.expander(t("filters"), expanded=scenario.filters.is_active, icon=":material/filter_alt:"):
        for column, (values, names) in choices["units"].items():
            settings.control(
                st.multiselect,
                FILTER_SETTINGS[column],
                labels[column],
                values,
                format_func=lambda v, names=names: names.get(v, v),
                placeholder=t("filter_all"),
            )
        tiers = names_in(tier_terms(scenario.tiers), lang)
        settings.control(
            st.multiselect,
            FILTER_SETTINGS["tiers"],
            t("filter_tiers"),
            list(range(len(tiers))),
            format_func=lambda code: tiers[code],
            placeholder=t("filter_all"),
        )
        months = choices["months"]
        if months:
            latest = t("filter_latest", month=format_month(f"{months[0]}-01", lang))
            settings.control(
                st.selectbox,
                FILTER_SETTINGS["as_of"],
                t("filter_as_of_month"),
                ["", *months[1:]],
                format_func=lambda m: latest if not m else format_month(f"{m}-01", lang),
            )
        else:
            st.caption(t("filter_undated"))
        if scenario.filters.is_active:
            st.button(t("filter_clear"), on_click=_clear, icon=":material/filter_alt_off:")


def statement(lang: str | None = None) -> str:
    """The active filter in words ("Ningbo Haishu · affluent · as of June 2026"); empty when none."""
    lang = lang or current_lang()
    scenario = settings.active()
    filters = scenario.filters
    if not filters.is_active:
        return ""
    dataset = data.active_dataset()
    # the place names the sidebar's choices already hold (once per dataset and language, not per rerun)
    units = _choices(dataset.fingerprint, lang, dataset)["units"]
    names = {column: dict(shown) for column, (_, shown) in units.items()}
    return flt.statement(filters, lang, names_in(tier_terms(scenario.tiers), lang), names)


def caveats(lang: str | None = None) -> list[str]:
    """What the as-of month cannot take back in this extract, in words."""
    from crm_core.messages import render

    lang = lang or current_lang()
    return [render(m, lang) for m in flt.as_of_caveats(data.active_dataset(), settings.active().filters)]


# --- drill-through: a click narrows the filter, with a way back ----------------------------------

DRILL_STACK_KEY = "_drill_stack"
FIELDS = {"branch": "branches", "city": "cities", "relationship_manager": "relationship_managers"}


def _selected(event, axis: str, customdata: bool = False) -> str | None:
    """The first point selected on a chart: its label on ``axis`` (or, with ``customdata``, its customdata[0])."""
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    if not points:
        try:
            points = event.selection.points  # the attribute form plotly_chart returns
        except AttributeError:
            return None
    if not points:
        return None
    point = points[0]
    custom = point.get("customdata")
    if customdata and isinstance(custom, list | tuple) and custom:
        return str(custom[0])
    if customdata and custom is not None and not isinstance(custom, list | tuple):
        return str(custom)
    value = point.get(axis)
    return None if value is None else str(value)


def drill_to(column: str, value: str, chart_key: str = "") -> None:
    """Narrow every view to one branch, city or manager, remembering the filter to go back to."""
    current = settings.active().filters
    if getattr(current, FIELDS[column]) == (value,):
        return
    st.session_state.setdefault(DRILL_STACK_KEY, []).append((current, chart_key))
    settings.commit(lambda s: replace(s, filters=replace(s.filters, **{FIELDS[column]: (value,)})))


def drill_from(
    event, column: str, chart_key: str, axis: str = "x", names: dict[str, str] | None = None, customdata: bool = False
) -> None:
    """After a chart with ``on_select="rerun"``: drill to the unit its selected point stands for.

    The unit is the point's label on ``axis`` (``names`` maps a shown display name back to the data
    value), or its ``customdata[0]`` when the chart carries the data value there (``customdata``).
    """
    value = _selected(event, axis, customdata)
    if value is None:
        return
    back = {shown: data_value for data_value, shown in (names or {}).items()}
    value = back.get(value, value)
    before = settings.active().filters
    drill_to(column, value, chart_key)
    if settings.active().filters != before:
        st.rerun()


def _back() -> None:
    stack = st.session_state.get(DRILL_STACK_KEY) or []
    if not stack:
        return
    previous, chart_key = stack.pop()
    if chart_key and chart_key in st.session_state:
        del st.session_state[chart_key]  # the chart forgets the point that drilled
    settings.commit(lambda s: replace(s, filters=previous))


def drill_panel() -> None:
    """While drilled in: the way back and the customers behind the unit, by value at stake."""
    stack = st.session_state.get(DRILL_STACK_KEY) or []
    if not stack or stack[-1][0] == settings.active().filters:
        return
    st.button(t("drill_back"), on_click=_back, icon=":material/arrow_back:", key="drill_back")
    with st.expander(t("drill_customers"), icon=":material/group:"):
        from crm_core.drill import customers_at_stake
        from ui import loyalty as ui_loy
        from ui import places
        from ui.widgets import table

        prepared = data.active_prepared()
        risk = ui_loy.churn_risk(prepared, settings.active().churn)
        listed = customers_at_stake(prepared, risk.probabilities if risk.usable else None)
        table(places.named(listed, prepared), key="drill_customer_table", customers=True)
        st.caption(t("drill_customers_rule" if risk.usable else "drill_customers_by_aum"))
