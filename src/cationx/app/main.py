"""Streamlit entry script of ``cationx app`` (run by ``streamlit run``; not imported by cationx)."""

from __future__ import annotations

import importlib

import streamlit as st

from cationx.app import PAGES

st.set_page_config(page_title="cationx explorer", page_icon=":material/science:", layout="wide")

pages = [
    st.Page(importlib.import_module(f"cationx.app.{module}").page, title=title, url_path=url, icon=icon, default=(k == 0))
    for k, (module, title, url, icon) in enumerate(PAGES)
]
with st.sidebar:
    st.markdown("**cationx** – cation exchange in nanocrystals")
st.navigation(pages).run()
