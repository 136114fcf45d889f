"""Production entrypoint: ``streamlit run serve.py`` serves ``app.py`` behind ``ui.server_guard``.

``streamlit run app.py`` still works for local use, without the guard (see README, "Deployment").
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.server_guard import ServerGuard

app = st.App(Path(__file__).resolve().parent / "app.py", middleware=[Middleware(ServerGuard)])
