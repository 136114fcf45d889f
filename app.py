"""Entry point: page config, the shared sidebar frame, and the router. Nothing else."""

from pathlib import Path

import streamlit as st

from ui import widgets
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
    ("scenarios", ":material/compare_arrows:"),
    ("playbook", ":material/menu_book:"),
)

st.set_page_config(page_title="Bank CRM", page_icon=":material/account_balance:", layout="wide")
widgets.language_switch()
st.sidebar.title(t("app_title"))
navigation = st.navigation(
    [
        st.Page(PAGES_DIR / f"{name}.py", title=t(f"page_{name}"), icon=icon, url_path=name, default=name == "overview")
        for name, icon in PAGES
    ]
)
widgets.data_source_panel()
widgets.scenario_panel()
navigation.run()
