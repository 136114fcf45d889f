"""Data: the dataset in use (upload arrives with the loading issue)."""

import streamlit as st

from ui import data
from ui.i18n import t

st.title(t("page_data"))
dataset = data.active_dataset()
st.write(dataset.name)
