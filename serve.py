"""Production entrypoint: ``streamlit run serve.py`` serves ``app.py`` behind ``ui.server_guard``.

``streamlit run app.py`` still works for local use, without the guard (see README, "Deployment").
"""

from pathlib import Path

from ui.allocator import limit_malloc_arenas

limit_malloc_arenas()  # before the server starts its threads (ui/allocator.py says why)

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from ui.server_guard import ServerGuard  # noqa: E402

app = st.App(Path(__file__).resolve().parent / "app.py", middleware=[Middleware(ServerGuard)])
