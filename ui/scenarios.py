"""Scenarios in the session: the saved set, links and files, save / load / rename / delete.

The active scenario itself lives in ``ui.settings`` (the one store of every setting); this module
keeps the named scenarios a manager saved, applies links and uploaded files through
``settings.activate`` (the same path as loading a saved scenario), and shows the sidebar panel.
Everything lives in this session's state; nothing is shared between sessions.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from crm_core import scenario_links as links
from crm_core import scenarios as sc
from crm_core import segments as seg
from crm_core.messages import names as names_in
from ui import settings
from ui.i18n import current_lang, t
from ui.widgets import md

STORE_KEY = "scenarios_saved"
LINK_PARAM = "scenario"
LINK_APPLIED_KEY = "_scenario_link_applied"
LINK_ERROR_KEY = "_scenario_link_error"
MESSAGE_KEY = "_scenario_message"
UPLOAD_KEY = "scenarios_upload"
UPLOADS_SEEN_KEY = "_scenario_uploads_seen"


def saved() -> dict[str, sc.Scenario]:
    """This session's saved scenarios by name (the two presets are always there)."""
    store = st.session_state.setdefault(STORE_KEY, {})
    for preset in (sc.baseline_scenario(), sc.proposed_scenario()):
        store.setdefault(preset.name, preset)
    return store


def active() -> sc.Scenario:
    """The active scenario (``ui.settings.active``)."""
    return settings.active()


def _adopt(scenario: sc.Scenario, source: str) -> None:
    """Save a linked or uploaded scenario under a name of its own and make it active."""
    name = sc.unique_name(scenario.name, saved(), origin=source)
    scenario = scenario.renamed(name) if name != scenario.name else scenario
    saved()[name] = scenario
    settings.activate(scenario)


def apply_link() -> None:
    """Apply the scenario a link carries (short ``?s=…`` form, or the old ``?scenario=`` token), once.

    Called by ``app.py`` before any control is drawn; a refused link leaves the settings as they
    were and says why in the sidebar.
    """
    params = {k: st.query_params.get(k) for k in st.query_params}
    if LINK_PARAM not in params and links.PRESET_PARAM not in params:
        return
    wanted = {k: v for k, v in params.items() if k not in links.NOT_SETTINGS}
    token = urlencode(sorted(wanted.items()))
    if st.session_state.get(LINK_APPLIED_KEY) == token:
        return
    st.session_state[LINK_APPLIED_KEY] = token
    for name in wanted:  # the address bar no longer claims settings the manager may change next
        del st.query_params[name]
    try:
        if LINK_PARAM in wanted:
            scenario = sc.scenario_from_token(str(wanted[LINK_PARAM]))
        else:
            scenario = links.scenario_from_query(wanted)
    except sc.ScenarioError as error:
        st.session_state[LINK_ERROR_KEY] = str(error)
        return
    _adopt(scenario, t("from_link"))


def display_name(name: str) -> str:
    """A scenario's name in the session's language (built-in names translated)."""
    return sc.scenario_label(name, current_lang())


def tier_rows(tiers: pd.DataFrame) -> pd.DataFrame:
    """A comparison's tier rows with tier and scenario names in the session's language."""
    lang = current_lang()
    groups = []
    for _, rows in tiers.groupby("scenario", sort=False):
        tiered = rows[rows["code"] >= 0].sort_values("code")
        names = dict(zip(tiered["group"], names_in(seg.tier_terms(tuple(tiered["group"])), lang), strict=True))
        names[str(rows.loc[rows["code"] == seg.SUPPRESSED_CODE, "group"].squeeze())] = t("profiles_suppressed_row")
        groups.append(rows["group"].map(lambda g, names=names: names.get(g, g)))
    return tiers.assign(
        group=pd.concat(groups).reindex(tiers.index), scenario=[display_name(s) for s in tiers["scenario"]]
    )


def display_note(scenario: sc.Scenario) -> str:
    """A scenario's note in the session's language (a built-in scenario's own note translated)."""
    proposed = sc.proposed_scenario()
    if scenario.name == proposed.name and scenario.note == proposed.note:
        return t("scenario_note_proposed")
    return scenario.note


def sidebar_panel() -> None:
    """The active scenario in the sidebar, on every page."""
    st.sidebar.markdown(f"**{t('scenario')}**")
    modified = t("scenario_modified") if settings.modified_marker() else ""
    st.sidebar.caption(f"{md(display_name(active().name))}{modified}")
    error = st.session_state.pop(LINK_ERROR_KEY, None)
    if error:
        st.sidebar.error(t("link_refused", error=md(error)))


def _message(kind: str, text: str) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text)


def save_current() -> None:
    """Button callback: save the active settings under the typed name and keep working on the saved one."""
    from ui import data

    name = str(st.session_state.get("scenarios_new_name", "")).strip()
    if not name:
        _message("error", t("scenario_need_name"))
        return
    try:
        scenario = (
            active()
            .renamed(name, st.session_state.get("scenarios_new_note", ""))
            .stamped(data.active_dataset().fingerprint)
        )
    except (sc.ScenarioError, ValueError) as error:
        _message("error", md(str(error)))
        return
    saved()[name] = scenario
    settings.activate(scenario)
    st.session_state["scenarios_selected"] = name
    _message("success", t("scenario_saved", name=md(name)))


def load_selected() -> None:
    """Button callback: make the selected scenario the active one on every page."""
    name = st.session_state["scenarios_selected"]
    settings.activate(saved()[name])
    _message("success", t("scenario_loaded", name=md(name)))


def duplicate_selected() -> None:
    """Button callback: copy the selected scenario under a free name."""
    store, name = saved(), st.session_state["scenarios_selected"]
    copy = sc.unique_name(name, store, origin=t("copy"))
    store[copy] = store[name].renamed(copy)
    st.session_state["scenarios_selected"] = copy


def rename_selected() -> None:
    """Button callback: rename the selected scenario."""
    store, name = saved(), st.session_state["scenarios_selected"]
    new = str(st.session_state.get("scenarios_rename_to", "")).strip()
    if not new or new in store:
        _message("error", t("scenario_bad_rename"))
        return
    try:
        store[new] = store.pop(name).renamed(new)
    except (sc.ScenarioError, ValueError) as error:
        _message("error", md(str(error)))
        return
    if active().name == name:
        settings.update(active().renamed(new))
    if settings.origin().name == name:
        st.session_state[settings.ORIGIN_KEY] = store[new]
    st.session_state["scenarios_selected"] = new


def delete_selected() -> None:
    """Button callback: delete the selected scenario (the presets come back on the next run)."""
    name = st.session_state["scenarios_selected"]
    saved().pop(name, None)
    st.session_state.pop("scenarios_selected", None)
    _message("success", t("scenario_deleted", name=md(name)))


def add_uploaded() -> None:
    """Uploader callback: validate each new scenario file once, add it under a free name and activate it."""
    seen = st.session_state.setdefault(UPLOADS_SEEN_KEY, set())
    for upload in st.session_state.get(UPLOAD_KEY) or ():
        if upload.file_id in seen:
            continue
        seen.add(upload.file_id)
        try:
            if upload.size > sc.MAX_SCENARIO_FILE_BYTES:
                raise sc.ScenarioError(t("scenario_file_too_large", kb=sc.MAX_SCENARIO_FILE_BYTES // 1024))
            scenario = sc.scenario_from_json(upload.getvalue())
        except sc.ScenarioError as error:
            _message("error", t("scenario_refused", name=md(upload.name), error=md(str(error))))
            continue
        _adopt(scenario, t("from_file"))
        _message("success", t("scenario_added", name=md(upload.name)))


def flash() -> None:
    """Show (once) the message a callback left."""
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])


def share_link(scenario: sc.Scenario) -> str:
    """A short link that reproduces the settings (never customer data): the preset and what differs from it."""
    base = (st.context.url or "http://localhost:8501").split("?")[0]
    return f"{base}?{urlencode(links.scenario_query(scenario), safe=':,')}"
