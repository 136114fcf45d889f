"""Entry point: page config, the shared sidebar frame, and the router. Nothing else."""

from pathlib import Path

import streamlit as st

from ui import auth, filters, scenarios, widgets
from ui.frame import follow_deep_link, framed_run
from ui.i18n import t

PAGES_DIR = Path(__file__).resolve().parent / "pages"
PAGES = (
    ("overview", ":material/dashboard:"),
    ("data", ":material/upload_file:"),
    ("segments", ":material/groups:"),
    ("visits", ":material/storefront:"),
    ("products", ":material/inventory_2:"),
    ("loyalty", ":material/favorite:"),
    ("staff_kpis", ":material/leaderboard:"),
    ("service", ":material/support_agent:"),
    ("scenarios", ":material/compare_arrows:"),
    ("playbook", ":material/menu_book:"),
)

st.set_page_config(page_title="Bank CRM", page_icon=":material/account_balance:", layout="wide")
auth.require_sign_in([name for name, _ in PAGES])  # when secrets configure it; no page list before
title = st.sidebar.empty()
widgets.language_switch()  # before anything translated, so ?lang=中文 applies on the first run
title.markdown(f"**{t('app_title')}**")
pages = {
    name: st.Page(
        PAGES_DIR / f"{name}.py", title=t(f"page_{name}"), icon=icon, url_path=name, default=name == "overview"
    )
    for name, icon in PAGES
}
navigation = st.navigation(list(pages.values()))
scenarios.apply_link()  # a linked scenario becomes the active one before any control is drawn
follow_deep_link(pages)
if not widgets.meeting_mode_toggle():
    widgets.identifiers_switch()
    widgets.data_source_panel()
    filters.sidebar_panel()
    scenarios.sidebar_panel()
with framed_run():
    navigation.run()
