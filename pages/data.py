"""Data: the dataset in use (upload arrives with the loading issue)."""

import streamlit as st

from ui import data
from ui.widgets import page_header

page_header("data")
st.write(data.active_dataset().name)
